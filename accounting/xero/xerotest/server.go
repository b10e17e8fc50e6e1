// Package xerotest is a stateful in-memory Xero for tests and demos: an
// OAuth2 provider that rotates refresh tokens, /Connections with one
// organisation, and the Accounting API's Contacts, Invoices (ACCREC),
// Payments and Items with Xero's JSON (PascalCase, MS-JSON dates, money as
// numbers), tenant-header enforcement, Idempotency-Key replay,
// If-Modified-Since and order=UpdatedDateUTC, ValidationException bodies,
// X-*Limit-Remaining headers and 429s, Xero's limit of 5 calls in flight
// per tenant, fault switches, and webhooks signed as Xero signs them.
//
//	srv := xerotest.NewServer()
//	defer srv.Close()
//	client, _ := xero.New(xero.Config{BaseURL: srv.URL(), Auth: srv.Auth(), TenantID: srv.TenantID()})
//
// It listens on 127.0.0.1 only.
package xerotest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
)

// Organisation facts the sandbox is seeded with: a New Zealand demo company.
const (
	Currency         = "NZD"
	SalesAccount     = "200"     // revenue
	BankAccount      = "090"     // where payments land
	TaxType          = "OUTPUT2" // GST on income, 15%
	TaxRatePercent   = "15"
	maxInFlight      = 5 // Xero's concurrent limit per tenant
	organisationName = "Demo Company (NZ)"
)

// apiPath is where the Accounting API is served on the sandbox's host, as
// on api.xero.com.
const apiPath = "/api.xro/" + xero.APIVersion

// taxRates are the sandbox organisation's sales tax types.
var taxRates = map[string]string{"OUTPUT2": "0.15", "NONE": "0", "EXEMPTOUTPUT": "0", "ZERORATEDOUTPUT": "0"}

// Server is a running sandbox.
type Server struct {
	connectortest.Sandbox // Throttle: minute-limit 429s; FailNext: 5xx, on API requests; Now, Advance

	// Provider is the sandbox's OAuth2 provider (Xero's identity server),
	// for tests of the OAuth flow itself.
	Provider *connectortest.OAuthServer

	tenantID   string
	webhookKey string
	tokens     *http.Transport // Auth's calls to Provider
	auth       connector.Auth

	mu        sync.Mutex
	contacts  []*contact
	invoices  []*invoice
	payments  []*payment
	items     []*item
	invoiceNo int
	replays   map[string]recorded // Idempotency-Key → the first answer
	inFlight  int
	requests  int
}

// Option configures a Server.
type Option func(*Server)

// WithWebhookKey sets the webhook key the sandbox signs deliveries with
// (by default a random one).
func WithWebhookKey(key string) Option { return func(s *Server) { s.webhookKey = key } }

// NewServer starts the sandbox and its OAuth provider on 127.0.0.1.
func NewServer(opts ...Option) *Server {
	s := &Server{Provider: connectortest.StartOAuthServer(), tenantID: connectortest.UUID(), replays: map[string]recorded{},
		webhookKey: connectortest.RandomHex(32), tokens: &http.Transport{}}
	// Xero's refresh tokens rotate, and a client whose refresh answer was
	// lost may refresh with the old one for 30 minutes
	// (https://developer.xero.com/faq/oauth2).
	s.Provider.SetGrace(30 * time.Minute)
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /connections", s.connections)
	mux.HandleFunc("GET /Connections", s.connections) // the spec's spelling; Xero answers both
	api := http.NewServeMux()
	api.HandleFunc("GET "+apiPath+"/Contacts", s.listContacts)
	api.HandleFunc("PUT "+apiPath+"/Contacts", s.putContacts)
	api.HandleFunc("POST "+apiPath+"/Contacts", s.putContacts)
	api.HandleFunc("GET "+apiPath+"/Contacts/{id}", s.getContact)
	api.HandleFunc("POST "+apiPath+"/Contacts/{id}", s.putContacts)
	api.HandleFunc("GET "+apiPath+"/Invoices", s.listInvoices)
	api.HandleFunc("PUT "+apiPath+"/Invoices", s.putInvoices)
	api.HandleFunc("POST "+apiPath+"/Invoices", s.putInvoices)
	api.HandleFunc("GET "+apiPath+"/Invoices/{id}", s.getInvoice)
	api.HandleFunc("POST "+apiPath+"/Invoices/{id}", s.putInvoices)
	api.HandleFunc("POST "+apiPath+"/Invoices/{id}/Email", s.emailInvoice)
	api.HandleFunc("PUT "+apiPath+"/Payments", s.putPayments)
	api.HandleFunc("GET "+apiPath+"/Items", s.listItems)
	api.HandleFunc("PUT "+apiPath+"/Items", s.postItems)
	api.HandleFunc("POST "+apiPath+"/Items", s.postItems)
	api.HandleFunc("GET "+apiPath+"/Items/{id}", s.getItem)
	mux.Handle(apiPath+"/", s.gate(s.replay(api)))
	s.Start(mux)

	// The connected account: a token pair as if the user had just
	// connected the organisation, refreshed against Provider.
	src, err := oauth.NewSource(oauth.Config{OAuth2: s.OAuthConfig(), Store: oauth.NewMemoryStore(s.Connect()),
		HTTPClient: &http.Client{Transport: s.tokens}})
	if err != nil {
		panic("xerotest: " + err.Error()) // the configuration above is always valid
	}
	s.auth = connector.OAuth2(src)
	return s
}

