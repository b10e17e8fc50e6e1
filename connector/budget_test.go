package connector_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

func TestMemoryBudget(t *testing.T) {
	connectortest.TestSharedBudget(t, func(t *testing.T) (a, b connector.SharedBudget) {
		m := connector.NewMemoryBudget()
		return m, m
	})
}

// limitedVendor answers 429 to any request over limit, kept by its own
// clock as the vendor would, and counts them.
func limitedVendor(t *testing.T, limit connector.Limit) (*httptest.Server, *atomic.Int32) {
	var refused atomic.Int32
	var mu sync.Mutex
	var tat time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		next, wait := connector.GCRA(tat, time.Now(), limit, 1)
		if wait == 0 {
			tat = next
		}
		mu.Unlock()
		if wait > 0 {
			refused.Add(1)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &refused
}

// Two clients of one account (two processes) sharing its budget: 60
// calls at once, none refused. The vendor's limit as declared keeps two
// calls of room: calls granted apart can arrive together.
func TestSharedBudgetKeepsTwoClientsWithinTheLimit(t *testing.T) {
	srv, refused := limitedVendor(t, connector.Limit{Burst: 5, PerSecond: 50})
	budget := connector.NewMemoryBudget()
	v := connector.Vendor{BaseURL: srv.URL, Limit: connector.Limit{Burst: 3, PerSecond: 50}}
	clients := []*connector.Client{
		newVendorClient(t, v, nil, connector.WithSharedBudget(budget, "acct")),
		newVendorClient(t, v, nil, connector.WithSharedBudget(budget, "acct")),
	}
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if err := get(context.Background(), clients[i%2], "/x"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n := refused.Load(); n != 0 {
		t.Fatalf("%d calls refused: the clients overran the account they share", n)
	}
}

// A call whose turn in a spent budget comes after its deadline is not
// sent: ErrRateLimited with the wait, at once. A 429 empties the budget
// for every client sharing it.
func TestSharedBudgetDeadlineAndRefusal(t *testing.T) {
	limit := connector.Limit{Burst: 2, PerSecond: 1}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	budget := connector.NewMemoryBudget()
	c := newVendorClient(t, connector.Vendor{BaseURL: srv.URL, Limit: limit}, nil, connector.WithSharedBudget(budget, "acct"))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	// The first answer is a 429: the bucket, though it held one more
	// call, is spent, and the retry's wait (a second) passes the deadline.
	err := get(ctx, c, "/x")
	var apiErr *connector.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, connector.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if apiErr.RetryAfter <= 300*time.Millisecond || apiErr.RetryAfter > time.Second {
		t.Fatalf("RetryAfter = %v, want the budget's wait, about a second", apiErr.RetryAfter)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d calls sent: the retry should have waited in the budget, not been sent", n)
	}
	if wait, _ := c.SharedBudget().Take(context.Background(), limit, 1); wait <= 0 {
		t.Fatal("after the 429 another client found the budget unspent")
	}
}

// Routes a vendor meters on their own (Vendor.LimitFor) have budgets of
// their own: a spent route holds back its calls only.
func TestSharedBudgetRoutes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	t.Cleanup(srv.Close)
	v := connector.Vendor{BaseURL: srv.URL, LimitFor: func(r *http.Request) (string, connector.Limit) {
		return r.URL.Path, connector.Limit{Burst: 1, PerSecond: 0.5}
	}}
	budget := connector.NewMemoryBudget()
	a := newVendorClient(t, v, nil, connector.WithSharedBudget(budget, "acct"))
	b := newVendorClient(t, v, nil, connector.WithSharedBudget(budget, "acct"))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := get(ctx, a, "/a"); err != nil {
		t.Fatal(err)
	}
	if err := get(ctx, b, "/b"); err != nil {
		t.Fatalf("route /b waited for /a's budget: %v", err)
	}
	if err := get(ctx, b, "/a"); !errors.Is(err, connector.ErrRateLimited) {
		t.Fatalf("a second call of the spent route /a: err = %v, want ErrRateLimited", err)
	}
}

// What one client's vendor reports (RateLimiter.Report) holds back the
// other clients sharing the account. The declared limit covers a client's
// first call, before any report of its own.
func TestSharedBudgetReport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	t.Cleanup(srv.Close)
	v := connector.Vendor{BaseURL: srv.URL, Limit: connector.Limit{Burst: 10, PerSecond: 1}, RateFeedback: func(resp *http.Response, l *connector.RateLimiter) {
		l.Report(connector.Limit{Burst: 10, PerSecond: 1}, 0) // nothing left
	}}
	budget := connector.NewMemoryBudget()
	a := newVendorClient(t, v, nil, connector.WithSharedBudget(budget, "acct"))
	b := newVendorClient(t, v, nil, connector.WithSharedBudget(budget, "acct"))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := get(ctx, b, "/x"); err != nil {
		t.Fatalf("a full budget: %v", err)
	}
	if err := get(ctx, a, "/x"); !errors.Is(err, connector.ErrRateLimited) {
		t.Fatalf("after b's vendor said nothing is left: err = %v, want ErrRateLimited", err)
	}
}

