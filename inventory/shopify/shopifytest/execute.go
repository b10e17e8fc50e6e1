package shopifytest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// resolver computes a field that takes arguments.
type resolver func(args map[string]any) any

// project keeps what the selection set asks for, as GraphQL answers do:
// aliases, nested selections, resolvers called with their arguments,
// inline fragments merged, __typename from the "__typename" key.
func project(v any, set ast.SelectionSet, vars map[string]any) any {
	if len(set) == 0 {
		return v
	}
	switch x := v.(type) {
	case nil:
		return nil
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = project(e, set, vars)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		projectInto(out, x, set, vars)
		return out
	}
	return v
}

func projectInto(out, node map[string]any, set ast.SelectionSet, vars map[string]any) {
	for _, sel := range set {
		switch f := sel.(type) {
		case *ast.Field:
			val := node[f.Name]
			if r, ok := val.(resolver); ok {
				val = r(args(f, vars))
			}
			out[alias(f)] = project(val, f.SelectionSet, vars)
		case *ast.InlineFragment:
			if t, _ := node["__typename"].(string); f.TypeCondition == "" || f.TypeCondition == t {
				projectInto(out, node, f.SelectionSet, vars)
			}
		}
	}
}

func args(f *ast.Field, vars map[string]any) map[string]any {
	out := map[string]any{}
	for _, a := range f.Arguments {
		if v, err := a.Value.Value(vars); err == nil {
			out[a.Name] = v
		}
	}
	return out
}

func argInt(f *ast.Field, name string, vars map[string]any, def int) int {
	v, ok := args(f, vars)[name]
	if !ok {
		return def
	}
	switch n := v.(type) {
	case int64:
		return int(n)
	case int:
		return n
	case float64:
		return int(n)
	case string:
		i, err := strconv.Atoi(n)
		if err == nil {
			return i
		}
	}
	return def
}

