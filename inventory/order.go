package inventory

import (
	"context"
	"encoding/json"
	"iter"
	"strings"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// Order is an order a customer placed on a website (a shop, a counter):
// what a fulfilment flow needs from it, the same on every platform. Its
// JSON form (snake_case) is how a flow keeps it in a queue or passes it
// between processes.
type Order struct {
	// ID is the platform's id of the order, as its API and webhooks name
	// it (Shopify's numeric id, Square's order id, WooCommerce's post id).
	ID string `json:"id"`
	// Number is what the shop and the customer see ("#1001"); the ID
	// where the platform shows none.
	Number   string      `json:"number,omitempty"`
	Customer Customer    `json:"customer"`
	Lines    []OrderLine `json:"lines"`
	Currency string      `json:"currency"` // ISO 4217: every price of the order is in it
	// ShipTo is where the order goes; zero for an order collected in
	// person, which a shipping flow refuses.
	ShipTo shipping.Address `json:"ship_to"`
	// Shipping is the customer's shipping choice as the shop names it
	// (Shopify's shipping line, WooCommerce's shipping method title,
	// Square's shipment fulfilment's shipping type).
	Shipping string `json:"shipping,omitempty"`
	// Express says the choice is for a faster delivery: it names express,
	// next day or overnight.
	Express   bool      `json:"express,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is the order's last change on the platform: what
	// Orders.List's since compares.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Raw is the order as the platform sent it.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Customer is who placed an order.
type Customer struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Phone     string `json:"phone,omitempty"`
}

// Name is the customer's full name.
func (c Customer) Name() string {
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// OrderLine is one product of an order, by SKU. UnitPrice is exact, in
// the order's currency, before order-level discounts.
type OrderLine struct {
	SKU       string          `json:"sku"`
	Title     string          `json:"title"`
	Quantity  int             `json:"quantity"`
	UnitPrice decimal.Decimal `json:"unit_price"`
}

// IsExpress says whether a shipping choice's name asks for a faster
// delivery: express, next day, overnight. Vendor packages set
// Order.Express with it, so every platform reads a choice the same way.
func IsExpress(choice string) bool {
	c := strings.ToLower(choice)
	for _, w := range []string{"express", "next day", "next-day", "overnight"} {
		if strings.Contains(c, w) {
			return true
		}
	}
	return false
}

// Orders reads the orders placed on a website.
type Orders interface {
	// Get returns the order with the platform's id, or
	// connector.ErrNotFound.
	Get(ctx context.Context, id string) (*Order, error)
	// List yields the orders changed at or after since (zero: every
	// order), oldest change first, so a poll resumes from the UpdatedAt of
	// the last order it saw (that order comes again). An order that cannot
	// be read is yielded as an error naming it and the list goes on if the
	// loop does; any other error ends the list.
	List(ctx context.Context, since time.Time) iter.Seq2[*Order, error]
	// FromWebhook returns the order that a verified order-created
	// delivery's body names: decoded from it, or read with Get where the
	// platform sends only the id (Square). A body that names no order is
	// connector.ErrInvalidResponse.
	FromWebhook(ctx context.Context, body []byte) (*Order, error)
}

// Shipment is what a flow tells the website once an order's label is
// bought.
type Shipment struct {
	Carrier        string // as the label names it: "USPS", "UPS", "DHL Express"
	TrackingNumber string
	TrackingURL    string // optional
	// Notify asks the platform to send the customer its own shipping
	// confirmation, where it has one (see Fulfilment.Notified).
	Notify bool
}

// Fulfilment is a shipment recorded against an order on the website.
type Fulfilment struct {
	// ID is the platform's id of the record: what Cancel takes.
	ID             string
	OrderID        string
	Carrier        string
	TrackingNumber string
	// Notified says the platform told the customer (its shipping
	// confirmation); false where it sends none, and the flow's own mail
	// is what the customer gets.
	Notified bool
	Raw      json.RawMessage
}

// Fulfilments tells the website that an order shipped, and takes it back.
type Fulfilments interface {
	// Fulfil records that the whole order shipped with the shipment's
	// carrier and tracking number. With an idempotency key, the same key
	// twice records it once, even when the first answer was lost after
	// the platform committed it. An unknown order is connector.ErrNotFound.
	Fulfil(ctx context.Context, orderID string, s Shipment, opts ...connector.CallOption) (*Fulfilment, error)
	// Cancel undoes a fulfilment, as when a later step of the flow failed
	// for good: the order is open (unfulfilled) again. Cancelling one
	// already cancelled is no error.
	Cancel(ctx context.Context, orderID, fulfilmentID string, opts ...connector.CallOption) error
}
