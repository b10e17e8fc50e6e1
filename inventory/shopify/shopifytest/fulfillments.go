package shopifytest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// fulfillmentOrder is the part of an order one location ships. The
// sandbox gives each order one, at the first location, OPEN until a
// fulfillment closes it.
// https://shopify.dev/docs/api/admin-graphql/latest/objects/FulfillmentOrder
type fulfillmentOrder struct {
	id, locationID string
	status         string // OPEN, CLOSED
}

// fulfillment is a shipment recorded against an order.
// https://shopify.dev/docs/api/admin-graphql/latest/objects/Fulfillment
type fulfillment struct {
	id                   string // the global id
	status               string // SUCCESS, CANCELLED
	company, number, url string
	notify               bool
	closed               []*fulfillmentOrder // what it fulfilled, opened again by a cancel
	createdAt, updatedAt time.Time
}

// LoseNextAnswer makes the sandbox carry out the next mutation (a
// fulfillment, a stock change) and then cut the connection before it
// answers, as a connection lost after Shopify committed does. A retry
// under the same @idempotent key is answered with what the lost answer
// held.
func (s *Server) LoseNextAnswer() { s.mu.Lock(); s.loseNext = true; s.mu.Unlock() }

// Shipped returns the tracking numbers of the order's fulfillments that
// are not cancelled, oldest first. id is the order's numeric id, as
// PlaceOrder returns it.
func (s *Server) Shipped(orderID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, o := range s.orders {
		if strconv.FormatInt(o.id, 10) != orderID {
			continue
		}
		for _, f := range o.fulfillments {
			if f.status != "CANCELLED" {
				out = append(out, f.number)
			}
		}
	}
	return out
}

// Fulfillments counts the fulfillments that stand (not cancelled), over
// every order.
func (s *Server) Fulfillments() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, o := range s.orders {
		for _, f := range o.fulfillments {
			if f.status != "CANCELLED" {
				n++
			}
		}
	}
	return n
}

// Notifications counts the shipping confirmations the shop sent: the
// fulfillments created with notifyCustomer.
func (s *Server) Notifications() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, o := range s.orders {
		for _, f := range o.fulfillments {
			if f.notify {
				n++
			}
		}
	}
	return n
}

// findFulfillmentOrder finds a fulfillment order and its order by global
// id. Call with s.mu held.
func (s *Server) findFulfillmentOrder(gid string) (*order, *fulfillmentOrder) {
	for _, o := range s.orders {
		for _, fo := range o.fulfillmentOrders {
			if fo.id == gid {
				return o, fo
			}
		}
	}
	return nil, nil
}

// findFulfillment finds a fulfillment and its order by global id. Call
// with s.mu held.
func (s *Server) findFulfillment(gid string) (*order, *fulfillment) {
	for _, o := range s.orders {
		for _, f := range o.fulfillments {
			if f.id == gid {
				return o, f
			}
		}
	}
	return nil, nil
}

// fulfil is fulfillmentCreate: the fulfillment orders named, all of one
// order and open, are fulfilled whole (fulfillmentOrderLineItems are not
// read) and closed; the order's updatedAt moves on. Call with s.mu held.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCreate
func (s *Server) fulfil(a map[string]any) map[string]any {
	input, _ := a["fulfillment"].(map[string]any)
	groups, _ := input["lineItemsByFulfillmentOrder"].([]any)
	var errs []map[string]any
	if len(groups) == 0 {
		errs = append(errs, userError([]string{"fulfillment", "lineItemsByFulfillmentOrder"}, "",
			"Line items by fulfillment order can't be blank."))
	}
	var owner *order
	var fos []*fulfillmentOrder
	for i, g := range groups {
		m, _ := g.(map[string]any)
		path := []string{"fulfillment", "lineItemsByFulfillmentOrder", strconv.Itoa(i), "fulfillmentOrderId"}
		o, fo := s.findFulfillmentOrder(argString(m, "fulfillmentOrderId"))
		switch {
		case fo == nil:
			errs = append(errs, userError(path, "", "Fulfillment order does not exist."))
		case owner != nil && o != owner:
			errs = append(errs, userError(path, "", "Fulfillment orders must belong to the same order."))
		case fo.status != "OPEN" && fo.status != "IN_PROGRESS":
			errs = append(errs, userError(path, "", fmt.Sprintf("Fulfillment order %s has an unfulfillable status= %s.",
				strings.TrimPrefix(fo.id, "gid://shopify/FulfillmentOrder/"), strings.ToLower(fo.status))))
		default:
			owner = o
			fos = append(fos, fo)
		}
	}
	if len(errs) > 0 {
		return map[string]any{"fulfillment": nil, "userErrors": errs}
	}
	tracking, _ := input["trackingInfo"].(map[string]any)
	notify, _ := input["notifyCustomer"].(bool)
	now := s.Now().UTC().Truncate(time.Second)
	f := &fulfillment{id: s.gid("Fulfillment"), status: "SUCCESS", company: argString(tracking, "company"),
		number: argString(tracking, "number"), url: argString(tracking, "url"), notify: notify, closed: fos, createdAt: now, updatedAt: now}
	for _, fo := range fos {
		fo.status = "CLOSED"
	}
	owner.fulfillments = append(owner.fulfillments, f)
	owner.updatedAt = now
	return map[string]any{"fulfillment": fulfillmentNode(owner, f), "userErrors": []any{}}
}

