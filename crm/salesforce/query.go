package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// queryBatchSize asks for 200 records a page, Salesforce's smallest batch
// (default 2,000): a loop that stops early fetches less.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
const queryBatchSize = "batchSize=200"

// queryPage is one answer of GET /query: the records, and nextRecordsUrl
// until done.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
type queryPage struct {
	TotalSize      int               `json:"totalSize"`
	Done           bool              `json:"done"`
	NextRecordsURL string            `json:"nextRecordsUrl"`
	Records        []json.RawMessage `json:"records"`
}

// decodeQueryPage reads a query answer and checks what the pager relies
// on: a next page only when not done, and only on the instance's own API.
func decodeQueryPage(body []byte) (queryPage, error) {
	var p queryPage
	if err := json.Unmarshal(body, &p); err != nil {
		return queryPage{}, fmt.Errorf("salesforce: query page: %w: %v", connector.ErrInvalidResponse, err)
	}
	if p.Done {
		p.NextRecordsURL = ""
	} else if !strings.HasPrefix(p.NextRecordsURL, "/services/data/") || strings.Contains(p.NextRecordsURL, "//") {
		return queryPage{}, fmt.Errorf("salesforce: query page is not done and has no usable nextRecordsUrl %.60q: %w", p.NextRecordsURL, connector.ErrInvalidResponse)
	}
	return p, nil
}

// query runs a SOQL query and yields its records, fetching pages by
// nextRecordsUrl as the loop goes.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
func (o *org) query(ctx context.Context, op, soql string) iter.Seq2[row, error] {
	fetch := func(ctx context.Context, cursor string) (connector.Page[json.RawMessage], error) {
		path := cursor
		if path == "" {
			path = APIPath() + "/query?q=" + url.QueryEscape(soql)
		}
		var raw json.RawMessage
		err := o.c.JSON(ctx, "GET", path, nil, &raw, connector.WithOperation(op),
			connector.WithRequestHeader("Sforce-Query-Options", queryBatchSize))
		if err != nil {
			return connector.Page[json.RawMessage]{}, err
		}
		p, err := decodeQueryPage(raw)
		if err != nil {
			return connector.Page[json.RawMessage]{}, err
		}
		return connector.Page[json.RawMessage]{Items: p.Records, Next: p.NextRecordsURL}, nil
	}
	return func(yield func(row, error) bool) {
		for raw, err := range connector.All(ctx, fetch) {
			if err != nil {
				yield(row{}, err)
				return
			}
			var r record
			if err := json.Unmarshal(raw, &r); err != nil || r == nil {
				yield(row{}, fmt.Errorf("salesforce: %s: record: %w", op, connector.ErrInvalidResponse))
				return
			}
			if !yield(row{r: r, raw: raw}, nil) {
				return
			}
		}
	}
}

// row is one record of a query, decoded and as sent.
type row struct {
	r   record
	raw json.RawMessage
}

// first is the first record of a query, or nil.
func (o *org) first(ctx context.Context, op, soql string) (row, bool, error) {
	for x, err := range o.query(ctx, op, soql) {
		if err != nil {
			return row{}, false, err
		}
		return x, true, nil
	}
	return row{}, false, nil
}

// selectFrom is "SELECT fields FROM object".
// oldest reads the oldest record of object (fields selected) that where
// matches, converted by conv; missing(op, what) when there is none.
func oldest[T any](ctx context.Context, o *org, op, object string, fields []string, where, what string,
	conv func(record, json.RawMessage) (*T, error)) (*T, error) {
	x, ok, err := o.first(ctx, op, selectFrom(fields, object)+where+" ORDER BY CreatedDate ASC, Id ASC LIMIT 1")
	if err != nil {
		return nil, o.explain(err, object)
	}
	if !ok {
		return nil, missing(op, what)
	}
	return conv(x.r, x.raw)
}

// infallible adapts a conversion that cannot fail to oldest.
func infallible[T any](conv func(record, json.RawMessage) *T) func(record, json.RawMessage) (*T, error) {
	return func(r record, raw json.RawMessage) (*T, error) { return conv(r, raw), nil }
}

func selectFrom(fields []string, object string) string {
	return "SELECT " + strings.Join(fields, ", ") + " FROM " + object
}

// sinceClause is the WHERE and ORDER BY of an updated-since list:
// SystemModstamp (changed by every change, system ones included, and
// indexed), oldest change first, ties by id.
func sinceClause(where []string, since time.Time) string {
	if !since.IsZero() {
		where = append(where, "SystemModstamp >= "+soqlDateTime(since))
	}
	s := ""
	if len(where) > 0 {
		s += " WHERE " + strings.Join(where, " AND ")
	}
	if !since.IsZero() {
		s += " ORDER BY SystemModstamp ASC, Id ASC"
	} else {
		s += " ORDER BY CreatedDate ASC, Id ASC"
	}
	return s
}
