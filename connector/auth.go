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

// Auth puts credentials on one attempt's copy of a request, for the
// vendor's hosts only, and registers its secrets with the redactor. An
// error from Apply means nothing was sent; its kind is ErrUnavailable or
// ErrReauthRequired if it matches them, else ErrUnauthorized.
type Auth interface {
	Apply(req *http.Request, r *Redactor) error
}

// HeaderNamer is an Auth that sets a header other than Authorization, which
// the client then strips from redirects to other hosts.
type HeaderNamer interface {
	HeaderName() string
}

// APIKey sets header to key ("API-Key: <key>", ShipEngine).
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

// TokenScheme sets "Authorization: <scheme> <token>" (Shippo's ShippoToken).
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

// OAuth2 sends a token from ts (which caches and refreshes, as
// oauth2.ReuseTokenSource does) on every attempt. connector/oauth's Source
// adds rotation-safe storage and one forced refresh and replay on 401.
func OAuth2(ts oauth2.TokenSource) Auth { return OAuth2Header("Authorization", ts) }

// OAuth2Header is OAuth2 with the token alone in a header of the vendor's
// own (Shopify: X-Shopify-Access-Token).
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
			// Only RFC 6749's codes: a hostile endpoint can put anything
			// there, the refresh token the client never saw included.
			e.msg = "token endpoint refused: " + oauthErrorCode(re.ErrorCode)
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
	case errors.Is(err, ErrUnavailable):
		// Before the context errors: a refresh that timed out on its own
		// clock is an outage of the token endpoint, not the caller's end.
		return &tokenError{kind: ErrUnavailable, msg: r.String(err.Error())}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &tokenError{kind: ctxErr(err), msg: r.String(err.Error())}
	case isNetError(err):
		return &tokenError{kind: ErrUnavailable, msg: r.String(err.Error())}
	case errors.Is(err, ErrUnauthorized):
		return &tokenError{kind: ErrUnauthorized, msg: r.String(err.Error())}
	}
	return &sourceError{err: err} // a store's own failure keeps its own error
}

// sourceError is a token source's failure of its own (a store that cannot
// save), which is no kind of the vendor's.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// oauthErrorCode keeps an RFC 6749 section 5.2 error code, and says
// "refused" for anything else.
func oauthErrorCode(code string) string {
	switch code {
	case "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope":
		return code
	}
	return "refused"
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

// NotSent marks a failure before any byte was sent (a circuit breaker in a
// WithHTTPClient transport), so it is neither retried nor
// ErrOutcomeUnknown. Auth errors are marked already.
func NotSent(err error) error { return &notSentError{err: err} }

type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }
func (e *notSentError) notSent()      {}
