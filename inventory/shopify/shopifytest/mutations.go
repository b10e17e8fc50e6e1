package shopifytest

import (
	"strconv"
	"time"
)

func userError(field []string, code, message string) map[string]any {
	return map[string]any{"field": field, "code": code, "message": message}
}

func (s *Server) findItem(id string) *stockItem {
	for _, it := range s.items {
		if it.itemID == id {
			return it
		}
	}
	return nil
}

func (s *Server) findLocation(id string) *location {
	for _, l := range s.locations {
		if l.id == id {
			return l
		}
	}
	return nil
}

// adjust is inventoryAdjustQuantities: all changes or none.
func (s *Server) adjust(a map[string]any) map[string]any {
	input, _ := a["input"].(map[string]any)
	name := argString(input, "name")
	changes, _ := input["changes"].([]any)
	var errs []map[string]any
	if name != "available" && name != "on_hand" {
		errs = append(errs, userError([]string{"input", "name"}, "INVALID_QUANTITY_NAME", "The quantity name must be available or on_hand."))
	}
	type change struct {
		it    *stockItem
		loc   *location
		delta int
	}
	var apply []change
	for i, c := range changes {
		m, _ := c.(map[string]any)
		path := []string{"input", "changes", strconv.Itoa(i)}
		it := s.findItem(argString(m, "inventoryItemId"))
		loc := s.findLocation(argString(m, "locationId"))
		delta, ok := toInt(m["delta"])
		switch {
		case it == nil:
			errs = append(errs, userError(append(path, "inventoryItemId"), "INVALID_INVENTORY_ITEM", "The specified inventory item could not be found."))
		case loc == nil:
			errs = append(errs, userError(append(path, "locationId"), "INVALID_LOCATION", "The specified location could not be found."))
		case !ok:
			errs = append(errs, userError(append(path, "delta"), "ADJUST_QUANTITIES_FAILED", "The delta must be an integer."))
		default:
			apply = append(apply, change{it, loc, delta})
		}
	}
	if len(errs) > 0 {
		return map[string]any{"inventoryAdjustmentGroup": nil, "userErrors": errs}
	}
	var out []map[string]any
	for _, c := range apply {
		key := [2]string{c.it.itemID, c.loc.id}
		lv := s.levels[key]
		if lv == nil {
			lv = &level{}
			s.levels[key] = lv
		}
		lv.onHand += c.delta
		if name == "available" {
			lv.available += c.delta
		}
		after := lv.available
		if name == "on_hand" {
			after = lv.onHand
		}
		out = append(out, map[string]any{"name": name, "delta": c.delta, "quantityAfterChange": after,
			"item": map[string]any{"id": c.it.itemID, "sku": c.it.sku}, "location": map[string]any{"id": c.loc.id, "name": c.loc.name}})
	}
	s.adjusted++
	return map[string]any{"userErrors": []any{}, "inventoryAdjustmentGroup": map[string]any{
		"id": s.gid("InventoryAdjustmentGroup"), "createdAt": time.Now().UTC().Format(time.RFC3339), "reason": argString(input, "reason"),
		"referenceDocumentUri": input["referenceDocumentUri"], "changes": out}}
}

// set is inventorySetQuantities, with compareQuantity checked unless
// ignoreCompareQuantity.
func (s *Server) set(a map[string]any) map[string]any {
	input, _ := a["input"].(map[string]any)
	ignore, _ := input["ignoreCompareQuantity"].(bool)
	quantities, _ := input["quantities"].([]any)
	var errs []map[string]any
	type setTo struct {
		lv  *level
		qty int
	}
	var apply []setTo
	for i, q := range quantities {
		m, _ := q.(map[string]any)
		path := []string{"input", "quantities", strconv.Itoa(i)}
		it := s.findItem(argString(m, "inventoryItemId"))
		loc := s.findLocation(argString(m, "locationId"))
		qty, ok := toInt(m["quantity"])
		switch {
		case it == nil:
			errs = append(errs, userError(append(path, "inventoryItemId"), "INVALID_INVENTORY_ITEM", "The specified inventory item could not be found."))
			continue
		case loc == nil:
			errs = append(errs, userError(append(path, "locationId"), "INVALID_LOCATION", "The specified location could not be found."))
			continue
		case !ok || qty < 0:
			errs = append(errs, userError(append(path, "quantity"), "INVALID_QUANTITY_NEGATIVE", "The quantity can't be negative."))
			continue
		}
		lv := s.levels[[2]string{it.itemID, loc.id}]
		if lv == nil {
			lv = &level{}
			s.levels[[2]string{it.itemID, loc.id}] = lv
		}
		if !ignore {
			cmp, has := toInt(m["compareQuantity"])
			if !has {
				errs = append(errs, userError(append(path, "compareQuantity"), "COMPARE_QUANTITY_REQUIRED", "The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity."))
				continue
			}
			if cmp != lv.available {
				errs = append(errs, userError(append(path, "compareQuantity"), "COMPARE_QUANTITY_STALE", "The compareQuantity argument no longer matches the persisted quantity."))
				continue
			}
		}
		apply = append(apply, setTo{lv, qty})
	}
	if len(errs) > 0 {
		return map[string]any{"inventoryAdjustmentGroup": nil, "userErrors": errs}
	}
	for _, st := range apply {
		st.lv.onHand += st.qty - st.lv.available
		st.lv.available = st.qty
	}
	s.adjusted++
	return map[string]any{"userErrors": []any{}, "inventoryAdjustmentGroup": map[string]any{
		"id": s.gid("InventoryAdjustmentGroup"), "createdAt": time.Now().UTC().Format(time.RFC3339), "reason": argString(input, "reason")}}
}
