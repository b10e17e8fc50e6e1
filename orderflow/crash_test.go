package orderflow_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"github.com/patchbay-go/patchbay/orderflow"
	"github.com/patchbay-go/patchbay/orderflow/orderflowtest"
)

// crashOrders are a mix: most ship, one competes for the last poster and
// one asks for more posters than there are, so compensation is killed too.
func crashOrders() []orderflow.Order {
	var out []orderflow.Order
	for i := range 12 {
		out = append(out, orderflowtest.Order(fmt.Sprintf("K%03d", i), line("TEE-BLK-M", 1+i%3, "25.00"), line("CABLE-3M", 2, "9.90")))
	}
	out = append(out, orderflowtest.Order("K100", line("LAST-ONE", 2, "80.00")), orderflowtest.Order("K101", line("LAST-ONE", 1, "80.00")))
	return out
}

// state is what a run leaves in the vendors: record counts and stock.
type outcome struct {
	counts orderflowtest.Counts
	stock  map[string]int
	status map[string]orderflow.Status
}

func leftBy(t *testing.T, env *orderflowtest.Env, results map[string]orderflow.Result) outcome {
	out := outcome{counts: env.Counts(), stock: map[string]int{}, status: map[string]orderflow.Status{}}
	for _, p := range orderflowtest.Catalogue {
		out.stock[p.SKU] = env.Shopify.Available(mustItem(t, env, p.SKU), env.Shopify.LocationID())
	}
	for id, r := range results {
		out.status[id] = r.Status
	}
	return out
}

// processAll runs orders one after another, as a single-worker process
// would, so that which order wins the last unit does not depend on timing.
func processAll(ctx context.Context, f *orderflow.Flow, orders []orderflow.Order) map[string]orderflow.Result {
	results := map[string]orderflow.Result{}
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
	ctx := context.Background()
	clean := start(t)
	want := leftBy(t, clean, processAll(ctx, clean.Flow, crashOrders()))
	if want.status["K101"] != orderflow.Done || want.status["K100"] != orderflow.Failed {
		t.Fatalf("uninterrupted run: %v", want.status)
	}

	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	for trial := range 3 {
		env := start(t)
		path := filepath.Join(t.TempDir(), "journal")
		kills := 0
		var results map[string]orderflow.Result
		for {
			journal, err := orderflow.OpenFileJournal(path)
			if err != nil {
				t.Fatal(err)
			}
			// A new process: a fresh flow on the same vendors and journal.
			flow := &orderflow.Flow{Systems: env.Flow.Systems, Journal: journal}
			runCtx, kill := context.WithCancel(ctx)
			var once sync.Once
			killed := false
			if kills < 4 {
				env.KillAfter(1+rng.IntN(60), func() { once.Do(func() { killed = true; kill() }) })
			}
			results = processAll(runCtx, flow, crashOrders())
			kill()
			env.KillAfter(0, nil)
			journal.Close()
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
