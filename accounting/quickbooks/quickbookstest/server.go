// Package quickbookstest is a stateful in-memory QuickBooks Online company
// for tests and demos: an OAuth2 provider that rotates refresh tokens, and
// the Accounting API v3 under /v3/company/{realmId}: customers, invoices
// (with tax computed per tax code), payments applied to invoices, items,
// void and send, the query endpoint (select ... STARTPOSITION/MAXRESULTS)
// and change data capture (/cdc), with Intuit's JSON (the XSD's element
// names, amounts as JSON numbers), realm enforcement, requestid replay,
// SyncToken conflicts (Stale Object Error, 5010), Fault bodies, Intuit's
// throttles (500 requests a minute and 10 in flight per realm, answered
// 429 ThrottleExceeded; WithRateLimit changes them), fault switches, and
// webhooks signed as Intuit signs them. The company is on GBP alone;
// WithMultiCurrency gives it foreign currencies, with customers fixed to
// one currency, ExchangeRate, HomeTotalAmt and HomeBalance. A deleted
// invoice (operation=delete) shows in /cdc with status Deleted.
//
//	srv := quickbookstest.NewServer()
//	defer srv.Close()
//	client, _ := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: srv.Auth(), RealmID: srv.RealmID(),
//		HomeCurrency: srv.HomeCurrency()})
//
// It listens on 127.0.0.1 only.
package quickbookstest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govalues/decimal"
	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
)

// Company facts the sandbox is seeded with: a UK company on VAT.
const (
	Currency       = "GBP"
	SalesAccount   = "79" // Sales of Product Income
	BankAccount    = "35" // Checking
	TaxCode        = "2"  // 20.0% S
	ServicesItem   = "1"  // Services, the default item
	TaxRatePercent = "20" // TaxCode's rate
	maxInFlight    = 10   // Intuit's concurrent limit per realm
	perMinute      = 500  // Intuit's limit per realm and minute
	firstDocNumber = 1001 // the company's next invoice number
	zoneOffset     = -8 * 3600
)

// taxCodes are the company's sales tax codes: id → rate percent and the
// tax rate's id.
var taxCodes = map[string]struct{ percent, rateID string }{
	"2": {"20", "3"}, "4": {"0", "7"}, "NON": {"0", ""},
}

// accounts are the company's accounts lines and payments may name.
var accounts = map[string]string{"79": "Sales of Product Income", "1": "Services", "35": "Checking", "4": "Undeposited Funds"}

// zone is the company's time zone: QuickBooks writes times in it.
var zone = time.FixedZone("PST", zoneOffset)

// Server is a running sandbox.
type Server struct {
	connectortest.Sandbox // Throttle: 429 ThrottleExceeded; FailNext: 5xx SystemFault, on API requests; Now, Advance

	// Provider is the sandbox's OAuth2 provider (Intuit's token endpoint),
	// for tests of the OAuth flow itself.
	Provider *connectortest.OAuthServer

	realm    string
	verifier string
	tokens   *http.Transport
	auth     connector.Auth

	mu          sync.Mutex
	customers   []*customer
	invoices    []*invoice
	payments    []*payment
	items       []*item
	nextID      int
	nextDoc     int
	replays     map[string]recorded // requestid → the first answer
	inFlight    int
	requests    int
	window      time.Time // start of the current minute's count
	windowCount int
	loseNext    int
	noVersion   int // requests without minorversion
	deleted     []tombstone

	home       string            // the company's home currency
	currencies map[string]string // the company's currencies → name; more than the home one when multicurrency is on
	rates      map[string]decimal.Decimal
	perMinute  int
	maxFlight  int
	latency    time.Duration
	throttled  int // 429 answers
}

