package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// APIVersion is the Admin API version the connector is written for. It is
// in the path of every call (/admin/api/2026-01/graphql.json), as Shopify
// versions its API.
const APIVersion = "2026-01"

// Config holds what is particular to one shop.
type Config struct {
	// BaseURL is the shop's URL, "https://example.myshopify.com" (a bare
	// "example.myshopify.com" gets https://), or a shopifytest sandbox's
	// URL(). Every shop has its own: there is no default. Required.
	BaseURL string
	// Auth is the shop's Admin API access token: AccessToken(token) for a
	// custom app's, OAuth(ts) for a public app's from Shopify's OAuth (a
	// connector/oauth Source). Required.
	Auth connector.Auth
}

// AccessToken is a custom app's Admin API access token, sent as
// X-Shopify-Access-Token.
func AccessToken(token string) connector.Auth {
	return connector.APIKey(accessTokenHeader, token)
}

// OAuth sends the access token from ts (a public app's, from Shopify's
// OAuth; a connector/oauth Source) alone in X-Shopify-Access-Token, not as
// a Bearer token. A failure of ts means nothing was sent: it is never
// connector.ErrOutcomeUnknown.
func OAuth(ts oauth2.TokenSource) connector.Auth {
	return connector.OAuth2Header(accessTokenHeader, ts)
}

const accessTokenHeader = "X-Shopify-Access-Token"

// Client is one shop.
type Client struct {
	*connector.Client // Do: any endpoint the services do not cover yet
	Items             *ItemsService
	Locations         *LocationsService
	Stock             *StockService
	Orders            *OrdersService      // the shop's orders: one by id, a poll that catches missed webhooks, a webhook's
	Fulfilments       *FulfilmentsService // an order shipped, with its tracking number, and taken back

	gql *graphQL
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
		return nil, errors.New("shopify: Config.BaseURL is required: the shop's URL, https://example.myshopify.com")
	}
	if cfg.Auth == nil {
		return nil, errors.New("shopify: Config.Auth is required: AccessToken(token) or OAuth(tokenSource)")
	}
	base := cfg.BaseURL
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		base = "https://" + base
	}
	c, err := connector.New(connector.Vendor{
		Name:    "shopify",
		BaseURL: base,
		// X-Shopify-Access-Token is a custom header: the connector keeps it
		// to the shop's host, redirects included.
		Auth:             cfg.Auth,
		DecodeError:      decodeError,
		RequestIDHeaders: []string{"X-Request-Id"},
	}, opts...)
	if err != nil {
		return nil, err
	}
	g := &graphQL{c: c, path: "/admin/api/" + APIVersion + "/graphql.json", bucket: newBucket(2000, 100),
		costs: map[string]float64{}}
	return &Client{Client: c, gql: g, Items: &ItemsService{g: g}, Locations: &LocationsService{g: g}, Stock: &StockService{g: g}, Orders: &OrdersService{g: g},
		Fulfilments: &FulfilmentsService{g: g}}, nil
}

// graphQL sends documents to the Admin API with cost pacing.
type graphQL struct {
	c      *connector.Client
	path   string
	bucket *bucket

	mu    sync.Mutex
	costs map[string]float64 // last requested cost by operation, the estimate for the next
}

// maxThrottledRetries bounds the waits on THROTTLED answers.
const maxThrottledRetries = 5

// do sends one operation and decodes its data into out. Top-level errors
// become typed errors; THROTTLED is waited out and retried.
func (g *graphQL) do(ctx context.Context, opName, doc string, vars map[string]any, out any, opts ...connector.CallOption) error {
	for attempt := 1; ; attempt++ {
		g.mu.Lock()
		estimate := g.costs[opName]
		g.mu.Unlock()
		if estimate == 0 {
			estimate = 10
		}
		ticket, err := g.bucket.take(ctx, estimate, opName)
		if err != nil {
			return err
		}
		// Other processes on the shop (connector.WithSharedBudget) spend
		// the same bucket, unseen by this one's view until the next report.
		shared := g.c.SharedBudget()
		if shared != nil {
			if tooLong, err := shared.Wait(ctx, g.bucket.limit(), estimate); err != nil || tooLong > 0 {
				g.bucket.release(estimate)
				if err != nil {
					return err
				}
				return &connector.APIError{Vendor: "shopify", Op: opName, Kind: connector.ErrRateLimited, RetryAfter: tooLong,
					Message: "the shop's query budget, shared with other processes, refills after the context deadline"}
			}
		}
		var resp struct {
			Data       json.RawMessage `json:"data"`
			Errors     json.RawMessage `json:"errors"`
			Extensions costExtension   `json:"extensions"`
		}
		body := map[string]any{"query": doc, "variables": vars, "operationName": opName}
		callOpts := append(opts, connector.WithOperation(opName))
		if strings.HasPrefix(strings.TrimSpace(doc), "query") {
			// A query changes nothing: it is safe to retry though it is a POST.
			callOpts = append(callOpts, connector.WithReplayable())
		}
		err = g.c.JSON(ctx, http.MethodPost, g.path, body, &resp, callOpts...)
		g.bucket.release(estimate)
		if err != nil {
			return err
		}
		if c := resp.Extensions.Cost; c != nil {
			ts := c.ThrottleStatus
			g.bucket.update(ticket, ts.MaximumAvailable, ts.CurrentlyAvailable, ts.RestoreRate)
			if shared != nil && ts.MaximumAvailable > 0 && ts.RestoreRate > 0 {
				// The shop charged the actual cost (nothing if throttled),
				// not the estimate taken.
				charged := 0.0
				if c.ActualQueryCost != nil {
					charged = *c.ActualQueryCost
				}
				shared.Settle(ctx, connector.Limit{Burst: ts.MaximumAvailable, PerSecond: ts.RestoreRate},
					charged-estimate, ts.CurrentlyAvailable)
			}
			g.mu.Lock()
			g.costs[opName] = c.RequestedQueryCost
			g.mu.Unlock()
		}
		errs := decodeErrors(resp.Errors)
		if throttled(errs) {
			if attempt > maxThrottledRetries {
				return &connector.APIError{Vendor: "shopify", Op: opName, StatusCode: http.StatusOK, Code: "THROTTLED",
					Kind: connector.ErrRateLimited, Message: "throttled after " + fmt.Sprint(maxThrottledRetries) + " waits",
					RetryAfter: g.bucket.wait(estimate)}
			}
			continue // the next round waits for the bucket
		}
		if len(errs) > 0 {
			return toAPIError(opName, errs, g.c.Redact)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(resp.Data, out); err != nil {
			return &connector.APIError{Vendor: "shopify", Op: opName, Kind: connector.ErrInvalidResponse, Message: "data could not be decoded"}
		}
		return nil
	}
}
