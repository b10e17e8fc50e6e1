package oauth_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// No access token, refresh token or client secret reaches a log line or an
// error, even when the token endpoint and the API echo them back.
func TestOAuthSecretSentinel(t *testing.T) {
	const (
		access  = "SENTINEL-access-token-1a2b"
		refresh = "SENTINEL-refresh-token-3c4d"
		secret  = "SENTINEL-client-secret-5e6f"
	)
	for _, tc := range []struct {
		name, tokenBody string
		status          int
	}{
		{"invalid_grant echoing everything", `{"error":"invalid_grant","error_description":"refresh ` + refresh + ` for secret ` + secret + ` and ` + access + `"}`, 400},
		{"hostile error code", `{"error":"` + refresh + `","error_description":"` + secret + `"}`, 400},
		{"5xx echoing everything", `{"error":"server_error","refresh_token":"` + refresh + `","client_secret":"` + secret + `"}`, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tokenEndpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.tokenBody)
			}))
			defer tokenEndpoint.Close()
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprintf(w, `{"message":"bad credentials %s"}`, r.Header.Get("Authorization"))
			}))
			defer api.Close()
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()

			// A live access token that the API rejects: the client must
			// force a refresh, which the endpoint refuses.
			seed := &oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(time.Hour)}
			src, err := oauth.NewSource(oauth.Config{
				OAuth2: &oauth2.Config{ClientID: "app", ClientSecret: secret,
					Endpoint: oauth2.Endpoint{TokenURL: tokenEndpoint.URL, AuthStyle: oauth2.AuthStyleInHeader}},
				Store: oauth.NewMemoryStore(seed), HTTPClient: &http.Client{Transport: tr}, RefreshAttempts: 1,
			})
			if err != nil {
				t.Fatal(err)
			}
			var logs lockedBuffer
			client, err := connector.New(connector.Vendor{Name: "xero", BaseURL: api.URL, Auth: connector.OAuth2(src)}, connector.WithHTTPClient(&http.Client{Transport: tr}),
				connector.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			if err != nil {
				t.Fatal(err)
			}
			err = client.JSON(context.Background(), http.MethodGet, "/Invoices", nil, nil)
			if err == nil {
				t.Fatal("want an error")
			}
			tokErr := src.ForceRefresh(context.Background(), access) // the Source's own error, unredacted by the client
			if tokErr == nil {
				t.Fatal("ForceRefresh: want an error")
			}
			texts := []string{logs.String(), err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprint(tokErr)}
			for _, text := range texts {
				if strings.Contains(text, "SENTINEL") {
					t.Errorf("a secret leaked: %s", text)
				}
			}
		})
	}
}
