package easypost_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/easypost"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

// recordQueries keeps the query of every shipment list request; with drop
// set it also strips after_id from a request that pages with before_id,
// as a server that honoured only before_id would act.
type recordQueries struct {
	next    http.RoundTripper
	drop    bool
	mu      sync.Mutex
	queries []string
}

func (r *recordQueries) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && req.URL.Path == "/v2/shipments" {
		q := req.URL.Query()
		if r.drop && q.Has("before_id") {
			q.Del("after_id")
			req = req.Clone(req.Context())
			req.URL.RawQuery = q.Encode()
		}
		r.mu.Lock()
		r.queries = append(r.queries, req.URL.RawQuery)
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

func listIDs(t *testing.T, client *easypost.Client, opts easypost.ListOptions) []string {
	t.Helper()
	var ids []string
	for label, err := range client.Labels.List(context.Background(), opts) {
		require.NoError(t, err)
		ids = append(ids, label.ID)
	}
	return ids
}

// List walks the account's labels newest first across before_id pages;
// AfterID and BeforeID bound the walk, AfterID on every page's request.
// Unpurchased shipments (quotes) are never listed.
func TestListPagesBetweenIDs(t *testing.T) {
	for _, drop := range []bool{false, true} {
		name := map[bool]string{false: "after_id kept", true: "server ignores after_id when paging"}[drop]
		t.Run(name, func(t *testing.T) {
			rec := &recordQueries{drop: drop}
			_, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper { rec.next = next; return rec })
			var bought []string // oldest first
			for range 150 {
				rate, _ := shipping.Cheapest(shippingtest.Quote(t, client.Rates))
				label, err := client.Labels.Buy(context.Background(), rate.ID,
					connector.WithIdempotencyKey(connector.NewKey()), connector.WithNewKey())
				require.NoError(t, err)
				bought = append(bought, label.ID)
			}
			newestFirst := slices.Clone(bought)
			slices.Reverse(newestFirst)

			rec.queries = nil
			assert.Equal(t, newestFirst, listIDs(t, client, easypost.ListOptions{}), "every label, newest first")
			assert.Len(t, rec.queries, 2, "150 labels are two pages of 100")

			after := bought[9] // the walk ends before it: 140 newer ones
			rec.queries = nil
			got := listIDs(t, client, easypost.ListOptions{AfterID: after})
			assert.Equal(t, newestFirst[:140], got)
			for _, q := range rec.queries {
				if !drop {
					assert.Contains(t, q, "after_id="+after, "the bound stays on every page")
				}
			}

			got = listIDs(t, client, easypost.ListOptions{AfterID: bought[9], BeforeID: bought[20]})
			assert.Equal(t, newestFirst[130:140], got, "only those between the two ids")
		})
	}
}

// A label bought under a key lists with the rate in its reference.
func TestListKeyedLabelHasItsRate(t *testing.T) {
	_, client := sandbox(t, nil)
	label := buyOne(t, client)
	var got []*shipping.Label
	for l, err := range client.Labels.List(context.Background(), easypost.ListOptions{}) {
		require.NoError(t, err)
		got = append(got, l)
	}
	require.Len(t, got, 1)
	assert.Equal(t, label.RateID, got[0].RateID)
	assert.Equal(t, label.TrackingNumber, got[0].TrackingNumber)
}
