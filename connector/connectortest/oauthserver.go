package connectortest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// OAuthServer is a fake OAuth2 provider on 127.0.0.1 that behaves like the
// strict ones (Xero, QuickBooks): authorization codes bound to a PKCE S256
// challenge, refresh tokens that are single-use and rotate on every
// refresh, access tokens that expire. It counts token requests, and can
// revoke, hang, fail with 5xx and answer slowly on cue. Protect wraps an
// API handler so that it accepts only the server's live access tokens.
type OAuthServer struct {
	URL, AuthURL, TokenURL string
	ClientID, ClientSecret string
	RedirectURL            string

	srv       *httptest.Server
	closing   chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	accessTTL time.Duration
	codes     map[string]pkceCode
	refresh   map[string]bool      // live refresh tokens
	access    map[string]time.Time // live access tokens and their expiry
	requests  map[string]int       // token requests by grant_type
	hang      bool
	hangNext  int // the next n token requests hang
	failNext  int
	grace     time.Duration        // how long a rotated refresh token stays usable
	spent     map[string]time.Time // rotated refresh tokens: when first used
	slow      time.Duration
	rotate    bool
}

type pkceCode struct{ challenge, redirect string }

// NewOAuthServer starts a provider for one client app; it is closed when
// the test ends. Access tokens live an hour unless SetAccessTTL says else.
func NewOAuthServer(t testing.TB) *OAuthServer {
	t.Helper()
	s := StartOAuthServer()
	t.Cleanup(s.Close)
	return s
}

// StartOAuthServer starts a provider outside a test (a vendor sandbox
// embeds one); Close stops it.
func StartOAuthServer() *OAuthServer {
	s := &OAuthServer{
		ClientID: "client-" + randomHex(4), ClientSecret: "secret-" + randomHex(12),
		RedirectURL: "http://127.0.0.1/callback",
		closing:     make(chan struct{}),
		accessTTL:   time.Hour, rotate: true,
		codes: map[string]pkceCode{}, refresh: map[string]bool{}, access: map[string]time.Time{}, requests: map[string]int{}, spent: map[string]time.Time{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	s.srv = httptest.NewServer(mux)
	s.URL, s.AuthURL, s.TokenURL = s.srv.URL, s.srv.URL+"/authorize", s.srv.URL+"/token"
	return s
}

// Close stops the provider, releasing hanging requests first.
func (s *OAuthServer) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// Config returns the app's oauth2.Config for this provider, with the
// client authentication style given.
func (s *OAuthServer) Config(style oauth2.AuthStyle) *oauth2.Config {
	return &oauth2.Config{
		ClientID: s.ClientID, ClientSecret: s.ClientSecret, RedirectURL: s.RedirectURL,
		Endpoint: oauth2.Endpoint{AuthURL: s.AuthURL, TokenURL: s.TokenURL, AuthStyle: style},
		Scopes:   []string{"accounting.transactions", "offline_access"},
	}
}

// IssueToken mints a live token pair whose access token expires after ttl
// (negative: already expired), as if the account had been connected.
func (s *OAuthServer) IssueToken(ttl time.Duration) *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mint(ttl)
}

func (s *OAuthServer) mint(ttl time.Duration) *oauth2.Token {
	tok := &oauth2.Token{AccessToken: "at-" + randomHex(16), RefreshToken: "rt-" + randomHex(16), TokenType: "Bearer",
		Expiry: time.Now().Add(ttl)}
	s.access[tok.AccessToken] = tok.Expiry
	s.refresh[tok.RefreshToken] = true
	return tok
}

// SetAccessTTL sets the lifetime of access tokens issued from now on.
func (s *OAuthServer) SetAccessTTL(d time.Duration) { s.mu.Lock(); s.accessTTL = d; s.mu.Unlock() }

// SetRotation turns refresh-token rotation on (the default) or off.
func (s *OAuthServer) SetRotation(on bool) { s.mu.Lock(); s.rotate = on; s.mu.Unlock() }

// SetGrace keeps a rotated refresh token usable for d after its first
// use, as Xero does for 30 minutes so that a client whose refresh answer
// was lost can refresh again with the token it still has
// (https://developer.xero.com/faq/oauth2). 0 (the default) is strict:
// single use.
func (s *OAuthServer) SetGrace(d time.Duration) { s.mu.Lock(); s.grace = d; s.mu.Unlock() }

// HangNext makes the next n token requests hang until the client gives
// up, as one stuck connection does; the requests after them are answered.
func (s *OAuthServer) HangNext(n int) { s.mu.Lock(); s.hangNext = n; s.mu.Unlock() }

// Revoke makes an access or refresh token invalid.
func (s *OAuthServer) Revoke(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.access, token)
	delete(s.refresh, token)
	delete(s.spent, token)
}

// RevokeAll ends every grant, as when a user disconnects the app.
func (s *OAuthServer) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
	clear(s.refresh)
	clear(s.spent)
}

