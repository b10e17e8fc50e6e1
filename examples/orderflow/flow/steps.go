package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/shipping"
)

// total is the order's value before tax.
func total(o Order) (money.Amount, error) {
	sum := decimal.Zero
	for _, l := range o.Lines {
		line, err := l.UnitPrice.Mul(decimal.MustNew(int64(l.Quantity), 0))
		if err != nil {
			return money.Amount{}, err
		}
		if sum, err = sum.Add(line); err != nil {
			return money.Amount{}, err
		}
	}
	cur, err := money.ParseCurr(o.Currency)
	if err != nil {
		return money.Amount{}, &PermanentError{Reason: "unknown currency " + o.Currency}
	}
	return money.NewAmountFromDecimal(cur, sum)
}

// RecordOnCRM upserts the contact by email and records the order as a won
// deal linked to it (keyed by the order): in one round trip where the CRM
// records a whole sale at once.
func (f *Flow) RecordOnCRM(ctx context.Context, o Order, st *State) (string, error) {
	amount, err := total(o)
	if err != nil {
		return "", err
	}
	contact := crm.Contact{Email: o.Customer.Email, FirstName: o.Customer.FirstName, LastName: o.Customer.LastName, Phone: o.Customer.Phone}
	deal := crm.Deal{Name: "Order " + o.ID, Amount: &amount, Stage: "closedwon", Pipeline: "default",
		CloseDate: time.Now().UTC().Truncate(24 * time.Hour)}
	dealKey := connector.WithIdempotencyKey(Key(o.ID, "crm-deal"))
	if f.Sales != nil {
		sale, err := f.Sales.RecordSale(ctx, crm.Sale{Contact: contact, Deal: deal}, dealKey)
		if err != nil {
			return "", classify(err)
		}
		st.ContactID = sale.Contact.ID
		return "contact " + sale.Contact.ID + ", deal " + sale.Deal.ID, nil
	}
	c, err := f.Contacts.Upsert(ctx, contact, connector.WithIdempotencyKey(Key(o.ID, "crm-contact")))
	if err != nil {
		return "", classify(err)
	}
	deal.Associations = []crm.Ref{{Type: crm.ContactObject, ID: c.ID}}
	d, err := f.Deals.Create(ctx, deal, dealKey)
	if err != nil {
		return "", classify(err)
	}
	st.ContactID = c.ID
	return "contact " + c.ID + ", deal " + d.ID, nil
}

// TakeStock reserves every line in one adjustment, then checks that no
// level went below zero: two orders competing for the last unit cannot
// both win. If one did, the adjustment is undone and the order fails.
//
// An order placed on the platform that holds the stock had it taken there
// at checkout (Shopify, Square and WooCommerce decrement tracked stock
// when the order is created): taking it again would count it twice, so
// the flow only checks that the platform did not sell what it did not
// have.
func (f *Flow) TakeStock(ctx context.Context, o Order, st *State) (string, error) {
	if o.Source != "" && o.Source == f.Inventory {
		return f.checkStockAtSource(ctx, o, st)
	}
	st.Items = map[string]string{}
	var changes []inventory.Change
	for _, l := range o.Lines {
		id, err := f.itemID(ctx, l.SKU)
		if err != nil {
			return "", err
		}
		st.Items[l.SKU] = id
		changes = append(changes, inventory.Change{ItemID: id, LocationID: f.LocationID, Delta: -l.Quantity,
			Reason: "correction", Reference: "order://" + o.ID})
	}
	left, err := f.Stock.Adjust(ctx, changes, connector.WithIdempotencyKey(Key(o.ID, StepStock)))
	if err != nil {
		return "", classify(err)
	}
	st.StockTaken = true
	// What the adjustment left, as the vendor saw it then: a re-run under
	// the same key is told the same, whatever happened to stock since.
	for _, a := range left {
		if a.After < 0 {
			return "", &PermanentError{Reason: "out of stock: " + skuOf(st.Items, a.ItemID)}
		}
	}
	if len(o.Lines) == 1 {
		return "1 line reserved", nil
	}
	return fmt.Sprintf("%d lines reserved", len(o.Lines)), nil
}