// Close stops the sandbox and its provider.
func (s *Server) Close() {
	s.Sandbox.Close()
	s.Provider.Close()
	s.tokens.CloseIdleConnections()
}

// URL is the Accounting API root, as https://api.xero.com/api.xro/2.0:
// what xero.Config.BaseURL takes.
func (s *Server) URL() string { return s.Sandbox.URL() + apiPath }

// IdentityURL is the host of /Connections, as https://api.xero.com: what
// xero.Connections takes.
func (s *Server) IdentityURL() string { return s.Sandbox.URL() }

// Auth is the credential the sandbox accepts, as xero.Config.Auth takes
// it: connector.OAuth2 over a connector/oauth Source holding a connected
// token pair, refreshed (and rotated) against Provider. Every call returns
// the same credential, so that clients share its refresh token.
func (s *Server) Auth() connector.Auth { return s.auth }

// TenantID is the organisation's tenant id.
func (s *Server) TenantID() string { return s.tenantID }

// WebhookSecret is the webhook key the sandbox signs deliveries with: what
// webhook.Config.Secrets takes.
func (s *Server) WebhookSecret() string { return s.webhookKey }

// OAuthConfig is the app's OAuth2 configuration for the sandbox provider,
// for tests of the OAuth flow itself. Xero takes client credentials in the
// Authorization header.
func (s *Server) OAuthConfig() *oauth2.Config { return s.Provider.Config(oauth2.AuthStyleInHeader) }

// Connect mints a token pair as if a user had just connected the
// organisation, for tests of the OAuth flow itself; save it to a token
// store.
func (s *Server) Connect() *oauth2.Token { return s.Provider.IssueToken(30 * time.Minute) }

// Requests counts API requests.
func (s *Server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// InvoiceCount counts invoices of any status.
func (s *Server) InvoiceCount() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.invoices) }

// connections is GET https://api.xero.com/connections.
func (s *Server) connections(w http.ResponseWriter, r *http.Request) {
	at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.Provider.Valid(at) {
		writeProblem(w, http.StatusUnauthorized, "Unauthorized", "AuthenticationUnsuccessful")
		return
	}
	created := "2026-01-07T18:46:19.5165400"
	writeJSON(w, http.StatusOK, []map[string]any{{"id": connectortest.UUID(), "authEventId": connectortest.UUID(), "tenantId": s.tenantID,
		"tenantType": "ORGANISATION", "tenantName": organisationName, "createdDateUtc": created, "updatedDateUtc": created}})
}

