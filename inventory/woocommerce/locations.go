package woocommerce

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/patchbay-go/patchbay/inventory"
)

// LocationID is the id of the one Location a WooCommerce shop has.
// WooCommerce core keeps one stock number per product or variation, with
// no notion of where it is: the connector shows it as one synthetic
// location.
const LocationID = "store"

// LocationsService lists the shop's one stock location.
type LocationsService struct{}

// List yields the one synthetic location, LocationID, without a call.
func (s *LocationsService) List(ctx context.Context) iter.Seq2[*inventory.Location, error] {
	return func(yield func(*inventory.Location, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		raw, _ := json.Marshal(map[string]any{"id": LocationID, "name": locationName, "synthetic": true})
		yield(&inventory.Location{ID: LocationID, Name: locationName, Active: true, Raw: raw}, nil)
	}
}

const locationName = "Store stock"
