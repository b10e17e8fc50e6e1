package square

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// LocationsService lists the seller's locations.
// https://developer.squareup.com/reference/square/locations-api/list-locations
type LocationsService struct{ c *connector.Client }

// List yields every location, active or not: ListLocations answers them
// all in one page.
func (s *LocationsService) List(ctx context.Context) iter.Seq2[*inventory.Location, error] {
	return func(yield func(*inventory.Location, error) bool) {
		locs, err := listLocations(ctx, s.c)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, l := range locs {
			if !yield(l, nil) {
				return
			}
		}
	}
}

func listLocations(ctx context.Context, c *connector.Client) ([]*inventory.Location, error) {
	var resp struct {
		Locations []json.RawMessage `json:"locations"`
	}
	if err := c.JSON(ctx, http.MethodGet, "/v2/locations", nil, &resp, connector.WithOperation("locations.list")); err != nil {
		return nil, err
	}
	out := make([]*inventory.Location, 0, len(resp.Locations))
	for _, raw := range resp.Locations {
		var l struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Status string `json:"status"` // ACTIVE or INACTIVE
		}
		if json.Unmarshal(raw, &l) != nil || l.ID == "" {
			return nil, &connector.APIError{Vendor: "square", Op: "locations.list", Kind: connector.ErrInvalidResponse, Message: "a location could not be decoded"}
		}
		out = append(out, &inventory.Location{ID: l.ID, Name: l.Name, Active: l.Status == "ACTIVE", Raw: raw})
	}
	return out, nil
}
