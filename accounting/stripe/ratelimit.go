package stripe

import (
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// sharedLimit is the budget clients sharing an account draw on
// (connector.WithSharedBudget): Stripe's global rate limit, 100 requests a
// second in live mode and 25 in a sandbox, per account. Stripe sends no
// rate-limit headers; a 429 is retried with back off (decideRetry reads
// Stripe-Should-Retry). https://docs.stripe.com/rate-limits
func sharedLimit(live bool) connector.Limit {
	if live {
		return connector.Within(100, time.Second)
	}
	return connector.Within(25, time.Second)
}
