package pipedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/patchbay-go/patchbay/connector"
)

// field is one of an entity's fields: Pipedrive names custom fields by a
// 40-character hash (field_code) and shows users their field_name.
// https://pipedrive.readme.io/docs/core-api-concepts-custom-fields
type field struct {
	Code   string `json:"field_code"`
	Name   string `json:"field_name"`
	Type   string `json:"field_type"`
	Custom bool   `json:"is_custom_field"`
}

// fieldSet caches an entity's fields (GET /api/v2/personFields, ...), so
// that crm records reach custom fields by their names: Properties["Order
// source"] is the field the user made with that name, whatever its hash.
type fieldSet struct {
	c        *connector.Client
	path     string // "personFields"
	keyField string

	mu     sync.Mutex
	loaded bool
	byName map[string]field // lower-case name
	byCode map[string]field
}

func newFieldSet(c *connector.Client, path, keyField string) *fieldSet {
	return &fieldSet{c: c, path: path, keyField: keyField}
}

// load fetches the fields, all pages, once; again when force is set.
// https://developers.pipedrive.com/docs/api/v2/PersonFields#getPersonFields
func (f *fieldSet) load(ctx context.Context, force bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loaded && !force {
		return nil
	}
	byName, byCode := map[string]field{}, map[string]field{}
	cursor := ""
	for {
		q := url.Values{"limit": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var env envelope[[]field]
		if err := f.c.JSON(ctx, "GET", v2+"/"+f.path+"?"+q.Encode(), nil, &env, connector.WithOperation(f.path+".list")); err != nil {
			return err
		}
		for _, fl := range env.Data {
			byCode[fl.Code] = fl
			if _, dup := byName[strings.ToLower(fl.Name)]; !dup || fl.Custom {
				byName[strings.ToLower(fl.Name)] = fl
			}
		}
		if cursor = env.next(); cursor == "" {
			break
		}
	}
	f.byName, f.byCode, f.loaded = byName, byCode, true
	return nil
}

func (f *fieldSet) lookup(key string) (field, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.byCode[key]; ok && fl.Custom {
		return fl, true
	}
	fl, ok := f.byName[strings.ToLower(key)]
	return fl, ok && fl.Custom
}

// resolve finds a custom field by name or hash, loading (or reloading, for
// a field made since) the set when it is not known.
func (f *fieldSet) resolve(ctx context.Context, key string) (field, bool, error) {
	if err := f.load(ctx, false); err != nil {
		return field{}, false, err
	}
	if fl, ok := f.lookup(key); ok {
		return fl, true, nil
	}
	if err := f.load(ctx, true); err != nil {
		return field{}, false, err
	}
	fl, ok := f.lookup(key)
	return fl, ok, nil
}

// toWire turns Properties (by field name or hash) into custom_fields. An
// empty value clears the field. An unknown name is ErrValidation.
func (f *fieldSet) toWire(ctx context.Context, op string, props map[string]string) (map[string]any, error) {
	if len(props) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(props))
	for k, v := range props {
		fl, ok, err := f.resolve(ctx, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, connector.InvalidInput("pipedrive", op, fmt.Sprintf("no custom field named %q", k))
		}
		out[fl.Code] = fieldValue(fl, v)
	}
	return out, nil
}

// fieldValue is a property's text as its field's JSON type: numbers as
// numbers (exact text, never a float), the rest as text; "" is null.
func fieldValue(fl field, v string) any {
	if v == "" {
		return nil
	}
	switch fl.Type {
	case "double", "int":
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return json.Number(v)
		}
	}
	return v
}

// fromWire turns custom_fields into Properties by field name (the hash
// when the field is unknown). Text values stay text; others keep their
// JSON.
func (f *fieldSet) fromWire(ctx context.Context, cf map[string]json.RawMessage) map[string]string {
	if len(cf) == 0 {
		return nil
	}
	_ = f.load(ctx, false) // without names, the hashes still carry the values
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]string, len(cf))
	for code, raw := range cf {
		if string(raw) == "null" {
			continue
		}
		name := code
		if fl, ok := f.byCode[code]; ok {
			name = fl.Name
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out[name] = s
		} else {
			out[name] = string(raw)
		}
	}
	return out
}

// keyCode is the hash of the idempotency key field, made (as a varchar
// field) when create is set and it is missing; "" when it is missing and
// create is not set.
// https://developers.pipedrive.com/docs/api/v2/PersonFields#addPersonField
func (f *fieldSet) keyCode(ctx context.Context, create bool) (string, error) {
	fl, ok, err := f.resolve(ctx, f.keyField)
	if err != nil || ok {
		return fl.Code, err
	}
	if !create {
		return "", nil
	}
	var env envelope[field]
	err = f.c.JSON(ctx, "POST", v2+"/"+f.path, map[string]string{"field_name": f.keyField, "field_type": "varchar"}, &env,
		connector.WithOperation(f.path+".create"))
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	env.Data.Custom = true
	f.byCode[env.Data.Code] = env.Data
	f.byName[strings.ToLower(env.Data.Name)] = env.Data
	f.mu.Unlock()
	return env.Data.Code, nil
}

// keyValue reads the key field's value on a record.
func keyValue(cf map[string]json.RawMessage, code string) string {
	var s string
	_ = json.Unmarshal(cf[code], &s)
	return s
}

// withKey is toWire, plus key in the key field code when there is one.
func (f *fieldSet) withKey(ctx context.Context, op string, props map[string]string, code, key string) (map[string]any, error) {
	cf, err := f.toWire(ctx, op, props)
	if err != nil || code == "" {
		return cf, err
	}
	if cf == nil {
		cf = map[string]any{}
	}
	cf[code] = key
	return cf, nil
}

// keyCodeFor is the key field's code (made on first use) for a keyed
// call, "" for a keyless one.
func (f *fieldSet) keyCodeFor(ctx context.Context, o connector.CallOptions) (string, error) {
	if o.IdempotencyKey == "" {
		return "", nil
	}
	return f.keyCode(ctx, true)
}
