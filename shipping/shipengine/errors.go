package shipengine

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// errorBody is ShipEngine's error answer: a request id and one error per
// problem, each saying where it came from (error_source: carrier,
// order_source, shipengine), its type and its code.
// https://www.shipengine.com/docs/errors/
type errorBody struct {
	RequestID string      `json:"request_id"`
	Errors    []errorWire `json:"errors"`
}

type errorWire struct {
	ErrorSource string `json:"error_source"`
	ErrorType   string `json:"error_type"`
	ErrorCode   string `json:"error_code"`
	Message     string `json:"message"`
	FieldName   string `json:"field_name,omitempty"`
	CarrierCode string `json:"carrier_code,omitempty"`
}

// decodeError fills e from ShipEngine's errors[]: Code is the first
// error's error_code, Message every message ("field: message" where a
// field is named, carrier errors prefixed with the carrier), and the kind
// is corrected where the status alone says too little:
//
//   - error_type security (unauthorized) is ErrUnauthorized, forbidden
//     ErrForbidden;
//   - error_code rate_limit_exceeded is ErrRateLimited, whatever the status
//     (a carrier's own limit comes as a 400 with error_source carrier);
//   - identifier_conflict, field_conflict, carrier_conflict and
//     warehouse_conflict are ErrConflict;
//   - error_type system with status 5xx stays ErrUnavailable.
func decodeError(resp *http.Response, body []byte, e *connector.APIError) {
	var b errorBody
	if json.Unmarshal(body, &b) != nil || len(b.Errors) == 0 {
		return
	}
	if e.RequestID == "" && len(b.RequestID) <= 64 {
		e.RequestID = b.RequestID
	}
	var msgs []string
	for i, w := range b.Errors {
		if i == 10 {
			msgs = append(msgs, "...")
			break
		}
		m := w.Message
		if w.FieldName != "" {
			m = w.FieldName + ": " + m
		}
		if w.ErrorSource == "carrier" && w.CarrierCode != "" {
			m = w.CarrierCode + ": " + m
		}
		if m != "" {
			msgs = append(msgs, m)
		}
	}
	e.Message = strings.Join(msgs, "; ")
	first := b.Errors[0]
	e.Code = first.ErrorCode
	for _, w := range b.Errors {
		switch {
		case w.ErrorCode == "rate_limit_exceeded":
			e.Kind = connector.ErrRateLimited
			return
		case w.ErrorCode == "unauthorized" || (w.ErrorType == "security" && resp != nil && resp.StatusCode == http.StatusUnauthorized):
			e.Kind = connector.ErrUnauthorized
			return
		case w.ErrorCode == "forbidden":
			e.Kind = connector.ErrForbidden
			return
		case w.ErrorCode == "identifier_conflict" || w.ErrorCode == "field_conflict" ||
			w.ErrorCode == "carrier_conflict" || w.ErrorCode == "warehouse_conflict":
			e.Kind = connector.ErrConflict
			return
		}
	}
}
