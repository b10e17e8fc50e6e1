package woocommercetest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// product is a product or a variation (parent set).
type product struct {
	id, parent   int64
	typ          string // simple, variable, variation
	name, sku    string
	option       string // a variation's attribute option
	manage       bool
	stock        int
	price        string
	meta         []*meta
	children     []int64
	created, mod time.Time
}

// Variation is one variation of a variable product AddVariable adds.
type Variation struct {
	SKU      string
	Option   string // the value of its one attribute, "Size"
	Quantity int
}

// AddProduct adds a simple product that manages its stock, with quantity
// in stock, and returns its id.
func (s *Server) AddProduct(name, sku string, quantity int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	s.nextID++
	p := &product{id: s.nextID, typ: "simple", name: name, sku: sku, manage: true, stock: quantity, price: "10.00", created: now, mod: now}
	s.products[p.id] = p
	return p.id
}

// AddVariable adds a variable product with one attribute, "Size", and
// its variations, each managing its own stock. It returns the product's
// id and the variations' ids.
func (s *Server) AddVariable(name string, variations ...Variation) (int64, []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	s.nextID++
	parent := &product{id: s.nextID, typ: "variable", name: name, price: "10.00", created: now, mod: now}
	s.products[parent.id] = parent
	var ids []int64
	for _, v := range variations {
		s.nextID++
		c := &product{id: s.nextID, parent: parent.id, typ: "variation", name: name + " - " + v.Option, sku: v.SKU, option: v.Option,
			manage: true, stock: v.Quantity, price: "10.00", created: now, mod: now}
		s.products[c.id] = c
		parent.children = append(parent.children, c.id)
		ids = append(ids, c.id)
	}
	return parent.id, ids
}

// Stock reads a product's or variation's stock_quantity.
func (s *Server) Stock(id int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.products[id]; p != nil {
		return p.stock
	}
	return 0
}

// Meta reads a product's or variation's meta value under key ("" if none).
func (s *Server) Meta(id int64, key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.products[id]; p != nil {
		for _, m := range p.meta {
			if m.key == key {
				v, _ := m.value.(string)
				return v
			}
		}
	}
	return ""
}

func stockStatus(p *product) string {
	if p.manage && p.stock <= 0 {
		return "outofstock"
	}
	return "instock"
}

// productJSON is a product as GET /products answers it, a variation
// included (type "variation", with parent_id), with the documented
// fields a stock sync reads.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#product-properties
func (s *Server) productJSON(p *product) map[string]any {
	var stock any
	if p.manage {
		stock = p.stock
	}
	children := []int64{}
	children = append(children, p.children...)
	return map[string]any{
		"id": p.id, "name": p.name, "slug": slug(p.name), "permalink": s.permalink("product", p.id),
		"date_created": wcDate(p.created), "date_created_gmt": wcDate(p.created), "date_modified": wcDate(p.mod), "date_modified_gmt": wcDate(p.mod),
		"type": p.typ, "status": "publish", "sku": p.sku, "price": p.price, "regular_price": p.price, "sale_price": "",
		"manage_stock": p.manage, "stock_quantity": stock, "stock_status": stockStatus(p), "backorders": "no",
		"parent_id": p.parent, "variations": children, "meta_data": metaJSON(p.meta),
	}
}

// variationJSON is a variation as the variations endpoint answers it: no
// name, type or parent_id (the path says), its attribute as an option.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#product-variation-properties
func (s *Server) variationJSON(v *product) map[string]any {
	var stock any
	if v.manage {
		stock = v.stock
	}
	return map[string]any{
		"id": v.id, "permalink": s.permalink("product", v.parent) + "?attribute_size=" + v.option,
		"date_created": wcDate(v.created), "date_created_gmt": wcDate(v.created), "date_modified": wcDate(v.mod), "date_modified_gmt": wcDate(v.mod),
		"sku": v.sku, "price": v.price, "regular_price": v.price, "sale_price": "", "status": "publish",
		"manage_stock": v.manage, "stock_quantity": stock, "stock_status": stockStatus(v), "backorders": "no",
		"attributes": []any{map[string]any{"id": 0, "name": "Size", "option": v.option}}, "meta_data": metaJSON(v.meta),
	}
}

// listProducts is GET /products: products, not variations, unless sku is
// given, when variations with the SKU are found too (WooCommerce searches
// both post types then); sku is split on commas, each part exact.
func (s *Server) listProducts(r *http.Request, _ map[string]any) (int, any, http.Header) {
	q := r.URL.Query()
	var skus map[string]bool
	if v := q.Get("sku"); v != "" {
		skus = map[string]bool{v: true}
		for _, part := range strings.Split(v, ",") {
			skus[part] = true
		}
	}
	ids := sortedKeys(s.products)
	if q.Get("order") != "asc" {
		// Newest first (orderby date, desc), ids breaking ties as the
		// database would by insertion.
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
	}
	var items []any
	for _, id := range ids {
		p := s.products[id]
		if skus != nil {
			if !skus[p.sku] || p.sku == "" {
				continue
			}
		} else if p.typ == "variation" {
			continue
		}
		items = append(items, s.productJSON(p))
	}
	page, h, err := paginate(r, items)
	if err != nil {
		return err.status, err, nil
	}
	if page == nil {
		page = []any{}
	}
	return http.StatusOK, page, h
}

