package pipedrive

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
)

// FuzzDecodeError: any body gives an error of exactly one kind, never a
// panic; a body that is not Pipedrive's leaves the message alone.
func FuzzDecodeError(f *testing.F) {
	f.Add(404, []byte(`{"success":false,"error":"Person not found","error_info":"Please check developers.pipedrive.com"}`))
	f.Add(429, []byte(`{"success":false,"error":"Request over limit","errorCode":429}`))
	f.Add(400, []byte(`{"success":false,"error":"Invalid","code":"ERR_SCHEMA_VALIDATION_FAILED"}`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			return
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{"X-Ratelimit-Reset": {"2"}}}
		e := &connector.APIError{Vendor: "pipedrive", StatusCode: status, Message: "kept", Kind: connector.ErrValidation}
		decodeError(resp, body, e)
		require.Equal(t, connector.ErrValidation, e.Kind, "the decoder changed the kind")
		_ = e.Error()
		_ = decideRetry(resp)
	})
}

func TestDecodeError(t *testing.T) {
	e := &connector.APIError{}
	decodeError(&http.Response{StatusCode: 429, Header: http.Header{"X-Ratelimit-Reset": {"2"}}},
		[]byte(`{"success":false,"error":"Request over limit","errorCode":429}`), e)
	require.Equal(t, "Request over limit", e.Message)
	require.Equal(t, "429", e.Code)
	require.Equal(t, "2s", e.RetryAfter.String())
	e = &connector.APIError{Message: "<html>"}
	decodeError(&http.Response{StatusCode: 502}, []byte(`<html>`), e)
	require.Equal(t, "<html>", e.Message, "a body that is not Pipedrive's keeps its text")
	require.Equal(t, connector.RetryNo, decideRetry(&http.Response{StatusCode: 429, Header: http.Header{"X-Daily-Requests-Left": {"0"}}}))
	require.Equal(t, connector.RetryDefault, decideRetry(&http.Response{StatusCode: 429, Header: http.Header{"X-Daily-Requests-Left": {"9"}}}))
}
