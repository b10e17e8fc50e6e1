package easypost

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// LabelsService buys and voids labels.
// https://docs.easypost.com/docs/shipments#buy-a-shipment
type LabelsService struct {
	c      *connector.Client
	quoted *shipping.Quoted[quote]
}

// referencePrefix marks the shipments the connector bought under a key:
// their reference is "patchbay:<rate id>:<key>".
const referencePrefix = "patchbay:"

// maxKeyInReference is the longest key kept as it is in a reference; a
// longer one is replaced by connector.DeriveKey of it.
const maxKeyInReference = 64

// reference is what a keyed purchase of rateID carries in its shipment's
// reference.
func reference(rateID, key string) string {
	return referencePrefix + rateID + ":" + keyInReference(key)
}

func keyInReference(key string) string {
	if len(key) > maxKeyInReference {
		return connector.DeriveKey(key)
	}
	return key
}

// parseReference reads a reference written by reference.
func parseReference(ref string) (rateID, key string, ok bool) {
	rest, ok := strings.CutPrefix(ref, referencePrefix)
	if !ok {
		return "", "", false
	}
	rateID, key, ok = strings.Cut(rest, ":")
	return rateID, key, ok && rateID != "" && key != ""
}

// Buy purchases the label for a rate; see the package documentation for
// how a keyed purchase stays one label and one charge when an answer is
// lost. A purchase the carrier refuses is connector.ErrValidation with
// EasyPost's messages; a rate already bought under another key, or bought
// without one, is connector.ErrConflict.
//
// EasyPost API: keyed, GET /v2/shipments (purchased, since the quote) and
// POST /v2/shipments (one-call buy, the key in reference); without a key,
// POST /v2/shipments/{id}/buy. A rate this client did not quote is read
// first: GET /v2/rates/{id} and GET /v2/shipments/{id}.
func (s *LabelsService) Buy(ctx context.Context, rateID string, opts ...connector.CallOption) (*shipping.Label, error) {
	q, err := s.quote(ctx, rateID)
	if err != nil {
		return nil, err
	}
	call := connector.ResolveCallOptions(opts...)
	if call.IdempotencyKey == "" {
		return s.buyQuoted(ctx, q)
	}
	ref := reference(rateID, call.IdempotencyKey)
	if !call.KeyIsNew {
		if l, err := s.lookup(ctx, q, ref); err != nil || l != nil {
			return l, err
		}
	}
	l, err := s.buyKeyed(ctx, q, ref)
	if errors.Is(err, connector.ErrOutcomeUnknown) {
		// Not found yet is no proof: a purchase still on its way through
		// EasyPost would not show. The outcome stays unknown, and the next
		// call under the key looks again before it buys.
		if found, ferr := s.lookup(ctx, q, ref); ferr == nil && found != nil {
			return found, nil
		}
		return nil, err
	}
	return l, err
}

// buyKeyed is EasyPost's one-call buy: a shipment of the quoted shipment's
// addresses and parcel, restricted to the rate's carrier account and
// service, with ref as its reference. Not replayable: a lost answer is
// ErrOutcomeUnknown for Buy to resolve.
func (s *LabelsService) buyKeyed(ctx context.Context, q quote, ref string) (*shipping.Label, error) {
	shp := map[string]any{
		"reference":    ref,
		"from_address": map[string]string{"id": q.fromID},
		"to_address":   map[string]string{"id": q.toID},
		"parcel":       map[string]string{"id": q.parcelID},
		"service":      q.rate.Service,
	}
	if q.carrierAccount != "" {
		shp["carrier_accounts"] = []string{q.carrierAccount}
	}
	var raw json.RawMessage
	if err := s.c.JSON(ctx, http.MethodPost, path("/shipments"), map[string]any{"shipment": shp}, &raw,
		connector.WithOperation("labels.buy")); err != nil {
		return nil, err
	}
	return s.bought(raw, q.rate.ID)
}

// buyQuoted buys the quoted shipment itself at the rate.
func (s *LabelsService) buyQuoted(ctx context.Context, q quote) (*shipping.Label, error) {
	var raw json.RawMessage
	if err := s.c.JSON(ctx, http.MethodPost, path("/shipments/"+url.PathEscape(q.shipmentID)+"/buy"),
		map[string]any{"rate": map[string]string{"id": q.rate.ID}}, &raw, connector.WithOperation("labels.buy")); err != nil {
		return nil, err
	}
	return s.bought(raw, q.rate.ID)
}

