package easyposttest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector/connectortest"
)

type shipment struct {
	id, reference    string // reference "" is null
	from, to, parcel string // object ids
	created, updated time.Time
	rates            []*rate
	selected         *rate
	trackingCode     string
	labelID          string
	labelDate        time.Time
	refundStatus     string // "", "submitted", "refunded"
}

type rate struct {
	id, shipment string
	svc          Service
	amount       decimal.Decimal
	created      time.Time
}

func (s *Server) renderRate(r *rate) map[string]any {
	amount := r.amount.String()
	retail, _ := r.amount.Mul(decimal.MustParse("1.25"))
	return map[string]any{"id": r.id, "object": "Rate", "created_at": stamp(r.created), "updated_at": stamp(r.created), "mode": "test",
		"service": r.svc.Name, "carrier": r.svc.Carrier, "rate": amount, "currency": "USD", "retail_rate": retail.Round(2).String(),
		"retail_currency": "USD", "list_rate": amount, "list_currency": "USD", "billing_type": "easypost",
		"delivery_days": r.svc.Days, "delivery_date": nil, "delivery_date_guaranteed": false, "est_delivery_days": r.svc.Days,
		"shipment_id": r.shipment, "carrier_account_id": carrierAccounts[r.svc.Carrier]}
}

func nullable(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func (s *Server) renderShipment(sh *shipment) map[string]any {
	rates := make([]map[string]any, 0, len(sh.rates))
	for _, r := range sh.rates {
		rates = append(rates, s.renderRate(r))
	}
	out := map[string]any{"id": sh.id, "object": "Shipment", "created_at": stamp(sh.created), "updated_at": stamp(sh.updated),
		"is_return": false, "messages": []any{}, "mode": "test",
		"options":   map[string]any{"currency": "USD", "payment": map[string]any{"type": "SENDER"}, "date_advance": 0},
		"reference": nullable(sh.reference), "status": "unknown", "tracking_code": nullable(sh.trackingCode),
		"batch_id": nil, "batch_status": nil, "batch_message": nil, "customs_info": nil,
		"from_address": s.addresses[sh.from], "to_address": s.addresses[sh.to], "return_address": s.addresses[sh.from],
		"buyer_address": s.addresses[sh.to], "insurance": nil, "order_id": nil, "parcel": s.parcels[sh.parcel],
		"postage_label": nil, "rates": rates, "refund_status": nullable(sh.refundStatus), "scan_form": nil, "selected_rate": nil,
		"tracker": nil, "usps_zone": 4, "forms": []any{}, "fees": []any{}}
	if sh.selected != nil {
		out["selected_rate"] = s.renderRate(sh.selected)
		out["postage_label"] = map[string]any{"object": "PostageLabel", "id": sh.labelID, "created_at": stamp(sh.labelDate),
			"updated_at": stamp(sh.labelDate), "date_advance": 0, "integrated_form": "none", "label_date": stamp(sh.labelDate),
			"label_resolution": 300, "label_size": "4x6", "label_type": "default", "label_file_type": "image/png",
			"label_url": "https://easypost-files.example/files/postage_label/" + sh.labelID + ".png", "label_pdf_url": nil,
			"label_zpl_url": nil, "label_epl2_url": nil, "label_file": nil}
		out["fees"] = []any{map[string]any{"object": "Fee", "type": "PostageFee", "amount": sh.selected.amount.Pad(5).String(),
			"charged": true, "refunded": sh.refundStatus == "refunded"}}
		if t := s.trackers[sh.trackingCode]; t != nil {
			out["tracker"] = s.renderTracker(t)
		}
	}
	return out
}

// decode reads a JSON body with numbers kept exact.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "PARAMETER.INVALID", "The request body is not valid JSON.", nil)
		return false
	}
	return true
}

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return strings.TrimSpace(v)
}

// address finds or creates the address of a shipment's field. Under s.mu.
func (s *Server) address(in map[string]any, field string, now time.Time) (string, []fieldError) {
	if in == nil {
		return "", []fieldError{{field, "is required"}}
	}
	if id := str(in, "id"); id != "" {
		if s.addresses[id] == nil {
			return "", []fieldError{{field + ".id", "address " + id + " not found"}}
		}
		return id, nil
	}
	var errs []fieldError
	for _, f := range []string{"street1", "city", "country"} {
		if str(in, f) == "" {
			errs = append(errs, fieldError{field + "." + f, "is required"})
		}
	}
	if len(errs) > 0 {
		return "", errs
	}
	id := newID("adr")
	a := map[string]any{"id": id, "object": "Address", "created_at": stamp(now), "updated_at": stamp(now), "mode": "test",
		"carrier_facility": nil, "residential": nil, "federal_tax_id": nil, "state_tax_id": nil, "verifications": map[string]any{}}
	for _, f := range []string{"name", "company", "street1", "street2", "city", "state", "zip", "country", "phone", "email"} {
		a[f] = nullable(str(in, f))
	}
	s.addresses[id] = a
	return id, nil
}

