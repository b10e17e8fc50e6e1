package woocommerce

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"iter"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// APIVersion is the WooCommerce REST API namespace the connector speaks:
// every path is under /wp-json/wc/v3.
const APIVersion = "wc/v3"

// apiRoot is where the REST API lives under the shop's site URL.
const apiRoot = "/wp-json/" + APIVersion

// vendorName names WooCommerce in errors and logs.
const vendorName = "woocommerce"

// Config holds what is particular to one shop.
type Config struct {
	// BaseURL is the shop's site URL, "https://shop.example.com" (the
	// WordPress site, not the REST root: the client adds /wp-json/wc/v3),
	// or a woocommercetest sandbox's URL(). Every shop has its own: there
	// is no default. Plain http is refused but on a loopback host, since
	// the consumer secret would travel in the clear. Required.
	BaseURL string
	// Auth is the shop's REST API key: ConsumerKey(key, secret). Required.
	Auth connector.Auth
}

// ConsumerKey is a WooCommerce REST API key (WooCommerce > Settings >
// Advanced > REST API), sent as HTTP Basic over HTTPS: the consumer key
// as the user name, the consumer secret as the password. Both are kept
// out of errors and logs.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-https
//
// The query-string form (consumer_key and consumer_secret in the URL, for
// servers that strip the Authorization header) is not supported: a secret
// in a URL ends up in access logs and proxies.
func ConsumerKey(key, secret string) connector.Auth {
	token := base64.StdEncoding.EncodeToString([]byte(key + ":" + secret))
	return consumerKey{key: key, secret: secret, value: []string{"Basic " + token}, token: token}
}

type consumerKey struct {
	key, secret, token string
	value              []string
}

// Apply sets the Basic header and registers the key, the secret and the
// encoded pair with the redactor: an error page that echoes any of them
// is redacted.
func (a consumerKey) Apply(req *http.Request, r *connector.Redactor) error {
	r.Add(a.key)
	r.Add(a.secret)
	r.Add(a.token)
	req.Header["Authorization"] = a.value
	return nil
}

// Client is one shop.
type Client struct {
	*connector.Client // Do: any endpoint the services do not cover yet
	Items             *ItemsService
	Locations         *LocationsService
	Stock             *StockService
	Orders            *OrdersService
	Fulfilments       *FulfilmentsService
}

var (
	_ connector.Connector   = (*Client)(nil)
	_ inventory.Items       = (*ItemsService)(nil)
	_ inventory.Locations   = (*LocationsService)(nil)
	_ inventory.Stock       = (*StockService)(nil)
	_ inventory.Orders      = (*OrdersService)(nil)
	_ inventory.Fulfilments = (*FulfilmentsService)(nil)
)

// New builds a client for a shop. opts are the connector's.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("woocommerce: Config.BaseURL is required: the shop's site URL, https://shop.example.com")
	}
	if cfg.Auth == nil {
		return nil, errors.New("woocommerce: Config.Auth is required: ConsumerKey(key, secret)")
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		base = "https://" + base
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, errors.New("woocommerce: Config.BaseURL is not a URL: " + cfg.BaseURL)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		// WooCommerce takes Basic auth only over HTTPS; over HTTP it wants
		// OAuth 1.0a signatures, which this connector does not make.
		return nil, errors.New("woocommerce: Config.BaseURL must be https: the consumer secret would be sent in the clear")
	}
	c, err := connector.New(connector.Vendor{
		Name:        vendorName,
		BaseURL:     base + apiRoot,
		Auth:        cfg.Auth,
		DecodeError: decodeError,
	}, opts...)
	if err != nil {
		return nil, err
	}
	a := &api{c: c}
	stock := &StockService{a: a}
	return &Client{Client: c, Items: &ItemsService{a: a}, Locations: &LocationsService{}, Stock: stock,
		Orders: &OrdersService{a: a}, Fulfilments: &FulfilmentsService{a: a}}, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// api is the shared transport of the services, with the per-item locks
// that serialise read-compute-set stock changes within the client.
type api struct {
	c *connector.Client

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// lock serialises stock changes to one item within this client.
func (a *api) lock(itemID string) func() {
	a.mu.Lock()
	if a.locks == nil {
		a.locks = map[string]*sync.Mutex{}
	}
	m := a.locks[itemID]
	if m == nil {
		m = &sync.Mutex{}
		a.locks[itemID] = m
	}
	a.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// page is one page of a collection: the raw items and the total pages
// WooCommerce reports in X-WP-TotalPages (-1 where the header did not
// come: some caching proxies drop it).
type page struct {
	items      []json.RawMessage
	totalPages int
}

// list reads one page of a collection at path with query q.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#pagination
func (a *api) list(ctx context.Context, path string, q url.Values, op string) (page, error) {
	req, err := a.c.NewRequest(ctx, http.MethodGet, path+"?"+q.Encode(), nil)
	if err != nil {
		return page{}, err
	}
	resp, err := a.c.Do(ctx, req, connector.WithOperation(op))
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	var items []json.RawMessage
	if err := connector.DecodeJSON(resp.Body, &items); err != nil {
		return page{}, &connector.APIError{Vendor: vendorName, Op: op, StatusCode: resp.StatusCode, Kind: connector.ErrInvalidResponse,
			Message: "the answer is no JSON array"}
	}
	total, err := strconv.Atoi(resp.Header.Get("X-WP-TotalPages"))
	if err != nil {
		total = -1 // stripped by a proxy: go on while pages are full
	}
	return page{items: items, totalPages: total}, nil
}

// all yields every item of a collection, per_page 100 (WooCommerce's
// maximum), following X-WP-TotalPages; without it, until a page is not
// full.
func (a *api) all(ctx context.Context, path string, q url.Values, op string) iter.Seq2[json.RawMessage, error] {
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[json.RawMessage], error) {
		n := 1
		if cursor != "" {
			n, _ = strconv.Atoi(cursor)
		}
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("per_page", strconv.Itoa(perPage))
		pq.Set("page", strconv.Itoa(n))
		p, err := a.list(ctx, path, pq, op)
		if err != nil {
			return connector.Page[json.RawMessage]{}, err
		}
		out := connector.Page[json.RawMessage]{Items: p.items}
		if len(p.items) > 0 && (n < p.totalPages || p.totalPages < 0 && len(p.items) == perPage) {
			out.Next = strconv.Itoa(n + 1)
		}
		return out, nil
	})
}

// perPage is WooCommerce's largest page.
const perPage = 100
