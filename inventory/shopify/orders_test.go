package shopify_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/internal/spec"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// placeOrders places n orders a minute apart on the sandbox's clock,
// without webhooks, and returns their ids in order.
func placeOrders(t *testing.T, srv *shopifytest.Server, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		o := order
		o.Lines = []shopifytest.OrderLine{{SKU: fmt.Sprintf("SKU-%d", i), Title: "Thing", Quantity: i + 1, Price: "3.10"}}
		id, _, err := srv.OrderWebhook(o)
		require.NoError(t, err)
		ids = append(ids, strconv.FormatInt(id, 10))
		srv.Advance(time.Minute)
	}
	return ids
}

func listOrders(t *testing.T, client *shopify.Client, since time.Time) []*inventory.Order {
	t.Helper()
	var out []*inventory.Order
	for o, err := range client.Orders.List(context.Background(), since) {
		require.NoError(t, err)
		out = append(out, o)
	}
	return out
}

func orderIDs(orders []*inventory.Order) []string {
	var ids []string
	for _, o := range orders {
		ids = append(ids, o.ID)
	}
	return ids
}

// Every order, past several pages (8 a page), oldest change first; with
// UpdatedSince only those changed at or after it, and an order changed
// later comes last.
func TestOrdersList(t *testing.T) {
	srv, client := sandbox(t, nil)
	ids := placeOrders(t, srv, 20)

	all := listOrders(t, client, time.Time{})
	assert.Equal(t, ids, orderIDs(all))
	for i := 1; i < len(all); i++ {
		assert.True(t, all[i-1].UpdatedAt.Before(all[i].UpdatedAt), "oldest change first")
	}

	since := all[12].UpdatedAt
	assert.Equal(t, ids[12:], orderIDs(listOrders(t, client, since)),
		"changed at or after UpdatedSince: the last seen order comes again")
	assert.Equal(t, ids[12:], orderIDs(listOrders(t, client, since.Add(999*time.Millisecond))),
		"UpdatedSince within the second of an order's change keeps it: Shopify's times are to the second")

	srv.Advance(time.Hour)
	id3, err := strconv.ParseInt(ids[3], 10, 64)
	require.NoError(t, err)
	require.True(t, srv.UpdateOrder(id3))
	got := orderIDs(listOrders(t, client, since))
	assert.Equal(t, append(append([]string{}, ids[12:]...), ids[3]), got, "the order changed last comes last")
	assert.Empty(t, listOrders(t, client, srv.Now().Add(time.Hour)))
}

// withoutRaw is o with Raw cleared: the webhook's body and the GraphQL
// node differ in shape, not in the order they carry.
func withoutRaw(o *inventory.Order) *inventory.Order {
	c := *o
	c.Raw = nil
	return &c
}

// A listed order, and one read with Get, is the very order FromWebhook
// reads from its orders/create webhook, field for field: one mapping
// behind all three.
func TestOrdersListMatchesWebhook(t *testing.T) {
	srv, client := sandbox(t, nil)
	o := order
	o.Lines = append(o.Lines, shopifytest.OrderLine{SKU: "TEA-9", Title: "Tea & biscuits", Quantity: 3, Price: "4.05"})
	id, body, err := srv.OrderWebhook(o)
	require.NoError(t, err)
	fromWebhook, err := client.Orders.FromWebhook(context.Background(), body)
	require.NoError(t, err)
	assert.JSONEq(t, string(body), string(fromWebhook.Raw))

	listed := listOrders(t, client, time.Time{})
	require.Len(t, listed, 1)
	assert.Equal(t, withoutRaw(fromWebhook), withoutRaw(listed[0]))
	got, err := client.Orders.Get(context.Background(), strconv.FormatInt(id, 10))
	require.NoError(t, err)
	assert.Equal(t, withoutRaw(fromWebhook), withoutRaw(got))
	assert.Contains(t, string(got.Raw), `"legacyResourceId"`, "Raw is the GraphQL node")

	assert.Equal(t, strconv.FormatInt(id, 10), got.ID)
	assert.Regexp(t, `^#\d+$`, got.Number)
	assert.True(t, got.Express)
	assert.Equal(t, "Express Shipping", got.Shipping)
	assert.Equal(t, "4.05", got.Lines[1].UnitPrice.String())
	assert.Equal(t, "Ada Lovelace", got.ShipTo.Name)
	assert.Equal(t, "ada@example.com", got.ShipTo.Email)
	assert.False(t, got.UpdatedAt.IsZero())
}

