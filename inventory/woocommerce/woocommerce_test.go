package woocommerce_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/inventorytest"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
	"github.com/patchbay-go/patchbay/inventory/woocommerce/woocommercetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

func sandbox(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper, opts ...woocommercetest.Option) (*woocommercetest.Server, *woocommerce.Client) {
	t.Helper()
	srv := woocommercetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	client, err := woocommerce.New(woocommerce.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
		connector.WithHTTPClient(connectortest.TestClient(t, wrap)), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	return srv, client
}

func harness(wrap func(http.RoundTripper) http.RoundTripper) func(t *testing.T) inventorytest.Harness {
	return func(t *testing.T) inventorytest.Harness {
		srv, client := sandbox(t, wrap)
		return inventorytest.Harness{Items: client.Items, Locations: client.Locations, Stock: client.Stock,
			AddItem:  func(sku string, qty int) { srv.AddProduct("Product "+sku, sku, qty) },
			Throttle: srv.Throttle,
			SetOnly:  true, // WooCommerce's REST API only sets stock_quantity
		}
	}
}

// The inventory contract, on the sandbox, as a set-only vendor.
func TestContract(t *testing.T) { inventorytest.Run(t, harness(nil)) }

func ordersHarness(wrap func(http.RoundTripper) http.RoundTripper) func(t *testing.T) inventorytest.OrdersHarness {
	return func(t *testing.T) inventorytest.OrdersHarness {
		srv, client := sandbox(t, wrap)
		return inventorytest.OrdersHarness{Orders: client.Orders, Fulfilments: client.Fulfilments,
			PlaceOrder: func(o inventorytest.NewOrder) (string, []byte) {
				id, body, err := srv.PlaceOrder(newOrder(o))
				require.NoError(t, err)
				return strconv.FormatInt(id, 10), body
			},
			Shipped: func(orderID string) []string {
				id, _ := strconv.ParseInt(orderID, 10, 64)
				return srv.Shipped(id)
			},
			LoseNextAnswer: srv.LoseNextAnswer,
			Advance:        srv.Advance,
		}
	}
}

func newOrder(o inventorytest.NewOrder) woocommercetest.NewOrder {
	out := woocommercetest.NewOrder{Email: o.Customer.Email, FirstName: o.Customer.FirstName, LastName: o.Customer.LastName,
		Phone: o.Customer.Phone, Currency: o.Currency, Express: o.Express,
		Address: woocommercetest.Address{Street: o.ShipTo.Street1, City: o.ShipTo.City, Region: o.ShipTo.Region,
			PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country}}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, woocommercetest.OrderLine{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, Price: l.UnitPrice.String()})
	}
	return out
}

// The orders contract, on the sandbox.
func TestOrdersContract(t *testing.T) { inventorytest.RunOrders(t, ordersHarness(nil)) }

// A variation is an item of its own: found by SKU through /products
// (type variation, parent_id), listed after its parent, and adjusted on
// its own path.
func TestVariations(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	parent, ids := srv.AddVariable("Tee", woocommercetest.Variation{SKU: "TEE-S", Option: "S", Quantity: 4},
		woocommercetest.Variation{SKU: "TEE-M", Option: "M", Quantity: 6})
	simple := srv.AddProduct("Mug", "MUG", 3)

	it, err := client.Items.GetBySKU(ctx, "TEE-M")
	require.NoError(t, err)
	assert.Equal(t, strconv.FormatInt(parent, 10)+"/"+strconv.FormatInt(ids[1], 10), it.ID)
	assert.True(t, it.Tracked)
	assert.Equal(t, "Tee - M", it.Title)

	var listed []string
	for it, err := range client.Items.List(ctx) {
		require.NoError(t, err)
		listed = append(listed, it.SKU+"="+it.ID)
	}
	p := strconv.FormatInt(parent, 10)
	assert.Equal(t, []string{"TEE-S=" + p + "/" + strconv.FormatInt(ids[0], 10), "TEE-M=" + p + "/" + strconv.FormatInt(ids[1], 10),
		"MUG=" + strconv.FormatInt(simple, 10)}, listed, "the variable product itself keeps no stock here")

	left, err := client.Stock.Adjust(ctx, []inventory.Change{{ItemID: it.ID, LocationID: woocommerce.LocationID, Delta: -2}})
	require.NoError(t, err)
	assert.Equal(t, 4, left[0].After)
	assert.Equal(t, 4, srv.Stock(ids[1]))
	assert.Equal(t, 4, srv.Stock(ids[0]), "the other variation is untouched")

	var levels []inventory.Level
	for lv, err := range client.Stock.Levels(ctx, inventory.LevelFilter{}) {
		require.NoError(t, err)
		levels = append(levels, *lv)
	}
	assert.Len(t, levels, 3)
}

// Another client's stale write lands right after an adjustment: the
// connector reads again, finds its journal entry gone, and applies its
// change again, so both changes count.
func TestAdjustRedoneAfterOverwrite(t *testing.T) {
	srv, client := sandbox(t, nil)
	id := srv.AddProduct("Mug", "MUG", 10)
	srv.RaceNextStockWrite(-4) // the other client read 10 and sets 6
	left, err := client.Stock.Adjust(context.Background(), []inventory.Change{{ItemID: strconv.FormatInt(id, 10), Delta: -1}},
		connector.WithIdempotencyKey("redo-1"))
	require.NoError(t, err)
	assert.Equal(t, 5, left[0].After)
	assert.Equal(t, 5, srv.Stock(id), "10 - 4 (the other client) - 1 (ours, applied again)")
}

