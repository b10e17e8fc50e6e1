package shipenginetest

import (
	"context"

	"encoding/json"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"
)

func (s *Server) listCarriers(w http.ResponseWriter, r *http.Request) {
	seen := map[string]bool{}
	var carriers []map[string]any
	for _, svc := range Services {
		if seen[svc.CarrierID] {
			continue
		}
		seen[svc.CarrierID] = true
		carriers = append(carriers, map[string]any{"carrier_id": svc.CarrierID, "carrier_code": svc.CarrierCode,
			"friendly_name": svc.Carrier, "nickname": svc.Carrier, "account_number": "SANDBOX", "requires_funded_amount": false,
			"balance": 0, "primary": false, "has_multi_package_supporting_services": false, "supports_label_messages": true,
			"disabled_by_billing_plan": false})
	}
	writeJSON(w, http.StatusOK, map[string]any{"carriers": carriers, "request_id": connectortest.UUID()})
}

// calculateRates is POST /v1/rates with a shipment: the shipment is
// created (status pending) with one rate per service of the carriers
// asked for.
func (s *Server) calculateRates(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Shipment *struct {
			ShipTo   map[string]any   `json:"ship_to"`
			ShipFrom map[string]any   `json:"ship_from"`
			Packages []map[string]any `json:"packages"`
		} `json:"shipment"`
		RateOptions struct {
			CarrierIDs []string `json:"carrier_ids"`
		} `json:"rate_options"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil || in.Shipment == nil {
		writeErrors(w, http.StatusBadRequest, apiError{"shipengine", "validation", "request_body_required", "A shipment is required.", "shipment"})
		return
	}
	var errs []apiError
	if len(in.RateOptions.CarrierIDs) == 0 {
		errs = append(errs, apiError{"shipengine", "validation", "field_value_required", "At least one carrier id is required.", "rate_options.carrier_ids"})
	}
	more, grams := checkShipment(in.Shipment.ShipTo, in.Shipment.ShipFrom, in.Shipment.Packages)
	errs = append(errs, more...)
	if len(errs) > 0 {
		writeErrors(w, http.StatusBadRequest, errs...)
		return
	}
	asked := map[string]bool{}
	for _, id := range in.RateOptions.CarrierIDs {
		asked[id] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	sh := &shipment{id: s.newID(), created: now, modified: now, status: "pending", shipTo: in.Shipment.ShipTo,
		shipFrom: in.Shipment.ShipFrom, packages: in.Shipment.Packages, grams: grams}
	s.shipments[sh.id] = sh
	s.order = append(s.order, sh)
	international := str(sh.shipTo["country_code"]) != str(sh.shipFrom["country_code"])
	rates := []map[string]any{}
	for _, svc := range Services {
		if !asked[svc.CarrierID] || (svc.CarrierCode == "stamps_com" && international) {
			continue
		}
		rt := &rate{id: s.newID(), shipment: sh.id, svc: svc, amount: price(svc, grams), created: now}
		s.rates[rt.id] = rt
		rates = append(rates, rt.render())
	}
	out := sh.render()
	out["rate_response"] = map[string]any{"rates": rates, "invalid_rates": []any{}, "rate_request_id": s.newID(),
		"shipment_id": sh.id, "created_at": stamp(now), "status": "completed", "errors": []any{}}
	writeJSON(w, http.StatusOK, out)
}

// checkShipment checks a shipment's addresses and packages as the
// platform does, and weighs it.
func checkShipment(shipTo, shipFrom map[string]any, packages []map[string]any) ([]apiError, decimal.Decimal) {
	var errs []apiError
	for _, a := range []struct {
		name string
		m    map[string]any
	}{{"ship_to", shipTo}, {"ship_from", shipFrom}} {
		for _, f := range []string{"name", "address_line1", "city_locality", "country_code"} {
			if v, _ := a.m[f].(string); strings.TrimSpace(v) == "" {
				errs = append(errs, apiError{"shipengine", "validation", "field_value_required", f + " is required.", "shipment." + a.name + "." + f})
			}
		}
	}
	var grams decimal.Decimal
	if len(packages) == 0 {
		errs = append(errs, apiError{"shipengine", "validation", "field_value_required", "At least one package is required.", "shipment.packages"})
	}
	for _, p := range packages {
		wt, _ := p["weight"].(map[string]any)
		value, err := decimal.Parse(numText(wt["value"]))
		factor, known := gramsPer[str(wt["unit"])]
		if err != nil || !known || !value.IsPos() {
			errs = append(errs, apiError{"shipengine", "validation", "invalid_field_value",
				"Each package needs a positive weight in pound, ounce, gram or kilogram.", "shipment.packages.weight"})
			break
		}
		g, _ := value.Mul(decimal.MustParse(factor))
		grams, _ = grams.Add(g)
	}
	return errs, grams
}

func (rt *rate) render() map[string]any {
	zero := decimal.Zero
	return map[string]any{"rate_id": rt.id, "rate_type": "shipment", "carrier_id": rt.svc.CarrierID,
		"shipping_amount": usd(rt.amount), "insurance_amount": usd(zero), "confirmation_amount": usd(zero), "other_amount": usd(zero),
		"zone": 1, "package_type": "package", "delivery_days": rt.svc.Days, "guaranteed_service": false,
		"carrier_delivery_days": strconv.Itoa(rt.svc.Days), "negotiated_rate": false, "service_type": rt.svc.Name,
		"service_code": rt.svc.Code, "trackable": true, "carrier_code": rt.svc.CarrierCode, "carrier_nickname": rt.svc.Carrier,
		"carrier_friendly_name": rt.svc.Carrier, "validation_status": "valid", "warning_messages": []string{}, "error_messages": []string{}}
}

func (sh *shipment) render() map[string]any {
	adv := map[string]any{"contains_alcohol": false, "delivered_duty_paid": false, "non_machinable": false, "saturday_delivery": false,
		"custom_field1": nil, "custom_field2": nil, "custom_field3": nil}
	if sh.customField1 != nil {
		adv["custom_field1"] = *sh.customField1
	}
	var ext any
	if sh.externalID != "" {
		ext = sh.externalID
	}
	return map[string]any{"shipment_id": sh.id, "external_shipment_id": ext,
		"ship_date": stamp(sh.created), "created_at": stamp(sh.created), "modified_at": stamp(sh.modified),
		"shipment_status": sh.status, "ship_to": sh.shipTo, "ship_from": sh.shipFrom, "warehouse_id": nil, "return_to": sh.shipFrom,
		"confirmation": "none", "customs": nil, "advanced_options": adv, "insurance_provider": "none", "tags": []any{},
		"packages": sh.packages, "total_weight": map[string]any{"value": json.Number(sh.grams.Trim(0).String()), "unit": "gram"}}
}

func (s *Server) getRate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.rates[r.PathValue("rate_id")]
	if rt == nil {
		writeNotFound(w, "rate", r.PathValue("rate_id"))
		return
	}
	writeJSON(w, http.StatusOK, rt.render())
}

func (s *Server) getShipment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.shipments[r.PathValue("shipment_id")]
	if sh == nil {
		writeNotFound(w, "shipment", r.PathValue("shipment_id"))
		return
	}
	writeJSON(w, http.StatusOK, sh.render())
}

// createLabelFromRate buys the label for a rate, synchronously, and keeps
// custom_field1 on the rate's shipment. Buying a rate twice charges twice,
// as the platform does: what the connector's lookup prevents.
func (s *Server) createLabelFromRate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CustomField1 *string `json:"custom_field1"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeErrors(w, http.StatusBadRequest, apiError{"shipengine", "validation", "request_body_required", "The request body is not valid JSON.", ""})
		return
	}
	if in.CustomField1 != nil && len(*in.CustomField1) > 100 {
		writeErrors(w, http.StatusBadRequest, apiError{"shipengine", "validation", "invalid_string_length", "custom_field1 is limited to 100 characters.", "custom_field1"})
		return
	}
	s.mu.Lock()
	rt := s.rates[r.PathValue("rate_id")]
	if rt == nil {
		s.mu.Unlock()
		writeNotFound(w, "rate", r.PathValue("rate_id"))
		return
	}
	if s.failLabels {
		s.mu.Unlock()
		writeErrors(w, http.StatusBadRequest,
			apiError{"carrier", "business_rules", "invalid_address", "The recipient address could not be verified by the carrier.", "ship_to"},
			apiError{"shipengine", "business_rules", "unspecified", "The label was not created; nothing was charged.", ""})
		return
	}
	now := s.Now()
	sh := s.shipments[rt.shipment]
	l := &label{id: s.newID(), rateID: rt.id, shipmentID: sh.id, status: "completed", svc: rt.svc, cost: rt.amount, created: now,
		trackingNumber: "9400" + strconv.FormatInt(now.UnixNano()%1_000_000_000_000, 10) + strconv.Itoa(len(s.labels))}
	s.labels = append(s.labels, l)
	s.purchases++
	sh.status, sh.modified = "label_purchased", now
	if in.CustomField1 != nil {
		sh.customField1 = in.CustomField1
	}
	s.tracks[l.trackingNumber] = &track{svc: rt.svc, number: l.trackingNumber,
		history: []event{{"AC", "Shipping label created; the carrier awaits the item.", now}}}
	lose := s.loseNext
	s.loseNext = false
	body := l.render(s.URL())
	s.mu.Unlock()
	if lose {
		resetConnection(w) // bought and charged, but the answer never arrives
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (l *label) render(base string) map[string]any {
	out := map[string]any{"label_id": l.id, "status": l.status, "shipment_id": l.shipmentID, "ship_date": stamp(l.created),
		"created_at": stamp(l.created), "shipment_cost": usd(l.cost), "insurance_cost": usd(decimal.Zero),
		"tracking_number": l.trackingNumber, "is_return_label": false, "is_international": false,
		"batch_id": "", "carrier_id": l.svc.CarrierID, "service_code": l.svc.Code, "package_code": "package",
		"voided": l.status == "voided", "label_format": "pdf", "display_scheme": "label",
		"label_layout": "4x6", "trackable": true, "carrier_code": l.svc.CarrierCode,
		"tracking_status": "in_transit", "charge_event": "carrier_default",
		"tracking_url": "https://tools.usps.com/go/TrackConfirmAction.action?tLabels=" + l.trackingNumber,
		"label_download": map[string]any{"href": base + "/v1/downloads/10/" + l.id + "/label.pdf",
			"pdf": base + "/v1/downloads/10/" + l.id + "/label.pdf"},
		"packages": []any{}}
	// What the label lacks (an RMA number, a customs form, an insurance
	// claim, a void time) is left out, not null: ShipStation's schema
	// makes those fields non-nullable, and ShipEngine's allows their
	// absence.
	if !l.voidedAt.IsZero() {
		out["voided_at"] = stamp(l.voidedAt)
	}
	delete(out, "batch_id")
	return out
}

func (s *Server) getLabel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.labels {
		if l.id == r.PathValue("label_id") {
			writeJSON(w, http.StatusOK, l.render(s.URL()))
			return
		}
	}
	writeNotFound(w, "label", r.PathValue("label_id"))
}