// An order with more lines than a page of them (50) comes whole: the rest
// are read with the order query.
func TestOrdersListManyLines(t *testing.T) {
	srv, client := sandbox(t, nil)
	o := order
	o.Lines = nil
	for i := range 120 {
		o.Lines = append(o.Lines, shopifytest.OrderLine{SKU: fmt.Sprintf("L-%03d", i), Title: "Line", Quantity: 1, Price: "1.00"})
	}
	id, body, err := srv.OrderWebhook(o)
	require.NoError(t, err)
	placeOrders(t, srv, 2)
	want, err := client.Orders.FromWebhook(context.Background(), body)
	require.NoError(t, err)

	listed := listOrders(t, client, time.Time{})
	require.Len(t, listed, 3)
	require.Len(t, listed[0].Lines, 120)
	assert.Equal(t, withoutRaw(want), withoutRaw(listed[0]))
	got, err := client.Orders.Get(context.Background(), strconv.FormatInt(id, 10))
	require.NoError(t, err)
	assert.Equal(t, withoutRaw(want), withoutRaw(got), "Get reads the lines past the first page too")
}

// An order a flow cannot ship is yielded as an error naming it, as
// DecodeOrder refuses its webhook, and the list goes on.
func TestOrdersListUnshippable(t *testing.T) {
	srv, client := sandbox(t, nil)
	placeOrders(t, srv, 1)
	bad := order
	bad.Lines = []shopifytest.OrderLine{{SKU: "", Title: "Gift card", Quantity: 1, Price: "50.00"}}
	badID, _, err := srv.OrderWebhook(bad)
	require.NoError(t, err)
	srv.Advance(time.Minute)
	placeOrders(t, srv, 1)

	var got []string
	var errs []error
	for o, err := range client.Orders.List(context.Background(), time.Time{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, o.ID)
	}
	assert.Len(t, got, 2)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], connector.ErrInvalidResponse)
	assert.ErrorContains(t, errs[0], fmt.Sprint(badID))
}

// THROTTLED answers and an emptied bucket are waited out; a 5xx is
// retried (a query is safe to repeat): the list still completes.
func TestOrdersListThrottled(t *testing.T) {
	srv, client := sandbox(t, nil)
	ids := placeOrders(t, srv, 10)
	srv.Throttle(1)
	srv.FailNext(1, http.StatusServiceUnavailable)
	assert.Equal(t, ids, orderIDs(listOrders(t, client, time.Time{})))
	assert.GreaterOrEqual(t, srv.Throttled(), 1)
}

// A reconciliation poll: the sandbox drops every 4th orders/create
// webhook; the webhooks that came and a poll of the orders updated since
// the start cover every order, and the poll alone finds the dropped ones.
func TestOrdersReconcileDroppedWebhooks(t *testing.T) {
	srv, client := sandbox(t, nil, shopifytest.WithDroppedWebhooks(0.25))
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	ctx := context.Background()
	start := srv.Now()

	placed := map[string]bool{}
	var dropped []string
	for i := range 12 {
		id, hookID, body, err := srv.PlaceOrder(ctx, rc.URL, order)
		require.NoError(t, err)
		require.NotEmpty(t, body)
		placed[strconv.FormatInt(id, 10)] = true
		if i%4 == 3 {
			assert.Empty(t, hookID, "order %d: the 4th, 8th and 12th webhooks are dropped", i+1)
			dropped = append(dropped, strconv.FormatInt(id, 10))
		} else {
			assert.NotEmpty(t, hookID)
		}
		srv.Advance(time.Second)
	}
	assert.Equal(t, 3, srv.DroppedWebhooks())
	assert.Equal(t, 12, srv.Orders())

	seen := map[string]bool{}
	for _, e := range rc.Events() {
		require.NotNil(t, e.Payload.Order)
		seen[strconv.FormatInt(e.Payload.Order.ID, 10)] = true
	}
	assert.Len(t, seen, 9)
	var missing []string
	for _, o := range listOrders(t, client, start) {
		if !seen[o.ID] {
			missing = append(missing, o.ID)
		}
		seen[o.ID] = true
	}
	assert.Equal(t, dropped, missing)
	assert.Equal(t, placed, seen)

	// Switched off, every webhook is sent again.
	srv.DropWebhooks(0)
	_, hookID, _, err := srv.PlaceOrder(ctx, rc.URL, order)
	require.NoError(t, err)
	assert.NotEmpty(t, hookID)
	assert.Len(t, rc.Events(), 10)
}

