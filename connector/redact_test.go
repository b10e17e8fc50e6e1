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

// A vendor or proxy that echoes request headers into X-Request-Id puts the
// bearer token there: the debug line's request_id is redacted, on a 200
// and on a 401, as APIError.RequestID is.
func TestRequestIDInLogRedacted(t *testing.T) {
	const token = "SENTINEL-token-echoed-5a6b"
	echo := func(status int) connectortest.Fault {
		return connectortest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "req-1 "+r.Header.Get("Authorization"))
			w.WriteHeader(status)
			w.Write([]byte(`{}`))
		}}
	}
	srv := connectortest.NewServer(t, echo(200), echo(401))
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newVendorClient(t, connector.Vendor{BaseURL: srv.URL, Auth: connector.Bearer(token)}, srv.Client(), connector.WithLogger(logger))
	if err := get(context.Background(), c, "/ok"); err != nil {
		t.Fatal(err)
	}
	err := get(context.Background(), c, "/denied")
	if err == nil {
		t.Fatal("want the 401")
	}
	if n := strings.Count(logs.String(), "request_id="); n != 2 {
		t.Fatalf("%d request ids logged, want 2: %s", n, logs.String())
	}
	for _, text := range []string{logs.String(), err.Error()} {
		if strings.Contains(text, "SENTINEL") {
			t.Errorf("the token leaked: %s", text)
		}
	}
}

// Only credential parameters are masked in logged URLs: ?code=401,
// ?state=open and ?key=sku-1 are a vendor's ordinary filters; api_key and
// api_token are not.
func TestOrdinaryQueryParametersKept(t *testing.T) {
	srv := connectortest.NewServer(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv.URL, srv.Client(), connector.WithLogger(logger))
	if err := get(context.Background(), c, "/x?code=401&state=open&key=sku-1&api_key=SENTINEL-k-1234&api_token=SENTINEL-t-5678"); err != nil {
		t.Fatal(err)
	}
	line := logs.String()
	for _, kept := range []string{"code=401", "state=open", "key=sku-1"} {
		if !strings.Contains(line, kept) {
			t.Errorf("%s was masked: %s", kept, line)
		}
	}
	if strings.Contains(line, "SENTINEL") {
		t.Errorf("a credential parameter was logged: %s", line)
	}
}
