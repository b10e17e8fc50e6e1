package easypost

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// decodeError reads EasyPost's error body
// (https://docs.easypost.com/docs/errors):
//
//	{"error": {"code": "ADDRESS.VERIFY.FAILURE", "message": "...",
//	  "errors": [{"field": "street1", "message": "...", "suggestion": null}]}}
//
// The code is kept; the message is the top message followed by every field
// error (EasyPost also sends plain strings there). The kind follows the
// status, except where the code says more: NOT_FOUND codes are
// ErrNotFound, RATE_LIMITED is ErrRateLimited, and a shipment that already
// has postage or a refund is ErrConflict.
func decodeError(_ *http.Response, body []byte, e *connector.APIError) {
	var doc struct {
		Error *struct {
			Code    json.RawMessage   `json:"code"`
			Message json.RawMessage   `json:"message"`
			Errors  []json.RawMessage `json:"errors"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Error == nil {
		return
	}
	e.Code = text(doc.Error.Code)
	msgs := []string{}
	if m := text(doc.Error.Message); m != "" {
		msgs = append(msgs, m)
	}
	for _, raw := range doc.Error.Errors {
		if s := text(raw); s != "" {
			msgs = append(msgs, s)
			continue
		}
		var fe struct {
			Field   json.RawMessage `json:"field"`
			Message json.RawMessage `json:"message"`
		}
		if json.Unmarshal(raw, &fe) != nil {
			continue
		}
		m := text(fe.Message)
		if m == "" {
			continue
		}
		if f := text(fe.Field); f != "" {
			m = f + ": " + m
		}
		msgs = append(msgs, m)
	}
	e.Message = strings.Join(msgs, "; ")
	code := strings.ToUpper(e.Code)
	switch {
	case code == "RATE_LIMITED" || strings.HasSuffix(code, ".RATE_LIMITED"):
		e.Kind = connector.ErrRateLimited
	case code == "NOT_FOUND" || strings.HasSuffix(code, ".NOT_FOUND"):
		e.Kind = connector.ErrNotFound
	case strings.HasSuffix(code, ".EXISTS") && e.StatusCode < 500:
		e.Kind = connector.ErrConflict
	}
}

// text reads a JSON string, "" for anything else.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// invalid is an answer of EasyPost's the connector cannot read.
func invalid(op, msg string) error {
	return &connector.APIError{Vendor: vendorName, Op: op, Kind: connector.ErrInvalidResponse, Message: msg}
}
