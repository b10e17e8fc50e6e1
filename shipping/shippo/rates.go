package shippo

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// RatesService quotes shipments.
// https://docs.goshippo.com/shippoapi/public-api/shipments/createshipment
type RatesService struct {
	c      *connector.Client
	quoted *shipping.Quoted[shipping.Rate]
}

// Quote creates a shipment and returns its rates. Addresses and parcels
// are checked first, so a bad one costs no call. Creating a shipment
// charges nothing, so the call is retried freely.
//
// Shippo API: POST /shipments with async false.
func (s *RatesService) Quote(ctx context.Context, from, to shipping.Address, parcels []shipping.Parcel) ([]shipping.Rate, error) {
	for _, a := range []shipping.Address{from, to} {
		if err := a.Validate(); err != nil {
			return nil, err
		}
	}
	if len(parcels) == 0 {
		return nil, &shipping.ParcelError{Reason: "a shipment needs at least one parcel"}
	}
	body := struct {
		From    addressWire  `json:"address_from"`
		To      addressWire  `json:"address_to"`
		Parcels []parcelWire `json:"parcels"`
		Async   bool         `json:"async"`
	}{From: toAddress(from), To: toAddress(to)}
	for _, p := range parcels {
		if err := p.Validate(); err != nil {
			return nil, err
		}
		body.Parcels = append(body.Parcels, parcelWire{Length: p.Length.String(), Width: p.Width.String(), Height: p.Height.String(),
			DistanceUnit: string(p.DistanceUnit), Weight: p.Weight.String(), MassUnit: string(p.MassUnit)})
	}
	var resp struct {
		Status   string            `json:"status"`
		Rates    []json.RawMessage `json:"rates"`
		Messages []message         `json:"messages"`
	}
	err := s.c.JSON(ctx, http.MethodPost, "/shipments", body, &resp,
		connector.WithOperation("rates.quote"), connector.WithIdempotencyKey("shipment-creation-charges-nothing"))
	if err != nil {
		return nil, err
	}
	rates := make([]shipping.Rate, 0, len(resp.Rates))
	for _, raw := range resp.Rates {
		var w rateWire
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, invalid("rates.quote", "a rate could not be decoded")
		}
		r, err := w.toRate(raw)
		if err != nil {
			return nil, invalid("rates.quote", "rate "+w.ObjectID+" has an amount that is not a decimal")
		}
		rates = append(rates, r)
	}
	if len(rates) == 0 && len(resp.Messages) > 0 {
		return nil, transactionError(resp.Messages)
	}
	if s.quoted != nil {
		for _, r := range rates {
			s.quoted.Add(r.ID, r)
		}
	}
	return rates, nil
}
