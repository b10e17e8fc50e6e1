package connector_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// syncBuffer is a log sink safe for the client's concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Scenario 20: a secret in the token, in the query string and echoed back
// in an error body never appears in a log line or an error, on the answer
// path or the transport-failure path.
func TestSecretSentinel(t *testing.T) {
	const token = "SENTINEL-token-4b1d0c"
	const querySecret = "SENTINEL-query-9e8f7a"
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"message":"bad token %s for %s","code":"%s"}`, r.Header.Get("Authorization"), r.URL.String(), token)
	}
	srv := connectortest.NewServer(t, connectortest.Fault{Handler: echo})
	closed := connectortest.ClosedURL(t)

	for name, base := range map[string]string{"error body": srv.URL, "transport failure": closed} {
		t.Run(name, func(t *testing.T) {
			var logs syncBuffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := newVendorClient(t, connector.Vendor{BaseURL: base, Auth: connector.Bearer(token)}, srv.Client(), connector.WithLogger(logger))

			err := c.JSON(context.Background(), http.MethodGet, "/things?api_key="+url.QueryEscape(querySecret)+"&limit=5", nil, nil)
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(logs.String(), "http attempt") {
				t.Fatalf("no attempt was logged at debug: %q", logs.String())
			}
			texts := map[string]string{
				"log": logs.String(), "err": err.Error(),
				"%+v": fmt.Sprintf("%+v", err), "%#v": fmt.Sprintf("%#v", err),
			}
			for where, text := range texts {
				for _, secret := range []string{token, querySecret, "SENTINEL"} {
					if strings.Contains(text, secret) {
						t.Errorf("%s holds a secret: %s", where, text)
					}
				}
			}
		})
	}
}

// Nothing is logged above debug on a healthy call.
func TestSuccessPathQuietAboveDebug(t *testing.T) {
	srv := connectortest.NewServer(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c := newClient(t, srv.URL, srv.Client(), connector.WithLogger(logger))
	if err := get(context.Background(), c, "/ok"); err != nil {
		t.Fatal(err)
	}
	if logs.String() != "" {
		t.Fatalf("logged on success: %q", logs.String())
	}
}
