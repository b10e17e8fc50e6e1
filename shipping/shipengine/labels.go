package shipengine

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// LabelsService buys and voids labels.
// https://www.shipengine.com/docs/labels/create-from-rate/
type LabelsService struct {
	c      *connector.Client
	prefix string
	quoted *shipping.Quoted[shipping.Rate]
}

// keyPrefix marks the shipments the connector bought a label for under a
// key: the key is kept in the shipment's advanced_options.custom_field1,
// which a purchase from a rate sets (at most 100 characters).
const keyPrefix = "patchbay-key:"

func keyMarker(key string) string {
	m := keyPrefix + key
	if len(m) > 100 {
		m = keyPrefix + connector.DeriveKey(key)
	}
	return m
}

// Buy purchases the label for a rate.
//
// ShipEngine has no idempotency header, and a purchase from a rate
// (POST /v1/labels/rates/{rate_id}) takes no external id: the
// external_shipment_id it does enforce as unique is set when a shipment is
// created, and cannot be set afterwards on the shipment a quote created.
// What the purchase does take is custom_field1, which it saves on the
// rate's shipment. So with an idempotency key Buy:
//  1. lists the rate's labels (GET /v1/labels?rate_id=) and reads the
//     shipment of each live one (GET /v1/shipments/{id}): the one whose
//     custom_field1 carries the key is the result; one carrying another
//     key is connector.ErrConflict;
//  2. otherwise buys with the key in custom_field1;
//  3. if that answer is lost (connector.ErrOutcomeUnknown), runs step 1
//     again: a purchase that went through is found and returned; if none
//     shows, the call stays connector.ErrOutcomeUnknown (one still on its
//     way would not show yet), and the next call under the key looks
//     again before it buys.
//
// With connector.WithNewKey step 1 is skipped (step 3 still runs): one
// call. Without a key, a lost answer is ErrOutcomeUnknown for the caller
// to resolve. Two processes buying one rate under one key at the same
// instant can both pass step 1: run one purchase per order at a time.
//
// A rate id that cannot be a platform id is connector.ErrNotFound with no
// call; a purchase the carrier refuses is connector.ErrValidation with
// the carrier's messages.
func (s *LabelsService) Buy(ctx context.Context, rateID string, opts ...connector.CallOption) (*shipping.Label, error) {
	if !isID(rateID) {
		return nil, notFound("labels.buy", "no rate "+strconv.Quote(rateID))
	}
	call := connector.ResolveCallOptions(opts...)
	if call.IdempotencyKey == "" {
		return s.purchase(ctx, rateID, "")
	}
	marker := keyMarker(call.IdempotencyKey)
	if !call.KeyIsNew {
		if l, err := s.findForRate(ctx, rateID, marker); err != nil || l != nil {
			return l, err
		}
	}
	l, err := s.purchase(ctx, rateID, marker)
	if errors.Is(err, connector.ErrOutcomeUnknown) {
		// Not found yet is no proof: a purchase still on its way through
		// the platform would not show. The outcome stays unknown, and the
		// next call under the key looks again before it buys.
		if found, ferr := s.findForRate(ctx, rateID, marker); ferr == nil && found != nil {
			return found, nil
		}
		return nil, err
	}
	return l, err
}

// purchase is POST /v1/labels/rates/{rate_id}. It is not replayable: a
// blind retry could buy twice, so a lost answer is ErrOutcomeUnknown.
func (s *LabelsService) purchase(ctx context.Context, rateID, marker string) (*shipping.Label, error) {
	body := map[string]any{"label_format": "pdf", "label_download_type": "url", "label_layout": "4x6"}
	if marker != "" {
		body["custom_field1"] = marker
	}
	var raw json.RawMessage
	if err := s.c.JSON(ctx, http.MethodPost, s.prefix+"/labels/rates/"+url.PathEscape(rateID), body, &raw,
		connector.WithOperation("labels.buy")); err != nil {
		return nil, err
	}
	return decodeLabel("labels.buy", raw, rateID)
}

func decodeLabel(op string, raw json.RawMessage, rateID string) (*shipping.Label, error) {
	var w labelWire
	if err := json.Unmarshal(raw, &w); err != nil || w.LabelID == "" {
		return nil, invalid(op, "the label could not be decoded")
	}
	return w.toLabel(raw, rateID)
}

// live reports whether a label holds its rate: not voided, not failed.
func live(w labelWire) bool { return !w.Voided && w.Status != "voided" && w.Status != "error" }

// findForRate looks for the label bought from rateID under marker.
//
// ShipEngine API: GET /v1/labels?rate_id=, then GET /v1/shipments/{id} of
// each live label.
func (s *LabelsService) findForRate(ctx context.Context, rateID, marker string) (*shipping.Label, error) {
	q := url.Values{"rate_id": {rateID}}
	var taken string
	for raw, err := range s.listLabels(ctx, q) {
		if err != nil {
			return nil, err
		}
		var w labelWire
		if json.Unmarshal(raw, &w) != nil || !live(w) {
			continue
		}
		field, err := s.customField(ctx, w.ShipmentID)
		if err != nil {
			return nil, err
		}
		switch {
		case field == marker:
			return w.toLabel(raw, rateID)
		case strings.HasPrefix(field, keyPrefix) && taken == "":
			taken = w.LabelID
		}
	}
	if taken != "" {
		return nil, &connector.APIError{Vendor: "shipengine", Op: "labels.buy", Kind: connector.ErrConflict,
			Message: "rate " + rateID + " was already bought under another idempotency key (label " + taken + ")"}
	}
	return nil, nil
}

