package hubspot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
)

// Two clients of one account (two processes), each with calls in flight,
// draw on one budget: the window HubSpot reports, lowered to what it says
// is left. Together they get no 429. (HubSpot's window is 10 s; a second
// keeps the test short.)
func TestTwoClientsShareTheAccount(t *testing.T) {
	srv := hubspottest.NewServer(hubspottest.WithRateLimit(20, time.Second))
	t.Cleanup(srv.Close)
	budget := connector.NewMemoryBudget()
	clients := make([]*hubspot.Client, 2)
	for i := range clients {
		var err error
		clients[i], err = hubspot.New(hubspot.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
			connector.WithHTTPClient(connectortest.TestClient(t, nil)), connector.WithRetryPolicy(fastRetry),
			connector.WithSharedBudget(budget, "portal-1"))
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	c, err := clients[0].Contacts.Create(ctx, crm.Contact{Email: "shared@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := clients[i%2].Contacts.Get(ctx, c.ID); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n := srv.Throttled(); n > 0 {
		t.Fatalf("%d calls hit 429: the two clients overran the account they share", n)
	}
}
