package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// APIVersion is the Stripe-Version every request sends. Pinning it means a
// change to the account's default version in the Dashboard cannot change
// what the connector reads; it is the version of the spec stripe-mock
// v0.203.0 serves, which the tests run against. Invoices are modelled on
// it: lines priced through pricing.unit_amount_decimal and taxes under
// taxes/total_taxes, as since the 2025-03-31 (basil) release.
const APIVersion = "2026-08-26.dahlia"

// DefaultBaseURL is Stripe's API host.
const DefaultBaseURL = "https://api.stripe.com"

// Config holds what is particular to one Stripe account.
type Config struct {
	// BaseURL defaults to DefaultBaseURL; a stripetest sandbox's URL() or
	// a stripe-mock in tests.
	BaseURL string
	// Auth is the account's credential: connector.Bearer with a secret key
	// (sk_...) or a restricted key (rk_...), which Stripe takes as a
	// bearer token (https://docs.stripe.com/api/authentication).
	// Required.
	Auth connector.Auth
	// Live says Auth is a live-mode key (sk_live_, rk_live_): a budget
	// shared by clients (connector.WithSharedBudget) is drawn at Stripe's
	// live rate, 100 requests a second, not the sandbox's 25.
	// https://docs.stripe.com/rate-limits
	Live bool
}

// Client is a Stripe account, as the accounting interfaces.
type Client struct {
	*connector.Client // Do: any endpoint the services do not cover yet
	Customers         *CustomersService
	Invoices          *InvoicesService
	Payments          *PaymentsService
}

var (
	_ connector.Connector  = (*Client)(nil)
	_ accounting.Customers = (*CustomersService)(nil)
	_ accounting.Invoices  = (*InvoicesService)(nil)
	_ accounting.Payments  = (*PaymentsService)(nil)
)

// New builds a client. opts are the connector's.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("stripe: Config.Auth is required (connector.Bearer with the secret key)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	c, err := connector.New(connector.Vendor{
		Name:              "stripe",
		BaseURL:           cfg.BaseURL,
		Auth:              cfg.Auth,
		Header:            http.Header{"Stripe-Version": {APIVersion}},
		IdempotencyHeader: "Idempotency-Key",
		KeyEveryWrite:     true,
		DecodeError:       decodeError,
		DecideRetry:       decideRetry,
		RequestIDHeaders:  []string{"Request-Id"},
		Limit:             sharedLimit(cfg.Live),
	}, opts...)
	if err != nil {
		return nil, err
	}
	a := &api{c: c}
	return &Client{Client: c, Customers: &CustomersService{a}, Invoices: &InvoicesService{a}, Payments: &PaymentsService{a}}, nil
}

// api sends Stripe's requests: forms in, JSON out.
type api struct{ c *connector.Client }

// call sends f (nil for none) to path and decodes the JSON answer into
// out. GETs carry f as their query string; other methods as a form body.
func (a *api) call(ctx context.Context, method, path string, f *form, out any, op string, opts ...connector.CallOption) error {
	var body io.Reader
	if f != nil {
		if method == http.MethodGet {
			if q := f.encode(); q != "" {
				path += "?" + q
			}
		} else {
			body = strings.NewReader(f.encode())
		}
	}
	return a.c.Send(ctx, method, path, "application/x-www-form-urlencoded", body, out, append(opts, connector.WithOperation(op))...)
}

// subKey derives the key of one of several calls that make up a keyed
// operation (an invoice is created, given lines, finalised), so that a
// retried operation replays each call.
func subKey(opts []connector.CallOption, part string) connector.CallOption {
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	if key == "" {
		return nil
	}
	return connector.WithIdempotencyKey(connector.DeriveKey(key, part))
}

const pageSize = 100

// listAll yields every object of a list endpoint, a page of 100 at a time,
// each page starting after the last object of the one before.
// https://docs.stripe.com/api/pagination
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

// change is an object as one of its events shows it, and when that
// event happened.
type change struct {
	object json.RawMessage
	at     time.Time
}