// customField reads a shipment's advanced_options.custom_field1.
//
// ShipEngine API: GET /v1/shipments/{shipment_id}.
func (s *LabelsService) customField(ctx context.Context, shipmentID string) (string, error) {
	var sh shipmentRead
	if err := s.c.JSON(ctx, http.MethodGet, s.prefix+"/shipments/"+url.PathEscape(shipmentID), nil, &sh,
		connector.WithOperation("labels.lookup")); err != nil {
		return "", err
	}
	if sh.AdvancedOptions.CustomField1 == nil {
		return "", nil
	}
	return *sh.AdvancedOptions.CustomField1, nil
}

type shipmentRead struct {
	ShipmentID         string `json:"shipment_id"`
	ExternalShipmentID string `json:"external_shipment_id"`
	ShipmentStatus     string `json:"shipment_status"`
	AdvancedOptions    struct {
		CustomField1 *string `json:"custom_field1"`
	} `json:"advanced_options"`
}

// pageSize is what lists ask for; ShipEngine's default is 25.
const pageSize = 100

// listPage reads one page of a ShipEngine list: the items under field,
// and the next page number ("" after the last).
func listPage(ctx context.Context, c *connector.Client, path, field string, q url.Values, cursor, op string) (connector.Page[json.RawMessage], error) {
	page := 1
	if cursor != "" {
		page, _ = strconv.Atoi(cursor)
	}
	qq := url.Values{}
	for k, v := range q {
		qq[k] = v
	}
	qq.Set("page", strconv.Itoa(page))
	qq.Set("page_size", strconv.Itoa(pageSize))
	var resp map[string]json.RawMessage
	if err := c.JSON(ctx, http.MethodGet, path+"?"+qq.Encode(), nil, &resp, connector.WithOperation(op)); err != nil {
		return connector.Page[json.RawMessage]{}, err
	}
	var items []json.RawMessage
	var pages int
	if json.Unmarshal(resp[field], &items) != nil || json.Unmarshal(resp["pages"], &pages) != nil {
		return connector.Page[json.RawMessage]{}, invalid(op, "the list could not be decoded")
	}
	p := connector.Page[json.RawMessage]{Items: items}
	if page < pages && len(items) > 0 {
		p.Next = strconv.Itoa(page + 1)
	}
	return p, nil
}

// listLabels walks GET /v1/labels with the filters q, page by page.
func (s *LabelsService) listLabels(ctx context.Context, q url.Values) func(func(json.RawMessage, error) bool) {
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[json.RawMessage], error) {
		return listPage(ctx, s.c, s.prefix+"/labels", "labels", q, cursor, "labels.list")
	})
}

// FindByKey returns the label bought under key, whatever its rate, or
// connector.ErrNotFound. It walks the account's shipments with a label
// created since since less shipping.FindSlack (created_at_start; the zero
// time walks them all), newest first, stopping at the first whose
// custom_field1 carries the key: a flow that quotes again after a crash
// gets new rate ids and checks here before buying.
//
// ShipEngine API: GET /v1/shipments?shipment_status=label_purchased (page
// and page_size), then GET /v1/labels?shipment_id=.
func (s *LabelsService) FindByKey(ctx context.Context, key string, since time.Time) (*shipping.Label, error) {
	marker := keyMarker(key)
	q := url.Values{"shipment_status": {"label_purchased"}, "sort_by": {"created_at"}, "sort_dir": {"desc"}}
	if !since.IsZero() {
		q.Set("created_at_start", since.Add(-shipping.FindSlack).UTC().Format(time.RFC3339))
	}
	shipments := connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[json.RawMessage], error) {
		return listPage(ctx, s.c, s.prefix+"/shipments", "shipments", q, cursor, "labels.findByKey")
	})
	for raw, err := range shipments {
		if err != nil {
			return nil, err
		}
		var sh shipmentRead
		if json.Unmarshal(raw, &sh) != nil || sh.AdvancedOptions.CustomField1 == nil || *sh.AdvancedOptions.CustomField1 != marker {
			continue
		}
		for raw, err := range s.listLabels(ctx, url.Values{"shipment_id": {sh.ShipmentID}}) {
			if err != nil {
				return nil, err
			}
			var w labelWire
			if json.Unmarshal(raw, &w) == nil && live(w) {
				return w.toLabel(raw, "")
			}
		}
	}
	return nil, notFound("labels.findByKey", "no label under that key")
}

// Void asks for an unused label to be voided. ShipEngine answers whether
// the carrier approved: a refusal (already voided, already used, past the
// void period) is connector.ErrValidation with the platform's message.
//
// ShipEngine API: PUT /v1/labels/{label_id}/void, then GET
// /v1/labels/{label_id}.
func (s *LabelsService) Void(ctx context.Context, labelID string, opts ...connector.CallOption) (*shipping.Label, error) {
	if !isID(labelID) {
		return nil, notFound("labels.void", "no label "+strconv.Quote(labelID))
	}
	var resp struct {
		Approved   bool   `json:"approved"`
		Message    string `json:"message"`
		ReasonCode string `json:"reason_code"`
	}
	err := s.c.JSON(ctx, http.MethodPut, s.prefix+"/labels/"+url.PathEscape(labelID)+"/void", nil, &resp,
		append(opts, connector.WithOperation("labels.void"))...)
	if err != nil {
		return nil, err
	}
	if !resp.Approved {
		return nil, &connector.APIError{Vendor: "shipengine", Op: "labels.void", Kind: connector.ErrValidation,
			Code: resp.ReasonCode, Message: s.c.Redact(resp.Message)}
	}
	var raw json.RawMessage
	if err := s.c.JSON(ctx, http.MethodGet, s.prefix+"/labels/"+url.PathEscape(labelID), nil, &raw,
		connector.WithOperation("labels.get")); err != nil {
		return nil, err
	}
	return decodeLabel("labels.get", raw, "")
}
