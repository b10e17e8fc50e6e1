package connector

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// DecodeJSON decodes one JSON value from r into v. A body that is not valid
// JSON, or not of v's shape, gives an error that unwraps to
// ErrInvalidResponse; a failure to read (timeout, reset, the size cap) is
// returned as it is. Nesting deeper than encoding/json's limit (10,000) and
// numbers that overflow their Go type are errors, not panics.
func DecodeJSON(r io.Reader, v any) error {
	rec := &readErrRecorder{r: r}
	err := json.NewDecoder(rec).Decode(v)
	if err == nil {
		return nil
	}
	if rec.err != nil {
		return rec.err
	}
	if errors.Is(err, io.EOF) {
		return &invalidResponseError{msg: "decoding JSON: empty body"}
	}
	return &invalidResponseError{msg: "decoding JSON: " + err.Error()}
}

// readErrRecorder remembers the last read error other than io.EOF, to tell
// a broken connection from a broken document.
type readErrRecorder struct {
	r   io.Reader
	err error
}

func (e *readErrRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// decodeCommonError is the default ErrorDecoder. It reads the error shapes
// most JSON APIs use, and leaves the fields empty for anything else:
//
//	{"message": "...", "code": "...", "category": "..."}
//	{"error": {"message": "...", "code": "...", "type": "..."}}
//	{"error": "...", "error_description": "..."}
//	{"errors": [{"message": "...", "code": "..."}]}
//	{"detail": "...", "title": "..."}   (RFC 9457 problem details)
func decodeCommonError(_ *http.Response, body []byte, e *APIError) {
	var doc struct {
		Message          string          `json:"message"`
		Code             json.RawMessage `json:"code"`
		Category         string          `json:"category"`
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
		Errors           []struct {
			Message string          `json:"message"`
			Code    json.RawMessage `json:"code"`
		} `json:"errors"`
		Detail string `json:"detail"`
		Title  string `json:"title"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return
	}
	e.Message = doc.Message
	e.Code = rawString(doc.Code)
	if e.Code == "" {
		e.Code = doc.Category
	}
	if len(doc.Error) > 0 {
		var nested struct {
			Message string          `json:"message"`
			Code    json.RawMessage `json:"code"`
			Type    string          `json:"type"`
		}
		if json.Unmarshal(doc.Error, &nested) == nil {
			e.Message = first(e.Message, nested.Message)
			e.Code = first(e.Code, rawString(nested.Code), nested.Type)
		} else {
			// {"error": "invalid_grant", "error_description": "..."}
			e.Code = first(e.Code, rawString(doc.Error))
			e.Message = first(e.Message, doc.ErrorDescription)
		}
	}
	if len(doc.Errors) > 0 {
		msgs := make([]string, 0, len(doc.Errors))
		for _, x := range doc.Errors {
			if x.Message != "" {
				msgs = append(msgs, x.Message)
			}
		}
		e.Message = first(e.Message, strings.Join(msgs, "; "))
		e.Code = first(e.Code, rawString(doc.Errors[0].Code))
	}
	e.Message = first(e.Message, doc.Detail, doc.Title)
}

// rawString renders a JSON string or number as text, and anything else as "".
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
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

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
