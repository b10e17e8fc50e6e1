package flow

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/shipping"
)

// Systems are what an order flows through, and the codes each needs.
type Systems struct {
	Contacts crm.Contacts
	Deals    crm.Deals
	Notes    crm.Notes // the shipping confirmation on the contact; optional
	// Sales, where the CRM has it, records the contact and the deal in one
	// round trip, all or nothing (Salesforce's Composite API); optional.
	Sales crm.SaleRecorder

	Items      inventory.Items
	Stock      inventory.Stock
	LocationID string
	// Inventory names the platform Items and Stock are on ("shopify").
	// An order placed on that same platform had its stock taken there at
	// checkout: the flow checks it instead of taking it a second time.
	Inventory string
	// Shops tells each platform orders are placed on (by Order.Source)
	// that its orders shipped; a platform not here is not told.
	Shops map[string]inventory.Fulfilments

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
	// Telemetry, when set, reports orders and steps (NewTelemetry).
	Telemetry *Telemetry
	// Confirm says who sends the customer the shipping confirmation.
	Confirm Confirm

	skus       sync.Map           // SKU → inventory item id; a catalogue's ids do not change
	skuLookups singleflight.Group // one lookup per SKU at a time, however many orders want it
}

// Step names, which also name the idempotency keys.
const (
	StepCRM      = "crm"
	StepStock    = "stock"
	StepInvoice  = "invoice"
	StepLabel    = "label"
	StepFulfil   = "fulfil"
	StepNotify   = "notify"
	stepRestock  = "restock"
	stepVoidInv  = "void-invoice"
	stepVoidLbl  = "void-label"
	stepUnfulfil = "cancel-fulfilment"
	stepFailed   = "failed"
	// begun marks a step as started in the journal before it calls anyone,
	// so a re-run knows whether an earlier attempt may have made something.
	begun = ":begun"
)

// Confirm says who sends the customer the shipping confirmation.
type Confirm int

const (
	// ConfirmByMail: the flow's own mail (Systems.Mail); the platform is
	// told the order shipped without mailing the customer. The default.
	ConfirmByMail Confirm = iota
	// ConfirmByShop: the platform's own confirmation, with its branding
	// and tracking page, where it sends one (Shopify); the flow's mail
	// where it does not (Square) or for an order from no platform.
	ConfirmByShop
	// ConfirmByBoth: both.
	ConfirmByBoth
)

// Key is the idempotency key of an order's step.
func Key(orderID, step string) string { return connector.DeriveKey("order", orderID, step) }

// PermanentError is a failure no retry can fix (out of stock, an address
// no carrier serves, a vendor's validation error): the order is failed and
// what earlier steps did is undone.
type PermanentError struct{ Reason string }

func (p *PermanentError) Error() string { return p.Reason }

// IsPermanent says whether err is a PermanentError, and gives its reason.
func IsPermanent(err error) (reason string, ok bool) {
	var p *PermanentError
	if errors.As(err, &p) {
		return p.Reason, true
	}
	return "", false
}

// Process runs an order through every step. An order the journal already
// finished is reported as it ended, without calling anyone.
//
// A step that fails for good is journaled as the order's failure before
// anything is undone, so that a run killed while compensating finishes the
// compensation when it runs again, rather than carrying on with the order.
func (f *Flow) Process(ctx context.Context, o Order) Result {
	start := time.Now()
	ctx, span := f.Telemetry.startOrder(ctx, o)
	res := f.process(ctx, o)
	f.Telemetry.endOrder(ctx, span, res, time.Since(start))
	return res
}

func (f *Flow) process(ctx context.Context, o Order) Result {
	if prev, err := f.Journal.Outcome(ctx, o.ID); err == nil && prev != nil {
		done := *prev
		for i := range done.Steps {
			done.Steps[i].AlreadyDone = true
		}
		return done
	}
	res := Result{OrderID: o.ID}
	var st State
	if failed, ok, _ := f.Journal.Step(ctx, o.ID, stepFailed); ok {
		for _, s := range f.steps() {
			if prev, ok, _ := f.Journal.Step(ctx, o.ID, s.name); ok {
				st.resume(prev)
			} else if _, began, _ := f.Journal.Step(ctx, o.ID, s.name+begun); began && s.name == StepStock {
				st.StockUnknown = true
			}
		}
		return f.fail(ctx, o, &st, res, failed.Detail)
	}
	for _, s := range f.steps() {
		if prev, ok, _ := f.Journal.Step(ctx, o.ID, s.name); ok {
			st.resume(prev)
			prev.AlreadyDone, prev.State = true, nil
			res.Steps = append(res.Steps, prev)
			continue
		}
		began, started, err := f.Journal.Step(ctx, o.ID, s.name+begun)
		now := time.Now().UTC()
		if err == nil && !started {
			began = StepResult{Step: s.name + begun, Detail: now.Format(time.RFC3339Nano)}
			err = f.Journal.RecordStep(ctx, o.ID, began)
		}
		if err != nil {
			// A step begun off the record could later be taken for new,
			// and its keyed writes not looked for: it waits for the journal.
			res.Status, res.Reason, res.Open, res.Err = Failed, s.name+": the journal: "+err.Error(), true, err
			return res
		}
		st.NewKey = !started && !f.JournalMayBeLost
		st.StepBegan = time.Time{} // unknown: lookups read everything
		if at, perr := time.Parse(time.RFC3339Nano, began.Detail); perr == nil && !f.JournalMayBeLost {
			st.StepBegan = at
		}
		stepCtx, span := f.Telemetry.startStep(ctx, s.name)
		detail, err := s.run(stepCtx, o, &st)
		f.Telemetry.endStep(span, err)
		if err != nil {
			why, permanent := IsPermanent(err)
			if !permanent {
				// Transient (the vendor is down, the context ended): the
				// order stays open, and a re-run resumes it here.
				res.Status, res.Reason, res.Open, res.Err = Failed, s.name+": "+err.Error(), true, err
				return res
			}
			reason := s.name + ": " + why
			_ = f.Journal.RecordStep(ctx, o.ID, StepResult{Step: stepFailed, Detail: reason})
			return f.fail(ctx, o, &st, res, reason)
		}
		_ = f.Journal.RecordStep(ctx, o.ID, StepResult{Step: s.name, Detail: detail, State: st.snapshot()})
		res.Steps = append(res.Steps, StepResult{Step: s.name, Detail: detail})
	}
	res.Status = Done
	res.InvoiceNumber, res.TrackingNumber, res.TrackingURL = st.InvoiceNumber, st.TrackingNumber, st.TrackingURL
	_ = f.Journal.RecordOutcome(ctx, res)
	return res
}

type step struct {
	name string
	run  func(context.Context, Order, *State) (string, error)
}

func (f *Flow) steps() []step {
	return []step{{StepCRM, f.RecordOnCRM}, {StepStock, f.TakeStock}, {StepInvoice, f.Invoice}, {StepLabel, f.BuyLabel},
		{StepFulfil, f.Fulfil}, {StepNotify, f.Notify}}
}

// fail undoes what the order's steps did and reports it failed. Only a
// complete compensation ends the order: otherwise a re-run tries again.
func (f *Flow) fail(ctx context.Context, o Order, st *State, res Result, reason string) Result {
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
