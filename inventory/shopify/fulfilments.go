package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// The documents FulfilmentsService sends. Each validates against the Admin
// schema (see TestConformanceOrdersContract), but for @idempotent, which
// the saved schemas predate.
const (
	fulfillmentFields = `id legacyResourceId status trackingInfo(first: 1) { company number url }`

	// An order has a fulfillment order per location it ships from, and a
	// new one when a fulfillment is cancelled or an order edited. The page
	// sizes are what the query asks of the shop's bucket before it runs
	// (about 30 points here; at 50 each it was 110, more than the rest of
	// an order's Shopify calls together, and the soak's orders waited on
	// it): an order shipped whole from one place, cancelled and shipped
	// again a few times, fits in 10.
	queryFulfilmentState = `query FulfilmentState($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 10) { nodes { id status assignedLocation { location { id } } } }
    fulfillments(first: 10) { ` + fulfillmentFields + ` }
  }
}`

	mutationFulfil = `mutation Fulfil($fulfillment: FulfillmentInput!, $key: String!) {
  fulfillmentCreate(fulfillment: $fulfillment) @idempotent(key: $key) {
    fulfillment { ` + fulfillmentFields + ` }
    userErrors { field message }
  }
}`

	mutationCancelFulfillment = `mutation CancelFulfillment($id: ID!) {
  fulfillmentCancel(id: $id) {
    fulfillment { id status }
    userErrors { field message }
  }
}`

	queryFulfillmentStatus = `query FulfillmentStatus($id: ID!) {
  fulfillment(id: $id) { id status }
}`
)

// FulfilmentsService tells the shop that an order shipped, and takes it
// back: inventory.Fulfilments, on the order's fulfillment orders. It needs
// the write_merchant_managed_fulfillment_orders scope (and
// read_merchant_managed_fulfillment_orders to see them) for a shop's own
// locations.
// https://shopify.dev/docs/apps/build/orders-fulfillment/order-management-apps/manage-fulfillments
type FulfilmentsService struct{ g *graphQL }

// Fulfil records that the whole order shipped with s's carrier and
// tracking number: one fulfillmentCreate over the order's open fulfillment
// orders, with notifyCustomer = s.Notify (Shopify then sends its shipping
// confirmation, so Notified is s.Notify). s.Carrier goes as Shopify's
// tracking company: a name from its list ("USPS", "UPS", "DHL Express")
// makes the number a link.
//
// The mutation carries @idempotent(key:), the caller's key or a fresh one,
// so that the client's own retry after a lost answer is answered with the
// fulfillment first made. A later call finds that fulfillment itself: the
// order is read first, and a fulfillment of it with the same tracking
// number that is not cancelled is returned as it is, without a mutation
// (its fulfillment orders are closed by then, so a second fulfillmentCreate
// would be refused, or be a different request under the same key). The
// order is read with or without connector.WithNewKey: its open fulfillment
// orders are what the mutation needs.
//
// An unknown order is connector.ErrNotFound; one with nothing left to
// fulfil (shipped under another tracking number, on hold, cancelled) is
// connector.ErrConflict; one that ships from several locations is
// connector.ErrValidation, as one tracking number cannot cover two
// parcels from two places.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCreate
// https://shopify.dev/docs/api/admin-graphql/latest/objects/FulfillmentOrder
// https://shopify.dev/docs/api/usage/idempotent-requests
func (s *FulfilmentsService) Fulfil(ctx context.Context, orderID string, sh inventory.Shipment, opts ...connector.CallOption) (*inventory.Fulfilment, error) {
	if strings.TrimSpace(sh.TrackingNumber) == "" {
		return nil, &connector.APIError{Vendor: "shopify", Op: "Fulfil", Kind: connector.ErrValidation, Message: "a tracking number is needed"}
	}
	gid, err := orderGID(orderID)
	if err != nil {
		return nil, err
	}
	st, err := s.state(ctx, gid, orderID)
	if err != nil {
		return nil, err
	}
	if f := st.shipped(sh.TrackingNumber); f != nil {
		return f.fulfilment(orderID, sh.Notify), nil
	}
	open, err := st.open(orderID)
	if err != nil {
		return nil, err
	}
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	if key == "" {
		key = connector.NewKey()
	}
	byOrder := make([]map[string]any, len(open))
	for i, id := range open {
		// No line items: each fulfillment order is fulfilled whole.
		byOrder[i] = map[string]any{"fulfillmentOrderId": id}
	}
	input := map[string]any{"lineItemsByFulfillmentOrder": byOrder, "notifyCustomer": sh.Notify,
		"trackingInfo": map[string]any{"company": nilIfEmpty(sh.Carrier), "number": sh.TrackingNumber, "url": nilIfEmpty(sh.TrackingURL)}}
	var data struct {
		FulfillmentCreate struct {
			Fulfillment json.RawMessage `json:"fulfillment"`
			UserErrors  []userError     `json:"userErrors"`
		} `json:"fulfillmentCreate"`
	}
	// The key makes the mutation safe for the connector to retry.
	if err := s.g.do(ctx, "Fulfil", mutationFulfil, map[string]any{"fulfillment": input, "key": key}, &data,
		connector.WithIdempotencyKey(key)); err != nil {
		return nil, err
	}
	if err := userErrorsError("Fulfil", data.FulfillmentCreate.UserErrors, s.g.c.Redact); err != nil {
		return nil, err
	}
	f, err := decodeFulfillment(data.FulfillmentCreate.Fulfillment)
	if err != nil {
		return nil, err
	}
	return f.fulfilment(orderID, sh.Notify), nil
}

