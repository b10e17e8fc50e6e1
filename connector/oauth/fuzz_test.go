package oauth_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
)

// answer is a token endpoint in memory: it replies with a fixed status and body.
type answer struct {
	status int
	body   []byte
}

func (a answer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{StatusCode: a.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(a.body)), Request: req}, nil
}

// FuzzTokenResponse feeds any token-endpoint answer through a refresh:
// expires_in as a number, a string, null or garbage. The result is a token
// with an access token, or a typed error; never a panic.
func FuzzTokenResponse(f *testing.F) {
	f.Add(200, []byte(`{"access_token":"a","token_type":"Bearer","expires_in":3600,"refresh_token":"r"}`))
	f.Add(200, []byte(`{"access_token":"a","token_type":"Bearer","expires_in":"3600","refresh_token":"r"}`))
	f.Add(200, []byte(`{"access_token":"a","token_type":"Bearer","expires_in":null}`))
	f.Add(200, []byte(`{"access_token":"a","expires_in":1e400}`))
	f.Add(200, []byte(`{"access_token":"","expires_in":-5}`))
	f.Add(400, []byte(`{"error":"invalid_grant","error_description":"expired"}`))
	f.Add(503, []byte(`<html>busy</html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		src, err := oauth.NewSource(oauth.Config{
			OAuth2: &oauth2.Config{ClientID: "c", ClientSecret: "s",
				Endpoint: oauth2.Endpoint{TokenURL: "https://token.test/token", AuthStyle: oauth2.AuthStyleInParams}},
			Store:      oauth.NewMemoryStore(&oauth2.Token{AccessToken: "old", RefreshToken: "rt", Expiry: time.Now().Add(-time.Hour)}),
			HTTPClient: &http.Client{Transport: answer{status, body}}, RefreshAttempts: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := src.TokenContext(context.Background())
		switch {
		case err == nil && (tok == nil || tok.AccessToken == ""):
			t.Fatalf("no error and no access token for %d %q", status, body)
		case err != nil && !errors.Is(err, connector.ErrReauthRequired) && !errors.Is(err, connector.ErrUnavailable):
			t.Fatalf("untyped error %v", err)
		}
	})
}