func argString(a map[string]any, name string) string {
	s, _ := a[name].(string)
	return s
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int64:
		return int(n), true
	case int:
		return n, true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

// connection pages nodes as Shopify does: first/after with opaque cursors,
// nodes, edges and pageInfo.
func connection(all []map[string]any, a map[string]any) map[string]any {
	first := 50
	if n, ok := toInt(a["first"]); ok && n > 0 {
		first = min(n, 250)
	}
	start := 0
	if after := argString(a, "after"); after != "" {
		if i, err := strconv.Atoi(strings.TrimPrefix(after, "cursor:")); err == nil {
			start = i + 1
		}
	}
	start = min(start, len(all))
	end := min(start+first, len(all))
	nodes := all[start:end]
	edges := make([]map[string]any, len(nodes))
	for i, n := range nodes {
		edges[i] = map[string]any{"node": n, "cursor": "cursor:" + strconv.Itoa(start+i)}
	}
	info := map[string]any{"hasNextPage": end < len(all), "hasPreviousPage": start > 0, "startCursor": nil, "endCursor": nil}
	if len(nodes) > 0 {
		info["startCursor"] = "cursor:" + strconv.Itoa(start)
		info["endCursor"] = "cursor:" + strconv.Itoa(end-1)
	}
	return map[string]any{"nodes": nodes, "edges": edges, "pageInfo": info}
}

// resolveRoot executes one top-level field. Call with s.mu held.
func (s *Server) resolveRoot(op ast.Operation, f *ast.Field, vars map[string]any) (any, error) {
	a := args(f, vars)
	switch {
	case op == ast.Query && f.Name == "productVariants":
		q := strings.TrimSpace(argString(a, "query"))
		var nodes []map[string]any
		for _, it := range s.items {
			if sku, ok := strings.CutPrefix(q, "sku:"); ok && it.sku != strings.Trim(sku, `"'`) {
				continue
			}
			nodes = append(nodes, s.variantNode(it))
		}
		return connection(nodes, a), nil
	case op == ast.Query && f.Name == "locations":
		var nodes []map[string]any
		for _, l := range s.locations {
			nodes = append(nodes, s.locationNode(l))
		}
		return connection(nodes, a), nil
	case op == ast.Query && f.Name == "inventoryItem":
		for _, it := range s.items {
			if it.itemID == argString(a, "id") {
				return s.itemNode(it), nil
			}
		}
		return nil, nil
	case op == ast.Query && f.Name == "orders":
		return s.listOrders(a)
	case op == ast.Query && f.Name == "order":
		return s.findOrder(argString(a, "id")), nil
	case op == ast.Query && f.Name == "shop":
		return map[string]any{"name": "Patchbay Sandbox", "currencyCode": "USD", "myshopifyDomain": "patchbay-sandbox.myshopify.com"}, nil
	case op == ast.Mutation && f.Name == "inventoryAdjustQuantities":
		return s.idempotent(f, vars, func() map[string]any { return s.adjust(a) }), nil
	case op == ast.Mutation && f.Name == "inventorySetQuantities":
		return s.idempotent(f, vars, func() map[string]any { return s.set(a) }), nil
	case op == ast.Query && f.Name == "fulfillment":
		if o, ful := s.findFulfillment(argString(a, "id")); ful != nil {
			return fulfillmentNode(o, ful), nil
		}
		return nil, nil
	case op == ast.Mutation && f.Name == "fulfillmentCreate":
		return s.idempotent(f, vars, func() map[string]any { return s.fulfil(a) }), nil
	case op == ast.Mutation && f.Name == "fulfillmentCancel":
		return s.idempotent(f, vars, func() map[string]any { return s.cancelFulfillment(a) }), nil
	}
	return nil, fmt.Errorf("Field '%s' doesn't exist on type '%s' in this sandbox", f.Name, strings.Title(string(op)))
}

// idempotent runs a mutation once per @idempotent(key:) and answers the
// same payload for the same key after that.
func (s *Server) idempotent(f *ast.Field, vars map[string]any, run func() map[string]any) map[string]any {
	d := f.Directives.ForName("idempotent")
	if d == nil {
		return run()
	}
	key := ""
	if arg := d.Arguments.ForName("key"); arg != nil {
		if v, err := arg.Value.Value(vars); err == nil {
			key, _ = v.(string)
		}
	}
	id := f.Name + ":" + key
	if prev, ok := s.replays[id]; ok {
		return prev.(map[string]any)
	}
	out := run()
	s.replays[id] = out
	return out
}

func (s *Server) variantNode(it *stockItem) map[string]any {
	return map[string]any{"__typename": "ProductVariant", "id": it.variantID, "sku": it.sku, "title": "Default Title",
		"displayName": it.title + " - Default Title", "product": map[string]any{"id": it.productID, "title": it.title},
		"inventoryItem": s.itemNode(it)}
}

func (s *Server) itemNode(it *stockItem) map[string]any {
	return map[string]any{"__typename": "InventoryItem", "id": it.itemID, "sku": it.sku, "tracked": it.tracked,
		"inventoryLevels": resolver(func(a map[string]any) any {
			var nodes []map[string]any
			for _, l := range s.locations {
				if lv := s.levels[[2]string{it.itemID, l.id}]; lv != nil {
					nodes = append(nodes, s.levelNode(it, l, lv))
				}
			}
			return connection(nodes, a)
		}),
		"inventoryLevel": resolver(func(a map[string]any) any {
			for _, l := range s.locations {
				if l.id == argString(a, "locationId") {
					if lv := s.levels[[2]string{it.itemID, l.id}]; lv != nil {
						return s.levelNode(it, l, lv)
					}
				}
			}
			return nil
		}),
	}
}

func (s *Server) locationNode(l *location) map[string]any {
	return map[string]any{"__typename": "Location", "id": l.id, "name": l.name, "isActive": true}
}

func (s *Server) levelNode(it *stockItem, l *location, lv *level) map[string]any {
	return map[string]any{"__typename": "InventoryLevel", "id": "gid://shopify/InventoryLevel/" + strings.TrimPrefix(l.id, "gid://shopify/Location/") + "?inventory_item_id=" + strings.TrimPrefix(it.itemID, "gid://shopify/InventoryItem/"),
		"location": s.locationNode(l), "item": map[string]any{"id": it.itemID, "sku": it.sku},
		"quantities": resolver(func(a map[string]any) any {
			names, _ := a["names"].([]any)
			var out []map[string]any
			for _, n := range names {
				name, _ := n.(string)
				q, ok := map[string]int{"available": lv.available, "on_hand": lv.onHand, "committed": lv.committed}[name]
				if ok {
					out = append(out, map[string]any{"name": name, "quantity": q, "updatedAt": time.Now().UTC().Format(time.RFC3339)})
				}
			}
			return out
		}),
	}
}
