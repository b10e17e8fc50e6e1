package orderflow

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

// Systems are what an order flows through, and the codes each needs.
type Systems struct {
	Contacts     crm.Contacts
	Deals        crm.Deals
	Associations crm.Associations

	Items      inventory.Items
	Stock      inventory.Stock
	LocationID string

	Customers   accounting.Customers
	Invoices    accounting.Invoices
	AccountCode string // revenue account for invoice lines
	TaxCode     string // sales tax code for invoice lines

	Rates    shipping.Rates
	Labels   shipping.Labels
	ShipFrom shipping.Address
	Parcel   shipping.Parcel

	Mail Mailer
}

// Flow processes orders.
type Flow struct {
	Systems
	Journal Journal
}

// Step names, which also name the idempotency keys.
const (
	StepCRM     = "crm"
	StepStock   = "stock"
	StepInvoice = "invoice"
	StepLabel   = "label"
	StepNotify  = "notify"
	stepRestock = "restock"
	stepVoidInv = "void-invoice"
	stepVoidLbl = "void-label"
)

// Key is the idempotency key of an order's step.
func Key(orderID, step string) string { return connector.DeriveKey("order", orderID, step) }

// permanent marks a failure no retry can fix: compensate and report.
type permanent struct{ reason string }

func (p *permanent) Error() string { return p.reason }

// Process runs an order through every step. An order the journal already
// finished is reported as it ended, without calling anyone.
func (f *Flow) Process(ctx context.Context, o Order) Result {
	if prev, err := f.Journal.Outcome(ctx, o.ID); err == nil && prev != nil {
		done := *prev
		for i := range done.Steps {
			done.Steps[i].AlreadyDone = true
		}
		return done
	}
	res := Result{OrderID: o.ID}
	var st state
	steps := []struct {
		name string
		run  func(context.Context, Order, *state) (string, error)
	}{
		{StepCRM, f.recordOnCRM},
		{StepStock, f.takeStock},
		{StepInvoice, f.invoice},
		{StepLabel, f.buyLabel},
		{StepNotify, f.notify},
	}
	for _, s := range steps {
		if prev, ok, _ := f.Journal.Step(ctx, o.ID, s.name); ok {
			prev.AlreadyDone = true
			st.restore(s.name, prev.Detail)
			res.Steps = append(res.Steps, prev)
			continue
		}
		detail, err := s.run(ctx, o, &st)
		if err != nil {
			var p *permanent
			if !errors.As(err, &p) {
				// Transient (the vendor is down, the context ended): the
				// order stays open, and a re-run resumes it here.
				res.Status, res.Reason = Failed, s.name+": "+err.Error()
				return res
			}
			res.Status, res.Reason = Failed, s.name+": "+p.reason
			res.Compensated = f.compensate(ctx, o, &st)
			_ = f.Journal.RecordOutcome(ctx, res)
			return res
		}
		r := StepResult{Step: s.name, Detail: detail}
		_ = f.Journal.RecordStep(ctx, o.ID, r)
		res.Steps = append(res.Steps, r)
	}
	res.Status = Done
	res.InvoiceNumber, res.TrackingNumber, res.TrackingURL = st.invoiceNumber, st.trackingNumber, st.trackingURL
	_ = f.Journal.RecordOutcome(ctx, res)
	return res
}

// state carries what steps made, for later steps and compensation.
type state struct {
	items                    map[string]string // sku → inventory item id
	stockTaken               bool
	invoiceID, invoiceNumber string
	labelID, trackingNumber  string
	trackingURL, carrier     string
}

// restore takes back what a journaled step recorded in its detail.
func (s *state) restore(step, detail string) {
	switch step {
	case StepStock:
		s.stockTaken = true
	case StepInvoice:
		s.invoiceID, s.invoiceNumber = fields2(detail)
	case StepLabel:
		parts := strings.Fields(detail)
		if len(parts) == 4 {
			s.labelID, s.carrier, s.trackingNumber, s.trackingURL = parts[0], parts[1], parts[2], parts[3]
		}
	}
}

