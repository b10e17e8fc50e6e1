package quickbooks

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// faultWire is Intuit's error body: the Fault of IntuitResponse. The API
// writes {"Fault":{"Error":[{"Message","Detail","code","element"}],
// "type":"ValidationFault"},"time":...}; the gateway writes the same in
// lower case ({"fault":{"error":[...],"type":"AUTHENTICATION"}}), which
// encoding/json's case-insensitive match reads too.
// https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
type faultWire struct {
	Error []struct {
		Message string `json:"Message"`
		Detail  string `json:"Detail"`
		Code    string `json:"code"`
		Element string `json:"element"`
	} `json:"Error"`
	Type string `json:"type"`
}

// decodeError reads the Fault object: Code is Intuit's error code (and the
// fault type), Message its Message and Detail. The kind comes from the
// code where the status alone is wrong: QuickBooks answers 400 for an
// unknown id (610), a stale SyncToken (5010) and duplicates (6140, 6240).
func decodeError(resp *http.Response, body []byte, e *connector.APIError) {
	var doc struct {
		Fault *faultWire `json:"Fault"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Fault == nil {
		return // not Intuit's shape: the connector keeps the text
	}
	fillFault(doc.Fault, e)
}

func fillFault(f *faultWire, e *connector.APIError) {
	var msgs, codes []string
	for _, x := range f.Error {
		m := strings.TrimSpace(x.Message)
		if d := strings.TrimSpace(x.Detail); d != "" && d != m {
			if m != "" {
				m += ": "
			}
			m += d
		}
		if x.Element != "" {
			m += " (" + x.Element + ")"
		}
		if m != "" {
			msgs = append(msgs, m)
		}
		if x.Code != "" {
			codes = append(codes, strings.TrimLeft(x.Code, "0"))
		}
	}
	e.Message = strings.ToValidUTF8(strings.Join(msgs, "; "), "")
	code := ""
	if len(codes) > 0 {
		code = codes[0]
	}
	e.Code = strings.ToValidUTF8(strings.TrimSpace(strings.Join(append([]string{f.Type}, codes...), " ")), "")
	if kind := kindOf(f.Type, code, e.StatusCode); kind != nil {
		e.Kind = kind
	}
}

// kindOf maps a fault type and Intuit's error code to a sentinel, or nil
// to keep the status's.
func kindOf(faultType, code string, status int) error {
	switch code {
	case "610": // Object Not Found
		return connector.ErrNotFound
	case "5010": // Stale Object Error: the SyncToken is not the latest
		return connector.ErrConflict
	case "6140", "6240": // Duplicate Doc Num, Duplicate Name Exists
		return connector.ErrConflict
	case "3001": // ThrottleExceeded
		return connector.ErrRateLimited
	case "3200", "100": // AuthenticationFailed, General Authentication Error
		return connector.ErrUnauthorized
	case "3100", "120": // ApplicationAuthorizationFailed, Authorization Failure
		return connector.ErrForbidden
	}
	if status >= 500 || status == http.StatusTooManyRequests || status == http.StatusUnauthorized || status == http.StatusForbidden {
		return nil
	}
	switch strings.ToLower(faultType) {
	case "validationfault":
		return connector.ErrValidation
	case "authenticationfault", "authentication":
		return connector.ErrUnauthorized
	case "authorizationfault", "authorization":
		return connector.ErrForbidden
	case "systemfault", "servicefault":
		return connector.ErrUnavailable
	}
	return nil
}

// faultError is a Fault sent inside a 200 (a query the API refused in
// part): an error, redacted by the client.
func (a *api) faultError(op string, f *faultWire) error {
	e := &connector.APIError{Vendor: "quickbooks", Op: op, StatusCode: http.StatusOK, Kind: connector.ErrValidation}
	fillFault(f, e)
	e.Message, e.Code = a.c.Redact(e.Message), a.c.Redact(e.Code)
	return e
}

func notFound(op, what string) error {
	return &connector.APIError{Vendor: "quickbooks", Op: op, Kind: connector.ErrNotFound, Message: what + " not found"}
}

func invalid(op, msg string) error {
	return &connector.APIError{Vendor: "quickbooks", Op: op, Kind: connector.ErrInvalidResponse, Message: msg}
}
