package xero

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// pageSize is how many records a list page asks for (Xero allows up to 1,000).
const pageSize = 100

// getJSON GETs path, with If-Modified-Since when since is set.
func getJSON(ctx context.Context, c *connector.Client, path, op string, since time.Time, out any) error {
	opts := []connector.CallOption{connector.WithOperation(op)}
	if !since.IsZero() {
		opts = append(opts, connector.WithRequestHeader("If-Modified-Since", since.UTC().Format("2006-01-02T15:04:05.000Z")))
	}
	return c.JSON(ctx, http.MethodGet, path, nil, out, opts...)
}

// pages walks Xero's page/pageSize pagination: a page shorter than pageSize
// is the last.
func pages[T any](ctx context.Context, fetch func(ctx context.Context, page int) ([]T, error)) iter.Seq2[T, error] {
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[T], error) {
		page := 1
		if cursor != "" {
			page, _ = strconv.Atoi(cursor)
		}
		items, err := fetch(ctx, page)
		if err != nil {
			return connector.Page[T]{}, err
		}
		p := connector.Page[T]{Items: items}
		if len(items) == pageSize {
			p.Next = strconv.Itoa(page + 1)
		}
		return p, nil
	})
}

func notFound(op, what string) error {
	return &connector.APIError{Vendor: "xero", Op: op, Kind: connector.ErrNotFound, Message: what + " not found"}
}

func invalid(op, msg string) error {
	return &connector.APIError{Vendor: "xero", Op: op, Kind: connector.ErrInvalidResponse, Message: msg}
}