// A retry of a key after many other adjustments of the same item (a busy
// item, while the flow backs off) is still recognised and not applied
// again: a journal of the last 50 forgot it and took the stock twice.
func TestAdjustRetryAfterManyOthers(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	pid := srv.AddProduct("Cable", "CABLE", 1000)
	change := []inventory.Change{{ItemID: strconv.FormatInt(pid, 10), Delta: -1}}
	_, err := client.Stock.Adjust(ctx, change, connector.WithIdempotencyKey("order-0"))
	require.NoError(t, err)
	for i := 1; i <= 200; i++ {
		_, err := client.Stock.Adjust(ctx, change, connector.WithIdempotencyKey("order-"+strconv.Itoa(i)))
		require.NoError(t, err)
	}
	again, err := client.Stock.Adjust(ctx, change, connector.WithIdempotencyKey("order-0"))
	require.NoError(t, err)
	assert.Equal(t, 999, again[0].After, "the first time's quantity")
	assert.Equal(t, 799, srv.Stock(pid), "201 orders, one unit each")
}

// Two clients (two processes) on one shop: within each, adjustments are
// serialised; between them, the re-read after each write catches a write
// that replaced another, here enough to keep the sum (the guarantee is
// not absolute: see the package documentation). The test asserts what is
// promised: each client's own keyed retries apply once.
func TestTwoClientsKeyedRetries(t *testing.T) {
	srv, a := sandbox(t, nil)
	b, err := woocommerce.New(woocommerce.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
		connector.WithHTTPClient(connectortest.TestClient(t, nil)), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	pid := srv.AddProduct("Mug", "MUG", 100)
	id := strconv.FormatInt(pid, 10)
	var wg sync.WaitGroup
	for i, c := range []*woocommerce.Client{a, b, a, b} {
		wg.Go(func() {
			_, err := c.Stock.Adjust(context.Background(), []inventory.Change{{ItemID: id, Delta: -5}},
				connector.WithIdempotencyKey("two-clients-"+strconv.Itoa(i%2)))
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	got := srv.Stock(pid)
	assert.Contains(t, []int{90, 95}, got, "each key once: 90, or 95 where one client's write replaced the other's unseen")
}

// An item id that is not WooCommerce's, a location other than the one,
// and a product that keeps no stock are refused before any write.
func TestAdjustRefusals(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	pid := srv.AddProduct("Mug", "MUG", 1)
	id := strconv.FormatInt(pid, 10)
	variable, _ := srv.AddVariable("Tee", woocommercetest.Variation{SKU: "TEE-S", Option: "S", Quantity: 1})
	for _, c := range []inventory.Change{
		{ItemID: strconv.FormatInt(variable, 10), Delta: 1},
		{ItemID: "abc", Delta: 1},
		{ItemID: "1/2/3", Delta: 1},
		{ItemID: id, LocationID: "warehouse-2", Delta: 1},
		{ItemID: "999999", Delta: 1},
	} {
		_, err := client.Stock.Adjust(ctx, []inventory.Change{c})
		assert.ErrorIs(t, err, connector.ErrValidation, "%+v", c)
	}
	assert.Equal(t, 1, srv.Stock(pid))
}

// Behind a proxy that drops X-WP-TotalPages, lists go on while pages are
// full.
func TestListWithoutPageTotals(t *testing.T) {
	srv, client := sandbox(t, nil, woocommercetest.WithoutPageTotals())
	for i := range 200 {
		srv.AddProduct("P", "P-"+strconv.Itoa(i), 1)
	}
	n := 0
	for _, err := range client.Items.List(context.Background()) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 200, n)
	before := srv.Requests()
	for _, err := range client.Items.List(context.Background()) {
		require.NoError(t, err)
	}
	assert.Equal(t, 3, srv.Requests()-before, "two full pages and an empty one")
}

// A stock write whose answer is lost after the commit is sent again by
// the connector (a PUT sets: the same absolute quantity and journal), and
// applies once; a PHP failure on a read is retried.
func TestAdjustAnswerLostAndFailure(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	pid := srv.AddProduct("Mug", "MUG", 10)
	id := strconv.FormatInt(pid, 10)
	srv.FailNext(1, http.StatusInternalServerError)
	_, err := client.Items.GetBySKU(ctx, "MUG")
	require.NoError(t, err)

	srv.LoseNextAnswer()
	left, err := client.Stock.Adjust(ctx, []inventory.Change{{ItemID: id, Delta: -3}}, connector.WithIdempotencyKey("lost-1"))
	require.NoError(t, err)
	assert.Equal(t, 7, left[0].After)
	assert.Equal(t, 7, srv.Stock(pid))
	again, err := client.Stock.Adjust(ctx, []inventory.Change{{ItemID: id, Delta: -3}}, connector.WithIdempotencyKey("lost-1"))
	require.NoError(t, err)
	assert.Equal(t, 7, again[0].After)
	assert.Equal(t, 7, srv.Stock(pid))
	assert.Contains(t, srv.Meta(pid, "_patchbay_stock_journal"), `"k":"lost-1#0"`)
}