// parcel finds or creates a shipment's parcel. Under s.mu.
func (s *Server) parcel(in map[string]any, now time.Time) (string, []fieldError) {
	if in == nil {
		return "", []fieldError{{"parcel", "is required"}}
	}
	if id := str(in, "id"); id != "" {
		if s.parcels[id] == nil {
			return "", []fieldError{{"parcel.id", "parcel " + id + " not found"}}
		}
		return id, nil
	}
	id := newID("prcl")
	p := map[string]any{"id": id, "object": "Parcel", "created_at": stamp(now), "updated_at": stamp(now), "predefined_package": nil, "mode": "test"}
	for _, f := range []string{"length", "width", "height", "weight"} {
		n, ok := in[f].(json.Number)
		d, err := decimal.Parse(string(n))
		if !ok || err != nil || !d.IsPos() {
			if f == "weight" || in[f] != nil {
				return "", []fieldError{{"parcel." + f, "must be a positive number"}}
			}
			p[f] = nil
			continue
		}
		p[f] = n
	}
	s.parcels[id] = p
	return id, nil
}

func (s *Server) ounces(parcelID string) decimal.Decimal {
	n, _ := s.parcels[parcelID]["weight"].(json.Number)
	d, _ := decimal.Parse(string(n))
	return d
}

