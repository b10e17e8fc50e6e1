package pipedrive

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"

	"github.com/patchbay-go/patchbay/connector"
)

// get reads one record's data, raw.
func get(ctx context.Context, c *connector.Client, path, op string) (json.RawMessage, error) {
	var env envelope[json.RawMessage]
	if err := c.JSON(ctx, "GET", path, nil, &env, connector.WithOperation(op)); err != nil {
		return nil, err
	}
	return env.Data, nil
}

// write sends a create (POST) or update (PATCH) and returns the record.
func write(ctx context.Context, c *connector.Client, method, path, op string, body any, opts []connector.CallOption) (json.RawMessage, error) {
	var env envelope[json.RawMessage]
	opts = append(slices.Clone(opts), connector.WithOperation(op))
	if method == "POST" {
		// Pipedrive reads no idempotency key: a create is never replayed
		// blindly by the connector. keyedCreate looks the key up instead.
		opts = append(opts, connector.WithIdempotencyKey(""))
	}
	if err := c.JSON(ctx, method, path, body, &env, opts...); err != nil {
		return nil, err
	}
	return env.Data, nil
}

// search runs /api/v2/<entity>/search for an exact term in the given
// fields and returns the ids found, oldest (lowest) first. Pipedrive's
// search is the only lookup by email or by a custom field's value.
// https://developers.pipedrive.com/docs/api/v2/Persons#searchPersons
func search(ctx context.Context, c *connector.Client, entity, term, fields string) ([]int64, error) {
	q := url.Values{"term": {term}, "fields": {fields}, "exact_match": {"true"}, "limit": {"100"}}
	var env envelope[searchResult]
	if err := c.JSON(ctx, "GET", v2+"/"+entity+"/search?"+q.Encode(), nil, &env, connector.WithOperation(entity+".search")); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(env.Data.Items))
	for _, it := range env.Data.Items {
		ids = append(ids, it.Item.ID)
	}
	slices.Sort(ids)
	return ids, nil
}

// lostAnswer says a write may have been done though its answer never came.
func lostAnswer(err error) bool {
	return errors.Is(err, connector.ErrOutcomeUnknown) || errors.Is(err, connector.ErrUnavailable)
}

// keyedCreate is the create of a vendor with no idempotency: look for the
// key's record first (unless the caller says the key is new), create, and
// after an answer that was lost look again, then send once more only if
// the record is still not there.
func keyedCreate(ctx context.Context, o connector.CallOptions, find func(context.Context) (json.RawMessage, error),
	create func(context.Context) (json.RawMessage, error),
) (json.RawMessage, error) {
	if !o.KeyIsNew {
		if raw, err := find(ctx); err != nil || raw != nil {
			return raw, err
		}
	}
	raw, err := create(ctx)
	if err == nil || !lostAnswer(err) {
		return raw, err
	}
	found, ferr := find(ctx)
	if ferr != nil {
		return nil, errors.Join(err, ferr)
	}
	if found != nil {
		return found, nil
	}
	return create(ctx)
}

// findByKey is the record of entity ("organizations", "deals") holding key
// in the key field code, or nil: found through the search API, then each
// hit read to compare the field exactly.
func findByKey(ctx context.Context, c *connector.Client, entity, code, key string) (json.RawMessage, error) {
	ids, err := search(ctx, c, entity, key, "custom_fields")
	if err != nil {
		return nil, err
	}
	for _, n := range ids {
		raw, err := get(ctx, c, v2+"/"+entity+"/"+idText(n), entity+".get")
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var w struct {
			CustomFields map[string]json.RawMessage `json:"custom_fields"`
		}
		if json.Unmarshal(raw, &w) == nil && keyValue(w.CustomFields, code) == key {
			return raw, nil
		}
	}
	return nil, nil
}
