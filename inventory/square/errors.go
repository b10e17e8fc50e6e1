package square

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// squareError is one entry of the "errors" array every Square error
// answer carries.
// https://developer.squareup.com/reference/square/objects/Error
type squareError struct {
	Category string `json:"category"` // API_ERROR, AUTHENTICATION_ERROR, INVALID_REQUEST_ERROR, RATE_LIMIT_ERROR, ...
	Code     string `json:"code"`     // NOT_FOUND, RATE_LIMITED, IDEMPOTENCY_KEY_REUSED, VERSION_MISMATCH, ...
	Detail   string `json:"detail"`
	Field    string `json:"field"`
}

// decodeError is the connector.ErrorDecoder for Square's error answers:
// {"errors": [{"category", "code", "detail", "field"}]}. The status sets
// the kind; a few codes say more than their status does.
// https://developer.squareup.com/docs/build-basics/handling-errors
func decodeError(_ *http.Response, body []byte, e *connector.APIError) {
	var doc struct {
		Errors []squareError `json:"errors"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.Errors) == 0 {
		return
	}
	msgs := make([]string, 0, len(doc.Errors))
	for _, se := range doc.Errors {
		m := se.Detail
		if m == "" {
			m = se.Code
		}
		if se.Field != "" {
			m = se.Field + ": " + m
		}
		msgs = append(msgs, m)
	}
	e.Message = strings.Join(msgs, "; ")
	e.Code = doc.Errors[0].Code
	if e.Code == "" {
		e.Code = doc.Errors[0].Category
	}
	// The first entry with a telling code decides: Square may list a
	// field's validation error before the conflict that caused it.
	for _, se := range doc.Errors {
		if kind := kindOfCode(se); kind != nil {
			e.Kind = kind
			break
		}
	}
}

// kindOfCode is the sentinel a code means whatever its status, or nil to
// keep the status's. A reused idempotency key (another request under the
// same key) and a stale order version are conflicts, which Square answers
// 400; RATE_LIMITED and the token codes are typed even when a proxy
// changed the status.
func kindOfCode(se squareError) error {
	switch se.Code {
	case "IDEMPOTENCY_KEY_REUSED", "VERSION_MISMATCH", "CONFLICT":
		return connector.ErrConflict
	case "RATE_LIMITED":
		return connector.ErrRateLimited
	case "UNAUTHORIZED", "ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_REVOKED", "CLIENT_DISABLED":
		return connector.ErrUnauthorized
	case "FORBIDDEN", "INSUFFICIENT_SCOPES", "APPLICATION_DISABLED", "INSUFFICIENT_PERMISSIONS":
		return connector.ErrForbidden
	}
	switch se.Category {
	case "RATE_LIMIT_ERROR":
		return connector.ErrRateLimited
	case "AUTHENTICATION_ERROR":
		return connector.ErrUnauthorized
	}
	return nil
}
