package stripe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
)

// recorder is a handle that keeps the events it was given.
type recorder struct {
	mu     sync.Mutex
	events []stripe.Event
	fail   int // fail this many calls first
}

func (r *recorder) handle(_ context.Context, e stripe.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return errors.New("database down")
	}
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type)
	}
	return out
}

// Webhooks from the sandbox, through the handler: signed, verified, each
// event handled once even when delivered twice, in the neutral kinds, and
// their objects decode.
func TestWebhooksFromSandbox(t *testing.T) {
	srv, c := sandbox(t, nil)
	ctx := context.Background()
	rec := &recorder{}
	// During a rotation the endpoint accepts its old secret and the new.
	h, err := stripe.NewWebhookHandler(webhook.Config{Secrets: []string{"whsec_new", srv.WebhookSecret()}}, rec.handle)
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
	require.Equal(t, []string{"invoice.paid", "customer.created"}, rec.types())

	paid := rec.events[0]
	assert.Equal(t, webhook.InvoicePaid, paid.Kind)
	assert.True(t, strings.HasPrefix(paid.ID, "evt_"), paid.ID)
	assert.False(t, paid.OccurredAt.IsZero())
	assert.Equal(t, stripe.APIVersion, paid.Payload.APIVersion)
	got, err := stripe.DecodeInvoice(paid.Payload.Object)
	require.NoError(t, err)
	assert.Equal(t, inv.ID, got.ID)
	assert.Equal(t, accounting.InvoicePaid, got.Status)

	created := rec.events[1]
	assert.Equal(t, webhook.CustomerCreated, created.Kind)
	who, err := stripe.DecodeCustomer(created.Payload.Object)
	require.NoError(t, err)
	assert.Equal(t, "Ada", who.Name)

	// An endpoint whose secret is another one refuses the delivery.
	other, err := stripe.NewWebhookHandler(webhook.Config{Secrets: []string{"whsec_someone_else"}}, rec.handle)
	require.NoError(t, err)
	otherHook := httptest.NewServer(other)
	defer otherHook.Close()
	statuses, err = srv.SendRecordedEvents(ctx, otherHook.URL, "invoice.finalized")
	require.NoError(t, err)
	assert.Equal(t, []int{http.StatusUnauthorized}, statuses)
	assert.Len(t, rec.types(), 2)
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

// The handler: a tampered body and a stale timestamp are 401 and handled
// never; a replayed delivery is handled once; a failed handle is 500 and
// its redelivery is handled; a signed body that is no event is 400.
func TestWebhookHandler(t *testing.T) {
	const secret = "whsec_handler_test"
	now := time.Unix(1_800_000_000, 0)
	rec := &recorder{fail: 1}
	h, err := stripe.NewWebhookHandler(webhook.Config{Secrets: []string{secret}, Now: func() time.Time { return now }}, rec.handle)
	require.NoError(t, err)
	deliver := func(body []byte, header string) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, body, header))
		return w.Code
	}
	body := eventBody("evt_1", "invoice.paid", `{"id":"in_1","object":"invoice"}`)

	tampered := bytes.Replace(body, []byte("in_1"), []byte("in_2"), 1)
	assert.Equal(t, http.StatusUnauthorized, deliver(tampered, sign(body, secret, now)), "tampered body")
	assert.Equal(t, http.StatusUnauthorized, deliver(body, sign(body, secret, now.Add(-10*time.Minute))), "stale timestamp")
	assert.Empty(t, rec.types())

	assert.Equal(t, http.StatusInternalServerError, deliver(body, sign(body, secret, now)), "failed handle")
	assert.Equal(t, http.StatusOK, deliver(body, sign(body, secret, now)), "redelivery")
	assert.Equal(t, http.StatusOK, deliver(body, sign(body, secret, now)), "replay")
	assert.Equal(t, []string{"invoice.paid"}, rec.types())

	notEvent := []byte(`{"id":"in_1","object":"invoice"}`)
	assert.Equal(t, http.StatusBadRequest, deliver(notEvent, sign(notEvent, secret, now)))

	_, err = stripe.NewWebhookHandler(webhook.Config{}, rec.handle)
	assert.Error(t, err, "no secret")
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

// The endpoint secret never reaches a log line, whatever the deliveries.
func TestWebhookSecretStaysOut(t *testing.T) {
	const sentinel = "whsec_SENTINEL_7f3a"
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := stripe.NewWebhookHandler(webhook.Config{Secrets: []string{sentinel}, Logger: logger},
		func(context.Context, stripe.Event) error { return errors.New("database down") })
	require.NoError(t, err)
	body := eventBody("evt_1", "invoice.paid", `{"id":"in_1","object":"invoice"}`)
	for _, header := range []string{sign(body, sentinel, time.Now()), sign(body, "whsec_other", time.Now()), sign(body, sentinel, time.Now().Add(-time.Hour)), "t=1,v1=" + sentinel} {
		h.ServeHTTP(httptest.NewRecorder(), signed(t, body, header))
	}
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, logs.String())
	assert.NotContains(t, logs.String(), "SENTINEL")
}