func fields2(s string) (string, string) {
	a, b, _ := strings.Cut(s, " ")
	return a, b
}

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
		return money.Amount{}, &permanent{reason: "unknown currency " + o.Currency}
	}
	return money.NewAmountFromDecimal(cur, sum)
}

// recordOnCRM upserts the contact by email, records the order as a won deal
// (the key is the order), and links the two.
func (f *Flow) recordOnCRM(ctx context.Context, o Order, _ *state) (string, error) {
	contact, err := f.Contacts.Upsert(ctx, crm.Contact{Email: o.Customer.Email, FirstName: o.Customer.FirstName,
		LastName: o.Customer.LastName, Phone: o.Customer.Phone}, connector.WithIdempotencyKey(Key(o.ID, "crm-contact")))
	if err != nil {
		return "", classify(err)
	}
	amount, err := total(o)
	if err != nil {
		return "", err
	}
	deal, err := f.Deals.Create(ctx, crm.Deal{Name: "Order " + o.ID, Amount: &amount, Stage: "closedwon", Pipeline: "default",
		CloseDate: time.Now().UTC().Truncate(24 * time.Hour)}, connector.WithIdempotencyKey(Key(o.ID, "crm-deal")))
	if err != nil {
		return "", classify(err)
	}
	if err := f.Associations.Associate(ctx, crm.Ref{Type: crm.DealObject, ID: deal.ID}, crm.Ref{Type: crm.ContactObject, ID: contact.ID}); err != nil {
		return "", classify(err)
	}
	return "contact " + contact.ID + ", deal " + deal.ID, nil
}

// takeStock reserves every line in one adjustment, then checks that no
// level went below zero: two orders competing for the last unit cannot
// both win. If one did, the adjustment is undone and the order fails.
func (f *Flow) takeStock(ctx context.Context, o Order, st *state) (string, error) {
	st.items = map[string]string{}
	var changes []inventory.Change
	for _, l := range o.Lines {
		it, err := f.Items.GetBySKU(ctx, l.SKU)
		if errors.Is(err, connector.ErrNotFound) {
			return "", &permanent{reason: "unknown SKU " + l.SKU}
		}
		if err != nil {
			return "", err
		}
		st.items[l.SKU] = it.ID
		changes = append(changes, inventory.Change{ItemID: it.ID, LocationID: f.LocationID, Delta: -l.Quantity,
			Reason: "correction", Reference: "order://" + o.ID})
	}
	if err := f.Stock.Adjust(ctx, changes, connector.WithIdempotencyKey(Key(o.ID, StepStock))); err != nil {
		return "", classify(err)
	}
	st.stockTaken = true
	for _, l := range o.Lines {
		for lv, err := range f.Stock.Levels(ctx, inventory.LevelFilter{ItemIDs: []string{st.items[l.SKU]}, LocationIDs: []string{f.LocationID}}) {
			if err != nil {
				return "", err
			}
			if lv.Available < 0 {
				return "", &permanent{reason: fmt.Sprintf("out of stock: %s", l.SKU)}
			}
		}
	}
	if len(o.Lines) == 1 {
		return "1 line reserved", nil
	}
	return fmt.Sprintf("%d lines reserved", len(o.Lines)), nil
}

// invoice upserts the customer and issues the invoice, keyed by the order,
// with the order id as its reference.
func (f *Flow) invoice(ctx context.Context, o Order, st *state) (string, error) {
	cust, err := f.Customers.Upsert(ctx, accounting.Customer{Name: o.Customer.Name() + " <" + o.Customer.Email + ">",
		Email: o.Customer.Email, Phone: o.Customer.Phone})
	if err != nil {
		return "", classify(err)
	}
	cur, err := money.ParseCurr(o.Currency)
	if err != nil {
		return "", &permanent{reason: "unknown currency " + o.Currency}
	}
	inv := accounting.Invoice{CustomerID: cust.ID, Currency: o.Currency, Reference: o.ID,
		IssueDate: time.Now().UTC(), DueDate: time.Now().UTC().AddDate(0, 0, 14)}
	for _, l := range o.Lines {
		price, err := money.NewAmountFromDecimal(cur, l.UnitPrice)
		if err != nil {
			return "", &permanent{reason: "bad price for " + l.SKU}
		}
		inv.Lines = append(inv.Lines, accounting.Line{Description: l.Title + " (" + l.SKU + ")", Quantity: decimal.MustNew(int64(l.Quantity), 0),
			UnitPrice: price, AccountCode: f.AccountCode, TaxCode: f.TaxCode})
	}
	created, err := f.Invoices.Create(ctx, inv, connector.WithIdempotencyKey(Key(o.ID, StepInvoice)))
	if err != nil {
		return "", classify(err)
	}
	st.invoiceID, st.invoiceNumber = created.ID, created.Number
	return created.ID + " " + created.Number, nil
}

