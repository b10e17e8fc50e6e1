// Package crmtest is the contract every CRM vendor package passes against
// its sandbox: the same behaviour behind crm.Contacts, whatever the vendor.
//
//	func TestContract(t *testing.T) {
//		crmtest.Run(t, func(t *testing.T) crmtest.Harness { ... })
//	}
package crmtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	t.Run("UpdatedSinceOldestChangeFirst", func(t *testing.T) { testUpdatedSinceOrder(t, newHarness(t)) })
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
	require.NoError(t, err)
	require.NotEmpty(t, created.ID, "created contact has no id")
	assert.Equal(t, "ada@example.com", created.Email)
	assert.False(t, created.CreatedAt.IsZero(), "created contact has no creation time")
	assert.NotEmpty(t, created.Raw, "created contact has no raw record")

	got, err := h.Contacts.Get(ctx, created.ID)
	require.NoError(t, err)
	want := ada("ada@example.com")
	assert.Equal(t, want.FirstName, got.FirstName)
	assert.Equal(t, want.LastName, got.LastName)
	assert.Equal(t, want.Phone, got.Phone)
	assert.Equal(t, want.Company, got.Company)
	if assert.NotNil(t, got.Address, "address lost") {
		assert.Equal(t, *want.Address, *got.Address)
	}

	byEmail, err := h.Contacts.FindByEmail(ctx, "ADA@example.com")
	require.NoError(t, err, "FindByEmail in another case")
	assert.Equal(t, created.ID, byEmail.ID, "FindByEmail in another case")

	updated, err := h.Contacts.Update(ctx, created.ID, crm.Contact{LastName: "King"})
	require.NoError(t, err)
	assert.Equal(t, "King", updated.LastName, "the new last name")
	assert.Equal(t, "Ada", updated.FirstName, "the first name, not given to Update, is kept")

	require.NoError(t, h.Contacts.Delete(ctx, created.ID))
	_, err = h.Contacts.Get(ctx, created.ID)
	assert.ErrorIs(t, err, connector.ErrNotFound, "Get after Delete")
}

