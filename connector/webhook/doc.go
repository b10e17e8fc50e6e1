// Package webhook is the one shape of every Patchbay vendor's webhooks.
//
// Each vendor package offers the same three functions over this package:
//
//	func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error)
//	func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error
//	func ParseWebhook(r *http.Request, body []byte) ([]Event, error)
//
// where Event is webhook.Event with the vendor's typed payload. The handler
// reads the exact raw body (capped), verifies it with the vendor's scheme
// (an HMAC, a signed timestamp, a shared token for vendors that do not
// sign), splits it into events, drops the ones already handled (a
// SeenStore), and calls handle once for each new event. Every event carries
// a vendor-neutral Kind ("order.created", "invoice.paid") next to the
// vendor's own type, its typed payload and its raw JSON.
//
// Answers: 401 with no body for a bad signature or a stale timestamp, 500
// when verification itself could not run (a key endpoint down), 400 for a
// verified body that is no event, 200 once every event is handled or
// was a redelivery, and 500 when handle fails: that event's claim is
// released first, so the vendor's redelivery processes it and nothing is
// lost.
//
// Config.Secrets is a list everywhere, so every vendor supports rotation:
// during one, both the old and the new secret verify.
package webhook
