package salesforce_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govalues/money"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/salesforce"
)

// counting counts the requests a client sends.
func counting(n *atomic.Int64) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			n.Add(1)
			return next.RoundTrip(r)
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func sale(orderID string) crm.Sale {
	total := money.MustParseAmount("EUR", "249.90")
	return crm.Sale{
		Contact: crm.Contact{Email: "Ada@Example.com", FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines"},
		Deal:    crm.Deal{Name: "Order " + orderID, Amount: &total, Stage: "closedwon"},
		Note:    &crm.Note{Body: "Order " + orderID + " paid\nTwo engines, express"},
	}
}

// A sale is one Composite call: contact, company, opportunity, its contact
// role and the note, read back exactly; twice under one key, one of each.
func TestRecordSaleOneCall(t *testing.T) {
	var calls atomic.Int64
	srv, client := sandbox(t, counting(&calls), salesforce.Config{})
	var recorder crm.SaleRecorder = client // the order flow type-asserts the client
	ctx := context.Background()
	key := connector.WithIdempotencyKey(connector.DeriveKey("order", "1001", "crm"))
	for range 2 {
		calls.Store(0)
		rec, err := recorder.RecordSale(ctx, sale("1001"), key)
		require.NoError(t, err)
		assert.EqualValues(t, 1, calls.Load(), "calls for one sale")
		require.NotNil(t, rec.Deal.Amount)
		eq, _ := rec.Deal.Amount.Equal(money.MustParseAmount("EUR", "249.90"))
		assert.True(t, eq, "amount %v", rec.Deal.Amount)
		assert.Equal(t, "closedwon", rec.Deal.Stage)
		assert.Equal(t, "Ada@Example.com", rec.Contact.Email)
		assert.Equal(t, "Analytical Engines", rec.Contact.Company)
		require.NotNil(t, rec.Note)
		assert.NotEmpty(t, rec.Note.ID)
	}
	for object, want := range map[string]int{"Contact": 1, "Account": 1, "Opportunity": 1, "OpportunityContactRole": 1, "Task": 1} {
		assert.Equal(t, want, srv.Count(object), object)
	}
	var deals []string
	for ref, err := range client.Associations.Associated(ctx, crm.Ref{Type: crm.ContactObject, ID: mustFind(t, client, "ada@example.com")}, crm.DealObject) {
		require.NoError(t, err)
		deals = append(deals, ref.ID)
	}
	assert.Len(t, deals, 1, "the contact's opportunities")
}

func mustFind(t *testing.T, client *salesforce.Client, email string) string {
	c, err := client.Contacts.FindByEmail(context.Background(), email)
	require.NoError(t, err)
	return c.ID
}

// Salesforce commits the composite and the answer is lost: the client
// sends it again (every part is an upsert) and the org holds one contact,
// one opportunity and one note.
func TestRecordSaleLostAnswerAfterCommit(t *testing.T) {
	var calls atomic.Int64
	srv, client := sandbox(t, counting(&calls), salesforce.Config{})
	srv.LoseNextAnswers(1)
	rec, err := client.RecordSale(context.Background(), sale("1002"), connector.WithIdempotencyKey(connector.DeriveKey("order", "1002", "crm")))
	require.NoError(t, err)
	assert.EqualValues(t, 2, calls.Load(), "the composite, then its replay")
	assert.NotEmpty(t, rec.Deal.ID)
	for _, object := range []string{"Contact", "Opportunity", "Task", "OpportunityContactRole"} {
		assert.Equal(t, 1, srv.Count(object), object)
	}
}

// allOrNone: a part that fails rolls the others back, and the error is
// that part's, typed.
func TestRecordSaleAllOrNone(t *testing.T) {
	srv, client := sandbox(t, nil, salesforce.Config{})
	s := sale("1003")
	s.Deal.Stage = "no-such-stage"
	_, err := client.RecordSale(context.Background(), s, connector.WithIdempotencyKey("k-1003"))
	require.ErrorIs(t, err, connector.ErrValidation)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", apiErr.Code)
	assert.Contains(t, apiErr.Op, "deal")
	for _, object := range []string{"Contact", "Account", "Opportunity", "Task"} {
		assert.Equal(t, 0, srv.Count(object), "%s after a rolled-back sale", object)
	}
	_, err = client.RecordSale(context.Background(), sale("1004"))
	assert.ErrorIs(t, err, connector.ErrValidation, "a sale without a key")
}

// A new contact without a last name: Salesforce requires one, so the sale
// is sent again with the email's local part.
func TestRecordSaleWithoutLastName(t *testing.T) {
	srv, client := sandbox(t, nil, salesforce.Config{})
	s := sale("1005")
	s.Contact.LastName, s.Contact.Company, s.Note = "", "", nil
	rec, err := client.RecordSale(context.Background(), s, connector.WithIdempotencyKey("k-1005"))
	require.NoError(t, err)
	assert.Equal(t, "Ada", rec.Contact.LastName)
	assert.Nil(t, rec.Note)
	assert.Equal(t, 0, srv.Count("Task"))
}

// An org without the External ID field: the error says which field to
// create, for the upserts and the composite.
func TestMissingExternalIDField(t *testing.T) {
	_, client := sandbox(t, nil, salesforce.Config{}, salesforcetestWithout())
	ctx := context.Background()
	_, err := client.Contacts.Upsert(ctx, crm.Contact{Email: "a@example.com", LastName: "A"})
	require.ErrorIs(t, err, connector.ErrValidation)
	assert.Contains(t, err.Error(), "create it (Text(255), External ID, Unique)")
	assert.Contains(t, err.Error(), "Patchbay_Key__c on Contact")
	_, err = client.RecordSale(ctx, sale("1006"), connector.WithIdempotencyKey("k-1006"))
	require.ErrorIs(t, err, connector.ErrValidation)
	assert.Contains(t, err.Error(), "Patchbay_Key__c")
	_, err = client.Contacts.Create(ctx, crm.Contact{Email: "b@example.com"})
	require.ErrorIs(t, err, connector.ErrValidation)
	assert.Contains(t, err.Error(), "External ID")
}

// Several records hold the key (the field is not Unique): 300 Multiple
// Choices, a conflict that says so, and nothing changed.
func TestUpsertMultipleChoices(t *testing.T) {
	srv, client := sandbox(t, nil, salesforce.Config{})
	ctx := context.Background()
	srv.AddDuplicateKey("Opportunity", "k-dup", map[string]string{"Name": "A", "StageName": "Closed Won", "CloseDate": "2026-01-01"})
	srv.AddDuplicateKey("Opportunity", "k-dup", map[string]string{"Name": "B", "StageName": "Closed Won", "CloseDate": "2026-01-01"})
	_, err := client.Deals.Upsert(ctx, crm.Deal{Name: "C"}, connector.WithIdempotencyKey("k-dup"))
	require.ErrorIs(t, err, connector.ErrConflict)
	assert.Contains(t, err.Error(), "2 Opportunity records hold the same Patchbay_Key__c value")
	s := sale("1007")
	_, err = client.RecordSale(ctx, s, connector.WithIdempotencyKey("k-dup"))
	require.ErrorIs(t, err, connector.ErrConflict)
	assert.Contains(t, err.Error(), "several Opportunity records")
	assert.Equal(t, 0, srv.Count("Contact"), "the composite was rolled back")
}

// A keyed create whose answer is lost is sent again and finds the first.
func TestKeyedCreateLostAnswer(t *testing.T) {
	srv, client := sandbox(t, nil, salesforce.Config{})
	ctx := context.Background()
	srv.LoseNextAnswers(1)
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "lost@example.com"}, connector.WithIdempotencyKey("k-lost"))
	require.NoError(t, err)
	assert.Equal(t, "lost@example.com", c.Email)
	assert.Equal(t, 1, srv.Count("Contact"))

	srv.LoseNextAnswers(1)
	_, err = client.Contacts.Create(ctx, crm.Contact{Email: "keyless@example.com"})
	assert.ErrorIs(t, err, connector.ErrOutcomeUnknown, "a keyless create is not sent twice")

	srv.LoseNextAnswers(1)
	n, err := client.Notes.Add(ctx, crm.Note{Body: "hello", About: []crm.Ref{{Type: crm.ContactObject, ID: c.ID}}}, connector.WithIdempotencyKey("k-note"))
	require.NoError(t, err)
	again, err := client.Notes.Add(ctx, crm.Note{Body: "hello", About: []crm.Ref{{Type: crm.ContactObject, ID: c.ID}}}, connector.WithIdempotencyKey("k-note"))
	require.NoError(t, err)
	assert.Equal(t, n.ID, again.ID)
	assert.Equal(t, 1, srv.Count("Task"), "one note per key")
}

