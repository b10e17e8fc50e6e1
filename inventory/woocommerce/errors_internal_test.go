package woocommerce

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/patchbay-go/patchbay/connector"
)

// WooCommerce's error bodies give their code and message, and the kind
// the code says where the status alone is wrong.
func TestDecodeError(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
		kind   error
		code   string
	}{
		{404, `{"code":"woocommerce_rest_product_invalid_id","message":"Invalid ID.","data":{"status":404}}`, connector.ErrNotFound, "woocommerce_rest_product_invalid_id"},
		{400, `{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":400}}`, connector.ErrNotFound, "woocommerce_rest_shop_order_invalid_id"},
		{404, `{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}`, connector.ErrNotFound, "rest_no_route"},
		{401, `{"code":"woocommerce_rest_authentication_error","message":"Consumer secret is invalid.","data":{"status":401}}`, connector.ErrUnauthorized, "woocommerce_rest_authentication_error"},
		{401, `{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}`, connector.ErrUnauthorized, "woocommerce_rest_cannot_view"},
		{403, `{"code":"woocommerce_rest_cannot_edit","message":"Sorry, you are not allowed to edit this resource.","data":{"status":403}}`, connector.ErrForbidden, "woocommerce_rest_cannot_edit"},
		{400, `{"code":"rest_invalid_param","message":"Invalid parameter(s): stock_quantity","data":{"status":400}}`, connector.ErrValidation, "rest_invalid_param"},
		{500, `{"code":"woocommerce_rest_product_invalid_id","message":"x","data":{"status":500}}`, connector.ErrUnavailable, "woocommerce_rest_product_invalid_id"},
		{429, `Too Many Requests`, connector.ErrRateLimited, ""},
	} {
		e := &connector.APIError{Vendor: vendorName, StatusCode: tt.status, Kind: kindForTest(tt.status)}
		decodeError(&http.Response{StatusCode: tt.status}, []byte(tt.body), e)
		assert.True(t, errors.Is(e, tt.kind), "%s: %v", tt.body, e.Kind)
		assert.Equal(t, tt.code, e.Code)
	}
}

// kindForTest is the connector's kind for a status before the decoder.
func kindForTest(status int) error {
	switch {
	case status == 401:
		return connector.ErrUnauthorized
	case status == 403:
		return connector.ErrForbidden
	case status == 404:
		return connector.ErrNotFound
	case status == 429:
		return connector.ErrRateLimited
	case status >= 500:
		return connector.ErrUnavailable
	}
	return connector.ErrValidation
}
