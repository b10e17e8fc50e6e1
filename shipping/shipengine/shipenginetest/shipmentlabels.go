package shipenginetest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// createLabel is POST /v1/labels with a shipment: the shipment is
// created (label_purchased) and its label bought and charged at once. An
// external_shipment_id already used on the account is refused, 400 with
// error_code identifier_conflict. ShipEngine documents that a duplicate
// is an error but not its code:
// https://docs.shipstation.com/apis/shipengine/docs/shipping/create-a-shipment
func (s *Server) createLabel(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Shipment *struct {
			CarrierID          string           `json:"carrier_id"`
			ServiceCode        string           `json:"service_code"`
			ExternalShipmentID *string          `json:"external_shipment_id"`
			ShipTo             map[string]any   `json:"ship_to"`
			ShipFrom           map[string]any   `json:"ship_from"`
			Packages           []map[string]any `json:"packages"`
		} `json:"shipment"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil || in.Shipment == nil {
		writeErrors(w, http.StatusBadRequest, apiError{"shipengine", "validation", "request_body_required", "A shipment is required.", "shipment"})
		return
	}
	in2 := in.Shipment
	errs, grams := checkShipment(in2.ShipTo, in2.ShipFrom, in2.Packages)
	var svc *Service
	for i := range Services {
		if Services[i].CarrierID == in2.CarrierID && Services[i].Code == in2.ServiceCode {
			svc = &Services[i]
		}
	}
	if svc == nil {
		errs = append(errs, apiError{"shipengine", "validation", "invalid_field_value",
			"The carrier_id and service_code do not name a service of the account.", "shipment.service_code"})
	}
	ext := ""
	if in2.ExternalShipmentID != nil {
		ext = *in2.ExternalShipmentID
		if len(ext) > 50 { // "Any additional characters will be truncated."
			ext = ext[:50]
		}
	}
	if len(errs) > 0 {
		writeErrors(w, http.StatusBadRequest, errs...)
		return
	}
	s.mu.Lock()
	if ext != "" && s.byExternalID(ext) != nil {
		s.mu.Unlock()
		writeErrors(w, http.StatusBadRequest, apiError{"shipengine", "validation", "identifier_conflict",
			"A shipment with external_shipment_id " + strconv.Quote(ext) + " already exists.", "shipment.external_shipment_id"})
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
	sh := &shipment{id: s.newID(), created: now, modified: now, status: "label_purchased", shipTo: in2.ShipTo,
		shipFrom: in2.ShipFrom, packages: in2.Packages, grams: grams, externalID: ext}
	s.shipments[sh.id] = sh
	s.order = append(s.order, sh)
	l := &label{id: s.newID(), shipmentID: sh.id, status: "completed", svc: *svc, cost: price(*svc, grams), created: now,
		trackingNumber: "9400" + strconv.FormatInt(now.UnixNano()%1_000_000_000_000, 10) + strconv.Itoa(len(s.labels))}
	s.labels = append(s.labels, l)
	s.purchases++
	s.tracks[l.trackingNumber] = &track{svc: *svc, number: l.trackingNumber,
		history: []event{{"AC", "Shipping label created; the carrier awaits the item.", now}}}
	lose := s.loseNext
	s.loseNext = false
	body := l.render(s.URL())
	fromShipment(body, sh, strings.HasPrefix(r.URL.Path, "/v2/"))
	s.mu.Unlock()
	if lose {
		resetConnection(w) // bought and charged, but the answer never arrives
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// fromShipment adds what the answer to a purchase from a shipment has and
// one from a rate has not: the shipment's ship_to and
// external_shipment_id, and, as null, the links and numbers the label
// lacks. ShipStation API v2's spec makes those non-nullable, so there
// they are left out (see the conformance exceptions).
func fromShipment(body map[string]any, sh *shipment, v2 bool) {
	body["ship_to"] = sh.shipTo
	if sh.externalID != "" {
		body["external_shipment_id"] = sh.externalID
	}
	if v2 {
		body["rate_details"] = []any{}
		return
	}
	if sh.externalID == "" {
		body["external_shipment_id"] = nil
	}
	for _, k := range []string{"external_order_id", "form_download", "insurance_claim", "label_image_id",
		"paperless_download", "qr_code_download", "rma_number"} {
		body[k] = nil
	}
}

// byExternalID is the shipment keyed id; s.mu held.
func (s *Server) byExternalID(id string) *shipment {
	for _, sh := range s.order {
		if sh.externalID != "" && sh.externalID == id {
			return sh
		}
	}
	return nil
}

// labelSubresource is GET /v1/labels/{label_id}/track and GET
// /v1/labels/external_shipment_id/{external_shipment_id}.
func (s *Server) labelSubresource(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.PathValue("label_id") == "external_shipment_id":
		s.getLabelByExternalID(w, r.PathValue("what"))
	case r.PathValue("what") == "track":
		s.trackLabel(w, r)
	default:
		http.NotFound(w, r)
	}
}

// getLabelByExternalID answers the first label bought for the shipment
// keyed id, as the platform does: "only the earliest created label will
// be returned".
func (s *Server) getLabelByExternalID(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sh := s.byExternalID(id); sh != nil {
		for _, l := range s.labels {
			if l.shipmentID == sh.id {
				writeJSON(w, http.StatusOK, l.render(s.URL()))
				return
			}
		}
	}
	writeNotFound(w, "label with external_shipment_id", id)
}

// getShipmentByExternalID is GET /v1/shipments/external_shipment_id/{id}.
func (s *Server) getShipmentByExternalID(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.byExternalID(r.PathValue("external_shipment_id"))
	if sh == nil {
		writeNotFound(w, "shipment with external_shipment_id", r.PathValue("external_shipment_id"))
		return
	}
	writeJSON(w, http.StatusOK, sh.render())
}
