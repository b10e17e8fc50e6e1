package shopifytest

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// order is an order placed on the sandbox shop.
type order struct {
	id, number           int64
	o                    NewOrder
	createdAt, updatedAt time.Time
	fulfillmentOrders    []*fulfillmentOrder
	fulfillments         []*fulfillment // oldest first, cancelled ones too
}

// WithDroppedWebhooks makes PlaceOrder drop share (0 to 1) of its
// orders/create webhooks, as DropWebhooks does.
func WithDroppedWebhooks(share float64) Option { return func(s *Server) { s.dropShare = share } }

// DropWebhooks makes PlaceOrder drop share (0 to 1) of the orders/create
// webhooks it sends from now on: the order is placed, its webhook never
// sent. The drops are spread evenly and deterministically: with 0.25, the
// 4th, 8th, 12th... webhook is dropped (counted over the server's life),
// so a test knows how many went missing. 0 drops none, 1 every one.
func (s *Server) DropWebhooks(share float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropShare = share
}

// DroppedWebhooks counts the orders/create webhooks PlaceOrder dropped.
func (s *Server) DroppedWebhooks() int { s.mu.Lock(); defer s.mu.Unlock(); return s.dropped }

// Orders counts the orders placed on the shop.
func (s *Server) Orders() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.orders) }

// dropWebhook counts one more webhook and says whether it is dropped: the
// nth is when floor(n*share) passes a whole number.
func (s *Server) dropWebhook() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks++
	share := min(max(s.dropShare, 0), 1)
	if int(float64(s.hooks)*share) > int(float64(s.hooks-1)*share) {
		s.dropped++
		return true
	}
	return false
}

// UpdateOrder changes nothing on order id but its updatedAt, set to the
// sandbox's clock now, as an edit, a payment or a fulfilment would. It
// reports whether the order exists.
func (s *Server) UpdateOrder(id int64) bool {
	now := s.Now().UTC().Truncate(time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.id == id {
			o.updatedAt = now
			return true
		}
	}
	return false
}

// orderFilter is a term of the orders query's search syntax the sandbox
// understands: updated_at or created_at with a comparator, the time
// quoted or not. https://shopify.dev/docs/api/usage/search-syntax
var orderFilter = regexp.MustCompile(`^(updated_at|created_at):(>=|<=|>|<)?['"]?([^'"]+)['"]?$`)

// listOrders answers the orders query: its query filtered by updated_at
// or created_at, sorted by sortKey (ID, CREATED_AT, UPDATED_AT; ID by
// default), reverse, paged. Call with s.mu held.
func (s *Server) listOrders(a map[string]any) (any, error) {
	type term struct {
		field, cmp string
		at         time.Time
	}
	var terms []term
	for _, t := range strings.Fields(argString(a, "query")) {
		if strings.EqualFold(t, "AND") {
			continue
		}
		m := orderFilter.FindStringSubmatch(t)
		if m == nil {
			return nil, fmt.Errorf("the sandbox's orders query understands updated_at and created_at terms only, not %q", t)
		}
		at, err := time.Parse(time.RFC3339, m[3])
		if err != nil {
			return nil, fmt.Errorf("%s: %q is no RFC 3339 time", m[1], m[3])
		}
		terms = append(terms, term{m[1], m[2], at})
	}
	var picked []*order
	for _, o := range s.orders {
		ok := true
		for _, t := range terms {
			v := o.updatedAt
			if t.field == "created_at" {
				v = o.createdAt
			}
			switch t.cmp {
			case ">=":
				ok = ok && !v.Before(t.at)
			case "<=":
				ok = ok && !v.After(t.at)
			case ">":
				ok = ok && v.After(t.at)
			case "<":
				ok = ok && v.Before(t.at)
			default:
				ok = ok && v.Equal(t.at)
			}
		}
		if ok {
			picked = append(picked, o)
		}
	}
	key := "ID"
	if k, ok := a["sortKey"].(string); ok {
		key = k
	}
	slices.SortStableFunc(picked, func(x, y *order) int {
		var c int
		switch key {
		case "UPDATED_AT":
			c = x.updatedAt.Compare(y.updatedAt)
		case "CREATED_AT":
			c = x.createdAt.Compare(y.createdAt)
		}
		if c == 0 {
			c = int(x.id - y.id)
		}
		return c
	})
	reverse, _ := a["reverse"].(bool)
	if reverse {
		slices.Reverse(picked)
	}
	// Shopify's cursors name a place in the sort (the sort key and the
	// id), not an offset: an order whose updatedAt moves on while a list is
	// paged comes again later, and no order is skipped because others moved
	// out from before it. An offset cursor here made reconciliation miss
	// orders while the flow fulfilled others.
	sortKey := func(o *order) int64 {
		switch key {
		case "UPDATED_AT":
			return o.updatedAt.UnixNano()
		case "CREATED_AT":
			return o.createdAt.UnixNano()
		}
		return 0
	}
	start := 0
	if after := argString(a, "after"); after != "" {
		var k, id int64
		if _, err := fmt.Sscanf(after, "order:%d:%d", &k, &id); err != nil {
			return nil, fmt.Errorf("invalid cursor %q", after)
		}
		start = len(picked)
		for i, o := range picked {
			ok, oid := sortKey(o), o.id
			beyond := ok > k || ok == k && oid > id
			if reverse {
				beyond = ok < k || ok == k && oid < id
			}
			if beyond {
				start = i
				break
			}
		}
	}
	first := 50
	if n, ok := toInt(a["first"]); ok && n > 0 {
		first = min(n, 250)
	}
	page := picked[start:min(start+first, len(picked))]
	nodes := make([]map[string]any, len(page))
	edges := make([]map[string]any, len(page))
	cursor := func(o *order) string { return fmt.Sprintf("order:%d:%d", sortKey(o), o.id) }
	for i, o := range page {
		nodes[i] = orderNode(o)
		edges[i] = map[string]any{"node": nodes[i], "cursor": cursor(o)}
	}
	info := map[string]any{"hasNextPage": start+len(page) < len(picked), "hasPreviousPage": start > 0, "startCursor": nil, "endCursor": nil}
	if len(page) > 0 {
		info["startCursor"], info["endCursor"] = cursor(page[0]), cursor(page[len(page)-1])
	}
	return map[string]any{"nodes": nodes, "edges": edges, "pageInfo": info}, nil
}

