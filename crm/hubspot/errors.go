package hubspot

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// errorBody is HubSpot's error JSON; 429s carry policyName and errorType
// instead of category.
type errorBody struct {
	Message       string `json:"message"`
	CorrelationID string `json:"correlationId"`
	Category      string `json:"category"`
	SubCategory   string `json:"subCategory"`
	PolicyName    string `json:"policyName"`
	ErrorType     string `json:"errorType"`
	Errors        []struct {
		Message string `json:"message"`
		Code    string `json:"code"`
	} `json:"errors"`
}

// categoryKinds maps HubSpot's error categories to the sentinels.
var categoryKinds = map[string]error{
	"VALIDATION_ERROR":       connector.ErrValidation,
	"OBJECT_NOT_FOUND":       connector.ErrNotFound,
	"CONFLICT":               connector.ErrConflict,
	"OBJECT_ALREADY_EXISTS":  connector.ErrConflict,
	"RATE_LIMITS":            connector.ErrRateLimited,
	"MISSING_SCOPES":         connector.ErrForbidden,
	"INVALID_AUTHENTICATION": connector.ErrUnauthorized,
	"EXPIRED_AUTHENTICATION": connector.ErrUnauthorized,
}

// decodeError is the connector.ErrorDecoder for HubSpot's error bodies.
func decodeError(resp *http.Response, body []byte, e *connector.APIError) {
	var b errorBody
	if json.Unmarshal(body, &b) != nil {
		return
	}
	e.Message = b.Message
	if e.Message == "" && len(b.Errors) > 0 {
		msgs := make([]string, 0, len(b.Errors))
		for _, d := range b.Errors {
			msgs = append(msgs, d.Message)
		}
		e.Message = strings.Join(msgs, "; ")
	}
	e.Code = b.Category
	if b.PolicyName != "" {
		e.Code = b.PolicyName // TEN_SECONDLY_ROLLING, DAILY, ...
	} else if e.Code == "" {
		e.Code = b.ErrorType
	}
	if e.RequestID == "" {
		e.RequestID = b.CorrelationID
	}
	// A 404 or 409 keeps its status's meaning whatever the category says;
	// otherwise the category is the more precise signal.
	if kind, ok := categoryKinds[b.Category]; ok && resp.StatusCode != http.StatusNotFound {
		e.Kind = kind
	}
	if b.PolicyName == "DAILY" && e.RetryAfter == 0 {
		e.RetryAfter = untilNextUTCMidnight(time.Now())
	}
}

// decideRetry keeps the standard rules, except that a 429 for the DAILY
// policy is not retried: nothing will succeed before the day resets, and
// the error says when that is.
func decideRetry(resp *http.Response) connector.RetryDecision {
	if resp.StatusCode != http.StatusTooManyRequests {
		return connector.RetryDefault
	}
	var b struct {
		PolicyName string `json:"policyName"`
	}
	if json.Unmarshal(connector.PeekBody(resp, 16<<10), &b) == nil && b.PolicyName == "DAILY" {
		return connector.RetryNo
	}
	return connector.RetryDefault
}

// untilNextUTCMidnight estimates when a DAILY limit resets. HubSpot resets
// it at midnight in the account's time zone, which the API does not say;
// midnight UTC is the estimate, off by at most the zone's offset.
func untilNextUTCMidnight(now time.Time) time.Duration {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	return next.Sub(now)
}
