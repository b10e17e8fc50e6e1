package salesforcetest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// LoginURL is the sandbox's login host (login.salesforce.com's part):
// its /services/oauth2/token answers with the org's instance_url, which is
// URL(), another host.
func (s *Server) LoginURL() string { return s.login.URL }

// OAuthConfig is a connected app's oauth2.Config for the sandbox's login
// host: client id and secret, and the token URL; Salesforce takes the
// client credentials in the form body.
func (s *Server) OAuthConfig() *oauth2.Config {
	return &oauth2.Config{ClientID: s.clientID, ClientSecret: s.clientSecret, RedirectURL: "https://app.example.com/oauth/callback",
		Endpoint: oauth2.Endpoint{AuthURL: s.login.URL + "/services/oauth2/authorize", TokenURL: s.login.URL + "/services/oauth2/token",
			AuthStyle: oauth2.AuthStyleInParams},
		Scopes: []string{"api", "refresh_token"}}
}

// AuthorizationCode plays the user at the consent page: a code the token
// endpoint exchanges once.
func (s *Server) AuthorizationCode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := "aPrx" + connectortest.RandomHex(16)
	s.codes[code] = true
	return code
}

// TokenRequests counts the token endpoint's requests of a grant type
// ("authorization_code", "refresh_token").
func (s *Server) TokenRequests(grant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCalls[grant]
}

// tokenEndpoint is POST /services/oauth2/token: the web-server flow's
// code exchange and the refresh-token grant. Salesforce's answer has no
// expires_in (a session lasts as the org's session settings say) and,
// on a refresh, no new refresh token.
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
func (s *Server) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", "bad form")
		return
	}
	grant := r.PostForm.Get("grant_type")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenCalls[grant]++
	if r.PostForm.Get("client_id") != s.clientID || r.PostForm.Get("client_secret") != s.clientSecret {
		oauthError(w, "invalid_client", "invalid client credentials")
		return
	}
	var refresh string
	switch grant {
	case "authorization_code":
		code := r.PostForm.Get("code")
		if !s.codes[code] {
			oauthError(w, "invalid_grant", "invalid authorization code")
			return
		}
		delete(s.codes, code)
		refresh = "5Aep" + connectortest.RandomHex(24)
		s.refresh[refresh] = true
	case "refresh_token":
		if !s.refresh[r.PostForm.Get("refresh_token")] {
			oauthError(w, "invalid_grant", "expired access/refresh token")
			return
		}
	default:
		oauthError(w, "unsupported_grant_type", "grant type not supported")
		return
	}
	access := "00DSb0000000001!" + connectortest.RandomHex(24)
	s.sessions[access] = true
	body := map[string]string{"access_token": access, "signature": connectortest.RandomHex(16), "scope": "refresh_token api",
		"instance_url": s.URL(), "id": s.login.URL + "/id/00DSb0000000001AAA/005Sb0000000001AAA", "token_type": "Bearer",
		"issued_at": strconv.FormatInt(time.Now().UnixMilli(), 10)}
	if refresh != "" {
		body["refresh_token"] = refresh
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private")
	_ = json.NewEncoder(w).Encode(body)
}

func oauthError(w http.ResponseWriter, code, description string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
