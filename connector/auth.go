package connector

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Auth puts credentials on one attempt's request. The request is a private
// copy: Apply may set headers on it freely. Apply registers every secret it
// uses with the redactor, so that no log line or error can carry it.
//
// The client calls Apply only for requests to its own host: a redirect to
// another host never gets credentials. An error from Apply means the
// request was not sent: it is never reported as ErrOutcomeUnknown. Its kind
// is ErrUnavailable if it matches ErrUnavailable (a token endpoint that is
// down), ErrReauthRequired if it matches that, and ErrUnauthorized
// otherwise.
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

// reauthorizer is an Auth whose credential can be renewed when the vendor
// rejects it. On a 401 the client calls Reauthorize once with the
// Authorization value that was rejected, then replays the request once; a
// second 401 gives ErrReauthRequired.
type reauthorizer interface {
	Reauthorize(ctx context.Context, rejected string) error
}

// contextTokenSource is a token source that honours the caller's context
// while it waits for a token, as connector/oauth's Source does.
type contextTokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// forcedRefresher is a token source that can renew a token the vendor
// rejected, even before it expires.
type forcedRefresher interface {
	ForceRefresh(ctx context.Context, rejectedAccessToken string) error
}

// OAuth2 takes a fresh token from ts for every attempt and sends it as
// "Authorization: Bearer <token>". ts should cache and refresh tokens
// itself, as oauth2.ReuseTokenSource does. connector/oauth's Source adds
// rotation-safe persistence, waiting on the caller's context
// (TokenContext), and a forced refresh and one replay on 401
// (ForceRefresh).
func OAuth2(ts oauth2.TokenSource) Auth { return OAuth2Header("Authorization", ts) }

// OAuth2Header is OAuth2 for a vendor that takes the access token alone in
// a header of its own (Shopify: X-Shopify-Access-Token), not as a Bearer
// Authorization.
func OAuth2Header(header string, ts oauth2.TokenSource) Auth {
	a := oauth2Auth{ts: ts, header: http.CanonicalHeaderKey(header)}
	if _, ok := ts.(forcedRefresher); ok && a.header == "Authorization" {
		return reauthOAuth2{a}
	}
	return a
}

type oauth2Auth struct {
	ts     oauth2.TokenSource
	header string
}

// reauthOAuth2 is oauth2Auth over a source that can force a refresh.
type reauthOAuth2 struct{ oauth2Auth }

func (a reauthOAuth2) Reauthorize(ctx context.Context, rejected string) error {
	_, token, _ := strings.Cut(rejected, " ")
	return a.ts.(forcedRefresher).ForceRefresh(ctx, token)
}

func (a oauth2Auth) HeaderName() string { return a.header }

func (a oauth2Auth) Apply(req *http.Request, r *Redactor) error {
	var (
		tok *oauth2.Token
		err error
	)
	if cts, ok := a.ts.(contextTokenSource); ok {
		tok, err = cts.TokenContext(req.Context())
	} else {
		tok, err = a.ts.Token()
	}
	if err != nil {
		return newTokenError(err, r)
	}
	r.Add(tok.AccessToken)
	r.Add(tok.RefreshToken)
	if a.header == "Authorization" {
		req.Header["Authorization"] = []string{tok.Type() + " " + tok.AccessToken}
	} else {
		req.Header[a.header] = []string{tok.AccessToken}
	}
	return nil
}

// tokenError is a failure to obtain a token, with no secret in it.
type tokenError struct {
	kind error // the sentinel, or a context error
	msg  string
}

func (e *tokenError) Error() string { return "oauth2: " + e.msg }
func (e *tokenError) Unwrap() error { return e.kind }

// newTokenError types a token source's failure. A token endpoint's body may
// echo credentials, so of an oauth2.RetrieveError only the standard error
// code and the status are kept; any other text goes through the redactor.
func newTokenError(err error, r *Redactor) error {
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re):
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		e := &tokenError{kind: ErrUnauthorized, msg: fmt.Sprintf("token endpoint answered %d", status)}
		if re.ErrorCode != "" {
			e.msg = "token endpoint refused: " + r.String(re.ErrorCode)
		}
		switch {
		case re.ErrorCode == "invalid_grant":
			e.kind = ErrReauthRequired
		case status == http.StatusTooManyRequests || status >= 500:
			e.kind = ErrUnavailable
		}
		return e
	case errors.Is(err, ErrReauthRequired):
		return &tokenError{kind: ErrReauthRequired, msg: r.String(err.Error())}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &tokenError{kind: ctxErr(err), msg: r.String(err.Error())}
	case errors.Is(err, ErrUnavailable), isNetError(err):
		return &tokenError{kind: ErrUnavailable, msg: r.String(err.Error())}
	case errors.Is(err, ErrUnauthorized):
		return &tokenError{kind: ErrUnauthorized, msg: r.String(err.Error())}
	}
	return err // a store's own failure keeps its own error
}

func ctxErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	return context.DeadlineExceeded
}

// isNetError reports a failure to reach a server: refused, reset, DNS, a
// timeout.
func isNetError(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}

// authError marks a failure of the auth layer: nothing was sent.
type authError struct{ err error }

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }
func (e *authError) notSent()      {}

// NotSent marks err as a failure before any byte of the request was sent,
// so that the client neither retries it nor reports it as
// ErrOutcomeUnknown. A RoundTripper given through WithHTTPClient that
// refuses a request (a circuit breaker, a policy check) returns its error
// through NotSent. Errors from an Auth are marked already.
func NotSent(err error) error { return &notSentError{err: err} }

type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }
func (e *notSentError) notSent()      {}
