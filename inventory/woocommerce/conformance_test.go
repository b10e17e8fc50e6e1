package woocommerce_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/inventory/inventorytest"
)

// WooCommerce publishes no OpenAPI: its reference is the Slate markdown of
// woocommerce/woocommerce-rest-api-docs (source/includes/wp-api-v3, at
// 13d61967911cb312a27be2dc57b12d5949f40016; see
// ../shared/specs/SOURCES-commerce-shipping.md). documented is what its
// property tables say, field names and types only: for each resource
// (and each nested object, "order.line_items[]"), every field and its
// documented type. Every answer of the sandbox must fit: every field is
// documented for its resource, with a JSON type the documented type
// allows (null for any: "blank fields are generally included as null").
var documented = map[string]map[string]string{
	"product": {
		"id": "integer", "name": "string", "slug": "string", "permalink": "string", "date_created": "date-time",
		"date_created_gmt": "date-time", "date_modified": "date-time", "date_modified_gmt": "date-time", "type": "string",
		"status": "string", "featured": "boolean", "catalog_visibility": "string", "description": "string",
		"short_description": "string", "sku": "string", "price": "string", "regular_price": "string", "sale_price": "string",
		"date_on_sale_from": "date-time", "date_on_sale_from_gmt": "date-time", "date_on_sale_to": "date-time",
		"date_on_sale_to_gmt": "date-time", "price_html": "string", "on_sale": "boolean", "purchasable": "boolean",
		"total_sales": "integer", "virtual": "boolean", "downloadable": "boolean", "downloads": "array", "download_limit": "integer",
		"download_expiry": "integer", "external_url": "string", "button_text": "string", "tax_status": "string", "tax_class": "string",
		"manage_stock": "boolean", "stock_quantity": "integer", "stock_status": "string", "backorders": "string",
		"backorders_allowed": "boolean", "backordered": "boolean", "sold_individually": "boolean", "weight": "string",
		"dimensions": "object", "shipping_required": "boolean", "shipping_taxable": "boolean", "shipping_class": "string",
		"shipping_class_id": "integer", "reviews_allowed": "boolean", "average_rating": "string", "rating_count": "integer",
		"related_ids": "array", "upsell_ids": "array", "cross_sell_ids": "array", "parent_id": "integer", "purchase_note": "string",
		"categories": "array", "tags": "array", "images": "array", "attributes": "array", "default_attributes": "array",
		"variations": "array", "grouped_products": "array", "menu_order": "integer", "meta_data": "array",
	},
	"product.downloads[]": {
		"id": "string", "name": "string", "file": "string",
	},
	"product.dimensions": {
		"length": "string", "width": "string", "height": "string",
	},
	"product.categories[]": {
		"id": "integer", "name": "string", "slug": "string",
	},
	"product.tags[]": {
		"id": "integer", "name": "string", "slug": "string",
	},
	"product.images[]": {
		"id": "integer", "date_created": "date-time", "date_created_gmt": "date-time", "date_modified": "date-time",
		"date_modified_gmt": "date-time", "src": "string", "name": "string", "alt": "string",
	},
	"product.attributes[]": {
		"id": "integer", "name": "string", "position": "integer", "visible": "boolean", "variation": "boolean", "options": "array",
	},
	"product.default_attributes[]": {
		"id": "integer", "name": "string", "option": "string",
	},
	"product.meta_data[]": {
		"id": "integer", "key": "string", "value": "string",
	},
	"variation": {
		"id": "integer", "date_created": "date-time", "date_created_gmt": "date-time", "date_modified": "date-time",
		"date_modified_gmt": "date-time", "description": "string", "permalink": "string", "sku": "string", "price": "string",
		"regular_price": "string", "sale_price": "string", "date_on_sale_from": "date-time", "date_on_sale_from_gmt": "date-time",
		"date_on_sale_to": "date-time", "date_on_sale_to_gmt": "date-time", "on_sale": "boolean", "status": "string",
		"purchasable": "boolean", "virtual": "boolean", "downloadable": "boolean", "downloads": "array", "download_limit": "integer",
		"download_expiry": "integer", "tax_status": "string", "tax_class": "string", "manage_stock": "boolean",
		"stock_quantity": "integer", "stock_status": "string", "backorders": "string", "backorders_allowed": "boolean",
		"backordered": "boolean", "weight": "string", "dimensions": "object", "shipping_class": "string",
		"shipping_class_id": "string", "image": "object", "attributes": "array", "menu_order": "integer", "meta_data": "array",
	},
	"variation.downloads[]": {
		"id": "string", "name": "string", "file": "string",
	},
	"variation.dimensions": {
		"length": "string", "width": "string", "height": "string",
	},
	"variation.image": {
		"id": "integer", "date_created": "date-time", "date_created_gmt": "date-time", "date_modified": "date-time",
		"date_modified_gmt": "date-time", "src": "string", "name": "string", "alt": "string",
	},
	"variation.attributes[]": {
		"id": "integer", "name": "string", "option": "string",
	},
	"variation.meta_data[]": {
		"id": "integer", "key": "string", "value": "string",
	},
	"order": {
		"id": "integer", "parent_id": "integer", "number": "string", "order_key": "string", "created_via": "string",
		"version": "string", "status": "string", "currency": "string", "date_created": "date-time", "date_created_gmt": "date-time",
		"date_modified": "date-time", "date_modified_gmt": "date-time", "discount_total": "string", "discount_tax": "string",
		"shipping_total": "string", "shipping_tax": "string", "cart_tax": "string", "total": "string", "total_tax": "string",
		"prices_include_tax": "boolean", "customer_id": "integer", "customer_ip_address": "string", "customer_user_agent": "string",
		"customer_note": "string", "billing": "object", "shipping": "object", "payment_method": "string",
		"payment_method_title": "string", "transaction_id": "string", "date_paid": "date-time", "date_paid_gmt": "date-time",
		"date_completed": "date-time", "date_completed_gmt": "date-time", "cart_hash": "string", "meta_data": "array",
		"line_items": "array", "tax_lines": "array", "shipping_lines": "array", "fee_lines": "array", "coupon_lines": "array",
		"refunds": "array", "set_paid": "boolean",
	},
	"order.billing": {
		"first_name": "string", "last_name": "string", "company": "string", "address_1": "string", "address_2": "string",
		"city": "string", "state": "string", "postcode": "string", "country": "string", "email": "string", "phone": "string",
	},
	"order.shipping": {
		"first_name": "string", "last_name": "string", "company": "string", "address_1": "string", "address_2": "string",
		"city": "string", "state": "string", "postcode": "string", "country": "string",
	},
	"order.meta_data[]": {
		"id": "integer", "key": "string", "value": "string",
	},
	"order.line_items[]": {
		"id": "integer", "name": "string", "product_id": "integer", "variation_id": "integer", "quantity": "integer",
		"tax_class": "string", "subtotal": "string", "subtotal_tax": "string", "total": "string", "total_tax": "string",
		"taxes": "array", "meta_data": "array", "sku": "string", "price": "string",
	},
	"order.tax_lines[]": {
		"id": "integer", "rate_code": "string", "rate_id": "string", "label": "string", "compound": "boolean", "tax_total": "string",
		"shipping_tax_total": "string", "meta_data": "array",
	},
	"order.shipping_lines[]": {
		"id": "integer", "method_title": "string", "method_id": "string", "total": "string", "total_tax": "string", "taxes": "array",
		"meta_data": "array",
	},
	"order.fee_lines[]": {
		"id": "integer", "name": "string", "tax_class": "string", "tax_status": "string", "total": "string", "total_tax": "string",
		"taxes": "array", "meta_data": "array",
	},
	"order.coupon_lines[]": {
		"id": "integer", "code": "string", "discount": "string", "discount_tax": "string", "meta_data": "array",
	},
	"order.refunds[]": {
		"id": "integer", "reason": "string", "total": "string",
	},
	"note": {
		"id": "integer", "author": "string", "date_created": "date-time", "date_created_gmt": "date-time", "note": "string",
		"customer_note": "boolean", "added_by_user": "boolean",
	},
}

