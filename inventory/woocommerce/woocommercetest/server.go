// Package woocommercetest is a stateful in-memory WooCommerce REST API
// (wc/v3) for tests and demos: products and variations with stock,
// stock_quantity set by PUT, meta_data, orders with statuses, order notes,
// the SKU filter that finds variations too, page and per_page with
// X-WP-Total and X-WP-TotalPages, WooCommerce's error bodies
// ({"code", "message", "data": {"status"}}), consumer key and secret as
// HTTP Basic. It places orders as a customer's checkout does (PlaceOrder:
// stock taken for products that manage it) and sends the order.created
// webhook signed as WooCommerce signs it. Fault switches: Throttle (a
// host's 429), FailNext (WordPress's critical error), LoseNextAnswer (a
// write committed, its answer lost), RaceNextStockWrite (another client's
// stale write right after the next one); and a clock (Advance).
//
//	srv := woocommercetest.NewServer()
//	defer srv.Close()
//	client, _ := woocommerce.New(woocommerce.Config{BaseURL: srv.URL(), Auth: srv.Auth()})
//
// It listens on 127.0.0.1 only, and keeps times in UTC (the site's
// timezone), to the second, as WooCommerce does.
package woocommercetest

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
)

// Server is a running sandbox shop.
type Server struct {
	connectortest.Sandbox // Throttle: 429; FailNext: 5xx; URL, Close, Now, Advance

	key, secret   string
	webhookSecret string
	noTotals      bool
	requests      atomic.Int64

	mu       sync.Mutex
	nextID   int64
	products map[int64]*product
	orders   map[int64]*order
	notes    map[int64]*note
	lose     bool   // commit the next write and drop its answer
	race     *int   // after the next stock write, a stale write of this delta
	raced    func() // that stale write, once the answer is built
}

// Option configures a Server.
type Option func(*Server)

// WithConsumerKey sets the REST API key the sandbox accepts (random
// ck_/cs_ ones by default).
func WithConsumerKey(key, secret string) Option {
	return func(s *Server) { s.key, s.secret = key, secret }
}

// WithoutPageTotals drops X-WP-Total and X-WP-TotalPages from the
// answers, as some caching proxies in front of WordPress do.
func WithoutPageTotals() Option { return func(s *Server) { s.noTotals = true } }

// WithWebhookSecret sets the secret the sandbox signs webhooks with
// (random by default).
func WithWebhookSecret(secret string) Option { return func(s *Server) { s.webhookSecret = secret } }

// NewServer starts an empty shop.
func NewServer(opts ...Option) *Server {
	s := &Server{key: "ck_" + connectortest.RandomHex(20), secret: "cs_" + connectortest.RandomHex(20),
		webhookSecret: connectortest.RandomHex(16), nextID: 100,
		products: map[int64]*product{}, orders: map[int64]*order{}, notes: map[int64]*note{}}
	s.Clock.Resolution = time.Second
	for _, opt := range opts {
		opt(s)
	}
	const root = "/wp-json/wc/v3"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+root+"/products", s.api(s.listProducts))
	mux.HandleFunc("GET "+root+"/products/{id}", s.api(s.getProduct))
	mux.HandleFunc("PUT "+root+"/products/{id}", s.api(s.putProduct))
	mux.HandleFunc("GET "+root+"/products/{id}/variations", s.api(s.listVariations))
	mux.HandleFunc("GET "+root+"/products/{id}/variations/{vid}", s.api(s.getVariation))
	mux.HandleFunc("PUT "+root+"/products/{id}/variations/{vid}", s.api(s.putVariation))
	mux.HandleFunc("GET "+root+"/orders", s.api(s.listOrders))
	mux.HandleFunc("GET "+root+"/orders/{id}", s.api(s.getOrder))
	mux.HandleFunc("PUT "+root+"/orders/{id}", s.api(s.putOrder))
	mux.HandleFunc("GET "+root+"/orders/{id}/notes", s.api(s.listNotes))
	mux.HandleFunc("POST "+root+"/orders/{id}/notes", s.api(s.addNote))
	mux.HandleFunc("DELETE "+root+"/orders/{id}/notes/{nid}", s.api(s.deleteNote))
	mux.HandleFunc(root+"/", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		writeError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
	})
	s.Start(mux)
	return s
}

