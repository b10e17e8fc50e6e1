package pipedrive

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// errorBody is Pipedrive's error JSON, the same in v1 and v2:
// {"success":false,"error":"Person not found","error_info":"Please check
// developers.pipedrive.com ...","data":null,"additional_data":null}; some
// answers (401, 429) add errorCode, v2 validation errors a code.
// https://pipedrive.readme.io/docs/core-api-concepts-http-status-codes
type errorBody struct {
	Success   *bool           `json:"success"`
	Error     string          `json:"error"`
	ErrorInfo string          `json:"error_info"`
	Code      json.RawMessage `json:"code"`
	ErrorCode json.RawMessage `json:"errorCode"`
}

// decodeError is the connector.ErrorDecoder for Pipedrive's error bodies.
// The status carries the kind (400 validation, 401, 403, 404, 410 gone,
// 429); the body gives the message and code.
//
// A 429 with the daily budget spent says so in its message, and that
// nothing succeeds before midnight UTC (RetryAfter).
func decodeError(resp *http.Response, body []byte, e *connector.APIError) {
	daily := resp.StatusCode == http.StatusTooManyRequests && dailySpent(resp.Header)
	if daily {
		defer func() {
			e.RetryAfter = untilNextUTCMidnight(time.Now())
			msg := "daily API budget spent (x-daily-requests-left: 0); not retried before it resets at midnight UTC"
			if e.Message != "" {
				msg += ": " + e.Message
			}
			e.Message = msg
		}()
	}
	var b errorBody
	if json.Unmarshal(body, &b) != nil || (b.Error == "" && b.Success == nil) {
		return
	}
	e.Message = b.Error
	e.Code = rawText(b.Code)
	if e.Code == "" {
		e.Code = rawText(b.ErrorCode)
	}
	if resp.StatusCode == http.StatusTooManyRequests && !daily && e.RetryAfter == 0 {
		if s, err := strconv.Atoi(resp.Header.Get("X-Ratelimit-Reset")); err == nil && s > 0 && s < 3600 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
	}
}

// rawText is a JSON string's text, or a number's digits; "" otherwise.
func rawText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// decideRetry keeps the standard rules, except that a 429 once the daily
// budget is spent is not retried: nothing succeeds before midnight UTC.
func decideRetry(resp *http.Response) connector.RetryDecision {
	if resp.StatusCode == http.StatusTooManyRequests && dailySpent(resp.Header) {
		return connector.RetryNo
	}
	return connector.RetryDefault
}

// dailySpent says the answer reports the day's budget used up.
func dailySpent(h http.Header) bool {
	left, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Daily-Requests-Left")))
	return err == nil && left <= 0
}

// untilNextUTCMidnight is when Pipedrive's daily budget resets.
func untilNextUTCMidnight(now time.Time) time.Duration {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	return next.Sub(now)
}
