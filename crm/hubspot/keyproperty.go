package hubspot

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"

	"github.com/patchbay-go/patchbay/connector"
)

// DefaultIdempotencyProperty is the custom property that holds callers'
// idempotency keys on companies and deals.
const DefaultIdempotencyProperty = "patchbay_idempotency_key"

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
		err = k.c.JSON(ctx, http.MethodPost, "/crm/v3/properties/"+objectType, body, nil,
			connector.WithOperation("properties.create"), connector.WithIdempotencyKey("create-property"))
		if errors.Is(err, connector.ErrConflict) {
			err = nil // created meanwhile by another process
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
