package crmtest

import (
	"context"
	"testing"
	"time"

	"github.com/govalues/money"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

func testCompanies(t *testing.T, h Harness) {
	ctx := context.Background()
	created, err := h.Companies.Create(ctx, crm.Company{Name: "Analytical Engines", Domain: "engines.example"})
	require.NoError(t, err)
	got, err := h.Companies.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, "Analytical Engines", got.Name)
	assert.Equal(t, "engines.example", got.Domain)
	assert.NotEmpty(t, got.Raw, "the raw record")
	byDomain, err := h.Companies.FindByDomain(ctx, "engines.example")
	require.NoError(t, err)
	assert.Equal(t, created.ID, byDomain.ID, "FindByDomain")

	up1, err := h.Companies.Upsert(ctx, crm.Company{Name: "Difference Engines", Domain: "difference.example"})
	require.NoError(t, err)
	up2, err := h.Companies.Upsert(ctx, crm.Company{Name: "Difference Engines Ltd", Domain: "difference.example"})
	require.NoError(t, err)
	assert.Equal(t, up1.ID, up2.ID, "second upsert of one domain: the same company")
	assert.Equal(t, "Difference Engines Ltd", up2.Name, "second upsert renames")

	key := connector.DeriveKey("order", "2001", "company")
	k1, err := h.Companies.Create(ctx, crm.Company{Name: "Keyed Co"}, connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	k2, err := h.Companies.Create(ctx, crm.Company{Name: "Keyed Co"}, connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	assert.Equal(t, k1.ID, k2.ID, "keyed create twice: one company")

	n := 0
	for _, err := range h.Companies.List(ctx, crm.ListOptions{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 3, n, "companies")

	require.NoError(t, h.Companies.Delete(ctx, created.ID))
	_, err = h.Companies.Get(ctx, created.ID)
	assert.ErrorIs(t, err, connector.ErrNotFound, "Get after Delete")
	_, err = h.Companies.FindByDomain(ctx, "nobody.example")
	assert.ErrorIs(t, err, connector.ErrNotFound, "FindByDomain of an unknown domain")
}

func testDeals(t *testing.T, h Harness) {
	ctx := context.Background()
	amount := money.MustParseAmount("EUR", "1234.56")
	closeDate := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	deal := crm.Deal{Name: "Order 1001", Amount: &amount, Stage: "closedwon", Pipeline: "default", CloseDate: closeDate}
	key := connector.DeriveKey("order", "1001", "crm-deal")

	first, err := h.Deals.Create(ctx, deal, connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	second, err := h.Deals.Create(ctx, deal, connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	assert.Equal(t, first.ID, second.ID, "keyed create twice: one deal")

	got, err := h.Deals.Get(ctx, first.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Amount, "amount lost: %+v", got)
	eq, err := got.Amount.Equal(amount)
	require.NoError(t, err)
	assert.True(t, eq, "amount = %v, want exactly %v", got.Amount, amount)
	assert.Equal(t, "EUR", got.Amount.Curr().Code())
	assert.Equal(t, deal.Name, got.Name)
	assert.Equal(t, "closedwon", got.Stage)
	assert.True(t, got.CloseDate.Equal(closeDate), "close date = %v, want %v", got.CloseDate, closeDate)

	_, err = h.Deals.Create(ctx, crm.Deal{Name: "Other", Stage: "closedwon"}, connector.WithIdempotencyKey(connector.DeriveKey("order", "1002", "crm-deal")))
	require.NoError(t, err)
	n := 0
	for _, err := range h.Deals.List(ctx, crm.ListOptions{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n, "deals: one per key")

	more := money.MustParseAmount("EUR", "1300.00")
	upserted, err := h.Deals.Upsert(ctx, crm.Deal{Name: "Order 1001", Amount: &more, Stage: "closedwon"}, connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	assert.Equal(t, first.ID, upserted.ID, "upsert under the same key updates that deal")
	if assert.NotNil(t, upserted.Amount) {
		eq, _ := upserted.Amount.Equal(more)
		assert.True(t, eq, "upserted amount = %v, want %v", upserted.Amount, more)
	}
	_, err = h.Deals.Upsert(ctx, crm.Deal{Name: "No key"})
	assert.ErrorIs(t, err, connector.ErrValidation, "upsert without a key")

	updated, err := h.Deals.Update(ctx, first.ID, crm.Deal{Stage: "closedlost"})
	require.NoError(t, err)
	assert.Equal(t, "closedlost", updated.Stage)
	_, err = h.Deals.Create(ctx, crm.Deal{Name: "Bad stage", Stage: "no-such-stage", Pipeline: "default"})
	assert.ErrorIs(t, err, connector.ErrValidation, "unknown stage")

	require.NoError(t, h.Deals.Delete(ctx, first.ID))
	_, err = h.Deals.Get(ctx, first.ID)
	assert.ErrorIs(t, err, connector.ErrNotFound, "Get after Delete")
}

// A deal created with its contact, twice under one key: one deal, linked
// to the contact once.
func testDealWithContact(t *testing.T, h Harness) {
	ctx := context.Background()
	c, err := h.Contacts.Create(ctx, crm.Contact{Email: "linked@example.com", FirstName: "Linked"})
	require.NoError(t, err)
	d := crm.Deal{Name: "Order L1", Stage: "closedwon", Pipeline: "default", Associations: []crm.Ref{{Type: crm.ContactObject, ID: c.ID}}}
	key := connector.WithIdempotencyKey(connector.DeriveKey("order", "L1", "deal"))
	first, err := h.Deals.Create(ctx, d, key)
	require.NoError(t, err)
	again, err := h.Deals.Create(ctx, d, key)
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID, "second create under the key")
	assert.Equal(t, []string{first.ID}, linked(t, h, crm.Ref{Type: crm.ContactObject, ID: c.ID}, crm.DealObject), "the contact's deals")
}

func testAssociations(t *testing.T, h Harness) {
	ctx := context.Background()
	contact, err := h.Contacts.Create(ctx, crm.Contact{Email: "linked@example.com"})
	require.NoError(t, err)
	company, err := h.Companies.Create(ctx, crm.Company{Name: "Linked Co", Domain: "linked.example"})
	require.NoError(t, err)
	deal, err := h.Deals.Create(ctx, crm.Deal{Name: "Linked deal", Stage: "closedwon"})
	require.NoError(t, err)
	c := crm.Ref{Type: crm.ContactObject, ID: contact.ID}
	co := crm.Ref{Type: crm.CompanyObject, ID: company.ID}
	d := crm.Ref{Type: crm.DealObject, ID: deal.ID}
	for _, pair := range [][2]crm.Ref{{c, co}, {c, co}, {d, c}, {d, co}} { // the first twice: idempotent
		require.NoError(t, h.Associations.Associate(ctx, pair[0], pair[1]))
	}
	assert.Equal(t, []string{company.ID}, linked(t, h, c, crm.CompanyObject), "contact's companies, once")
	assert.Equal(t, []string{contact.ID}, linked(t, h, co, crm.ContactObject), "company's contacts: associations go both ways")
	assert.Equal(t, []string{deal.ID}, linked(t, h, c, crm.DealObject), "contact's deals")
	require.NoError(t, h.Associations.Dissociate(ctx, c, co))
	assert.Empty(t, linked(t, h, c, crm.CompanyObject), "after Dissociate")
	err = h.Associations.Associate(ctx, c, crm.Ref{Type: crm.CompanyObject, ID: "987654321"})
	assert.ErrorIs(t, err, connector.ErrNotFound, "associating with a missing company")
}

// linked lists the ids of the records of type to linked to from.
func linked(t *testing.T, h Harness, from crm.Ref, to crm.ObjectType) []string {
	t.Helper()
	var ids []string
	for ref, err := range h.Associations.Associated(context.Background(), from, to) {
		require.NoError(t, err)
		ids = append(ids, ref.ID)
	}
	return ids
}