// createShipment is POST /v2/shipments: a shipment rated by every service,
// and, with carrier_accounts and service, bought at once (one-call buy).
func (s *Server) createShipment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Shipment *struct {
			From            map[string]any `json:"from_address"`
			To              map[string]any `json:"to_address"`
			Parcel          map[string]any `json:"parcel"`
			Reference       string         `json:"reference"`
			CarrierAccounts []any          `json:"carrier_accounts"`
			Service         string         `json:"service"`
		} `json:"shipment"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Shipment == nil {
		writeError(w, http.StatusUnprocessableEntity, "PARAMETER.REQUIRED", "Missing required parameter.", []fieldError{{"shipment", "is required"}})
		return
	}
	in2 := in.Shipment
	s.mu.Lock()
	now := s.Now()
	var errs []fieldError
	from, e := s.address(in2.From, "from_address", now)
	errs = append(errs, e...)
	to, e := s.address(in2.To, "to_address", now)
	errs = append(errs, e...)
	parcel, e := s.parcel(in2.Parcel, now)
	errs = append(errs, e...)
	if len(errs) > 0 {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, "SHIPMENT.INVALID_PARAMS", "Unable to create shipment, one or more parameters were invalid.", errs)
		return
	}
	accounts := []string{}
	for _, a := range in2.CarrierAccounts {
		switch v := a.(type) {
		case string:
			accounts = append(accounts, v)
		case map[string]any:
			accounts = append(accounts, str(v, "id"))
		}
	}
	sh := &shipment{id: newID("shp"), reference: in2.Reference, from: from, to: to, parcel: parcel, created: now, updated: now}
	for _, svc := range Services {
		if len(accounts) > 0 && !slices.Contains(accounts, carrierAccounts[svc.Carrier]) {
			continue
		}
		rt := &rate{id: newID("rate"), shipment: sh.id, svc: svc, amount: price(svc, s.ounces(parcel)), created: now}
		sh.rates = append(sh.rates, rt)
		s.rates[rt.id] = rt
	}
	s.shipments = append(s.shipments, sh)
	s.byID[sh.id] = sh
	if in2.Service == "" || len(accounts) == 0 {
		body := s.renderShipment(sh)
		s.mu.Unlock()
		writeJSON(w, http.StatusCreated, body)
		return
	}
	var chosen *rate
	for _, rt := range sh.rates {
		if rt.svc.Name == in2.Service {
			chosen = rt
		}
	}
	if chosen == nil {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, "SHIPMENT.POSTAGE.FAILURE", "No rate found for service "+in2.Service+".", nil)
		return
	}
	s.purchase(w, sh, chosen)
}

// purchase buys sh at rt and answers; it is called under s.mu and unlocks
// it. A shipment is bought once.
func (s *Server) purchase(w http.ResponseWriter, sh *shipment, rt *rate) {
	if sh.selected != nil {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, "SHIPMENT.POSTAGE.EXISTS", "Shipment already has postage.", nil)
		return
	}
	if s.failLabels {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, "SHIPMENT.POSTAGE.FAILURE", "The carrier refused the shipment; nothing was charged.",
			[]fieldError{{"to_address", rt.svc.Carrier + " could not verify the recipient address."}})
		return
	}
	now := s.Now()
	s.seq++
	sh.selected, sh.labelID, sh.labelDate, sh.updated = rt, newID("pl"), now, now
	sh.trackingCode = "9400" + strconv.FormatInt(now.UnixNano()%1_000_000_000_000, 10) + strconv.Itoa(s.seq)
	t := &tracker{id: newID("trk"), code: sh.trackingCode, carrier: rt.svc.Carrier, shipment: sh.id, created: now, updated: now,
		status: "pre_transit", details: []map[string]any{trackingDetail("pre_transit", "label_created", "Shipping label created", now)}}
	s.trackers[t.code] = t
	s.purchases++
	lose := s.loseNext
	s.loseNext = false
	body := s.renderShipment(sh)
	result := s.renderTracker(t)
	s.mu.Unlock()
	if lose {
		connectortest.Reset(w) // bought and charged, but the answer never arrives
		return
	}
	writeJSON(w, http.StatusOK, body)
	s.notify("tracker.created", nil, result)
}

func (s *Server) getShipment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.byID[r.PathValue("id")]
	if sh == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.renderShipment(sh))
}

// buyShipment is POST /v2/shipments/{id}/buy with {"rate": {"id": ...}}.
func (s *Server) buyShipment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Rate struct {
			ID string `json:"id"`
		} `json:"rate"`
	}
	if !decode(w, r, &in) {
		return
	}
	s.mu.Lock()
	sh := s.byID[r.PathValue("id")]
	if sh == nil {
		s.mu.Unlock()
		writeNotFound(w)
		return
	}
	rt := s.rates[in.Rate.ID]
	if rt == nil || rt.shipment != sh.id {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, "SHIPMENT.RATE.INVALID", "The rate does not belong to this shipment.",
			[]fieldError{{"rate.id", "is not a rate of " + sh.id}})
		return
	}
	s.purchase(w, sh, rt)
}

// refundShipment is POST /v2/shipments/{id}/refund: refund_status becomes
// submitted; asking again, or for a shipment without postage, is refused.
func (s *Server) refundShipment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.byID[r.PathValue("id")]
	switch {
	case sh == nil:
		writeNotFound(w)
	case sh.selected == nil:
		writeError(w, http.StatusUnprocessableEntity, "SHIPMENT.REFUND.UNAVAILABLE", "The shipment has no postage to refund.", nil)
	case sh.refundStatus != "":
		writeError(w, http.StatusUnprocessableEntity, "SHIPMENT.REFUND.UNAVAILABLE", "A refund has already been requested for this shipment.", nil)
	default:
		sh.refundStatus, sh.updated = "submitted", s.Now()
		writeJSON(w, http.StatusOK, s.renderShipment(sh))
	}
}

func (s *Server) getRate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.rates[r.PathValue("id")]
	if rt == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.renderRate(rt))
}

// listShipments is GET /v2/shipments: newest first, page_size (1-100,
// default 20), before_id / after_id, start_datetime / end_datetime,
// purchased; has_more says whether more come.
func (s *Server) listShipments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := 20
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusUnprocessableEntity, "PARAMETER.INVALID", "page_size must be between 1 and 100.", []fieldError{{"page_size", "is invalid"}})
			return
		}
		size = n
	}
	var start, end time.Time
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"start_datetime", &start}, {"end_datetime", &end}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeError(w, http.StatusUnprocessableEntity, "PARAMETER.INVALID", p.name+" is not a valid datetime.", []fieldError{{p.name, "is invalid"}})
				return
			}
			*p.t = t
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := func(id string) int {
		return slices.IndexFunc(s.shipments, func(sh *shipment) bool { return sh.id == id })
	}
	lo, hi := -1, len(s.shipments) // exclusive bounds in creation order
	if id := q.Get("before_id"); id != "" {
		if hi = idx(id); hi < 0 {
			writeNotFound(w)
			return
		}
	}
	if id := q.Get("after_id"); id != "" {
		if lo = idx(id); lo < 0 {
			writeNotFound(w)
			return
		}
	}
	var match []*shipment
	for i := hi - 1; i > lo; i-- { // newest first
		sh := s.shipments[i]
		switch {
		case !start.IsZero() && sh.created.Before(start), !end.IsZero() && sh.created.After(end):
			continue
		case q.Get("purchased") == "true" && sh.selected == nil, q.Get("purchased") == "false" && sh.selected != nil:
			continue
		}
		match = append(match, sh)
	}
	page := match[:min(size, len(match))]
	out := make([]map[string]any, 0, len(page))
	for _, sh := range page {
		out = append(out, s.renderShipment(sh))
	}
	writeJSON(w, http.StatusOK, map[string]any{"shipments": out, "has_more": len(match) > len(page)})
}
