package shipengine

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// RatesService quotes shipments.
// https://www.shipengine.com/docs/rates/
type RatesService struct {
	c        *connector.Client
	prefix   string
	quoted   *shipping.Quoted[shipping.Rate]
	carriers *carrierIDs
}

// Quote rates a shipment with every carrier of Config.CarrierIDs (or of
// the account). Addresses and parcels are checked first, so a bad one
// costs no call. Rating creates a shipment and charges nothing, so the
// call is retried freely.
//
// ShipEngine API: POST /v1/rates (and GET /v1/carriers once, when no
// carrier ids were configured).
func (s *RatesService) Quote(ctx context.Context, from, to shipping.Address, parcels []shipping.Parcel) ([]shipping.Rate, error) {
	shipment, err := toShipment(from, to, parcels)
	if err != nil {
		return nil, err
	}
	carriers, err := s.carrierIDs(ctx)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"shipment": shipment, "rate_options": map[string]any{"carrier_ids": carriers}}
	var resp struct {
		ShipmentID   string `json:"shipment_id"`
		RateResponse struct {
			Rates        []json.RawMessage `json:"rates"`
			InvalidRates []json.RawMessage `json:"invalid_rates"`
			Errors       []errorWire       `json:"errors"`
		} `json:"rate_response"`
	}
	err = s.c.JSON(ctx, http.MethodPost, s.prefix+"/rates", body, &resp,
		connector.WithOperation("rates.quote"), connector.WithReplayable())
	if err != nil {
		return nil, err
	}
	rates := make([]shipping.Rate, 0, len(resp.RateResponse.Rates))
	for _, raw := range resp.RateResponse.Rates {
		var w rateWire
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, invalid("rates.quote", "a rate could not be decoded")
		}
		r, err := w.toRate(raw)
		if err != nil {
			return nil, invalid("rates.quote", "rate "+w.RateID+" has an amount that is not a decimal")
		}
		rates = append(rates, r)
	}
	if len(rates) == 0 && len(resp.RateResponse.Errors) > 0 {
		msgs := make([]string, 0, len(resp.RateResponse.Errors))
		for _, e := range resp.RateResponse.Errors {
			msgs = append(msgs, e.Message)
		}
		return nil, &connector.APIError{Vendor: "shipengine", Op: "rates.quote", Kind: connector.ErrValidation,
			Code: resp.RateResponse.Errors[0].ErrorCode, Message: s.c.Redact(strings.Join(msgs, "; "))}
	}
	for _, r := range rates {
		s.quoted.Add(r.ID, r)
	}
	return rates, nil
}

// shipmentWire is the shipment a quote rates, or a label is bought for
// (with its carrier service and, under a key, its external_shipment_id).
type shipmentWire struct {
	CarrierID          string        `json:"carrier_id,omitempty"`
	ServiceCode        string        `json:"service_code,omitempty"`
	ExternalShipmentID string        `json:"external_shipment_id,omitempty"`
	ShipTo             addressWire   `json:"ship_to"`
	ShipFrom           addressWire   `json:"ship_from"`
	Packages           []packageWire `json:"packages"`
}

// toShipment checks the addresses and parcels and converts them: a bad
// one is *shipping.AddressError or *shipping.ParcelError, with no call.
func toShipment(from, to shipping.Address, parcels []shipping.Parcel) (shipmentWire, error) {
	for _, a := range []shipping.Address{from, to} {
		if err := a.Validate(); err != nil {
			return shipmentWire{}, err
		}
	}
	if len(parcels) == 0 {
		return shipmentWire{}, &shipping.ParcelError{Reason: "a shipment needs at least one parcel"}
	}
	shipment := shipmentWire{ShipTo: toAddress(to), ShipFrom: toAddress(from)}
	for _, p := range parcels {
		if err := p.Validate(); err != nil {
			return shipmentWire{}, err
		}
		pw, err := toPackage(p)
		if err != nil {
			return shipmentWire{}, err
		}
		shipment.Packages = append(shipment.Packages, pw)
	}
	return shipment, nil
}

// carrierIDs returns the configured carrier ids, or lists the account's
// carriers once.
//
// ShipEngine API: GET /v1/carriers.
func (s *RatesService) carrierIDs(ctx context.Context) ([]string, error) {
	s.carriers.mu.Lock()
	defer s.carriers.mu.Unlock()
	if len(s.carriers.ids) > 0 {
		return s.carriers.ids, nil
	}
	var resp struct {
		Carriers []struct {
			CarrierID string `json:"carrier_id"`
		} `json:"carriers"`
	}
	if err := s.c.JSON(ctx, http.MethodGet, s.prefix+"/carriers", nil, &resp, connector.WithOperation("carriers.list")); err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range resp.Carriers {
		if c.CarrierID != "" {
			ids = append(ids, c.CarrierID)
		}
	}
	if len(ids) == 0 {
		return nil, &connector.APIError{Vendor: "shipengine", Op: "rates.quote", Kind: connector.ErrValidation,
			Message: "the account has no carrier connected"}
	}
	s.carriers.ids = ids
	return ids, nil
}
