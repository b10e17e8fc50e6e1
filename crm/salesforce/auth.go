package salesforce

import (
	"context"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
)

// OAuth2 is connector.OAuth2(ts) that also registers the connected app's
// client secret with the client's redactor, so that an answer echoing it
// (a misconfigured proxy, a token endpoint behind the instance) never
// puts it in an error or a log line: the API never needs it, so the
// client would not know it otherwise. ts is a connector/oauth Source
// over app (Endpoint gives app's endpoint): one forced refresh and replay
// follow a 401 INVALID_SESSION_ID.
func OAuth2(ts oauth2.TokenSource, app *oauth2.Config) connector.Auth {
	a := connector.OAuth2(ts)
	var extra []string
	if app != nil && app.ClientSecret != "" {
		extra = append(extra, app.ClientSecret)
	}
	if r, ok := a.(reauthorizer); ok {
		return reauthAuth{secretsAuth{a, extra}, r}
	}
	return secretsAuth{a, extra}
}

// reauthorizer is what the core calls on a 401 (connector/oauth's Source
// through connector.OAuth2).
type reauthorizer interface {
	Reauthorize(ctx context.Context, rejected string) error
}

type secretsAuth struct {
	next  connector.Auth
	extra []string
}

func (a secretsAuth) Apply(req *http.Request, r *connector.Redactor) error {
	for _, s := range a.extra {
		r.Add(s)
	}
	return a.next.Apply(req, r)
}

type reauthAuth struct {
	secretsAuth
	r reauthorizer
}

func (a reauthAuth) Reauthorize(ctx context.Context, rejected string) error {
	return a.r.Reauthorize(ctx, rejected)
}
