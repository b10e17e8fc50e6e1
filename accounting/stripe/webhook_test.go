package stripe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
)

// types lists the events' Stripe types, in order.
func types(events []stripe.Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Type)
	}
	return out
}

// invoicePaid is an invoice.paid event as Stripe posts it.
const invoicePaid = `{"id":"evt_1QyZ2bLkdIwHu7ix0x5mT8bN","object":"event","api_version":"2026-08-26.dahlia","created":1800000000,` +
	`"data":{"object":{"id":"in_1QyZ2aLkdIwHu7ixq1AbCdEf","object":"invoice","amount_due":1250,"amount_paid":1250,"amount_remaining":0,` +
	`"currency":"usd","customer":"cus_RsT9uVwXyZ0123","number":"A1B2C3D4-0001","paid":true,"status":"paid"}},` +
	`"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"invoice.paid"}`

// Stripe's webhooks pass the contract every vendor's do.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[stripe.Payload]{
		NewHandler: stripe.NewWebhookHandler,
		Sign:       stripe.SignWebhook,
		Body:       []byte(invoicePaid),
		SignsBody:  true,
		SignsTime:  true,
	})
}

// Webhooks from the sandbox, through the handler: signed, verified, each
// event handled once even when delivered twice, in the neutral kinds, and
// their objects decode.
func TestWebhooksFromSandbox(t *testing.T) {
	srv, c := sandbox(t, nil)
	ctx := context.Background()
	rec := &webhooktest.Recorder[stripe.Payload]{}
	// During a rotation the endpoint accepts its old secret and the new.
	h, err := stripe.NewWebhookHandler(webhook.Config{Secrets: []string{"whsec_new", srv.WebhookSecret()}}, rec.Handle)
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	defer hook.Close()

	cust, err := c.Customers.Create(ctx, accounting.Customer{Name: "Ada", Email: "ada@example.com"})
	require.NoError(t, err)
	inv, err := c.Invoices.Create(ctx, accounting.Invoice{CustomerID: cust.ID, Currency: "USD", Reference: "W1",
		Lines: []accounting.Line{{Description: "mug", Quantity: decimal.One, UnitPrice: money.MustParseAmount("USD", "12.50")}}})
	require.NoError(t, err)
	_, err = c.Payments.Record(ctx, accounting.Payment{InvoiceID: inv.ID, Amount: inv.AmountDue})
	require.NoError(t, err)

	for range 2 { // the second delivery is a redelivery
		statuses, err := srv.SendRecordedEvents(ctx, hook.URL, "invoice.paid")
		require.NoError(t, err)
		assert.Equal(t, []int{http.StatusOK}, statuses)
	}
	statuses, err := srv.SendRecordedEvents(ctx, hook.URL, "customer.created")
	require.NoError(t, err)
	assert.Equal(t, []int{http.StatusOK}, statuses)
	events := rec.Events()
	require.Equal(t, []string{"invoice.paid", "customer.created"}, types(events))

	paid := events[0]
	assert.Equal(t, webhook.InvoicePaid, paid.Kind)
	assert.True(t, strings.HasPrefix(paid.ID, "evt_"), paid.ID)
	assert.False(t, paid.OccurredAt.IsZero())
	assert.Equal(t, stripe.APIVersion, paid.Payload.APIVersion)
	got, err := stripe.DecodeInvoice(paid.Payload.Object)
	require.NoError(t, err)
	assert.Equal(t, inv.ID, got.ID)
	assert.Equal(t, accounting.InvoicePaid, got.Status)

	created := events[1]
	assert.Equal(t, webhook.CustomerCreated, created.Kind)
	who, err := stripe.DecodeCustomer(created.Payload.Object)
	require.NoError(t, err)
	assert.Equal(t, "Ada", who.Name)

	// An endpoint whose secret is another one refuses the delivery.
	other, err := stripe.NewWebhookHandler(webhook.Config{Secrets: []string{"whsec_someone_else"}}, rec.Handle)
	require.NoError(t, err)
	otherHook := httptest.NewServer(other)
	defer otherHook.Close()
	statuses, err = srv.SendRecordedEvents(ctx, otherHook.URL, "invoice.finalized")
	require.NoError(t, err)
	assert.Equal(t, []int{http.StatusUnauthorized}, statuses)
	assert.Len(t, rec.Events(), 2)
}

func signed(t *testing.T, body []byte, header string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/hooks/stripe", bytes.NewReader(body))
	r.Header.Set("Stripe-Signature", header)
	return r
}

