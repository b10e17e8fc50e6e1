package easypost

import (
	"encoding/json"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/shipping"
)

// addressWire is an EasyPost Address as the connector sends it.
type addressWire struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Company string `json:"company,omitempty"`
	Street1 string `json:"street1,omitempty"`
	Street2 string `json:"street2,omitempty"`
	City    string `json:"city,omitempty"`
	State   string `json:"state,omitempty"`
	Zip     string `json:"zip,omitempty"`
	Country string `json:"country,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
}

func toAddress(a shipping.Address) addressWire {
	return addressWire{Name: a.Name, Company: a.Company, Street1: a.Street1, Street2: a.Street2, City: a.City, State: a.Region,
		Zip: a.PostalCode, Country: a.Country, Phone: a.Phone, Email: a.Email}
}

// parcelWire is an EasyPost Parcel: inches and ounces, as JSON numbers
// written from decimals (never through float64).
type parcelWire struct {
	ID     string      `json:"id,omitempty"`
	Length json.Number `json:"length,omitempty"`
	Width  json.Number `json:"width,omitempty"`
	Height json.Number `json:"height,omitempty"`
	Weight json.Number `json:"weight,omitempty"`
}

// toParcel converts a parcel to inches and ounces, rounded up to 0.01 so
// that no measure is declared smaller than it is.
func toParcel(p shipping.Parcel) (parcelWire, error) {
	q, err := p.In(shipping.Inch, shipping.Ounce)
	if err != nil {
		return parcelWire{}, err
	}
	n := func(d decimal.Decimal) json.Number { return json.Number(d.Ceil(2).Trim(0).String()) }
	return parcelWire{Length: n(q.Length), Width: n(q.Width), Height: n(q.Height), Weight: n(q.Weight)}, nil
}

// rateWire is an EasyPost Rate.
type rateWire struct {
	ID               string `json:"id"`
	Carrier          string `json:"carrier"`
	Service          string `json:"service"`
	Rate             string `json:"rate"`
	Currency         string `json:"currency"`
	DeliveryDays     *int   `json:"delivery_days"`
	EstDeliveryDays  *int   `json:"est_delivery_days"`
	ShipmentID       string `json:"shipment_id"`
	CarrierAccountID string `json:"carrier_account_id"`
}

func (r rateWire) toRate(raw json.RawMessage) (shipping.Rate, error) {
	amount, err := money.ParseAmount(r.Currency, r.Rate)
	if err != nil {
		return shipping.Rate{}, err
	}
	days := 0
	switch {
	case r.DeliveryDays != nil:
		days = *r.DeliveryDays
	case r.EstDeliveryDays != nil:
		days = *r.EstDeliveryDays
	}
	return shipping.Rate{ID: r.ID, Carrier: r.Carrier, Service: r.Service, ServiceToken: r.Service, Amount: amount,
		EstimatedDays: max(days, 0), Raw: raw}, nil
}

// shipmentWire is the part of an EasyPost Shipment the connector reads.
type shipmentWire struct {
	ID           string            `json:"id"`
	CreatedAt    time.Time         `json:"created_at"`
	Reference    *string           `json:"reference"`
	TrackingCode *string           `json:"tracking_code"`
	RefundStatus *string           `json:"refund_status"`
	Rates        []json.RawMessage `json:"rates"`
	SelectedRate *rateWire         `json:"selected_rate"`
	FromAddress  *struct {
		ID string `json:"id"`
	} `json:"from_address"`
	ToAddress *struct {
		ID string `json:"id"`
	} `json:"to_address"`
	Parcel *struct {
		ID string `json:"id"`
	} `json:"parcel"`
	PostageLabel *struct {
		LabelURL    *string `json:"label_url"`
		LabelPDFURL *string `json:"label_pdf_url"`
		LabelZPLURL *string `json:"label_zpl_url"`
	} `json:"postage_label"`
	Tracker *struct {
		PublicURL *string `json:"public_url"`
	} `json:"tracker"`
	Messages []struct {
		Carrier string          `json:"carrier"`
		Type    string          `json:"type"`
		Message json.RawMessage `json:"message"`
	} `json:"messages"`
}

func (s *shipmentWire) purchased() bool { return s.PostageLabel != nil && s.SelectedRate != nil }

func (s *shipmentWire) reference() string { return deref(s.Reference) }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// label is a purchased shipment as a shipping.Label. rateID is the rate
// the caller bought, "" for the shipment's own selected rate.
func (s *shipmentWire) label(raw json.RawMessage, rateID string) (*shipping.Label, error) {
	if !s.purchased() {
		return nil, invalid("labels.get", "shipment "+s.ID+" has no postage label")
	}
	amount, err := money.ParseAmount(s.SelectedRate.Currency, s.SelectedRate.Rate)
	if err != nil {
		return nil, invalid("labels.get", "the selected rate's amount is not a decimal")
	}
	if rateID == "" {
		if r, _, ok := parseReference(s.reference()); ok {
			rateID = r // the rate the caller quoted, bought under a key
		} else {
			rateID = s.SelectedRate.ID
		}
	}
	l := &shipping.Label{ID: s.ID, RateID: rateID, Amount: amount, TrackingNumber: deref(s.TrackingCode),
		Carrier: s.SelectedRate.Carrier, Status: shipping.LabelCreated, Raw: raw}
	for _, u := range []*string{s.PostageLabel.LabelURL, s.PostageLabel.LabelPDFURL, s.PostageLabel.LabelZPLURL} {
		if l.LabelURL == "" {
			l.LabelURL = deref(u)
		}
	}
	if s.Tracker != nil {
		l.TrackingURL = deref(s.Tracker.PublicURL)
	}
	switch deref(s.RefundStatus) {
	case "submitted":
		l.Status = shipping.LabelVoidRequested
	case "refunded":
		l.Status = shipping.LabelVoided
	}
	return l, nil
}

// trackerWire is an EasyPost Tracker.
type trackerWire struct {
	ID              string           `json:"id"`
	TrackingCode    string           `json:"tracking_code"`
	Carrier         string           `json:"carrier"`
	Status          string           `json:"status"`
	StatusDetail    *string          `json:"status_detail"`
	UpdatedAt       time.Time        `json:"updated_at"`
	TrackingDetails []trackingDetail `json:"tracking_details"`
}

type trackingDetail struct {
	Message          *string   `json:"message"`
	Status           string    `json:"status"`
	StatusDetail     *string   `json:"status_detail"`
	Datetime         time.Time `json:"datetime"`
	TrackingLocation *struct {
		City    *string `json:"city"`
		State   *string `json:"state"`
		Zip     *string `json:"zip"`
		Country *string `json:"country"`
	} `json:"tracking_location"`
}

// trackingStates maps EasyPost's tracker statuses
// (https://docs.easypost.com/docs/trackers#tracker-object).
var trackingStates = map[string]shipping.TrackingState{
	"pre_transit": shipping.PreTransit, "in_transit": shipping.InTransit, "out_for_delivery": shipping.InTransit,
	"available_for_pickup": shipping.InTransit, "delivered": shipping.Delivered, "return_to_sender": shipping.Returned,
	"failure": shipping.Failure, "error": shipping.Failure, "cancelled": shipping.Failure, "unknown": shipping.Unknown,
}

func state(s string) shipping.TrackingState {
	if st, ok := trackingStates[s]; ok {
		return st
	}
	return shipping.Unknown
}

// decodeTracker reads a Tracker: an answer of /v2/trackers, or a tracker
// event's result.
func decodeTracker(raw json.RawMessage) (*shipping.TrackingStatus, error) {
	var w trackerWire
	if err := json.Unmarshal(raw, &w); err != nil || w.TrackingCode == "" {
		return nil, invalid("tracking.get", "the tracker could not be decoded")
	}
	ts := &shipping.TrackingStatus{Carrier: w.Carrier, TrackingNumber: w.TrackingCode, Raw: raw}
	for _, d := range w.TrackingDetails {
		e := shipping.TrackingEvent{State: state(d.Status), Detail: first(deref(d.Message), deref(d.StatusDetail)), At: d.Datetime}
		if l := d.TrackingLocation; l != nil {
			e.Location = joinNonEmpty(deref(l.City), deref(l.State), deref(l.Zip), deref(l.Country))
		}
		ts.History = append(ts.History, e)
	}
	ts.TrackingEvent = shipping.TrackingEvent{State: state(w.Status), Detail: deref(w.StatusDetail), At: w.UpdatedAt}
	if n := len(ts.History); n > 0 {
		last := ts.History[n-1]
		ts.At, ts.Location = last.At, last.Location
		if last.Detail != "" {
			ts.Detail = last.Detail
		}
	}
	return ts, nil
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func joinNonEmpty(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += ", "
		}
		out += p
	}
	return out
}
