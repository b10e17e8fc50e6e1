package salesforce_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/salesforce"
)

func isKind(err, kind error) bool { return errors.Is(err, kind) }

// Salesforce's error array maps to the sentinels by errorCode, whatever
// the status says (REQUEST_LIMIT_EXCEEDED is a 403).
func TestErrorCodes(t *testing.T) {
	tests := []struct {
		status int
		code   string
		kind   error
	}{
		{400, "DUPLICATE_VALUE", connector.ErrConflict},
		{400, "REQUIRED_FIELD_MISSING", connector.ErrValidation},
		{400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", connector.ErrValidation},
		{400, "INVALID_FIELD", connector.ErrValidation},
		{400, "MALFORMED_QUERY", connector.ErrValidation},
		{403, "REQUEST_LIMIT_EXCEEDED", connector.ErrRateLimited},
		{401, "INVALID_SESSION_ID", connector.ErrUnauthorized},
		{404, "NOT_FOUND", connector.ErrNotFound},
		{404, "ENTITY_IS_DELETED", connector.ErrNotFound},
		{400, "INVALID_CROSS_REFERENCE_KEY", connector.ErrNotFound},
		{400, "UNABLE_TO_LOCK_ROW", connector.ErrConflict},
		{403, "INSUFFICIENT_ACCESS_OR_READONLY", connector.ErrForbidden},
		{503, "SERVER_UNAVAILABLE", connector.ErrUnavailable},
		{404, "INVALID_FIELD", connector.ErrNotFound}, // a 404 stays not found
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			srv := connectortest.NewServer(t, connectortest.Fault{Status: tt.status,
				Body: `[{"message":"why","errorCode":"` + tt.code + `","fields":["Email"]}]`})
			client, err := salesforce.New(salesforce.Config{BaseURL: srv.URL, Auth: connector.Bearer("00Dtoken-xyz")},
				connector.WithHTTPClient(srv.Client()), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
			require.NoError(t, err)
			_, err = client.Companies.Get(context.Background(), "001000000000001")
			require.ErrorIs(t, err, tt.kind)
			var apiErr *connector.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, "why (fields: Email)", apiErr.Message)
			n := 0
			for _, s := range []error{connector.ErrValidation, connector.ErrNotFound, connector.ErrConflict, connector.ErrRateLimited,
				connector.ErrForbidden, connector.ErrUnauthorized, connector.ErrUnavailable} {
				if errors.Is(err, s) {
					n++
				}
			}
			assert.Equal(t, 1, n, "one sentinel")
		})
	}
}

// UNABLE_TO_LOCK_ROW rolled back: the write is sent again. The concurrent
// requests limit too; the daily one is not.
func TestRetriedCodes(t *testing.T) {
	lock := connectortest.Fault{Status: 400, Body: `[{"message":"unable to obtain exclusive access to this record","errorCode":"UNABLE_TO_LOCK_ROW","fields":[]}]`}
	ok := connectortest.Fault{Status: 201, Body: `{"id":"003000000000001AAA","success":true,"errors":[],"created":true}`}
	srv := connectortest.NewServer(t, lock, ok)
	client, err := salesforce.New(salesforce.Config{BaseURL: srv.URL, Auth: connector.Bearer("00Dtoken-xyz")},
		connector.WithHTTPClient(srv.Client()), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = client.Notes.Add(context.Background(), noteOn("003000000000001"), connector.WithIdempotencyKey("k"))
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Hits())
}

// A proxy's HTML page keeps its text, folded, cut and redacted.
func TestForeignErrorBody(t *testing.T) {
	const token = "00Dsecret-token-SENTINEL"
	page := "<html>\n<body>502 Bad Gateway " + token + " " + strings.Repeat("x", 400) + "</body></html>"
	srv := connectortest.NewServer(t, connectortest.Fault{Status: 502, Body: page, Header: map[string][]string{"Content-Type": {"text/html"}}})
	client, err := salesforce.New(salesforce.Config{BaseURL: srv.URL, Auth: connector.Bearer(token)},
		connector.WithHTTPClient(srv.Client()), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	_, err = client.Contacts.Get(context.Background(), "003000000000001")
	require.ErrorIs(t, err, connector.ErrUnavailable)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, strings.HasPrefix(apiErr.Message, "<html> <body>502 Bad Gateway [REDACTED]"), apiErr.Message)
	assert.LessOrEqual(t, len(apiErr.Message), 203)
	connectortest.CheckNoSecret(t, err, token)
}
