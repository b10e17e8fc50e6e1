package shippo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// decodeError reads Shippo's error bodies: {"detail": "..."}, or a map of
// field to messages, nested for objects ({"address_to": {"zip": ["..."]}}).
// Every message is kept, prefixed with its field path.
func decodeError(_ *http.Response, body []byte, e *connector.APIError) {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return
	}
	if d, ok := doc["detail"].(string); ok && len(doc) == 1 {
		e.Message = d
		return
	}
	var msgs []string
	flatten("", doc, &msgs)
	sort.Strings(msgs)
	e.Message = strings.Join(msgs, "; ")
	if len(msgs) > 0 && e.StatusCode == http.StatusBadRequest {
		e.Code = "invalid_fields"
	}
}

func flatten(path string, v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(p, vv, out)
		}
	case []any:
		for _, vv := range x {
			flatten(path, vv, out)
		}
	case string:
		*out = append(*out, path+": "+x)
	case nil:
	default:
		*out = append(*out, fmt.Sprintf("%s: %v", path, x))
	}
}

// transactionError is a purchase Shippo answered with status ERROR: the
// carrier refused it. Every message is kept.
func transactionError(messages []message) error {
	texts := make([]string, 0, len(messages))
	for _, m := range messages {
		t := m.Text
		if m.Source != "" {
			t = m.Source + ": " + t
		}
		texts = append(texts, t)
	}
	return &connector.APIError{Vendor: "shippo", Op: "labels.buy", StatusCode: http.StatusCreated, Code: "transaction_error",
		Message: strings.Join(texts, "; "), Kind: connector.ErrValidation}
}

// invalid is an answer of Shippo's the connector cannot read.
func invalid(op, msg string) error {
	return &connector.APIError{Vendor: "shippo", Op: op, Kind: connector.ErrInvalidResponse, Message: msg}
}
