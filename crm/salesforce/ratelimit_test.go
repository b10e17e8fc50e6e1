package salesforce_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/salesforce"
	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
)

// An org near its daily quota: Sforce-Limit-Info slows the client down,
// and a call whose wait would pass its deadline is refused without being
// sent, before the quota is gone.
func TestNearDailyQuota(t *testing.T) {
	srv, client := sandbox(t, nil, salesforce.Config{}, salesforcetest.WithDailyLimit(1000, 960))
	var err error
	sent := 0
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err = client.Contacts.FindByEmail(ctx, "nobody@example.com")
		cancel()
		if isKind(err, connector.ErrRateLimited) {
			break
		}
		sent++
	}
	require.ErrorIs(t, err, connector.ErrRateLimited, "the client should refuse before the quota is gone")
	assert.Contains(t, err.Error(), "not sent")
	used, limit := srv.APIUsage()
	assert.Less(t, used, limit, "quota left")
	assert.LessOrEqual(t, sent, 2, "calls sent before the client held back")
	assert.Equal(t, used-960, srv.Requests(), "the refused call never reached the org")
}

// The quota spent: 403 REQUEST_LIMIT_EXCEEDED TotalRequests, rate limited
// and not retried.
func TestDailyQuotaSpent(t *testing.T) {
	srv, client := sandbox(t, nil, salesforce.Config{}, salesforcetest.WithDailyLimit(100, 100))
	_, err := client.Contacts.Create(context.Background(), crm.Contact{Email: "late@example.com"})
	require.ErrorIs(t, err, connector.ErrRateLimited)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 403, apiErr.StatusCode)
	assert.Equal(t, "REQUEST_LIMIT_EXCEEDED", apiErr.Code)
	assert.Equal(t, 1, srv.Requests(), "not retried")
}
