package easyposttest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

type tracker struct {
	id, code, carrier, shipment string
	status                      string
	created, updated            time.Time
	details                     []map[string]any
}

func trackingDetail(status, detail, message string, at time.Time) map[string]any {
	return map[string]any{"object": "TrackingDetail", "message": message, "description": message, "status": status,
		"status_detail": detail, "datetime": stamp(at), "source": "USPS", "carrier_code": "",
		"tracking_location": map[string]any{"object": "TrackingLocation", "city": "SAN FRANCISCO", "state": "CA", "country": "US", "zip": "94117"}}
}

func (s *Server) renderTracker(t *tracker) map[string]any {
	detail := t.details[len(t.details)-1]["status_detail"]
	return map[string]any{"id": t.id, "object": "Tracker", "mode": "test", "tracking_code": t.code, "status": t.status,
		"status_detail": detail, "created_at": stamp(t.created), "updated_at": stamp(t.updated), "signed_by": nil, "weight": nil,
		"est_delivery_date": nil, "shipment_id": nullable(t.shipment), "carrier": t.carrier, "tracking_details": t.details,
		"fees": []any{}, "carrier_detail": nil, "public_url": "https://track.easypost.com/" + t.id}
}

// steps are the states AdvanceTracking moves a parcel through.
var steps = []struct{ status, detail, message string }{
	{"pre_transit", "label_created", "Shipping label created"},
	{"in_transit", "arrived_at_facility", "Arrived at USPS regional facility"},
	{"delivered", "arrived_at_destination", "Delivered, in/at mailbox"},
}

// AdvanceTracking moves a parcel to its next state (pre_transit,
// in_transit, delivered), adding a tracking detail and sending a
// tracker.updated webhook if a receiver is set; false if the tracking
// number is unknown or the parcel delivered.
func (s *Server) AdvanceTracking(carrier, trackingNumber string) bool {
	s.mu.Lock()
	t := s.trackers[trackingNumber]
	if t == nil || (carrier != "" && !strings.EqualFold(carrier, t.carrier)) {
		s.mu.Unlock()
		return false
	}
	i := 0
	for j, st := range steps {
		if st.status == t.status {
			i = j
		}
	}
	if i+1 >= len(steps) {
		s.mu.Unlock()
		return false
	}
	prev := t.status
	next := steps[i+1]
	s.Advance(time.Hour) // a scan takes time; each detail has its own
	now := s.Now()
	t.status, t.updated = next.status, now
	t.details = append(t.details, trackingDetail(next.status, next.detail, next.message, now))
	result := s.renderTracker(t)
	s.mu.Unlock()
	s.notify("tracker.updated", map[string]any{"status": prev}, result)
	return true
}

// TrackerEvent is the body of the Event EasyPost would send for a tracker
// now (description "tracker.updated"), for SendWebhook; nil if the
// tracking number is unknown.
func (s *Server) TrackerEvent(trackingNumber string) []byte {
	s.mu.Lock()
	t := s.trackers[trackingNumber]
	if t == nil {
		s.mu.Unlock()
		return nil
	}
	result := s.renderTracker(t)
	s.mu.Unlock()
	return mustJSON(s.event("tracker.updated", map[string]any{}, result, ""))
}

// listTrackers is GET /v2/trackers, filtered by tracking_code and carrier,
// newest first, with has_more.
func (s *Server) listTrackers(w http.ResponseWriter, r *http.Request) {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []map[string]any
	for _, t := range s.trackers {
		if c := q.Get("tracking_code"); c != "" && c != t.code {
			continue
		}
		if c := q.Get("carrier"); c != "" && !strings.EqualFold(c, t.carrier) {
			continue
		}
		match = append(match, s.renderTracker(t))
	}
	page := match[:min(size, len(match))]
	if page == nil {
		page = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"trackers": page, "has_more": len(match) > len(page)})
}

// createTracker is POST /v2/trackers: the existing tracker for a code, or
// a new one in pre_transit.
func (s *Server) createTracker(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Tracker struct {
			TrackingCode string `json:"tracking_code"`
			Carrier      string `json:"carrier"`
		} `json:"tracker"`
	}
	if !decode(w, r, &in) {
		return
	}
	code := strings.TrimSpace(in.Tracker.TrackingCode)
	if code == "" {
		writeError(w, http.StatusUnprocessableEntity, "TRACKER.INVALID_PARAMS", "Unable to create tracker.", []fieldError{{"tracking_code", "is required"}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trackers[code]
	if t == nil {
		now := s.Now()
		carrier := in.Tracker.Carrier
		if carrier == "" {
			carrier = "USPS"
		}
		t = &tracker{id: newID("trk"), code: code, carrier: carrier, created: now, updated: now, status: "pre_transit",
			details: []map[string]any{trackingDetail("pre_transit", "label_created", "Shipping label created", now)}}
		s.trackers[code] = t
	}
	writeJSON(w, http.StatusOK, s.renderTracker(t))
}