// Cancel cancels the fulfillment (fulfillmentCancel): its fulfillment
// orders open again, and the order can be fulfilled anew. fulfilmentID is
// the Fulfilment's ID (the numeric id, or the global id); Shopify needs no
// order id to find it. A fulfillment already cancelled is no error: when
// Shopify refuses the cancel, the fulfillment's status decides. An unknown
// fulfillment is connector.ErrNotFound. Cancelling twice undoes nothing
// more, so a lost answer is sent again.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCancel
func (s *FulfilmentsService) Cancel(ctx context.Context, _, fulfilmentID string, opts ...connector.CallOption) error {
	gid, err := fulfillmentGID(fulfilmentID)
	if err != nil {
		return err
	}
	var data struct {
		FulfillmentCancel struct {
			Fulfillment *fulfillmentWire `json:"fulfillment"`
			UserErrors  []userError      `json:"userErrors"`
		} `json:"fulfillmentCancel"`
	}
	opts = append(opts, connector.WithReplayable())
	if err := s.g.do(ctx, "CancelFulfillment", mutationCancelFulfillment, map[string]any{"id": gid}, &data, opts...); err != nil {
		return err
	}
	if len(data.FulfillmentCancel.UserErrors) == 0 {
		return nil
	}
	// Refused: fine if it is cancelled already (a second Cancel, or the
	// first one's lost answer sent again).
	var status struct {
		Fulfillment *fulfillmentWire `json:"fulfillment"`
	}
	if err := s.g.do(ctx, "FulfillmentStatus", queryFulfillmentStatus, map[string]any{"id": gid}, &status); err != nil {
		return err
	}
	switch {
	case status.Fulfillment == nil:
		return &connector.APIError{Vendor: "shopify", Op: "CancelFulfillment", Kind: connector.ErrNotFound, Message: "no fulfillment " + fulfilmentID}
	case status.Fulfillment.Status == "CANCELLED":
		return nil
	}
	return userErrorsError("CancelFulfillment", data.FulfillmentCancel.UserErrors, s.g.c.Redact)
}

// fulfilmentState is what Fulfil reads of an order first.
type fulfilmentState struct {
	FulfillmentOrders struct {
		Nodes []struct {
			ID               string `json:"id"`
			Status           string `json:"status"`
			AssignedLocation struct {
				Location *struct {
					ID string `json:"id"`
				} `json:"location"`
			} `json:"assignedLocation"`
		} `json:"nodes"`
	} `json:"fulfillmentOrders"`
	Fulfillments []json.RawMessage `json:"fulfillments"`
}

func (s *FulfilmentsService) state(ctx context.Context, gid, orderID string) (*fulfilmentState, error) {
	var data struct {
		Order *fulfilmentState `json:"order"`
	}
	if err := s.g.do(ctx, "FulfilmentState", queryFulfilmentState, map[string]any{"id": gid}, &data); err != nil {
		return nil, err
	}
	if data.Order == nil {
		return nil, &connector.APIError{Vendor: "shopify", Op: "Fulfil", Kind: connector.ErrNotFound, Message: "no order " + orderID}
	}
	return data.Order, nil
}

