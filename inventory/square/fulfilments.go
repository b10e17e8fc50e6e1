package square

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// FulfilmentsService records shipments on orders: an order's SHIPMENT
// fulfillment, moved to COMPLETED ("the package has been shipped") with
// the carrier and tracking number, through UpdateOrder.
// https://developer.squareup.com/docs/orders-api/fulfillments
type FulfilmentsService struct {
	c      *connector.Client
	orders *OrdersService
}

// versionRetries bounds the re-reads of an order another change moved on
// between the read and the update (VERSION_MISMATCH).
const versionRetries = 3

// Fulfil records that the whole order shipped: the order's open SHIPMENT
// fulfillment (PROPOSED, RESERVED or PREPARED) is set COMPLETED with
// shipment_details.carrier, tracking_number and tracking_url. An order
// whose shipment was canceled gets a new SHIPMENT fulfillment, COMPLETED,
// to the same recipient with the same shipping type. The Fulfilment's ID
// is the fulfillment's uid.
//
// UpdateOrder needs the order's current version and takes an
// idempotency_key: the caller's key (connector.WithIdempotencyKey) or a
// new one. Square answers a repeated key with the order as it is now, so a
// retry after a lost answer records nothing twice; and a re-run under the
// key finds the fulfillment COMPLETED with this tracking number and
// returns it without writing. An order already shipped with another
// tracking number is ErrConflict; an unknown order ErrNotFound. If the
// order changed between the read and the write (VERSION_MISMATCH; Square
// itself bumps an order's version after a payment), it is read again, up
// to 3 times.
//
// Notified is false: the Orders API has no switch to send the customer
// Square's shipping confirmation, and Square documents none sent for an
// update through the API (Square Online sends its own when the seller
// marks an order shipped in its dashboard), so Shipment.Notify is not
// honoured and the flow's own mail is what the customer gets.
// https://developer.squareup.com/reference/square/orders-api/update-order
// https://developer.squareup.com/docs/orders-api/manage-orders/update-orders
// https://developer.squareup.com/docs/working-with-apis/optimistic-concurrency
func (s *FulfilmentsService) Fulfil(ctx context.Context, orderID string, sh inventory.Shipment, opts ...connector.CallOption) (*inventory.Fulfilment, error) {
	if sh.TrackingNumber == "" || sh.Carrier == "" {
		return nil, connector.InvalidInput("square", "fulfilments.fulfil", "a carrier and a tracking number are needed")
	}
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	if key == "" {
		key = connector.NewKey()
	}
	for attempt := 1; ; attempt++ {
		w, raw, err := s.orders.get(ctx, orderID)
		if err != nil {
			return nil, err
		}
		if f := shipped(w, sh.TrackingNumber); f != nil {
			return fulfilment(w.ID, f, raw), nil // done before: a re-run under the key
		}
		target := w.shipment()
		change := map[string]any{"state": "COMPLETED"}
		details := map[string]any{"carrier": sh.Carrier, "tracking_number": sh.TrackingNumber}
		if sh.TrackingURL != "" {
			details["tracking_url"] = sh.TrackingURL
		}
		switch {
		case target != nil && open(target.State):
			change["uid"] = target.UID
		case target != nil && target.State == "COMPLETED":
			return nil, &connector.APIError{Vendor: "square", Op: "fulfilments.fulfil", Kind: connector.ErrConflict,
				Message: "order " + w.ID + " was shipped already (fulfillment " + target.UID + ", tracking " + trackingOf(target) + ")"}
		default:
			// No shipment, or only canceled or failed ones: a new one, to
			// whom and how the last one was to go.
			change["type"] = "SHIPMENT"
			if target != nil && target.ShipmentDetails != nil {
				if r := target.ShipmentDetails.Recipient; r != nil {
					details["recipient"] = r
				}
				if t := target.ShipmentDetails.ShippingType; t != "" {
					details["shipping_type"] = t
				}
			}
		}
		change["shipment_details"] = details
		updated, updatedRaw, err := s.update(ctx, "fulfilments.fulfil", w, change, key)
		if isVersionMismatch(err) && attempt < versionRetries {
			continue
		}
		if err != nil {
			return nil, err
		}
		if f := shipped(updated, sh.TrackingNumber); f != nil {
			return fulfilment(updated.ID, f, updatedRaw), nil
		}
		return nil, &connector.APIError{Vendor: "square", Op: "fulfilments.fulfil", Kind: connector.ErrInvalidResponse,
			Message: "the updated order " + w.ID + " has no completed shipment with tracking number " + sh.TrackingNumber}
	}
}