// buyLabel finds a label already bought for the order, or quotes and buys
// the rate its service level asks for.
func (f *Flow) buyLabel(ctx context.Context, o Order, st *state) (string, error) {
	key := Key(o.ID, StepLabel)
	var label *shipping.Label
	if finder, ok := f.Labels.(shipping.LabelFinder); ok {
		found, err := finder.FindByKey(ctx, key)
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
		if o.ServiceLevel == "express" {
			rate, ok = shipping.Fastest(rates)
		} else if !ok {
			rate, ok = shipping.Cheapest(rates)
		}
		if !ok {
			return "", &permanent{reason: "no carrier serves this address"}
		}
		if label, err = f.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(key)); err != nil {
			return "", classify(err)
		}
	}
	st.labelID, st.carrier, st.trackingNumber, st.trackingURL = label.ID, strings.ReplaceAll(label.Carrier, " ", "_"), label.TrackingNumber, label.TrackingURL
	return strings.Join([]string{st.labelID, st.carrier, st.trackingNumber, orDash(st.trackingURL)}, " "), nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// notify sends the shipping confirmation, once.
func (f *Flow) notify(ctx context.Context, o Order, st *state) (string, error) {
	msg := Message{To: o.Customer.Email, Subject: "Your order " + o.ID + " has shipped",
		Body: fmt.Sprintf("Hello %s,\n\nyour order %s is on its way with %s, tracking number %s.\nTrack it at %s\n\nInvoice %s is attached to your account.\n",
			o.Customer.FirstName, o.ID, strings.ReplaceAll(st.carrier, "_", " "), st.trackingNumber, st.trackingURL, st.invoiceNumber)}
	again, err := f.Mail.Send(ctx, Key(o.ID, StepNotify), msg)
	if err != nil {
		return "", err
	}
	if again {
		return "already sent to " + o.Customer.Email, nil
	}
	return "sent to " + o.Customer.Email, nil
}

// compensate undoes what earlier steps did, each undo under its own key.
func (f *Flow) compensate(ctx context.Context, o Order, st *state) []string {
	var done []string
	if st.labelID != "" {
		if _, err := f.Labels.Void(ctx, st.labelID, connector.WithIdempotencyKey(Key(o.ID, stepVoidLbl))); err == nil {
			done = append(done, "label voided")
		}
	}
	if st.invoiceID != "" {
		if _, err := f.Invoices.Void(ctx, st.invoiceID, connector.WithIdempotencyKey(Key(o.ID, stepVoidInv))); err == nil {
			done = append(done, "invoice voided")
		}
	}
	if st.stockTaken {
		var changes []inventory.Change
		for _, l := range o.Lines {
			id := st.items[l.SKU]
			if id == "" { // the stock step ran in an earlier process
				if it, err := f.Items.GetBySKU(ctx, l.SKU); err == nil {
					id = it.ID
				}
			}
			changes = append(changes, inventory.Change{ItemID: id, LocationID: f.LocationID, Delta: l.Quantity,
				Reason: "restock", Reference: "order://" + o.ID})
		}
		if err := f.Stock.Adjust(ctx, changes, connector.WithIdempotencyKey(Key(o.ID, stepRestock))); err == nil {
			done = append(done, "restocked")
		}
	}
	return done
}

// classify marks the vendor answers no retry will change as permanent.
func classify(err error) error {
	if errors.Is(err, connector.ErrValidation) || errors.Is(err, connector.ErrConflict) || errors.Is(err, connector.ErrForbidden) {
		return &permanent{reason: err.Error()}
	}
	return err
}