// voidLabel is PUT /v1/labels/{id}/void: approved for a completed label,
// and a 200 with approved false otherwise, as ShipEngine answers.
func (s *Server) voidLabel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.labels {
		if l.id != r.PathValue("label_id") {
			continue
		}
		if l.status != "completed" {
			writeJSON(w, http.StatusOK, map[string]any{"approved": false, "message": "This label has already been voided.",
				"reason_code": "label_already_voided"})
			return
		}
		l.status, l.voidedAt = "voided", s.Now()
		writeJSON(w, http.StatusOK, map[string]any{"approved": true, "message": "Request for refund submitted.  This label has been voided."})
		return
	}
	writeNotFound(w, "label", r.PathValue("label_id"))
}

// page reads page and page_size as ShipEngine does: page from 1,
// page_size 25 by default.
func page(r *http.Request) (int, int, bool) {
	q := r.URL.Query()
	p, size := 1, 25
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, false
		}
		p = n
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, false
		}
		size = min(n, 500)
	}
	return p, size, true
}

// paged answers a list: items of the page, total, page, pages and links.
func (s *Server) paged(w http.ResponseWriter, r *http.Request, field string, all []map[string]any) {
	p, size, ok := page(r)
	if !ok {
		writeErrors(w, http.StatusBadRequest, apiError{"shipengine", "validation", "invalid_field_value", "page and page_size must be positive integers.", "page"})
		return
	}
	pages := max(1, (len(all)+size-1)/size)
	start := min((p-1)*size, len(all))
	end := min(start+size, len(all))
	link := func(n int) map[string]any {
		u := *r.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("page_size", strconv.Itoa(size))
		u.RawQuery = q.Encode()
		return map[string]any{"href": s.URL() + u.RequestURI()}
	}
	links := map[string]any{"first": link(1), "last": link(pages), "prev": map[string]any{}, "next": map[string]any{}}
	if p > 1 {
		links["prev"] = link(p - 1)
	}
	if p < pages {
		links["next"] = link(p + 1)
	}
	writeJSON(w, http.StatusOK, map[string]any{field: all[start:end], "total": len(all), "page": p, "pages": pages, "links": links})
}