func sign(body []byte, secret string, at time.Time) string {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	stripe.SignWebhook(r, body, secret, at)
	return r.Header.Get("Stripe-Signature")
}

func TestVerifyWebhook(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1"}}}`)
	now := time.Unix(1_800_000_000, 0)
	good := sign(body, "whsec_a", now)
	other := sign(body, "whsec_b", now)
	both := good + ",v1=" + strings.Split(other, "v1=")[1]
	at := func(t time.Time) func() time.Time { return func() time.Time { return t } }
	cases := []struct {
		name, header string
		cfg          webhook.Config
		want         error
	}{
		{"valid", good, webhook.Config{Secrets: []string{"whsec_a"}, Now: at(now)}, nil},
		{"several v1, one matches", both, webhook.Config{Secrets: []string{"whsec_b"}, Now: at(now)}, nil},
		{"rolled secret", good, webhook.Config{Secrets: []string{"whsec_new", "whsec_a"}, Now: at(now)}, nil},
		{"wrong secret", good, webhook.Config{Secrets: []string{"whsec_x"}, Now: at(now)}, webhook.ErrSignatureInvalid},
		{"empty secret", good, webhook.Config{Secrets: []string{""}, Now: at(now)}, webhook.ErrSignatureInvalid},
		{"too old", good, webhook.Config{Secrets: []string{"whsec_a"}, Now: at(now.Add(301 * time.Second))}, webhook.ErrTimestampStale},
		{"from the future", good, webhook.Config{Secrets: []string{"whsec_a"}, Now: at(now.Add(-301 * time.Second))}, webhook.ErrTimestampStale},
		{"old, within a wider tolerance", good, webhook.Config{Secrets: []string{"whsec_a"}, Tolerance: time.Hour, Now: at(now.Add(30 * time.Minute))}, nil},
		{"within a narrower tolerance", good, webhook.Config{Secrets: []string{"whsec_a"}, Tolerance: time.Minute, Now: at(now.Add(59 * time.Second))}, nil},
		{"past a narrower tolerance", good, webhook.Config{Secrets: []string{"whsec_a"}, Tolerance: time.Minute, Now: at(now.Add(61 * time.Second))}, webhook.ErrTimestampStale},
		{"no t", "v1=" + strings.Split(good, "v1=")[1], webhook.Config{Secrets: []string{"whsec_a"}, Now: at(now)}, webhook.ErrSignatureInvalid},
		{"v0 only", strings.Replace(good, "v1=", "v0=", 1), webhook.Config{Secrets: []string{"whsec_a"}, Now: at(now)}, webhook.ErrSignatureInvalid},
		{"empty", "", webhook.Config{Secrets: []string{"whsec_a"}, Now: at(now)}, webhook.ErrSignatureInvalid},
	}
	for _, c := range cases {
		err := stripe.VerifyWebhook(signed(t, body, c.header), body, c.cfg)
		if c.want == nil {
			assert.NoError(t, err, c.name)
		} else {
			assert.ErrorIs(t, err, c.want, c.name)
		}
	}
	// A body changed after signing fails.
	tampered := append(bytes.Clone(body), ' ')
	assert.ErrorIs(t, stripe.VerifyWebhook(signed(t, tampered, good), tampered, webhook.Config{Secrets: []string{"whsec_a"}, Now: at(now)}), webhook.ErrSignatureInvalid)
	// What the signature is, so that SignWebhook cannot drift from Stripe's
	// scheme together with VerifyWebhook: hex HMAC-SHA256 of "t.body".
	assert.Equal(t, "t=1800000000,v1="+webhook.SignHMAC([]byte("whsec_a"), append([]byte("1800000000."), body...), webhook.Hex), good)
}

// eventBody is a Stripe event of typ about object.
func eventBody(id, typ, object string) []byte {
	return []byte(`{"id":"` + id + `","object":"event","api_version":"2026-08-26.dahlia","created":1800000000,"livemode":false,"type":"` + typ +
		`","data":{"object":` + object + `}}`)
}

// A signed body that is no Stripe event is 400 and handled never: a
// redelivery cannot help. (Signatures, replays, failures:
// TestWebhookContract.)
func TestWebhookNotAnEvent(t *testing.T) {
	const secret = "whsec_handler_test"
	rec := &webhooktest.Recorder[stripe.Payload]{}
	h, err := stripe.NewWebhookHandler(webhook.Config{Secrets: []string{secret}}, rec.Handle)
	require.NoError(t, err)
	notEvent := []byte(`{"id":"in_1","object":"invoice"}`)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, notEvent, sign(notEvent, secret, time.Now())))
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Empty(t, rec.Events())
}

