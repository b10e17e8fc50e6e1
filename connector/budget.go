package connector

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Limit is a vendor's budget as a leaky bucket: Burst units at most,
// refilled at PerSecond units a second. A unit is a request, or whatever
// the vendor meters (Shopify: query-cost points).
//
// A limit of N requests a window W (fixed or rolling) is kept by any
// bucket with Burst + PerSecond·W ≤ N: no window of W then holds more
// than N. Leave some room below the vendor's figure: calls granted
// milliseconds apart can arrive together.
type Limit struct {
	Burst     float64
	PerSecond float64
}

// Within is a limit of n calls a window (fixed or rolling, as a vendor
// documents "500 a minute") as a bucket that lets at most 90% of n into
// any window: a twentieth of n at once, the rest spread over the window.
// The tenth left is room for calls granted apart that arrive together.
func Within(n float64, window time.Duration) Limit {
	if n <= 0 || window <= 0 {
		return Limit{}
	}
	burst := min(max(1, n/20), n*0.45) // under half of n: some of it refills
	return Limit{Burst: burst, PerSecond: (n*0.9 - burst) / window.Seconds()}
}

// Valid reports whether l is a bucket: Burst and PerSecond above zero.
func (l Limit) Valid() bool { return l.Burst > 0 && l.PerSecond > 0 }

// SharedBudget is a vendor account's budget several processes draw on:
// two service workers, or two Temporal workers, that each pace themselves
// alone together overrun the account. sqlstore.DB.Budgets keeps one in
// the state store; NewMemoryBudget one in the process. A budget is named
// by a key (the vendor and the account) and kept as a generic cell rate
// algorithm: one time per key, when the bucket would be full again.
//
// Clients share one with WithSharedBudget. The times are the processes'
// clocks: processes on one account should keep them in sync (NTP).
type SharedBudget interface {
	// Take charges cost to the budget key if it holds cost now, and
	// returns 0; otherwise it charges nothing and returns how long until
	// it would hold it.
	Take(ctx context.Context, key string, l Limit, cost float64) (time.Duration, error)
	// Settle corrects the budget key after an answer: charge is added to
	// what Take charged (negative: given back, as Shopify refunds a query
	// that cost less than it asked), whether or not the budget holds it;
	// then, if available ≥ 0 (what the vendor reported is left), the
	// budget holds no more than that. The vendor's report only ever lowers
	// it: calls in flight are charged in the budget before the vendor
	// counts them.
	Settle(ctx context.Context, key string, l Limit, charge, available float64) error
}

// AccountBudget is a SharedBudget bound to one client's account.
type AccountBudget struct {
	shared SharedBudget
	key    string
	gates  *sync.Map // budget key → *gate, for the account and its routes
}

func newAccountBudget(shared SharedBudget, key string) *AccountBudget {
	return &AccountBudget{shared: shared, key: key, gates: &sync.Map{}}
}

// route is the budget of one route of the account, metered on its own.
func (a *AccountBudget) route(name string) *AccountBudget {
	if name == "" {
		return a
	}
	return &AccountBudget{shared: a.shared, key: a.key + "/" + name, gates: a.gates}
}

// gate queues this process's callers of one budget: one at a time asks
// the store, the others wait their turn in the order they came (a
// channel's blocked senders are woken first in, first out), so budget
// coming back wakes one caller, not all of them, and the store sees one
// caller a process.
type gate struct {
	turn    chan struct{}
	waiting atomic.Int32
	headAt  atomic.Int64 // Unix ns the caller at the head expects to go; 0: not waiting
}

func (a *AccountBudget) gate() *gate {
	if g, ok := a.gates.Load(a.key); ok {
		return g.(*gate)
	}
	g, _ := a.gates.LoadOrStore(a.key, &gate{turn: make(chan struct{}, 1)})
	return g.(*gate)
}

