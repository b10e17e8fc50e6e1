package hubspot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/internal/spec"
)

// loseFirstNote forwards the first note create and then loses its answer,
// as a connection reset after HubSpot committed would.
type loseFirstNote struct {
	next http.RoundTripper
	lost atomic.Bool
}

func (l *loseFirstNote) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && r.URL.Path == "/crm/v3/objects/notes" && l.lost.CompareAndSwap(false, true) {
		resp.Body.Close()
		return nil, syscall.ECONNRESET
	}
	return resp, err
}

func TestNotesKeyedOnceThroughLostAnswer(t *testing.T) {
	ctx := context.Background()
	srv, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper { return &loseFirstNote{next: next} }, hubspot.Config{})
	contact, err := client.Contacts.Create(ctx, crm.Contact{Email: "ada@example.com", FirstName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	about := []crm.Ref{{Type: crm.ContactObject, ID: contact.ID}}
	key := connector.WithIdempotencyKey("order-1001-notify")
	first, err := client.Notes.Add(ctx, crm.Note{Body: "Order 1001 shipped", About: about}, key)
	if err != nil {
		t.Fatal(err)
	}
	again, err := client.Notes.Add(ctx, crm.Note{Body: "Order 1001 shipped", About: about}, key)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != again.ID || first.Body != "Order 1001 shipped" || again.Body != first.Body {
		t.Fatalf("first %+v, again %+v", first, again)
	}
	if n := srv.Count("notes"); n != 1 {
		t.Fatalf("%d notes for one key, want 1", n)
	}
	var linked []string
	for ref, err := range client.Associations.Associated(ctx, about[0], crm.NoteObject) {
		if err != nil {
			t.Fatal(err)
		}
		linked = append(linked, ref.ID)
	}
	if len(linked) != 1 || linked[0] != first.ID {
		t.Fatalf("contact's notes %v, want [%s]", linked, first.ID)
	}
	// Another key on the same contact is another note.
	if _, err := client.Notes.Add(ctx, crm.Note{Body: "Order 1002 shipped", About: about}, connector.WithIdempotencyKey("order-1002-notify")); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("notes"); n != 2 {
		t.Fatalf("%d notes, want 2", n)
	}
}

func TestNotesRefuseBadInput(t *testing.T) {
	_, client := sandbox(t, nil, hubspot.Config{})
	ctx := context.Background()
	for name, n := range map[string]crm.Note{
		"no body":      {About: []crm.Ref{{Type: crm.ContactObject, ID: "1"}}},
		"unknown type": {Body: "x", About: []crm.Ref{{Type: "ticket", ID: "1"}}},
	} {
		if _, err := client.Notes.Add(ctx, n); !errors.Is(err, connector.ErrValidation) {
			t.Errorf("%s: %v, want ErrValidation", name, err)
		}
	}
	// A record that does not exist is HubSpot's 400.
	_, err := client.Notes.Add(ctx, crm.Note{Body: "x", About: []crm.Ref{{Type: crm.ContactObject, ID: "999"}}})
	if !errors.Is(err, connector.ErrValidation) || !strings.Contains(err.Error(), "999") {
		t.Errorf("missing contact: %v", err)
	}
}

// Notes calls against HubSpot's generic objects and associations specs.
func TestConformanceNotes(t *testing.T) {
	specs := []*spec.OpenAPI{
		spec.LoadOpenAPI(t, "hubspot/crm-objects.v3.json", hubspotExceptions...),
		spec.LoadOpenAPI(t, "hubspot/crm-associations.v4.json", hubspotExceptions...),
		spec.LoadOpenAPI(t, "hubspot/crm-contacts.v3.json", hubspotExceptions...),
	}
	_, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper { return spec.Transport(t, next, specs...) }, hubspot.Config{})
	ctx := context.Background()
	contact, err := client.Contacts.Create(ctx, crm.Contact{Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Notes.Add(ctx, crm.Note{Body: "Order shipped", About: []crm.Ref{{Type: crm.ContactObject, ID: contact.ID}}},
		connector.WithIdempotencyKey("k1")); err != nil {
		t.Fatal(err)
	}
}

// loseFirstDeal forwards the first deal create and loses its answer.
type loseFirstDeal struct {
	next http.RoundTripper
	lost atomic.Bool
}

func (l *loseFirstDeal) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && r.URL.Path == "/crm/v3/objects/deals" && l.lost.CompareAndSwap(false, true) {
		resp.Body.Close()
		return nil, syscall.ECONNRESET
	}
	return resp, err
}

// A keyed deal with its contact is one call, and a lost answer or a second
// create with the key still gives one deal, linked once.
func TestKeyedDealWithAssociationsIsOneDeal(t *testing.T) {
	ctx := context.Background()
	srv, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper { return &loseFirstDeal{next: next} }, hubspot.Config{})
	contact, err := client.Contacts.Create(ctx, crm.Contact{Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	d := crm.Deal{Name: "Order 1001", Stage: "closedwon", Pipeline: "default", Associations: []crm.Ref{{Type: crm.ContactObject, ID: contact.ID}}}
	key := connector.WithIdempotencyKey("order-1001-deal")
	first, err := client.Deals.Create(ctx, d, key)
	if err != nil {
		t.Fatal(err)
	}
	again, err := client.Deals.Create(ctx, d, key)
	if err != nil || again.ID != first.ID {
		t.Fatalf("again = %+v, %v; want deal %s", again, err, first.ID)
	}
	if n := srv.Count("deals"); n != 1 {
		t.Fatalf("%d deals, want 1", n)
	}
	var linked []string
	for ref, err := range client.Associations.Associated(ctx, crm.Ref{Type: crm.ContactObject, ID: contact.ID}, crm.DealObject) {
		if err != nil {
			t.Fatal(err)
		}
		linked = append(linked, ref.ID)
	}
	if len(linked) != 1 || linked[0] != first.ID {
		t.Fatalf("the contact's deals: %v, want [%s]", linked, first.ID)
	}
	// A fresh key with a contact: one request.
	before := srv.Requests()
	if _, err := client.Deals.Create(ctx, crm.Deal{Name: "Order 1002", Stage: "closedwon", Pipeline: "default", Associations: d.Associations},
		connector.WithIdempotencyKey("order-1002-deal")); err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests() - before; n != 1 {
		t.Fatalf("%d requests for a new keyed deal with its contact, want 1", n)
	}
}
