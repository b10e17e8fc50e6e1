package connector

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// DecodeJSON decodes one JSON value from r into v: a malformed document is
// ErrInvalidResponse, a failed read is returned as it is.
func DecodeJSON(r io.Reader, v any) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &invalidResponseError{msg: "decoding JSON: empty body"}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &invalidResponseError{msg: "decoding JSON: " + err.Error()}
	}
	return nil
}

// readBody reads r whole, in chunks that are kept rather than regrown: a
// body refused at the size cap then costs about the cap in memory, where a
// doubling buffer (io.ReadAll, json.Decoder) costs three times it. A body
// that fits is copied once into one slice for decoding.
func readBody(r io.Reader) ([]byte, error) {
	var chunks [][]byte
	total, size := 0, 4<<10
	for {
		buf := make([]byte, size)
		n, err := io.ReadFull(r, buf)
		chunks, total = append(chunks, buf[:n]), total+n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		size = min(size*2, 1<<20)
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

// bodyText is the start of an error body as one line of text, for a body
// no decoder understood: at most 200 bytes, white space folded, cut at a
// rune boundary.
func bodyText(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return strings.ToValidUTF8(s, "")
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