// shipped is the order's fulfillment under number that still stands
// (not cancelled, not failed), or nil.
func (st *fulfilmentState) shipped(number string) *fulfillmentWire {
	for _, raw := range st.Fulfillments {
		f, err := decodeFulfillment(raw)
		if err != nil || f.Status == "CANCELLED" || f.Status == "ERROR" || f.Status == "FAILURE" {
			continue
		}
		for _, t := range f.TrackingInfo {
			if str(t.Number) == number {
				return f
			}
		}
	}
	return nil
}

// open returns the ids of the fulfillment orders that can be fulfilled
// now: OPEN, or IN_PROGRESS (partly fulfilled). They must share one
// location, as fulfillmentCreate requires.
// https://shopify.dev/docs/api/admin-graphql/latest/enums/FulfillmentOrderStatus
func (st *fulfilmentState) open(orderID string) ([]string, error) {
	var ids []string
	locations := map[string]bool{}
	for _, n := range st.FulfillmentOrders.Nodes {
		if n.Status != "OPEN" && n.Status != "IN_PROGRESS" {
			continue
		}
		ids = append(ids, n.ID)
		if l := n.AssignedLocation.Location; l != nil {
			locations[l.ID] = true
		}
	}
	switch {
	case len(ids) == 0:
		return nil, &connector.APIError{Vendor: "shopify", Op: "Fulfil", Kind: connector.ErrConflict,
			Message: "order " + orderID + " has nothing left to fulfil: shipped under another tracking number, on hold or cancelled"}
	case len(locations) > 1:
		return nil, &connector.APIError{Vendor: "shopify", Op: "Fulfil", Kind: connector.ErrValidation,
			Message: fmt.Sprintf("order %s ships from %d locations: one tracking number cannot cover it", orderID, len(locations))}
	}
	return ids, nil
}

// fulfillmentWire is the part of a Fulfillment the connector reads.
// https://shopify.dev/docs/api/admin-graphql/latest/objects/Fulfillment
type fulfillmentWire struct {
	ID               string `json:"id"`
	LegacyResourceID string `json:"legacyResourceId"`
	Status           string `json:"status"`
	TrackingInfo     []struct {
		Company *string `json:"company"`
		Number  *string `json:"number"`
		URL     *string `json:"url"`
	} `json:"trackingInfo"`

	raw json.RawMessage // as Shopify sent it
}

func decodeFulfillment(raw json.RawMessage) (*fulfillmentWire, error) {
	var f fulfillmentWire
	if err := json.Unmarshal(raw, &f); err != nil || f.ID == "" {
		return nil, &connector.APIError{Vendor: "shopify", Op: "Fulfil", Kind: connector.ErrInvalidResponse, Message: "no fulfillment in the answer"}
	}
	f.raw = raw
	return &f, nil
}

// fulfilment is f as the inventory contract names it: ID is the numeric
// id, as the order's is.
func (f *fulfillmentWire) fulfilment(orderID string, notified bool) *inventory.Fulfilment {
	out := &inventory.Fulfilment{ID: f.LegacyResourceID, OrderID: orderID, Notified: notified, Raw: f.raw}
	if out.ID == "" {
		out.ID = f.ID
	}
	if len(f.TrackingInfo) > 0 {
		out.Carrier, out.TrackingNumber = str(f.TrackingInfo[0].Company), str(f.TrackingInfo[0].Number)
	}
	return out
}

// fulfillmentGID is the global id of a fulfillment named by its numeric
// id or its global id.
func fulfillmentGID(id string) (string, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(id, "gid://shopify/Fulfillment/"), 10, 63)
	if err != nil || n == 0 {
		return "", &connector.APIError{Vendor: "shopify", Op: "CancelFulfillment", Kind: connector.ErrValidation,
			Message: fmt.Sprintf("fulfillment id %q is not Shopify's", id)}
	}
	return "gid://shopify/Fulfillment/" + strconv.FormatUint(n, 10), nil
}
