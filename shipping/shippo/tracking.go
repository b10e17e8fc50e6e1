package shippo

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
// https://docs.goshippo.com/shippoapi/public-api/tracking-status/gettrack
type TrackingService struct{ c *connector.Client }

// CarrierToken turns a carrier name as rates give it ("DHL Express") into
// Shippo's carrier token ("dhl_express").
func CarrierToken(carrier string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(carrier)), " ", "_")
}

// Track returns a parcel's status and history.
//
// Shippo API: GET /tracks/{carrier}/{tracking_number}.
func (s *TrackingService) Track(ctx context.Context, carrier, trackingNumber string) (*shipping.TrackingStatus, error) {
	var raw json.RawMessage
	p := "/tracks/" + url.PathEscape(CarrierToken(carrier)) + "/" + url.PathEscape(trackingNumber)
	if err := s.c.JSON(ctx, http.MethodGet, p, nil, &raw, connector.WithOperation("tracking.get")); err != nil {
		return nil, err
	}
	return decodeTrack(raw)
}