// Hang makes the token endpoint hold requests without answering.
func (s *OAuthServer) Hang(on bool) { s.mu.Lock(); s.hang = on; s.mu.Unlock() }

// FailNext answers the next n token requests with 503.
func (s *OAuthServer) FailNext(n int) { s.mu.Lock(); s.failNext = n; s.mu.Unlock() }

// Slow delays every token answer by d.
func (s *OAuthServer) Slow(d time.Duration) { s.mu.Lock(); s.slow = d; s.mu.Unlock() }

// TokenRequests counts token requests of a grant type ("refresh_token",
// "authorization_code", "client_credentials"), or all of them for "".
func (s *OAuthServer) TokenRequests(grant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if grant != "" {
		return s.requests[grant]
	}
	n := 0
	for _, c := range s.requests {
		n += c
	}
	return n
}

// Valid reports whether an access token is live.
func (s *OAuthServer) Valid(accessToken string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.access[accessToken]
	return ok && time.Now().Before(exp)
}

// Protect serves h only to requests with a live bearer access token, and
// answers 401 with a WWW-Authenticate challenge otherwise.
func (s *OAuthServer) Protect(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !s.Valid(at) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"message":"token %s is not valid"}`, at) // echoes, as careless APIs do
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Consent plays the user at the authorization page: it checks authURL as
// the real endpoint would and returns the code and state that the browser
// would bring back to the redirect URL.
func (s *OAuthServer) Consent(authURL string) (code, state string, err error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", "", err
	}
	q := u.Query()
	switch {
	case q.Get("client_id") != s.ClientID:
		return "", "", fmt.Errorf("unknown client_id")
	case q.Get("response_type") != "code":
		return "", "", fmt.Errorf("response_type must be code")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		return "", "", fmt.Errorf("PKCE S256 challenge required")
	case q.Get("state") == "":
		return "", "", fmt.Errorf("state required")
	}
	code = "code-" + randomHex(12)
	s.mu.Lock()
	s.codes[code] = pkceCode{challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	s.mu.Unlock()
	return code, q.Get("state"), nil
}

func (s *OAuthServer) authorize(w http.ResponseWriter, r *http.Request) {
	code, state, err := s.Consent(r.URL.String())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target, _ := url.Parse(r.URL.Query().Get("redirect_uri"))
	q := target.Query()
	q.Set("code", code)
	q.Set("state", state)
	target.RawQuery = q.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

func (s *OAuthServer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "")
		return
	}
	grant := r.PostForm.Get("grant_type")
	s.mu.Lock()
	s.requests[grant]++
	hang, slow := s.hang, s.slow
	if s.hangNext > 0 {
		s.hangNext--
		hang = true
	}
	fail := s.failNext > 0
	if fail {
		s.failNext--
	}
	s.mu.Unlock()

	if hang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	if slow > 0 {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
	}
	if fail {
		http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	if !s.clientAuthenticated(r) {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch grant {
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		first, spent := s.spent[rt]
		inGrace := spent && time.Since(first) < s.grace
		if !s.refresh[rt] && !inGrace {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "refresh token "+rt+" is invalid or was already used")
			return
		}
		tok := s.mint(s.accessTTL)
		if s.rotate {
			delete(s.refresh, rt) // single use, but for the grace period
			if !spent {
				s.spent[rt] = time.Now()
			}
		} else {
			delete(s.refresh, tok.RefreshToken)
			tok.RefreshToken = ""
		}
		writeToken(w, tok, s.accessTTL)
	case "authorization_code":
		code := r.PostForm.Get("code")
		c, ok := s.codes[code]
		delete(s.codes, code)
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge || r.PostForm.Get("redirect_uri") != c.redirect {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "")
			return
		}
		writeToken(w, s.mint(s.accessTTL), s.accessTTL)
	case "client_credentials":
		tok := s.mint(s.accessTTL)
		delete(s.refresh, tok.RefreshToken)
		tok.RefreshToken = ""
		writeToken(w, tok, s.accessTTL)
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "")
	}
}

// clientAuthenticated accepts HTTP Basic or form credentials, not both,
// as RFC 6749 section 2.3.1 requires.
func (s *OAuthServer) clientAuthenticated(r *http.Request) bool {
	id, secret, basic := r.BasicAuth()
	formID := r.PostForm.Get("client_secret") != ""
	if basic && formID {
		return false
	}
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		return id == s.ClientID && secret == s.ClientSecret
	}
	return r.PostForm.Get("client_id") == s.ClientID && r.PostForm.Get("client_secret") == s.ClientSecret
}

func writeToken(w http.ResponseWriter, tok *oauth2.Token, ttl time.Duration) {
	body := map[string]any{"access_token": tok.AccessToken, "token_type": "Bearer", "expires_in": int(ttl.Seconds())}
	if tok.RefreshToken != "" {
		body["refresh_token"] = tok.RefreshToken
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(body)
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
