package salesforce

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// apiErrorWire is one entry of Salesforce's error body, a JSON array:
// [{"message":"...","errorCode":"...","fields":["Email"]}].
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
type apiErrorWire struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
}

// codeKinds maps Salesforce's error codes to the sentinels, where the
// status alone says something else (REQUEST_LIMIT_EXCEEDED comes as 403,
// INVALID_CROSS_REFERENCE_KEY as 400).
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
var codeKinds = map[string]error{
	"DUPLICATE_VALUE":                         connector.ErrConflict,
	"DUPLICATE_EXTERNAL_ID":                   connector.ErrConflict,
	"DUPLICATES_DETECTED":                     connector.ErrConflict,
	"UNABLE_TO_LOCK_ROW":                      connector.ErrConflict, // retried: see decideRetry
	"REQUIRED_FIELD_MISSING":                  connector.ErrValidation,
	"FIELD_CUSTOM_VALIDATION_EXCEPTION":       connector.ErrValidation,
	"INVALID_FIELD":                           connector.ErrValidation,
	"INVALID_FIELD_FOR_INSERT_UPDATE":         connector.ErrValidation,
	"INVALID_EMAIL_ADDRESS":                   connector.ErrValidation,
	"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": connector.ErrValidation,
	"INVALID_TYPE_ON_FIELD_IN_RECORD":         connector.ErrValidation,
	"STRING_TOO_LONG":                         connector.ErrValidation,
	"MALFORMED_QUERY":                         connector.ErrValidation,
	"INVALID_QUERY_FILTER_OPERATOR":           connector.ErrValidation,
	"JSON_PARSER_ERROR":                       connector.ErrValidation,
	"REQUEST_LIMIT_EXCEEDED":                  connector.ErrRateLimited,
	"INVALID_SESSION_ID":                      connector.ErrUnauthorized,
	"INVALID_AUTH_HEADER":                     connector.ErrUnauthorized,
	"INSUFFICIENT_ACCESS":                     connector.ErrForbidden,
	"INSUFFICIENT_ACCESS_OR_READONLY":         connector.ErrForbidden,
	"API_DISABLED_FOR_ORG":                    connector.ErrForbidden,
	"NOT_FOUND":                               connector.ErrNotFound,
	"ENTITY_IS_DELETED":                       connector.ErrNotFound,
	// A lookup to a record that does not exist, or to an id that no
	// record can have: the record linked to is not found.
	"INVALID_CROSS_REFERENCE_KEY": connector.ErrNotFound,
	"MALFORMED_ID":                connector.ErrNotFound,
	"SERVER_UNAVAILABLE":          connector.ErrUnavailable,
	"UNKNOWN_EXCEPTION":           connector.ErrUnavailable,
}

// kindOfCode is the sentinel for an error code, or nil.
func kindOfCode(code string) error { return codeKinds[code] }

// decodeError is the connector.ErrorDecoder for Salesforce's error array.
// A body in another shape (a proxy's page) is left to the core, which
// keeps its text, folded, cut and redacted.
func decodeError(resp *http.Response, body []byte, e *connector.APIError) {
	errs, ok := parseErrors(body)
	if !ok {
		return
	}
	fillError(e, errs)
	if resp.StatusCode == http.StatusNotFound {
		e.Kind = connector.ErrNotFound // a 404 stays not found whatever the code
	}
	if resp.StatusCode == http.StatusMultipleChoices {
		e.Kind = connector.ErrConflict
	}
}

// parseErrors reads an error array (or a single error object, as the
// OAuth and some older endpoints send).
func parseErrors(body []byte) ([]apiErrorWire, bool) {
	var errs []apiErrorWire
	if json.Unmarshal(body, &errs) == nil && len(errs) > 0 && (errs[0].ErrorCode != "" || errs[0].Message != "") {
		return errs, true
	}
	var one apiErrorWire
	if json.Unmarshal(body, &one) == nil && one.ErrorCode != "" {
		return []apiErrorWire{one}, true
	}
	return nil, false
}

// fillError sets Code, Message and Kind from the first error, and the
// others' messages after it.
func fillError(e *connector.APIError, errs []apiErrorWire) {
	first := errs[0]
	e.Code = first.ErrorCode
	msgs := make([]string, 0, len(errs))
	for _, x := range errs {
		m := x.Message
		if len(x.Fields) > 0 {
			m += " (fields: " + strings.Join(x.Fields, ", ") + ")"
		}
		if m != "" {
			msgs = append(msgs, m)
		}
	}
	e.Message = strings.Join(msgs, "; ")
	if kind := kindOfCode(first.ErrorCode); kind != nil {
		e.Kind = kind
	}
}

// decideRetry: REQUEST_LIMIT_EXCEEDED for concurrent requests (a short
// window) is retried like a 429, whatever the method, since nothing ran;
// the org's daily TotalRequests limit is not (nothing succeeds before the
// rolling 24 hours give calls back). UNABLE_TO_LOCK_ROW rolled its
// transaction back: the same write is retried.
// https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
func decideRetry(resp *http.Response) connector.RetryDecision {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusBadRequest {
		return connector.RetryDefault
	}
	errs, ok := parseErrors(connector.PeekBody(resp, 16<<10))
	if !ok {
		return connector.RetryDefault
	}
	switch errs[0].ErrorCode {
	case "REQUEST_LIMIT_EXCEEDED":
		if strings.Contains(errs[0].Message, "TotalRequests") {
			return connector.RetryNo
		}
		return connector.RetryYes
	case "UNABLE_TO_LOCK_ROW":
		return connector.RetryYes
	}
	return connector.RetryDefault
}