// changedSince yields the objects of a kind ("invoice", "customer")
// created or changed at or after since, each once, as its latest event
// shows it, oldest change first: ordered by the time of each object's
// latest change, so that a sync can resume from the last one it handled.
// Stripe objects carry no updated time; its events do, for 30 days
// (https://docs.stripe.com/api/events/list). Deleted objects, and events
// about other objects that the type filter also matches (customer.* takes
// in customer.subscription.*), are skipped.
//
// Stripe lists events newest first, and an object has an event per
// change. So it reads the events twice: newest first, noting each
// object's latest event (one pair of ids per object changed since then:
// the memory this needs), then from the oldest event forward with
// ending_before, yielding each object at its latest event. Events made
// after the first pass began are left to the next sync.
func changedSince(ctx context.Context, a *api, kind string, since time.Time, op string) iter.Seq2[change, error] {
	return func(yield func(change, error) bool) {
		params := func() *form {
			return newForm().set("type", kind+".*").set(key("created", "gte"), strconv.FormatInt(since.Unix(), 10))
		}
		latest := map[string]string{} // object id -> its latest event's id
		var newest string             // where the second pass stops
		var oldest json.RawMessage    // where it starts
		for raw, err := range listAll(ctx, a, "/v1/events", params, op) {
			if err != nil {
				yield(change{}, err)
				return
			}
			ev, obj, err := decodeEvent(raw, op)
			if err != nil {
				yield(change{}, err)
				return
			}
			if newest == "" {
				newest = ev.ID
			}
			oldest = raw
			if obj.Object == kind && obj.ID != "" && latest[obj.ID] == "" {
				latest[obj.ID] = ev.ID
			}
		}
		if newest == "" {
			return
		}
		// take yields raw's object if raw is its latest event, and says
		// whether to go on.
		take := func(raw json.RawMessage) (more bool) {
			ev, obj, err := decodeEvent(raw, op)
			if err != nil {
				yield(change{}, err)
				return false
			}
			if obj.Object == kind && latest[obj.ID] == ev.ID && !obj.Deleted && ev.Type != kind+".deleted" {
				if !yield(change{object: ev.Data.Object, at: unix(ev.Created)}, nil) {
					return false
				}
			}
			return ev.ID != newest
		}
		if !take(oldest) {
			return
		}
		start, _, _ := decodeEvent(oldest, op)
		forward := func(ctx context.Context, before string) (connector.Page[json.RawMessage], error) {
			if before == "" {
				before = start.ID
			}
			f := params().set("limit", strconv.Itoa(pageSize)).set("ending_before", before)
			var page list[json.RawMessage]
			if err := a.call(ctx, http.MethodGet, "/v1/events", f, &page, op); err != nil {
				return connector.Page[json.RawMessage]{}, err
			}
			// A page before a cursor holds the events just newer than it,
			// still newest first.
			slices.Reverse(page.Data)
			out := connector.Page[json.RawMessage]{Items: page.Data}
			if page.HasMore && len(page.Data) > 0 {
				last, _, err := decodeEvent(page.Data[len(page.Data)-1], op)
				if err != nil {
					return out, err
				}
				out.Next = last.ID
			}
			return out, nil
		}
		for raw, err := range connector.All(ctx, forward) {
			if err != nil {
				yield(change{}, err)
				return
			}
			if !take(raw) {
				return
			}
		}
	}
}

// eventObject is what changedSince reads of an event's object.
type eventObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

// decodeEvent decodes a listed event and the head of its object.
func decodeEvent(raw json.RawMessage, op string) (*event, eventObject, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil || ev.ID == "" {
		return nil, eventObject{}, &connector.APIError{Vendor: "stripe", Op: op, Kind: connector.ErrInvalidResponse, Message: "an event could not be decoded"}
	}
	var obj eventObject
	_ = json.Unmarshal(ev.Data.Object, &obj) // an object that is no object is skipped
	return &ev, obj, nil
}