// shipped is the order's COMPLETED SHIPMENT fulfillment with the tracking
// number, or nil.
func shipped(w *orderWire, tracking string) *fulfillmentWire {
	for i := range w.Fulfillment {
		f := &w.Fulfillment[i]
		if f.Type == "SHIPMENT" && f.State == "COMPLETED" && trackingOf(f) == tracking {
			return f
		}
	}
	return nil
}

func trackingOf(f *fulfillmentWire) string {
	if f.ShipmentDetails == nil {
		return ""
	}
	return f.ShipmentDetails.TrackingNumber
}

// fulfilment is f as an inventory.Fulfilment, its Raw the fulfillment as
// Square sent it in orderRaw.
func fulfilment(orderID string, f *fulfillmentWire, orderRaw json.RawMessage) *inventory.Fulfilment {
	var o struct {
		Fulfillments []json.RawMessage `json:"fulfillments"`
	}
	var raw json.RawMessage
	if json.Unmarshal(orderRaw, &o) == nil {
		for _, r := range o.Fulfillments {
			var u struct {
				UID string `json:"uid"`
			}
			if json.Unmarshal(r, &u) == nil && u.UID == f.UID {
				raw = r
			}
		}
	}
	out := &inventory.Fulfilment{ID: f.UID, OrderID: orderID, TrackingNumber: trackingOf(f), Raw: raw}
	if f.ShipmentDetails != nil {
		out.Carrier = f.ShipmentDetails.Carrier
	}
	return out
}

func isVersionMismatch(err error) bool {
	var e *connector.APIError
	return errors.As(err, &e) && e.Code == "VERSION_MISMATCH"
}

// Cancel sets the fulfillment with the uid CANCELED ("the shipment has
// been canceled"), which leaves the order open and unshipped: a later
// Fulfil adds a new shipment. Square lets only an OPEN order be updated:
// an order Square or the seller completed (or canceled) cannot have its
// fulfillment canceled, and Square's refusal is returned. Canceling a
// canceled fulfillment is no error; an unknown one is ErrNotFound. Keyed
// as Fulfil is.
// https://developer.squareup.com/docs/orders-api/fulfillments
func (s *FulfilmentsService) Cancel(ctx context.Context, orderID, fulfilmentID string, opts ...connector.CallOption) error {
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	if key == "" {
		key = connector.NewKey()
	}
	for attempt := 1; ; attempt++ {
		w, _, err := s.orders.get(ctx, orderID)
		if err != nil {
			return err
		}
		var f *fulfillmentWire
		for i := range w.Fulfillment {
			if w.Fulfillment[i].UID == fulfilmentID {
				f = &w.Fulfillment[i]
			}
		}
		switch {
		case f == nil:
			return &connector.APIError{Vendor: "square", Op: "fulfilments.cancel", Kind: connector.ErrNotFound,
				Message: "order " + orderID + " has no fulfillment " + fulfilmentID}
		case f.State == "CANCELED":
			return nil
		}
		change := map[string]any{"uid": f.UID, "state": "CANCELED",
			"shipment_details": map[string]any{"cancel_reason": "Canceled by the shipping flow"}}
		_, _, err = s.update(ctx, "fulfilments.cancel", w, change, key)
		if isVersionMismatch(err) && attempt < versionRetries {
			continue
		}
		return err
	}
}

// update sends UpdateOrder with a sparse order: the version read and the
// one fulfillment changed, under key.
func (s *FulfilmentsService) update(ctx context.Context, op string, w *orderWire, fulfillment map[string]any, key string) (*orderWire, json.RawMessage, error) {
	req := map[string]any{
		"order": map[string]any{"location_id": w.LocationID, "version": w.Version,
			"fulfillments": []any{fulfillment}},
		"idempotency_key": key,
	}
	var resp struct {
		Order json.RawMessage `json:"order"`
	}
	if err := s.c.JSON(ctx, http.MethodPut, "/v2/orders/"+url.PathEscape(w.ID), req, &resp,
		connector.WithOperation(op), connector.WithIdempotencyKey(key)); err != nil {
		return nil, nil, err
	}
	updated, err := decodeOrder(resp.Order)
	return updated, resp.Order, err
}
