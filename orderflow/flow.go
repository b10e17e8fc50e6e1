package orderflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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
	Notes        crm.Notes // the shipping confirmation on the contact; optional

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
	// JournalMayBeLost makes every step look for what an earlier run made
	// before making it, even when the journal says the step never began.
	// Set it when the journal does not survive the crashes you care about
	// (a MemoryJournal across restarts). It costs a lookup for labels and
	// notes, the two writes whose vendors have no idempotency of their own.
	JournalMayBeLost bool

	skus sync.Map // SKU → inventory item id; a catalogue's ids do not change
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
	stepFailed  = "failed"
	// begun marks a step as started in the journal before it calls anyone,
	// so a re-run knows whether an earlier attempt may have made something.
	begun = ":begun"
)

// Key is the idempotency key of an order's step.
func Key(orderID, step string) string { return connector.DeriveKey("order", orderID, step) }

// permanent marks a failure no retry can fix: compensate and report.
type permanent struct{ reason string }

func (p *permanent) Error() string { return p.reason }

// Process runs an order through every step. An order the journal already
// finished is reported as it ended, without calling anyone.
//
// A step that fails for good is journaled as the order's failure before
// anything is undone, so that a run killed while compensating finishes the
// compensation when it runs again, rather than carrying on with the order.
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
	if failed, ok, _ := f.Journal.Step(ctx, o.ID, stepFailed); ok {
		for _, s := range f.steps() {
			if prev, ok, _ := f.Journal.Step(ctx, o.ID, s.name); ok {
				st.restore(s.name, prev.Detail)
			} else if _, began, _ := f.Journal.Step(ctx, o.ID, s.name+begun); began && s.name == StepStock {
				st.stockUnknown = true
			}
		}
		return f.fail(ctx, o, &st, res, failed.Detail)
	}
	for _, s := range f.steps() {
		if prev, ok, _ := f.Journal.Step(ctx, o.ID, s.name); ok {
			prev.AlreadyDone = true
			st.restore(s.name, prev.Detail)
			res.Steps = append(res.Steps, prev)
			continue
		}
		_, started, err := f.Journal.Step(ctx, o.ID, s.name+begun)
		if err == nil && !started {
			err = f.Journal.RecordStep(ctx, o.ID, StepResult{Step: s.name + begun})
		}
		// A key is known new only if the journal works, and says so.
		st.newKey = err == nil && !started && !f.JournalMayBeLost
		detail, err := s.run(ctx, o, &st)
		if err != nil {
			var p *permanent
			if !errors.As(err, &p) {
				// Transient (the vendor is down, the context ended): the
				// order stays open, and a re-run resumes it here.
				res.Status, res.Reason, res.Open = Failed, s.name+": "+err.Error(), true
				return res
			}
			reason := s.name + ": " + p.reason
			_ = f.Journal.RecordStep(ctx, o.ID, StepResult{Step: stepFailed, Detail: reason})
			return f.fail(ctx, o, &st, res, reason)
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

type step struct {
	name string
	run  func(context.Context, Order, *state) (string, error)
}

func (f *Flow) steps() []step {
	return []step{{StepCRM, f.recordOnCRM}, {StepStock, f.takeStock}, {StepInvoice, f.invoice}, {StepLabel, f.buyLabel}, {StepNotify, f.notify}}
}

// fail undoes what the order's steps did and reports it failed. Only a
// complete compensation ends the order: otherwise a re-run tries again.
func (f *Flow) fail(ctx context.Context, o Order, st *state, res Result, reason string) Result {
	res.Status, res.Reason = Failed, reason
	var complete bool
	res.Compensated, complete = f.compensate(ctx, o, st)
	if complete {
		_ = f.Journal.RecordOutcome(ctx, res)
	} else {
		res.Reason += " (not all undone yet: run again)"
		res.Open = true
	}
	return res
}

// state carries what steps made, for later steps and compensation.
type state struct {
	newKey                   bool // no earlier run began the current step
	contactID                string
	items                    map[string]string // sku → inventory item id
	stockTaken               bool
	stockUnknown             bool // a killed run began taking stock: done or not, unknown
	invoiceID, invoiceNumber string
	labelID, trackingNumber  string
	trackingURL, carrier     string
}

// restore takes back what a journaled step recorded in its detail.
func (s *state) restore(step, detail string) {
	switch step {
	case StepCRM:
		if id, _, ok := strings.Cut(strings.TrimPrefix(detail, "contact "), ","); ok {
			s.contactID = id
		}
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
func (f *Flow) recordOnCRM(ctx context.Context, o Order, st *state) (string, error) {
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
	st.contactID = contact.ID
	return "contact " + contact.ID + ", deal " + deal.ID, nil
}

// takeStock reserves every line in one adjustment, then checks that no
// level went below zero: two orders competing for the last unit cannot
// both win. If one did, the adjustment is undone and the order fails.
func (f *Flow) takeStock(ctx context.Context, o Order, st *state) (string, error) {
	st.items = map[string]string{}
	var changes []inventory.Change
	for _, l := range o.Lines {
		id, err := f.itemID(ctx, l.SKU)
		if err != nil {
			return "", err
		}
		st.items[l.SKU] = id
		changes = append(changes, inventory.Change{ItemID: id, LocationID: f.LocationID, Delta: -l.Quantity,
			Reason: "correction", Reference: "order://" + o.ID})
	}
	left, err := f.Stock.Adjust(ctx, changes, connector.WithIdempotencyKey(Key(o.ID, StepStock)))
	if err != nil {
		return "", classify(err)
	}
	st.stockTaken = true
	// What the adjustment left, as the vendor saw it then: a re-run under
	// the same key is told the same, whatever happened to stock since.
	for _, a := range left {
		if a.After < 0 {
			return "", &permanent{reason: "out of stock: " + skuOf(st.items, a.ItemID)}
		}
	}
	if len(o.Lines) == 1 {
		return "1 line reserved", nil
	}
	return fmt.Sprintf("%d lines reserved", len(o.Lines)), nil
}

func skuOf(items map[string]string, itemID string) string {
	for sku, id := range items {
		if id == itemID {
			return sku
		}
	}
	return itemID
}

// itemID finds the inventory item of a SKU, once per flow.
func (f *Flow) itemID(ctx context.Context, sku string) (string, error) {
	if id, ok := f.skus.Load(sku); ok {
		return id.(string), nil
	}
	it, err := f.Items.GetBySKU(ctx, sku)
	if errors.Is(err, connector.ErrNotFound) {
		return "", &permanent{reason: "unknown SKU " + sku}
	}
	if err != nil {
		return "", err
	}
	f.skus.Store(sku, it.ID)
	return it.ID, nil
}

// invoice issues the invoice, keyed by the order, with the order id as its
// reference. The customer goes with it by name and email: the accounting
// package finds or makes them, in the same call where the vendor allows.
func (f *Flow) invoice(ctx context.Context, o Order, st *state) (string, error) {
	cur, err := money.ParseCurr(o.Currency)
	if err != nil {
		return "", &permanent{reason: "unknown currency " + o.Currency}
	}
	inv := accounting.Invoice{Currency: o.Currency, Reference: o.ID,
		Customer:  &accounting.Customer{Name: o.Customer.Name() + " <" + o.Customer.Email + ">", Email: o.Customer.Email, Phone: o.Customer.Phone},
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

// buyLabel quotes and buys the rate the order's service level asks for.
// If an earlier run began this step, it first looks for the label that run
// may have bought under the same key: a re-quote gives new rates, so the
// purchase's own idempotency (per rate) cannot see it.
func (f *Flow) buyLabel(ctx context.Context, o Order, st *state) (string, error) {
	key := Key(o.ID, StepLabel)
	var label *shipping.Label
	if finder, ok := f.Labels.(shipping.LabelFinder); ok && !st.newKey {
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
		if label, err = f.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(key), st.keyIsNew()); err != nil {
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

// keyIsNew passes on what the journal knows about the step's key.
func (s *state) keyIsNew() connector.CallOption {
	if s.newKey {
		return connector.WithNewKey()
	}
	return nil
}

// notify sends the shipping confirmation, once, and notes it on the
// customer's CRM contact.
func (f *Flow) notify(ctx context.Context, o Order, st *state) (string, error) {
	msg := Message{To: o.Customer.Email, Subject: "Your order " + o.ID + " has shipped",
		Body: fmt.Sprintf("Hello %s,\n\nyour order %s is on its way with %s, tracking number %s.\nTrack it at %s\n\nInvoice %s is attached to your account.\n",
			o.Customer.FirstName, o.ID, strings.ReplaceAll(st.carrier, "_", " "), st.trackingNumber, st.trackingURL, st.invoiceNumber)}
	again, err := f.Mail.Send(ctx, Key(o.ID, StepNotify), msg)
	if err != nil {
		return "", err
	}
	detail := "sent to " + o.Customer.Email
	if again {
		detail = "already sent to " + o.Customer.Email
	}
	if f.Notes == nil || st.contactID == "" {
		return detail, nil
	}
	note, err := f.Notes.Add(ctx, crm.Note{Body: msg.Subject + "\n\n" + msg.Body, About: []crm.Ref{{Type: crm.ContactObject, ID: st.contactID}}},
		connector.WithIdempotencyKey(Key(o.ID, "crm-note")), st.keyIsNew())
	if err != nil {
		// The email went; a re-run finds it sent and only adds the note.
		return "", classify(err)
	}
	return detail + ", noted on contact " + st.contactID + " (note " + note.ID + ")", nil
}

// compensate undoes what earlier steps did, each undo under its own key,
// and says whether everything was undone.
func (f *Flow) compensate(ctx context.Context, o Order, st *state) (done []string, complete bool) {
	complete = true
	undo := func(what string, err error) {
		if err != nil {
			complete = false
			return
		}
		done = append(done, what)
	}
	if st.labelID != "" {
		_, err := f.Labels.Void(ctx, st.labelID, connector.WithIdempotencyKey(Key(o.ID, stepVoidLbl)))
		undo("label voided", err)
	}
	if st.invoiceID != "" {
		_, err := f.Invoices.Void(ctx, st.invoiceID, connector.WithIdempotencyKey(Key(o.ID, stepVoidInv)))
		undo("invoice voided", err)
	}
	if st.stockTaken || st.stockUnknown {
		undo("restocked", f.restock(ctx, o, st))
	}
	return done, complete
}

// restock puts back what the stock step took. If a killed run began that
// step, nobody knows whether its adjustment happened: it is made again
// under its own key first (a no-op if it did), so restocking adds back
// exactly what was taken.
func (f *Flow) restock(ctx context.Context, o Order, st *state) error {
	var take, give []inventory.Change
	for _, l := range o.Lines {
		id, err := f.itemID(ctx, l.SKU)
		var p *permanent
		if errors.As(err, &p) {
			return nil // an unknown SKU: the all-or-nothing adjustment never went
		}
		if err != nil {
			return err
		}
		take = append(take, inventory.Change{ItemID: id, LocationID: f.LocationID, Delta: -l.Quantity, Reason: "correction", Reference: "order://" + o.ID})
		give = append(give, inventory.Change{ItemID: id, LocationID: f.LocationID, Delta: l.Quantity, Reason: "restock", Reference: "order://" + o.ID})
	}
	if !st.stockTaken {
		if _, err := f.Stock.Adjust(ctx, take, connector.WithIdempotencyKey(Key(o.ID, StepStock))); err != nil {
			return err
		}
	}
	_, err := f.Stock.Adjust(ctx, give, connector.WithIdempotencyKey(Key(o.ID, stepRestock)))
	return err
}

// classify marks the vendor answers no retry will change as permanent.
func classify(err error) error {
	if errors.Is(err, connector.ErrValidation) || errors.Is(err, connector.ErrConflict) || errors.Is(err, connector.ErrForbidden) {
		return &permanent{reason: err.Error()}
	}
	return err
}
