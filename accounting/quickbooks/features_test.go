package quickbooks_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
)

func newCustomer(t *testing.T, c *quickbooks.Client, email string) *accounting.Customer {
	t.Helper()
	got, err := c.Customers.Create(context.Background(), accounting.Customer{Name: "Customer " + email, Email: email})
	require.NoError(t, err)
	return got
}

func oneLine(customerID, ref string) accounting.Invoice {
	return accounting.Invoice{CustomerID: customerID, Currency: quickbookstest.Currency, Reference: ref,
		Lines: []accounting.Line{{Description: "Widget", Quantity: mustDec("2"), UnitPrice: mustAmount("19.99"),
			AccountCode: quickbookstest.SalesAccount, TaxCode: quickbookstest.TaxCode}}}
}

// A keyed write whose answer is lost after QuickBooks committed it is sent
// again with the same requestid, and QuickBooks answers with the first
// invoice: one invoice.
func TestLostAnswerAfterCommitMakesOneInvoice(t *testing.T) {
	srv, client := sandbox(t, nil)
	c := newCustomer(t, client, "lost@example.com")
	srv.LoseNextAnswers(1)
	inv, err := client.Invoices.Create(context.Background(), oneLine(c.ID, "ORDER-LOST"),
		connector.WithIdempotencyKey(connector.DeriveKey("order", "LOST", "invoice")))
	require.NoError(t, err)
	assert.Equal(t, "ORDER-LOST", inv.Reference)
	assert.Equal(t, 1, srv.InvoiceCount(), "the retry made a second invoice")
}

// Without the caller's key the client still keys the write itself.
func TestLostAnswerWithoutKeyIsRetriedSafely(t *testing.T) {
	srv, client := sandbox(t, nil)
	c := newCustomer(t, client, "lost2@example.com")
	srv.LoseNextAnswers(1)
	_, err := client.Invoices.Create(context.Background(), oneLine(c.ID, "ORDER-LOST2"))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.InvoiceCount())
}

// An update carrying a SyncToken that moved on is ErrConflict.
func TestStaleSyncTokenIsConflict(t *testing.T) {
	srv, client := sandbox(t, nil)
	c := newCustomer(t, client, "stale@example.com")
	inv, err := client.Invoices.Create(context.Background(), oneLine(c.ID, "ORDER-STALE"))
	require.NoError(t, err)
	var touched bool
	// Change the invoice between the client's read and its void.
	srv2 := srv
	ctx := context.Background()
	tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost && !touched {
			touched = srv2.Touch(inv.ID)
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	_, racing := sandboxOn(t, srv, tr)
	_, err = racing.Invoices.Void(ctx, inv.ID)
	require.ErrorIs(t, err, connector.ErrConflict)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Code, "5010")
	got, err := client.Invoices.Get(ctx, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, accounting.InvoiceOpen, got.Status)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func sandboxOn(t *testing.T, srv *quickbookstest.Server, tr http.RoundTripper) (*quickbookstest.Server, *quickbooks.Client) {
	t.Helper()
	client, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: srv.Auth(), RealmID: srv.RealmID(), HomeCurrency: quickbookstest.Currency},
		connector.WithHTTPClient(&http.Client{Transport: tr}), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	return srv, client
}

// Another company's realm is refused with 403 (ErrForbidden); every
// request carries the pinned minorversion.
func TestRealmAndMinorVersion(t *testing.T) {
	srv, client := sandbox(t, nil)
	c := newCustomer(t, client, "realm@example.com")
	other, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: srv.Auth(), RealmID: "123"}, connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = other.Customers.Get(context.Background(), c.ID)
	require.ErrorIs(t, err, connector.ErrForbidden)
	require.NoError(t, client.Invoices.Send(context.Background(), mustInvoice(t, client, c.ID).ID))
	assert.Zero(t, srv.RequestsWithoutMinorVersion())
	assert.Positive(t, srv.Requests())
}

func mustInvoice(t *testing.T, c *quickbooks.Client, customerID string) *accounting.Invoice {
	t.Helper()
	inv, err := c.Invoices.Create(context.Background(), oneLine(customerID, "ORDER-SEND"))
	require.NoError(t, err)
	return inv
}

// A sentinel credential never reaches an error or a log line, even when
// Intuit's answers echo it back.
func TestSecretNeverLeaks(t *testing.T) {
	const sentinel = "at-SENTINEL-3c9e51b7a2d4"
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: `{"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token ` + sentinel + ` expired","code":"3200"}],"type":"AUTHENTICATION"}}`},
		connectortest.Fault{Status: 400, Body: `{"Fault":{"Error":[{"Message":"Duplicate Name Exists Error","Detail":"Bearer ` + sentinel + `","code":"6240"}],"type":"ValidationFault"}}`},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "down; token " + sentinel},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL, Auth: connector.Bearer(sentinel), RealmID: "4620816365"},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = client.Customers.Get(ctx, "1")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Customers.Create(ctx, accounting.Customer{Name: "Ada"})
	assert.ErrorIs(t, err, connector.ErrConflict)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Invoices.Get(ctx, "1")
	assert.ErrorIs(t, err, connector.ErrUnavailable)
	connectortest.CheckNoSecret(t, err, sentinel)
	require.Equal(t, 3, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, "Bearer "+sentinel, r.Header.Get("Authorization"), "the credential was not sent: the test proves nothing")
	}
	assert.NotContains(t, logs.String(), sentinel)
}

