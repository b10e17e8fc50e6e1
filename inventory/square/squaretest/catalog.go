package squaretest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"
)

// AddItem adds a catalog item named name with one variation of sku, its
// inventory tracked, price 10.00 USD, and quantity IN_STOCK at the first
// location. It returns the variation's id: what inventory counts and order
// lines name.
func (s *Server) AddItem(name, sku string, quantity int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.addItem(name, sku, true, 1000, "USD")
	s.counts[[2]string{v.id, s.locations[0].id}] = &count{quantity: quantity, calculatedAt: s.Now()}
	return v.id
}

// addItem adds an item with one variation. Call with s.mu held.
func (s *Server) addItem(name, sku string, tracked bool, price int64, currency string) *variation {
	now := s.Now()
	it := &item{id: randomID(24), name: name, updatedAt: now}
	v := &variation{id: randomID(24), itemID: it.id, name: "Regular", sku: sku, price: price, currency: currency, tracked: tracked, updatedAt: now}
	it.variations = []*variation{v}
	s.items = append(s.items, it)
	s.variations[v.id] = v
	return v
}

// Available reads a variation's IN_STOCK count at a location.
func (s *Server) Available(variationID, locationID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.counts[[2]string{variationID, locationID}]; c != nil {
		return c.quantity
	}
	return 0
}

func (s *Server) itemJSON(it *item) map[string]any {
	var vs []any
	for _, v := range it.variations {
		vs = append(vs, s.variationJSON(v))
	}
	return map[string]any{"type": "ITEM", "id": it.id, "updated_at": stamp(it.updatedAt), "version": it.updatedAt.UnixMilli(),
		"is_deleted": false, "present_at_all_locations": true,
		"item_data": map[string]any{"name": it.name, "is_taxable": true, "variations": vs, "product_type": "REGULAR"}}
}

func (s *Server) variationJSON(v *variation) map[string]any {
	return map[string]any{"type": "ITEM_VARIATION", "id": v.id, "updated_at": stamp(v.updatedAt), "version": v.updatedAt.UnixMilli(),
		"is_deleted": false, "present_at_all_locations": true,
		"item_variation_data": map[string]any{"item_id": v.itemID, "name": v.name, "sku": v.sku, "ordinal": 1,
			"pricing_type": "FIXED_PRICING", "price_money": map[string]any{"amount": v.price, "currency": v.currency},
			"track_inventory": v.tracked, "sellable": true, "stockable": true}}
}

