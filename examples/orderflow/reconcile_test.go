package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"testing"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/shipping"
)

// shopOrders is a shop whose list yields its orders changed since the
// time asked, oldest first, and then fails if failAfter says so.
type shopOrders struct {
	orders    []*inventory.Order
	failAfter int // yield this many, then an error; 0: never fail
	asked     []time.Time
	during    func() // called once the list has yielded 10 orders
}

func (s *shopOrders) Get(context.Context, string) (*inventory.Order, error) {
	return nil, connector.ErrNotFound
}
func (s *shopOrders) FromWebhook(context.Context, []byte) (*inventory.Order, error) {
	return nil, connector.ErrInvalidResponse
}

func (s *shopOrders) List(_ context.Context, since time.Time) iter.Seq2[*inventory.Order, error] {
	s.asked = append(s.asked, since)
	return func(yield func(*inventory.Order, error) bool) {
		n := 0
		for _, o := range s.orders {
			if o.UpdatedAt.Before(since) {
				continue
			}
			if s.failAfter > 0 && n == s.failAfter {
				yield(nil, &connector.APIError{Vendor: "shopify", Kind: connector.ErrRateLimited, Message: "throttled"})
				return
			}
			n++
			if n == 10 && s.during != nil {
				s.during()
			}
			if !yield(o, nil) {
				return
			}
		}
	}
}

// A pass that fails half-way keeps what it did: the cursor stands at the
// last order it queued, and the next pass lists from there, not from
// where the failed pass began.
func TestReconcileCursorFollowsThePass(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now().Add(-time.Minute).Truncate(time.Second)
	shop := &shopOrders{failAfter: 120}
	for i := range 200 {
		shop.orders = append(shop.orders, &inventory.Order{ID: fmt.Sprint(1000 + i), Currency: "USD", UpdatedAt: start.Add(time.Duration(i) * time.Second),
			ShipTo: shipping.Address{Name: "A", Street1: "1 Main St", City: "Springfield", Country: "US"},
			Lines:  []inventory.OrderLine{{SKU: "MUG-001", Quantity: 1, UnitPrice: decimal.MustParse("1.00")}}})
	}
	rc := &reconciler{orders: shop, db: db, inbox: db.Inbox(), wake: make(chan struct{}, 1), report: func(string) {}}
	if err := rc.poll(ctx); !errors.Is(err, connector.ErrRateLimited) {
		t.Fatalf("first pass: %v, want the shop's refusal", err)
	}
	if rc.added != 120 {
		t.Fatalf("first pass queued %d orders, want 120", rc.added)
	}
	shop.failAfter = 0
	if err := rc.poll(ctx); err != nil {
		t.Fatal(err)
	}
	if want := shop.orders[119].UpdatedAt; !shop.asked[1].Equal(want) {
		t.Fatalf("the second pass listed from %v, want %v (the last order queued)", shop.asked[1], want)
	}
	if depth, _ := db.Inbox().Depth(ctx); depth != 200 || rc.added != 200 {
		t.Fatalf("inbox %d, queued %d: want every order once", depth, rc.added)
	}
}

// Two workers reconcile one shop: a pass that began further back does not
// move the cursor back over what the other's pass already covered.
func TestReconcileCursorNeverMovesBack(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now().Add(-5 * time.Minute).Truncate(time.Second) // after where a first pass starts
	shop := &shopOrders{}
	for i := range 60 {
		shop.orders = append(shop.orders, &inventory.Order{ID: fmt.Sprint(1000 + i), Currency: "USD", UpdatedAt: start.Add(time.Duration(i) * time.Second),
			ShipTo: shipping.Address{Name: "A", Street1: "1 Main St", City: "Springfield", Country: "US"},
			Lines:  []inventory.OrderLine{{SKU: "MUG-001", Quantity: 1, UnitPrice: decimal.MustParse("1.00")}}})
	}
	rc := &reconciler{orders: shop, db: db, inbox: db.Inbox(), wake: make(chan struct{}, 1), report: func(string) {}}
	ahead := start.Add(2 * time.Hour)
	shop.during = func() { // the other worker's pass got here meanwhile
		if err := db.Put(ctx, cursorKind, rc.src(), []byte(ahead.Format(time.RFC3339Nano))); err != nil {
			t.Error(err)
		}
	}
	shop.failAfter = 55
	_ = rc.poll(ctx) // began ten minutes back; saves at 50 orders and at its failure
	if got, _ := rc.cursor(ctx); !got.Equal(ahead) {
		t.Fatalf("cursor %v, want it left at %v", got, ahead)
	}
}
