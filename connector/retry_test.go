package connector_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// Scenario 1: nothing listens. The request provably never arrived, so even
// a keyless POST is retried, and the client stops after 3 attempts.
func TestClosedPortRetriesAnyMethod(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			var dials atomic.Int32
			tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}}
			t.Cleanup(tr.CloseIdleConnections)
			c := newClient(t, connectortest.ClosedURL(t), &http.Client{Transport: tr})

			err := c.JSON(context.Background(), method, "/things", nil, nil)
			if !errors.Is(err, connector.ErrUnavailable) || !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatalf("err = %v, want ErrUnavailable wrapping ECONNREFUSED", err)
			}
			if errors.Is(err, connector.ErrOutcomeUnknown) {
				t.Fatalf("a refused dial never arrived, but err says outcome unknown: %v", err)
			}
			if got := dials.Load(); got != 3 {
				t.Fatalf("dials = %d, want 3", got)
			}
		})
	}
}

// Scenario 2: the server reads the request, then resets the connection. A
// GET is retried; a keyless POST may have taken effect, so it is tried once
// and reported as ErrOutcomeUnknown.
func TestResetAfterSend(t *testing.T) {
	t.Run("GET retried", func(t *testing.T) {
		srv := connectortest.NewServer(t, connectortest.Fault{Reset: true})
		c := newClient(t, srv.URL, srv.Client())
		err := get(context.Background(), c, "/things")
		if !errors.Is(err, connector.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if srv.Hits() != 3 {
			t.Fatalf("hits = %d, want 3", srv.Hits())
		}
	})
	t.Run("keyless POST not retried", func(t *testing.T) {
		srv := connectortest.NewServer(t, connectortest.Fault{Reset: true})
		c := newClient(t, srv.URL, srv.Client())
		err := post(context.Background(), c, "/things")
		if !errors.Is(err, connector.ErrOutcomeUnknown) {
			t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
		}
		if srv.Hits() != 1 {
			t.Fatalf("hits = %d, want 1", srv.Hits())
		}
	})
	t.Run("keyless POST 500 not retried", func(t *testing.T) {
		srv := connectortest.NewServer(t, connectortest.Fault{Status: 500})
		c := newClient(t, srv.URL, srv.Client())
		err := post(context.Background(), c, "/things")
		var apiErr *connector.APIError
		if !errors.Is(err, connector.ErrOutcomeUnknown) || !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
			t.Fatalf("err = %v, want ErrOutcomeUnknown APIError with status 500", err)
		}
		if srv.Hits() != 1 {
			t.Fatalf("hits = %d, want 1", srv.Hits())
		}
	})
	t.Run("keyless POST 429 retried", func(t *testing.T) {
		srv := connectortest.NewServer(t, connectortest.Fault{Status: 429}, connectortest.Fault{})
		c := newClient(t, srv.URL, srv.Client())
		if err := post(context.Background(), c, "/things"); err != nil {
			t.Fatal(err)
		}
		if srv.Hits() != 2 {
			t.Fatalf("hits = %d, want 2", srv.Hits())
		}
	})
}

// Scenario 3: the server never answers. Each attempt ends at the attempt
// timeout, the call ends within the caller's deadline, and nothing leaks
// (TestMain checks goroutines).
func TestServerNeverAnswers(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Hang: true})
	c := newClient(t, srv.URL, srv.Client(), connector.WithAttemptTimeout(100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	start := time.Now()
	err := get(ctx, c, "/slow")
	elapsed := time.Since(start)
	if !errors.Is(err, connector.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrUnavailable from the attempt timeout", err)
	}
	if srv.Hits() != 3 {
		t.Fatalf("hits = %d, want 3 attempts", srv.Hits())
	}
	if elapsed < 300*time.Millisecond || elapsed > 1500*time.Millisecond {
		t.Fatalf("took %v, want about 3 attempt timeouts (300ms) and well inside the 2s deadline", elapsed)
	}
}

// Scenario 4: headers arrive, then the body trickles a byte at a time. The
// attempt timeout covers the body too.
func TestBodyTrickles(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Trickle: 10 * time.Millisecond})
	c := newClient(t, srv.URL, srv.Client(), connector.WithAttemptTimeout(200*time.Millisecond))

	start := time.Now()
	var out map[string]any
	err := c.JSON(context.Background(), http.MethodGet, "/big", nil, &out)
	if !errors.Is(err, connector.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrUnavailable from the read deadline", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Fatalf("took %v, want the 200ms attempt timeout to end the read", elapsed)
	}
}

// Scenario 5: a dead vendor. Over 2,000 calls that all get 503, the retry
// quota drains and total attempts stay within ~5% of the calls.
func TestRetryQuotaDrains(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Status: http.StatusServiceUnavailable})
	srv.StopRecording()
	c := newClient(t, srv.URL, srv.Client())

	const calls = 2000
	for i := range calls {
		if err := get(context.Background(), c, "/down"); !errors.Is(err, connector.ErrUnavailable) {
			t.Fatalf("call %d: err = %v, want ErrUnavailable", i, err)
		}
	}
	hits := srv.Hits()
	if hits > calls*105/100 {
		t.Fatalf("attempts = %d for %d calls, want at most %d", hits, calls, calls*105/100)
	}
	if hits <= calls {
		t.Fatalf("attempts = %d, want some retries before the quota drained", hits)
	}
	t.Logf("%d calls, %d attempts (+%.1f%%)", calls, hits, 100*float64(hits-calls)/calls)
}