// tombstone is a deleted record, as change data capture reports it.
type tombstone struct {
	entity, id string
	deleted    time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithVerifierToken sets the webhook verifier token the sandbox signs
// deliveries with (by default a random one).
func WithVerifierToken(token string) Option { return func(s *Server) { s.verifier = token } }

// WithMultiCurrency turns multicurrency on, as a company's owner does in
// QuickBooks (it cannot be turned off again): home is the company's home
// currency, others the foreign currencies it deals in (ISO 4217). A
// customer's currency is set when it is created (the home currency when
// none is given) and never changes; an invoice or payment in another
// currency than its customer's is refused with a ValidationFault. Invoices
// carry ExchangeRate (home units for one foreign unit), HomeTotalAmt and
// HomeBalance. Without this option the company is on Currency alone, with
// multicurrency off.
// https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-multiple-currencies
func WithMultiCurrency(home string, others ...string) Option {
	return func(s *Server) {
		s.home = strings.ToUpper(home)
		s.currencies = map[string]string{s.home: currencyName(s.home)}
		for _, c := range others {
			s.currencies[strings.ToUpper(c)] = currencyName(strings.ToUpper(c))
		}
	}
}

// WithExchangeRate sets the rate of a foreign currency: how many units of
// the home currency one unit of it is worth. By default the sandbox uses
// fixed rates of its own (see ExchangeRate).
func WithExchangeRate(currency, homePerUnit string) Option {
	return func(s *Server) { s.rates[strings.ToUpper(currency)] = decimal.MustParse(homePerUnit) }
}

// WithRateLimit replaces Intuit's throttles, 500 requests a minute and 10
// in flight per realm: perMinute or concurrent 0 or less lifts that
// limit. Tests that make thousands of calls use it (with a client as fast,
// connector.WithRateLimit); the default is Intuit's.
func WithRateLimit(perMinute, concurrent int) Option {
	return func(s *Server) { s.perMinute, s.maxFlight = perMinute, concurrent }
}

// WithLatency makes every API answer take d at least (a request is in
// flight that long): for tests of the concurrent limit.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithRealmID sets the company's realm id (by default a random one).
func WithRealmID(id string) Option { return func(s *Server) { s.realm = id } }

// NewServer starts the sandbox and its OAuth provider on 127.0.0.1.
func NewServer(opts ...Option) *Server {
	s := &Server{Provider: connectortest.StartOAuthServer(), realm: "9341" + strconv.Itoa(int(time.Now().UnixNano()%1e11)),
		verifier: connectortest.RandomHex(18), tokens: &http.Transport{}, replays: map[string]recorded{}, nextID: 100,
		nextDoc: firstDocNumber, home: Currency, currencies: map[string]string{Currency: currencyName(Currency)},
		rates: map[string]decimal.Decimal{}, perMinute: perMinute, maxFlight: maxInFlight}
	s.Resolution = time.Second // QuickBooks keeps times to the second
	for _, o := range opts {
		o(s)
	}
	now := s.Now()
	s.items = []*item{{ID: ServicesItem, Name: "Services", Type: "Service", IncomeAccount: "1", UnitPrice: decimal.Zero, SyncToken: 0, Created: now, Updated: now},
		{ID: "2", Name: "Widget", Type: "NonInventory", IncomeAccount: SalesAccount, UnitPrice: decimal.MustParse("19.99"), Created: now, Updated: now}}
	api := http.NewServeMux()
	const p = "/v3/company/{realm}/"
	api.HandleFunc("GET "+p+"customer/{id}", s.getCustomer)
	api.HandleFunc("POST "+p+"customer", s.postCustomer)
	api.HandleFunc("GET "+p+"invoice/{id}", s.getInvoice)
	api.HandleFunc("POST "+p+"invoice", s.postInvoice)
	api.HandleFunc("POST "+p+"invoice/{id}/send", s.sendInvoice)
	api.HandleFunc("POST "+p+"payment", s.postPayment)
	api.HandleFunc("GET "+p+"item/{id}", s.getItem)
	api.HandleFunc("GET "+p+"query", s.query)
	api.HandleFunc("GET "+p+"cdc", s.cdc)
	mux := http.NewServeMux()
	mux.Handle("/v3/company/{realm}/", s.gate(s.replay(api)))
	s.Start(mux)

	src, err := oauth.NewSource(oauth.Config{OAuth2: s.OAuthConfig(), Store: oauth.NewMemoryStore(s.Connect()),
		HTTPClient: &http.Client{Transport: s.tokens}})
	if err != nil {
		panic("quickbookstest: " + err.Error()) // the configuration above is always valid
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

// Auth is the credential the sandbox accepts, as quickbooks.Config.Auth
// takes it: connector.OAuth2 over a connector/oauth Source holding a
// connected token pair, refreshed (and rotated) against Provider.
func (s *Server) Auth() connector.Auth { return s.auth }

// HomeCurrency is the company's home currency: Currency unless
// WithMultiCurrency says otherwise.
func (s *Server) HomeCurrency() string { return s.home }

// MultiCurrency says whether the company deals in more than its home
// currency.
func (s *Server) MultiCurrency() bool { return len(s.currencies) > 1 }

// RealmID is the company's realm id.
func (s *Server) RealmID() string { return s.realm }

// WebhookSecret is the verifier token the sandbox signs deliveries with:
// what webhook.Config.Secrets takes.
func (s *Server) WebhookSecret() string { return s.verifier }

// OAuthConfig is the app's OAuth2 configuration for the sandbox provider.
// Intuit takes client credentials in the Authorization header.
func (s *Server) OAuthConfig() *oauth2.Config { return s.Provider.Config(oauth2.AuthStyleInHeader) }

// Connect mints a token pair as if a user had just connected the company.
func (s *Server) Connect() *oauth2.Token { return s.Provider.IssueToken(time.Hour) }

// Requests counts API requests that passed authentication.
func (s *Server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// RequestsWithoutMinorVersion counts API requests that carried no
// minorversion parameter.
func (s *Server) RequestsWithoutMinorVersion() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.noVersion
}

// Throttled counts the API requests answered 429 ThrottleExceeded, by
// Intuit's limits (or WithRateLimit's) or by Throttle.
func (s *Server) Throttled() int { s.mu.Lock(); defer s.mu.Unlock(); return s.throttled }

// InvoiceCount counts invoices, voided ones included.
func (s *Server) InvoiceCount() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.invoices) }

// PaymentCount counts payments.
func (s *Server) PaymentCount() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.payments) }