// checkStockAtSource reads the levels of the order's items where the
// platform took them: one below zero means the platform sold more than it
// had (its "continue selling when out of stock"), and the order fails
// cleanly; the platform's own stock is the platform's to put right when
// the shop cancels the order there.
func (f *Flow) checkStockAtSource(ctx context.Context, o Order, st *State) (string, error) {
	st.Items = map[string]string{}
	var ids []string
	for _, l := range o.Lines {
		id, err := f.itemID(ctx, l.SKU)
		if err != nil {
			return "", err
		}
		st.Items[l.SKU] = id
		ids = append(ids, id)
	}
	for lvl, err := range f.Stock.Levels(ctx, inventory.LevelFilter{ItemIDs: ids, LocationIDs: []string{f.LocationID}}) {
		if err != nil {
			return "", classify(err)
		}
		if lvl.Available < 0 {
			return "", &PermanentError{Reason: fmt.Sprintf("oversold at %s: %s is at %d", o.Source, skuOf(st.Items, lvl.ItemID), lvl.Available)}
		}
	}
	return "taken at checkout by " + o.Source + ", in stock there", nil
}

func skuOf(items map[string]string, itemID string) string {
	for sku, id := range items {
		if id == itemID {
			return sku
		}
	}
	return itemID
}

// itemID finds the inventory item of a SKU, once per flow: orders that
// want it at the same moment share one lookup, rather than each spending
// the shop's budget on the same answer.
func (f *Flow) itemID(ctx context.Context, sku string) (string, error) {
	if id, ok := f.skus.Load(sku); ok {
		return id.(string), nil
	}
	id, err, _ := f.skuLookups.Do(sku, func() (any, error) {
		it, err := f.Items.GetBySKU(ctx, sku)
		if errors.Is(err, connector.ErrNotFound) {
			return "", &PermanentError{Reason: "unknown SKU " + sku}
		}
		if err != nil {
			return "", err
		}
		f.skus.Store(sku, it.ID)
		return it.ID, nil
	})
	return id.(string), err
}

// Invoice issues the invoice, keyed by the order, with the order id as its
// reference. The customer goes with it by name and email: the accounting
// package finds or makes them, in the same call where the vendor allows.
func (f *Flow) Invoice(ctx context.Context, o Order, st *State) (string, error) {
	cur, err := money.ParseCurr(o.Currency)
	if err != nil {
		return "", &PermanentError{Reason: "unknown currency " + o.Currency}
	}
	inv := accounting.Invoice{Currency: o.Currency, Reference: o.ID,
		Customer:  &accounting.Customer{Name: o.Customer.Name() + " <" + o.Customer.Email + ">", Email: o.Customer.Email, Phone: o.Customer.Phone},
		IssueDate: time.Now().UTC(), DueDate: time.Now().UTC().AddDate(0, 0, 14)}
	for _, l := range o.Lines {
		price, err := money.NewAmountFromDecimal(cur, l.UnitPrice)
		if err != nil {
			return "", &PermanentError{Reason: "bad price for " + l.SKU}
		}
		inv.Lines = append(inv.Lines, accounting.Line{Description: l.Title + " (" + l.SKU + ")", Quantity: decimal.MustNew(int64(l.Quantity), 0),
			UnitPrice: price, AccountCode: f.AccountCode, TaxCode: f.TaxCode})
	}
	created, err := f.Invoices.Create(ctx, inv, connector.WithIdempotencyKey(Key(o.ID, StepInvoice)))
	if err != nil {
		return "", classify(err)
	}
	st.InvoiceID, st.InvoiceNumber = created.ID, created.Number
	return created.ID + " " + created.Number, nil
}

// BuyLabel quotes and buys the rate the order's service level asks for.
// If an earlier run began this step, it first looks for the label that run
// may have bought under the same key: a re-quote gives new rates, so the
// purchase's own idempotency (per rate) cannot see it.
func (f *Flow) BuyLabel(ctx context.Context, o Order, st *State) (string, error) {
	key := Key(o.ID, StepLabel)
	var label *shipping.Label
	if finder, ok := f.Labels.(shipping.LabelFinder); ok && !st.NewKey {
		found, err := finder.FindByKey(ctx, key, st.StepBegan)
		if err != nil && !errors.Is(err, connector.ErrNotFound) {
			return "", err
		}
		label = found
	}
	if label == nil {
		rates, err := f.Rates.Quote(ctx, f.ShipFrom, o.ShipTo, []shipping.Parcel{f.Parcel})
		if err != nil {
			return "", classify(err)
		}
		rate, ok := shipping.CheapestWithin(rates, 5)
		if o.Express {
			rate, ok = shipping.Fastest(rates)
		} else if !ok {
			rate, ok = shipping.Cheapest(rates)
		}
		if !ok {
			return "", &PermanentError{Reason: "no carrier serves this address"}
		}
		if label, err = f.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(key), st.keyIsNew()); err != nil {
			return "", classify(err)
		}
	}
	st.LabelID, st.Carrier, st.TrackingNumber, st.TrackingURL = label.ID, label.Carrier, label.TrackingNumber, label.TrackingURL
	return strings.Join([]string{st.LabelID, st.Carrier, st.TrackingNumber, st.TrackingURL}, " "), nil
}