// The verifier token, the refresh token and the client secret of the
// sandbox's OAuth app never reach a log line either.
func TestOAuthSecretsNeverLogged(t *testing.T) {
	srv := quickbookstest.NewServer()
	defer srv.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: srv.Auth(), RealmID: srv.RealmID()}, connector.WithLogger(logger))
	require.NoError(t, err)
	_, err = client.Customers.Get(context.Background(), "404")
	require.ErrorIs(t, err, connector.ErrNotFound)
	for _, secret := range []string{srv.Provider.ClientSecret, srv.WebhookSecret()} {
		assert.NotContains(t, logs.String(), secret)
		connectortest.CheckNoSecret(t, err, secret)
	}
}

func TestWebhookContract(t *testing.T) {
	for name, body := range map[string]string{
		"CloudEvents": `[{"specversion":"1.0","id":"88cd52aa-33b6-4351-9aa4-47572edbd068","source":"intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",` +
			`"type":"qbo.invoice.created.v1","datacontenttype":"application/json","time":"2026-09-10T21:31:25.179851517Z","intuitentityid":"1234","intuitaccountid":"310687","data":{}}]`,
		"eventNotifications": `{"eventNotifications":[{"realmId":"310687","dataChangeEvent":{"entities":[{"id":"1234","operation":"Create","name":"Invoice","lastUpdated":"2026-09-08T20:52:31.657Z"}]}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			webhooktest.Run(t, webhooktest.Vendor[quickbooks.Payload]{NewHandler: quickbooks.NewWebhookHandler, Sign: quickbooks.SignWebhook,
				Body: []byte(body), SignsBody: true})
		})
	}
}

// Both formats from the sandbox: typed, each event once, a replay dropped,
// a tampered body refused.
func TestWebhookDelivery(t *testing.T) {
	srv := quickbookstest.NewServer()
	defer srv.Close()
	rec := &webhooktest.Recorder[quickbooks.Payload]{}
	h, err := quickbooks.NewWebhookHandler(webhook.Config{Secrets: []string{srv.WebhookSecret()}}, rec.Handle)
	require.NoError(t, err)
	recv := httptest.NewServer(h)
	defer recv.Close()
	ctx := context.Background()
	created := srv.WebhookEvent("Invoice", "Create", "130")
	srv.Advance(time.Second)
	voided := srv.WebhookEvent("Invoice", "Void", "130")
	cust := srv.WebhookEvent("Customer", "Update", "58")
	for _, body := range [][]byte{quickbookstest.CloudEventsBody(created, voided), quickbookstest.CloudEventsBody(created),
		quickbookstest.NotificationsBody(cust), quickbookstest.NotificationsBody(cust)} {
		status, err := srv.SendWebhook(ctx, recv.URL, body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status)
	}
	got := rec.Events()
	require.Len(t, got, 3, "each event once")
	assert.Equal(t, webhook.InvoiceCreated, got[0].Kind)
	assert.Equal(t, "qbo.invoice.created.v1", got[0].Type)
	assert.Equal(t, created.ID, got[0].ID)
	assert.Equal(t, quickbooks.Payload{RealmID: srv.RealmID(), Entity: "Invoice", EntityID: "130", Operation: "Create",
		Source: created.Payload.Source, SpecVersion: "1.0"}, got[0].Payload)
	assert.Equal(t, webhook.InvoiceVoided, got[1].Kind)
	assert.Equal(t, webhook.CustomerUpdated, got[2].Kind)
	assert.Equal(t, "Customer.Update", got[2].Type)
	assert.Equal(t, "58", got[2].Payload.EntityID)

	body := quickbookstest.CloudEventsBody(srv.WebhookEvent("Payment", "Create", "9"))
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	quickbooks.SignWebhook(r, body, srv.WebhookSecret(), time.Now())
	assert.NoError(t, quickbooks.VerifyWebhook(r, body, webhook.Config{Secrets: []string{srv.WebhookSecret()}}))
	tampered := bytes.Replace(body, []byte(`"9"`), []byte(`"8"`), 1)
	assert.ErrorIs(t, quickbooks.VerifyWebhook(r, tampered, webhook.Config{Secrets: []string{srv.WebhookSecret()}}), webhook.ErrSignatureInvalid)
}
