package pipedrive_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/govalues/money"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/internal/spec"
)

// A keyed create whose answer is lost after Pipedrive committed it still
// ends with one record: the client looks the key up again and finds it.
func TestLostAnswerAfterCommitOneRecord(t *testing.T) {
	ctx := context.Background()
	srv, client := sandbox(t, nil)
	key := func(s string) connector.CallOption {
		return connector.WithIdempotencyKey(connector.DeriveKey("order", s))
	}

	srv.LoseNextAnswers(1)
	d, err := client.Deals.Create(ctx, crm.Deal{Name: "Order 1"}, key("1"))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count("deals"), "deals after a lost answer")
	again, err := client.Deals.Create(ctx, crm.Deal{Name: "Order 1"}, key("1"))
	require.NoError(t, err)
	assert.Equal(t, d.ID, again.ID)

	srv.LoseNextAnswers(1)
	_, err = client.Companies.Create(ctx, crm.Company{Name: "Lost Co"}, key("2"))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count("organizations"), "organizations after a lost answer")

	srv.LoseNextAnswers(1)
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "lost@example.com"}, key("3"))
	require.NoError(t, err)
	assert.Equal(t, "lost@example.com", c.Email)
	assert.Equal(t, 1, srv.Count("persons"), "persons after a lost answer")

	srv.LoseNextAnswers(1)
	n, err := client.Notes.Add(ctx, crm.Note{Body: "Shipped", About: []crm.Ref{{Type: crm.ContactObject, ID: c.ID}}}, key("4"))
	require.NoError(t, err)
	assert.NotEmpty(t, n.ID)
	_, err = client.Notes.Add(ctx, crm.Note{Body: "Shipped", About: []crm.Ref{{Type: crm.ContactObject, ID: c.ID}}}, key("4"))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count("notes"), "notes after a lost answer and a retry")

	// Without a key, a lost answer is not sent again blindly.
	srv.LoseNextAnswers(1)
	_, err = client.Deals.Create(ctx, crm.Deal{Name: "Keyless"})
	assert.ErrorIs(t, err, connector.ErrOutcomeUnknown)
}

// Custom fields are reached by the name the user gave them, whatever
// Pipedrive's hash; an unknown name is a validation error.
func TestCustomFieldsByName(t *testing.T) {
	ctx := context.Background()
	srv, client := sandbox(t, nil)
	hash := srv.AddCustomField("deals", "Order source", "varchar")
	amount := money.MustParseAmount("EUR", "10.10")
	d, err := client.Deals.Create(ctx, crm.Deal{Name: "Web order", Amount: &amount, Properties: map[string]string{"Order source": "web"}})
	require.NoError(t, err)
	assert.Contains(t, string(d.Raw), `"`+hash+`":"web"`, "written under the field's hash")
	got, err := client.Deals.Get(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, "web", got.Properties["Order source"], "read back by name")
	_, err = client.Deals.Update(ctx, d.ID, crm.Deal{Properties: map[string]string{"No such field": "x"}})
	assert.ErrorIs(t, err, connector.ErrValidation)

	pc := srv.AddCustomField("persons", "Loyalty tier", "varchar")
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "tier@example.com", Properties: map[string]string{"loyalty tier": "gold"}})
	require.NoError(t, err)
	assert.Equal(t, "gold", c.Properties["Loyalty tier"])
	assert.Contains(t, string(c.Raw), pc)
}

// Notes go through API v1, validated against its spec.
func TestConformanceNotes(t *testing.T) {
	specs := pipedriveSpecs(t)
	ctx := context.Background()
	srv, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper { return spec.Transport(t, next, specs...) })
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "noted@example.com", FirstName: "Noted"})
	require.NoError(t, err)
	key := connector.WithIdempotencyKey(connector.DeriveKey("note", "1"))
	n1, err := client.Notes.Add(ctx, crm.Note{Body: "Order shipped", About: []crm.Ref{{Type: crm.ContactObject, ID: c.ID}}}, key)
	require.NoError(t, err)
	n2, err := client.Notes.Add(ctx, crm.Note{Body: "Order shipped", About: []crm.Ref{{Type: crm.ContactObject, ID: c.ID}}}, key)
	require.NoError(t, err)
	assert.Equal(t, n1.ID, n2.ID, "a keyed note twice")
	assert.Equal(t, 1, srv.Count("notes"))
}
