// Package shopifytest is a stateful in-memory Shopify GraphQL Admin API for
// tests and demos. It parses every document with gqlparser, optionally
// validates it against the official Admin schema (WithSchema), and
// executes the operations the connector uses: productVariants,
// inventoryItem with its levels and named quantities, locations,
// inventoryAdjustQuantities and inventorySetQuantities, honouring
// @idempotent(key:); orders and order, over the orders placed with
// PlaceOrder (filtered by updated_at, sorted, paged), each with a
// fulfillment order; and fulfillmentCreate and fulfillmentCancel (also
// under @idempotent), fulfillment, with Shipped to look inside and
// LoseNextAnswer to lose a committed answer. It does Shopify's
// cost accounting (a leaky bucket of 2,000 points restoring 100 a
// second), answers THROTTLED with the real extensions.cost shape, has
// fault switches (WithDroppedWebhooks among them: orders placed whose
// webhook never comes), and sends webhooks signed as Shopify signs them.
//
//	srv := shopifytest.NewServer()
//	defer srv.Close()
//	client, _ := shopify.New(shopify.Config{BaseURL: srv.URL(), Auth: srv.Auth()})
//
// It listens on 127.0.0.1 only.
package shopifytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// SetPlan sets the query-cost bucket: its size and the points it regains
// each second. Shopify's standard plan regains 100 points a second, Plus
// 1,000 (https://shopify.dev/docs/api/usage/limits).
func (s *Server) SetPlan(bucket, restorePerSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucketSize, s.restoreRate, s.available = bucket, restorePerSecond, bucket
}

// Bucket numbers of Shopify's standard plan; SetPlan changes them.
const (
	bucketSize  = 2000.0
	restoreRate = 100.0
)

// Server is a running sandbox.
type Server struct {
	connectortest.Sandbox // Throttle: THROTTLED answers; FailNext: 5xx; URL, Close, Now, Advance

	bucketSize, restoreRate float64

	token         string
	webhookSecret string
	schema        *ast.Schema
	requests      atomic.Int64

	mu        sync.Mutex
	nextID    int
	items     []*stockItem
	locations []*location
	levels    map[[2]string]*level // inventory item id, location id
	replays   map[string]any       // @idempotent key → payload
	available float64
	filledAt  time.Time
	adjusted  int     // adjustment groups applied
	throttled int     // THROTTLED answers sent
	charged   float64 // query-cost points charged

	orders    []*order // placed, oldest first
	dropShare float64  // of orders/create webhooks PlaceOrder drops
	hooks     int      // orders/create webhooks PlaceOrder was to send
	dropped   int      // of them dropped
	loseNext  bool     // LoseNextAnswer: cut the next mutation's connection after it ran
}

type stockItem struct {
	variantID, itemID, productID, sku, title string
	tracked                                  bool
}

type location struct{ id, name string }

type level struct{ available, onHand, committed int }

// Option configures a Server.
type Option func(*Server)

// WithSchema validates every document against schema (load it with
// gqlparser from Shopify's Admin SDL). Documents that fail get Shopify's
// error answer.
func WithSchema(schema *ast.Schema) Option { return func(s *Server) { s.schema = schema } }

// WithAccessToken sets the Admin API access token the sandbox accepts
// (random by default), for a test that hands it out some other way, such
// as through an OAuth token source.
func WithAccessToken(token string) Option { return func(s *Server) { s.token = token } }

// WithWebhookSecret sets the app's client secret the sandbox signs
// webhooks with (random by default).
func WithWebhookSecret(secret string) Option { return func(s *Server) { s.webhookSecret = secret } }