// lookup finds a product (variation false) or a variation of parent.
func (s *Server) lookup(r *http.Request, variation bool) (*product, *wpError) {
	id := pathID(r, "id")
	if !variation {
		p := s.products[id]
		if p == nil {
			return nil, &wpError{status: http.StatusNotFound, code: "woocommerce_rest_product_invalid_id", message: "Invalid ID."}
		}
		return p, nil
	}
	parent := s.products[id]
	v := s.products[pathID(r, "vid")]
	if parent == nil || v == nil || v.parent != parent.id {
		return nil, &wpError{status: http.StatusNotFound, code: "woocommerce_rest_product_variation_invalid_id", message: "Invalid ID."}
	}
	return v, nil
}

func (s *Server) getProduct(r *http.Request, _ map[string]any) (int, any, http.Header) {
	p, err := s.lookup(r, false)
	if err != nil {
		return err.status, err, nil
	}
	return http.StatusOK, s.productJSON(p), nil
}

func (s *Server) getVariation(r *http.Request, _ map[string]any) (int, any, http.Header) {
	v, err := s.lookup(r, true)
	if err != nil {
		return err.status, err, nil
	}
	return http.StatusOK, s.variationJSON(v), nil
}

func (s *Server) listVariations(r *http.Request, _ map[string]any) (int, any, http.Header) {
	parent := s.products[pathID(r, "id")]
	if parent == nil {
		return fail(http.StatusNotFound, "woocommerce_rest_product_invalid_id", "Invalid ID.")
	}
	var items []any
	for _, id := range parent.children {
		items = append(items, s.variationJSON(s.products[id]))
	}
	page, h, err := paginate(r, items)
	if err != nil {
		return err.status, err, nil
	}
	if page == nil {
		page = []any{}
	}
	return http.StatusOK, page, h
}

func (s *Server) putProduct(r *http.Request, body map[string]any) (int, any, http.Header) {
	p, err := s.lookup(r, false)
	if err != nil {
		// An update of an id that does not exist is 400 in WooCommerce
		// (WC_REST_CRUD_Controller::update_item).
		err.status = http.StatusBadRequest
		return err.status, err, nil
	}
	if status, out, h := s.update(p, body); status != 0 {
		return status, out, h
	}
	return s.answered(http.StatusOK, s.productJSON(p), nil)
}

// answered returns an answer already built, then lets a raced write
// (RaceNextStockWrite) land after it.
func (s *Server) answered(status int, out any, h http.Header) (int, any, http.Header) {
	if s.raced != nil {
		s.raced()
		s.raced = nil
	}
	return status, out, h
}

func (s *Server) putVariation(r *http.Request, body map[string]any) (int, any, http.Header) {
	v, err := s.lookup(r, true)
	if err != nil {
		err.status = http.StatusBadRequest
		return err.status, err, nil
	}
	if status, out, h := s.update(v, body); status != 0 {
		return status, out, h
	}
	return s.answered(http.StatusOK, s.variationJSON(v), nil)
}

// update applies the stock fields and meta_data of a PUT; a non-zero
// status is a refusal.
func (s *Server) update(p *product, body map[string]any) (int, any, http.Header) {
	stock := p.stock
	if v, ok := body["stock_quantity"]; ok {
		n, isNum := v.(json.Number)
		q, err := strconv.Atoi(string(n))
		if !isNum || err != nil {
			return invalidParam("stock_quantity", "stock_quantity is not of type integer.")
		}
		stock = q
	}
	manage := p.manage
	if v, ok := body["manage_stock"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return invalidParam("manage_stock", "manage_stock is not of type boolean.")
		}
		manage = b
	}
	ms := p.meta
	if v, ok := body["meta_data"]; ok {
		var good bool
		if ms, good = s.updateMeta(append([]*meta(nil), p.meta...), v); !good {
			return invalidParam("meta_data", "meta_data is not of type array.")
		}
	}
	before, beforeMeta := p.stock, p.meta
	p.manage, p.meta, p.mod = manage, ms, s.Now()
	if manage {
		// stock_quantity applies only while the product manages stock.
		p.stock = stock
	}
	if _, stockWrite := body["stock_quantity"]; stockWrite && s.race != nil {
		// Another client read before this write, and now sets what it
		// read plus its own delta, with the meta_data it read.
		d := *s.race
		s.race = nil
		s.raced = func() { p.stock, p.meta = before+d, cloneMeta(beforeMeta) }
	}
	return 0, nil, nil
}

func cloneMeta(ms []*meta) []*meta {
	out := make([]*meta, len(ms))
	for i, m := range ms {
		c := *m
		out[i] = &c
	}
	return out
}