// findOrder answers order(id:). Call with s.mu held.
func (s *Server) findOrder(gid string) any {
	for _, o := range s.orders {
		if gid == fmt.Sprintf("gid://shopify/Order/%d", o.id) {
			return orderNode(o)
		}
	}
	return nil
}

// orderNode is the Admin GraphQL Order of o, with the same values as its
// orders/create webhook (OrderWebhook).
func orderNode(o *order) map[string]any {
	var lines []map[string]any
	for i, l := range o.o.Lines {
		lines = append(lines, map[string]any{"__typename": "LineItem", "id": fmt.Sprintf("gid://shopify/LineItem/%d", o.id+int64(i)+1),
			"sku": l.SKU, "title": l.Title, "name": l.Title, "quantity": l.Quantity, "currentQuantity": l.Quantity, "requiresShipping": true,
			"originalUnitPriceSet": map[string]any{"shopMoney": map[string]any{"amount": l.Price, "currencyCode": o.o.Currency},
				"presentmentMoney": map[string]any{"amount": l.Price, "currencyCode": o.o.Currency}}})
	}
	code, title := "Standard", "Standard Shipping"
	if o.o.Express {
		code, title = "Express", "Express Shipping"
	}
	shipping := []map[string]any{{"__typename": "ShippingLine", "code": code, "title": title}}
	name := o.o.FirstName + " " + o.o.LastName
	return map[string]any{"__typename": "Order", "id": fmt.Sprintf("gid://shopify/Order/%d", o.id),
		"legacyResourceId": strconv.FormatInt(o.id, 10), "name": fmt.Sprintf("#%d", o.number), "email": o.o.Email,
		"currencyCode": o.o.Currency, "createdAt": o.createdAt.Format(time.RFC3339), "updatedAt": o.updatedAt.Format(time.RFC3339),
		"displayFinancialStatus": "PAID",
		"customer": map[string]any{"__typename": "Customer", "firstName": o.o.FirstName, "lastName": o.o.LastName, "phone": nil,
			"email": o.o.Email},
		"shippingAddress": map[string]any{"__typename": "MailingAddress", "firstName": o.o.FirstName, "lastName": o.o.LastName, "name": name,
			"company": nil, "address1": o.o.Address.Street, "address2": nil, "city": o.o.Address.City, "provinceCode": o.o.Address.Region,
			"zip": o.o.Address.PostalCode, "countryCodeV2": o.o.Address.Country, "phone": nil},
		"lineItems":                resolver(func(a map[string]any) any { return connection(lines, a) }),
		"shippingLines":            resolver(func(a map[string]any) any { return connection(shipping, a) }),
		"displayFulfillmentStatus": fulfillmentStatus(o),
		"fulfillmentOrders": resolver(func(a map[string]any) any {
			var nodes []map[string]any
			for _, fo := range o.fulfillmentOrders {
				nodes = append(nodes, fulfillmentOrderNode(o, fo))
			}
			return connection(nodes, a)
		}),
		"fulfillments": resolver(func(a map[string]any) any {
			var list []map[string]any
			for _, f := range o.fulfillments {
				list = append(list, fulfillmentNode(o, f))
			}
			return first(list, a)
		}),
	}
}

// fulfillmentStatus is the order's displayFulfillmentStatus: FULFILLED
// once no fulfillment order is open.
func fulfillmentStatus(o *order) string {
	for _, fo := range o.fulfillmentOrders {
		if fo.status == "OPEN" {
			return "UNFULFILLED"
		}
	}
	return "FULFILLED"
}
