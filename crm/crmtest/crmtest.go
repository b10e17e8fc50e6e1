// Package crmtest is the contract every CRM vendor package passes against
// its sandbox: the same behaviour behind crm.Contacts, whatever the vendor.
//
//	func TestContract(t *testing.T) {
//		crmtest.Run(t, func(t *testing.T) crmtest.Harness { ... })
//	}
package crmtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// Harness is one fresh sandbox and a client on it.
type Harness struct {
	Contacts     crm.Contacts
	Companies    crm.Companies
	Deals        crm.Deals
	Associations crm.Associations
	// Throttle makes the sandbox answer the next n requests with the
	// vendor's short-window 429, as it does under load. The client must
	// retry through a few and give connector.ErrRateLimited past its
	// attempts; give it a retry policy with millisecond waits.
	Throttle func(n int)
	// Advance moves the sandbox clock forward, for UpdatedSince.
	Advance func(d time.Duration)
	// Now reads the sandbox clock.
	Now func() time.Time
}

// Run runs the contract. newHarness is called once per subtest and must
// return an empty sandbox.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("CRUD", func(t *testing.T) { testCRUD(t, newHarness(t)) })
	t.Run("UpsertTwiceOneRecord", func(t *testing.T) { testUpsertTwice(t, newHarness(t)) })
	t.Run("CreateWithKeyTwiceOneRecord", func(t *testing.T) { testCreateKeyed(t, newHarness(t)) })
	t.Run("PaginationAcrossPages", func(t *testing.T) { testPagination(t, newHarness(t)) })
	t.Run("UpdatedSince", func(t *testing.T) { testUpdatedSince(t, newHarness(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, newHarness(t)) })
	t.Run("Validation", func(t *testing.T) { testValidation(t, newHarness(t)) })
	t.Run("RateLimited", func(t *testing.T) { testRateLimited(t, newHarness(t)) })
	t.Run("Companies", func(t *testing.T) { testCompanies(t, newHarness(t)) })
	t.Run("DealsKeyedCreateExactAmounts", func(t *testing.T) { testDeals(t, newHarness(t)) })
	t.Run("Associations", func(t *testing.T) { testAssociations(t, newHarness(t)) })
	t.Run("DealCreatedWithItsContact", func(t *testing.T) { testDealWithContact(t, newHarness(t)) })
}

