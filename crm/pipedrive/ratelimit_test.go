package pipedrive_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
	"github.com/patchbay-go/patchbay/crm/pipedrive/pipedrivetest"
)

// listPersons is one cheap read.
func listPersons(ctx context.Context, c *pipedrive.Client) error {
	return c.JSON(ctx, "GET", "/api/v2/persons?limit=1", nil, nil)
}

// addPerson is one write, whose answer carries x-daily-requests-left.
func addPerson(ctx context.Context, c *pipedrive.Client) error {
	return c.JSON(ctx, "POST", "/api/v2/persons", map[string]any{"name": "Rate Limit"}, nil)
}

// With a burst limit of 3 requests per 2-second window, calls in a row
// never meet a 429: the client waits out the window from x-ratelimit-
// remaining and -reset. Calls at once all succeed too: the 429s of the
// first burst pause the whole client until the window resets.
func TestBurstLimitPacesTheClient(t *testing.T) {
	srv := pipedrivetest.NewServer(pipedrivetest.WithBurstLimit(3))
	t.Cleanup(srv.Close)
	client, err := pipedrive.New(pipedrive.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
		connector.WithHTTPClient(connectortest.TestClient(t, nil)),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 5 * time.Second}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	start := time.Now()
	for i := range 5 {
		require.NoError(t, listPersons(ctx, client), "call %d", i+1)
	}
	assert.Equal(t, 5, srv.Requests(), "a 429 was met: the client did not pace itself from the headers")
	assert.GreaterOrEqual(t, time.Since(start), 1500*time.Millisecond, "5 calls at 3 per 2 s wait for the window")

	before := srv.Requests()
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Go(func() { errs[i] = listPersons(ctx, client) })
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "concurrent call %d", i+1)
	}
	assert.GreaterOrEqual(t, srv.Requests()-before, 5)
}

// With the daily budget low the client spreads what is left over the rest
// of the UTC day: once a write's answer says 150 are left, the next calls
// (reads, whose answers do not carry the header) wait minutes, so a caller
// with a short deadline gets ErrRateLimited at once, before the sandbox
// sees the call and with the budget not yet spent.
func TestDailyBudgetSlowsDown(t *testing.T) {
	srv, client := sandbox(t, nil, pipedrivetest.WithDailyBudget(151))
	require.NoError(t, addPerson(context.Background(), client))

	var paced error
	sent := 1
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		err := listPersons(ctx, client)
		cancel()
		if err != nil {
			paced = err
			assert.Less(t, time.Since(start), 250*time.Millisecond, "a wait past the deadline fails at once")
			break
		}
		sent++
	}
	require.Error(t, paced, "150 calls left for the day and the client did not slow down")
	require.ErrorIs(t, paced, connector.ErrRateLimited)
	var apiErr *connector.APIError
	require.ErrorAs(t, paced, &apiErr)
	assert.Greater(t, apiErr.RetryAfter, 10*time.Second, "150 calls spread over the rest of the day: minutes apart")
	assert.Equal(t, sent, srv.Requests(), "the paced call reached the sandbox")
}

// Once the daily budget is spent, a call is one request answered 429 with
// x-daily-requests-left: 0, and fails at once with ErrRateLimited, a
// message that says why, and RetryAfter until midnight UTC: it is not
// retried, nothing succeeds before then.
func TestDailyBudgetSpentFailsFast(t *testing.T) {
	srv, client := sandbox(t, nil, pipedrivetest.WithDailyBudget(1))
	ctx := context.Background()
	require.NoError(t, addPerson(ctx, client), "the day's last request")

	for _, call := range []func(context.Context, *pipedrive.Client) error{listPersons, addPerson} {
		before := srv.Requests()
		start := time.Now()
		err := call(ctx, client)
		require.ErrorIs(t, err, connector.ErrRateLimited)
		assert.Less(t, time.Since(start), time.Second, "a spent daily budget fails fast")
		assert.Equal(t, 1, srv.Requests()-before, "a 429 of a spent daily budget was retried")
		var apiErr *connector.APIError
		require.True(t, errors.As(err, &apiErr))
		until := time.Until(time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), time.Now().UTC().Day()+1, 0, 0, 0, 0, time.UTC))
		assert.InDelta(t, until.Seconds(), apiErr.RetryAfter.Seconds(), 5, "RetryAfter is midnight UTC")
		assert.Contains(t, err.Error(), "daily API budget spent")
		assert.Contains(t, err.Error(), "midnight UTC")
	}
}
