package stripe

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// Tolerance is how far a webhook's signed timestamp may be from now unless
// webhook.Config.Tolerance says otherwise, as Stripe's own libraries
// default to.
const Tolerance = 300 * time.Second

// Redelivery is how long Stripe retries a delivery that failed: up to
// three days, with an exponential back off, in live mode
// (https://docs.stripe.com/webhooks#retries).
const Redelivery = 72 * time.Hour

// Payload is what one Stripe event carries: the object as it was when the
// event happened. https://docs.stripe.com/api/events/object
type Payload struct {
	// Object is data.object: an invoice for invoice.* events (read it with
	// DecodeInvoice), a customer for customer.* (DecodeCustomer), a
	// payment intent or a charge for the payment events.
	Object json.RawMessage
	// PreviousAttributes is data.previous_attributes, the values of the
	// fields an *.updated event changed, as they were; nil otherwise.
	PreviousAttributes json.RawMessage
	// Livemode is false for test-mode and sandbox events.
	Livemode bool
	// APIVersion is the version Object is rendered at: the endpoint's, not
	// necessarily APIVersion.
	APIVersion string
	// Account is the connected account the event is about (Connect
	// endpoints); empty for the platform's own.
	Account string
}

// Event is one verified Stripe event.
type Event = webhook.Event[Payload]

// NewWebhookHandler serves a Stripe webhook endpoint: it verifies
// Stripe-Signature (VerifyWebhook), drops redeliveries by event id (Stripe
// retries for up to three days; the default store remembers ids for
// longer), and calls handle once per new event. A failed handle answers
// 500 and releases the id, so that Stripe's retry is processed.
// https://docs.stripe.com/webhooks
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "stripe", Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: Redelivery}, cfg, handle)
}

// VerifyWebhook checks Stripe-Signature: "t=<unix>,v1=<hex>[,v1=...]",
// where each v1 is HMAC-SHA256 of "<t>.<body>" under an endpoint secret
// (whsec_...). Any v1 under any of cfg.Secrets passes (Stripe sends several
// while a secret is rolled); t must then be within cfg.Tolerance (default
// Tolerance) of cfg.Now. It returns webhook.ErrSignatureInvalid or
// webhook.ErrTimestampStale.
// https://docs.stripe.com/webhooks#verify-manually
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	h := webhook.ParseSignatureHeader(r.Header.Get("Stripe-Signature"))
	sec, err := strconv.ParseInt(h.Get("t"), 10, 64)
	if err != nil || len(h["v1"]) == 0 {
		return webhook.ErrSignatureInvalid
	}
	keys := cfg.Keys()
	signed := append(append([]byte(h.Get("t")), '.'), body...)
	valid := false
	for _, v1 := range h["v1"] {
		if webhook.VerifyHMAC(signed, v1, webhook.Hex, keys...) == nil {
			valid = true
		}
	}
	if !valid {
		return webhook.ErrSignatureInvalid
	}
	return webhook.CheckTimestamp(time.Unix(sec, 0), cfg.TimeNow(), cfg.ToleranceOr(Tolerance))
}

// SignWebhook sets on r the headers Stripe sends with body at now:
// Stripe-Signature signed with secret, and Content-Type. For sandboxes and
// tests.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	r.Header.Set("Stripe-Signature", signature(body, secret, now))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
}

// signature is the Stripe-Signature value for body at t under secret.
func signature(body []byte, secret string, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + webhook.SignHMAC([]byte(secret), append([]byte(ts+"."), body...), webhook.Hex)
}

// ParseWebhook reads a delivery: Stripe sends one event per request, so
// it returns one Event, whose ID is the event's id (evt_...), Type its
// type and OccurredAt its created time. A body that is no Stripe event is
// an error of kind connector.ErrInvalidResponse.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	var w struct {
		ID         string `json:"id"`
		Object     string `json:"object"`
		Type       string `json:"type"`
		Created    int64  `json:"created"`
		Livemode   bool   `json:"livemode"`
		APIVersion string `json:"api_version"`
		Account    string `json:"account"`
		Data       struct {
			Object             json.RawMessage `json:"object"`
			PreviousAttributes json.RawMessage `json:"previous_attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &w); err != nil || w.ID == "" || w.Type == "" || w.Object != "event" || len(w.Data.Object) == 0 {
		return nil, &connector.APIError{Vendor: "stripe", Op: "webhook.parse", Kind: connector.ErrInvalidResponse, Message: "the body is not a Stripe event"}
	}
	p := Payload{Object: w.Data.Object, Livemode: w.Livemode, APIVersion: w.APIVersion, Account: w.Account}
	if len(w.Data.PreviousAttributes) > 0 && string(w.Data.PreviousAttributes) != "null" {
		p.PreviousAttributes = w.Data.PreviousAttributes
	}
	return []Event{{ID: w.ID, Kind: kindOf(w.Type, w.Data.Object), Type: w.Type, OccurredAt: unix(w.Created), Payload: p, Raw: body}}, nil
}

// kindOf maps a Stripe event type onto the vendor-neutral kinds.
// https://docs.stripe.com/api/events/types
func kindOf(typ string, object json.RawMessage) webhook.Kind {
	switch typ {
	case "invoice.created":
		return webhook.InvoiceCreated
	case "invoice.paid":
		return webhook.InvoicePaid
	case "invoice.voided", "invoice.deleted": // a draft is deleted where an open invoice is voided: InvoicesService.Void
		return webhook.InvoiceVoided
	case "invoice.upcoming", "invoice.will_be_due", "invoice.overdue":
		return webhook.KindOther // reminders: the invoice did not change (an upcoming one does not exist yet)
	case "customer.created":
		return webhook.CustomerCreated
	case "customer.updated":
		return webhook.CustomerUpdated
	case "customer.deleted":
		return webhook.CustomerDeleted
	case "payment_intent.succeeded":
		return webhook.PaymentCreated
	case "charge.succeeded":
		// A charge made through a payment intent comes with that intent's
		// payment_intent.succeeded: one payment, reported once.
		var c struct {
			PaymentIntent json.RawMessage `json:"payment_intent"`
		}
		if json.Unmarshal(object, &c) == nil && (len(c.PaymentIntent) == 0 || string(c.PaymentIntent) == "null") {
			return webhook.PaymentCreated
		}
		return webhook.KindOther
	}
	if rest, ok := strings.CutPrefix(typ, "invoice."); ok && !strings.Contains(rest, ".") {
		return webhook.InvoiceUpdated // finalized, updated, payment_succeeded, marked_uncollectible, sent, ...
	}
	return webhook.KindOther
}

// DecodeInvoice reads an invoice object, such as an invoice.* event's
// Payload.Object. Lines past the object's first page of lines are not
// fetched: Get the invoice for all of them.
func DecodeInvoice(raw []byte) (*accounting.Invoice, error) {
	return toInvoice(raw, "invoices.decode")
}

// DecodeCustomer reads a customer object, such as a customer.* event's
// Payload.Object; a deleted customer is connector.ErrNotFound.
func DecodeCustomer(raw []byte) (*accounting.Customer, error) {
	c, err := toCustomer(raw, "customers.decode")
	if err == nil && c == nil {
		return nil, &connector.APIError{Vendor: "stripe", Op: "customers.decode", Kind: connector.ErrNotFound, Message: "the customer was deleted"}
	}
	return c, err
}
