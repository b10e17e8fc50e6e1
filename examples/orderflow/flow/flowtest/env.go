// Package flowtest runs the order flow on the vendor sandboxes (by
// default HubSpot, Shopify, Xero and Shippo), seeded with a catalogue, for
// the example program and for tests.
package flowtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
	"github.com/patchbay-go/patchbay/accounting/stripe/stripetest"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
	"github.com/patchbay-go/patchbay/crm/pipedrive/pipedrivetest"
	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
	"github.com/patchbay-go/patchbay/inventory/square/squaretest"
	"github.com/patchbay-go/patchbay/inventory/woocommerce/woocommercetest"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/easypost/easyposttest"
	"github.com/patchbay-go/patchbay/shipping/shipengine/shipenginetest"
	"github.com/patchbay-go/patchbay/shipping/shippo/shippotest"
)

// Product is a catalogue entry the shop is stocked with.
type Product struct {
	SKU, Title string
	Stock      int
}

// Catalogue is what the sandbox shop sells.
var Catalogue = []Product{
	{"TEE-BLK-M", "Patchbay T-shirt, black, M", 500},
	{"TEE-WHT-L", "Patchbay T-shirt, white, L", 500},
	{"MUG-001", "Patchbay mug", 300},
	{"CABLE-3M", "Patch cable, 3 m", 1000},
	{"LAST-ONE", "Signed poster (one left)", 1},
}

// Env is the sandboxes, clients on them, and the flow. Each system has
// one sandbox, of the vendor Vendors names; the others' fields are nil,
// as is a vendor given a real account (flowenv).
type Env struct {
	Flow    *flow.Flow
	Mailbox *flow.Mailbox

	// The CRM: HubSpot by default.
	HubSpot    *hubspottest.Server
	Pipedrive  *pipedrivetest.Server
	Salesforce *salesforcetest.Server
	// Inventory, and the website's shop: Shopify by default
	// (Vendors.Inventory). A source that is not the inventory
	// (Vendors.Sources) has a sandbox of its own.
	Shopify     *shopifytest.Server
	Square      *squaretest.Server
	WooCommerce *woocommercetest.Server
	// Accounting: Xero by default. Stripe is also the sandbox UseStripe
	// moves accounting to.
	Xero       *xerotest.Server
	Stripe     *stripetest.Server
	QuickBooks *quickbookstest.Server
	// Shipping: Shippo by default. ShipEngine serves ShipStation API v2
	// too, for Vendors.Shipping "shipstation".
	Shippo     *shippotest.Server
	ShipEngine *shipenginetest.Server
	EasyPost   *easyposttest.Server

	// Vendors names the sandbox Fill starts for each system it fills.
	Vendors flowenv.Vendors

	started []namedSandbox
	shared  map[string]string           // Variables
	shop    *shopify.Client             // Shop
	orders  map[string]inventory.Orders // Orders, by platform

	mu              sync.Mutex
	squareItems     map[string]string // variation ids by SKU
	squareOrders    []string          // placed by PlaceOrder
	squareCheckouts int               // the inventory changes their checkouts made
	wooProducts     map[string]int64  // product ids by SKU
	wooOrders       []int64           // placed by PlaceOrder
	transport       *http.Transport
	client          *http.Client
	calls           *callCounter
	// Chaos injects faults into every vendor call, off (rate 0) until
	// SetRate is called.
	Chaos *connectortest.Chaos
}

// Start starts and seeds the four sandboxes and wires a flow to them. opts
// are connector options for every client (a logger, a retry policy).
func Start(ctx context.Context, opts ...connector.Option) (*Env, error) {
	return StartWith(ctx, flowenv.Vendors{}, opts...)
}

// StartWith is Start with the sandboxes of the vendors v names.
func StartWith(ctx context.Context, v flowenv.Vendors, opts ...connector.Option) (*Env, error) {
	e := NewEnv()
	e.Vendors = v
	if err := e.Fill(ctx, flow.Systems{}, opts...); err != nil {
		return nil, errors.Join(err, e.Close())
	}
	return e, nil
}