func ada(email string) crm.Contact {
	return crm.Contact{Email: email, FirstName: "Ada", LastName: "Lovelace", Phone: "+44 20 7946 0000", Company: "Analytical Engines Ltd",
		Address: &crm.Address{Street: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", Country: "GB"}}
}

func testCRUD(t *testing.T, h Harness) {
	ctx := context.Background()
	created, err := h.Contacts.Create(ctx, ada("ada@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Email != "ada@example.com" || created.CreatedAt.IsZero() || len(created.Raw) == 0 {
		t.Fatalf("created = %+v: want an id, the email, a creation time and the raw record", created)
	}
	got, err := h.Contacts.Get(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := ada("ada@example.com")
	if got.FirstName != want.FirstName || got.LastName != want.LastName || got.Phone != want.Phone || got.Company != want.Company {
		t.Fatalf("got %+v, want the fields that were created", got)
	}
	if got.Address == nil || *got.Address != *want.Address {
		t.Fatalf("address = %+v, want %+v", got.Address, want.Address)
	}
	byEmail, err := h.Contacts.FindByEmail(ctx, "ADA@example.com")
	if err != nil || byEmail.ID != created.ID {
		t.Fatalf("FindByEmail (other case) = %v, %v; want id %s", byEmail, err, created.ID)
	}
	updated, err := h.Contacts.Update(ctx, created.ID, crm.Contact{LastName: "King"})
	if err != nil {
		t.Fatal(err)
	}
	if updated.LastName != "King" || updated.FirstName != "Ada" {
		t.Fatalf("updated = %+v: want the new last name and the first name kept", updated)
	}
	if err := h.Contacts.Delete(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Contacts.Get(ctx, created.ID); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
}

func testUpsertTwice(t *testing.T, h Harness) {
	ctx := context.Background()
	key := connector.DeriveKey("order", "1001", "crm")
	first, err := h.Contacts.Upsert(ctx, ada("grace@example.com"), connector.WithIdempotencyKey(key))
	if err != nil {
		t.Fatal(err)
	}
	again := ada("grace@example.com")
	again.FirstName = "Grace"
	second, err := h.Contacts.Upsert(ctx, again, connector.WithIdempotencyKey(key))
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == "" || second.ID != first.ID || second.FirstName != "Grace" {
		t.Fatalf("upserts gave %q then %q (%s): want one record, updated", first.ID, second.ID, second.FirstName)
	}
	if n := count(t, h.Contacts, crm.ListOptions{}); n != 1 {
		t.Fatalf("%d contacts after two upserts, want 1", n)
	}
}

func testCreateKeyed(t *testing.T, h Harness) {
	ctx := context.Background()
	key := connector.DeriveKey("order", "1002", "crm")
	first, err := h.Contacts.Create(ctx, ada("alan@example.com"), connector.WithIdempotencyKey(key))
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.Contacts.Create(ctx, ada("alan@example.com"), connector.WithIdempotencyKey(key))
	if err != nil || second.ID != first.ID {
		t.Fatalf("second keyed create = %v, %v; want the first record", second, err)
	}
	if _, err := h.Contacts.Create(ctx, ada("alan@example.com")); !errors.Is(err, connector.ErrConflict) {
		t.Fatalf("keyless create of a taken email: err = %v, want ErrConflict", err)
	}
	if n := count(t, h.Contacts, crm.ListOptions{}); n != 1 {
		t.Fatalf("%d contacts, want 1", n)
	}
}

func testPagination(t *testing.T, h Harness) {
	ctx := context.Background()
	const n = 250
	for i := range n {
		if _, err := h.Contacts.Create(ctx, crm.Contact{Email: fmt.Sprintf("p%03d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for c, err := range h.Contacts.List(ctx, crm.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.ID] {
			t.Fatalf("contact %s listed twice", c.ID)
		}
		seen[c.ID] = true
	}
	if len(seen) != n {
		t.Fatalf("listed %d contacts, want %d", len(seen), n)
	}
}

func testUpdatedSince(t *testing.T, h Harness) {
	ctx := context.Background()
	old, err := h.Contacts.Create(ctx, crm.Contact{Email: "old@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	untouched, err := h.Contacts.Create(ctx, crm.Contact{Email: "untouched@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	h.Advance(time.Hour)
	mark := h.Now()
	h.Advance(time.Minute)
	fresh, err := h.Contacts.Create(ctx, crm.Contact{Email: "new@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	h.Advance(time.Minute)
	if _, err := h.Contacts.Update(ctx, old.ID, crm.Contact{FirstName: "Changed"}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for c, err := range h.Contacts.List(ctx, crm.ListOptions{UpdatedSince: mark}) {
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == untouched.ID {
			t.Fatal("a contact unchanged since the mark was listed")
		}
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, ",") != fresh.ID+","+old.ID {
		t.Fatalf("listed %v, want [%s %s]: changed since the mark, oldest change first", ids, fresh.ID, old.ID)
	}
}

func testNotFound(t *testing.T, h Harness) {
	ctx := context.Background()
	if _, err := h.Contacts.Get(ctx, "987654321"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("Get: err = %v, want ErrNotFound", err)
	}
	if _, err := h.Contacts.FindByEmail(ctx, "nobody@example.com"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("FindByEmail: err = %v, want ErrNotFound", err)
	}
	if _, err := h.Contacts.Update(ctx, "987654321", crm.Contact{FirstName: "X"}); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("Update: err = %v, want ErrNotFound", err)
	}
}

func testValidation(t *testing.T, h Harness) {
	_, err := h.Contacts.Create(context.Background(), crm.Contact{Email: "not-an-email"})
	var apiErr *connector.APIError
	if !errors.Is(err, connector.ErrValidation) || !errors.As(err, &apiErr) || apiErr.Message == "" {
		t.Fatalf("err = %v, want ErrValidation with the vendor's message", err)
	}
}

func testRateLimited(t *testing.T, h Harness) {
	ctx := context.Background()
	c, err := h.Contacts.Create(ctx, crm.Contact{Email: "busy@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	h.Throttle(1)
	if _, err := h.Contacts.Get(ctx, c.ID); err != nil {
		t.Fatalf("one 429 must be retried: %v", err)
	}
	h.Throttle(1000)
	if _, err := h.Contacts.Get(ctx, c.ID); !errors.Is(err, connector.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited once retries run out", err)
	}
}

func count(t *testing.T, contacts crm.Contacts, opts crm.ListOptions) int {
	t.Helper()
	n := 0
	for _, err := range contacts.List(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