// LoseNextAnswers does the next n writes and then drops their connections
// without an answer: the answer of a write that took effect is lost.
func (s *Server) LoseNextAnswers(n int) { s.mu.Lock(); s.loseNext = n; s.mu.Unlock() }

// Touch changes a customer or invoice behind the client's back, as a user
// in QuickBooks would: its SyncToken moves on.
func (s *Server) Touch(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.customers {
		if c.ID == id {
			c.SyncToken++
			c.Updated = s.Now()
			return true
		}
	}
	for _, inv := range s.invoices {
		if inv.ID == id {
			inv.SyncToken++
			inv.Updated = s.Now()
			return true
		}
	}
	return false
}

func (s *Server) newID() string { s.nextID++; return strconv.Itoa(s.nextID) }

// gate checks the token and realm, applies faults and Intuit's throttles.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("intuit_tid", connectortest.UUID())
		at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !s.Provider.Valid(at) {
			// The gateway's own body: lower-case names.
			connectortest.WriteJSON(w, http.StatusUnauthorized, "application/json", map[string]any{"fault": map[string]any{
				"error": []map[string]string{{"message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
					"detail": "Token expired: " + at, "code": "3200"}}, "type": "AUTHENTICATION"}, "time": s.stamp()})
			return
		}
		if r.PathValue("realm") != s.realm {
			writeFault(w, s, http.StatusForbidden, "AuthorizationFault", "3100",
				"message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403", "", "")
			return
		}
		s.mu.Lock()
		s.requests++
		if r.URL.Query().Get("minorversion") == "" {
			s.noVersion++
		}
		now := time.Now()
		if now.Sub(s.window) >= time.Minute {
			s.window, s.windowCount = now, 0
		}
		s.windowCount++
		overMinute := s.perMinute > 0 && s.windowCount > s.perMinute
		s.inFlight++
		over := s.maxFlight > 0 && s.inFlight > s.maxFlight
		throttled := s.NextThrottled()
		code := s.NextFailure()
		if over || overMinute || throttled {
			s.throttled++
		}
		latency := s.latency
		s.mu.Unlock()
		defer func() { s.mu.Lock(); s.inFlight--; s.mu.Unlock() }()
		if latency > 0 {
			time.Sleep(latency)
		}
		switch {
		case over || overMinute || throttled:
			writeFault(w, s, http.StatusTooManyRequests, "ThrottlingFault", "3001",
				"message=ThrottleExceeded; errorCode=003001; statusCode=429", "The request limit was reached.", "")
		case code != 0:
			writeFault(w, s, code, "SystemFault", "10000", "An application error has occurred while processing your request",
				"System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again.", "")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// recorded is an answer kept for replay under its requestid.
type recorded struct {
	status int
	header http.Header
	body   []byte
}

// replay answers a write that repeats a requestid with the first answer,
// as QuickBooks does; the write is not done again. It also loses answers
// on cue, after the write.
func (s *Server) replay(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("requestid")
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if len(id) > 50 {
			writeFault(w, s, http.StatusBadRequest, "ValidationFault", "2010", "Request has invalid or unsupported property",
				"requestid is longer than 50 characters", "requestid")
			return
		}
		s.mu.Lock()
		prev, seen := s.replays[id]
		s.mu.Unlock()
		if id != "" && seen {
			writeRecorded(w, prev)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		got := recorded{status: rec.Code, header: rec.Header().Clone(), body: rec.Body.Bytes()}
		s.mu.Lock()
		if id != "" && rec.Code < 500 {
			s.replays[id] = got
		}
		lose := s.loseNext > 0 && rec.Code < 300
		if lose {
			s.loseNext--
		}
		s.mu.Unlock()
		if lose {
			connectortest.Reset(w)
			return
		}
		writeRecorded(w, got)
	})
}

