package connector

import (
	"encoding/base64"
	"errors"
	"net/http"

	"golang.org/x/oauth2"
)

// Auth puts credentials on one attempt's request. The request is a private
// copy: Apply may set headers on it freely. Apply registers every secret it
// uses with the redactor, so that no log line or error can carry it.
//
// The client calls Apply only for requests to its own host: a redirect to
// another host never gets credentials.
type Auth interface {
	Apply(req *http.Request, r *Redactor) error
}

// HeaderNamer is implemented by an Auth that sets a header other than
// Authorization. The client strips that header from any request leaving for
// another host, as net/http does for Authorization only.
type HeaderNamer interface {
	HeaderName() string
}

// APIKey sets header to key on every request: "X-Shopify-Access-Token",
// "API-Key" (ShipEngine), "Authorization" with a vendor prefix already in key.
func APIKey(header, key string) Auth {
	return apiKeyAuth{header: http.CanonicalHeaderKey(header), key: key}
}

type apiKeyAuth struct{ header, key string }

func (a apiKeyAuth) Apply(req *http.Request, r *Redactor) error {
	r.Add(a.key)
	req.Header[a.header] = []string{a.key}
	return nil
}

func (a apiKeyAuth) HeaderName() string { return a.header }

// Basic sets HTTP Basic credentials (RFC 7617).
func Basic(user, password string) Auth {
	token := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	return basicAuth{user: user, password: password, value: []string{"Basic " + token}, token: token}
}

type basicAuth struct {
	user, password, token string
	value                 []string
}

func (a basicAuth) Apply(req *http.Request, r *Redactor) error {
	r.Add(a.password)
	r.Add(a.token)
	if a.password == "" {
		r.Add(a.user) // API keys sent as the user name (Stripe, EasyPost)
	}
	req.Header["Authorization"] = a.value
	return nil
}

// Bearer sets a static bearer token (a private-app token, a personal key).
func Bearer(token string) Auth { return bearerAuth{token: token, value: []string{"Bearer " + token}} }

type bearerAuth struct {
	token string
	value []string
}

func (a bearerAuth) Apply(req *http.Request, r *Redactor) error {
	r.Add(a.token)
	req.Header["Authorization"] = a.value
	return nil
}

// OAuth2 takes a fresh token from ts for every attempt. ts should cache and
// refresh tokens itself, as oauth2.ReuseTokenSource does; the connector's
// OAuth2 package adds rotation-safe persistence on top.
func OAuth2(ts oauth2.TokenSource) Auth { return oauth2Auth{ts: ts} }

type oauth2Auth struct{ ts oauth2.TokenSource }

func (a oauth2Auth) Apply(req *http.Request, r *Redactor) error {
	tok, err := a.ts.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			// The token endpoint's body may echo credentials: keep only
			// the standard error code.
			return &tokenError{code: re.ErrorCode, status: statusOf(re.Response)}
		}
		return &tokenError{msg: r.String(err.Error())}
	}
	r.Add(tok.AccessToken)
	r.Add(tok.RefreshToken)
	req.Header["Authorization"] = []string{tok.Type() + " " + tok.AccessToken}
	return nil
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// tokenError is a failure to obtain a token, with no secret in it.
type tokenError struct {
	code   string
	status int
	msg    string
}

func (e *tokenError) Error() string {
	switch {
	case e.code != "":
		return "oauth2: token endpoint refused: " + e.code
	case e.msg != "":
		return "oauth2: " + e.msg
	}
	return "oauth2: token endpoint failed"
}

func (e *tokenError) Unwrap() error { return ErrUnauthorized }

func (e *tokenError) beforeSend() {}
