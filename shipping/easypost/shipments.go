package easypost

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// RatesService quotes shipments.
// https://docs.easypost.com/docs/shipments#create-a-shipment
type RatesService struct {
	c      *connector.Client
	quoted *shipping.Quoted[quote]
}

// Quote creates a shipment and returns its rates. Addresses and the parcel
// are checked first, so a bad one costs no call. EasyPost rates one parcel
// per shipment: more than one is a *shipping.ParcelError. Creating a
// shipment charges nothing, so the call is retried freely.
//
// EasyPost API: POST /v2/shipments.
func (s *RatesService) Quote(ctx context.Context, from, to shipping.Address, parcels []shipping.Parcel) ([]shipping.Rate, error) {
	for _, a := range []shipping.Address{from, to} {
		if err := a.Validate(); err != nil {
			return nil, err
		}
	}
	if len(parcels) != 1 {
		return nil, &shipping.ParcelError{Reason: "an EasyPost shipment has exactly one parcel"}
	}
	if err := parcels[0].Validate(); err != nil {
		return nil, err
	}
	parcel, err := toParcel(parcels[0])
	if err != nil {
		return nil, &shipping.ParcelError{Reason: err.Error()}
	}
	body := map[string]any{"shipment": map[string]any{"from_address": toAddress(from), "to_address": toAddress(to), "parcel": parcel}}
	var raw json.RawMessage
	if err := s.c.JSON(ctx, http.MethodPost, path("/shipments"), body, &raw,
		connector.WithOperation("rates.quote"), connector.WithReplayable()); err != nil {
		return nil, err
	}
	var shp shipmentWire
	if err := json.Unmarshal(raw, &shp); err != nil || shp.ID == "" {
		return nil, invalid("rates.quote", "the shipment could not be decoded")
	}
	rates := make([]shipping.Rate, 0, len(shp.Rates))
	quotes := make([]quote, 0, len(shp.Rates))
	for _, rr := range shp.Rates {
		var w rateWire
		if err := json.Unmarshal(rr, &w); err != nil {
			return nil, invalid("rates.quote", "a rate could not be decoded")
		}
		r, err := w.toRate(rr)
		if err != nil {
			return nil, invalid("rates.quote", "rate "+w.ID+" has an amount that is not a decimal")
		}
		rates = append(rates, r)
		quotes = append(quotes, quoteOf(r, w, &shp))
	}
	if len(rates) == 0 && len(shp.Messages) > 0 {
		return nil, ratingError(&shp)
	}
	for _, q := range quotes {
		s.quoted.Add(q.rate.ID, q)
	}
	return rates, nil
}

// ratingError is a shipment EasyPost created without rates: every
// carrier's message is kept.
func ratingError(shp *shipmentWire) error {
	msg := ""
	for _, m := range shp.Messages {
		t := text(m.Message)
		if m.Carrier != "" {
			t = m.Carrier + ": " + t
		}
		if msg != "" {
			msg += "; "
		}
		msg += t
	}
	return &connector.APIError{Vendor: vendorName, Op: "rates.quote", StatusCode: http.StatusCreated, Code: "rate_error",
		Message: msg, Kind: connector.ErrValidation}
}

// quote is a rate with what buying it needs: its shipment's objects.
type quote struct {
	rate                       shipping.Rate
	shipmentID, carrierAccount string
	fromID, toID, parcelID     string
	shipmentCreated            time.Time
}

func quoteOf(r shipping.Rate, w rateWire, shp *shipmentWire) quote {
	q := quote{rate: r, shipmentID: shp.ID, carrierAccount: w.CarrierAccountID, shipmentCreated: shp.CreatedAt}
	if shp.FromAddress != nil {
		q.fromID = shp.FromAddress.ID
	}
	if shp.ToAddress != nil {
		q.toID = shp.ToAddress.ID
	}
	if shp.Parcel != nil {
		q.parcelID = shp.Parcel.ID
	}
	return q
}
