package quickbooks

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// get reads /v3/company/{realmId}/{resource}.
func (a *api) get(ctx context.Context, resource string, q url.Values, op string) (*response, error) {
	var out response
	if err := a.c.JSON(ctx, http.MethodGet, a.path(resource, q), nil, &out, connector.WithOperation(op)); err != nil {
		return nil, err
	}
	if out.Fault != nil && len(out.Fault.Error) > 0 {
		return nil, a.faultError(op, out.Fault)
	}
	return &out, nil
}

// write POSTs body to resource with a requestid: QuickBooks' idempotency.
// A repeat of a requestid within the realm gets the first answer, and the
// write is not done again. The requestid is derived from the caller's key
// (connector.WithIdempotencyKey) and the operation, 35 characters of the
// 50 Intuit allows; without a key, from a fresh one, so that the client's
// own retries after a lost answer are safe.
// https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features#idempotency
func (a *api) write(ctx context.Context, resource string, q url.Values, body any, op string, opts []connector.CallOption) (*response, error) {
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	if key == "" {
		key = connector.NewKey()
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set("requestid", requestID(key, op))
	var out response
	opts = append(slices.Clip(opts), connector.WithIdempotencyKey(key), connector.WithOperation(op))
	var err error
	if body == nil {
		// send: an empty body of application/octet-stream, as Intuit asks.
		err = a.c.Send(ctx, http.MethodPost, a.path(resource, q), "application/octet-stream", strings.NewReader(""), &out, opts...)
	} else {
		err = a.c.JSON(ctx, http.MethodPost, a.path(resource, q), body, &out, opts...)
	}
	if err != nil {
		return nil, err
	}
	if out.Fault != nil && len(out.Fault.Error) > 0 {
		return nil, a.faultError(op, out.Fault)
	}
	return &out, nil
}

// requestID is the requestid for a key and an operation: one key used for
// an invoice and its payment gives two requestids.
func requestID(key, op string) string { return connector.DeriveKey("quickbooks", op, key) }

// pageSize is a query page's MAXRESULTS (QuickBooks allows 1,000).
const pageSize = 100

// quote makes a string literal of the query language: single quotes, with
// a quote or backslash escaped by a backslash.
func quote(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// query runs one select statement through the query endpoint and returns
// the records of entity.
// https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
func (a *api) query(ctx context.Context, entity, stmt, op string) ([]json.RawMessage, error) {
	out, err := a.get(ctx, "query", url.Values{"query": {stmt}}, op)
	if err != nil {
		return nil, err
	}
	if out.QueryResponse == nil {
		return nil, nil
	}
	return out.QueryResponse.entities(entity), nil
}

// queryAll walks select * from entity [where ...] with STARTPOSITION and
// MAXRESULTS; a page shorter than MAXRESULTS is the last.
func queryAll[T any](ctx context.Context, a *api, entity, where, op string, decode func(json.RawMessage) (T, error)) iter.Seq2[T, error] {
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[T], error) {
		start := 1
		if cursor != "" {
			start, _ = strconv.Atoi(cursor)
		}
		stmt := "select * from " + entity
		if where != "" {
			stmt += " where " + where
		}
		stmt += " STARTPOSITION " + strconv.Itoa(start) + " MAXRESULTS " + strconv.Itoa(pageSize)
		raws, err := a.query(ctx, entity, stmt, op)
		if err != nil {
			return connector.Page[T]{}, err
		}
		p := connector.Page[T]{Items: make([]T, 0, len(raws))}
		for _, raw := range raws {
			v, err := decode(raw)
			if err != nil {
				return connector.Page[T]{}, invalid(op, "a "+entity+" could not be decoded")
			}
			p.Items = append(p.Items, v)
		}
		if len(raws) == pageSize {
			p.Next = strconv.Itoa(start + pageSize)
		}
		return p, nil
	})
}

// cdcLimit is how many records of one entity a change data capture
// answer holds at most.
const cdcLimit = 1000

// Change is one record changed since a time, from change data capture:
// deleted ones too.
type Change struct {
	Entity    string    // Customer, Invoice, Payment, Item
	ID        string    // the record's Id
	Deleted   bool      // status "Deleted": Raw holds only the id and MetaData
	UpdatedAt time.Time // MetaData.LastUpdatedTime
	Raw       json.RawMessage
}

// changes walks change data capture for one entity since a time, oldest
// change first. CDC answers at most 1,000 records an entity and goes back
// 30 days; a full answer is followed by another from its newest change,
// without the records already yielded.
// https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/changedatacapture
func (a *api) changes(ctx context.Context, entity string, since time.Time, op string) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		seen := map[string]time.Time{}
		for {
			list, err := a.cdc(ctx, entity, since, op)
			if err != nil {
				yield(Change{}, err)
				return
			}
			newest := since
			for _, ch := range list {
				if at, ok := seen[ch.ID]; ok && !ch.UpdatedAt.After(at) {
					continue
				}
				seen[ch.ID] = ch.UpdatedAt
				if ch.UpdatedAt.After(newest) {
					newest = ch.UpdatedAt
				}
				if !yield(ch, nil) {
					return
				}
			}
			if len(list) < cdcLimit || !newest.After(since) {
				return
			}
			since = newest
		}
	}
}

// cdc is one GET /cdc?entities=...&changedSince=..., sorted oldest change
// first (Intuit does not say in which order it answers).
func (a *api) cdc(ctx context.Context, entity string, since time.Time, op string) ([]Change, error) {
	out, err := a.get(ctx, "cdc", url.Values{"entities": {entity}, "changedSince": {since.Truncate(time.Second).Format(time.RFC3339)}}, op)
	if err != nil {
		return nil, err
	}
	var list []Change
	for _, cr := range out.CDCResponse {
		for _, qr := range cr.QueryResponse {
			for _, raw := range qr.entities(entity) {
				var w struct {
					ID       string    `json:"Id"`
					Status   string    `json:"status"`
					MetaData *metaData `json:"MetaData"`
				}
				if json.Unmarshal(raw, &w) != nil || w.ID == "" {
					return nil, invalid(op, "a "+entity+" could not be decoded")
				}
				ch := Change{Entity: entity, ID: w.ID, Deleted: strings.EqualFold(w.Status, "Deleted"), Raw: raw}
				if w.MetaData != nil {
					ch.UpdatedAt = w.MetaData.LastUpdatedTime.Time
				}
				list = append(list, ch)
			}
		}
	}
	slices.SortStableFunc(list, func(x, y Change) int {
		if c := x.UpdatedAt.Compare(y.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return list, nil
}

// Changes yields the records of entity (Customer, Invoice, Payment, Item)
// changed since a time, deleted ones included, oldest change first, from
// change data capture (30 days back at most).
//
// QuickBooks API: GET /v3/company/{realmId}/cdc?entities=...&changedSince=....
func (c *Client) Changes(ctx context.Context, entity string, since time.Time) iter.Seq2[Change, error] {
	return c.api.changes(ctx, entity, since, "cdc")
}

// updatedSince is a list from change data capture: records changed since,
// oldest change first, without deleted ones.
func updatedSince[T any](ctx context.Context, a *api, entity string, since time.Time, op string, decode func(json.RawMessage) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for ch, err := range a.changes(ctx, entity, since, op) {
			if err != nil {
				yield(zero, err)
				return
			}
			if ch.Deleted || ch.UpdatedAt.Before(since.Truncate(time.Second)) {
				continue
			}
			v, err := decode(ch.Raw)
			if err != nil {
				yield(zero, invalid(op, "a "+entity+" could not be decoded"))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}
