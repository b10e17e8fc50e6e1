package stripe

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// errorBody is Stripe's error object.
// https://docs.stripe.com/api/errors
type errorBody struct {
	Error struct {
		Type          string `json:"type"`
		Code          string `json:"code"`
		DeclineCode   string `json:"decline_code"`
		Param         string `json:"param"`
		Message       string `json:"message"`
		RequestLogURL string `json:"request_log_url"`
	} `json:"error"`
}

// decodeError maps Stripe's error object onto APIError. The code (or the
// type when there is none) becomes Code; param is kept in the message;
// an idempotency_error (a key reused with other parameters, or while its
// first request is still running) is ErrConflict.
func decodeError(_ *http.Response, body []byte, e *connector.APIError) {
	var b errorBody
	if json.Unmarshal(body, &b) != nil || (b.Error.Type == "" && b.Error.Message == "") {
		return
	}
	x := b.Error
	e.Code = x.Type
	if x.Code != "" {
		e.Code = x.Code
	}
	msg := x.Message
	if x.Param != "" {
		msg += " (param: " + x.Param + ")"
	}
	if x.DeclineCode != "" {
		msg += " (decline: " + x.DeclineCode + ")"
	}
	if x.RequestLogURL != "" {
		msg += " " + x.RequestLogURL
	}
	e.Message = strings.TrimSpace(msg)
	switch {
	case x.Type == "idempotency_error":
		e.Kind = connector.ErrConflict
	case x.Code == "resource_missing":
		e.Kind = connector.ErrNotFound
	case x.Type == "card_error" || (x.Type == "invalid_request_error" && e.StatusCode == http.StatusBadRequest):
		e.Kind = connector.ErrValidation
	}
}

// decideRetry honours Stripe-Should-Retry, which Stripe sets when it knows
// better than the status code: "true" to retry (a lock timeout, a 409 from
// a concurrent request), "false" not to.
// https://docs.stripe.com/error-low-level#idempotency
func decideRetry(resp *http.Response) connector.RetryDecision {
	switch resp.Header.Get("Stripe-Should-Retry") {
	case "true":
		return connector.RetryYes
	case "false":
		return connector.RetryNo
	}
	return connector.RetryDefault
}
