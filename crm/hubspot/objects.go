package hubspot

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// objects is the CRM v3 objects API for one object type: what contacts,
// companies and deals share. Each service maps its domain type onto it.
type objects struct {
	c         *connector.Client
	kind      string // path segment and operation prefix: "contacts", "companies", "deals"
	props     string // the properties every read asks for, comma-separated
	searchCap int
}

func (o *objects) path(rest string) string { return "/crm/v3/objects/" + o.kind + rest }

func (o *objects) op(name string) connector.CallOption {
	return connector.WithOperation(o.kind + "." + name)
}

// get reads one record by id, or by a unique property (idProperty).
//
// HubSpot API: GET /crm/v3/objects/{objectType}/{objectId}.
func (o *objects) get(ctx context.Context, key, idProperty, op string) (*object, error) {
	var out object
	p := o.path("/"+url.PathEscape(key)) + "?properties=" + url.QueryEscape(o.props)
	if idProperty != "" {
		p += "&idProperty=" + url.QueryEscape(idProperty)
	}
	if err := o.c.JSON(ctx, http.MethodGet, p, nil, &out, o.op(op)); err != nil {
		return nil, err
	}
	return &out, nil
}

// list yields every record, 100 a page, in id order.
//
// HubSpot API: GET /crm/v3/objects/{objectType}.
func (o *objects) list(ctx context.Context) iter.Seq2[*object, error] {
	fetch := func(ctx context.Context, after string) (connector.Page[*object], error) {
		p := o.path("?limit=100&properties=" + url.QueryEscape(o.props))
		if after != "" {
			p += "&after=" + url.QueryEscape(after)
		}
		var pg page
		if err := o.c.JSON(ctx, http.MethodGet, p, nil, &pg, o.op("list")); err != nil {
			return connector.Page[*object]{}, err
		}
		return connector.Page[*object]{Items: pg.pointers(), Next: pg.next()}, nil
	}
	return connector.All(ctx, fetch)
}

// listSince yields records with lastmodifieddate >= since (hs_lastmodifieddate
// for companies and deals), oldest change first.
func (o *objects) listSince(ctx context.Context, since time.Time) iter.Seq2[*object, error] {
	prop := "hs_lastmodifieddate"
	if o.kind == "contacts" {
		prop = "lastmodifieddate"
	}
	return o.searchWindows(ctx, prop, since)
}

// create adds a record. keyed says the create is safe to send again, for
// callers that made it idempotent (a unique property in props, so that a
// second create is a 409): it is, when its answer is lost.
//
// HubSpot API: POST /crm/v3/objects/{objectType}.
func (o *objects) create(ctx context.Context, props map[string]string, keyed bool) (*object, error) {
	return o.createWith(ctx, props, []inlineAssociation{}, keyed)
}

// createWith adds a record linked to others in the same call.
func (o *objects) createWith(ctx context.Context, props map[string]string, assocs []inlineAssociation, keyed bool) (*object, error) {
	var out object
	opts := []connector.CallOption{o.op("create")}
	if keyed {
		// A keyed create carries a unique value (an email, the key
		// property): sent again, HubSpot answers 409, which the callers
		// resolve. So the connector may retry it after a lost answer.
		opts = append(opts, connector.WithReplayable())
	}
	err := o.c.JSON(ctx, http.MethodPost, o.path(""), createInput{Properties: props, Associations: assocs}, &out, opts...)
	if err != nil {
		return nil, err
	}
	return out.fillFrom(props), nil
}

// update sets props on a record.
//
// HubSpot API: PATCH /crm/v3/objects/{objectType}/{objectId}.
func (o *objects) update(ctx context.Context, id string, props map[string]string, opts []connector.CallOption) (*object, error) {
	var out object
	err := o.c.JSON(ctx, http.MethodPatch, o.path("/"+url.PathEscape(id)), objectInput{Properties: props}, &out, append(opts, o.op("update"))...)
	if err != nil {
		return nil, err
	}
	return out.fillFrom(props), nil
}

// remove archives a record.
//
// HubSpot API: DELETE /crm/v3/objects/{objectType}/{objectId}.
func (o *objects) remove(ctx context.Context, id string, opts []connector.CallOption) error {
	return o.c.JSON(ctx, http.MethodDelete, o.path("/"+url.PathEscape(id)), nil, nil, append(opts, o.op("delete"))...)
}