// estimate is the least wait of a caller joining the queue behind ahead
// others, each of cost, while the head waits for the budget: 0 when it
// does not.
func (g *gate) estimate(ahead int32, l Limit, cost float64) time.Duration {
	at := g.headAt.Load()
	if at == 0 || ahead == 0 {
		return 0
	}
	return max(0, time.Until(time.Unix(0, at))) + seconds(float64(ahead-1)*cost/l.PerSecond)
}

// Take is SharedBudget.Take on the client's account.
func (a *AccountBudget) Take(ctx context.Context, l Limit, cost float64) (time.Duration, error) {
	return a.shared.Take(ctx, a.key, l, cost)
}

// Settle is SharedBudget.Settle on the client's account.
func (a *AccountBudget) Settle(ctx context.Context, l Limit, charge, available float64) error {
	return a.shared.Settle(ctx, a.key, l, charge, available)
}

// WithSharedBudget makes the client draw on b, as every client of the
// vendor account named account does, in this process or another: the
// calls of all of them stay within the vendor's limit (Vendor.Limit), or,
// for vendors that meter by cost (Shopify), within what the vendor
// reports. account names the vendor account alike in every process (a
// tenant's id, a deployment's name): the budget's key is the vendor's
// name, account and API host ("shippo:acme@api.goshippo.com").
//
// If b fails (the database is down) the call goes on, paced by the client
// alone: a budget is no reason to stop the work.
func WithSharedBudget(b SharedBudget, account string) Option {
	return func(s *settings) error {
		if b == nil || account == "" {
			return errors.New("connector: a shared budget needs a store and an account")
		}
		s.shared, s.account = b, account
		return nil
	}
}

// SharedBudget returns the budget WithSharedBudget gave, bound to the
// client's account, or nil.
func (c *Client) SharedBudget() *AccountBudget { return c.shared }

// Wait takes cost of l from the budget, waiting while it is spent. If the
// wait would end after ctx's deadline it takes nothing and returns the
// wait at once (the caller answers ErrRateLimited with it as RetryAfter).
// The error is ctx's only: a failing store lets the call go (see
// WithSharedBudget).
func (a *AccountBudget) Wait(ctx context.Context, l Limit, cost float64) (tooLong time.Duration, err error) {
	g := a.gate()
	ahead := g.waiting.Add(1) - 1
	defer g.waiting.Add(-1)
	deadline, hasDeadline := ctx.Deadline()
	// In the queue: look again now and then, as the head may start a wait
	// that puts this caller's turn past its deadline.
	var recheck <-chan time.Time
	if hasDeadline {
		tick := time.NewTicker(queueRecheck)
		defer tick.Stop()
		recheck = tick.C
	}
	for queued := true; queued; {
		if est := g.estimate(min(ahead, g.waiting.Load()-1), l, cost); hasDeadline && est > 0 && time.Until(deadline) < est {
			return est, nil
		}
		select {
		case g.turn <- struct{}{}:
			queued = false
		case <-recheck:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	defer func() { g.headAt.Store(0); <-g.turn }()
	for {
		wait, err := a.takeBounded(ctx, l, cost)
		if err != nil {
			return 0, ctx.Err()
		}
		if wait <= 0 {
			return 0, nil
		}
		if hasDeadline && time.Until(deadline) < wait {
			return wait, nil
		}
		g.headAt.Store(time.Now().Add(wait).UnixNano())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		case <-t.C:
		}
	}
}

// queueRecheck is how often a queued caller with a deadline looks again
// at the wait ahead of it.
const queueRecheck = 20 * time.Millisecond

// storeTimeout bounds one call to the store: a stalled database lets the
// call go (see WithSharedBudget), it does not hold every caller.
const storeTimeout = 2 * time.Second

// takeBounded is Take within storeTimeout.
func (a *AccountBudget) takeBounded(ctx context.Context, l Limit, cost float64) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	return a.Take(ctx, l, cost)
}
