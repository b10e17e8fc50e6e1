package flow_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/internal/pgtest"
)

// crashOrders are a mix: most ship, one competes for the last poster and
// one asks for more posters than there are, so compensation is killed too.
func crashOrders() []flow.Order {
	var out []flow.Order
	for i := range 12 {
		out = append(out, flowtest.Order(fmt.Sprintf("K%03d", i), line("TEE-BLK-M", 1+i%3, "25.00"), line("CABLE-3M", 2, "9.90")))
	}
	out = append(out, flowtest.Order("K100", line("LAST-ONE", 2, "80.00")), flowtest.Order("K101", line("LAST-ONE", 1, "80.00")))
	return out
}

// state is what a run leaves in the vendors: record counts and stock.
type outcome struct {
	counts flowtest.Counts
	stock  map[string]int
	status map[string]flow.Status
}

func leftBy(t *testing.T, env *flowtest.Env, results map[string]flow.Result) outcome {
	out := outcome{counts: env.Counts(), stock: map[string]int{}, status: map[string]flow.Status{}}
	for _, p := range flowtest.Catalogue {
		out.stock[p.SKU] = env.Stock(p.SKU)
	}
	for id, r := range results {
		out.status[id] = r.Status
	}
	return out
}

// processAll runs orders one after another, as a single-worker process
// would, so that which order wins the last unit does not depend on timing.
func processAll(ctx context.Context, f *flow.Flow, orders []flow.Order) map[string]flow.Result {
	results := map[string]flow.Result{}
	for _, o := range orders {
		results[o.ID] = f.Process(ctx, o)
	}
	return results
}

// Crash safety: the process is killed at a random vendor call (the call
// commits, its answer is lost, the run stops), several times over, each
// time restarted from its journal file. The vendors end exactly as after a
// run that was never interrupted.
func TestKilledAndRestartedEqualsUninterrupted(t *testing.T) {
	for _, v := range flowtest.Each {
		t.Run(flowtest.Name(v), func(t *testing.T) { killedAndRestarted(t, v, fileJournal) })
	}
	// The journal in a database, as the example program keeps it.
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run("defaults/journal="+kind, func(t *testing.T) {
			killedAndRestarted(t, flowenv.Vendors{}, func(t *testing.T) openJournal { return sqlJournal(t, kind) })
		})
	}
}

// A journal opener: each call is a new process opening the same journal;
// fileJournal and sqlJournal make a new, empty journal.
type openJournal func() (j flow.Journal, close func())

func fileJournal(t *testing.T) openJournal {
	path := filepath.Join(t.TempDir(), "journal")
	return func() (flow.Journal, func()) {
		j, err := flow.OpenFileJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		return j, func() { j.Close() }
	}
}

func sqlJournal(t *testing.T, kind string) openJournal {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "state.db")
	if kind == "postgres" {
		dsn = pgtest.URL(t)
	}
	return func() (flow.Journal, func()) {
		db, err := sqlstore.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return flow.SQLJournal{DB: db}, func() { db.Close() }
	}
}

func killedAndRestarted(t *testing.T, v flowenv.Vendors, newJournal func(*testing.T) openJournal) {
	ctx := context.Background()
	clean := startWith(t, v)
	want := leftBy(t, clean, processAll(ctx, clean.Flow, crashOrders()))
	if want.status["K101"] != flow.Done || want.status["K100"] != flow.Failed {
		t.Fatalf("uninterrupted run: %v", want.status)
	}

	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	for trial := range 3 {
		env := startWith(t, v)
		open := newJournal(t)
		kills := 0
		var results map[string]flow.Result
		for {
			journal, closeJournal := open()
			// A new process: a fresh flow on the same vendors and journal.
			flow := &flow.Flow{Systems: env.Flow.Systems, Journal: journal}
			runCtx, kill := context.WithCancel(ctx)
			var once sync.Once
			killed := false
			if kills < 4 {
				env.KillAfter(1+rng.IntN(60), func() { once.Do(func() { killed = true; kill() }) })
			}
			results = processAll(runCtx, flow, crashOrders())
			kill()
			env.KillAfter(0, nil)
			closeJournal()
			if !killed {
				break
			}
			kills++
		}
		if kills == 0 {
			t.Fatalf("trial %d: never killed: the test did not test what it claims", trial)
		}
		got := leftBy(t, env, results)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("trial %d, %d kills:\n got %+v\nwant %+v", trial, kills, got, want)
		}
		t.Logf("trial %d: killed %d times, then equal to the uninterrupted run: %v", trial, kills, got.counts)
	}
}