// upsert creates or updates up to 100 records by a unique property. It is
// idempotent by nature, so it may always be retried.
//
// HubSpot API: POST /crm/v3/objects/{objectType}/batch/upsert
// (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts).
func (o *objects) upsert(ctx context.Context, inputs []upsertInput) ([]object, error) {
	var resp page
	body := struct {
		Inputs []upsertInput `json:"inputs"`
	}{inputs}
	// HubSpot takes no idempotency key; an upsert by a unique property needs
	// none, and may be retried after a lost answer.
	err := o.c.JSON(ctx, http.MethodPost, o.path("/batch/upsert"), body, &resp, o.op("upsert"), connector.WithReplayable())
	if err != nil {
		return nil, err
	}
	return resp.Results, nil
}

// findBy returns the records whose property equals value (case-insensitive
// for text), up to limit.
//
// HubSpot API: POST /crm/v3/objects/{objectType}/search.
func (o *objects) findBy(ctx context.Context, prop, value string, limit int) ([]object, error) {
	req := searchRequest{
		FilterGroups: []filterGroup{{Filters: []filter{{PropertyName: prop, Operator: "EQ", Value: value}}}},
		Sorts:        []string{"hs_object_id"}, Properties: strings.Split(o.props, ","), Limit: limit, After: "0",
	}
	var pg page
	if err := o.c.JSON(ctx, http.MethodPost, o.path("/search"), req, &pg, o.op("search"), connector.WithReplayable()); err != nil {
		return nil, err
	}
	return pg.Results, nil
}

func readProperties(standard, custom []string) string {
	return strings.Join(append(append([]string(nil), standard...), custom...), ",")
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
				if err := o.c.JSON(ctx, http.MethodPost, o.path("/search"), req, &p, o.op("search"), connector.WithReplayable()); err != nil {
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

// keyProperty makes keyed creates idempotent for object types without a
// natural unique key. HubSpot has no idempotency header, but it enforces
// custom properties created with hasUniqueValue: an upsert by such a
// property with the caller's key as its value creates the record once, and
// finds it every later time, across processes and retries alike.
type keyProperty struct {
	c    *connector.Client
	name string

	mu    sync.Mutex
	ready map[string]bool // object types whose property is known to exist
}

// ensure creates the property on objectType if the portal lacks it.
//
// HubSpot API: GET /crm/v3/properties/{objectType}/{propertyName},
// POST /crm/v3/properties/{objectType}.
func (k *keyProperty) ensure(ctx context.Context, objectType, group string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ready[objectType] {
		return nil
	}
	var existing struct {
		HasUniqueValue bool `json:"hasUniqueValue"`
	}
	err := k.c.JSON(ctx, http.MethodGet, "/crm/v3/properties/"+objectType+"/"+url.PathEscape(k.name), nil, &existing,
		connector.WithOperation("properties.get"))
	switch {
	case err == nil && !existing.HasUniqueValue:
		return connector.InvalidInput("hubspot", "properties.get",
			"property "+k.name+" on "+objectType+" exists without unique values; it cannot hold idempotency keys")
	case errors.Is(err, connector.ErrNotFound):
		body := map[string]any{"name": k.name, "label": "Patchbay idempotency key", "type": "string", "fieldType": "text",
			"groupName": group, "hasUniqueValue": true,
			"description": "Set by Patchbay so that a repeated create finds the record it made. Do not edit."}
		// Sent again, it is a 409: safe to retry after a lost answer.
		err = k.c.JSON(ctx, http.MethodPost, "/crm/v3/properties/"+objectType, body, nil,
			connector.WithOperation("properties.create"), connector.WithReplayable())
		if errors.Is(err, connector.ErrConflict) {
			err = nil // created meanwhile by another process, or by the lost first attempt
		}
	}
	if err != nil {
		return err
	}
	if k.ready == nil {
		k.ready = map[string]bool{}
	}
	k.ready[objectType] = true
	return nil
}

// createKeyed creates a record idempotently under key.
func (o *objects) createKeyed(ctx context.Context, k *keyProperty, group, key string, props map[string]string) (*object, error) {
	if err := k.ensure(ctx, o.kind, group); err != nil {
		return nil, err
	}
	results, err := o.upsert(ctx, []upsertInput{{ID: key, IDProperty: k.name, Properties: props}})
	if err != nil {
		return nil, err
	}
	if len(results) != 1 {
		return nil, &connector.APIError{Vendor: "hubspot", Op: o.kind + ".create", Kind: connector.ErrInvalidResponse,
			Message: "the upsert answer holds no record"}
	}
	return results[0].fillFrom(props), nil
}
