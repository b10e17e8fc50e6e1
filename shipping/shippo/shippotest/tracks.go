package shippotest

import (
	"net/http"
	"time"

	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// next advances a parcel: pre-transit, in transit, delivered.
var nextState = map[string][2]string{
	"PRE_TRANSIT": {"TRANSIT", "Accepted at the origin facility; in transit."},
	"TRANSIT":     {"DELIVERED", "Delivered, front door."},
}

func trackingEvent(status, details string, at time.Time) map[string]any {
	return map[string]any{"object_id": connectortest.RandomHex(16), "object_created": stamp(at), "object_updated": stamp(at),
		"status": status, "status_details": details, "status_date": stamp(at),
		"location": map[string]any{"city": "Austin", "state": "TX", "zip": "78701", "country": "US"}}
}

func (t *track) render() map[string]any {
	last := t.history[len(t.history)-1]
	// Shippo sends null for what it does not know (eta, metadata); the
	// published schema does not allow null there, so the sandbox leaves
	// those fields out.
	return map[string]any{"carrier": t.carrier, "tracking_number": t.number, "tracking_status": last,
		"tracking_history": t.history, "transaction": t.transaction, "messages": []any{}}
}

// AdvanceTracking moves a parcel to its next state (pre-transit, in
// transit, delivered) and sends a track_updated webhook if a receiver is
// set. It reports false if the parcel is unknown or already delivered.
func (s *Server) AdvanceTracking(carrier, number string) bool {
	s.mu.Lock()
	t := s.tracks[carrier+"/"+number]
	if t == nil {
		s.mu.Unlock()
		return false
	}
	step, ok := nextState[t.history[len(t.history)-1]["status"].(string)]
	if !ok {
		s.mu.Unlock()
		return false
	}
	t.history = append(t.history, trackingEvent(step[0], step[1], s.Now()))
	body := t.render()
	s.mu.Unlock()
	s.notify("track_updated", body)
	return true
}

// getTrack is GET /tracks/{carrier}/{tracking_number}. Carrier names match
// case-insensitively ("usps" and "USPS").
func (s *Server) getTrack(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tracks {
		if equalFold(t.carrier, r.PathValue("carrier")) && t.number == r.PathValue("number") {
			writeJSON(w, http.StatusOK, t.render())
			return
		}
	}
	writeNotFound(w)
}
