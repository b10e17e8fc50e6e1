package shipengine

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// TrackingService reads tracking.
// https://www.shipengine.com/docs/tracking/
type TrackingService struct {
	c      *connector.Client
	prefix string
}

// CarrierCode turns a carrier name as rates give it ("DHL Express") into
// ShipEngine's carrier code ("dhl_express"); a code stays as it is.
func CarrierCode(carrier string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(carrier)), " ", "_")
}

// Track returns a parcel's status and history, oldest event first.
//
// ShipEngine API: GET /v1/tracking?carrier_code=&tracking_number=.
func (s *TrackingService) Track(ctx context.Context, carrier, trackingNumber string) (*shipping.TrackingStatus, error) {
	if strings.TrimSpace(trackingNumber) == "" || CarrierCode(carrier) == "" {
		return nil, connector.InvalidInput("shipengine", "tracking.get", "a carrier and a tracking number are required")
	}
	var raw json.RawMessage
	if s.prefix == "/v2" { // ShipStation API v2
		// ShipStation API v2 has no GET /v2/tracking: it tracks the label
		// that carries the number (GET /v2/labels?tracking_number=, then
		// GET /v2/labels/{label_id}/track).
		q := url.Values{"tracking_number": {trackingNumber}, "page_size": {"1"}}
		var page struct {
			Labels []struct {
				LabelID     string `json:"label_id"`
				CarrierCode string `json:"carrier_code"`
			} `json:"labels"`
		}
		if err := s.c.JSON(ctx, http.MethodGet, s.prefix+"/labels?"+q.Encode(), nil, &page, connector.WithOperation("tracking.get")); err != nil {
			return nil, err
		}
		if len(page.Labels) == 0 || !strings.EqualFold(page.Labels[0].CarrierCode, CarrierCode(carrier)) {
			return nil, &connector.APIError{Vendor: "shipengine", Op: "tracking.get", Kind: connector.ErrNotFound,
				Message: "no label of " + carrier + " carries tracking number " + trackingNumber}
		}
		if err := s.c.JSON(ctx, http.MethodGet, s.prefix+"/labels/"+url.PathEscape(page.Labels[0].LabelID)+"/track", nil, &raw,
			connector.WithOperation("tracking.get")); err != nil {
			return nil, err
		}
		return decodeTrack(raw)
	}
	q := url.Values{"carrier_code": {CarrierCode(carrier)}, "tracking_number": {trackingNumber}}
	if err := s.c.JSON(ctx, http.MethodGet, s.prefix+"/tracking?"+q.Encode(), nil, &raw, connector.WithOperation("tracking.get")); err != nil {
		return nil, err
	}
	return decodeTrack(raw)
}