// documentedParams are the query parameters the reference lists for
// each collection the connector reads (besides context).
var documentedParams = map[string][]string{
	"GET /products": {"page", "per_page", "search", "after", "before", "modified_after", "modified_before", "dates_are_gmt", "exclude",
		"include", "offset", "order", "orderby", "parent", "parent_exclude", "slug", "status", "type", "sku", "featured", "category", "tag",
		"shipping_class", "attribute", "attribute_term", "tax_class", "on_sale", "min_price", "max_price", "stock_status"},
	"GET /products/{id}/variations": {"page", "per_page", "search", "after", "before", "exclude", "include", "offset", "order", "orderby",
		"parent", "parent_exclude", "slug", "status", "sku", "tax_class", "on_sale", "min_price", "max_price", "stock_status"},
	"GET /orders": {"page", "per_page", "search", "after", "before", "modified_after", "modified_before", "dates_are_gmt", "exclude",
		"include", "offset", "order", "orderby", "parent", "parent_exclude", "status", "customer", "product", "dp"},
	"GET /orders/{id}/notes":          {"type"},
	"DELETE /orders/{id}/notes/{nid}": {"force"},
}

// documentedOrderby are the orderby options the reference lists.
var documentedOrderby = map[string][]string{
	"GET /products":                 {"date", "id", "include", "title", "slug", "price", "popularity", "rating"},
	"GET /products/{id}/variations": {"date", "id", "include", "title", "slug"},
	"GET /orders":                   {"date", "id", "include", "title", "slug"},
}

