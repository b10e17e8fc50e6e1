package shippo

import (
	"encoding/json"
	"time"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/shipping"
)

type addressWire struct {
	Name     string `json:"name"`
	Company  string `json:"company,omitempty"`
	Street1  string `json:"street1"`
	Street2  string `json:"street2,omitempty"`
	City     string `json:"city"`
	State    string `json:"state,omitempty"`
	Zip      string `json:"zip,omitempty"`
	Country  string `json:"country"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	Validate bool   `json:"validate,omitempty"`
}

func toAddress(a shipping.Address) addressWire {
	return addressWire{Name: a.Name, Company: a.Company, Street1: a.Street1, Street2: a.Street2, City: a.City, State: a.Region,
		Zip: a.PostalCode, Country: a.Country, Phone: a.Phone, Email: a.Email}
}

type parcelWire struct {
	Length       string `json:"length"`
	Width        string `json:"width"`
	Height       string `json:"height"`
	DistanceUnit string `json:"distance_unit"`
	Weight       string `json:"weight"`
	MassUnit     string `json:"mass_unit"`
}

type message struct {
	Source string `json:"source"`
	Code   string `json:"code"`
	Text   string `json:"text"`
}

type rateWire struct {
	ObjectID      string `json:"object_id"`
	Amount        string `json:"amount"`
	Currency      string `json:"currency"`
	Provider      string `json:"provider"`
	EstimatedDays int    `json:"estimated_days"`
	ServiceLevel  struct {
		Name  string `json:"name"`
		Token string `json:"token"`
	} `json:"servicelevel"`
}

func (r rateWire) toRate(raw json.RawMessage) (shipping.Rate, error) {
	amount, err := money.ParseAmount(r.Currency, r.Amount)
	if err != nil {
		return shipping.Rate{}, err
	}
	return shipping.Rate{ID: r.ObjectID, Carrier: r.Provider, Service: r.ServiceLevel.Name, ServiceToken: r.ServiceLevel.Token,
		Amount: amount, EstimatedDays: r.EstimatedDays, Raw: raw}, nil
}

type transactionWire struct {
	ObjectID       string          `json:"object_id"`
	ObjectCreated  string          `json:"object_created,omitempty"`
	Status         string          `json:"status"` // WAITING, QUEUED, SUCCESS, ERROR, REFUNDED, REFUNDPENDING, REFUNDREJECTED
	Rate           json.RawMessage `json:"rate"`   // an id, or the rate object
	Metadata       string          `json:"metadata"`
	TrackingNumber string          `json:"tracking_number"`
	TrackingURL    string          `json:"tracking_url_provider"`
	LabelURL       string          `json:"label_url"`
	Messages       []message       `json:"messages"`
}

// rateID reads the rate field, an id or an object.
func (t transactionWire) rateID() string {
	var id string
	if json.Unmarshal(t.Rate, &id) == nil {
		return id
	}
	var obj struct {
		ObjectID string `json:"object_id"`
	}
	_ = json.Unmarshal(t.Rate, &obj)
	return obj.ObjectID
}

var labelStatuses = map[string]shipping.LabelStatus{
	"SUCCESS": shipping.LabelCreated, "QUEUED": shipping.LabelQueued, "WAITING": shipping.LabelQueued,
	"ERROR": shipping.LabelError, "REFUNDPENDING": shipping.LabelVoidRequested, "REFUNDED": shipping.LabelVoided,
	"REFUNDREJECTED": shipping.LabelCreated,
}

type trackWire struct {
	Carrier         string         `json:"carrier"`
	TrackingNumber  string         `json:"tracking_number"`
	TrackingStatus  *trackingWire  `json:"tracking_status"`
	TrackingHistory []trackingWire `json:"tracking_history"`
}

type trackingWire struct {
	Status        string    `json:"status"`
	StatusDetails string    `json:"status_details"`
	StatusDate    time.Time `json:"status_date"`
	Location      *struct {
		City    string `json:"city"`
		State   string `json:"state"`
		Zip     string `json:"zip"`
		Country string `json:"country"`
	} `json:"location"`
}

var trackingStates = map[string]shipping.TrackingState{
	"PRE_TRANSIT": shipping.PreTransit, "TRANSIT": shipping.InTransit, "DELIVERED": shipping.Delivered,
	"RETURNED": shipping.Returned, "FAILURE": shipping.Failure, "UNKNOWN": shipping.Unknown,
}

// decodeTrack reads a track: GET /tracks' answer, or a track_updated
// event's data.
func decodeTrack(raw json.RawMessage) (*shipping.TrackingStatus, error) {
	var w trackWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, invalid("tracking.get", "the track could not be decoded")
	}
	ts := &shipping.TrackingStatus{Carrier: w.Carrier, TrackingNumber: w.TrackingNumber, Raw: raw}
	ts.State = shipping.Unknown
	if w.TrackingStatus != nil {
		ts.TrackingEvent = w.TrackingStatus.event()
	}
	for _, h := range w.TrackingHistory {
		ts.History = append(ts.History, h.event())
	}
	return ts, nil
}

func (t trackingWire) event() shipping.TrackingEvent {
	e := shipping.TrackingEvent{State: trackingStates[t.Status], Detail: t.StatusDetails, At: t.StatusDate}
	if e.State == "" {
		e.State = shipping.Unknown
	}
	if l := t.Location; l != nil {
		e.Location = joinNonEmpty(l.City, l.State, l.Zip, l.Country)
	}
	return e
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
