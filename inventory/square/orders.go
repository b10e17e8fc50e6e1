package square

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/shipping"
)

// maxSearchLocations is how many locations one SearchOrders takes.
const maxSearchLocations = 10

// orderPageSize is the page SearchOrders is asked for (Square's default is
// 500, its maximum 1,000): each page also reads the customers and SKUs its
// orders name.
const orderPageSize = 100

// OrdersService reads the orders customers placed (Square Online, the
// point of sale, the Orders API), as inventory.Order. It needs the
// ORDERS_READ, CUSTOMERS_READ and ITEMS_READ permissions.
// https://developer.squareup.com/docs/orders-api/what-it-does
type OrdersService struct {
	c         *connector.Client
	locations []string

	mu   sync.Mutex
	skus map[string]string // variation id -> SKU: a variation's SKU rarely changes
}

// orderWire is the part of Square's Order a fulfilment flow reads.
// https://developer.squareup.com/reference/square/objects/Order
type orderWire struct {
	ID          string            `json:"id"`
	LocationID  string            `json:"location_id"`
	ReferenceID string            `json:"reference_id"`
	CustomerID  string            `json:"customer_id"`
	State       string            `json:"state"`
	Version     int64             `json:"version"`
	CreatedAt   string            `json:"created_at"`
	UpdatedAt   string            `json:"updated_at"`
	LineItems   []lineItemWire    `json:"line_items"`
	TotalMoney  *moneyWire        `json:"total_money"`
	Fulfillment []fulfillmentWire `json:"fulfillments"`
}

// lineItemWire is an OrderLineItem.
// https://developer.squareup.com/reference/square/objects/OrderLineItem
type lineItemWire struct {
	UID             string     `json:"uid"`
	Name            string     `json:"name"`
	Quantity        string     `json:"quantity"` // a decimal string
	CatalogObjectID string     `json:"catalog_object_id"`
	VariationName   string     `json:"variation_name"`
	BasePriceMoney  *moneyWire `json:"base_price_money"`
}

// fulfillmentWire is a Fulfillment with its shipment details.
// https://developer.squareup.com/reference/square/objects/Fulfillment
type fulfillmentWire struct {
	UID             string           `json:"uid"`
	Type            string           `json:"type"`  // PICKUP, SHIPMENT, DELIVERY
	State           string           `json:"state"` // PROPOSED, RESERVED, PREPARED, COMPLETED, CANCELED, FAILED
	ShipmentDetails *shipmentDetails `json:"shipment_details"`
}

// shipmentDetails is a FulfillmentShipmentDetails.
// https://developer.squareup.com/reference/square/objects/FulfillmentShipmentDetails
type shipmentDetails struct {
	Recipient      *recipientWire `json:"recipient,omitempty"`
	Carrier        string         `json:"carrier,omitempty"`
	ShippingType   string         `json:"shipping_type,omitempty"`
	TrackingNumber string         `json:"tracking_number,omitempty"`
	TrackingURL    string         `json:"tracking_url,omitempty"`
	CancelReason   string         `json:"cancel_reason,omitempty"`
}

// recipientWire is a FulfillmentRecipient.
type recipientWire struct {
	CustomerID   string       `json:"customer_id,omitempty"`
	DisplayName  string       `json:"display_name,omitempty"`
	EmailAddress string       `json:"email_address,omitempty"`
	PhoneNumber  string       `json:"phone_number,omitempty"`
	Address      *addressWire `json:"address,omitempty"`
}

// addressWire is Square's Address.
// https://developer.squareup.com/reference/square/objects/Address
type addressWire struct {
	AddressLine1 string `json:"address_line_1,omitempty"`
	AddressLine2 string `json:"address_line_2,omitempty"`
	Locality     string `json:"locality,omitempty"`
	Region       string `json:"administrative_district_level_1,omitempty"`
	PostalCode   string `json:"postal_code,omitempty"`
	Country      string `json:"country,omitempty"`
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
}

// customerWire is the part of a Customer an order needs.
// https://developer.squareup.com/reference/square/objects/Customer
type customerWire struct {
	GivenName    string `json:"given_name"`
	FamilyName   string `json:"family_name"`
	EmailAddress string `json:"email_address"`
	PhoneNumber  string `json:"phone_number"`
}

// decodeOrder reads an Order as Square sends it (the "order" of
// RetrieveOrder, one of SearchOrders' "orders"). An order with no id is
// ErrInvalidResponse.
func decodeOrder(raw []byte) (*orderWire, error) {
	var w orderWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, badOrder("", "the order could not be decoded: "+err.Error())
	}
	if w.ID == "" {
		return nil, badOrder("", "the order has no id")
	}
	return &w, nil
}

