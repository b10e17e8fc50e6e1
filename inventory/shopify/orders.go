package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// The documents OrdersService sends. Each validates against the Admin
// schema (see TestConformanceOrders and TestConformanceOrdersContract).
//
// The cost of a page is what bounds its size, and what it takes from the
// shop's bucket: Shopify refuses a query whose requested cost is over
// 1,000 points, and only starts one when the bucket holds its requested
// cost. A connection costs its page size times its nodes' cost, so an
// order asks for its first 10 lines (about 30 points an order, 250 a page
// of 8; with 50 lines it was 110 an order, and a reconciliation page
// waited for 900 points while the flow's own calls kept the bucket low).
// Most orders have fewer; the lines of one with more are read with
// OrderLines, 50 at a time.
// https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits
const (
	orderLineFields = `nodes { sku title quantity originalUnitPriceSet { shopMoney { amount } } }
      pageInfo { hasNextPage endCursor }`

	orderFields = `id legacyResourceId name email currencyCode createdAt updatedAt
    customer { firstName lastName phone }
    shippingAddress { firstName lastName name company address1 address2 city provinceCode zip countryCodeV2 phone }
    lineItems(first: 10) { ` + orderLineFields + ` }
    shippingLines(first: 5) { nodes { code title } }`

	queryOrders = `query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ` + orderFields + ` }
    pageInfo { hasNextPage endCursor }
  }
}`

	queryOrder = `query Order($id: ID!) {
  order(id: $id) { ` + orderFields + ` }
}`

	queryOrderLines = `query OrderLines($id: ID!, $after: String) {
  order(id: $id) {
    lineItems(first: 50, after: $after) { ` + orderLineFields + ` }
  }
}`
)

// orderPageSize keeps a page of orders under Shopify's 1,000-point cap on
// one query's cost (see queryOrders).
const orderPageSize = 8

// OrdersService reads the shop's orders: inventory.Orders. It needs the
// read_orders scope; without read_all_orders Shopify shows only the last
// 60 days' orders.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/orders
type OrdersService struct{ g *graphQL }

// Get reads the order with the numeric id the orders/create webhook
// carries ("450789469", the REST id), through order(id:) with its global
// id. An order Shopify does not have is connector.ErrNotFound; one a flow
// cannot ship (no shipping address, a line without SKU) is
// ErrInvalidResponse, as FromWebhook refuses it.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/order
func (s *OrdersService) Get(ctx context.Context, id string) (*inventory.Order, error) {
	gid, err := orderGID(id)
	if err != nil {
		return nil, err
	}
	var data struct {
		Order json.RawMessage `json:"order"`
	}
	if err := s.g.do(ctx, "Order", queryOrder, map[string]any{"id": gid}, &data); err != nil {
		return nil, err
	}
	if len(data.Order) == 0 || string(data.Order) == "null" {
		return nil, &connector.APIError{Vendor: "shopify", Op: "Order", Kind: connector.ErrNotFound, Message: "no order " + id}
	}
	return s.node(ctx, data.Order)
}

// FromWebhook reads the order an orders/create delivery's body carries
// (DecodeOrder), as Get and List read it: ID is the numeric id, Number the
// order's name ("#1001"), Raw the body. A body that names no order a flow
// can ship is connector.ErrInvalidResponse. It makes no call.
func (s *OrdersService) FromWebhook(_ context.Context, body []byte) (*inventory.Order, error) {
	return OrderFromWebhook(body)
}

// OrderFromWebhook is FromWebhook without a client, for a webhook intake
// that has none at hand: Shopify's orders/create body is the whole order.
func OrderFromWebhook(body []byte) (*inventory.Order, error) {
	o, err := DecodeOrder(body)
	if err != nil {
		return nil, err
	}
	return o.inventory(body), nil
}

// List yields the shop's orders changed at or after since (Shopify's
// updated_at, to the second; zero: every order), oldest change first
// (sortKey UPDATED_AT), as the same inventory.Order that FromWebhook reads
// from an orders/create webhook: ID is the numeric id the webhook carries
// (legacyResourceId). Pass the UpdatedAt of the last order a poll saw:
// that order comes again, so a poll misses none changed in the same
// second. An order a flow cannot ship (no shipping address, a line without
// SKU) is yielded as an ErrInvalidResponse naming it, as FromWebhook
// refuses it, and the list goes on if the loop does; any other error ends
// the list.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/orders
// https://shopify.dev/docs/api/usage/search-syntax
func (s *OrdersService) List(ctx context.Context, since time.Time) iter.Seq2[*inventory.Order, error] {
	query := ""
	if !since.IsZero() {
		query = "updated_at:>='" + since.UTC().Truncate(time.Second).Format(time.RFC3339) + "'"
	}
	pages := connector.All(ctx, func(ctx context.Context, after string) (connector.Page[orderResult], error) {
		return s.page(ctx, query, after)
	})
	return func(yield func(*inventory.Order, error) bool) {
		for r, err := range pages {
			if err == nil {
				err = r.err
			}
			if !yield(r.order, err) {
				return
			}
		}
	}
}