// A kill at each vendor call of an order that fails for good, before the
// call is sent and after it committed, then a restart from the journal:
// the order always ends failed, with what it did undone exactly once. This
// walks every point of the steps and of the compensation, which random
// kills rarely hit. In the refused-label case the carrier accepts labels
// again by the restart: an order killed before its label was refused then
// ships, once; one killed after must stay failed (a run that forgot it had
// failed would ship it against a voided invoice).
func TestKilledAtEveryCallOfAFailingOrder(t *testing.T) {
	cases := []struct {
		name    string
		order   flow.Order
		sku     string
		stock   int
		setup   func(*flowtest.Env)
		restart func(*flowtest.Env)
		reason  string
		// recovers: the cause is gone by the restart, so an order killed
		// before it failed ships
		recovers bool
	}{
		{"out of stock", flowtest.Order("P1", line("LAST-ONE", 2, "80.00")), "LAST-ONE", 1,
			func(*flowtest.Env) {}, func(*flowtest.Env) {}, "stock: out of stock", false},
		{"label refused", flowtest.Order("P2", line("CABLE-3M", 4, "9.90")), "CABLE-3M", 1000,
			func(e *flowtest.Env) { e.Carrier().FailLabels(true) }, func(e *flowtest.Env) { e.Carrier().FailLabels(false) }, "label:", true},
	}
	for _, v := range flowtest.Each {
		for _, c := range cases {
			for _, before := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/before=%v", flowtest.Name(v), c.name, before), func(t *testing.T) {
					killEverywhere(t, v, c.order, c.sku, c.stock, before, c.setup, c.restart, c.reason, c.recovers)
				})
			}
		}
	}
}

func killEverywhere(t *testing.T, v flowenv.Vendors, o flow.Order, sku string, stock int, before bool, setup, restart func(*flowtest.Env), reason string, recovers bool) {
	ctx := context.Background()
	for at := 1; ; at++ {
		env := startWith(t, v)
		setup(env)
		path := filepath.Join(t.TempDir(), "journal")
		journal, err := flow.OpenFileJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		runCtx, kill := context.WithCancel(ctx)
		killed := false
		if before {
			env.KillBefore(at, func() { killed = true; kill() })
		} else {
			env.KillAfter(at, func() { killed = true; kill() })
		}
		first := (&flow.Flow{Systems: env.Flow.Systems, Journal: journal}).Process(runCtx, o)
		kill()
		journal.Close()
		// Failed for good before the kill: a permanent reason, whether or not
		// the compensation finished (an open failure is a transient one).
		failedBeforeKill := strings.HasPrefix(first.Reason, reason) && (!first.Open || strings.Contains(first.Reason, "not all undone yet"))
		if !killed {
			if at < 4 {
				t.Fatalf("the order made only %d calls", at-1)
			}
			return // every call has been a kill point
		}
		restart(env)
		if journal, err = flow.OpenFileJournal(path); err != nil {
			t.Fatal(err)
		}
		r := (&flow.Flow{Systems: env.Flow.Systems, Journal: journal}).Process(ctx, o)
		journal.Close()
		left := env.Stock(sku)
		c := env.Counts()
		if r.Status == flow.Done && !failedBeforeKill && recovers {
			want := flowtest.Counts{Contacts: 1, Deals: 1, Notes: 1, Invoices: 1, Labels: 1, StockAdjustments: 1, Emails: 1}
			if c != want || left != stock-o.Lines[0].Quantity {
				t.Fatalf("killed at call %d before the failure, then shipped: %v, %d in stock; want one of each", at, c, left)
			}
			continue
		}
		if r.Status != flow.Failed || r.Open || !strings.HasPrefix(r.Reason, reason) || left != stock || c.Labels != 0 || c.Emails != 0 {
			t.Fatalf("killed at call %d, then run again: %+v, %d %s in stock, %v; want failed for good, %d in stock, nothing shipped",
				at, r, left, sku, c, stock)
		}
		if inv, err := env.Flow.Invoices.FindByReference(ctx, o.ID); err == nil && inv.Status != accounting.InvoiceVoid {
			t.Fatalf("killed at call %d: the failed order's invoice is %s, want void", at, inv.Status)
		}
	}
}
