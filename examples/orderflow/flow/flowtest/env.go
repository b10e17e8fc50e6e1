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
	"sync"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/accounting/stripe/stripetest"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/shipping"
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

// Env is the four sandboxes, clients on them, and the flow.
type Env struct {
	Flow    *flow.Flow
	Mailbox *flow.Mailbox

	HubSpot *hubspottest.Server
	Shopify *shopifytest.Server
	Xero    *xerotest.Server
	Shippo  *shippotest.Server
	// Stripe is the Stripe sandbox once UseStripe has moved accounting to it.
	Stripe *stripetest.Server

	transport *http.Transport
	client    *http.Client
	calls     *callCounter
	// Chaos injects faults into every vendor call, off (rate 0) until
	// SetRate is called.
	Chaos *connectortest.Chaos
}

// Start starts and seeds the sandboxes and wires a flow to them. opts are
// connector options for every client (a logger, a retry policy).
func Start(ctx context.Context, opts ...connector.Option) (*Env, error) {
	e := &Env{HubSpot: hubspottest.NewServer(), Shopify: shopifytest.NewServer(), Xero: xerotest.NewServer(),
		Shippo: shippotest.NewServer(), Mailbox: flow.NewMailbox(),
		transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, p := range Catalogue {
		e.Shopify.AddProduct(p.Title, p.SKU, p.Stock)
	}
	e.Chaos = connectortest.NewChaos(e.transport, 0, 1)
	e.calls = &callCounter{next: e.Chaos, byHost: map[string]string{
		hostOf(e.HubSpot.URL): "hubspot", hostOf(e.Shopify.URL): "shopify", hostOf(e.Xero.URL): "xero",
		hostOf(e.Xero.Provider.URL): "xero-identity", hostOf(e.Shippo.URL): "shippo"}, counts: map[string]int{}, status: map[string]int{}}
	hc := &http.Client{Transport: e.calls}
	e.client = hc
	opts = append([]connector.Option{connector.WithHTTPClient(hc)}, opts...)

	hs, err := hubspot.New(hubspot.Config{BaseURL: e.HubSpot.URL, Auth: connector.Bearer(e.HubSpot.Token())}, opts...)
	if err != nil {
		return nil, errors.Join(err, e.Close())
	}
	sh, err := shopify.New(shopify.Config{Shop: e.Shopify.URL, Token: e.Shopify.Token()}, opts...)
	if err != nil {
		return nil, errors.Join(err, e.Close())
	}
	src, err := oauth.NewSource(oauth.Config{OAuth2: e.Xero.OAuthConfig(), Store: oauth.NewMemoryStore(e.Xero.Connect()), HTTPClient: hc})
	if err != nil {
		return nil, errors.Join(err, e.Close())
	}
	xr, err := xero.New(xero.Config{BaseURL: e.Xero.APIURL(), TenantID: e.Xero.TenantID(), Auth: connector.OAuth2(src)}, opts...)
	if err != nil {
		return nil, errors.Join(err, e.Close())
	}
	sp, err := shippo.New(shippo.Config{BaseURL: e.Shippo.URL, Token: e.Shippo.Token()}, opts...)
	if err != nil {
		return nil, errors.Join(err, e.Close())
	}
	e.Flow = &flow.Flow{Journal: flow.NewMemoryJournal(), Systems: flow.Systems{
		Contacts: hs.Contacts, Deals: hs.Deals, Notes: hs.Notes,
		Items: sh.Items, Stock: sh.Stock, LocationID: e.Shopify.LocationID(),
		Customers: xr.Customers, Invoices: xr.Invoices, AccountCode: xerotest.SalesAccount, TaxCode: xerotest.TaxType,
		Rates: sp.Rates, Labels: sp.Labels, ShipFrom: Warehouse,
		Parcel: shipping.Parcel{Length: decimal.MustParse("30"), Width: decimal.MustParse("20"), Height: decimal.MustParse("10"),
			DistanceUnit: shipping.Centimeter, Weight: decimal.MustParse("0.8"), MassUnit: shipping.Kilogram},
		Mail: e.Mailbox,
	}}
	_ = ctx
	return e, nil
}

// UseStripe moves accounting from Xero to a Stripe sandbox: invoices are
// then Stripe's, with the sandbox's tax rate. opts are connector options,
// as for Start.
func (e *Env) UseStripe(opts ...connector.Option) error {
	e.Stripe = stripetest.NewServer()
	e.calls.mu.Lock()
	e.calls.byHost[hostOf(e.Stripe.URL)] = "stripe"
	e.calls.mu.Unlock()
	st, err := stripe.New(stripe.Config{Key: e.Stripe.Key(), BaseURL: e.Stripe.URL}, append([]connector.Option{connector.WithHTTPClient(e.client)}, opts...)...)
	if err != nil {
		return err
	}
	e.Flow.Customers, e.Flow.Invoices, e.Flow.AccountCode, e.Flow.TaxCode = st.Customers, st.Invoices, "", e.Stripe.TaxRate()
	return nil
}

// Warehouse is where parcels leave from.
var Warehouse = shipping.Address{Name: "Patchbay Warehouse", Company: "Patchbay", Street1: "215 Clayton St", City: "San Francisco",
	Region: "CA", PostalCode: "94117", Country: "US", Phone: "+1 555 341 9393", Email: "ops@example.com"}

// Close stops the sandboxes.
func (e *Env) Close() error {
	e.HubSpot.Close()
	e.Shopify.Close()
	e.Xero.Close()
	e.Shippo.Close()
	if e.Stripe != nil {
		e.Stripe.Close()
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

// Counts reads the sandboxes' state.
func (e *Env) Counts() Counts {
	return Counts{Contacts: e.HubSpot.Count("contacts"), Deals: e.HubSpot.Count("deals"), Notes: e.HubSpot.Count("notes"), Invoices: e.invoiceCount(),
		Labels: e.Shippo.Purchases(), StockAdjustments: e.Shopify.Adjustments(), Emails: len(e.Mailbox.Messages())}
}

func (e *Env) invoiceCount() int {
	if e.Stripe != nil {
		return e.Stripe.InvoiceCount()
	}
	return e.Xero.InvoiceCount()
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