func writeRecorded(w http.ResponseWriter, rec recorded) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body)
}

// stamp is IntuitResponse's time attribute.
func (s *Server) stamp() string { return s.Now().In(zone).Format("2006-01-02T15:04:05.000-07:00") }

// writeFault is Intuit's error body.
func writeFault(w http.ResponseWriter, s *Server, status int, faultType, code, message, detail, element string) {
	e := map[string]string{"Message": message, "code": code}
	if detail != "" {
		e["Detail"] = detail
	}
	if element != "" {
		e["element"] = element
	}
	connectortest.WriteJSON(w, status, "application/json", map[string]any{"Fault": map[string]any{"Error": []map[string]string{e},
		"type": faultType}, "time": s.stamp()})
}

func validation(w http.ResponseWriter, s *Server, code, message, detail, element string) {
	writeFault(w, s, http.StatusBadRequest, "ValidationFault", code, message, detail, element)
}

func notFound(w http.ResponseWriter, s *Server) {
	validation(w, s, "610", "Object Not Found", "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.", "")
}

// writeEntity answers one entity: {"Invoice": {...}, "time": ...}.
func (s *Server) writeEntity(w http.ResponseWriter, name string, v any) {
	connectortest.WriteJSON(w, http.StatusOK, "application/json;charset=UTF-8", map[string]any{name: v, "time": s.stamp()})
}

// formatTime is xs:dateTime as QuickBooks writes it, in the company's zone.
func formatTime(t time.Time) string { return t.In(zone).Format(time.RFC3339) }

func metaData(created, updated time.Time) map[string]any {
	return map[string]any{"CreateTime": formatTime(created), "LastUpdatedTime": formatTime(updated)}
}

func ref(id, name string) map[string]any {
	r := map[string]any{"value": id}
	if name != "" {
		r["name"] = name
	}
	return r
}
