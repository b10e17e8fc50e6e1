package shipengine

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/shipping"
)

// addressWire is ShipEngine's address.
// https://www.shipengine.com/docs/addresses/
type addressWire struct {
	Name                        string `json:"name"`
	Phone                       string `json:"phone,omitempty"`
	Email                       string `json:"email,omitempty"`
	CompanyName                 string `json:"company_name,omitempty"`
	AddressLine1                string `json:"address_line1"`
	AddressLine2                string `json:"address_line2,omitempty"`
	CityLocality                string `json:"city_locality"`
	StateProvince               string `json:"state_province"`
	PostalCode                  string `json:"postal_code"`
	CountryCode                 string `json:"country_code"`
	AddressResidentialIndicator string `json:"address_residential_indicator"`
}

func toAddress(a shipping.Address) addressWire {
	return addressWire{Name: a.Name, Phone: a.Phone, Email: a.Email, CompanyName: a.Company, AddressLine1: a.Street1,
		AddressLine2: a.Street2, CityLocality: a.City, StateProvince: a.Region, PostalCode: a.PostalCode, CountryCode: a.Country,
		AddressResidentialIndicator: "unknown"}
}

// packageWire is a parcel: weight and dimensions as exact JSON numbers.
type packageWire struct {
	Weight     weightWire     `json:"weight"`
	Dimensions dimensionsWire `json:"dimensions"`
}

type weightWire struct {
	Value json.Number `json:"value"`
	Unit  string      `json:"unit"` // pound, ounce, gram, kilogram
}

type dimensionsWire struct {
	Unit   string      `json:"unit"` // inch, centimeter
	Length json.Number `json:"length"`
	Width  json.Number `json:"width"`
	Height json.Number `json:"height"`
}

var massUnits = map[shipping.MassUnit]string{shipping.Pound: "pound", shipping.Ounce: "ounce", shipping.Gram: "gram", shipping.Kilogram: "kilogram"}

// toPackage converts a parcel to ShipEngine's units: inches and
// centimetres as they are, other lengths to centimetres (exactly), and
// weights in their own unit.
func toPackage(p shipping.Parcel) (packageWire, error) {
	du, mu := p.DistanceUnit, p.MassUnit
	if du != shipping.Inch && du != shipping.Centimeter {
		du = shipping.Centimeter
	}
	if _, ok := massUnits[mu]; !ok {
		mu = shipping.Gram
	}
	q, err := p.In(du, mu)
	if err != nil {
		return packageWire{}, err
	}
	dunit := "inch"
	if du == shipping.Centimeter {
		dunit = "centimeter"
	}
	num := func(d decimal.Decimal) json.Number { return json.Number(d.Trim(0).String()) }
	return packageWire{Weight: weightWire{Value: num(q.Weight), Unit: massUnits[mu]},
		Dimensions: dimensionsWire{Unit: dunit, Length: num(q.Length), Width: num(q.Width), Height: num(q.Height)}}, nil
}

// amountWire is a monetary value: a lower-case currency and a JSON number,
// read as its decimal text so that no float ever rounds it.
type amountWire struct {
	Currency string      `json:"currency"`
	Amount   json.Number `json:"amount"`
}

func (a *amountWire) money() (money.Amount, error) {
	cur := strings.ToUpper(a.Currency)
	if a.Amount == "" {
		a.Amount = "0"
	}
	if cur == "" {
		cur = "USD"
	}
	return money.ParseAmount(cur, a.Amount.String())
}

// sum adds amounts of one currency; nil ones (absent) count as nothing.
func sum(parts ...*amountWire) (money.Amount, error) {
	var total money.Amount
	first := true
	for _, p := range parts {
		if p == nil {
			continue
		}
		m, err := p.money()
		if err != nil {
			return money.Amount{}, err
		}
		if first {
			total, first = m, false
			continue
		}
		if total, err = total.Add(m); err != nil {
			return money.Amount{}, err
		}
	}
	if first {
		return money.ParseAmount("USD", "0")
	}
	return total, nil
}

// rateWire is one rate of a rate response.
// https://www.shipengine.com/docs/rates/
type rateWire struct {
	RateID              string      `json:"rate_id"`
	CarrierID           string      `json:"carrier_id"`
	CarrierCode         string      `json:"carrier_code"`
	CarrierFriendlyName string      `json:"carrier_friendly_name"`
	ServiceType         string      `json:"service_type"`
	ServiceCode         string      `json:"service_code"`
	DeliveryDays        int         `json:"delivery_days"`
	ShippingAmount      *amountWire `json:"shipping_amount"`
	InsuranceAmount     *amountWire `json:"insurance_amount"`
	ConfirmationAmount  *amountWire `json:"confirmation_amount"`
	OtherAmount         *amountWire `json:"other_amount"`
	ValidationStatus    string      `json:"validation_status"`
	ErrorMessages       []string    `json:"error_messages"`
}

// toRate: the rate's price is what the label will cost, the sum of its
// shipping, insurance, confirmation and other amounts.
func (r rateWire) toRate(raw json.RawMessage) (shipping.Rate, error) {
	amount, err := sum(r.ShippingAmount, r.InsuranceAmount, r.ConfirmationAmount, r.OtherAmount)
	if err != nil {
		return shipping.Rate{}, err
	}
	carrier := r.CarrierFriendlyName
	if carrier == "" {
		carrier = r.CarrierCode
	}
	return shipping.Rate{ID: r.RateID, Carrier: carrier, Service: r.ServiceType, ServiceToken: r.ServiceCode,
		Amount: amount, EstimatedDays: r.DeliveryDays, Raw: raw}, nil
}

