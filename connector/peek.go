package connector

import (
	"bytes"
	"io"
	"net/http"
)

// PeekBody returns up to limit bytes of resp's body and puts them back, for
// a retry decider.
func PeekBody(resp *http.Response, limit int64) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, limit))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	return b
}
