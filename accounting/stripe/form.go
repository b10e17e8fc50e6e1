package stripe

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// form is a request body in Stripe's encoding: application/x-www-form-
// urlencoded with nested objects and arrays written as bracketed keys,
// "metadata[order]=1001", "lines[0][tax_rates][0]=txr_1".
type form struct{ v url.Values }

func newForm() *form { return &form{v: url.Values{}} }

// set adds key=value unless value is empty. Keys are written already
// bracketed by the caller, with key() for the parts.
func (f *form) set(key, value string) *form {
	if value != "" {
		f.v.Set(key, value)
	}
	return f
}

// key joins a path into Stripe's bracket syntax: key("lines", 0,
// "description") is "lines[0][description]".
func key(first string, rest ...any) string {
	var b strings.Builder
	b.WriteString(first)
	for _, p := range rest {
		b.WriteByte('[')
		switch x := p.(type) {
		case int:
			b.WriteString(strconv.Itoa(x))
		case string:
			b.WriteString(x)
		}
		b.WriteByte(']')
	}
	return b.String()
}

// encode writes the body with keys sorted, so that the same call always
// sends the same bytes (Stripe compares a retried request's parameters
// with the first under its idempotency key).
func (f *form) encode() string {
	keys := make([]string, 0, len(f.v))
	for k := range f.v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range f.v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}
