package stripe

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

const pageSize = 100

// listAll yields every object of a list endpoint, a page of 100 at a time,
// each page starting after the last object of the one before.
func listAll(ctx context.Context, a *api, path string, params func() *form, op string) iter.Seq2[json.RawMessage, error] {
	fetch := func(ctx context.Context, after string) (connector.Page[json.RawMessage], error) {
		f := params().set("limit", strconv.Itoa(pageSize)).set("starting_after", after)
		var page list[json.RawMessage]
		if err := a.call(ctx, http.MethodGet, path, f, &page, op); err != nil {
			return connector.Page[json.RawMessage]{}, err
		}
		out := connector.Page[json.RawMessage]{Items: page.Data}
		if page.HasMore && len(page.Data) > 0 {
			var last struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(page.Data[len(page.Data)-1], &last); err != nil || last.ID == "" {
				return out, &connector.APIError{Vendor: "stripe", Op: op, Kind: connector.ErrInvalidResponse, Message: "a listed object has no id"}
			}
			out.Next = last.ID
		}
		return out, nil
	}
	return connector.All(ctx, fetch)
}

// searchAll yields every result of a search, following next_page. Stripe's
// search is eventually consistent: an object can take up to a minute to
// show (https://docs.stripe.com/search#data-freshness).
func searchAll(ctx context.Context, a *api, path, query, op string) iter.Seq2[json.RawMessage, error] {
	fetch := func(ctx context.Context, page string) (connector.Page[json.RawMessage], error) {
		f := newForm().set("query", query).set("limit", strconv.Itoa(pageSize)).set("page", page)
		var res searchResult[json.RawMessage]
		if err := a.call(ctx, http.MethodGet, path, f, &res, op); err != nil {
			return connector.Page[json.RawMessage]{}, err
		}
		out := connector.Page[json.RawMessage]{Items: res.Data}
		if res.HasMore && res.NextPage != nil {
			out.Next = *res.NextPage
		}
		return out, nil
	}
	return connector.All(ctx, fetch)
}

// changedSince yields the objects of a kind ("invoice", "customer")
// created or changed at or after since, as their latest event shows them.
// Stripe objects carry no updated time; its events do, for 30 days
// (https://docs.stripe.com/api/events/list). Deleted objects are skipped.
func changedSince(ctx context.Context, a *api, kind string, since time.Time, op string) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		params := func() *form {
			return newForm().set("type", kind+".*").set(key("created", "gte"), strconv.FormatInt(since.Unix(), 10))
		}
		seen := map[string]bool{}
		for raw, err := range listAll(ctx, a, "/v1/events", params, op) {
			if err != nil {
				yield(nil, err)
				return
			}
			var ev event
			if err := json.Unmarshal(raw, &ev); err != nil {
				yield(nil, &connector.APIError{Vendor: "stripe", Op: op, Kind: connector.ErrInvalidResponse, Message: "an event could not be decoded"})
				return
			}
			var obj struct {
				ID      string `json:"id"`
				Deleted bool   `json:"deleted"`
			}
			if json.Unmarshal(ev.Data.Object, &obj) != nil || obj.ID == "" || seen[obj.ID] {
				continue // events come newest first: the first seen is the latest state
			}
			seen[obj.ID] = true
			if obj.Deleted || ev.Type == kind+".deleted" {
				continue
			}
			if !yield(ev.Data.Object, nil) {
				return
			}
		}
	}
}