// exceptions are where the connector or the sandbox departs from the
// reference, each with why.
var exceptions = map[string]string{
	"GET /orders orderby=modified": "the reference lists date, id, include, title and slug, but WooCommerce's code accepts modified " +
		"(WC_REST_CRUD_Controller::get_collection_params, plugins/woocommerce/includes/rest-api/Controllers/Version3/class-wc-rest-crud-controller.php), " +
		"the one sort that lets a poll resume from the last change it saw",
	"order.line_items[].price number": "the reference types it string, but its own examples show a number (\"price\": 3): " +
		"WooCommerce sends the unit total as a float; the connector reads subtotal instead",
	"error.data.params": "WordPress's rest_invalid_param error names the parameters in data.params (WP_REST_Request::has_valid_params); " +
		"the reference's error example shows data.status only",
}

// errorShape is the error body the reference shows.
var errorShape = map[string]string{"code": "string", "message": "string", "data": "object"}

func jsonFits(documentedType string, v any) bool {
	switch v.(type) {
	case nil:
		return true
	case bool:
		return documentedType == "boolean"
	case json.Number:
		if documentedType == "integer" {
			return !strings.ContainsAny(v.(json.Number).String(), ".eE")
		}
		return documentedType == "number"
	case string:
		return documentedType == "string" || documentedType == "date-time"
	case []any:
		return documentedType == "array"
	case map[string]any:
		return documentedType == "object"
	}
	return false
}

// check reports every field of obj (a kind's object) the reference does
// not document for it, or documents with another type.
func check(kind, path string, obj map[string]any, out *[]string) {
	fields := documented[kind]
	if kind == "error" {
		fields = errorShape
	}
	for f, v := range obj {
		t, ok := fields[f]
		if !ok {
			*out = append(*out, fmt.Sprintf("%s.%s: %s documents no such field", path, f, kind))
			continue
		}
		if !jsonFits(t, v) {
			if _, n := v.(json.Number); !(n && exceptions[kind+"."+f+" number"] != "") {
				*out = append(*out, fmt.Sprintf("%s.%s: %T, documented %s", path, f, v, t))
			}
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			if kind == "error" && f == "data" {
				for k := range x {
					if k != "status" && exceptions["error.data."+k] == "" {
						*out = append(*out, fmt.Sprintf("%s.data.%s: the error example has data.status only", path, k))
					}
				}
				continue
			}
			if _, ok := documented[kind+"."+f]; ok {
				check(kind+"."+f, path+"."+f, x, out)
			}
		case []any:
			for i, e := range x {
				if m, ok := e.(map[string]any); ok {
					if _, known := documented[kind+"."+f+"[]"]; known {
						check(kind+"."+f+"[]", fmt.Sprintf("%s.%s[%d]", path, f, i), m, out)
					} else {
						*out = append(*out, fmt.Sprintf("%s.%s[%d]: objects the reference does not describe", path, f, i))
					}
				}
			}
		}
	}
}

