package shopify

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

const queryLocations = `query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after) {
    nodes { id name isActive }
    pageInfo { hasNextPage endCursor }
  }
}`

// LocationsService lists locations.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/locations
type LocationsService struct{ g *graphQL }

// List yields the shop's locations.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/locations
func (s *LocationsService) List(ctx context.Context) iter.Seq2[*inventory.Location, error] {
	return connector.All(ctx, func(ctx context.Context, after string) (connector.Page[*inventory.Location], error) {
		var data struct {
			Locations struct {
				Nodes    []json.RawMessage `json:"nodes"`
				PageInfo pageInfo          `json:"pageInfo"`
			} `json:"locations"`
		}
		if err := s.g.do(ctx, "Locations", queryLocations, map[string]any{"first": pageSize, "after": nilIfEmpty(after)}, &data); err != nil {
			return connector.Page[*inventory.Location]{}, err
		}
		p := connector.Page[*inventory.Location]{}
		for _, raw := range data.Locations.Nodes {
			var l locationWire
			if err := json.Unmarshal(raw, &l); err != nil {
				return p, &connector.APIError{Vendor: "shopify", Op: "Locations", Kind: connector.ErrInvalidResponse, Message: "a location could not be decoded"}
			}
			p.Items = append(p.Items, l.location(raw))
		}
		if data.Locations.PageInfo.HasNextPage {
			p.Next = data.Locations.PageInfo.EndCursor
		}
		return p, nil
	})
}