// listLabels is GET /v1/labels, newest first, filtered by rate_id,
// shipment_id and tracking_number.
func (s *Server) listLabels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	var all []map[string]any
	for i := len(s.labels) - 1; i >= 0; i-- {
		l := s.labels[i]
		if (q.Get("rate_id") == "" || q.Get("rate_id") == l.rateID) && (q.Get("shipment_id") == "" || q.Get("shipment_id") == l.shipmentID) &&
			(q.Get("tracking_number") == "" || q.Get("tracking_number") == l.trackingNumber) {
			all = append(all, l.render(s.URL()))
		}
	}
	s.mu.Unlock()
	if all == nil {
		all = []map[string]any{}
	}
	s.paged(w, r, "labels", all)
}

// listShipments is GET /v1/shipments, filtered by shipment_status and
// created_at_start/created_at_end, newest first (sort_dir desc, the
// default) or oldest first (asc).
func (s *Server) listShipments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var start, end time.Time
	for _, b := range []struct {
		name string
		at   *time.Time
	}{{"created_at_start", &start}, {"created_at_end", &end}} {
		if v := q.Get(b.name); v != "" {
			at, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeErrors(w, http.StatusBadRequest, apiError{"shipengine", "validation", "invalid_field_value", b.name + " is not a valid date-time.", b.name})
				return
			}
			*b.at = at
		}
	}
	s.mu.Lock()
	all := []map[string]any{}
	list := append([]*shipment(nil), s.order...)
	sort.SliceStable(list, func(i, j int) bool {
		return list[i].created.After(list[j].created) || (list[i].created.Equal(list[j].created) && i > j)
	})
	if q.Get("sort_dir") == "asc" {
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	for _, sh := range list {
		if st := q.Get("shipment_status"); (st == "" || st == sh.status) &&
			(start.IsZero() || !sh.created.Before(start)) && (end.IsZero() || !sh.created.After(end)) {
			all = append(all, sh.render())
		}
	}
	s.mu.Unlock()
	s.paged(w, r, "shipments", all)
}