// Auth is the credential the sandbox accepts, as woocommerce.Config.Auth
// takes it.
func (s *Server) Auth() connector.Auth { return woocommerce.ConsumerKey(s.key, s.secret) }

// WebhookSecret is the webhook secret the sandbox signs with: what
// webhook.Config.Secrets takes.
func (s *Server) WebhookSecret() string { return s.webhookSecret }

// Requests counts the API requests the sandbox received, refused ones
// included.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// LoseNextAnswer makes the next write (PUT, POST, DELETE) commit and then
// drop the connection without an answer, as a connection cut after the
// commit does.
func (s *Server) LoseNextAnswer() { s.mu.Lock(); s.lose = true; s.mu.Unlock() }

// RaceNextStockWrite makes another client overwrite the next stock write
// right after it is answered: that client read the product before the
// write, and sets the quantity it read plus delta, with the meta_data it
// read, as a second process adjusting by read and set would.
func (s *Server) RaceNextStockWrite(delta int) { s.mu.Lock(); s.race = &delta; s.mu.Unlock() }

// handler is one API route's work, under s.mu; it returns the status and
// the answer, or a wpError.
type handler func(r *http.Request, body map[string]any) (int, any, http.Header)

// wpError is an error answer in the WordPress REST API's shape.
type wpError struct {
	status        int
	code, message string
	params        map[string]string
}

// api wraps a route with what every request goes through: the fault
// switches, the credentials, the body, the lock, a lost answer.
func (s *Server) api(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if s.NextThrottled() {
			// WooCommerce's REST API has no limiter: a 429 comes from the
			// host (a WAF, the hosting's rate limit), as plain text.
			w.Header().Set("Retry-After", "1")
			http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
			return
		}
		if code := s.NextFailure(); code != 0 {
			// What WordPress answers when PHP fails on a REST request.
			writeError(w, code, "internal_server_error", "<p>There has been a critical error on this website.</p><p><a href=\"https://wordpress.org/documentation/article/faq-troubleshooting/\">Learn more about troubleshooting WordPress.</a></p>")
			return
		}
		if e := s.authenticate(r); e != nil {
			writeError(w, e.status, e.code, e.message)
			return
		}
		var body map[string]any
		if r.Method == http.MethodPost || r.Method == http.MethodPut {
			dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
			dec.UseNumber()
			if err := dec.Decode(&body); err != nil {
				writeError(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
				return
			}
		}
		s.mu.Lock()
		status, out, header := h(r, body)
		lose := s.lose && r.Method != http.MethodGet && status < 300
		if lose {
			s.lose = false
		}
		s.mu.Unlock()
		if lose {
			connectortest.Reset(w)
			return
		}
		if e, ok := out.(*wpError); ok {
			writeWPError(w, e)
			return
		}
		for k, v := range header {
			if !(s.noTotals && strings.HasPrefix(k, "X-Wp-Total")) {
				w.Header()[k] = v
			}
		}
		connectortest.WriteJSON(w, status, "application/json; charset=UTF-8", out)
	}
}

// authenticate checks HTTP Basic as WooCommerce does
// (WC_REST_Authentication): the key is looked up, then the secret
// compared; no credentials leave the request unauthenticated, and the
// route answers that it cannot be viewed.
func (s *Server) authenticate(r *http.Request) *wpError {
	key, secret, ok := r.BasicAuth()
	if !ok {
		return &wpError{status: http.StatusUnauthorized, code: "woocommerce_rest_cannot_view", message: "Sorry, you cannot list resources."}
	}
	if key != s.key {
		return &wpError{status: http.StatusUnauthorized, code: "woocommerce_rest_authentication_error", message: "Consumer key is invalid."}
	}
	if secret != s.secret {
		return &wpError{status: http.StatusUnauthorized, code: "woocommerce_rest_authentication_error", message: "Consumer secret is invalid."}
	}
	return nil
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeWPError(w, &wpError{status: status, code: code, message: message})
}

