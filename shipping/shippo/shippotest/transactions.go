package shippotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/patchbay-go/patchbay/connector/connectortest"
)

func (t *transaction) render() map[string]any {
	out := map[string]any{"object_id": t.id, "object_state": "VALID", "status": t.status, "rate": t.rateID,
		"metadata": t.metadata, "messages": t.messages, "test": true, "object_created": stamp(t.created),
		"object_updated": stamp(t.updated), "object_owner": "sandbox@example.com", "label_file_type": "PDF",
		"tracking_number": t.trackingNumber, "tracking_status": "UNKNOWN",
		"created_by": map[string]any{"first_name": "Sandbox", "last_name": "User", "username": "sandbox@example.com"}}
	if t.trackingNumber != "" {
		out["tracking_url_provider"] = "https://tracking.example/" + t.carrier + "/" + t.trackingNumber
		out["label_url"] = "https://labels.example/" + t.id + ".pdf"
		out["tracking_status"] = "PRE_TRANSIT"
	} else {
		out["tracking_url_provider"] = ""
		out["label_url"] = ""
	}
	return out
}

// createTransaction buys the label for a rate, synchronously. Shippo has
// no idempotency key: buying a rate twice charges twice, which is what the
// connector's metadata lookup prevents.
func (s *Server) createTransaction(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Rate          string `json:"rate"`
		LabelFileType string `json:"label_file_type"`
		Async         bool   `json:"async"`
		Metadata      string `json:"metadata"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeFieldErrors(w, map[string]any{"non_field_errors": []string{"Invalid JSON."}})
		return
	}
	s.mu.Lock()
	rt := s.rates[in.Rate]
	if rt == nil {
		s.mu.Unlock()
		writeFieldErrors(w, map[string]any{"rate": []string{fmt.Sprintf("Invalid pk %q - object does not exist.", in.Rate)}})
		return
	}
	if len(in.Metadata) > 100 {
		s.mu.Unlock()
		writeFieldErrors(w, map[string]any{"metadata": []string{"Ensure this field has no more than 100 characters."}})
		return
	}
	now := s.Now()
	t := &transaction{id: connectortest.RandomHex(16), rateID: rt.id, metadata: in.Metadata, carrier: rt.svc.Carrier, created: now, updated: now,
		messages: []map[string]string{}}
	if s.failLabels {
		t.status = "ERROR"
		t.messages = []map[string]string{
			{"source": rt.svc.Carrier, "code": "address_invalid", "text": "The recipient address could not be verified."},
			{"source": "shippo", "code": "", "text": "Label purchase failed; the rate was not charged."},
		}
	} else {
		t.status = "SUCCESS"
		s.purchases++
		t.trackingNumber = "9400" + strconv.FormatInt(now.UnixNano()%1_000_000_000_000, 10) + strconv.Itoa(len(s.transactions))
		s.tracks[rt.svc.Carrier+"/"+t.trackingNumber] = &track{carrier: rt.svc.Carrier, number: t.trackingNumber, transaction: t.id,
			history: []map[string]any{trackingEvent("PRE_TRANSIT", "Label created; the carrier awaits the item.", now)}}
	}
	s.transactions = append(s.transactions, t)
	lose := s.loseNext && t.status == "SUCCESS"
	s.loseNext = false
	body := t.render()
	s.mu.Unlock()
	if lose {
		connectortest.Reset(w) // bought, but the answer never arrives
		return
	}
	writeJSON(w, http.StatusCreated, body)
	s.notify("transaction_created", body) // in order, so tests see it before the purchase returns
}

func (s *Server) getTransaction(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.transactions {
		if t.id == r.PathValue("id") {
			writeJSON(w, http.StatusOK, t.render())
			return
		}
	}
	writeNotFound(w)
}

// listTransactions is GET /transactions, filtered by rate, paged with
// page/results and next/previous URLs.
func (s *Server) listTransactions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	per, _ := strconv.Atoi(q.Get("results"))
	if per < 1 || per > 100 {
		per = 25
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*transaction
	for i := len(s.transactions) - 1; i >= 0; i-- { // newest first, as Shippo lists
		if t := s.transactions[i]; q.Get("rate") == "" || t.rateID == q.Get("rate") {
			match = append(match, t)
		}
	}
	start := min((page-1)*per, len(match))
	end := min(start+per, len(match))
	results := make([]map[string]any, 0, end-start)
	for _, t := range match[start:end] {
		results = append(results, t.render())
	}
	out := map[string]any{"results": results, "next": nil, "previous": nil}
	link := func(p int) string {
		u := *r.URL
		qq := u.Query()
		qq.Set("page", strconv.Itoa(p))
		qq.Set("results", strconv.Itoa(per))
		u.RawQuery = qq.Encode()
		// Absolute, as Shippo's are, on the host the request came to: a
		// sandbox reached through a proxy links back through the proxy, as
		// Shippo's links name its public host.
		return "http://" + r.Host + u.RequestURI()
	}
	if end < len(match) {
		out["next"] = link(page + 1)
	}
	if page > 1 {
		out["previous"] = link(page - 1)
	}
	writeJSON(w, http.StatusOK, out)
}

// createRefund asks for a label to be voided: QUEUED, as Shippo answers
// while the carrier confirms.
func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Transaction string `json:"transaction"`
		Async       bool   `json:"async"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeFieldErrors(w, map[string]any{"non_field_errors": []string{"Invalid JSON."}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.transactions {
		if t.id != in.Transaction {
			continue
		}
		if t.status != "SUCCESS" {
			writeFieldErrors(w, map[string]any{"transaction": []string{"Only successful transactions can be refunded; this one is " + t.status + "."}})
			return
		}
		t.status, t.updated = "REFUNDPENDING", s.Now()
		now := stamp(t.updated)
		writeJSON(w, http.StatusCreated, map[string]any{"object_id": connectortest.RandomHex(16), "object_created": now, "object_updated": now,
			"object_owner": "sandbox@example.com", "status": "QUEUED", "transaction": t.id, "test": true})
		return
	}
	writeFieldErrors(w, map[string]any{"transaction": []string{fmt.Sprintf("Invalid pk %q - object does not exist.", in.Transaction)}})
}