// routes maps a path under /wp-json/wc/v3 to its route and the kind of
// object it answers.
var routes = []struct {
	re         *regexp.Regexp
	route      string
	kind       string
	collection bool
}{
	{regexp.MustCompile(`^/products$`), "/products", "product", true},
	{regexp.MustCompile(`^/products/\d+$`), "/products/{id}", "product", false},
	{regexp.MustCompile(`^/products/\d+/variations$`), "/products/{id}/variations", "variation", true},
	{regexp.MustCompile(`^/products/\d+/variations/\d+$`), "/products/{id}/variations/{vid}", "variation", false},
	{regexp.MustCompile(`^/orders$`), "/orders", "order", true},
	{regexp.MustCompile(`^/orders/\d+$`), "/orders/{id}", "order", false},
	{regexp.MustCompile(`^/orders/\d+/notes$`), "/orders/{id}/notes", "note", true},
	{regexp.MustCompile(`^/orders/\d+/notes/\d+$`), "/orders/{id}/notes/{nid}", "note", false},
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// checkExchange checks one request and its answer against the reference.
func checkExchange(method, path string, query url.Values, reqBody []byte, status int, header http.Header, body []byte) []string {
	var out []string
	p := strings.TrimPrefix(path, "/wp-json/wc/v3")
	var kind, route string
	collection := false
	for _, r := range routes {
		if r.re.MatchString(p) {
			kind, route, collection = r.kind, method+" "+r.route, r.collection
		}
	}
	if kind == "" {
		return []string{method + " " + path + ": a path the reference does not document"}
	}
	for k, vs := range query {
		if k == "context" {
			continue
		}
		if !contains(documentedParams[route], k) {
			out = append(out, fmt.Sprintf("%s: parameter %s is not documented", route, k))
		}
		if k == "orderby" && !contains(documentedOrderby[route], vs[0]) && exceptions[route+" orderby="+vs[0]] == "" {
			out = append(out, fmt.Sprintf("%s: orderby=%s is not a documented option", route, vs[0]))
		}
	}
	if len(reqBody) > 0 {
		v, err := decode(reqBody)
		m, ok := v.(map[string]any)
		if err != nil || !ok {
			out = append(out, route+": the request body is no JSON object")
		}
		for f := range m {
			if _, ok := documented[kind][f]; !ok {
				out = append(out, fmt.Sprintf("%s: request field %s is not a documented %s field", route, f, kind))
			}
		}
	}
	v, err := decode(body)
	if err != nil {
		return append(out, fmt.Sprintf("%s answered %d, no JSON: %v", route, status, err))
	}
	if status >= 400 {
		m, _ := v.(map[string]any)
		check("error", "$", m, &out)
		if m["code"] == nil || m["message"] == nil {
			out = append(out, route+": an error without code or message")
		}
		return out
	}
	if collection && method == http.MethodGet {
		items, ok := v.([]any)
		if !ok {
			return append(out, route+": a collection that is no array")
		}
		if kind != "note" && (header.Get("X-WP-Total") == "" || header.Get("X-WP-TotalPages") == "") {
			out = append(out, route+": no X-WP-Total or X-WP-TotalPages")
		}
		for i, e := range items {
			m, _ := e.(map[string]any)
			check(kind, fmt.Sprintf("[%d]", i), m, &out)
		}
		return out
	}
	m, _ := v.(map[string]any)
	check(kind, "$", m, &out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// conformingTransport checks every exchange that goes through it.
type conformingTransport struct {
	t    *testing.T
	next http.RoundTripper

	mu      sync.Mutex
	checked int
}

func (c *conformingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var reqBody []byte
	if r.Body != nil {
		reqBody, _ = io.ReadAll(r.Body)
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return resp, nil // a host's or PHP's failure, not the API's answer
	}
	if v := checkExchange(r.Method, r.URL.Path, r.URL.Query(), reqBody, resp.StatusCode, resp.Header, body); len(v) > 0 {
		c.t.Errorf("%s %s answered %d, not as the reference documents:\n  %s", r.Method, r.URL.Path, resp.StatusCode, strings.Join(v, "\n  "))
	}
	c.mu.Lock()
	c.checked++
	c.mu.Unlock()
	return resp, nil
}

// conforming gives each subtest a checked transport and counts what they
// checked.
type conforming struct {
	mu  sync.Mutex
	all []*conformingTransport
}

func (c *conforming) wrap(t *testing.T) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		ct := &conformingTransport{t: t, next: next}
		c.mu.Lock()
		c.all = append(c.all, ct)
		c.mu.Unlock()
		return ct
	}
}

func (c *conforming) checked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, ct := range c.all {
		n += ct.checked
	}
	return n
}

