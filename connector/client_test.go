package connector_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

func TestNewValidates(t *testing.T) {
	oldTLS := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS10}}}
	ok := connector.Vendor{Name: "v", BaseURL: "https://x.test"}
	bad := map[string]struct {
		v    connector.Vendor
		opts []connector.Option
	}{
		"no name":             {connector.Vendor{BaseURL: "https://x.test"}, nil},
		"no base URL":         {connector.Vendor{Name: "v"}, nil},
		"relative base URL":   {connector.Vendor{Name: "v", BaseURL: "/api"}, nil},
		"base URL with key":   {connector.Vendor{Name: "v", BaseURL: "https://api.example.com/?key=abc"}, nil},
		"11 attempts":         {ok, []connector.Option{connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 11})}},
		"negative timeout":    {ok, []connector.Option{connector.WithAttemptTimeout(-1)}},
		"keys without header": {connector.Vendor{Name: "v", BaseURL: "https://x.test", KeyEveryWrite: true}, nil},
		"TLS 1.0 allowed":     {ok, []connector.Option{connector.WithHTTPClient(oldTLS)}},
		"nil HTTP client":     {ok, []connector.Option{connector.WithHTTPClient(nil)}},
	}
	for name, tt := range bad {
		_, err := connector.New(tt.v, tt.opts...)
		assert.Error(t, err, name)
	}
	_, err := connector.New(connector.Vendor{Name: "v", BaseURL: "https://x.test/api/v2/"})
	require.NoError(t, err)
}

// One debug line per attempt, with attempt number, status and the
// vendor's request id.
func TestDebugLinePerAttempt(t *testing.T) {
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 503, Header: http.Header{"X-Request-Id": {"r-1"}}},
		connectortest.Fault{Header: http.Header{"X-Request-Id": {"r-2"}}})
	var logs syncBuffer
	c := newClient(t, srv.URL, srv.Client(), connector.WithLogger(jsonLogger(&logs)))
	if err := get(context.Background(), c, "/x?limit=1"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2: %q", len(lines), lines)
	}
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"level": "DEBUG", "method": "GET", "attempt": float64(i + 1),
			"status": float64([]int{503, 200}[i]), "request_id": []string{"r-1", "r-2"}[i], "vendor": "testvendor"}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("line %d: %s = %v, want %v (%s)", i+1, k, m[k], v, line)
			}
		}
		if !strings.HasSuffix(m["url"].(string), "/x?limit=1") {
			t.Errorf("line %d: url = %v", i+1, m["url"])
		}
	}
}

// The caller's request is never modified: headers, keys and credentials go
// on each attempt's own copy.
func TestDoLeavesRequestAlone(t *testing.T) {
	srv := connectortest.NewServer(t)
	c := newVendorClient(t, connector.Vendor{BaseURL: srv.URL, Auth: connector.Bearer("token-abcdef"),
		IdempotencyHeader: "Idempotency-Key"}, srv.Client())
	req, _ := c.NewRequest(context.Background(), http.MethodPost, "/x", strings.NewReader("{}"))
	req.Header.Set("X-Mine", "1")
	resp, err := c.Do(context.Background(), req, connector.WithIdempotencyKey("k-123456"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(req.Header) != 1 || req.Header.Get("X-Mine") != "1" {
		t.Fatalf("caller's header changed: %v", req.Header)
	}
	got := srv.Requests()[0].Header
	if got.Get("Authorization") != "Bearer token-abcdef" || got.Get("Idempotency-Key") != "k-123456" ||
		got.Get("X-Mine") != "1" || got.Get("User-Agent") != "patchbay-go testvendor" {
		t.Fatalf("sent headers = %v", got)
	}
}

func jsonLogger(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Vendor.MaxConcurrent: 20 parallel calls, never more than 3 at the vendor at
// once, all succeed; a waiter gives up with its context.
func TestMaxConcurrent(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := connectortest.NewServer(t, connectortest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		w.Write([]byte(`{}`))
	}})
	c := newVendorClient(t, connector.Vendor{BaseURL: srv.URL, MaxConcurrent: 3}, srv.Client())
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := get(context.Background(), c, "/x"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p > 3 || p < 2 {
		t.Fatalf("peak concurrency = %d, want at most 3 (and the limit used)", p)
	}
}

// Send carries another encoding's body and content type, and each call's
// WithRequestHeader headers; JSON is Send with a JSON body.
func TestSendBodyTypeAndCallHeaders(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Body: `{"id":"cus_1"}`}, connectortest.Fault{Body: `{"id":"2"}`})
	c := newClient(t, srv.URL, srv.Client())
	var out struct{ ID string }
	err := c.Send(context.Background(), http.MethodPost, "/v1/customers", "application/x-www-form-urlencoded",
		strings.NewReader("email=ada%40example.com"), &out, connector.WithRequestHeader("If-Match", `"v7"`))
	if err != nil || out.ID != "cus_1" {
		t.Fatalf("Send = %+v, %v", out, err)
	}
	if err := c.JSON(context.Background(), http.MethodGet, "/v1/next", nil, &out); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	first, second := reqs[0], reqs[1]
	if first.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || string(first.Body) != "email=ada%40example.com" ||
		first.Header.Get("If-Match") != `"v7"` || first.Header.Get("Accept") != "application/json" {
		t.Fatalf("first request: %v %q", first.Header, first.Body)
	}
	if second.Header.Get("If-Match") != "" || second.Header.Get("Content-Type") != "" {
		t.Fatalf("a call's header leaked into the next call: %v", second.Header)
	}
}

// Do's ctx governs the call even when the request was made with another
// context: cancelling it ends a call that hangs.
func TestDoContextGoverns(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Hang: true})
	c := newClient(t, srv.URL, srv.Client(), connector.WithAttemptTimeout(0))
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/hang", nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, req)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