// gate checks the token and tenant, applies faults, rate and concurrency
// limits, and sets Xero's limit headers.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Xero-Correlation-Id", connectortest.UUID())
		at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !s.Provider.Valid(at) {
			writeProblem(w, http.StatusUnauthorized, "Unauthorized", "AuthenticationUnsuccessful")
			return
		}
		if r.Header.Get("xero-tenant-id") != s.tenantID {
			writeProblem(w, http.StatusForbidden, "Forbidden", "AuthenticationUnsuccessful")
			return
		}
		s.mu.Lock()
		s.requests++
		s.inFlight++
		over := s.inFlight > maxInFlight
		throttled := s.NextThrottled()
		code := s.NextFailure()
		fail := code != 0
		s.mu.Unlock()
		defer func() { s.mu.Lock(); s.inFlight--; s.mu.Unlock() }()

		h := w.Header()
		h.Set("X-DayLimit-Remaining", "4990")
		h.Set("X-MinLimit-Remaining", "59")
		h.Set("X-AppMinLimit-Remaining", "9999")
		switch {
		case over:
			h.Set("Retry-After", "1")
			h.Set("X-Rate-Limit-Problem", "concurrent")
			w.WriteHeader(http.StatusTooManyRequests)
		case throttled:
			h.Set("Retry-After", "1")
			h.Set("X-Rate-Limit-Problem", "minute")
			h.Set("X-MinLimit-Remaining", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case fail:
			http.Error(w, "An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status.", code)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// recorded is an answer kept for replay under its Idempotency-Key.
type recorded struct {
	status int
	header http.Header
	body   []byte
}

// replay answers a write that repeats an Idempotency-Key with the first
// answer, byte for byte, as Xero does; the write is not done again.
func (s *Server) replay(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" || r.Method == http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		id := r.Method + " " + r.URL.Path + " " + key
		s.mu.Lock()
		prev, seen := s.replays[id]
		s.mu.Unlock()
		if seen {
			for k, v := range prev.header {
				w.Header()[k] = v
			}
			w.WriteHeader(prev.status)
			w.Write(prev.body)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if rec.Code < 500 {
			s.mu.Lock()
			s.replays[id] = recorded{status: rec.Code, header: rec.Header().Clone(), body: rec.Body.Bytes()}
			s.mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// writeProblem is Xero's 401/403 body.
func writeProblem(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, map[string]any{"Type": nil, "Title": title, "Status": status, "Detail": detail,
		"Instance": connectortest.UUID(), "Extensions": map[string]any{}})
}

// validation is Xero's 400 ValidationException body.
func writeValidation(w http.ResponseWriter, elements []map[string]any) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"ErrorNumber": 10, "Type": "ValidationException",
		"Message": "A validation exception occurred", "Elements": elements})
}

func validationErrors(msgs ...string) []map[string]string {
	out := make([]map[string]string, len(msgs))
	for i, m := range msgs {
		out[i] = map[string]string{"Message": m}
	}
	return out
}

func writeNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, "The resource you're looking for cannot be found")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	connectortest.WriteJSON(w, status, "application/json; charset=utf-8", v)
}

// msDate writes a time as Xero's MS-JSON date.
func msDate(t time.Time) string { return "/Date(" + strconv.FormatInt(t.UnixMilli(), 10) + "+0000)/" }

// parseDate reads a request date: "2006-01-02", "2006-01-02T15:04:05" or
// MS-JSON.
func parseDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	if rest, ok := strings.CutPrefix(v, "/Date("); ok {
		end := strings.IndexAny(rest, "+-)")
		if end <= 0 {
			return time.Time{}, false
		}
		ms, err := strconv.ParseInt(rest[:end], 10, 64)
		return time.UnixMilli(ms).UTC(), err == nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// page reads Xero's 1-based page parameter and pageSize (default 100).
func page(r *http.Request) (offset, size int) {
	p, _ := strconv.Atoi(r.URL.Query().Get("page"))
	size, _ = strconv.Atoi(r.URL.Query().Get("pageSize"))
	if size <= 0 || size > 1000 {
		size = 100
	}
	if p < 1 {
		p = 1
	}
	return (p - 1) * size, size
}

// modifiedSince reads If-Modified-Since (ISO 8601 or HTTP-date).
func modifiedSince(r *http.Request) (time.Time, bool) {
	v := r.Header.Get("If-Modified-Since")
	if v == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// whereEquals reads the one form of Xero's where filter the sandbox
// understands: Field=="value".
func whereEquals(r *http.Request) (field, value string, ok bool) {
	w := strings.TrimSpace(r.URL.Query().Get("where"))
	if w == "" {
		return "", "", false
	}
	field, rest, found := strings.Cut(w, "==")
	if !found {
		return "", "", false
	}
	return strings.TrimSpace(field), strings.Trim(strings.TrimSpace(rest), `"`), true
}

// sortByUpdated orders a list as the order parameter says. The sandbox
// understands "UpdatedDateUTC" with ASC (the default) or DESC; without the
// parameter the list keeps the order records were made in. ok is false,
// and the request is answered, for an order it does not understand.
func sortByUpdated[T any](w http.ResponseWriter, r *http.Request, list []T, updated func(T) time.Time) bool {
	o := strings.Fields(r.URL.Query().Get("order"))
	if len(o) == 0 {
		return true
	}
	if !strings.EqualFold(o[0], "UpdatedDateUTC") || len(o) > 2 || (len(o) == 2 && !strings.EqualFold(o[1], "ASC") && !strings.EqualFold(o[1], "DESC")) {
		writeValidation(w, []map[string]any{{"ValidationErrors": validationErrors("The sandbox orders by UpdatedDateUTC ASC or DESC only.")}})
		return false
	}
	desc := len(o) == 2 && strings.EqualFold(o[1], "DESC")
	slices.SortStableFunc(list, func(a, b T) int {
		c := updated(a).Compare(updated(b))
		if desc {
			return -c
		}
		return c
	})
	return true
}
