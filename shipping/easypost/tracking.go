package easypost

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// TrackingService reads trackers.
// https://docs.easypost.com/docs/trackers
type TrackingService struct{ c *connector.Client }

// Track returns a parcel's status and history from the account's tracker
// for the tracking number (EasyPost makes one for every label it sells;
// Create starts one for a label bought elsewhere). No tracker is
// connector.ErrNotFound.
//
// EasyPost API: GET /v2/trackers?tracking_code=...&carrier=...
func (s *TrackingService) Track(ctx context.Context, carrier, trackingNumber string) (*shipping.TrackingStatus, error) {
	q := url.Values{"tracking_code": {trackingNumber}, "page_size": {"1"}}
	if c := CarrierName(carrier); c != "" {
		q.Set("carrier", c)
	}
	var page struct {
		Trackers []json.RawMessage `json:"trackers"`
	}
	if err := s.c.JSON(ctx, http.MethodGet, path("/trackers")+"?"+q.Encode(), nil, &page, connector.WithOperation("tracking.get")); err != nil {
		return nil, err
	}
	if len(page.Trackers) == 0 {
		return nil, &connector.APIError{Vendor: vendorName, Op: "tracking.get", StatusCode: http.StatusOK, Kind: connector.ErrNotFound,
			Message: "no tracker for that tracking number"}
	}
	return decodeTracker(page.Trackers[0])
}

// Create starts tracking a parcel EasyPost did not sell the label of.
// EasyPost answers with the existing tracker for a number it already
// tracks, so the call is retried freely.
//
// EasyPost API: POST /v2/trackers.
func (s *TrackingService) Create(ctx context.Context, carrier, trackingNumber string) (*shipping.TrackingStatus, error) {
	t := map[string]string{"tracking_code": trackingNumber}
	if c := CarrierName(carrier); c != "" {
		t["carrier"] = c
	}
	var raw json.RawMessage
	if err := s.c.JSON(ctx, http.MethodPost, path("/trackers"), map[string]any{"tracker": t}, &raw,
		connector.WithOperation("tracking.create"), connector.WithReplayable()); err != nil {
		return nil, err
	}
	return decodeTracker(raw)
}

// CarrierName turns a carrier as callers write it ("usps", "fedex") into
// EasyPost's carrier string ("USPS", "FedEx"); unknown names are kept.
func CarrierName(carrier string) string {
	c := strings.TrimSpace(carrier)
	if n, ok := carrierNames[strings.ToLower(c)]; ok {
		return n
	}
	return c
}

var carrierNames = map[string]string{"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHLExpress", "dhlexpress": "DHLExpress",
	"dhl express": "DHLExpress", "canadapost": "CanadaPost", "canada post": "CanadaPost"}
