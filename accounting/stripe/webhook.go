package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// Tolerance is how far a webhook's signed timestamp may be from now, as
// Stripe's own libraries default to.
const Tolerance = 300 * time.Second

// Event is a verified webhook delivery: the event's type
// ("invoice.paid") and the object as it was when the event happened.
// https://docs.stripe.com/api/events/object
type Event struct {
	ID       string
	Type     string
	Created  time.Time
	Livemode bool
	Object   json.RawMessage
}

// VerifySignature checks Stripe-Signature: "t=<unix>,v1=<hex>[,v1=...]",
// where each v1 is HMAC-SHA256 of "<t>.<body>" under an endpoint secret
// (whsec_...). Any v1 under any of secrets passes (Stripe sends several
// while a secret is rolled); t must be within tolerance of now.
// https://docs.stripe.com/webhooks#verify-manually
func VerifySignature(body []byte, header string, now time.Time, tolerance time.Duration, secrets ...string) error {
	h := connector.ParseSignatureHeader(header)
	sec, err := strconv.ParseInt(h.Get("t"), 10, 64)
	if err != nil || len(h["v1"]) == 0 {
		return connector.ErrSignatureInvalid
	}
	keys := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			keys = append(keys, []byte(s))
		}
	}
	signed := append(append([]byte(h.Get("t")), '.'), body...)
	valid := false
	for _, v1 := range h["v1"] {
		if connector.VerifyHMAC(signed, v1, connector.Hex, keys...) == nil {
			valid = true
		}
	}
	if !valid {
		return connector.ErrSignatureInvalid
	}
	return connector.CheckTimestamp(time.Unix(sec, 0), now, tolerance)
}

// Sign returns the Stripe-Signature header for body at t, as Stripe
// computes it: for sandboxes and tests.
func Sign(body []byte, t time.Time, secret string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + connector.SignHMAC([]byte(secret), append([]byte(ts+"."), body...), connector.Hex)
}

// ParseEvent decodes an event body.
func ParseEvent(body []byte) (*Event, error) {
	var w struct {
		ID       string `json:"id"`
		Object   string `json:"object"`
		Type     string `json:"type"`
		Created  int64  `json:"created"`
		Livemode bool   `json:"livemode"`
		Data     struct {
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &w); err != nil || w.ID == "" || w.Type == "" || w.Object != "event" || len(w.Data.Object) == 0 {
		return nil, &connector.APIError{Vendor: "stripe", Op: "webhook.parse", Kind: connector.ErrInvalidResponse, Message: "the body is not a Stripe event"}
	}
	return &Event{ID: w.ID, Type: w.Type, Created: unix(w.Created), Livemode: w.Livemode, Object: w.Data.Object}, nil
}

// NewWebhookHandler serves a Stripe webhook endpoint: it verifies the
// signature and timestamp, drops redeliveries by event id (Stripe retries
// for up to three days, so the default store remembers four), and hands
// each new event on. A failed handle releases the id so the retry is
// processed.
func NewWebhookHandler(secrets []string, seen connector.SeenStore, handle func(ctx context.Context, e *Event) error) (http.Handler, error) {
	if len(secrets) == 0 || secrets[0] == "" {
		return nil, errors.New("stripe: the endpoint's signing secret is required")
	}
	if seen == nil {
		seen = connector.NewMemorySeen(100_000, 96*time.Hour)
	}
	return &connector.WebhookHandler{
		Verify: func(r *http.Request, body []byte) (string, error) {
			if err := VerifySignature(body, r.Header.Get("Stripe-Signature"), time.Now(), Tolerance, secrets...); err != nil {
				return "", err
			}
			e, err := ParseEvent(body)
			if err != nil {
				return "", err
			}
			return e.ID, nil
		},
		Seen: seen,
		Handle: func(ctx context.Context, _ *http.Request, body []byte) error {
			e, err := ParseEvent(body)
			if err != nil {
				return err
			}
			return handle(ctx, e)
		},
	}, nil
}

// DecodeInvoice reads an invoice object, such as an invoice.* event's
// Object. Lines past the object's first page of lines are not fetched:
// Get the invoice for all of them.
func DecodeInvoice(raw []byte) (*accounting.Invoice, error) {
	return toInvoice(raw, "invoices.decode")
}

// DecodeCustomer reads a customer object, such as a customer.* event's
// Object; a deleted customer is connector.ErrNotFound.
func DecodeCustomer(raw []byte) (*accounting.Customer, error) {
	c, err := toCustomer(raw, "customers.decode")
	if err == nil && c == nil {
		return nil, &connector.APIError{Vendor: "stripe", Op: "customers.decode", Kind: connector.ErrNotFound, Message: "the customer was deleted"}
	}
	return c, err
}
