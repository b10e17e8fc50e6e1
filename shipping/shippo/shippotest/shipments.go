package shippotest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/govalues/decimal"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// addressFields a Shippo address needs for a quote.
var addressRequired = []string{"name", "street1", "city", "zip", "country"}

func (s *Server) createShipment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AddressFrom map[string]any   `json:"address_from"`
		AddressTo   map[string]any   `json:"address_to"`
		Parcels     []map[string]any `json:"parcels"`
		Async       bool             `json:"async"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeFieldErrors(w, map[string]any{"non_field_errors": []string{"Invalid JSON: " + err.Error()}})
		return
	}
	errs := map[string]any{}
	for name, addr := range map[string]map[string]any{"address_from": in.AddressFrom, "address_to": in.AddressTo} {
		if addr == nil {
			errs[name] = []string{"This field is required."}
			continue
		}
		fieldErrs := map[string]any{}
		for _, f := range addressRequired {
			if v, _ := addr[f].(string); strings.TrimSpace(v) == "" {
				if f == "zip" && addr["country"] != "US" && addr["country"] != "CA" {
					continue
				}
				fieldErrs[f] = []string{"This field is required."}
			}
		}
		if c, _ := addr["country"].(string); len(c) != 2 {
			fieldErrs["country"] = []string{"Invalid country code. Use a 2-letter ISO 3166-1 code."}
		}
		if len(fieldErrs) > 0 {
			errs[name] = fieldErrs
		}
	}
	var grams decimal.Decimal
	if len(in.Parcels) == 0 {
		errs["parcels"] = []string{"This field is required."}
	}
	for _, p := range in.Parcels {
		weight, err := decimal.Parse(str(p["weight"]))
		factor, known := gramsPer[str(p["mass_unit"])]
		if err != nil || !known || !weight.IsPos() {
			errs["parcels"] = []string{"Each parcel needs a positive weight and a mass_unit of g, kg, oz or lb."}
			break
		}
		g, _ := weight.Mul(decimal.MustParse(factor))
		grams, _ = grams.Add(g)
	}
	if len(errs) > 0 {
		writeFieldErrors(w, errs)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	id := connectortest.RandomHex(16)
	international := str(in.AddressFrom["country"]) != str(in.AddressTo["country"])
	var rates []map[string]any
	for _, svc := range Services {
		if svc.Carrier == "USPS" && international {
			continue
		}
		rt := &rate{id: connectortest.RandomHex(16), shipment: id, svc: svc, amount: price(svc, grams), created: now}
		s.rates[rt.id] = rt
		rates = append(rates, rt.render())
	}
	shipment := map[string]any{"object_id": id, "object_created": stamp(now), "object_updated": stamp(now), "object_owner": "sandbox@example.com",
		"status": "SUCCESS", "address_from": objectify(in.AddressFrom, now), "address_to": objectify(in.AddressTo, now),
		"address_return": objectify(in.AddressFrom, now), "parcels": objectifyAll(in.Parcels, now), "rates": rates, "messages": []any{},
		"carrier_accounts": []any{}, "test": true, "metadata": ""}
	s.shipments[id] = shipment
	writeJSON(w, http.StatusCreated, shipment)
}

func (rt *rate) render() map[string]any {
	return map[string]any{"object_id": rt.id, "object_created": stamp(rt.created), "object_owner": "sandbox@example.com",
		"shipment": rt.shipment, "amount": rt.amount.String(), "currency": "USD", "amount_local": rt.amount.String(),
		"currency_local": "USD", "provider": rt.svc.Carrier, "provider_image_75": "", "provider_image_200": "",
		"servicelevel":   map[string]any{"name": rt.svc.Name, "token": rt.svc.Token, "terms": ""},
		"estimated_days": rt.svc.Days, "duration_terms": "Delivery in " + itoa(rt.svc.Days) + " business days.",
		"attributes": []string{}, "carrier_account": "ca_" + rt.svc.Token, "zone": "1", "messages": []any{},
		"test": true}
}

func (s *Server) getShipment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.shipments[r.PathValue("id")]
	if sh == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, sh)
}

func (s *Server) getRate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.rates[r.PathValue("id")]
	if rt == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, rt.render())
}

// objectify turns a request object into what Shippo stores and returns.
func objectify(in map[string]any, now time.Time) map[string]any {
	out := map[string]any{"object_id": connectortest.RandomHex(16), "object_created": stamp(now), "object_updated": stamp(now),
		"object_owner": "sandbox@example.com", "test": true}
	for k, v := range in {
		out[k] = v
	}
	if _, ok := out["is_complete"]; !ok && in["street1"] != nil {
		out["is_complete"] = true
	}
	return out
}

func objectifyAll(in []map[string]any, now time.Time) []map[string]any {
	out := make([]map[string]any, len(in))
	for i, p := range in {
		out[i] = objectify(p, now)
		out[i]["object_state"] = "VALID"
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