// Scenario 8: the caller cancels while the client waits to retry. Do
// returns at once, and the shared pool keeps its connection (go-retryablehttp
// would close every idle connection of the pool here).
func TestCancelDuringBackoffKeepsPool(t *testing.T) {
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "10"},
		connectortest.Fault{})
	c := newClient(t, srv.URL, srv.Client())

	ctx, cancel := context.WithCancel(context.Background())
	var cancelledAt time.Time
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancelledAt = time.Now()
		cancel()
	}()
	err := get(ctx, c, "/x")
	returned := time.Now()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if lag := returned.Sub(cancelledAt); lag > 50*time.Millisecond {
		t.Fatalf("returned %v after cancel, want a few ms", lag)
	}

	// The next call must reuse the pooled connection. The client is also
	// paused by the Retry-After, so use a fresh client on the same pool.
	c2 := newClient(t, srv.URL, srv.Client())
	var reused bool
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
	if err := get(httptrace.WithClientTrace(context.Background(), trace), c2, "/x"); err != nil {
		t.Fatal(err)
	}
	if !reused {
		t.Fatal("the idle connection was closed: a cancelled call emptied the shared pool")
	}
}

// Scenario 9: a keyed POST gets 500 (after the vendor committed it), then
// 200. Both attempts carry the same key, and the vendor, honouring it,
// makes one record.
func TestKeyedPostOneSideEffect(t *testing.T) {
	var mu sync.Mutex
	effects := map[string]int{}
	var keys []string
	handler := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			key := r.Header.Get("Idempotency-Key")
			mu.Lock()
			keys = append(keys, key)
			if effects[key] == 0 {
				effects[key]++ // the side effect, once per key
			}
			mu.Unlock()
			w.WriteHeader(status)
			w.Write([]byte(`{"id":"inv_1"}`))
		}
	}
	srv := connectortest.NewServer(t, connectortest.Fault{Handler: handler(500)}, connectortest.Fault{Handler: handler(200)})
	c := newVendorClient(t, connector.Vendor{BaseURL: srv.URL, IdempotencyHeader: "Idempotency-Key"}, srv.Client())

	key := connector.DeriveKey("order-1001", "invoice")
	if err := post(context.Background(), c, "/invoices", connector.WithIdempotencyKey(key)); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != key || keys[1] != key {
		t.Fatalf("keys sent = %q, want %q twice", keys, key)
	}
	if len(effects) != 1 || effects[key] != 1 {
		t.Fatalf("side effects = %v, want one", effects)
	}
}

// Scenario 10: a 1 MiB body is sent again, byte for byte, after a 503.
func TestLargeBodyReplayed(t *testing.T) {
	body := make([]byte, 1<<20)
	rand.Read(body)
	srv := connectortest.NewServer(t, connectortest.Fault{Status: 503}, connectortest.Fault{})
	c := newClient(t, srv.URL, srv.Client())

	req, err := c.NewRequest(context.Background(), http.MethodPut, "/files/1", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d, want 2", len(reqs))
	}
	for i, r := range reqs {
		if !bytes.Equal(r.Body, body) {
			t.Fatalf("attempt %d sent %d bytes that differ from the 1 MiB body", i+1, len(r.Body))
		}
	}
}

// Scenario 11: an HTTP/2 server answers the first request with GOAWAY
// (nothing processed). The request is replayed on a new connection, a
// keyless POST included, since the server said it did nothing.
func TestHTTP2GoAwayReplayed(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			var served atomic.Int32
			srv := connectortest.NewGoAwayServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				served.Add(1)
				if r.ProtoMajor != 2 {
					t.Errorf("proto = %s, want HTTP/2", r.Proto)
				}
				w.Write([]byte(`{"ok":true}`))
			}))
			hc := srv.Client()
			t.Cleanup(hc.CloseIdleConnections)
			c := newClient(t, srv.URL, hc)

			var out struct{ OK bool }
			if err := c.JSON(context.Background(), method, "/x", map[string]int{"n": 1}, &out); err != nil {
				t.Fatal(err)
			}
			if !out.OK || srv.GoAways() != 1 || served.Load() != 1 || srv.Conns() < 2 {
				t.Fatalf("ok=%v goaways=%d served=%d conns=%d, want the refused request replayed once on a new connection",
					out.OK, srv.GoAways(), served.Load(), srv.Conns())
			}
		})
	}
}

// A write the caller keyed is retried after a 5xx even when the vendor
// takes its key elsewhere than in a header (a GraphQL directive, a unique
// field): the vendor package made it safe to repeat. Without a key it is
// ErrOutcomeUnknown.
func TestKeyedWriteRetriedWithoutHeader(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Status: 502}, connectortest.Fault{})
	c := newClient(t, srv.URL, srv.Client())
	if err := post(context.Background(), c, "/graphql", connector.WithIdempotencyKey("k-1")); err != nil {
		t.Fatalf("keyed write: %v, want it retried", err)
	}
	srv = connectortest.NewServer(t, connectortest.Fault{Status: 502}, connectortest.Fault{})
	c = newClient(t, srv.URL, srv.Client())
	if err := post(context.Background(), c, "/graphql"); !errors.Is(err, connector.ErrOutcomeUnknown) {
		t.Fatalf("keyless write: %v, want ErrOutcomeUnknown", err)
	}
}
