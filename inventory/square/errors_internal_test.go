package square

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/patchbay-go/patchbay/connector"
)

// Square's codes type an error beyond its status; the message keeps every
// entry's field and detail.
func TestDecodeError(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
		kind   error
		code   string
	}{
		{400, `{"errors":[{"category":"INVALID_REQUEST_ERROR","code":"IDEMPOTENCY_KEY_REUSED","detail":"used"}]}`, connector.ErrConflict, "IDEMPOTENCY_KEY_REUSED"},
		{400, `{"errors":[{"category":"INVALID_REQUEST_ERROR","code":"INVALID_VALUE","field":"order.version"},{"category":"INVALID_REQUEST_ERROR","code":"VERSION_MISMATCH"}]}`, connector.ErrConflict, "INVALID_VALUE"},
		{400, `{"errors":[{"category":"RATE_LIMIT_ERROR","code":"RATE_LIMITED"}]}`, connector.ErrRateLimited, "RATE_LIMITED"},
		{401, `{"errors":[{"category":"AUTHENTICATION_ERROR","code":"ACCESS_TOKEN_EXPIRED","detail":"expired"}]}`, connector.ErrUnauthorized, "ACCESS_TOKEN_EXPIRED"},
		{403, `{"errors":[{"category":"AUTHENTICATION_ERROR","code":"INSUFFICIENT_SCOPES"}]}`, connector.ErrForbidden, "INSUFFICIENT_SCOPES"},
		{404, `{"errors":[{"category":"INVALID_REQUEST_ERROR","code":"NOT_FOUND","detail":"Order not found","field":"order_id"}]}`, connector.ErrNotFound, "NOT_FOUND"},
		{400, `{"errors":[{"category":"INVALID_REQUEST_ERROR","code":"INVALID_VALUE","detail":"bad","field":"changes[0]"}]}`, connector.ErrValidation, "INVALID_VALUE"},
		{502, `<html>bad gateway</html>`, connector.ErrUnavailable, ""},
	} {
		e := &connector.APIError{StatusCode: tt.status, Kind: statusKind(tt.status)}
		decodeError(&http.Response{StatusCode: tt.status}, []byte(tt.body), e)
		assert.Equal(t, tt.kind, e.Kind, tt.body)
		assert.Equal(t, tt.code, e.Code, tt.body)
	}
	e := &connector.APIError{StatusCode: 400, Kind: connector.ErrValidation}
	decodeError(nil, []byte(`{"errors":[{"code":"INVALID_VALUE","detail":"bad","field":"a"},{"code":"VALUE_TOO_LONG","field":"b"}]}`), e)
	assert.Equal(t, "a: bad; b: VALUE_TOO_LONG", e.Message)
}

func statusKind(status int) error {
	switch status {
	case 401:
		return connector.ErrUnauthorized
	case 403:
		return connector.ErrForbidden
	case 404:
		return connector.ErrNotFound
	case 429:
		return connector.ErrRateLimited
	}
	if status >= 500 {
		return connector.ErrUnavailable
	}
	return connector.ErrValidation
}
