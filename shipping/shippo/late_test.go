package shippo_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

// lateCommit gives up on the first purchase at once, as a client whose
// attempt timed out does, while the request reaches Shippo a moment
// later and is carried out there.
type lateCommit struct {
	next http.RoundTripper
	once sync.Once
	wg   sync.WaitGroup
}

func (l *lateCommit) RoundTrip(r *http.Request) (*http.Response, error) {
	late := false
	if r.Method == http.MethodPost && r.URL.Path == "/transactions" {
		l.once.Do(func() { late = true })
	}
	if !late {
		return l.next.RoundTrip(r)
	}
	body, _ := r.GetBody()
	req := r.Clone(context.WithoutCancel(r.Context()))
	req.Body = body
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		time.Sleep(50 * time.Millisecond)
		if resp, err := l.next.RoundTrip(req); err == nil {
			resp.Body.Close()
		}
	}()
	return nil, errors.New("read tcp: i/o timeout")
}

// A purchase whose answer was lost while Shippo was still carrying it out:
// the lookup right after cannot see it yet, so Buy says the outcome is
// unknown instead of buying again; the next call under the key, a moment
// later, finds it. One label, one charge.
func TestPurchaseCommittedAfterTheClientGaveUp(t *testing.T) {
	late := &lateCommit{}
	srv, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper { late.next = next; return late })
	ctx := context.Background()
	rate, _ := shipping.Cheapest(shippingtest.Quote(t, client.Rates))
	_, err := client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("order-2001-label"), connector.WithNewKey())
	require.ErrorIs(t, err, connector.ErrOutcomeUnknown)
	late.wg.Wait()
	label, err := client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("order-2001-label"))
	require.NoError(t, err)
	assert.NotEmpty(t, label.TrackingNumber)
	assert.Equal(t, 1, srv.Purchases(), "charges")
}