func writeWPError(w http.ResponseWriter, e *wpError) {
	data := map[string]any{"status": e.status}
	if len(e.params) > 0 {
		data["params"] = e.params
	}
	connectortest.WriteJSON(w, e.status, "application/json; charset=UTF-8", map[string]any{"code": e.code, "message": e.message, "data": data})
}

func fail(status int, code, message string) (int, any, http.Header) {
	return status, &wpError{status: status, code: code, message: message}, nil
}

func invalidParam(name, why string) (int, any, http.Header) {
	return http.StatusBadRequest, &wpError{status: http.StatusBadRequest, code: "rest_invalid_param",
		message: "Invalid parameter(s): " + name, params: map[string]string{name: why}}, nil
}

// paginate cuts items to the page asked for, WooCommerce's way: per_page
// 1 to 100 (default 10), page from 1, X-WP-Total and X-WP-TotalPages on
// the answer.
func paginate[T any](r *http.Request, items []T) ([]T, http.Header, *wpError) {
	q := r.URL.Query()
	per, pg := 10, 1
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, nil, &wpError{status: 400, code: "rest_invalid_param", message: "Invalid parameter(s): per_page",
				params: map[string]string{"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"}}
		}
		per = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, nil, &wpError{status: 400, code: "rest_invalid_param", message: "Invalid parameter(s): page",
				params: map[string]string{"page": "page must be greater than or equal to 1"}}
		}
		pg = n
	}
	total := len(items)
	pages := (total + per - 1) / per
	h := http.Header{"X-Wp-Total": {strconv.Itoa(total)}, "X-Wp-Totalpages": {strconv.Itoa(pages)}}
	start := min((pg-1)*per, total)
	end := min(start+per, total)
	return items[start:end], h, nil
}

// id reads a path id.
func pathID(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// wcDate is a date as WooCommerce answers it: no zone (the site's, here
// UTC), to the second.
func wcDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

// meta is one meta_data entry.
type meta struct {
	id    int64
	key   string
	value any
}

func metaJSON(ms []*meta) []any {
	out := []any{}
	for _, m := range ms {
		out = append(out, map[string]any{"id": m.id, "key": m.key, "value": m.value})
	}
	return out
}

// updateMeta applies a request's meta_data as WC_Data::update_meta_data
// does: by id when given, else the first entry with the key (others with
// it removed), else a new entry.
func (s *Server) updateMeta(ms []*meta, in any) ([]*meta, bool) {
	list, ok := in.([]any)
	if !ok {
		return ms, false
	}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return ms, false
		}
		key, _ := m["key"].(string)
		value := m["value"]
		if id, ok := m["id"].(json.Number); ok {
			n, _ := id.Int64()
			for _, x := range ms {
				if x.id == n {
					x.value = value
				}
			}
			continue
		}
		found := false
		kept := ms[:0:0]
		for _, x := range ms {
			if x.key == key {
				if found {
					continue
				}
				found = true
				x.value = value
			}
			kept = append(kept, x)
		}
		ms = kept
		if !found {
			s.nextID++
			ms = append(ms, &meta{id: s.nextID, key: key, value: value})
		}
	}
	return ms, true
}

func sortedKeys[T any](m map[int64]T) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// permalink is a resource's URL on the sandbox's site.
func (s *Server) permalink(kind string, id int64) string {
	return s.URL() + "/" + kind + "/" + strconv.FormatInt(id, 10) + "/"
}

func slug(name string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, name), "-")
}