// Each is every vendor the flow can run with, one changed from the
// defaults at a time, for the tests that prove the flow with each.
var Each = []flowenv.Vendors{{}, {Shipping: "shipengine"}, {Shipping: "shipstation"}, {Shipping: "easypost"}, {CRM: "pipedrive"},
	{CRM: "salesforce"}, {Accounting: "quickbooks"}, {Accounting: "stripe"}, {Inventory: "square"}, {Inventory: "woocommerce"}}

// EachSource is every platform as the website's shop, for the tests
// that prove the flow on orders placed there (PlaceAndRead): Shopify,
// Square and WooCommerce each holding the stock (the shop took it at
// checkout: the flow checks it, then tells the shop the order shipped),
// and WooCommerce's orders for stock kept at Shopify (the flow takes it).
var EachSource = []flowenv.Vendors{{Sources: []string{"shopify"}}, {Inventory: "square", Sources: []string{"square"}},
	{Inventory: "woocommerce", Sources: []string{"woocommerce"}}, {Sources: []string{"woocommerce"}}}

// Name says which vendors v changes from the defaults ("defaults",
// "shipping=easypost").
func Name(v flowenv.Vendors) string {
	var parts []string
	for _, p := range [][2]string{{"crm", v.CRM}, {"inventory", v.Inventory}, {"source", strings.Join(v.Sources, "+")}, {"accounting", v.Accounting}, {"shipping", v.Shipping}} {
		if p[1] != "" {
			parts = append(parts, p[0]+"="+p[1])
		}
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, ",")
}