// listCatalog is ListCatalog: 100 objects a page.
// https://developer.squareup.com/reference/square/catalog-api/list-catalog
func (s *Server) listCatalog(w http.ResponseWriter, r *http.Request) {
	types := map[string]bool{}
	for _, t := range strings.Split(r.URL.Query().Get("types"), ",") {
		if t = strings.ToUpper(strings.TrimSpace(t)); t != "" {
			types[t] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []any
	for _, it := range s.items {
		if len(types) == 0 || types["ITEM"] {
			all = append(all, s.itemJSON(it))
		}
		if types["ITEM_VARIATION"] {
			for _, v := range it.variations {
				all = append(all, s.variationJSON(v))
			}
		}
	}
	objs, next, ok := page(w, all, r.URL.Query().Get("cursor"), 100)
	if !ok {
		return
	}
	out := map[string]any{"objects": objs}
	if next != "" {
		out["cursor"] = next
	}
	writeJSON(w, http.StatusOK, out)
}

// searchCatalog is SearchCatalogObjects, for item variations by an exact
// query on sku (Square's exact query ignores case), with their items as
// related objects.
// https://developer.squareup.com/reference/square/catalog-api/search-catalog-objects
func (s *Server) searchCatalog(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ObjectTypes           []string `json:"object_types"`
		IncludeRelatedObjects bool     `json:"include_related_objects"`
		Cursor                string   `json:"cursor"`
		Limit                 *int     `json:"limit"`
		Query                 *struct {
			ExactQuery *struct {
				AttributeName  string `json:"attribute_name"`
				AttributeValue string `json:"attribute_value"`
			} `json:"exact_query"`
		} `json:"query"`
	}
	if _, ok := decode(w, r, &req); !ok {
		return
	}
	limit, ok := limitOf(w, req.Limit, 100, 1000)
	if !ok {
		return
	}
	if !slices.Contains(req.ObjectTypes, "ITEM_VARIATION") {
		invalid(w, "INVALID_VALUE", "The sandbox searches ITEM_VARIATION objects only.", "object_types")
		return
	}
	if req.Query == nil || req.Query.ExactQuery == nil || req.Query.ExactQuery.AttributeName != "sku" {
		invalid(w, "INVALID_VALUE", "The sandbox searches by an exact query on sku only.", "query")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*variation
	for _, it := range s.items {
		for _, v := range it.variations {
			if strings.EqualFold(v.sku, req.Query.ExactQuery.AttributeValue) {
				matched = append(matched, v)
			}
		}
	}
	matched, next, ok := page(w, matched, req.Cursor, limit)
	if !ok {
		return
	}
	out := map[string]any{"objects": []any{}, "latest_time": stamp(s.Now())}
	var objs, related []any
	seen := map[string]bool{}
	for _, v := range matched {
		objs = append(objs, s.variationJSON(v))
		if req.IncludeRelatedObjects && !seen[v.itemID] {
			seen[v.itemID] = true
			for _, it := range s.items {
				if it.id == v.itemID {
					related = append(related, s.itemJSON(it))
				}
			}
		}
	}
	if len(objs) > 0 {
		out["objects"] = objs
	}
	if len(related) > 0 {
		out["related_objects"] = related
	}
	if next != "" {
		out["cursor"] = next
	}
	writeJSON(w, http.StatusOK, out)
}

// batchRetrieveCatalog is BatchRetrieveCatalogObjects: the objects among
// the ids that exist; unknown ids are left out.
// https://developer.squareup.com/reference/square/catalog-api/batch-retrieve-catalog-objects
func (s *Server) batchRetrieveCatalog(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ObjectIDs []string `json:"object_ids"`
	}
	if _, ok := decode(w, r, &req); !ok {
		return
	}
	if len(req.ObjectIDs) == 0 {
		invalid(w, "MISSING_REQUIRED_PARAMETER", "Field must be set", "object_ids")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	objs := []any{}
	for _, id := range req.ObjectIDs {
		if v := s.variations[id]; v != nil {
			objs = append(objs, s.variationJSON(v))
			continue
		}
		for _, it := range s.items {
			if it.id == id {
				objs = append(objs, s.itemJSON(it))
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"objects": objs})
}

func (s *Server) countJSON(k [2]string, c *count) map[string]any {
	return map[string]any{"catalog_object_id": k[0], "catalog_object_type": "ITEM_VARIATION", "state": "IN_STOCK",
		"location_id": k[1], "quantity": strconv.Itoa(c.quantity), "calculated_at": stamp(c.calculatedAt)}
}

// batchRetrieveCounts is BatchRetrieveInventoryCounts: IN_STOCK counts
// (the one state the sandbox keeps), newest first, 100 a page by default
// and 1,000 at most.
// https://developer.squareup.com/reference/square/inventory-api/batch-retrieve-inventory-counts
func (s *Server) batchRetrieveCounts(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CatalogObjectIDs []string `json:"catalog_object_ids"`
		LocationIDs      []string `json:"location_ids"`
		States           []string `json:"states"`
		Cursor           string   `json:"cursor"`
		Limit            *int     `json:"limit"`
	}
	if _, ok := decode(w, r, &req); !ok {
		return
	}
	limit, ok := limitOf(w, req.Limit, 100, 1000)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type entry struct {
		k [2]string
		c *count
	}
	var all []entry
	if len(req.States) == 0 || slices.Contains(req.States, "IN_STOCK") {
		for k, c := range s.counts {
			if (len(req.CatalogObjectIDs) == 0 || slices.Contains(req.CatalogObjectIDs, k[0])) &&
				(len(req.LocationIDs) == 0 || slices.Contains(req.LocationIDs, k[1])) {
				all = append(all, entry{k, c})
			}
		}
	}
	slices.SortFunc(all, func(a, b entry) int {
		if c := b.c.calculatedAt.Compare(a.c.calculatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.k[0]+a.k[1], b.k[0]+b.k[1])
	})
	got, next, ok := page(w, all, req.Cursor, limit)
	if !ok {
		return
	}
	counts := []any{}
	for _, e := range got {
		counts = append(counts, s.countJSON(e.k, e.c))
	}
	out := map[string]any{"counts": counts}
	if next != "" {
		out["cursor"] = next
	}
	writeJSON(w, http.StatusOK, out)
}

type changeWire struct {
	Type       string `json:"type"`
	Adjustment *struct {
		CatalogObjectID string `json:"catalog_object_id"`
		LocationID      string `json:"location_id"`
		FromState       string `json:"from_state"`
		ToState         string `json:"to_state"`
		Quantity        string `json:"quantity"`
		ReferenceID     string `json:"reference_id"`
		OccurredAt      string `json:"occurred_at"`
	} `json:"adjustment"`
	PhysicalCount *struct {
		CatalogObjectID string `json:"catalog_object_id"`
		LocationID      string `json:"location_id"`
		State           string `json:"state"`
		Quantity        string `json:"quantity"`
		OccurredAt      string `json:"occurred_at"`
	} `json:"physical_count"`
}

// batchChange is BatchChangeInventory: every change checked, then all
// applied at once, under the request's idempotency key. It answers the
// IN_STOCK counts of every variation and location the request names, as
// they are once the batch applied.
// https://developer.squareup.com/reference/square/inventory-api/batch-change-inventory
func (s *Server) batchChange(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IdempotencyKey string       `json:"idempotency_key"`
		Changes        []changeWire `json:"changes"`
	}
	body, ok := decode(w, r, &req)
	if !ok {
		return
	}
	if req.IdempotencyKey == "" || len(req.IdempotencyKey) > 128 {
		invalid(w, "VALUE_TOO_SHORT", "`idempotency_key` must be 1 to 128 characters.", "idempotency_key")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := "inventory:" + req.IdempotencyKey
	fp := fingerprint(body)
	if e, seen := s.idem[key]; seen {
		if e.fingerprint != fp {
			invalid(w, "IDEMPOTENCY_KEY_REUSED", "The idempotency key was used before with another request.", "idempotency_key")
			return
		}
		answer(w, s.lose(), e.answer)
		return
	}
	type op struct {
		k        [2]string
		delta    int
		physical bool
		set      int
	}
	var ops []op
	for i, c := range req.Changes {
		var id, loc, qty, field string
		var o op
		switch {
		case c.Type == "ADJUSTMENT" && c.Adjustment != nil:
			a := c.Adjustment
			id, loc, qty, field = a.CatalogObjectID, a.LocationID, a.Quantity, fmt.Sprintf("changes[%d].adjustment", i)
			if !knownState(a.FromState) || !knownState(a.ToState) || a.FromState == a.ToState {
				invalid(w, "INVALID_VALUE", "The adjustment's from_state and to_state are invalid.", field+".from_state")
				return
			}
			n, ok := wholeQuantity(qty)
			if !ok || n <= 0 {
				invalid(w, "INVALID_VALUE", "`quantity` must be a positive number.", field+".quantity")
				return
			}
			if a.ToState == "IN_STOCK" {
				o.delta = n
			} else if a.FromState == "IN_STOCK" {
				o.delta = -n
			}
			if !recent(a.OccurredAt, time.Now()) {
				invalid(w, "INVALID_TIME", "`occurred_at` must be within the last 24 hours and not in the future.", field+".occurred_at")
				return
			}
		case c.Type == "PHYSICAL_COUNT" && c.PhysicalCount != nil:
			p := c.PhysicalCount
			id, loc, qty, field = p.CatalogObjectID, p.LocationID, p.Quantity, fmt.Sprintf("changes[%d].physical_count", i)
			n, ok := wholeQuantity(qty)
			if !ok || n < 0 || p.State != "IN_STOCK" {
				invalid(w, "INVALID_VALUE", "The physical count's state or quantity is invalid.", field+".quantity")
				return
			}
			if !recent(p.OccurredAt, time.Now()) {
				invalid(w, "INVALID_TIME", "`occurred_at` must be within the last 24 hours and not in the future.", field+".occurred_at")
				return
			}
			o.physical, o.set = true, n
		default:
			invalid(w, "INVALID_VALUE", "The change's type and its details do not match.", fmt.Sprintf("changes[%d].type", i))
			return
		}
		if s.variations[id] == nil {
			invalid(w, "INVALID_VALUE", fmt.Sprintf("Object `%s` of type ITEM_VARIATION was not found.", id), field+".catalog_object_id")
			return
		}
		if !s.hasLocation(loc) {
			invalid(w, "INVALID_VALUE", fmt.Sprintf("Location `%s` was not found.", loc), field+".location_id")
			return
		}
		o.k = [2]string{id, loc}
		ops = append(ops, o)
	}
	now := s.Now()
	var touched [][2]string
	for _, o := range ops {
		c := s.counts[o.k]
		if c == nil {
			c = &count{}
			s.counts[o.k] = c
		}
		if o.physical {
			c.quantity = o.set
		} else {
			c.quantity += o.delta
		}
		c.calculatedAt = now
		s.changes++
		if !slices.Contains(touched, o.k) {
			touched = append(touched, o.k)
		}
	}
	counts := []any{}
	for _, k := range touched {
		counts = append(counts, s.countJSON(k, s.counts[k]))
	}
	out := marshal(map[string]any{"counts": counts})
	s.idem[key] = idemEntry{fingerprint: fp, answer: out}
	answer(w, s.lose(), out)
}

func (s *Server) hasLocation(id string) bool {
	for _, l := range s.locations {
		if l.id == id {
			return true
		}
	}
	return false
}

func knownState(st string) bool {
	switch st {
	case "IN_STOCK", "SOLD", "WASTE", "NONE", "RETURNED_BY_CUSTOMER", "RESERVED_FOR_SALE":
		return true
	}
	return false
}

// wholeQuantity reads a decimal quantity the sandbox keeps: whole units.
func wholeQuantity(q string) (int, bool) {
	d, err := decimal.Parse(q)
	if err != nil || !d.IsInt() {
		return 0, false
	}
	n, _, ok := d.Int64(0)
	return int(n), ok
}

// recent says occurred_at is within the last 24 hours and not in the
// future (a minute of skew allowed), as Square requires, by the wall
// clock: the client writes it by its own, whatever Advance did here.
func recent(occurredAt string, now time.Time) bool {
	t, err := time.Parse(time.RFC3339Nano, occurredAt)
	if err != nil {
		return false
	}
	return !t.Before(now.Add(-24*time.Hour)) && !t.After(now.Add(time.Minute))
}

// fingerprint is what identifies a request under an idempotency key: its
// JSON, less occurred_at (the sandbox's assumption: the connector sends
// the time of each attempt, and Square's docs say only that a changed
// request is refused, "behaviour might vary depending on the API").
func fingerprint(body []byte) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return string(body)
	}
	var strip func(any)
	strip = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			delete(t, "occurred_at")
			for _, x := range t {
				strip(x)
			}
		case []any:
			for _, x := range t {
				strip(x)
			}
		}
	}
	strip(v)
	b, _ := json.Marshal(v) // maps marshal with sorted keys
	return string(b)
}
