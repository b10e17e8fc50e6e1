package crmtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

func testCompanies(t *testing.T, h Harness) {
	ctx := context.Background()
	created, err := h.Companies.Create(ctx, crm.Company{Name: "Analytical Engines", Domain: "engines.example"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Companies.Get(ctx, created.ID)
	if err != nil || got.Name != "Analytical Engines" || got.Domain != "engines.example" || len(got.Raw) == 0 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	byDomain, err := h.Companies.FindByDomain(ctx, "engines.example")
	if err != nil || byDomain.ID != created.ID {
		t.Fatalf("FindByDomain = %v, %v; want %s", byDomain, err, created.ID)
	}
	up1, err := h.Companies.Upsert(ctx, crm.Company{Name: "Difference Engines", Domain: "difference.example"})
	if err != nil {
		t.Fatal(err)
	}
	up2, err := h.Companies.Upsert(ctx, crm.Company{Name: "Difference Engines Ltd", Domain: "difference.example"})
	if err != nil || up2.ID != up1.ID || up2.Name != "Difference Engines Ltd" {
		t.Fatalf("second upsert = %+v, %v; want %s renamed", up2, err, up1.ID)
	}
	key := connector.DeriveKey("order", "2001", "company")
	k1, err := h.Companies.Create(ctx, crm.Company{Name: "Keyed Co"}, connector.WithIdempotencyKey(key))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := h.Companies.Create(ctx, crm.Company{Name: "Keyed Co"}, connector.WithIdempotencyKey(key))
	if err != nil || k2.ID != k1.ID {
		t.Fatalf("keyed create twice gave %s and %v (%v)", k1.ID, k2, err)
	}
	n := 0
	for _, err := range h.Companies.List(ctx, crm.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 3 {
		t.Fatalf("%d companies, want 3", n)
	}
	if err := h.Companies.Delete(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Companies.Get(ctx, created.ID); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if _, err := h.Companies.FindByDomain(ctx, "nobody.example"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("FindByDomain of an unknown domain: err = %v, want ErrNotFound", err)
	}
}

func testDeals(t *testing.T, h Harness) {
	ctx := context.Background()
	amount := money.MustParseAmount("EUR", "1234.56")
	closeDate := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	deal := crm.Deal{Name: "Order 1001", Amount: &amount, Stage: "closedwon", Pipeline: "default", CloseDate: closeDate}
	key := connector.DeriveKey("order", "1001", "crm-deal")

	first, err := h.Deals.Create(ctx, deal, connector.WithIdempotencyKey(key))
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.Deals.Create(ctx, deal, connector.WithIdempotencyKey(key))
	if err != nil || second.ID != first.ID {
		t.Fatalf("keyed create twice gave %s and %v (%v): want one deal", first.ID, second, err)
	}
	got, err := h.Deals.Get(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Amount == nil {
		t.Fatalf("amount lost: %+v", got)
	}
	if eq, err := got.Amount.Equal(amount); err != nil || !eq || got.Amount.Curr().Code() != "EUR" {
		t.Fatalf("amount = %v, want exactly %v", got.Amount, amount)
	}
	if got.Name != deal.Name || got.Stage != "closedwon" || !got.CloseDate.Equal(closeDate) {
		t.Fatalf("deal = %+v, want the fields created", got)
	}
	if _, err := h.Deals.Create(ctx, crm.Deal{Name: "Other", Stage: "closedwon"}, connector.WithIdempotencyKey(connector.DeriveKey("order", "1002", "crm-deal"))); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range h.Deals.List(ctx, crm.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d deals, want 2: one per key", n)
	}
	more := money.MustParseAmount("EUR", "1300.00")
	upserted, err := h.Deals.Upsert(ctx, crm.Deal{Name: "Order 1001", Amount: &more, Stage: "closedwon"}, connector.WithIdempotencyKey(key))
	if err != nil || upserted.ID != first.ID {
		t.Fatalf("upsert under the same key = %v, %v; want deal %s updated", upserted, err, first.ID)
	}
	if eq, _ := upserted.Amount.Equal(more); !eq {
		t.Fatalf("upserted amount = %v, want %v", upserted.Amount, more)
	}
	if _, err := h.Deals.Upsert(ctx, crm.Deal{Name: "No key"}); !errors.Is(err, connector.ErrValidation) {
		t.Fatalf("upsert without a key: err = %v, want ErrValidation", err)
	}
	updated, err := h.Deals.Update(ctx, first.ID, crm.Deal{Stage: "closedlost"})
	if err != nil || updated.Stage != "closedlost" {
		t.Fatalf("Update = %+v, %v", updated, err)
	}
	if _, err := h.Deals.Create(ctx, crm.Deal{Name: "Bad stage", Stage: "no-such-stage", Pipeline: "default"}); !errors.Is(err, connector.ErrValidation) {
		t.Fatalf("unknown stage: err = %v, want ErrValidation", err)
	}
	if err := h.Deals.Delete(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Deals.Get(ctx, first.ID); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
}

// A deal created with its contact, twice under one key: one deal, linked
// to the contact once.
func testDealWithContact(t *testing.T, h Harness) {
	ctx := context.Background()
	c, err := h.Contacts.Create(ctx, crm.Contact{Email: "linked@example.com", FirstName: "Linked"})
	if err != nil {
		t.Fatal(err)
	}
	d := crm.Deal{Name: "Order L1", Stage: "closedwon", Pipeline: "default", Associations: []crm.Ref{{Type: crm.ContactObject, ID: c.ID}}}
	key := connector.WithIdempotencyKey(connector.DeriveKey("order", "L1", "deal"))
	first, err := h.Deals.Create(ctx, d, key)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.Deals.Create(ctx, d, key)
	if err != nil || again.ID != first.ID {
		t.Fatalf("second create = %v, %v; want deal %s", again, err, first.ID)
	}
	var deals []string
	for ref, err := range h.Associations.Associated(ctx, crm.Ref{Type: crm.ContactObject, ID: c.ID}, crm.DealObject) {
		if err != nil {
			t.Fatal(err)
		}
		deals = append(deals, ref.ID)
	}
	if len(deals) != 1 || deals[0] != first.ID {
		t.Fatalf("the contact's deals: %v, want [%s]", deals, first.ID)
	}
}

func testAssociations(t *testing.T, h Harness) {
	ctx := context.Background()
	contact, err := h.Contacts.Create(ctx, crm.Contact{Email: "linked@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	company, err := h.Companies.Create(ctx, crm.Company{Name: "Linked Co", Domain: "linked.example"})
	if err != nil {
		t.Fatal(err)
	}
	deal, err := h.Deals.Create(ctx, crm.Deal{Name: "Linked deal", Stage: "closedwon"})
	if err != nil {
		t.Fatal(err)
	}
	c := crm.Ref{Type: crm.ContactObject, ID: contact.ID}
	co := crm.Ref{Type: crm.CompanyObject, ID: company.ID}
	d := crm.Ref{Type: crm.DealObject, ID: deal.ID}
	for _, pair := range [][2]crm.Ref{{c, co}, {c, co}, {d, c}, {d, co}} { // the first twice: idempotent
		if err := h.Associations.Associate(ctx, pair[0], pair[1]); err != nil {
			t.Fatal(err)
		}
	}
	linked := func(from crm.Ref, to crm.ObjectType) []string {
		var ids []string
		for ref, err := range h.Associations.Associated(ctx, from, to) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ref.ID)
		}
		return ids
	}
	if got := linked(c, crm.CompanyObject); len(got) != 1 || got[0] != company.ID {
		t.Fatalf("contact's companies = %v, want [%s] once", got, company.ID)
	}
	if got := linked(co, crm.ContactObject); len(got) != 1 || got[0] != contact.ID {
		t.Fatalf("company's contacts = %v, want [%s]: associations go both ways", got, contact.ID)
	}
	if got := linked(c, crm.DealObject); len(got) != 1 || got[0] != deal.ID {
		t.Fatalf("contact's deals = %v, want [%s]", got, deal.ID)
	}
	if err := h.Associations.Dissociate(ctx, c, co); err != nil {
		t.Fatal(err)
	}
	if got := linked(c, crm.CompanyObject); len(got) != 0 {
		t.Fatalf("after Dissociate: %v", got)
	}
	if err := h.Associations.Associate(ctx, c, crm.Ref{Type: crm.CompanyObject, ID: "987654321"}); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("associating with a missing company: err = %v, want ErrNotFound", err)
	}
}