// orderGID is the global id of the order with the webhook's numeric id.
// https://shopify.dev/docs/api/usage/gids
func orderGID(id string) (string, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(id, "gid://shopify/Order/"), 10, 63)
	if err != nil || n == 0 {
		return "", &connector.APIError{Vendor: "shopify", Op: "Order", Kind: connector.ErrValidation,
			Message: fmt.Sprintf("order id %q is not Shopify's numeric order id", id)}
	}
	return "gid://shopify/Order/" + strconv.FormatUint(n, 10), nil
}

// orderResult is one node of a page: an order, or why it cannot be one.
type orderResult struct {
	order *inventory.Order
	err   error
}

func (s *OrdersService) page(ctx context.Context, query, after string) (connector.Page[orderResult], error) {
	vars := map[string]any{"first": orderPageSize, "after": nilIfEmpty(after), "query": nilIfEmpty(query)}
	var data struct {
		Orders struct {
			Nodes    []json.RawMessage `json:"nodes"`
			PageInfo pageInfo          `json:"pageInfo"`
		} `json:"orders"`
	}
	if err := s.g.do(ctx, "Orders", queryOrders, vars, &data); err != nil {
		return connector.Page[orderResult]{}, err
	}
	p := connector.Page[orderResult]{}
	for _, raw := range data.Orders.Nodes {
		o, err := s.node(ctx, raw)
		if err != nil && !isBadOrder(err) {
			return p, err // a call that failed, not an order that cannot be shipped
		}
		p.Items = append(p.Items, orderResult{order: o, err: err})
	}
	if data.Orders.PageInfo.HasNextPage {
		p.Next = data.Orders.PageInfo.EndCursor
	}
	return p, nil
}

// node makes one Order node (of orders, or order) an inventory.Order,
// reading its lines past the first page. Raw is the node as Shopify sent
// it, with its first page of lines.
func (s *OrdersService) node(ctx context.Context, raw json.RawMessage) (*inventory.Order, error) {
	w, err := decodeOrderNode(raw)
	if err != nil {
		return nil, err
	}
	for w.LineItems.PageInfo.HasNextPage {
		if err := s.moreLines(ctx, w); err != nil {
			return nil, err
		}
	}
	o, err := w.order()
	if err != nil {
		return nil, err
	}
	return o.inventory(raw), nil
}

// moreLines reads the next page of an order's lines into w.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/order
func (s *OrdersService) moreLines(ctx context.Context, w *orderWire) error {
	var data struct {
		Order *struct {
			LineItems orderLinesWire `json:"lineItems"`
		} `json:"order"`
	}
	vars := map[string]any{"id": w.ID, "after": w.LineItems.PageInfo.EndCursor}
	if err := s.g.do(ctx, "OrderLines", queryOrderLines, vars, &data); err != nil {
		return err
	}
	if data.Order == nil {
		return &connector.APIError{Vendor: "shopify", Op: "OrderLines", Kind: connector.ErrInvalidResponse, Message: "order " + w.ID + " vanished while its lines were read"}
	}
	next := data.Order.LineItems
	if next.PageInfo.HasNextPage && next.PageInfo.EndCursor == w.LineItems.PageInfo.EndCursor {
		return connector.ErrCursorLoop
	}
	w.LineItems.Nodes = append(w.LineItems.Nodes, next.Nodes...)
	w.LineItems.PageInfo = next.PageInfo
	return nil
}