// getDeleted lists what was deleted in the window.
func TestDeleted(t *testing.T) {
	srv, client := sandbox(t, nil, salesforce.Config{})
	ctx := context.Background()
	start := srv.Now()
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "gone@example.com"})
	require.NoError(t, err)
	require.NoError(t, client.Contacts.Delete(ctx, c.ID))
	srv.Advance(time.Minute)
	got, err := client.Contacts.Deleted(ctx, start, srv.Now())
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, c.ID, got[0].ID)
	assert.False(t, got[0].DeletedDate.IsZero())
	_, err = client.Contacts.Get(ctx, c.ID)
	var apiErr *connector.APIError
	require.True(t, errors.As(err, &apiErr) && errors.Is(err, connector.ErrNotFound), "Get of a deleted contact: %v", err)
}

// A single-currency org: amounts in its currency, others refused before
// sending.
func TestSingleCurrencyOrg(t *testing.T) {
	_, client := sandbox(t, nil, salesforce.Config{Currency: "GBP"}, salesforcetestSingle())
	ctx := context.Background()
	gbp := money.MustParseAmount("GBP", "10.05")
	d, err := client.Deals.Create(ctx, crm.Deal{Name: "Pounds", Amount: &gbp, Stage: "closedwon"})
	require.NoError(t, err)
	assert.Equal(t, "GBP", d.Amount.Curr().Code())
	eur := money.MustParseAmount("EUR", "10.05")
	_, err = client.Deals.Create(ctx, crm.Deal{Name: "Euros", Amount: &eur, Stage: "closedwon"})
	require.ErrorIs(t, err, connector.ErrValidation)
	assert.Contains(t, err.Error(), "keeps amounts in GBP only")
}

func noteOn(contactID string) crm.Note {
	return crm.Note{Body: "hello", About: []crm.Ref{{Type: crm.ContactObject, ID: contactID}}}
}