// The drop share is spread evenly: 1 in 3 of 30 is 10, every third.
func TestDropWebhooksShare(t *testing.T) {
	for _, tt := range []struct {
		share float64
		want  int
	}{{0, 0}, {1.0 / 3, 10}, {0.5, 15}, {1, 30}} {
		srv := shopifytest.NewServer(shopifytest.WithDroppedWebhooks(tt.share))
		rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
		for range 30 {
			_, _, _, err := srv.PlaceOrder(context.Background(), rc.URL, order)
			require.NoError(t, err)
		}
		assert.Equal(t, tt.want, srv.DroppedWebhooks(), "share %v", tt.share)
		assert.Len(t, rc.Events(), 30-tt.want, "share %v", tt.share)
		srv.Close()
	}
}

// The orders documents and their variables, validated against the Admin
// schema, by the client's transport and by the sandbox.
func TestConformanceOrders(t *testing.T) {
	schema := spec.LoadGraphQL(t, "shopify/admin_schema_unstable_2024-12-18.graphql")
	srv, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper {
		return schema.Transport(t, next, shopifyExceptions...)
	}, shopifytest.WithSchema(schema.Schema()))
	o := order
	o.Lines = nil
	for i := range 60 {
		o.Lines = append(o.Lines, shopifytest.OrderLine{SKU: fmt.Sprintf("C-%d", i), Title: "Line", Quantity: 1, Price: "1.00"})
	}
	_, _, err := srv.OrderWebhook(o)
	require.NoError(t, err)
	ids := placeOrders(t, srv, 9)
	all := listOrders(t, client, time.Time{})
	require.Len(t, all, 10)
	assert.Len(t, all[0].Lines, 60)
	assert.Equal(t, ids[1:], orderIDs(listOrders(t, client, all[2].UpdatedAt)))
	got, err := client.Orders.Get(context.Background(), all[0].ID)
	require.NoError(t, err)
	assert.Len(t, got.Lines, 60)
}

// The webhook's times are read as RFC 3339; one that is not stays zero and
// the order is still decoded.
func TestDecodeOrderTimes(t *testing.T) {
	o, err := shopify.DecodeOrder([]byte(orderCreated))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 1, 1, 15, 0, 0, 0, time.UTC), o.CreatedAt.UTC())
	assert.Equal(t, "John", o.Customer.FirstName)

	bad := strings.Replace(orderCreated, `"created_at":"2026-01-01T10:00:00-05:00"`, `"created_at":"yesterday","updated_at":""`, 1)
	o, err = shopify.DecodeOrder([]byte(bad))
	require.NoError(t, err)
	assert.True(t, o.CreatedAt.IsZero())
	assert.True(t, o.UpdatedAt.IsZero())
	assert.Equal(t, int64(820982911946154508), o.ID)
	assert.Len(t, o.LineItems, 2)
}

// Orders that change while a list is paged through (fulfilled meanwhile,
// so they move to the end of an updated_at sort) come again later, and
// no other order is skipped for it: Shopify's cursors name a place in the
// sort, not an offset.
func TestOrdersListWhileOrdersChange(t *testing.T) {
	srv, client := sandbox(t, nil)
	ids := placeOrders(t, srv, 30)
	seen := map[string]int{}
	for o, err := range client.Orders.List(context.Background(), time.Time{}) {
		require.NoError(t, err)
		seen[o.ID]++
		if len(seen) == 1 {
			// After the first page was read: the first five change.
			for _, id := range ids[:5] {
				n, _ := strconv.ParseInt(id, 10, 64)
				require.True(t, srv.UpdateOrder(n))
			}
		}
	}
	for _, id := range ids {
		assert.NotZero(t, seen[id], "order %s skipped", id)
	}
}