// bought reads a purchase's answer: a shipment with postage, or one
// without, whose messages say why.
func (s *LabelsService) bought(raw json.RawMessage, rateID string) (*shipping.Label, error) {
	var shp shipmentWire
	if err := json.Unmarshal(raw, &shp); err != nil || shp.ID == "" {
		return nil, invalid("labels.buy", "the shipment could not be decoded")
	}
	if !shp.purchased() {
		err := ratingError(&shp).(*connector.APIError)
		err.Op, err.Code = "labels.buy", "postage_error"
		if err.Message == "" {
			err.Message = "EasyPost answered without a postage label"
		}
		return nil, err
	}
	return shp.label(raw, rateID)
}

// lookup finds the purchase under ref among the shipments bought since the
// rate was quoted (a keyed purchase is made after its quote). A purchase of
// the same rate under another key, or of the quoted shipment itself, is
// connector.ErrConflict.
func (s *LabelsService) lookup(ctx context.Context, q quote, ref string) (*shipping.Label, error) {
	query := url.Values{"purchased": {"true"}}
	if !q.shipmentCreated.IsZero() {
		// A minute of slack for clocks; the scan stops there.
		query.Set("start_datetime", q.shipmentCreated.Add(-time.Minute).UTC().Format(time.RFC3339))
	}
	var taken string
	shp, raw, err := s.scan(ctx, query, func(w *shipmentWire) bool {
		if !w.purchased() {
			return false
		}
		r := w.reference()
		if r == ref {
			return true
		}
		if rate, _, ok := parseReference(r); (ok && rate == q.rate.ID) || w.ID == q.shipmentID {
			if taken == "" {
				taken = w.ID
			}
		}
		return false
	})
	switch {
	case err != nil:
		return nil, err
	case shp != nil:
		return shp.label(raw, q.rate.ID)
	case taken != "":
		return nil, &connector.APIError{Vendor: vendorName, Op: "labels.buy", Kind: connector.ErrConflict,
			Message: "rate " + q.rate.ID + " was already bought under another idempotency key or none (shipment " + taken + ")"}
	}
	return nil, nil
}

// FindByKey returns the label bought under key, whatever its rate, or
// connector.ErrNotFound. It scans the account's purchased shipments
// created since since less shipping.FindSlack (start_datetime; the zero
// time reads them all), newest first, stopping at the first whose
// reference holds the key: a flow that quotes again after a crash gets new
// rate ids and checks here first.
//
// EasyPost API: GET /v2/shipments?purchased=true, paged by before_id.
func (s *LabelsService) FindByKey(ctx context.Context, key string, since time.Time) (*shipping.Label, error) {
	want := keyInReference(key)
	query := url.Values{"purchased": {"true"}}
	if !since.IsZero() {
		query.Set("start_datetime", since.Add(-shipping.FindSlack).UTC().Format(time.RFC3339))
	}
	shp, raw, err := s.scan(ctx, query, func(w *shipmentWire) bool {
		_, k, ok := parseReference(w.reference())
		return ok && k == want && w.purchased()
	})
	if err != nil {
		return nil, err
	}
	if shp == nil {
		return nil, &connector.APIError{Vendor: vendorName, Op: "labels.findByKey", Kind: connector.ErrNotFound, Message: "no label under that key"}
	}
	return shp.label(raw, "")
}

// listPageSize is the page size of the lists the connector reads: 100,
// EasyPost's largest.
const listPageSize = "100"

// ListOptions narrows Labels.List. AfterID and BeforeID are shipment ids
// (shp_...): only shipments created after AfterID, or before BeforeID, are
// listed. Since and Until bound their creation time. The zero value lists
// every label of the account.
type ListOptions struct {
	AfterID, BeforeID string
	Since, Until      time.Time
}

// List returns the labels the account bought, newest first, page by page:
// each page is 100 shipments, the next asked for with before_id set to the
// last id of the page before while has_more is true
// (https://docs.easypost.com/docs/pagination). AfterID stays on every page
// request as the lower bound of the walk, and the walk also ends at
// AfterID's own shipment, so it ends there even if EasyPost honoured only
// before_id on a later page. A key-bought label's RateID is the rate in
// its reference.
//
// EasyPost API: GET /v2/shipments?purchased=true.
func (s *LabelsService) List(ctx context.Context, opts ListOptions) iter.Seq2[*shipping.Label, error] {
	query := url.Values{"purchased": {"true"}}
	if opts.AfterID != "" {
		query.Set("after_id", opts.AfterID)
	}
	if opts.BeforeID != "" {
		query.Set("before_id", opts.BeforeID)
	}
	if !opts.Since.IsZero() {
		query.Set("start_datetime", opts.Since.UTC().Format(time.RFC3339))
	}
	if !opts.Until.IsZero() {
		query.Set("end_datetime", opts.Until.UTC().Format(time.RFC3339))
	}
	return func(yield func(*shipping.Label, error) bool) {
		for l, err := range s.walk(ctx, "labels.list", query) {
			switch {
			case err != nil:
				yield(nil, err)
				return
			case opts.AfterID != "" && l.w.ID == opts.AfterID:
				return
			case !l.w.purchased():
				continue
			}
			rateID, _, _ := parseReference(l.w.reference())
			label, err := l.w.label(l.raw, rateID)
			if !yield(label, err) || err != nil {
				return
			}
		}
	}
}