func badOrder(id, msg string) error {
	if id != "" {
		msg = "order " + id + ": " + msg
	}
	return &connector.APIError{Vendor: "square", Op: "orders.decode", Kind: connector.ErrInvalidResponse, Message: msg}
}

// shipment is the order's SHIPMENT fulfillment a flow ships: an open one,
// else the last one (completed, canceled); nil if it has none.
func (w *orderWire) shipment() *fulfillmentWire {
	var last *fulfillmentWire
	for i := range w.Fulfillment {
		f := &w.Fulfillment[i]
		if f.Type != "SHIPMENT" {
			continue
		}
		if open(f.State) {
			return f
		}
		last = f
	}
	return last
}

// open says a fulfillment's state can still move.
func open(state string) bool {
	return state == "PROPOSED" || state == "RESERVED" || state == "PREPARED" || state == ""
}

// toOrder maps the order, with customer (nil: from the recipient) and the
// SKUs of its variations, onto inventory.Order. An order a flow cannot
// ship (no lines, a line with no catalog variation or SKU, a quantity that
// is not whole, no shipment fulfillment with an address) is
// ErrInvalidResponse naming it.
func (w *orderWire) toOrder(raw json.RawMessage, customer *customerWire, skus map[string]string) (*inventory.Order, error) {
	o := &inventory.Order{ID: w.ID, Number: w.ID, Raw: raw}
	if w.ReferenceID != "" {
		o.Number = w.ReferenceID
	}
	o.CreatedAt, _ = time.Parse(time.RFC3339Nano, w.CreatedAt)
	o.UpdatedAt, _ = time.Parse(time.RFC3339Nano, w.UpdatedAt)
	if w.TotalMoney != nil {
		o.Currency = w.TotalMoney.Currency
	}
	if len(w.LineItems) == 0 {
		return nil, badOrder(w.ID, "no line items")
	}
	for i, l := range w.LineItems {
		sku := skus[l.CatalogObjectID]
		if l.CatalogObjectID == "" || sku == "" {
			return nil, badOrder(w.ID, fmt.Sprintf("line %d (%q) names no catalog variation with a SKU", i+1, l.Name))
		}
		qty, err := strconv.Atoi(l.Quantity)
		if err != nil || qty <= 0 {
			return nil, badOrder(w.ID, fmt.Sprintf("line %d: quantity %q is not a whole number of units", i+1, l.Quantity))
		}
		line := inventory.OrderLine{SKU: sku, Title: l.Name, Quantity: qty}
		if l.BasePriceMoney != nil {
			if line.UnitPrice, err = l.BasePriceMoney.decimal(); err != nil {
				return nil, badOrder(w.ID, fmt.Sprintf("line %d: %v", i+1, err))
			}
			if o.Currency == "" {
				o.Currency = l.BasePriceMoney.Currency
			}
		}
		o.Lines = append(o.Lines, line)
	}
	f := w.shipment()
	if f == nil || f.ShipmentDetails == nil || f.ShipmentDetails.Recipient == nil || f.ShipmentDetails.Recipient.Address == nil {
		return nil, badOrder(w.ID, "no shipment fulfillment with a recipient's address")
	}
	r := f.ShipmentDetails.Recipient
	a := r.Address
	o.ShipTo = shipping.Address{Name: r.DisplayName, Street1: a.AddressLine1, Street2: a.AddressLine2, City: a.Locality, Region: a.Region,
		PostalCode: a.PostalCode, Country: a.Country, Phone: r.PhoneNumber, Email: r.EmailAddress}
	if o.ShipTo.Name == "" {
		o.ShipTo.Name = strings.TrimSpace(a.FirstName + " " + a.LastName)
	}
	o.Shipping = f.ShipmentDetails.ShippingType
	o.Express = inventory.IsExpress(o.Shipping)
	if customer != nil {
		o.Customer = inventory.Customer{Email: customer.EmailAddress, FirstName: customer.GivenName, LastName: customer.FamilyName, Phone: customer.PhoneNumber}
	}
	// What the customer record lacks (a guest checkout has none), the
	// recipient says.
	if o.Customer.Email == "" {
		o.Customer.Email = r.EmailAddress
	}
	if o.Customer.Phone == "" {
		o.Customer.Phone = r.PhoneNumber
	}
	if o.Customer.Name() == "" {
		o.Customer.FirstName, o.Customer.LastName = a.FirstName, a.LastName
		if o.Customer.Name() == "" {
			o.Customer.FirstName, o.Customer.LastName = splitName(r.DisplayName)
		}
	}
	return o, nil
}