// Within never lets more than n into a window, and most of it.
func TestWithin(t *testing.T) {
	for _, tt := range []struct {
		n      float64
		window time.Duration
	}{{1, time.Minute}, {2, time.Minute}, {5, time.Minute}, {60, time.Minute}, {200, time.Minute}, {500, time.Minute}, {100, 10 * time.Second}, {25, time.Second}} {
		l := connector.Within(tt.n, tt.window)
		if most := l.Burst + l.PerSecond*tt.window.Seconds(); most > tt.n || most < 0.85*tt.n || l.PerSecond <= 0 {
			t.Errorf("Within(%v, %v) = %+v lets %.1f in a window, want at most %v and near it", tt.n, tt.window, l, most, tt.n)
		}
	}
}

// Callers of a spent budget leave in the order they came, one at a time
// as it refills; a caller whose turn would come after its deadline leaves
// at once with the wait.
func TestSharedBudgetQueue(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	t.Cleanup(srv.Close)
	limit := connector.Limit{Burst: 1, PerSecond: 20} // one call every 50ms
	c := newVendorClient(t, connector.Vendor{BaseURL: srv.URL, Limit: limit}, nil,
		connector.WithSharedBudget(connector.NewMemoryBudget(), "acct"))
	if err := get(context.Background(), c, "/spend"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := get(context.Background(), c, "/x"); err != nil {
				t.Error(err)
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		}()
		time.Sleep(5 * time.Millisecond) // joins after the one before
	}
	// Behind five waiters of 50ms each, a caller with 100ms left
	// cannot be served: it is told at once.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := get(ctx, c, "/late")
	var apiErr *connector.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, connector.ErrRateLimited) || apiErr.RetryAfter < 100*time.Millisecond {
		t.Fatalf("a caller whose turn comes after its deadline: err = %v, want ErrRateLimited with the wait", err)
	}
	if took := time.Since(start); took > 50*time.Millisecond {
		t.Fatalf("it was told after %v, not at once", took)
	}
	wg.Wait()
	for i, got := range order {
		if got != i {
			t.Fatalf("callers left in the order %v, want the order they came", order)
		}
	}
}

// A caller queued behind one that waits for the budget is told at once
// when the wait puts its turn past its deadline, not when the deadline
// comes; also when it joined while the head was still asking the store.
func TestSharedBudgetQueuedCallerSeesTheHeadsWait(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	t.Cleanup(srv.Close)
	limit := connector.Limit{Burst: 1, PerSecond: 0.5} // a call every 2 s
	c := newVendorClient(t, connector.Vendor{BaseURL: srv.URL, Limit: limit}, nil,
		connector.WithSharedBudget(slowStore{connector.NewMemoryBudget()}, "acct"))
	if err := get(context.Background(), c, "/spend"); err != nil {
		t.Fatal(err)
	}
	head := make(chan error, 1)
	go func() { head <- get(context.Background(), c, "/head") }() // waits 2 s
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	err := get(ctx, c, "/queued")
	if !errors.Is(err, connector.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if took := time.Since(start); took > 400*time.Millisecond {
		t.Fatalf("told after %v, not at once", took)
	}
	if err := <-head; err != nil {
		t.Fatal(err)
	}
}

// A store that hangs holds no call longer than its timeout: the call goes.
func TestSharedBudgetHangingStore(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	t.Cleanup(srv.Close)
	c := newVendorClient(t, connector.Vendor{BaseURL: srv.URL, Limit: connector.Limit{Burst: 1, PerSecond: 1}}, nil,
		connector.WithSharedBudget(hangingStore{}, "acct"))
	if err := get(context.Background(), c, "/x"); err != nil {
		t.Fatalf("a hanging store stopped the call: %v", err)
	}
}

type hangingStore struct{}

func (hangingStore) Take(ctx context.Context, _ string, _ connector.Limit, _ float64) (time.Duration, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

func (hangingStore) Settle(ctx context.Context, _ string, _ connector.Limit, _, _ float64) error {
	<-ctx.Done()
	return ctx.Err()
}

// slowStore answers after 100 ms, as a busy database would.
type slowStore struct{ connector.SharedBudget }

func (s slowStore) Take(ctx context.Context, key string, l connector.Limit, cost float64) (time.Duration, error) {
	time.Sleep(100 * time.Millisecond)
	return s.SharedBudget.Take(ctx, key, l, cost)
}
