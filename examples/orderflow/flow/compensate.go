package flow

import (
	"context"
	"fmt"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// compensate undoes what earlier steps did, each undo under its own key,
// and says whether everything was undone.
func (f *Flow) compensate(ctx context.Context, o Order, st *State) (done []string, complete bool) {
	complete = true
	undo := func(what string, err error) {
		if err != nil {
			complete = false
			return
		}
		done = append(done, what)
	}
	if st.FulfilmentID != "" {
		undo("fulfilment cancelled at "+o.Source, f.Unfulfil(ctx, o, st))
	}
	if st.LabelID != "" {
		undo("label voided", f.VoidLabel(ctx, o, st))
	}
	if st.InvoiceID != "" {
		undo("invoice voided", f.VoidInvoice(ctx, o, st))
	}
	if st.StockTaken || st.StockUnknown {
		undo("restocked", f.Restock(ctx, o, st))
	}
	return done, complete
}

// Unfulfil takes back what the platform was told: the order is open
// there again.
func (f *Flow) Unfulfil(ctx context.Context, o Order, st *State) error {
	shop := f.Shops[o.Source]
	if shop == nil {
		return fmt.Errorf("the order was fulfilled at %s, which this flow is no longer given (Systems.Shops)", o.Source)
	}
	return shop.Cancel(ctx, o.PlatformID(), st.FulfilmentID, connector.WithIdempotencyKey(Key(o.ID, stepUnfulfil)))
}

// VoidLabel asks the carrier to refund the order's label.
func (f *Flow) VoidLabel(ctx context.Context, o Order, st *State) error {
	_, err := f.Labels.Void(ctx, st.LabelID, connector.WithIdempotencyKey(Key(o.ID, stepVoidLbl)))
	return err
}

// VoidInvoice cancels the order's invoice.
func (f *Flow) VoidInvoice(ctx context.Context, o Order, st *State) error {
	_, err := f.Invoices.Void(ctx, st.InvoiceID, connector.WithIdempotencyKey(Key(o.ID, stepVoidInv)))
	return err
}

// Restock puts back what the stock step took. If a killed run began that
// step, nobody knows whether its adjustment happened: it is made again
// under its own key first (a no-op if it did), so restocking adds back
// exactly what was taken.
func (f *Flow) Restock(ctx context.Context, o Order, st *State) error {
	var take, give []inventory.Change
	for _, l := range o.Lines {
		id, err := f.itemID(ctx, l.SKU)
		if _, permanent := IsPermanent(err); permanent {
			return nil // an unknown SKU: the all-or-nothing adjustment never went
		}
		if err != nil {
			return err
		}
		take = append(take, inventory.Change{ItemID: id, LocationID: f.LocationID, Delta: -l.Quantity, Reason: "correction", Reference: "order://" + o.ID})
		give = append(give, inventory.Change{ItemID: id, LocationID: f.LocationID, Delta: l.Quantity, Reason: "restock", Reference: "order://" + o.ID})
	}
	if !st.StockTaken {
		if _, err := f.Stock.Adjust(ctx, take, connector.WithIdempotencyKey(Key(o.ID, StepStock))); err != nil {
			return err
		}
	}
	_, err := f.Stock.Adjust(ctx, give, connector.WithIdempotencyKey(Key(o.ID, stepRestock)))
	return err
}