// Both contracts again, with every request the connector sends and every
// answer the sandbox gives checked against the reference.
func TestConformanceContract(t *testing.T) {
	c := &conforming{}
	inventorytest.Run(t, func(t *testing.T) inventorytest.Harness { return harness(c.wrap(t))(t) })
	inventorytest.RunOrders(t, func(t *testing.T) inventorytest.OrdersHarness {
		h := ordersHarness(c.wrap(t))(t)
		place := h.PlaceOrder
		h.PlaceOrder = func(o inventorytest.NewOrder) (string, []byte) {
			id, body := place(o)
			// The order.created webhook carries the order as the API shows it.
			assert.Empty(t, checkExchange(http.MethodGet, "/wp-json/wc/v3/orders/"+id, nil, nil, 200, nil, body), "order.created body")
			return id, body
		}
		return h
	})
	assert.Greater(t, c.checked(), 80, "exchanges checked")
}

// The checker fails what it should: a field the reference does not
// document, a field of another type, an undocumented parameter or
// orderby, an error of another shape, a list without its headers.
func TestConformanceCheckerCatches(t *testing.T) {
	h := http.Header{"X-Wp-Total": {"1"}, "X-Wp-Totalpages": {"1"}}
	ok := `[{"id":1,"sku":"MUG","manage_stock":true,"stock_quantity":3,"meta_data":[{"id":2,"key":"k","value":"v"}]}]`
	require.Empty(t, checkExchange("GET", "/wp-json/wc/v3/products", url.Values{"sku": {"MUG"}}, nil, 200, h, []byte(ok)))
	for name, tt := range map[string]struct {
		method, path, query, req string
		status                   int
		header                   http.Header
		body                     string
	}{
		"unknown field":      {"GET", "/products/1", "", "", 200, nil, `{"id":1,"stock":3}`},
		"quantity as string": {"GET", "/products/1", "", "", 200, nil, `{"id":1,"stock_quantity":"3"}`},
		"nested field":       {"GET", "/products/1", "", "", 200, nil, `{"id":1,"meta_data":[{"key":"k","val":"v"}]}`},
		"variation has name": {"GET", "/products/1/variations/2", "", "", 200, nil, `{"id":2,"name":"Tee - S"}`},
		"shipping phone":     {"GET", "/orders/1", "", "", 200, nil, `{"id":1,"shipping":{"phone":"1"}}`},
		"no page headers":    {"GET", "/orders", "", "", 200, nil, `[]`},
		"undocumented param": {"GET", "/products", "stock_quantity=3", "", 200, h, `[]`},
		"undocumented sort":  {"GET", "/products", "orderby=modified", "", 200, h, `[]`},
		"request field":      {"PUT", "/products/1", "", `{"inventory_delta":-1}`, 200, nil, `{"id":1}`},
		"error shape":        {"GET", "/orders/9", "", "", 404, nil, `{"error":"Invalid ID."}`},
		"error data":         {"GET", "/orders/9", "", "", 404, nil, `{"code":"x","message":"m","data":{"status":404,"trace":[]}}`},
		"undocumented path":  {"GET", "/orders/1/shipments", "", "", 200, nil, `[]`},
		"float id":           {"GET", "/orders/1", "", "", 200, nil, `{"id":1.5}`},
	} {
		q, _ := url.ParseQuery(tt.query)
		got := checkExchange(tt.method, "/wp-json/wc/v3"+tt.path, q, []byte(tt.req), tt.status, tt.header, []byte(tt.body))
		assert.NotEmpty(t, got, name)
	}
	keys := make([]string, 0, len(exceptions))
	for k := range exceptions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	assert.Equal(t, []string{"GET /orders orderby=modified", "error.data.params", "order.line_items[].price number"}, keys, "every exception is known and explained")
}