// NewEnv makes an environment with no sandbox yet: its HTTPClient counts
// every vendor call (and carries Chaos), for clients of real accounts
// built before Fill.
func NewEnv() *Env {
	e := &Env{Mailbox: flow.NewMailbox(), transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	e.Chaos = connectortest.NewChaos(e.transport, 0, 1)
	e.calls = &callCounter{next: e.Chaos, byHost: map[string]string{}, counts: map[string]int{}, status: map[string]int{}}
	e.client = &http.Client{Transport: e.calls}
	return e
}

// Fill wires the flow to sys, starting a sandbox (seeded) only for each
// system sys leaves empty, of the vendor Vendors names. opts are connector
// options for every sandbox client.
func (e *Env) Fill(ctx context.Context, sys flow.Systems, opts ...connector.Option) error {
	opts = append([]connector.Option{connector.WithHTTPClient(e.client)}, opts...)
	v := e.Vendors.WithDefaults()
	if sys.Contacts == nil {
		if err := e.startCRM(&sys, v.CRM, opts); err != nil {
			return err
		}
	}
	if sys.Stock == nil {
		if err := e.startPlatform(&sys, v.Inventory, true, opts); err != nil {
			return err
		}
	}
	for _, src := range v.Sources {
		if src == v.Inventory || sys.Shops[src] != nil {
			continue
		}
		if err := e.startPlatform(&sys, src, false, opts); err != nil {
			return err
		}
	}
	if sys.Invoices == nil {
		if err := e.startAccounting(&sys, v.Accounting, opts); err != nil {
			return err
		}
	}
	if sys.Labels == nil {
		if err := e.startCarrier(&sys, v.Shipping, opts); err != nil {
			return err
		}
	}
	if sys.ShipFrom.Street1 == "" {
		sys.ShipFrom = Warehouse
	}
	if sys.Parcel.Weight.IsZero() {
		sys.Parcel = shipping.Parcel{Length: decimal.MustParse("30"), Width: decimal.MustParse("20"), Height: decimal.MustParse("10"),
			DistanceUnit: shipping.Centimeter, Weight: decimal.MustParse("0.8"), MassUnit: shipping.Kilogram}
	}
	if sys.Mail == nil {
		sys.Mail = e.Mailbox
	}
	e.Flow = &flow.Flow{Journal: flow.NewMemoryJournal(), Systems: sys}
	_ = ctx
	return nil
}

// unknownVendor is the error for a vendor name no sandbox here serves.
func unknownVendor(system, vendor string) error {
	return fmt.Errorf("flowtest: no %s sandbox for %q", system, vendor)
}

// sandbox is what every vendor sandbox has (connectortest.Sandbox).
type sandbox interface {
	URL() string
	Close()
}

type namedSandbox struct {
	name string
	sandbox
}

// track records a sandbox: its calls are counted under vendor, and Close
// stops it.
func (e *Env) track(title, vendor string, s sandbox) {
	e.started = append(e.started, namedSandbox{title, s})
	e.count(s.URL(), vendor)
}

// Sandboxes names the sandboxes running, with their URLs.
func (e *Env) Sandboxes() []string {
	var out []string
	for _, s := range e.started {
		out = append(out, s.name+" "+s.URL())
	}
	return out
}

// Requests counts the requests each sandbox running here has answered,
// by vendor name: the API calls of every process that shares them.
func (e *Env) Requests() map[string]int {
	out := map[string]int{}
	for _, s := range e.started {
		if r, ok := s.sandbox.(interface{ Requests() int }); ok {
			out[s.name] = r.Requests()
		}
	}
	return out
}

// Warehouse is where parcels leave from.
var Warehouse = shipping.Address{Name: "Patchbay Warehouse", Company: "Patchbay", Street1: "215 Clayton St", City: "San Francisco",
	Region: "CA", PostalCode: "94117", Country: "US", Phone: "+1 555 341 9393", Email: "ops@example.com"}

// Close stops the sandboxes.
func (e *Env) Close() error {
	for _, s := range e.started {
		s.Close()
	}
	e.transport.CloseIdleConnections()
	connector.SharedTransport().CloseIdleConnections()
	return nil
}

// Counts are the records the sandboxes hold: what the flow made.
type Counts struct {
	Contacts, Deals, Notes, Invoices, Labels, Emails int
	// StockAdjustments are the flow's changes to stock (not the shops'
	// own at checkout): Shopify counts one per adjustment call, Square
	// and WooCommerce one per item changed.
	StockAdjustments int
	// Fulfilments are the shops' records that their orders shipped (those
	// not cancelled): one per order placed on a shop. Square's and
	// WooCommerce's count the orders PlaceOrder placed.
	Fulfilments int
}

func (c Counts) String() string {
	return fmt.Sprintf("%d contacts, %d deals, %d notes, %d invoices, %d labels, %d stock adjustments, %d emails, %d fulfilments",
		c.Contacts, c.Deals, c.Notes, c.Invoices, c.Labels, c.StockAdjustments, c.Emails, c.Fulfilments)
}

// Counts reads the sandboxes' state; a vendor with no sandbox counts 0.
func (e *Env) Counts() Counts {
	c := Counts{Emails: len(e.Mailbox.Messages())}
	c.Contacts, c.Deals, c.Notes = e.crmCounts()
	c.Invoices = e.invoiceCount()
	if carrier := e.Carrier(); carrier != nil {
		c.Labels = carrier.Purchases()
	}
	c.StockAdjustments, c.Fulfilments = e.shopCounts()
	return c
}

// Order makes a sample order, from no platform.
func Order(id string, lines ...inventory.OrderLine) flow.Order {
	return flow.Order{ID: id, Order: inventory.Order{Currency: "NZD",
		Customer: inventory.Customer{Email: "customer-" + id + "@example.com", FirstName: "Ada", LastName: "Lovelace " + id},
		ShipTo: shipping.Address{Name: "Ada Lovelace", Street1: "965 Mission St", City: "San Francisco", Region: "CA",
			PostalCode: "94103", Country: "US"},
		Lines: lines}}
}
