package orderflow

import (
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// State carries what steps made, for later steps and compensation. It
// travels as JSON where steps run apart (Temporal activities).
type State struct {
	// NewKey says no earlier run began the current step, so its keyed
	// writes may skip looking for an earlier attempt's work
	// (connector.WithNewKey). Set it only from a durable record.
	NewKey         bool              `json:"new_key,omitempty"`
	ContactID      string            `json:"contact_id,omitempty"`
	Items          map[string]string `json:"items,omitempty"` // SKU → inventory item id
	StockTaken     bool              `json:"stock_taken,omitempty"`
	StockUnknown   bool              `json:"stock_unknown,omitempty"` // a killed run began taking stock: done or not, unknown
	InvoiceID      string            `json:"invoice_id,omitempty"`
	InvoiceNumber  string            `json:"invoice_number,omitempty"`
	LabelID        string            `json:"label_id,omitempty"`
	Carrier        string            `json:"carrier,omitempty"`
	TrackingNumber string            `json:"tracking_number,omitempty"`
	TrackingURL    string            `json:"tracking_url,omitempty"`
}

// restore takes back what a journaled step recorded in its detail.
func (s *State) restore(step, detail string) {
	switch step {
	case StepCRM:
		if id, _, ok := strings.Cut(strings.TrimPrefix(detail, "contact "), ","); ok {
			s.ContactID = id
		}
	case StepStock:
		s.StockTaken = true
	case StepInvoice:
		s.InvoiceID, s.InvoiceNumber = fields2(detail)
	case StepLabel:
		parts := strings.Fields(detail)
		if len(parts) == 4 {
			s.LabelID, s.Carrier, s.TrackingNumber, s.TrackingURL = parts[0], parts[1], parts[2], parts[3]
		}
	}
}

func fields2(s string) (string, string) {
	a, b, _ := strings.Cut(s, " ")
	return a, b
}

// keyIsNew passes on what the journal knows about the step's key.
func (s *State) keyIsNew() connector.CallOption {
	if s.NewKey {
		return connector.WithNewKey()
	}
	return nil
}