var nextState = map[string]event{
	"AC": {"IT", "Accepted at the origin facility; in transit.", time.Time{}},
	"IT": {"DE", "Delivered, front door.", time.Time{}},
}

func (t *track) render() map[string]any {
	last := t.history[len(t.history)-1]
	events := make([]map[string]any, 0, len(t.history))
	for i := len(t.history) - 1; i >= 0; i-- { // newest first, as ShipEngine lists them
		e := t.history[i]
		events = append(events, map[string]any{"occurred_at": stamp(e.at), "carrier_occurred_at": stamp(e.at),
			"description": e.description, "city_locality": "AUSTIN", "state_province": "TX", "postal_code": "78701",
			"country_code": "US", "company_name": "", "signer": "", "event_code": e.code, "carrier_detail_code": e.code,
			"status_code": e.code, "status_description": e.description, "carrier_status_code": e.code, "carrier_status_description": e.description})
	}
	out := map[string]any{"tracking_number": t.number, "tracking_url": "https://tracking.example/" + t.number,
		"status_code": last.code, "carrier_code": t.svc.CarrierCode, "carrier_id": 1, "status_description": last.description,
		"carrier_status_code": last.code, "carrier_detail_code": last.code, "carrier_status_description": last.description,
		"ship_date": stamp(t.history[0].at), "exception_description": "", "events": events}
	if last.code == "DE" {
		out["actual_delivery_date"] = stamp(last.at)
	}
	return out
}

// getTracking is GET /v1/tracking?carrier_code=&tracking_number=.
func (s *Server) getTracking(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tracks[q.Get("tracking_number")]
	if t == nil || !strings.EqualFold(t.svc.CarrierCode, q.Get("carrier_code")) {
		writeNotFound(w, "tracking number", q.Get("tracking_number"))
		return
	}
	writeJSON(w, http.StatusOK, t.render())
}

// trackLabel is GET /v1|v2/labels/{label_id}/track: the tracking of a
// label bought here.
func (s *Server) trackLabel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.labels {
		if l.id == r.PathValue("label_id") {
			if t := s.tracks[l.trackingNumber]; t != nil {
				writeJSON(w, http.StatusOK, t.render())
				return
			}
		}
	}
	writeNotFound(w, "label", r.PathValue("label_id"))
}

// AdvanceTracking moves a parcel to its next state (accepted, in transit,
// delivered) and, if a receiver is set, delivers an API_TRACK event. It
// reports false if the parcel is unknown or already delivered. carrier is
// the label's carrier code.
func (s *Server) AdvanceTracking(carrier, number string) bool {
	s.mu.Lock()
	t := s.tracks[number]
	if t == nil || !strings.EqualFold(t.svc.CarrierCode, carrier) {
		s.mu.Unlock()
		return false
	}
	next, ok := nextState[t.history[len(t.history)-1].code]
	if !ok {
		s.mu.Unlock()
		return false
	}
	next.at = s.Now()
	t.history = append(t.history, next)
	data := t.render()
	url := s.webhookURL
	base := s.URL()
	s.mu.Unlock()
	if url != "" {
		body, _ := json.Marshal(map[string]any{"resource_url": base + "/v1/tracking?carrier_code=" + t.svc.CarrierCode + "&tracking_number=" + number,
			"resource_type": "API_TRACK", "data": data})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = s.SendWebhook(ctx, url, body)
	}
	return true
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// numText is a JSON number (or a string) as text.
func numText(v any) string {
	switch x := v.(type) {
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return ""
}