// cancelFulfillment is fulfillmentCancel: the fulfillment is cancelled and
// the fulfillment orders it closed are open again; the order's updatedAt
// moves on. One already cancelled is refused with a userError, the
// answer a client must be ready for. Call with s.mu held.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCancel
func (s *Server) cancelFulfillment(a map[string]any) map[string]any {
	o, f := s.findFulfillment(argString(a, "id"))
	switch {
	case f == nil:
		return map[string]any{"fulfillment": nil, "userErrors": []any{userError([]string{"id"}, "", "Fulfillment does not exist.")}}
	case f.status == "CANCELLED":
		return map[string]any{"fulfillment": nil, "userErrors": []any{userError([]string{"id"}, "", "Fulfillment is already cancelled.")}}
	}
	now := s.Now().UTC().Truncate(time.Second)
	f.status, f.updatedAt = "CANCELLED", now
	for _, fo := range f.closed {
		fo.status = "OPEN"
	}
	o.updatedAt = now
	return map[string]any{"fulfillment": fulfillmentNode(o, f), "userErrors": []any{}}
}

// fulfillmentNode is the Fulfillment as it stands now: a copy, so that an
// @idempotent replay answers what the first answer held.
func fulfillmentNode(o *order, f *fulfillment) map[string]any {
	var tracking []map[string]any
	if f.number != "" {
		tracking = append(tracking, map[string]any{"__typename": "FulfillmentTrackingInfo", "company": nilIfEmpty(f.company),
			"number": f.number, "url": nilIfEmpty(f.url)})
	}
	n := 0
	for i, g := range o.fulfillments {
		if g == f {
			n = i + 1
		}
	}
	return map[string]any{"__typename": "Fulfillment", "id": f.id, "legacyResourceId": strings.TrimPrefix(f.id, "gid://shopify/Fulfillment/"),
		"name": fmt.Sprintf("#%d-F%d", o.number, n), "status": f.status, "requiresShipping": true,
		"createdAt": f.createdAt.Format(time.RFC3339), "updatedAt": f.updatedAt.Format(time.RFC3339),
		"order":        map[string]any{"__typename": "Order", "id": fmt.Sprintf("gid://shopify/Order/%d", o.id), "legacyResourceId": strconv.FormatInt(o.id, 10)},
		"trackingInfo": resolver(func(a map[string]any) any { return first(tracking, a) }),
	}
}

func fulfillmentOrderNode(o *order, fo *fulfillmentOrder) map[string]any {
	return map[string]any{"__typename": "FulfillmentOrder", "id": fo.id, "status": fo.status, "requestStatus": "UNSUBMITTED",
		"orderId": fmt.Sprintf("gid://shopify/Order/%d", o.id), "orderName": fmt.Sprintf("#%d", o.number),
		"assignedLocation": map[string]any{"__typename": "FulfillmentOrderAssignedLocation", "name": "Main warehouse",
			"location": map[string]any{"__typename": "Location", "id": fo.locationID}},
	}
}

// first truncates a list field to its first argument, as Order.fulfillments
// and Fulfillment.trackingInfo do.
func first(list []map[string]any, a map[string]any) []map[string]any {
	if n, ok := toInt(a["first"]); ok && n >= 0 && n < len(list) {
		return list[:n]
	}
	if list == nil {
		return []map[string]any{}
	}
	return list
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
