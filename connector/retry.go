package connector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// RetryPolicy tunes how often and how long a client retries (whether it
// may is fixed: see Client.Do); a zero field takes its default.
type RetryPolicy struct {
	MaxAttempts int // the first try included; 1 turns retries off; default 3, at most 10
	// BaseDelay and MaxDelay bound full-jitter backoff: retry n waits a
	// random time up to min(MaxDelay, BaseDelay*2^n). Defaults 500 ms, 20 s.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After waited out; past it the call
	// returns ErrRateLimited with RetryAfter set. Default 60 s.
	MaxRetryAfter time.Duration
	// Quota is the retry budget (AWS standard mode): a retry costs 5 tokens,
	// 10 after a timeout; a success gives back its cost, or 1. Default 500.
	Quota int
}

// RetryDecision is a vendor package's verdict on one response.
type RetryDecision int

const (
	RetryDefault RetryDecision = iota // apply the standard rules
	RetryYes                          // retry, within attempts and quota
	RetryNo                           // do not retry
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 3
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = max(20*time.Second, p.BaseDelay)
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = time.Minute
	}
	if p.Quota == 0 {
		p.Quota = quotaCapacity
	}
	return p
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1 || p.MaxAttempts > 10:
		return errors.New("connector: RetryPolicy.MaxAttempts must be between 1 and 10")
	case p.BaseDelay < 0 || p.MaxDelay < p.BaseDelay:
		return errors.New("connector: RetryPolicy needs 0 <= BaseDelay <= MaxDelay")
	case p.MaxRetryAfter < 0:
		return errors.New("connector: RetryPolicy.MaxRetryAfter must not be negative")
	case p.Quota < quotaTimeoutCost:
		return errors.New("connector: RetryPolicy.Quota must allow one retry (10 tokens)")
	}
	return nil
}

// checkRetry is go-retryablehttp's CheckRetry, run after every attempt:
// the retry rules, and the attempt's telemetry.
func (st *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if st.tel == nil {
		return st.retryRules(ctx, resp, err)
	}
	retry, cerr := st.retryRules(ctx, resp, err)
	st.c.tel.attempt(st, resp, err, retry)
	return retry, cerr
}

// retryRules are the retry rules of DESIGN.md section 2.
func (st *call) retryRules(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c := st.c
	if ctxErr := ctx.Err(); ctxErr != nil {
		// A write that was sent when the caller gave up may have taken
		// effect all the same.
		if err != nil && classifyTransportError(err) == sentUnknown && !st.replayable() {
			st.outcomeUnknown = true
		}
		return false, ctxErr
	}
	if err != nil {
		switch classifyTransportError(err) {
		case notSentPermanent:
			return false, nil
		case notSent:
			return c.takeRetry(st, isTimeout(err)), nil
		default: // sent, answer lost
			if !st.replayable() {
				st.outcomeUnknown = true
				return false, nil
			}
			return c.takeRetry(st, isTimeout(err)), nil
		}
	}

	decision := RetryDefault
	if c.decide != nil {
		decision = c.decide(resp)
	}
	switch decision {
	case RetryYes:
		return c.takeRetry(st, false), nil
	case RetryNo:
		c.settle(st, resp.StatusCode)
		return false, nil
	}

	status := resp.StatusCode
	_, hasRetryAfter := resp.Header["Retry-After"]
	switch {
	case status == http.StatusTooManyRequests || (status == http.StatusServiceUnavailable && hasRetryAfter):
		// The vendor refused the request without acting on it: any method
		// may be retried, after the wait it asked for.
		if wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if wait > c.retry.MaxRetryAfter {
				return false, nil
			}
			if deadline, has := ctx.Deadline(); has && time.Until(deadline) < wait {
				return false, nil // Do returns ErrRateLimited at once
			}
		}
		return c.takeRetry(st, false), nil
	case status == http.StatusRequestTimeout || status == http.StatusInternalServerError ||
		status == http.StatusBadGateway || status == http.StatusServiceUnavailable ||
		status == http.StatusGatewayTimeout:
		if !st.replayable() {
			st.outcomeUnknown = true
			return false, nil
		}
		return c.takeRetry(st, status == http.StatusGatewayTimeout || status == http.StatusRequestTimeout), nil
	}
	c.settle(st, status)
	return false, nil
}

// takeRetry charges the quota for one more attempt, if one is left.
func (c *Client) takeRetry(st *call, timeout bool) bool {
	if st.attempt >= c.retry.MaxAttempts {
		return false
	}
	cost, ok := c.quota.acquire(timeout)
	if !ok {
		return false
	}
	st.lastCost = cost
	st.attempt++
	return true
}

// settle refunds the quota when a call ends with an answer the vendor meant.
func (c *Client) settle(st *call, status int) {
	if status < 500 {
		c.quota.release(st.lastCost)
	}
}

// backoff is go-retryablehttp's Backoff: the vendor's Retry-After when it
// sent one we accept, otherwise full jitter.
func (c *Client) backoff(base, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(wait, c.retry.MaxRetryAfter)
		}
	}
	return fullJitter(base, max, attempt)
}

func fullJitter(base, max time.Duration, attempt int) time.Duration {
	ceiling := max
	if attempt < 30 && base<<attempt < max && base<<attempt > 0 {
		ceiling = base << attempt
	}
	return rand.N(ceiling + 1)
}

// errorHandler is go-retryablehttp's ErrorHandler. It hands back what the
// last attempt produced, body unread, so that Do can decode the vendor's
// error body instead of a generic "giving up" message.
func errorHandler(resp *http.Response, err error, _ int) (*http.Response, error) {
	return resp, err
}

// notSentMarker marks errors that stop a request before any byte of it is
// sent: the rate-limit wait, the auth layer, NotSent.
type notSentMarker interface {
	error
	notSent()
}

type transportClass int

const (
	sentUnknown      transportClass = iota // the request may have reached the vendor
	notSent                                // provably never arrived: safe to retry
	notSentPermanent                       // never arrived, and retrying will not help
)

// classifyTransportError decides whether a request that failed without an
// answer provably never reached the vendor.
func classifyTransportError(err error) transportClass {
	var own notSentMarker
	if errors.As(err, &own) {
		return notSentPermanent
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
		record           tls.RecordHeaderError
		alert            tls.AlertError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) {
		return notSentPermanent
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return notSent
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return notSent
	}
	// net/http's handshake timeout error type is unexported.
	if strings.Contains(err.Error(), "TLS handshake timeout") {
		return notSent
	}
	return sentUnknown
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
