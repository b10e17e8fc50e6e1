package flow_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/internal/pgtest"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(pgtest.Main(m)) }

var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

func start(t *testing.T) *flowtest.Env {
	t.Helper()
	return startWith(t, flowenv.Vendors{})
}

// startWith starts the sandboxes of the vendors v names.
func startWith(t *testing.T, v flowenv.Vendors) *flowtest.Env {
	t.Helper()
	env, err := flowtest.StartWith(context.Background(), v, connector.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return env
}

func line(sku string, qty int, price string) inventory.OrderLine {
	return inventory.OrderLine{SKU: sku, Title: sku, Quantity: qty, UnitPrice: decimal.MustParse(price)}
}

func orders(n int) []flow.Order {
	var out []flow.Order
	for i := range n {
		out = append(out, flowtest.Order(fmt.Sprintf("10%02d", i), line("TEE-BLK-M", 2, "25.00"), line("MUG-001", 1, "12.50")))
	}
	return out
}

// Exactly once: running the same orders again changes nothing, and every
// step says it was already done.
func TestRunTwiceChangesNothing(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	for _, o := range orders(5) {
		if r := env.Flow.Process(ctx, o); r.Status != flow.Done {
			t.Fatalf("order %s: %s", o.ID, r.Reason)
		}
	}
	first := env.Counts()
	want := flowtest.Counts{Contacts: 5, Deals: 5, Notes: 5, Invoices: 5, Labels: 5, StockAdjustments: 5, Emails: 5}
	if first != want {
		t.Fatalf("after one run: %v, want %v", first, want)
	}
	if got := env.Shopify.Available(mustItem(t, env, "TEE-BLK-M"), env.Shopify.LocationID()); got != 490 {
		t.Fatalf("T-shirts available = %d, want 490", got)
	}
	for _, o := range orders(5) {
		r := env.Flow.Process(ctx, o)
		if r.Status != flow.Done {
			t.Fatalf("re-run of %s: %s", o.ID, r.Reason)
		}
		for _, s := range r.Steps {
			if !s.AlreadyDone {
				t.Fatalf("re-run of %s: step %s ran again", o.ID, s.Step)
			}
		}
	}
	if again := env.Counts(); again != first {
		t.Fatalf("after the re-run: %v, want %v", again, first)
	}
}

// The journal is only a report: with it lost (another process, a wiped
// disk), the vendors' idempotency keys still make a re-run change nothing.
func TestRerunWithoutJournalChangesNothing(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	for _, o := range orders(3) {
		if r := env.Flow.Process(ctx, o); r.Status != flow.Done {
			t.Fatalf("order %s: %s", o.ID, r.Reason)
		}
	}
	first := env.Counts()
	env.Flow.Journal = flow.NewMemoryJournal()
	env.Flow.JournalMayBeLost = true
	for _, o := range orders(3) {
		if r := env.Flow.Process(ctx, o); r.Status != flow.Done {
			t.Fatalf("re-run of %s: %s", o.ID, r.Reason)
		}
	}
	if again := env.Counts(); again != first {
		t.Fatalf("after a re-run with a fresh journal: %v, want %v", again, first)
	}
	if got := env.Shopify.Available(mustItem(t, env, "MUG-001"), env.Shopify.LocationID()); got != 297 {
		t.Fatalf("mugs available = %d, want 297", got)
	}
}

// Out of stock: the reservation is undone, nothing is invoiced, shipped or
// mailed, and the order fails with the reason; a re-run keeps it failed.
func TestOutOfStockCompensates(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	o := flowtest.Order("2001", line("LAST-ONE", 2, "80.00"))
	r := env.Flow.Process(ctx, o)
	if r.Status != flow.Failed || !strings.Contains(r.Reason, "out of stock: LAST-ONE") {
		t.Fatalf("result = %+v, want failed for stock", r)
	}
	if strings.Join(r.Compensated, ",") != "restocked" {
		t.Fatalf("compensated = %v, want restocked", r.Compensated)
	}
	if got := env.Shopify.Available(mustItem(t, env, "LAST-ONE"), env.Shopify.LocationID()); got != 1 {
		t.Fatalf("available = %d, want 1 after restocking", got)
	}
	c := env.Counts()
	if c.Invoices != 0 || c.Labels != 0 || c.Emails != 0 {
		t.Fatalf("counts = %v: nothing should be invoiced, shipped or mailed", c)
	}
	if again := env.Flow.Process(ctx, o); again.Status != flow.Failed || env.Counts() != c {
		t.Fatalf("re-run = %+v, counts %v", again, env.Counts())
	}
}

// The carrier refuses the label: the invoice is voided and the stock put
// back.
func TestLabelRefusedCompensates(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	env.Carrier().FailLabels(true)
	r := env.Flow.Process(ctx, flowtest.Order("3001", line("CABLE-3M", 4, "9.90")))
	if r.Status != flow.Failed || !strings.HasPrefix(r.Reason, "label:") {
		t.Fatalf("result = %+v, want failed at the label", r)
	}
	if strings.Join(r.Compensated, ",") != "invoice voided,restocked" {
		t.Fatalf("compensated = %v", r.Compensated)
	}
	if got := env.Shopify.Available(mustItem(t, env, "CABLE-3M"), env.Shopify.LocationID()); got != 1000 {
		t.Fatalf("cables available = %d, want 1000", got)
	}
	if c := env.Counts(); c.Labels != 0 || c.Emails != 0 {
		t.Fatalf("counts = %v", c)
	}
}

func mustItem(t *testing.T, env *flowtest.Env, sku string) string {
	t.Helper()
	it, err := env.Flow.Items.GetBySKU(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	return it.ID
}

// The accounting system rejects the invoice (here, a tax code it does not
// know): the stock taken is put back, nothing is shipped or mailed, and
// the order fails with the vendor's reason.
func TestInvoiceRejectedCompensates(t *testing.T) {
	env := start(t)
	env.Flow.TaxCode = "NO-SUCH-TAX"
	r := env.Flow.Process(context.Background(), flowtest.Order("4001", line("MUG-001", 3, "12.50")))
	if r.Status != flow.Failed || !strings.HasPrefix(r.Reason, "invoice:") || !strings.Contains(r.Reason, "NO-SUCH-TAX") || r.Open {
		t.Fatalf("result = %+v, want failed for good at the invoice", r)
	}
	if strings.Join(r.Compensated, ",") != "restocked" {
		t.Fatalf("compensated = %v", r.Compensated)
	}
	if got := env.Shopify.Available(mustItem(t, env, "MUG-001"), env.Shopify.LocationID()); got != 300 {
		t.Fatalf("mugs available = %d, want 300", got)
	}
	if c := env.Counts(); c.Invoices != 0 || c.Labels != 0 || c.Emails != 0 {
		t.Fatalf("counts = %v", c)
	}
}

// countingItems counts the SKU lookups that reach the inventory vendor.
type countingItems struct {
	inventory.Items
	lookups atomic.Int64
}

func (c *countingItems) GetBySKU(ctx context.Context, sku string) (*inventory.Item, error) {
	c.lookups.Add(1)
	time.Sleep(20 * time.Millisecond) // long enough for the other orders to ask meanwhile
	return c.Items.GetBySKU(ctx, sku)
}

// Orders that need an unknown SKU at the same moment share one lookup:
// 16 orders at once over 2 SKUs cost the shop 2 lookups, not up to 32.
func TestConcurrentOrdersShareSKULookups(t *testing.T) {
	env := start(t)
	items := &countingItems{Items: env.Flow.Items}
	env.Flow.Items = items
	var wg sync.WaitGroup
	for _, o := range orders(16) {
		wg.Go(func() {
			if r := env.Flow.Process(context.Background(), o); r.Status != flow.Done {
				t.Errorf("order %s: %s", o.ID, r.Reason)
			}
		})
	}
	wg.Wait()
	if n := items.lookups.Load(); n != 2 {
		t.Fatalf("%d SKU lookups for 2 SKUs", n)
	}
}