// NewServer starts the sandbox with one location, "Main warehouse".
func NewServer(opts ...Option) *Server {
	s := &Server{token: "shpat_" + connectortest.RandomHex(16), webhookSecret: "shpss_" + connectortest.RandomHex(16),
		levels: map[[2]string]*level{}, replays: map[string]any{},
		available: bucketSize, filledAt: time.Now(), bucketSize: bucketSize, restoreRate: restoreRate}
	for _, opt := range opts {
		opt(s)
	}
	s.locations = []*location{{id: s.gid("Location"), name: "Main warehouse"}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/api/{version}/graphql.json", s.graphql)
	s.Start(mux)
	return s
}

// Auth is the credential the sandbox accepts, as shopify.Config.Auth takes
// it: a custom app's access token.
func (s *Server) Auth() connector.Auth { return shopify.AccessToken(s.token) }

// WebhookSecret is the app's client secret the sandbox signs webhooks
// with: what webhook.Config.Secrets takes.
func (s *Server) WebhookSecret() string { return s.webhookSecret }

// Requests counts the API requests the sandbox received, refused ones
// included.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// LocationID is the id of the sandbox's first location.
func (s *Server) LocationID() string { return s.locations[0].id }

// AddLocation adds a location and returns its id.
func (s *Server) AddLocation(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &location{id: s.gid("Location"), name: name}
	s.locations = append(s.locations, l)
	return l.id
}

// AddProduct adds a product with one tracked variant of sku, with quantity
// available (and on hand) at the first location. It returns the inventory
// item id.
func (s *Server) AddProduct(title, sku string, quantity int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := &stockItem{variantID: s.gid("ProductVariant"), itemID: s.gid("InventoryItem"), productID: s.gid("Product"),
		sku: sku, title: title, tracked: true}
	s.items = append(s.items, it)
	s.levels[[2]string{it.itemID, s.locations[0].id}] = &level{available: quantity, onHand: quantity}
	return it.itemID
}

// Available reads an item's available quantity at a location.
func (s *Server) Available(itemID, locationID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.levels[[2]string{itemID, locationID}]; l != nil {
		return l.available
	}
	return 0
}

// Adjustments counts the adjustment groups applied.
func (s *Server) Adjustments() int { s.mu.Lock(); defer s.mu.Unlock(); return s.adjusted }

// Throttled counts THROTTLED answers sent.
func (s *Server) Throttled() int { s.mu.Lock(); defer s.mu.Unlock(); return s.throttled }

// Charged reports the query-cost points the shop has charged, for how
// much of a plan's budget a run used.
func (s *Server) Charged() float64 { s.mu.Lock(); defer s.mu.Unlock(); return s.charged }

// Drain spends points from the bucket, as other apps on the shop would.
func (s *Server) Drain(points float64) {
	s.mu.Lock()
	s.refill()
	s.available = max(0, s.available-points)
	s.mu.Unlock()
}

func (s *Server) gid(kind string) string {
	s.nextID++
	return fmt.Sprintf("gid://shopify/%s/%d", kind, 1000+s.nextID)
}

// refill restores the bucket for the time passed. Call with s.mu held.
func (s *Server) refill() {
	now := time.Now()
	s.available = min(s.bucketSize, s.available+now.Sub(s.filledAt).Seconds()*s.restoreRate)
	s.filledAt = now
}

func (s *Server) throttleStatus() map[string]any {
	return map[string]any{"maximumAvailable": s.bucketSize, "currentlyAvailable": int(s.available), "restoreRate": s.restoreRate}
}

func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.Header.Get("X-Shopify-Access-Token") != s.token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	var req struct {
		Query         string         `json:"query"`
		Variables     map[string]any `json:"variables"`
		OperationName string         `json:"operationName"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": "Invalid JSON in request body"})
		return
	}
	if code := s.NextFailure(); code != 0 {
		writeJSON(w, code, map[string]any{"errors": "Internal Server Error"})
		return
	}
	doc, gerr := parser.ParseQuery(&ast.Source{Input: req.Query})
	if gerr != nil {
		writeErrors(w, []map[string]any{{"message": gerr.Error(), "extensions": map[string]any{"code": "PARSE_ERROR"}}}, nil)
		return
	}
	if s.schema != nil {
		if errs := validator.Validate(s.schema, doc); len(errs) > 0 {
			var out []map[string]any
			for _, e := range errs {
				// The saved schemas predate @idempotent (2026-01); the live API knows it.
				if strings.Contains(e.Message, "idempotent") {
					continue
				}
				out = append(out, map[string]any{"message": e.Message, "extensions": map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}})
			}
			if len(out) > 0 {
				writeErrors(w, out, nil)
				return
			}
		}
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil {
		writeErrors(w, []map[string]any{{"message": "No operation named " + req.OperationName}}, nil)
		return
	}
	cost := queryCost(op.SelectionSet, req.Variables)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refill()
	if s.NextThrottled() || s.available < cost {
		s.throttled++
		writeErrors(w, []map[string]any{{"message": "Throttled", "extensions": map[string]any{"code": "THROTTLED",
			"documentation": "https://shopify.dev/api/usage/rate-limits"}}},
			map[string]any{"cost": map[string]any{"requestedQueryCost": cost, "actualQueryCost": nil, "throttleStatus": s.throttleStatus()}})
		return
	}
	s.available -= cost
	s.charged += cost
	data := map[string]any{}
	var errs []map[string]any
	for _, sel := range op.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok {
			continue
		}
		val, err := s.resolveRoot(op.Operation, f, req.Variables)
		if err != nil {
			errs = append(errs, map[string]any{"message": err.Error(), "path": []string{alias(f)}})
			data[alias(f)] = nil
			continue
		}
		data[alias(f)] = project(val, f.SelectionSet, req.Variables)
	}
	out := map[string]any{"data": data, "extensions": map[string]any{"cost": map[string]any{
		"requestedQueryCost": cost, "actualQueryCost": cost, "throttleStatus": s.throttleStatus()}}}
	if len(errs) > 0 {
		out["errors"] = errs
	}
	if op.Operation == ast.Mutation && s.loseNext {
		s.loseNext = false
		connectortest.Reset(w) // carried out, but the answer never arrives
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// queryCost simplifies Shopify's calculation into a rule a test can
// reckon with: each mutation costs 10; each query field costs 1, and a
// connection 2 plus its page size (first) on top.
func queryCost(set ast.SelectionSet, vars map[string]any) float64 {
	cost := 0.0
	for _, sel := range set {
		f, ok := sel.(*ast.Field)
		if !ok {
			continue
		}
		if strings.HasPrefix(f.Name, "inventory") && strings.HasSuffix(f.Name, "Quantities") || f.Name == "fulfillmentCreate" || f.Name == "fulfillmentCancel" {
			cost += 10
			continue
		}
		cost++
		if first := argInt(f, "first", vars, 0); first > 0 {
			cost += 2 + float64(first)
		}
		cost += queryCost(f.SelectionSet, vars) - float64(len(f.SelectionSet)) // only connections below add up
	}
	return max(cost, 1)
}

func alias(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

func writeErrors(w http.ResponseWriter, errs []map[string]any, extensions map[string]any) {
	body := map[string]any{"errors": errs}
	if extensions != nil {
		body["extensions"] = extensions
	}
	writeJSON(w, http.StatusOK, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("X-Request-Id", connectortest.RandomHex(8))
	connectortest.WriteJSON(w, status, "application/json; charset=utf-8", v)
}