// splitName splits a display name at its last space: "Ada King Lovelace"
// is "Ada King" and "Lovelace".
func splitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexByte(name, ' '); i > 0 {
		return name[:i], name[i+1:]
	}
	return name, ""
}

// Get reads the order with Square's id (RetrieveOrder), its customer
// (RetrieveCustomer) and the SKUs of its variations. An unknown order is
// ErrNotFound.
// https://developer.squareup.com/reference/square/orders-api/retrieve-order
func (s *OrdersService) Get(ctx context.Context, id string) (*inventory.Order, error) {
	w, raw, err := s.get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.complete(ctx, w, raw, map[string]*customerWire{})
}

func (s *OrdersService) get(ctx context.Context, id string) (*orderWire, json.RawMessage, error) {
	if id == "" {
		return nil, nil, connector.InvalidInput("square", "orders.get", "the order id is empty")
	}
	var resp struct {
		Order json.RawMessage `json:"order"`
	}
	if err := s.c.JSON(ctx, http.MethodGet, "/v2/orders/"+url.PathEscape(id), nil, &resp, connector.WithOperation("orders.get")); err != nil {
		return nil, nil, err
	}
	w, err := decodeOrder(resp.Order)
	if err != nil {
		return nil, nil, err
	}
	return w, resp.Order, nil
}

// complete reads what the order names (its customer, its variations' SKUs)
// and maps it. customers caches the customers of one List.
func (s *OrdersService) complete(ctx context.Context, w *orderWire, raw json.RawMessage, customers map[string]*customerWire) (*inventory.Order, error) {
	if err := s.loadSKUs(ctx, []*orderWire{w}); err != nil {
		return nil, err
	}
	var cust *customerWire
	if w.CustomerID != "" {
		c, ok := customers[w.CustomerID]
		if !ok {
			var err error
			if c, err = s.customer(ctx, w.CustomerID); err != nil {
				return nil, err
			}
			customers[w.CustomerID] = c
		}
		cust = c
	}
	s.mu.Lock()
	skus := make(map[string]string, len(w.LineItems))
	for _, l := range w.LineItems {
		skus[l.CatalogObjectID] = s.skus[l.CatalogObjectID]
	}
	s.mu.Unlock()
	return w.toOrder(raw, cust, skus)
}

// customer reads a customer; one deleted since is nil, and the order's
// recipient names who ordered.
// https://developer.squareup.com/reference/square/customers-api/retrieve-customer
func (s *OrdersService) customer(ctx context.Context, id string) (*customerWire, error) {
	var resp struct {
		Customer customerWire `json:"customer"`
	}
	err := s.c.JSON(ctx, http.MethodGet, "/v2/customers/"+url.PathEscape(id), nil, &resp, connector.WithOperation("customers.get"))
	if errors.Is(err, connector.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &resp.Customer, nil
}

// loadSKUs reads the SKUs of the variations the orders' lines name that
// the service has not seen yet, in one BatchRetrieveCatalogObjects (a
// deleted variation included: an old order may name one).
// https://developer.squareup.com/reference/square/catalog-api/batch-retrieve-catalog-objects
func (s *OrdersService) loadSKUs(ctx context.Context, orders []*orderWire) error {
	s.mu.Lock()
	var missing []string
	seen := map[string]bool{}
	for _, w := range orders {
		for _, l := range w.LineItems {
			if _, ok := s.skus[l.CatalogObjectID]; !ok && l.CatalogObjectID != "" && !seen[l.CatalogObjectID] {
				seen[l.CatalogObjectID] = true
				missing = append(missing, l.CatalogObjectID)
			}
		}
	}
	s.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	var resp struct {
		Objects []catalogObject `json:"objects"`
	}
	req := map[string]any{"object_ids": missing, "include_deleted_objects": true}
	if err := s.c.JSON(ctx, http.MethodPost, "/v2/catalog/batch-retrieve", req, &resp,
		connector.WithOperation("catalog.batchRetrieve"), connector.WithReplayable()); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range resp.Objects {
		if o.ItemVariationData != nil {
			s.skus[o.ID] = o.ItemVariationData.SKU
		}
	}
	return nil
}

// List yields the orders of Config.LocationIDs (every location if none)
// updated at or after since (zero: every order), oldest change first:
// SearchOrders filtered on updated_at and sorted by UPDATED_AT ascending,
// as Square requires the sort to match the filter, 100 a page by cursor.
// An order a flow cannot ship is yielded as an ErrInvalidResponse naming
// it, and the list goes on if the loop does.
// https://developer.squareup.com/reference/square/orders-api/search-orders
func (s *OrdersService) List(ctx context.Context, since time.Time) iter.Seq2[*inventory.Order, error] {
	return func(yield func(*inventory.Order, error) bool) {
		locations, err := s.searchLocations(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		query := map[string]any{"sort": map[string]any{"sort_field": "UPDATED_AT", "sort_order": "ASC"}}
		if !since.IsZero() {
			query["filter"] = map[string]any{"date_time_filter": map[string]any{
				"updated_at": map[string]any{"start_at": since.UTC().Format(time.RFC3339Nano)}}}
		}
		customers := map[string]*customerWire{}
		pages := connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[json.RawMessage], error) {
			req := map[string]any{"location_ids": locations, "query": query, "limit": orderPageSize}
			if cursor != "" {
				req["cursor"] = cursor
			}
			var resp struct {
				Orders []json.RawMessage `json:"orders"`
				Cursor string            `json:"cursor"`
			}
			err := s.c.JSON(ctx, http.MethodPost, "/v2/orders/search", req, &resp,
				connector.WithOperation("orders.list"), connector.WithReplayable())
			return connector.Page[json.RawMessage]{Items: resp.Orders, Next: resp.Cursor}, err
		})
		for raw, err := range pages {
			if err != nil {
				yield(nil, err)
				return
			}
			w, err := decodeOrder(raw)
			if err == nil {
				var o *inventory.Order
				o, err = s.complete(ctx, w, raw, customers)
				if err == nil {
					if !yield(o, nil) {
						return
					}
					continue
				}
				if !isInvalid(err) {
					yield(nil, err) // Square failed, not the order: the list ends
					return
				}
			}
			if !yield(nil, err) {
				return
			}
		}
	}
}

