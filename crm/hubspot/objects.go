package hubspot

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strings"
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

// create adds a record. keyed marks the create safe to retry, for callers
// that made it idempotent (a unique property in props).
//
// HubSpot API: POST /crm/v3/objects/{objectType}.
func (o *objects) create(ctx context.Context, props map[string]string, keyed bool) (*object, error) {
	return o.createWith(ctx, props, []inlineAssociation{}, keyed)
}

// createWith adds a record linked to others in the same call.
func (o *objects) createWith(ctx context.Context, props map[string]string, assocs []inlineAssociation, keyed bool) (*object, error) {
	opts := []connector.CallOption{o.op("create")}
	if keyed {
		opts = append(opts, connector.WithIdempotencyKey("unique-property"))
	}
	var out object
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

// upsertInput is one record of a batch upsert.
type upsertInput struct {
	ID         string            `json:"id"`
	IDProperty string            `json:"idProperty"`
	Properties map[string]string `json:"properties"`
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
	// none. The key only tells the connector that a retry is safe.
	err := o.c.JSON(ctx, http.MethodPost, o.path("/batch/upsert"), body, &resp, o.op("upsert"), connector.WithIdempotencyKey("upsert-by-unique-property"))
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
	if err := o.c.JSON(ctx, http.MethodPost, o.path("/search"), req, &pg, o.op("search")); err != nil {
		return nil, err
	}
	return pg.Results, nil
}

func readProperties(standard, custom []string) string {
	return strings.Join(append(append([]string(nil), standard...), custom...), ",")
}