// scan walks the purchased shipments in query until match says yes.
func (s *LabelsService) scan(ctx context.Context, query url.Values, match func(*shipmentWire) bool) (*shipmentWire, json.RawMessage, error) {
	for l, err := range s.walk(ctx, "labels.lookup", query) {
		if err != nil {
			return nil, nil, err
		}
		if match(l.w) {
			return l.w, l.raw, nil
		}
	}
	return nil, nil, nil
}

// listed is one shipment of a list: decoded, and as EasyPost sent it.
type listed struct {
	w   *shipmentWire
	raw json.RawMessage
}

// walk yields the shipments in query, newest first, across before_id
// pages; query's own before_id starts the walk.
func (s *LabelsService) walk(ctx context.Context, op string, query url.Values) iter.Seq2[listed, error] {
	fetch := func(ctx context.Context, cursor string) (connector.Page[json.RawMessage], error) {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("page_size", listPageSize)
		if cursor != "" {
			q.Set("before_id", cursor)
		}
		var page struct {
			Shipments []json.RawMessage `json:"shipments"`
			HasMore   bool              `json:"has_more"`
		}
		if err := s.c.JSON(ctx, http.MethodGet, path("/shipments")+"?"+q.Encode(), nil, &page,
			connector.WithOperation(op)); err != nil {
			return connector.Page[json.RawMessage]{}, err
		}
		p := connector.Page[json.RawMessage]{Items: page.Shipments}
		if page.HasMore && len(page.Shipments) > 0 {
			var last struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(page.Shipments[len(page.Shipments)-1], &last) != nil || last.ID == "" {
				return p, invalid(op, "a listed shipment has no id")
			}
			p.Next = last.ID
		}
		return p, nil
	}
	return func(yield func(listed, error) bool) {
		for raw, err := range connector.All(ctx, fetch) {
			if err != nil {
				yield(listed{}, err)
				return
			}
			var w shipmentWire
			if err := json.Unmarshal(raw, &w); err != nil {
				yield(listed{}, invalid(op, "a listed shipment could not be decoded"))
				return
			}
			if !yield(listed{&w, raw}, nil) {
				return
			}
		}
	}
}

// quote returns what buying a rate needs: from this client's quotes, or
// read back from EasyPost.
//
// EasyPost API: GET /v2/rates/{id}, GET /v2/shipments/{id}.
func (s *LabelsService) quote(ctx context.Context, rateID string) (quote, error) {
	if q, ok := s.quoted.Get(rateID); ok {
		return q, nil
	}
	var raw json.RawMessage
	if err := s.c.JSON(ctx, http.MethodGet, path("/rates/"+url.PathEscape(rateID)), nil, &raw, connector.WithOperation("labels.rate")); err != nil {
		return quote{}, err
	}
	var w rateWire
	if err := json.Unmarshal(raw, &w); err != nil || w.ShipmentID == "" {
		return quote{}, invalid("labels.rate", "the rate could not be decoded")
	}
	r, err := w.toRate(raw)
	if err != nil {
		return quote{}, invalid("labels.rate", "the rate's amount is not a decimal")
	}
	var shp shipmentWire
	if err := s.c.JSON(ctx, http.MethodGet, path("/shipments/"+url.PathEscape(w.ShipmentID)), nil, &shp,
		connector.WithOperation("labels.shipment")); err != nil {
		return quote{}, err
	}
	return quoteOf(r, w, &shp), nil
}

// Void asks EasyPost to refund an unused label: the carrier confirms
// later, so the label is void_requested at first (refund_status
// "submitted"). Asking twice is connector.ErrValidation.
//
// EasyPost API: POST /v2/shipments/{id}/refund.
// https://docs.easypost.com/docs/shipments#refund-a-shipment
func (s *LabelsService) Void(ctx context.Context, labelID string, opts ...connector.CallOption) (*shipping.Label, error) {
	var raw json.RawMessage
	if err := s.c.JSON(ctx, http.MethodPost, path("/shipments/"+url.PathEscape(labelID)+"/refund"), nil, &raw,
		append(opts, connector.WithOperation("labels.void"))...); err != nil {
		return nil, err
	}
	var shp shipmentWire
	if err := json.Unmarshal(raw, &shp); err != nil || shp.ID == "" {
		return nil, invalid("labels.void", "the shipment could not be decoded")
	}
	return shp.label(raw, "")
}