// Fulfil tells the platform the order was placed on that it shipped,
// with the label's carrier and tracking number, keyed by the order: the
// order shows as fulfilled there, and with Confirm asking for it the
// platform sends the customer its own confirmation. An order from no
// platform, or from one not in Shops, has no one to tell.
func (f *Flow) Fulfil(ctx context.Context, o Order, st *State) (string, error) {
	shop := f.Shops[o.Source]
	if shop == nil || o.PlatformID() == "" {
		return "no platform to tell", nil
	}
	ful, err := shop.Fulfil(ctx, o.PlatformID(), inventory.Shipment{Carrier: st.Carrier, TrackingNumber: st.TrackingNumber,
		TrackingURL: st.TrackingURL, Notify: f.Confirm != ConfirmByMail}, connector.WithIdempotencyKey(Key(o.ID, StepFulfil)), st.keyIsNew())
	if err != nil {
		return "", classify(err)
	}
	st.FulfilmentID, st.ShopNotified = ful.ID, ful.Notified
	detail := "fulfilled at " + o.Source + " (" + ful.ID + ")"
	if ful.Notified {
		detail += ", which confirmed to the customer"
	}
	return detail, nil
}

// Notify sends the shipping confirmation, once, and notes it on the
// customer's CRM contact. Where the platform sent its own and Confirm
// says that is the one, the flow's mail is not sent.
func (f *Flow) Notify(ctx context.Context, o Order, st *State) (string, error) {
	if f.Confirm == ConfirmByShop && st.ShopNotified {
		return "confirmed by " + o.Source, nil
	}
	msg := Message{To: o.Customer.Email, Subject: "Your order " + o.ID + " has shipped",
		Body: fmt.Sprintf("Hello %s,\n\nyour order %s is on its way with %s, tracking number %s.\nTrack it at %s\n\nInvoice %s is attached to your account.\n",
			o.Customer.FirstName, o.ID, st.Carrier, st.TrackingNumber, st.TrackingURL, st.InvoiceNumber)}
	again, err := f.sendOnce(ctx, o.ID, msg)
	if err != nil {
		return "", err
	}
	detail := "sent to " + o.Customer.Email
	if again {
		detail = "already sent to " + o.Customer.Email
	}
	if f.Notes == nil || st.ContactID == "" {
		return detail, nil
	}
	note, err := f.Notes.Add(ctx, crm.Note{Body: msg.Subject + "\n\n" + msg.Body, About: []crm.Ref{{Type: crm.ContactObject, ID: st.ContactID}}},
		connector.WithIdempotencyKey(Key(o.ID, "crm-note")), st.keyIsNew())
	if err != nil {
		// The email went; a re-run finds it sent and only adds the note.
		return "", classify(err)
	}
	return detail + ", noted on contact " + st.ContactID + " (note " + note.ID + ")", nil
}

// mailSent is the journal's record of a confirmation handed to the mail
// server: mail has no idempotency key, so the journal is what keeps a
// re-run of the step (by this process or another sharing the journal,
// after the note failed) from mailing the customer again.
const mailSent = StepNotify + "-mail"

// sendOnce sends the order's confirmation unless the journal says it went,
// and records that it did. Only a process that dies between the mail
// server's answer and the record can send it twice (or one whose journal
// fails: as everywhere in the flow, a journal error costs the shortcut,
// never the order); the message's Message-ID, from the key, lets mail
// clients show it once.
func (f *Flow) sendOnce(ctx context.Context, orderID string, msg Message) (again bool, err error) {
	if _, sent, err := f.Journal.Step(ctx, orderID, mailSent); err == nil && sent {
		return true, nil
	}
	if again, err = f.Mail.Send(ctx, Key(orderID, StepNotify), msg); err != nil {
		return false, err
	}
	_ = f.Journal.RecordStep(ctx, orderID, StepResult{Step: mailSent, Detail: "sent to " + msg.To})
	return again, nil
}

// classify marks the vendor answers no retry will change as permanent.
func classify(err error) error {
	if errors.Is(err, connector.ErrValidation) || errors.Is(err, connector.ErrConflict) || errors.Is(err, connector.ErrForbidden) {
		return &PermanentError{Reason: err.Error()}
	}
	return err
}
