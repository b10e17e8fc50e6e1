package connector

import "sync"

// Retry quota numbers from the AWS SDKs' "standard" retry mode: a bucket of
// 500 tokens per client (RetryPolicy.Quota), 5 taken per retry (10 after a timeout, which costs
// the vendor more), the cost given back when the retry succeeds, and one
// token added for each call that succeeds at the first attempt. When a vendor
// is down, retries drain the bucket and calls stop multiplying its load:
// 2,000 failing calls cause at most 100 retries, not 4,000.
const (
	quotaCapacity    = 500
	quotaRetryCost   = 5
	quotaTimeoutCost = 10
	quotaNoRetryGain = 1
)

// retryQuota is a token bucket that limits retries, not calls.
type retryQuota struct {
	mu       sync.Mutex
	tokens   int
	capacity int
}

func newRetryQuota(capacity int) *retryQuota {
	return &retryQuota{tokens: capacity, capacity: capacity}
}

// acquire takes the cost of one retry; false means the quota is spent.
func (q *retryQuota) acquire(timeout bool) (cost int, ok bool) {
	cost = quotaRetryCost
	if timeout {
		cost = quotaTimeoutCost
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.tokens < cost {
		return 0, false
	}
	q.tokens -= cost
	return cost, true
}

// release records a successful call: it gives back what its last retry took,
// or adds the small reward for a call that needed no retry.
func (q *retryQuota) release(lastCost int) {
	gain := lastCost
	if gain == 0 {
		gain = quotaNoRetryGain
	}
	q.mu.Lock()
	q.tokens = min(q.tokens+gain, q.capacity)
	q.mu.Unlock()
}
