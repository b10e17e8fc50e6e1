package hubspot

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// searchRequest is HubSpot's PublicObjectSearchRequest. after, limit,
// properties and sorts are always sent: the published schema marks them
// required (HubSpot accepts requests without them, but sending them costs
// nothing and keeps every request valid against the spec).
type searchRequest struct {
	FilterGroups []filterGroup `json:"filterGroups"`
	Sorts        []string      `json:"sorts"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

// ErrSearchWindow means more records than one search may return (10,000)
// share a single lastmodifieddate millisecond, so no time window can split
// them. It has not been seen in practice; it would need a bulk import.
var ErrSearchWindow = fmt.Errorf("hubspot: more records share one modification time than a search can return")

// searchWindows lists records with prop (the last-modified date) >= since,
// oldest change first, through the search API.
//
// HubSpot's search returns at most 10,000 results per query. When a
// window reaches that cap, a new window starts at the last modification
// time seen, with >=, and the records already yielded at exactly that time
// are skipped: no record is lost and none is yielded twice. Memory holds
// one page and the ids sharing the boundary millisecond.
//
// HubSpot API: POST /crm/v3/objects/{objectType}/search
// (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide).
func (o *objects) searchWindows(ctx context.Context, prop string, since time.Time) iter.Seq2[*object, error] {
	props := strings.Split(o.props, ",")
	limit := min(200, o.searchCap)
	return func(yield func(*object, error) bool) {
		windowStart := since.UTC().Truncate(time.Millisecond)
		atBoundary := map[string]bool{} // ids yielded at windowStart
		for {
			last := windowStart
			lastIDs := maps.Clone(atBoundary)
			offset := 0
			for {
				if err := ctx.Err(); err != nil {
					yield(nil, err)
					return
				}
				req := searchRequest{
					FilterGroups: []filterGroup{{Filters: []filter{{PropertyName: prop, Operator: "GTE",
						Value: strconv.FormatInt(windowStart.UnixMilli(), 10)}}}},
					Sorts: []string{prop}, Properties: props, Limit: limit, After: strconv.Itoa(offset),
				}
				var p page
				if err := o.c.JSON(ctx, http.MethodPost, o.path("/search"), req, &p, o.op("search")); err != nil {
					yield(nil, err)
					return
				}
				for i := range p.Results {
					rec := &p.Results[i]
					modified := rec.UpdatedAt.UTC().Truncate(time.Millisecond)
					if modified.Equal(windowStart) && atBoundary[rec.ID] {
						continue // yielded by the previous window
					}
					if !modified.Equal(last) {
						last, lastIDs = modified, map[string]bool{}
					}
					lastIDs[rec.ID] = true
					if !yield(rec, nil) {
						return
					}
				}
				next := p.next()
				if next == "" {
					return
				}
				n, err := strconv.Atoi(next)
				if err != nil || n <= offset {
					yield(nil, fmt.Errorf("%w: search cursor %q", connector.ErrCursorLoop, next))
					return
				}
				offset = n
				if offset+limit > o.searchCap {
					break // the cap: start a new window
				}
			}
			if last.Equal(windowStart) {
				yield(nil, ErrSearchWindow)
				return
			}
			windowStart, atBoundary = last, lastIDs
		}
	}
}

// mapSeq turns a sequence of wire records into domain records.
func mapSeq[T any](seq iter.Seq2[*object, error], to func(*object) T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for o, err := range seq {
			var zero T
			if err != nil {
				yield(zero, err)
				return
			}
			if !yield(to(o), nil) {
				return
			}
		}
	}
}
