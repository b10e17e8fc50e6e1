package woocommerce

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// decodeError reads the WordPress REST API's error body, which WooCommerce
// uses for every failure:
//
//	{"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.", "data": {"status": 404}}
//
// https://woocommerce.github.io/woocommerce-rest-api-docs/#errors
//
// The status decides the kind, but where the code says more: an
// "..._invalid_id" code is ErrNotFound whatever the status (WooCommerce
// answers 400 to an update of an id that does not exist), and
// rest_invalid_param, rest_missing_callback_param and other invalid-input
// codes are ErrValidation. A 429 from the host (WooCommerce's REST API
// has no limiter of its own) keeps the status's ErrRateLimited.
func decodeError(_ *http.Response, body []byte, e *connector.APIError) {
	var doc struct {
		Code    json.RawMessage `json:"code"`
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return
	}
	code, msg := text(doc.Code), text(doc.Message)
	if code == "" && msg == "" {
		return
	}
	e.Code, e.Message = code, msg
	if k := kindOfCode(code); k != nil && e.StatusCode != http.StatusTooManyRequests && e.StatusCode < 500 {
		e.Kind = k
	}
}

// kindOfCode is the kind a WooCommerce or WordPress error code says, or
// nil to keep the status's.
func kindOfCode(code string) error {
	switch {
	case strings.HasSuffix(code, "_invalid_id"), code == "rest_no_route", code == "rest_post_invalid_id":
		return connector.ErrNotFound
	case code == "woocommerce_rest_authentication_error", code == "woocommerce_rest_authentication_missing":
		return connector.ErrUnauthorized
	case code == "rest_invalid_param", code == "rest_missing_callback_param", code == "rest_invalid_json",
		strings.HasPrefix(code, "woocommerce_rest_invalid_"), code == "woocommerce_rest_product_not_created",
		code == "woocommerce_rest_required_product_reference":
		return connector.ErrValidation
	}
	return nil
}

// text reads a JSON string, or keeps any other JSON value as written.
func text(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
