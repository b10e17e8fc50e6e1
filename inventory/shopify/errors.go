package shopify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// Shopify's GraphQL Admin API answers most failures 200 with "errors" (a
// document or a query that fails, THROTTLED) or with a mutation's
// userErrors; HTTP-level failures (a bad token, a shop that is gone) carry
// "errors" as a string or the same array.
// https://shopify.dev/docs/api/admin-graphql#status_and_error_codes

type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// decodeError is the connector.ErrorDecoder for Shopify's non-2xx
// answers: {"errors": "..."} or {"errors": [{"message": ...}]}. The
// status decides the kind.
func decodeError(_ *http.Response, body []byte, e *connector.APIError) {
	var doc struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return
	}
	errs := decodeErrors(doc.Errors)
	if len(errs) == 0 {
		return
	}
	e.Message = messages(errs)
	for _, ge := range errs {
		if ge.Extensions.Code != "" {
			e.Code = ge.Extensions.Code
			break
		}
	}
}

// decodeErrors reads "errors": an array of GraphQL errors, or the string
// Shopify sends for some HTTP-level failures.
func decodeErrors(raw json.RawMessage) []gqlError {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var errs []gqlError
	if json.Unmarshal(raw, &errs) == nil {
		return errs
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []gqlError{{Message: s}}
	}
	return []gqlError{{Message: "unreadable errors"}}
}

func throttled(errs []gqlError) bool {
	for _, e := range errs {
		if e.Extensions.Code == "THROTTLED" {
			return true
		}
	}
	return false
}

// messages joins every message with its path.
func messages(errs []gqlError) string {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		m := e.Message
		if len(e.Path) > 0 {
			parts := make([]string, len(e.Path))
			for i, p := range e.Path {
				parts[i] = fmt.Sprint(p)
			}
			m = strings.Join(parts, ".") + ": " + m
		}
		msgs = append(msgs, m)
	}
	return strings.Join(msgs, "; ")
}

// toAPIError types a 200 answer's top-level errors, keeping every message
// with its path.
func toAPIError(op string, errs []gqlError, redact func(string) string) error {
	kind, code := connector.ErrValidation, ""
	for _, e := range errs {
		if code == "" {
			code = e.Extensions.Code
		}
		switch e.Extensions.Code {
		case "ACCESS_DENIED":
			kind = connector.ErrForbidden
		case "INTERNAL_SERVER_ERROR":
			kind = connector.ErrUnavailable
		}
	}
	return &connector.APIError{Vendor: "shopify", Op: op, StatusCode: http.StatusOK, Code: redact(scrub(code)), Message: redact(scrub(messages(errs))), Kind: kind}
}

type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

// userErrorsError maps a mutation's userErrors: a stale compare quantity
// is a conflict, the rest validation errors, each with its field path.
func userErrorsError(op string, errs []userError, redact func(string) string) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	kind := connector.ErrValidation
	for i, e := range errs {
		msgs[i] = strings.Join(e.Field, ".") + ": " + e.Message
		if e.Code == "COMPARE_QUANTITY_STALE" || e.Code == "CHANGE_FROM_QUANTITY_STALE" {
			kind = connector.ErrConflict
		}
	}
	return &connector.APIError{Vendor: "shopify", Op: op, StatusCode: http.StatusOK, Code: redact(scrub(errs[0].Code)), Message: redact(scrub(strings.Join(msgs, "; "))), Kind: kind}
}

// shopifySecret matches Shopify's credentials by their prefixes: access
// tokens (shpat_, shpca_, shpua_, shppa_), refresh tokens (shprt_) and
// client secrets (shpss_).
var shopifySecret = regexp.MustCompile(`shp[a-z]{2}_[0-9A-Za-z]{16,}`)

// scrub removes whatever looks like a Shopify credential from a message
// read from a 200 answer (a GraphQL error), where the connector's own
// redaction of error answers does not reach; the client's Redact removes
// the credentials it knows.
func scrub(msg string) string {
	return shopifySecret.ReplaceAllString(msg, "[REDACTED]")
}