func testUpsertTwice(t *testing.T, h Harness) {
	ctx := context.Background()
	key := connector.DeriveKey("order", "1001", "crm")
	first, err := h.Contacts.Upsert(ctx, ada("grace@example.com"), connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	again := ada("grace@example.com")
	again.FirstName = "Grace"
	second, err := h.Contacts.Upsert(ctx, again, connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	require.NotEmpty(t, first.ID)
	assert.Equal(t, first.ID, second.ID, "two upserts of one email: one record")
	assert.Equal(t, "Grace", second.FirstName, "the second upsert updates")
	assert.Equal(t, 1, count(t, h.Contacts, crm.ListOptions{}), "contacts after two upserts")
}

func testCreateKeyed(t *testing.T, h Harness) {
	ctx := context.Background()
	key := connector.DeriveKey("order", "1002", "crm")
	first, err := h.Contacts.Create(ctx, ada("alan@example.com"), connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	second, err := h.Contacts.Create(ctx, ada("alan@example.com"), connector.WithIdempotencyKey(key))
	require.NoError(t, err, "second keyed create")
	assert.Equal(t, first.ID, second.ID, "second keyed create gives the first record")
	_, err = h.Contacts.Create(ctx, ada("alan@example.com"))
	assert.ErrorIs(t, err, connector.ErrConflict, "keyless create of a taken email")
	assert.Equal(t, 1, count(t, h.Contacts, crm.ListOptions{}), "contacts")
}

func testPagination(t *testing.T, h Harness) {
	ctx := context.Background()
	const n = 250
	for i := range n {
		_, err := h.Contacts.Create(ctx, crm.Contact{Email: fmt.Sprintf("p%03d@example.com", i)})
		require.NoError(t, err)
	}
	seen := map[string]bool{}
	for c, err := range h.Contacts.List(ctx, crm.ListOptions{}) {
		require.NoError(t, err)
		require.False(t, seen[c.ID], "contact %s listed twice", c.ID)
		seen[c.ID] = true
	}
	assert.Len(t, seen, n, "contacts listed")
}

func testUpdatedSince(t *testing.T, h Harness) {
	ctx := context.Background()
	old, err := h.Contacts.Create(ctx, crm.Contact{Email: "old@example.com"})
	require.NoError(t, err)
	untouched, err := h.Contacts.Create(ctx, crm.Contact{Email: "untouched@example.com"})
	require.NoError(t, err)
	h.Advance(time.Hour)
	mark := h.Now()
	h.Advance(time.Minute)
	fresh, err := h.Contacts.Create(ctx, crm.Contact{Email: "new@example.com"})
	require.NoError(t, err)
	h.Advance(time.Minute)
	_, err = h.Contacts.Update(ctx, old.ID, crm.Contact{FirstName: "Changed"})
	require.NoError(t, err)
	var ids []string
	for c, err := range h.Contacts.List(ctx, crm.ListOptions{UpdatedSince: mark}) {
		require.NoError(t, err)
		require.NotEqual(t, untouched.ID, c.ID, "a contact unchanged since the mark was listed")
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []string{fresh.ID, old.ID}, ids, "changed since the mark, oldest change first")
}

// testUpdatedSinceOrder changes records in an order unlike their creation
// (and id) order, some in the same second, and checks that a sync lists
// them oldest change first: UpdatedAt never goes back, and ties keep
// their place among the others.
func testUpdatedSinceOrder(t *testing.T, h Harness) {
	ctx := context.Background()
	contacts := make([]*crm.Contact, 6)
	for i := range contacts {
		c, err := h.Contacts.Create(ctx, crm.Contact{Email: fmt.Sprintf("order%d@example.com", i)})
		require.NoError(t, err)
		contacts[i] = c
		h.Advance(time.Second)
	}
	h.Advance(time.Hour)
	mark := h.Now()
	h.Advance(time.Minute)
	// Change 4, then 1, then 5 and 0 together, then 2; 3 stays as it was.
	steps := [][]int{{4}, {1}, {5, 0}, {2}}
	var want [][]string // ids by step: within a step any order is right
	for _, step := range steps {
		var ids []string
		for _, i := range step {
			_, err := h.Contacts.Update(ctx, contacts[i].ID, crm.Contact{FirstName: fmt.Sprintf("Changed %d", i)})
			require.NoError(t, err)
			ids = append(ids, contacts[i].ID)
		}
		want = append(want, ids)
		h.Advance(time.Minute)
	}

	var got []*crm.Contact
	for c, err := range h.Contacts.List(ctx, crm.ListOptions{UpdatedSince: mark}) {
		require.NoError(t, err)
		got = append(got, c)
	}
	require.Len(t, got, 5, "the contacts changed since the mark")
	for i, c := range got {
		assert.False(t, c.UpdatedAt.Before(mark), "%s: UpdatedAt %v is before the mark %v", c.ID, c.UpdatedAt, mark)
		if i > 0 {
			assert.False(t, c.UpdatedAt.Before(got[i-1].UpdatedAt), "listed %s (changed %v) after %s (changed %v): not oldest change first",
				c.ID, c.UpdatedAt, got[i-1].ID, got[i-1].UpdatedAt)
		}
	}
	pos := 0
	for _, ids := range want {
		var listed []string
		for _, c := range got[pos : pos+len(ids)] {
			listed = append(listed, c.ID)
		}
		assert.ElementsMatch(t, ids, listed, "contacts at places %d to %d", pos, pos+len(ids)-1)
		pos += len(ids)
	}
}

func testNotFound(t *testing.T, h Harness) {
	ctx := context.Background()
	_, err := h.Contacts.Get(ctx, "987654321")
	assert.ErrorIs(t, err, connector.ErrNotFound, "Get")
	_, err = h.Contacts.FindByEmail(ctx, "nobody@example.com")
	assert.ErrorIs(t, err, connector.ErrNotFound, "FindByEmail")
	_, err = h.Contacts.Update(ctx, "987654321", crm.Contact{FirstName: "X"})
	assert.ErrorIs(t, err, connector.ErrNotFound, "Update")
}

func testValidation(t *testing.T, h Harness) {
	_, err := h.Contacts.Create(context.Background(), crm.Contact{Email: "not-an-email"})
	require.ErrorIs(t, err, connector.ErrValidation)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotEmpty(t, apiErr.Message, "the vendor's message")
}

func testRateLimited(t *testing.T, h Harness) {
	ctx := context.Background()
	c, err := h.Contacts.Create(ctx, crm.Contact{Email: "busy@example.com"})
	require.NoError(t, err)
	h.Throttle(1)
	_, err = h.Contacts.Get(ctx, c.ID)
	require.NoError(t, err, "one 429 must be retried")
	h.Throttle(1000)
	_, err = h.Contacts.Get(ctx, c.ID)
	assert.ErrorIs(t, err, connector.ErrRateLimited, "once retries run out")
}

func count(t *testing.T, contacts crm.Contacts, opts crm.ListOptions) int {
	t.Helper()
	n := 0
	for _, err := range contacts.List(context.Background(), opts) {
		require.NoError(t, err)
		n++
	}
	return n
}