func TestParseWebhookKinds(t *testing.T) {
	invoice := `{"id":"in_1","object":"invoice"}`
	customer := `{"id":"cus_1","object":"customer"}`
	for _, c := range []struct {
		typ, object string
		kind        webhook.Kind
	}{
		{"invoice.created", invoice, webhook.InvoiceCreated},
		{"invoice.finalized", invoice, webhook.InvoiceUpdated},
		{"invoice.updated", invoice, webhook.InvoiceUpdated},
		{"invoice.payment_succeeded", invoice, webhook.InvoiceUpdated},
		{"invoice.paid", invoice, webhook.InvoicePaid},
		{"invoice.voided", invoice, webhook.InvoiceVoided},
		{"invoice.deleted", invoice, webhook.InvoiceVoided},
		{"invoice.upcoming", `{"object":"invoice"}`, webhook.KindOther},
		{"invoice_payment.paid", `{"id":"inpay_1","object":"invoice_payment"}`, webhook.KindOther},
		{"invoiceitem.created", `{"id":"ii_1","object":"invoiceitem"}`, webhook.KindOther},
		{"customer.created", customer, webhook.CustomerCreated},
		{"customer.updated", customer, webhook.CustomerUpdated},
		{"customer.deleted", customer, webhook.CustomerDeleted},
		{"customer.subscription.created", `{"id":"sub_1","object":"subscription"}`, webhook.KindOther},
		{"payment_intent.succeeded", `{"id":"pi_1","object":"payment_intent"}`, webhook.PaymentCreated},
		{"charge.succeeded", `{"id":"ch_1","object":"charge","payment_intent":null}`, webhook.PaymentCreated},
		{"charge.succeeded", `{"id":"ch_2","object":"charge","payment_intent":"pi_1"}`, webhook.KindOther},
		{"payout.paid", `{"id":"po_1","object":"payout"}`, webhook.KindOther},
	} {
		body := eventBody("evt_"+c.typ, c.typ, c.object)
		events, err := stripe.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), body)
		require.NoError(t, err, c.typ)
		require.Len(t, events, 1)
		e := events[0]
		assert.Equal(t, c.kind, e.Kind, "%s %s", c.typ, c.object)
		assert.Equal(t, c.typ, e.Type)
		assert.Equal(t, "evt_"+c.typ, e.ID)
		assert.Equal(t, time.Unix(1_800_000_000, 0).UTC(), e.OccurredAt)
		assert.JSONEq(t, c.object, string(e.Payload.Object))
		assert.Nil(t, e.Payload.PreviousAttributes)
		assert.Equal(t, json.RawMessage(body), e.Raw)
	}
	updated := []byte(`{"id":"evt_9","object":"event","type":"customer.updated","created":1800000000,"livemode":true,"account":"acct_1",` +
		`"data":{"object":{"id":"cus_1","object":"customer","name":"Ada L"},"previous_attributes":{"name":"Ada"}}}`)
	events, err := stripe.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), updated)
	require.NoError(t, err)
	assert.Equal(t, stripe.Payload{Object: json.RawMessage(`{"id":"cus_1","object":"customer","name":"Ada L"}`),
		PreviousAttributes: json.RawMessage(`{"name":"Ada"}`), Livemode: true, Account: "acct_1"}, events[0].Payload)

	for _, bad := range []string{``, `{}`, `{"id":"evt_1","object":"event","type":"invoice.paid"}`, `{"id":"in_1","object":"invoice","type":"x","data":{"object":{}}}`, `[1]`} {
		_, err := stripe.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), []byte(bad))
		assert.ErrorIs(t, err, connector.ErrInvalidResponse, bad)
	}
}

// A Stripe-Signature that carries the endpoint secret itself (a sender
// that pasted it where the signature goes) is refused, and what it
// presented never reaches a log line. (The secret behind the signatures
// the contract sends: TestWebhookContract.)
func TestWebhookPresentedSecretStaysOut(t *testing.T) {
	const sentinel = "whsec_SENTINEL_7f3a"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rec := &webhooktest.Recorder[stripe.Payload]{}
	h, err := stripe.NewWebhookHandler(webhook.Config{Secrets: []string{sentinel}, Logger: logger}, rec.Handle)
	require.NoError(t, err)
	body := eventBody("evt_1", "invoice.paid", `{"id":"in_1","object":"invoice"}`)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, body, "t=1,v1="+sentinel))
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Empty(t, rec.Events())
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	assert.NotContains(t, logs.String(), "SENTINEL")
}