// isInvalid says err is badOrder's: the order, not Square, is at fault.
func isInvalid(err error) bool {
	var e *connector.APIError
	return errors.As(err, &e) && e.Op == "orders.decode"
}

// searchLocations are Config.LocationIDs, or every location's id (at most
// 10, as SearchOrders takes).
func (s *OrdersService) searchLocations(ctx context.Context) ([]string, error) {
	if len(s.locations) > 0 {
		return s.locations, nil
	}
	locs, err := listLocations(ctx, s.c)
	if err != nil {
		return nil, err
	}
	if len(locs) > maxSearchLocations {
		return nil, connector.InvalidInput("square", "orders.list", fmt.Sprintf("the account has %d locations and SearchOrders takes 10: set Config.LocationIDs", len(locs)))
	}
	ids := make([]string, len(locs))
	for i, l := range locs {
		ids[i] = l.ID
	}
	return ids, nil
}

// webhookOrderID is the order id an order.* notification names:
// data.object.order_created.order_id (or order_updated,
// order_fulfillment_updated), else data.id.
// https://developer.squareup.com/reference/square/webhooks/order.created
func webhookOrderID(body []byte) (string, string, error) {
	var n struct {
		Type string `json:"type"`
		Data *struct {
			Type   string                     `json:"type"`
			ID     string                     `json:"id"`
			Object map[string]json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &n); err != nil || n.Data == nil {
		return "", "", &connector.APIError{Vendor: "square", Op: "orders.fromWebhook", Kind: connector.ErrInvalidResponse,
			Message: "the body is no Square event notification"}
	}
	for _, key := range []string{"order_created", "order_updated", "order_fulfillment_updated"} {
		var o struct {
			OrderID string `json:"order_id"`
		}
		if raw, ok := n.Data.Object[key]; ok && json.Unmarshal(raw, &o) == nil && o.OrderID != "" {
			return o.OrderID, n.Type, nil
		}
	}
	if n.Data.ID != "" && (n.Data.Type == "order" || strings.HasPrefix(n.Type, "order.")) {
		return n.Data.ID, n.Type, nil
	}
	return "", n.Type, &connector.APIError{Vendor: "square", Op: "orders.fromWebhook", Kind: connector.ErrInvalidResponse,
		Message: fmt.Sprintf("the %q notification names no order", n.Type)}
}

// FromWebhook reads the order an order.created (or order.updated)
// notification names. Square's notification carries only the order's id
// and state, so the order is read with Get: what it is now, not when the
// event was sent. A body that names no order is ErrInvalidResponse.
// https://developer.squareup.com/reference/square/webhooks/order.created
func (s *OrdersService) FromWebhook(ctx context.Context, body []byte) (*inventory.Order, error) {
	id, _, err := webhookOrderID(body)
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}
