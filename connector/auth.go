package connector

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

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

// TokenScheme sets "Authorization: <scheme> <token>", for vendors with
// their own scheme name (Shippo: "ShippoToken"). Only token is secret.
func TokenScheme(scheme, token string) Auth {
	return bearerAuth{token: token, value: []string{scheme + " " + token}}
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

// Reauthorizer is implemented by an Auth whose credential can be renewed
// when the vendor rejects it. On a 401 the client calls Reauthorize once
// with the Authorization value that was rejected, then replays the request
// once; a second 401 gives ErrReauthRequired.
type Reauthorizer interface {
	Reauthorize(ctx context.Context, rejected string) error
}

// ContextTokenSource is an oauth2.TokenSource that honours the caller's
// context while it waits for a token, as connector/oauth's Source does.
type ContextTokenSource interface {
	oauth2.TokenSource
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// ForcedRefresher is a token source that can renew a token the vendor
// rejected, even before it expires.
type ForcedRefresher interface {
	ForceRefresh(ctx context.Context, rejectedAccessToken string) error
}

// OAuth2 takes a fresh token from ts for every attempt. ts should cache and
// refresh tokens itself, as oauth2.ReuseTokenSource does; connector/oauth's
// Source adds rotation-safe persistence, and a forced refresh on 401.
func OAuth2(ts oauth2.TokenSource) Auth {
	if _, ok := ts.(ForcedRefresher); ok {
		return reauthOAuth2{oauth2Auth{ts: ts}}
	}
	return oauth2Auth{ts: ts}
}

type oauth2Auth struct{ ts oauth2.TokenSource }

// reauthOAuth2 is oauth2Auth over a source that can force a refresh.
type reauthOAuth2 struct{ oauth2Auth }

func (a reauthOAuth2) Reauthorize(ctx context.Context, rejected string) error {
	_, token, _ := strings.Cut(rejected, " ")
	return a.ts.(ForcedRefresher).ForceRefresh(ctx, token)
}

func (a oauth2Auth) Apply(req *http.Request, r *Redactor) error {
	var (
		tok *oauth2.Token
		err error
	)
	if cts, ok := a.ts.(ContextTokenSource); ok {
		tok, err = cts.TokenContext(req.Context())
	} else {
		tok, err = a.ts.Token()
	}
	if err != nil {
		if errors.Is(err, ErrReauthRequired) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return &tokenError{msg: r.String(err.Error()), cause: err}
		}
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
	cause  error // a sentinel or context error, never one carrying a body
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

func (e *tokenError) Unwrap() error {
	if e.cause != nil {
		return e.cause
	}
	return ErrUnauthorized
}

func (e *tokenError) beforeSend() {}
