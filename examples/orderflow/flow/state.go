package flow

import (
	"maps"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// State carries what steps made, for later steps and compensation. It
// travels as JSON where steps run apart (Temporal activities).
type State struct {
	// NewKey says no earlier run began the current step, so its keyed
	// writes may skip looking for an earlier attempt's work
	// (connector.WithNewKey). Set it only from a durable record.
	NewKey bool `json:"new_key,omitempty"`
	// StepBegan is when the first run of the current step began, from
	// the same record: its keyed lookups need read back no further. Zero
	// when unknown.
	StepBegan      time.Time         `json:"step_began,omitzero"`
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
	FulfilmentID   string            `json:"fulfilment_id,omitempty"` // the platform's record that the order shipped
	ShopNotified   bool              `json:"shop_notified,omitempty"` // the platform sent its own confirmation
}

// resume takes the state a journaled step left.
func (s *State) resume(prev StepResult) {
	if prev.State != nil {
		*s = *prev.State
	}
	s.NewKey, s.StepBegan = false, time.Time{}
}

// snapshot copies the state for the journal.
func (s *State) snapshot() *State {
	c := *s
	c.NewKey, c.StepBegan = false, time.Time{}
	c.Items = maps.Clone(s.Items)
	return &c
}

// keyIsNew passes on what the journal knows about the step's key.
func (s *State) keyIsNew() connector.CallOption {
	if s.NewKey {
		return connector.WithNewKey()
	}
	return nil
}