// orderWire is the Admin GraphQL Order, the fields queryOrders reads.
// https://shopify.dev/docs/api/admin-graphql/latest/objects/Order
type orderWire struct {
	ID               string    `json:"id"`
	LegacyResourceID string    `json:"legacyResourceId"` // UnsignedInt64: base-10 digits in a string, "50"
	Name             string    `json:"name"`
	Email            *string   `json:"email"`
	CurrencyCode     string    `json:"currencyCode"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
	Customer         *struct {
		FirstName *string `json:"firstName"`
		LastName  *string `json:"lastName"`
		Phone     *string `json:"phone"`
	} `json:"customer"`
	ShippingAddress *struct {
		FirstName     *string `json:"firstName"`
		LastName      *string `json:"lastName"`
		Name          *string `json:"name"`
		Company       *string `json:"company"`
		Address1      *string `json:"address1"`
		Address2      *string `json:"address2"`
		City          *string `json:"city"`
		ProvinceCode  *string `json:"provinceCode"`
		Zip           *string `json:"zip"`
		CountryCodeV2 *string `json:"countryCodeV2"`
		Phone         *string `json:"phone"`
	} `json:"shippingAddress"`
	LineItems     orderLinesWire `json:"lineItems"`
	ShippingLines struct {
		Nodes []struct {
			Code  *string `json:"code"`
			Title string  `json:"title"`
		} `json:"nodes"`
	} `json:"shippingLines"`
}

type orderLinesWire struct {
	Nodes []struct {
		SKU                  *string `json:"sku"`
		Title                string  `json:"title"`
		Quantity             int     `json:"quantity"`
		OriginalUnitPriceSet struct {
			ShopMoney struct {
				Amount decimal.Decimal `json:"amount"`
			} `json:"shopMoney"`
		} `json:"originalUnitPriceSet"`
	} `json:"nodes"`
	PageInfo pageInfo `json:"pageInfo"`
}

// decodeOrderNode reads one node of the orders connection.
func decodeOrderNode(raw []byte) (*orderWire, error) {
	var w orderWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, badOrder("an order node could not be decoded: " + err.Error())
	}
	return &w, nil
}

// order maps the GraphQL order onto the webhook's Order, field for field,
// and checks it as DecodeOrder does.
func (w *orderWire) order() (*Order, error) {
	// The webhook's "id" is the same number: the id a flow keys an order by.
	// https://shopify.dev/docs/api/admin-graphql/latest/scalars/UnsignedInt64
	u, err := strconv.ParseUint(w.LegacyResourceID, 10, 63)
	id := int64(u)
	if err != nil || id <= 0 {
		return nil, badOrder(fmt.Sprintf("order %q has no numeric id (legacyResourceId %q)", w.ID, w.LegacyResourceID))
	}
	o := &Order{ID: id, Name: w.Name, Email: str(w.Email), Currency: w.CurrencyCode, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
	if c := w.Customer; c != nil {
		// Customer.email is deprecated (defaultEmailAddress): the order's
		// email is the one the webhook's customer carries too.
		o.Customer = &OrderCustomer{Email: o.Email, FirstName: str(c.FirstName), LastName: str(c.LastName), Phone: str(c.Phone)}
	}
	if a := w.ShippingAddress; a != nil {
		o.ShippingAddress = &OrderAddress{FirstName: str(a.FirstName), LastName: str(a.LastName), Name: str(a.Name), Company: str(a.Company),
			Address1: str(a.Address1), Address2: str(a.Address2), City: str(a.City), ProvinceCode: str(a.ProvinceCode), Zip: str(a.Zip),
			CountryCode: str(a.CountryCodeV2), Phone: str(a.Phone)}
	}
	for _, l := range w.LineItems.Nodes {
		o.LineItems = append(o.LineItems, OrderLineItem{SKU: str(l.SKU), Title: l.Title, Quantity: l.Quantity, Price: l.OriginalUnitPriceSet.ShopMoney.Amount})
	}
	for _, s := range w.ShippingLines.Nodes {
		o.ShippingLines = append(o.ShippingLines, ShippingLine{Code: str(s.Code), Title: s.Title})
	}
	if err := checkOrder(o); err != nil {
		return nil, err
	}
	return o, nil
}

// decodeGraphQLOrder is what Get and List make of one Order node whose
// lines fit one page: FuzzDecodeGraphQLOrder's entry.
func decodeGraphQLOrder(raw []byte) (*inventory.Order, error) {
	w, err := decodeOrderNode(raw)
	if err != nil {
		return nil, err
	}
	o, err := w.order()
	if err != nil {
		return nil, err
	}
	return o.inventory(raw), nil
}

// isBadOrder says err is an order a flow cannot ship (badOrder), not a
// call that failed.
func isBadOrder(err error) bool {
	var apiErr *connector.APIError
	return errors.As(err, &apiErr) && apiErr.Op == badOrderOp
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
