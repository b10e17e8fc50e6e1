package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
)

// UpdatedSince past the search cap: 230 changed contacts, a cap of 50 per
// query, and runs of records sharing one modification time across window
// edges. Every contact comes once, in order of change.
func TestUpdatedSinceSplitsSearchWindows(t *testing.T) {
	srv, client := sandbox(t, nil, hubspot.Config{SearchCap: 50}, hubspottest.WithSearchCap(50))
	ctx := context.Background()
	start := srv.Now()
	srv.Advance(time.Second)
	const n = 230
	for i := range n {
		if i%7 == 0 {
			srv.Advance(time.Millisecond) // groups of seven share a millisecond
		}
		if _, err := client.Contacts.Create(ctx, crm.Contact{Email: fmt.Sprintf("w%03d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	var last time.Time
	for c, err := range client.Contacts.List(ctx, crm.ListOptions{UpdatedSince: start}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.ID] {
			t.Fatalf("contact %s yielded twice", c.ID)
		}
		if c.UpdatedAt.Before(last) {
			t.Fatalf("out of order: %v after %v", c.UpdatedAt, last)
		}
		seen[c.ID], last = true, c.UpdatedAt
	}
	if len(seen) != n {
		t.Fatalf("listed %d, want %d", len(seen), n)
	}
}

// A DAILY 429 is final: one request, ErrRateLimited, and when to retry.
// A TEN_SECONDLY_ROLLING one is retried.
func TestRateLimitPolicies(t *testing.T) {
	srv, client := sandbox(t, nil, hubspot.Config{})
	ctx := context.Background()
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "limits@example.com"})
	if err != nil {
		t.Fatal(err)
	}

	srv.SpendDailyLimit(true)
	before := srv.Requests()
	_, err = client.Contacts.Get(ctx, c.ID)
	var apiErr *connector.APIError
	if !errors.Is(err, connector.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.Code != "DAILY" || apiErr.RetryAfter <= 0 {
		t.Fatalf("err = %v, want ErrRateLimited DAILY with a RetryAfter", err)
	}
	if got := srv.Requests() - before; got != 1 {
		t.Fatalf("DAILY 429 sent %d requests, want 1 (no retry)", got)
	}
	srv.SpendDailyLimit(false)

	srv.Throttle(2)
	before = srv.Requests()
	if _, err := client.Contacts.Get(ctx, c.ID); err != nil {
		t.Fatalf("TEN_SECONDLY_ROLLING 429s must be retried: %v", err)
	}
	if got := srv.Requests() - before; got != 3 {
		t.Fatalf("requests = %d, want 3 (two 429s, then success)", got)
	}
}

// Reading X-HubSpot-RateLimit-*, the client slows down before the limit:
// a burst of calls against a budget of 20 per rolling window gets no 429.
// (HubSpot's window is 10 s; 200 ms keeps the test short.)
func TestPacesFromRateLimitHeaders(t *testing.T) {
	srv, client := sandbox(t, nil, hubspot.Config{}, hubspottest.WithRateLimit(20, 200*time.Millisecond))
	ctx := context.Background()
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "pace@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if _, err := client.Contacts.Get(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Throttled(); n > 0 {
		t.Fatalf("%d calls hit 429: the client did not pace itself", n)
	}
}

// HubSpot's error bodies become typed errors with the vendor's message,
// category and correlation id.
func TestErrorMapping(t *testing.T) {
	_, client := sandbox(t, nil, hubspot.Config{})
	ctx := context.Background()
	_, err := client.Contacts.Create(ctx, crm.Contact{Email: "x@example.com", Properties: map[string]string{"no_such_field": "1"}})
	var apiErr *connector.APIError
	if !errors.Is(err, connector.ErrValidation) || !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want ErrValidation", err)
	}
	if apiErr.Code != "VALIDATION_ERROR" || apiErr.StatusCode != 400 || apiErr.RequestID == "" || apiErr.Op != "contacts.create" {
		t.Fatalf("%+v: want code, status, correlation id and operation", apiErr)
	}
	_, err = client.Contacts.Upsert(ctx, crm.Contact{FirstName: "no email"})
	if !errors.Is(err, connector.ErrValidation) {
		t.Fatalf("upsert without email: err = %v, want ErrValidation before any request", err)
	}
}

// UpsertMany splits 250 contacts into batches of 100 and returns them in
// order; doing it again changes nothing.
func TestUpsertManyBatches(t *testing.T) {
	srv, client := sandbox(t, nil, hubspot.Config{})
	ctx := context.Background()
	in := make([]crm.Contact, 250)
	for i := range in {
		in[i] = crm.Contact{Email: fmt.Sprintf("b%03d@example.com", i), FirstName: "B"}
	}
	before := srv.Requests()
	out, err := client.Contacts.UpsertMany(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests() - before; got != 3 {
		t.Fatalf("requests = %d, want 3 batches", got)
	}
	for i := range in {
		if out[i].Email != in[i].Email || out[i].ID == "" {
			t.Fatalf("result %d = %+v, want %s", i, out[i], in[i].Email)
		}
	}
	if _, err := client.Contacts.UpsertMany(ctx, in); err != nil {
		t.Fatal(err)
	}
	if srv.ContactCount() != 250 {
		t.Fatalf("%d contacts after upserting twice, want 250", srv.ContactCount())
	}
}

// The sandbox's 5xx switch: a GET is retried through it; a keyless create
// that meets a 5xx is not, and says its outcome is unknown.
func TestServerErrors(t *testing.T) {
	srv, client := sandbox(t, nil, hubspot.Config{})
	ctx := context.Background()
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "five@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	srv.FailNext(2, 502)
	if _, err := client.Contacts.Get(ctx, c.ID); err != nil {
		t.Fatalf("GET through two 502s: %v", err)
	}
	srv.FailNext(1, 500)
	if _, err := client.Contacts.Create(ctx, crm.Contact{Email: "six@example.com"}); !errors.Is(err, connector.ErrOutcomeUnknown) {
		t.Fatalf("keyless create through a 500: err = %v, want ErrOutcomeUnknown", err)
	}
	srv.FailNext(1, 500)
	created, err := client.Contacts.Create(ctx, crm.Contact{Email: "seven@example.com"}, connector.WithIdempotencyKey("k-seven-000"))
	if err != nil || created.Email != "seven@example.com" {
		t.Fatalf("keyed create through a 500 must be retried: %v, %v", created, err)
	}
}
