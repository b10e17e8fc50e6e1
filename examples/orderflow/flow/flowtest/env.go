// Package flowtest runs the order flow on the four vendor sandboxes
// (HubSpot, Shopify, Xero, Shippo), seeded with a catalogue, for the
// example program and for tests.
package flowtest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/accounting/stripe/stripetest"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
	"github.com/patchbay-go/patchbay/crm/pipedrive/pipedrivetest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/easypost"
	"github.com/patchbay-go/patchbay/shipping/easypost/easyposttest"
	"github.com/patchbay-go/patchbay/shipping/shipengine"
	"github.com/patchbay-go/patchbay/shipping/shipengine/shipenginetest"
	"github.com/patchbay-go/patchbay/shipping/shippo"
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

// Env is the sandboxes, clients on them, and the flow. A vendor given a
// real account (flowenv) has no sandbox here: its field is nil.
type Env struct {
	Flow    *flow.Flow
	Mailbox *flow.Mailbox

	HubSpot *hubspottest.Server
	Shopify *shopifytest.Server
	Xero    *xerotest.Server
	Shippo  *shippotest.Server
	// Stripe is the Stripe sandbox when Vendors.Accounting is "stripe", or
	// once UseStripe has moved accounting to it.
	Stripe *stripetest.Server
	// ShipEngine and EasyPost are the shipping sandbox when
	// Vendors.Shipping names them (Shippo otherwise).
	ShipEngine *shipenginetest.Server
	EasyPost   *easyposttest.Server
	// Pipedrive is the CRM sandbox when Vendors.CRM is "pipedrive"
	// (HubSpot otherwise).
	Pipedrive *pipedrivetest.Server
	// Vendors names the sandbox Fill starts for each system it fills.
	Vendors flowenv.Vendors

	transport *http.Transport
	client    *http.Client
	calls     *callCounter
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
var Each = []flowenv.Vendors{{}, {Shipping: "shipengine"}, {Shipping: "easypost"}, {CRM: "pipedrive"}}

// Name says which vendors v changes from the defaults ("defaults",
// "shipping=easypost").
func Name(v flowenv.Vendors) string {
	var parts []string
	for _, p := range [][2]string{{"crm", v.CRM}, {"inventory", v.Inventory}, {"accounting", v.Accounting}, {"shipping", v.Shipping}} {
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
// system sys leaves empty: HubSpot for the CRM, Shopify for inventory,
// Xero for accounting, Shippo for shipping. opts are connector options for
// every sandbox client.
func (e *Env) Fill(ctx context.Context, sys flow.Systems, opts ...connector.Option) error {
	opts = append([]connector.Option{connector.WithHTTPClient(e.client)}, opts...)
	v := e.Vendors.WithDefaults()
	if sys.Contacts == nil && v.CRM == "pipedrive" {
		e.Pipedrive = pipedrivetest.NewServer()
		e.count(e.Pipedrive.URL(), "pipedrive")
		pd, err := pipedrive.New(pipedrive.Config{BaseURL: e.Pipedrive.URL(), Auth: e.Pipedrive.Auth()}, opts...)
		if err != nil {
			return err
		}
		sys.Contacts, sys.Deals, sys.Notes = pd.Contacts, pd.Deals, pd.Notes
	}
	if sys.Contacts == nil {
		e.HubSpot = hubspottest.NewServer()
		e.count(e.HubSpot.URL(), "hubspot")
		hs, err := hubspot.New(hubspot.Config{BaseURL: e.HubSpot.URL(), Auth: e.HubSpot.Auth()}, opts...)
		if err != nil {
			return err
		}
		sys.Contacts, sys.Deals, sys.Notes = hs.Contacts, hs.Deals, hs.Notes
	}
	if sys.Stock == nil {
		e.Shopify = shopifytest.NewServer()
		e.count(e.Shopify.URL(), "shopify")
		for _, p := range Catalogue {
			e.Shopify.AddProduct(p.Title, p.SKU, p.Stock)
		}
		sh, err := shopify.New(shopify.Config{BaseURL: e.Shopify.URL(), Auth: e.Shopify.Auth()}, opts...)
		if err != nil {
			return err
		}
		sys.Items, sys.Stock, sys.LocationID = sh.Items, sh.Stock, e.Shopify.LocationID()
	}
	if sys.Invoices == nil && v.Accounting == "stripe" {
		if err := e.startStripe(&sys, opts); err != nil {
			return err
		}
	}
	if sys.Invoices == nil {
		e.Xero = xerotest.NewServer()
		e.count(e.Xero.URL(), "xero")
		e.count(e.Xero.Provider.URL, "xero-identity")
		xr, err := xero.New(xero.Config{BaseURL: e.Xero.URL(), Auth: e.Xero.Auth(), TenantID: e.Xero.TenantID()}, opts...)
		if err != nil {
			return err
		}
		sys.Customers, sys.Invoices, sys.AccountCode, sys.TaxCode = xr.Customers, xr.Invoices, xerotest.SalesAccount, xerotest.TaxType
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

// startCarrier starts the shipping sandbox of vendor and sets the flow's
// shipping on it.
func (e *Env) startCarrier(sys *flow.Systems, vendor string, opts []connector.Option) error {
	var rates shipping.Rates
	var labels shipping.Labels
	switch vendor {
	case "shipengine":
		e.ShipEngine = shipenginetest.NewServer()
		e.count(e.ShipEngine.URL(), "shipengine")
		c, err := shipengine.New(shipengine.Config{BaseURL: e.ShipEngine.URL(), Auth: e.ShipEngine.Auth()}, opts...)
		if err != nil {
			return err
		}
		rates, labels = c.Rates, c.Labels
	case "easypost":
		e.EasyPost = easyposttest.NewServer()
		e.count(e.EasyPost.URL(), "easypost")
		c, err := easypost.New(easypost.Config{BaseURL: e.EasyPost.URL(), Auth: e.EasyPost.Auth()}, opts...)
		if err != nil {
			return err
		}
		rates, labels = c.Rates, c.Labels
	default:
		e.Shippo = shippotest.NewServer()
		e.count(e.Shippo.URL(), "shippo")
		c, err := shippo.New(shippo.Config{BaseURL: e.Shippo.URL(), Auth: e.Shippo.Auth()}, opts...)
		if err != nil {
			return err
		}
		rates, labels = c.Rates, c.Labels
	}
	sys.Rates, sys.Labels = rates, labels
	return nil
}

// Carrier is what the flow's tests ask of the shipping sandbox, whichever
// it is.
type Carrier interface {
	Purchases() int
	FailLabels(on bool)
}

// Carrier returns the shipping sandbox running, or nil for a real carrier.
func (e *Env) Carrier() Carrier {
	switch {
	case e.ShipEngine != nil:
		return e.ShipEngine
	case e.EasyPost != nil:
		return e.EasyPost
	case e.Shippo != nil:
		return e.Shippo
	}
	return nil
}

// count names the vendor whose calls go to base, for Calls.
func (e *Env) count(base, vendor string) {
	e.calls.mu.Lock()
	e.calls.byHost[hostOf(base)] = vendor
	e.calls.mu.Unlock()
}

// UseStripe moves accounting to a Stripe sandbox: invoices are then
// Stripe's, with the sandbox's tax rate. opts are connector options, as for
// Start.
func (e *Env) UseStripe(opts ...connector.Option) error {
	return e.startStripe(&e.Flow.Systems, append([]connector.Option{connector.WithHTTPClient(e.client)}, opts...))
}

func (e *Env) startStripe(sys *flow.Systems, opts []connector.Option) error {
	e.Stripe = stripetest.NewServer()
	e.count(e.Stripe.URL(), "stripe")
	st, err := stripe.New(stripe.Config{BaseURL: e.Stripe.URL(), Auth: e.Stripe.Auth()}, opts...)
	if err != nil {
		return err
	}
	sys.Customers, sys.Invoices, sys.AccountCode, sys.TaxCode = st.Customers, st.Invoices, "", e.Stripe.TaxRate()
	return nil
}

// Sandboxes names the sandboxes running, with their URLs.
func (e *Env) Sandboxes() []string {
	var out []string
	for _, s := range e.running() {
		out = append(out, s.name+" "+s.URL())
	}
	return out
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

// running lists the sandboxes started: a real vendor has none.
func (e *Env) running() []namedSandbox {
	var out []namedSandbox
	if e.HubSpot != nil {
		out = append(out, namedSandbox{"HubSpot", e.HubSpot})
	}
	if e.Pipedrive != nil {
		out = append(out, namedSandbox{"Pipedrive", e.Pipedrive})
	}
	if e.Shopify != nil {
		out = append(out, namedSandbox{"Shopify", e.Shopify})
	}
	if e.Xero != nil {
		out = append(out, namedSandbox{"Xero", e.Xero})
	}
	if e.Stripe != nil {
		out = append(out, namedSandbox{"Stripe", e.Stripe})
	}
	if e.Shippo != nil {
		out = append(out, namedSandbox{"Shippo", e.Shippo})
	}
	if e.ShipEngine != nil {
		out = append(out, namedSandbox{"ShipEngine", e.ShipEngine})
	}
	if e.EasyPost != nil {
		out = append(out, namedSandbox{"EasyPost", e.EasyPost})
	}
	return out
}

// Warehouse is where parcels leave from.
var Warehouse = shipping.Address{Name: "Patchbay Warehouse", Company: "Patchbay", Street1: "215 Clayton St", City: "San Francisco",
	Region: "CA", PostalCode: "94117", Country: "US", Phone: "+1 555 341 9393", Email: "ops@example.com"}

// Close stops the sandboxes.
func (e *Env) Close() error {
	for _, s := range e.running() {
		s.Close()
	}
	e.transport.CloseIdleConnections()
	connector.SharedTransport().CloseIdleConnections()
	return nil
}

// Counts are the records the sandboxes hold: what the flow made.
type Counts struct {
	Contacts, Deals, Notes, Invoices, Labels, StockAdjustments, Emails int
}

func (c Counts) String() string {
	return fmt.Sprintf("%d contacts, %d deals, %d notes, %d invoices, %d labels, %d stock adjustments, %d emails",
		c.Contacts, c.Deals, c.Notes, c.Invoices, c.Labels, c.StockAdjustments, c.Emails)
}

// Counts reads the sandboxes' state; a vendor with no sandbox counts 0.
func (e *Env) Counts() Counts {
	c := Counts{Emails: len(e.Mailbox.Messages())}
	switch {
	case e.HubSpot != nil:
		c.Contacts, c.Deals, c.Notes = e.HubSpot.Count("contacts"), e.HubSpot.Count("deals"), e.HubSpot.Count("notes")
	case e.Pipedrive != nil:
		c.Contacts, c.Deals, c.Notes = e.Pipedrive.Count("persons"), e.Pipedrive.Count("deals"), e.Pipedrive.Count("notes")
	}
	switch {
	case e.Stripe != nil:
		c.Invoices = e.Stripe.InvoiceCount()
	case e.Xero != nil:
		c.Invoices = e.Xero.InvoiceCount()
	}
	if carrier := e.Carrier(); carrier != nil {
		c.Labels = carrier.Purchases()
	}
	if e.Shopify != nil {
		c.StockAdjustments = e.Shopify.Adjustments()
	}
	return c
}

// Order makes a sample order.
func Order(id string, lines ...flow.Line) flow.Order {
	return flow.Order{ID: id, Currency: "NZD", ServiceLevel: "standard",
		Customer: flow.Customer{Email: "customer-" + id + "@example.com", FirstName: "Ada", LastName: "Lovelace " + id},
		ShipTo: shipping.Address{Name: "Ada Lovelace", Street1: "965 Mission St", City: "San Francisco", Region: "CA",
			PostalCode: "94103", Country: "US"},
		Lines: lines}
}

// callCounter counts the HTTP requests that reach each vendor: API calls
// on the wire, retries included.
type callCounter struct {
	next   http.RoundTripper
	byHost map[string]string
	mu     sync.Mutex
	counts map[string]int
	total  int
	status map[string]int // "hubspot 429", "xero 503", "shopify error"
	kill   func()         // called when total reaches killAt
	killAt int
	before bool // kill before that call is sent, not after it committed
}

func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	vendor := c.byHost[r.URL.Host]
	if vendor == "" {
		vendor = r.URL.Host // a vendor moved off its sandbox
	}
	c.counts[vendor]++
	c.total++
	var kill func()
	if c.kill != nil && c.total == c.killAt {
		kill, c.kill = c.kill, nil
	}
	before := c.before
	c.mu.Unlock()
	if kill != nil && before {
		kill()
		return nil, context.Canceled
	}
	resp, err := c.next.RoundTrip(r)
	if kill != nil {
		kill()
		if err == nil {
			resp.Body.Close()
		}
		return nil, context.Canceled
	}
	switch {
	case err != nil:
		c.note(vendor + " error")
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		c.note(vendor + " " + strconv.Itoa(resp.StatusCode))
	}
	return resp, err
}

func (c *callCounter) note(what string) {
	c.mu.Lock()
	c.status[what]++
	c.mu.Unlock()
}

// Failures returns the vendor answers that make the client retry or back
// off, by vendor and status ("shopify 429", "xero 503", "hubspot error"
// for a connection that failed).
func (e *Env) Failures() map[string]int {
	e.calls.mu.Lock()
	defer e.calls.mu.Unlock()
	return maps.Clone(e.calls.status)
}

// HTTPClient is the client every vendor call goes through (counted, and
// with Chaos in its path), for clients built outside Start.
func (e *Env) HTTPClient() *http.Client { return e.client }

// KillAfter calls kill (a context's cancel) once the nth vendor call from
// now has reached its vendor, the way a crash lands in the middle of a
// step: that call commits, its answer is never read, and every other call
// in flight ends.
func (e *Env) KillAfter(n int, kill func()) {
	e.calls.mu.Lock()
	defer e.calls.mu.Unlock()
	e.calls.kill, e.calls.killAt, e.calls.before = kill, e.calls.total+n, false
}

// KillBefore calls kill as the nth vendor call from now is about to be
// sent: that call never reaches its vendor.
func (e *Env) KillBefore(n int, kill func()) {
	e.calls.mu.Lock()
	defer e.calls.mu.Unlock()
	e.calls.kill, e.calls.killAt, e.calls.before = kill, e.calls.total+n, true
}

// Calls returns the API calls made to each vendor so far.
func (e *Env) Calls() map[string]int {
	e.calls.mu.Lock()
	defer e.calls.mu.Unlock()
	return maps.Clone(e.calls.counts)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}