// labelWire is a label.
// https://www.shipengine.com/docs/labels/create-from-rate/
type labelWire struct {
	LabelID        string      `json:"label_id"`
	Status         string      `json:"status"` // processing, completed, error, voided
	ShipmentID     string      `json:"shipment_id"`
	RateID         string      `json:"rate_id"` // not in the published schema; sent by the API and the sandbox
	CreatedAt      string      `json:"created_at"`
	ShipmentCost   *amountWire `json:"shipment_cost"`
	InsuranceCost  *amountWire `json:"insurance_cost"`
	TrackingNumber string      `json:"tracking_number"`
	TrackingURL    *string     `json:"tracking_url"`
	CarrierCode    string      `json:"carrier_code"`
	CarrierID      string      `json:"carrier_id"`
	ServiceCode    string      `json:"service_code"`
	Voided         bool        `json:"voided"`
	LabelDownload  *struct {
		Href string `json:"href"`
		PDF  string `json:"pdf"`
	} `json:"label_download"`
}

var labelStatuses = map[string]shipping.LabelStatus{
	"completed": shipping.LabelCreated, "processing": shipping.LabelQueued, "error": shipping.LabelError, "voided": shipping.LabelVoided,
}

func (l *labelWire) toLabel(raw json.RawMessage, rateID string) (*shipping.Label, error) {
	amount, err := sum(l.ShipmentCost, l.InsuranceCost)
	if err != nil {
		return nil, invalid("labels", "label "+l.LabelID+" has a cost that is not a decimal")
	}
	out := &shipping.Label{ID: l.LabelID, RateID: rateID, Amount: amount, TrackingNumber: l.TrackingNumber,
		Carrier: l.CarrierCode, Status: labelStatuses[l.Status], Raw: raw}
	if out.RateID == "" {
		out.RateID = l.RateID
	}
	if l.Voided {
		out.Status = shipping.LabelVoided
	}
	if out.Status == "" {
		out.Status = shipping.LabelError
	}
	if l.TrackingURL != nil {
		out.TrackingURL = *l.TrackingURL
	}
	if d := l.LabelDownload; d != nil {
		out.LabelURL = d.PDF
		if out.LabelURL == "" {
			out.LabelURL = d.Href
		}
	}
	return out, nil
}

// trackWire is GET /v1/tracking's answer, and a track webhook's data.
// https://www.shipengine.com/docs/tracking/
type trackWire struct {
	TrackingNumber    string      `json:"tracking_number"`
	StatusCode        string      `json:"status_code"`
	StatusDescription string      `json:"status_description"`
	CarrierCode       string      `json:"carrier_code"`
	Events            []eventWire `json:"events"`
	ActualDelivery    *string     `json:"actual_delivery_date"`
}

type eventWire struct {
	OccurredAt    string `json:"occurred_at"`
	Description   string `json:"description"`
	CityLocality  string `json:"city_locality"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	CountryCode   string `json:"country_code"`
	StatusCode    string `json:"status_code"`
}

// trackingStates maps ShipEngine's status codes: UN unknown, AC accepted,
// IT in transit, DE delivered, EX exception, AT delivery attempt, NY not
// yet in system, SP delivered to a service point.
var trackingStates = map[string]shipping.TrackingState{
	"UN": shipping.Unknown, "AC": shipping.PreTransit, "NY": shipping.PreTransit, "IT": shipping.InTransit,
	"AT": shipping.InTransit, "DE": shipping.Delivered, "SP": shipping.Delivered, "EX": shipping.Failure,
}

func state(code string) shipping.TrackingState {
	if s, ok := trackingStates[strings.ToUpper(code)]; ok {
		return s
	}
	return shipping.Unknown
}

// decodeTrack reads a tracking log. ShipEngine lists events newest first;
// History is oldest first, and the latest state is the log's status code
// with the newest event's time.
func decodeTrack(raw json.RawMessage) (*shipping.TrackingStatus, error) {
	var w trackWire
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&w); err != nil {
		return nil, invalid("tracking.get", "the tracking log could not be decoded")
	}
	ts := &shipping.TrackingStatus{Carrier: w.CarrierCode, TrackingNumber: w.TrackingNumber, Raw: raw}
	for _, e := range w.Events {
		ts.History = append(ts.History, e.event())
	}
	slices.SortStableFunc(ts.History, func(a, b shipping.TrackingEvent) int { return a.At.Compare(b.At) })
	ts.State, ts.Detail = state(w.StatusCode), w.StatusDescription
	if n := len(ts.History); n > 0 {
		last := ts.History[n-1]
		ts.At, ts.Location = last.At, last.Location
		if ts.Detail == "" {
			ts.Detail = last.Detail
		}
	}
	return ts, nil
}

func (e eventWire) event() shipping.TrackingEvent {
	at, _ := time.Parse(time.RFC3339Nano, e.OccurredAt)
	return shipping.TrackingEvent{State: state(e.StatusCode), Detail: e.Description, At: at,
		Location: joinNonEmpty(e.CityLocality, e.StateProvince, e.PostalCode, e.CountryCode)}
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}
