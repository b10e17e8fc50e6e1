package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// graphQL sends documents to the Admin API with cost pacing.
type graphQL struct {
	c      *connector.Client
	path   string
	bucket *bucket

	mu    sync.Mutex
	costs map[string]float64 // last requested cost by operation, the estimate for the next
}

type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

type costExtension struct {
	Cost *struct {
		RequestedQueryCost float64 `json:"requestedQueryCost"`
		ThrottleStatus     struct {
			MaximumAvailable   float64 `json:"maximumAvailable"`
			CurrentlyAvailable float64 `json:"currentlyAvailable"`
			RestoreRate        float64 `json:"restoreRate"`
		} `json:"throttleStatus"`
	} `json:"cost"`
}

// maxThrottledRetries bounds the waits on THROTTLED answers.
const maxThrottledRetries = 5

// do sends one operation and decodes its data into out. Top-level errors
// become typed errors; THROTTLED is waited out and retried.
func (g *graphQL) do(ctx context.Context, opName, doc string, vars map[string]any, out any, opts ...connector.CallOption) error {
	for attempt := 1; ; attempt++ {
		g.mu.Lock()
		estimate := g.costs[opName]
		g.mu.Unlock()
		if estimate == 0 {
			estimate = 10
		}
		if err := sleep(ctx, g.bucket.reserve(estimate), opName); err != nil {
			return err
		}
		var resp struct {
			Data       json.RawMessage `json:"data"`
			Errors     json.RawMessage `json:"errors"`
			Extensions costExtension   `json:"extensions"`
		}
		body := map[string]any{"query": doc, "variables": vars, "operationName": opName}
		callOpts := append(opts, connector.WithOperation(opName))
		if strings.HasPrefix(strings.TrimSpace(doc), "query") {
			// A query changes nothing: it is safe to retry though it is a POST.
			callOpts = append(callOpts, connector.WithIdempotencyKey("graphql-query-is-read-only"))
		}
		err := g.c.JSON(ctx, http.MethodPost, g.path, body, &resp, callOpts...)
		if err != nil {
			return err
		}
		if c := resp.Extensions.Cost; c != nil {
			ts := c.ThrottleStatus
			g.bucket.update(ts.MaximumAvailable, ts.CurrentlyAvailable, ts.RestoreRate)
			g.mu.Lock()
			g.costs[opName] = c.RequestedQueryCost
			g.mu.Unlock()
		}
		errs := decodeErrors(resp.Errors)
		if throttled(errs) {
			if attempt > maxThrottledRetries {
				return &connector.APIError{Vendor: "shopify", Op: opName, StatusCode: http.StatusOK, Code: "THROTTLED",
					Kind: connector.ErrRateLimited, Message: "throttled after " + fmt.Sprint(maxThrottledRetries) + " waits",
					RetryAfter: g.bucket.wait(estimate)}
			}
			continue // the next round waits for the bucket
		}
		if len(errs) > 0 {
			return toAPIError(opName, errs)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(resp.Data, out); err != nil {
			return &connector.APIError{Vendor: "shopify", Op: opName, Kind: connector.ErrInvalidResponse, Message: "data could not be decoded"}
		}
		return nil
	}
}

// decodeErrors reads "errors": an array of GraphQL errors, or the string
// Shopify sends for some HTTP-level failures.
func decodeErrors(raw json.RawMessage) []gqlError {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var errs []gqlError
	if json.Unmarshal(raw, &errs) == nil {
		return errs
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []gqlError{{Message: s}}
	}
	return []gqlError{{Message: "unreadable errors"}}
}

func throttled(errs []gqlError) bool {
	for _, e := range errs {
		if e.Extensions.Code == "THROTTLED" {
			return true
		}
	}
	return false
}

// toAPIError keeps every message with its path.
func toAPIError(op string, errs []gqlError) error {
	msgs := make([]string, 0, len(errs))
	kind, code := connector.ErrValidation, ""
	for _, e := range errs {
		m := e.Message
		if len(e.Path) > 0 {
			parts := make([]string, len(e.Path))
			for i, p := range e.Path {
				parts[i] = fmt.Sprint(p)
			}
			m = strings.Join(parts, ".") + ": " + m
		}
		msgs = append(msgs, m)
		if code == "" {
			code = e.Extensions.Code
		}
		switch e.Extensions.Code {
		case "ACCESS_DENIED":
			kind = connector.ErrForbidden
		case "INTERNAL_SERVER_ERROR":
			kind = connector.ErrUnavailable
		}
	}
	return &connector.APIError{Vendor: "shopify", Op: op, StatusCode: http.StatusOK, Code: code, Message: strings.Join(msgs, "; "), Kind: kind}
}

// userErrorsError maps a mutation's userErrors: a stale compare quantity
// is a conflict, the rest validation errors, each with its field path.
func userErrorsError(op string, errs []userError) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	kind := connector.ErrValidation
	for i, e := range errs {
		msgs[i] = strings.Join(e.Field, ".") + ": " + e.Message
		if e.Code == "COMPARE_QUANTITY_STALE" || e.Code == "CHANGE_FROM_QUANTITY_STALE" {
			kind = connector.ErrConflict
		}
	}
	return &connector.APIError{Vendor: "shopify", Op: op, StatusCode: http.StatusOK, Code: errs[0].Code, Message: strings.Join(msgs, "; "), Kind: kind}
}

type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

func sleep(ctx context.Context, d time.Duration, op string) error {
	if d <= 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return &connector.APIError{Vendor: "shopify", Op: op, Kind: connector.ErrRateLimited, RetryAfter: d,
			Message: "the shop's query budget refills after the context deadline"}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
