package xero

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/patchbay-go/patchbay/connector"
)

// decodeError reads Xero's error bodies: the ValidationException JSON,
// the problem JSON of 401/403, and plain text (404, 5xx).
func decodeError(resp *http.Response, body []byte, e *connector.APIError) {
	if p := resp.Header.Get("X-Rate-Limit-Problem"); p != "" {
		e.Code = p // minute, day, appminute, concurrent
		e.Message = "Xero rate limit: " + p
		return
	}
	var b struct {
		Type     string `json:"Type"`
		Message  string `json:"Message"`
		Title    string `json:"Title"`
		Detail   string `json:"Detail"`
		Elements []struct {
			validation
		} `json:"Elements"`
	}
	if json.Unmarshal(body, &b) != nil {
		if text := strings.TrimSpace(string(body)); utf8.ValidString(text) && len(text) < 512 {
			e.Message = text
		}
		return
	}
	var msgs []string
	for _, el := range b.Elements {
		msgs = append(msgs, el.messages()...)
	}
	e.Code = b.Type
	e.Message = b.Message
	if len(msgs) > 0 {
		e.Message = strings.Join(msgs, "; ")
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(b.Title + ": " + b.Detail)
	}
	if b.Type == "ValidationException" {
		e.Kind = connector.ErrValidation
	}
}

// decideRetry: a 429 for the day's limit is final; the others (minute,
// app minute, concurrency) are retried after Retry-After.
func decideRetry(resp *http.Response) connector.RetryDecision {
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("X-Rate-Limit-Problem") == "day" {
		return connector.RetryNo
	}
	return connector.RetryDefault
}

// elementError surfaces an element a write was refused for, inside a 200
// (Xero answers that way with summarizeErrors=false): HasErrors is an
// error, not a success. ValidationErrors without HasErrors, and any on a
// record read back (an invoice Xero flagged but keeps), are warnings on the
// record: one flagged invoice must not fail a Get or a whole page.
func elementError(op string, v validation, reading bool) error {
	if reading || !v.HasErrors {
		return nil
	}
	return &connector.APIError{Vendor: "xero", Op: op, StatusCode: http.StatusOK, Code: "ValidationException",
		Message: strings.Join(v.messages(), "; "), Kind: connector.ErrValidation}
}

func notFound(op, what string) error {
	return &connector.APIError{Vendor: "xero", Op: op, Kind: connector.ErrNotFound, Message: what + " not found"}
}

func invalid(op, msg string) error {
	return &connector.APIError{Vendor: "xero", Op: op, Kind: connector.ErrInvalidResponse, Message: msg}
}
