// Package shopify is the Shopify inventory connector, on the GraphQL Admin
// API (REST Admin is legacy since 2024-10): variants by SKU, locations,
// inventory levels with named quantities, and adjustments and sets, as the
// inventory interfaces.
//
// # Version
//
// The API version is pinned to 2026-01 (Version). It is the first version
// in which inventoryAdjustQuantities and inventorySetQuantities take the
// @idempotent(key:) directive, which makes an adjustment safe to repeat on
// Shopify's side: the same key twice applies it once. Older versions have
// no server-side idempotency for these mutations. 2026-04 makes the key
// mandatory; the connector sends one on every mutation already.
//
// # Throttling
//
// Shopify meters GraphQL by query cost in a leaky bucket (2,000 points,
// refilled at 100 a second on standard plans). The client reads
// extensions.cost from every answer, keeps its own view of the bucket, and
// waits before a query the bucket cannot afford, so a bulk job is not
// throttled. A THROTTLED answer (HTTP 200) is retried after the time the
// bucket needs to refill.
package shopify

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// Version is the Admin API version the connector is written for.
const Version = "2026-01"

// Config holds what is particular to one shop.
type Config struct {
	// Shop is the shop's domain, "example.myshopify.com", or a sandbox's URL.
	Shop string
	// Token is an Admin API access token (a custom app's).
	Token string
	// TokenSource, for public apps, gives the token from Shopify's OAuth
	// (a connector/oauth Source); it is sent as X-Shopify-Access-Token,
	// not as a Bearer token. Set Token or TokenSource.
	TokenSource oauth2.TokenSource
}

// Client is one shop.
type Client struct {
	*connector.Client
	Items     *ItemsService
	Locations *LocationsService
	Stock     *StockService

	gql *graphQL
}

var (
	_ inventory.Items     = (*ItemsService)(nil)
	_ inventory.Locations = (*LocationsService)(nil)
	_ inventory.Stock     = (*StockService)(nil)
)

// New builds a client for a shop. opts are the connector's.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Shop == "" || (cfg.Token == "") == (cfg.TokenSource == nil) {
		return nil, errors.New("shopify: Config.Shop and one of Config.Token or Config.TokenSource are required")
	}
	var auth connector.Auth = connector.APIKey("X-Shopify-Access-Token", cfg.Token)
	if cfg.TokenSource != nil {
		// Shopify takes the OAuth access token alone in its own header;
		// a token endpoint's failure is never ErrOutcomeUnknown.
		auth = connector.OAuth2Header("X-Shopify-Access-Token", cfg.TokenSource)
	}
	base := cfg.Shop
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		base = "https://" + base
	}
	c, err := connector.New(connector.Vendor{
		Name:    "shopify",
		BaseURL: base,
		// X-Shopify-Access-Token is a custom header: the connector keeps it
		// to the shop's host, redirects included.
		Auth:             auth,
		RequestIDHeaders: []string{"X-Request-Id"},
	}, opts...)
	if err != nil {
		return nil, err
	}
	g := &graphQL{c: c, path: "/admin/api/" + Version + "/graphql.json", bucket: &bucket{max: 2000, available: 2000, restore: 100, at: time.Now()},
		costs: map[string]float64{}}
	return &Client{Client: c, gql: g, Items: &ItemsService{g: g}, Locations: &LocationsService{g: g}, Stock: &StockService{g: g}}, nil
}

// bucket is the client's view of the shop's leaky bucket.
type bucket struct {
	mu        sync.Mutex
	max       float64
	available float64
	restore   float64 // points a second
	at        time.Time
}

// reserve takes cost points and returns how long to wait until they are
// there. Reserving (the balance may go below zero) makes concurrent
// callers queue behind each other instead of all seeing the same points
// and being throttled together.
func (b *bucket) reserve(cost float64) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.available = min(b.max, b.available+now.Sub(b.at).Seconds()*b.restore) - cost
	b.at = now
	if b.available >= 0 || b.restore <= 0 {
		return 0
	}
	return time.Duration(-b.available / b.restore * float64(time.Second))
}

// wait says how long until cost points are there, reserving nothing.
func (b *bucket) wait(cost float64) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	avail := min(b.max, b.available+time.Since(b.at).Seconds()*b.restore)
	if avail >= cost || b.restore <= 0 {
		return 0
	}
	return time.Duration((cost - avail) / b.restore * float64(time.Second))
}

// update takes the throttle status Shopify reported. Reservations made
// since the answer was computed are still outstanding, so the lower of
// the two views wins.
func (b *bucket) update(max, available, restore float64) {
	if max <= 0 || restore <= 0 {
		return
	}
	b.mu.Lock()
	now := time.Now()
	local := min(b.max, b.available+now.Sub(b.at).Seconds()*b.restore)
	b.max, b.restore, b.available, b.at = max, restore, min(local, available), now
	b.mu.Unlock()
}
