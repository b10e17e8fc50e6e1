package oauth

import (
	"context"
	"errors"
	"net/http"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/patchbay-go/patchbay/connector"
)

// RefreshTokenGrant spends the stored refresh token (RFC 6749 section 6)
// through golang.org/x/oauth2. A vendor that does not rotate sends no new
// refresh token; the old one is kept.
func RefreshTokenGrant(cfg *oauth2.Config) Grant {
	return func(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error) {
		if current == nil || current.RefreshToken == "" {
			return nil, errNoRefreshToken
		}
		return cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: current.RefreshToken}).Token()
	}
}

// ClientCredentials gets tokens with the client-credentials grant (RFC 6749
// section 4.4), for vendors that authenticate the app rather than a user.
// Set cfg.AuthStyle explicitly.
func ClientCredentials(cfg *clientcredentials.Config) Grant {
	return func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		if cfg.AuthStyle == oauth2.AuthStyleAutoDetect {
			return nil, errors.New("oauth: set clientcredentials.Config.AuthStyle explicitly")
		}
		return cfg.Token(ctx)
	}
}

var errNoRefreshToken = &refusal{code: "no_refresh_token", msg: "no refresh token stored: run the authorization flow"}

type failureKind int

const (
	ambiguous failureKind = iota // 5xx, network, timeout: the token may or may not have rotated
	refused                      // the endpoint said no (4xx): only a new authorization helps
)

func classify(err error) failureKind {
	var r *refusal
	if errors.As(err, &r) {
		return refused
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 &&
		re.Response.StatusCode != http.StatusTooManyRequests && re.Response.StatusCode != http.StatusRequestTimeout {
		return refused
	}
	return ambiguous
}

// refusal is the token endpoint's "no". It keeps the standard error code
// and status only: the body can echo the very tokens it refused.
type refusal struct {
	code   string
	status int
	msg    string
}

func (e *refusal) Error() string {
	s := "oauth: token endpoint refused: " + e.code
	if e.msg != "" {
		s += ": " + e.msg
	}
	return s + "; the account must be authorized again"
}

func (e *refusal) Unwrap() error { return connector.ErrReauthRequired }

func refusedError(err error) error {
	var r *refusal
	if errors.As(err, &r) {
		return r
	}
	out := &refusal{code: "refused"}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			out.code = sanitizeCode(re.ErrorCode)
		}
		if re.Response != nil {
			out.status = re.Response.StatusCode
		}
	}
	return out
}

// failure is a refresh that did not get an answer it could use.
type failure struct {
	attempts int
	status   int
	cause    error // a context error or a network error; never a RetrieveError
}

func (e *failure) Error() string {
	s := "oauth: token refresh failed"
	if e.status != 0 {
		s += ": token endpoint answered " + http.StatusText(e.status)
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *failure) Unwrap() []error { return []error{connector.ErrUnavailable, e.cause} }

func failedError(err error, attempts int) error {
	f := &failure{attempts: attempts}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil {
			f.status = re.Response.StatusCode
		}
		return f
	}
	f.cause = err
	return f
}

// standardCodes are RFC 6749 section 5.2's error codes. Any other value is
// reported as "refused": a hostile or broken endpoint could put anything,
// the refused token included, in that field.
var standardCodes = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true,
	"unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true,
}

func sanitizeCode(code string) string {
	if standardCodes[code] {
		return code
	}
	return "refused"
}
