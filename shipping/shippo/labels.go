package shippo

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
// https://docs.goshippo.com/shippoapi/public-api/transactions/createtransaction
type LabelsService struct {
	c      *connector.Client
	quoted *shipping.Quoted[shipping.Rate]
}

// metadataPrefix marks the transactions the connector bought under a key.
const metadataPrefix = "patchbay-key:"

// Buy purchases the label for a rate.
//
// Shippo has no idempotency header, so with an idempotency key Buy makes
// the purchase idempotent itself:
//  1. the rate's transactions are listed (GET /transactions?rate=ID); one
//     whose metadata carries the key, and did not fail, is the result;
//  2. otherwise the label is bought with the key in its metadata
//     (POST /transactions);
//  3. if that answer is lost (connector.ErrOutcomeUnknown), step 1 runs
//     again: a purchase that went through is the result. If it shows none,
//     the call stays connector.ErrOutcomeUnknown: a purchase still on its
//     way through Shippo would not show yet, so the next call under the key
//     (after a pause) looks again before it buys.
//
// With connector.WithNewKey (the caller knows the key is unused), step 1 is
// skipped; step 3 still runs. A rate this client quoted needs no GET of
// its own. On the happy path a keyed purchase is then one call.
//
// A transaction for the rate under another key is connector.ErrConflict.
// Without a key, a lost answer is ErrOutcomeUnknown for the caller to
// resolve. Two processes buying with one key at the same instant can both
// pass step 1: run one purchase per order at a time (the order flow does).
//
// A purchase the carrier refuses (status ERROR) is connector.ErrValidation
// with every message Shippo gave.
func (s *LabelsService) Buy(ctx context.Context, rateID string, opts ...connector.CallOption) (*shipping.Label, error) {
	rate, err := s.rate(ctx, rateID)
	if err != nil {
		return nil, err
	}
	call := connector.ResolveCallOptions(opts...)
	key := call.IdempotencyKey
	if key == "" {
		t, err := s.purchase(ctx, rateID, "")
		if err != nil {
			return nil, err
		}
		return s.label(t, rate)
	}
	meta := metadataPrefix + key
	if len(meta) > 100 { // Shippo's limit on metadata
		meta = metadataPrefix + connector.DeriveKey(key)
	}
	if !call.KeyIsNew {
		if t, err := s.findByKey(ctx, rateID, meta); err != nil || t != nil {
			if err != nil {
				return nil, err
			}
			return s.label(t, rate)
		}
	}
	t, err := s.purchase(ctx, rateID, meta)
	if errors.Is(err, connector.ErrOutcomeUnknown) {
		// A purchase whose answer was lost may still be on its way through
		// Shippo: not seeing it yet is no proof it will not be. Found, it
		// is the label; not found, the outcome stays unknown, and a later
		// call under the key looks again before it buys (the order flow's
		// next attempt, after its backoff). Buying again at once sold one
		// order two labels in the 10,000-order soak.
		found, ferr := s.findByKey(ctx, rateID, meta)
		if ferr == nil && found != nil {
			return s.label(found, rate)
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return s.label(t, rate)
}

// FindByKey returns the label bought under key, whatever its rate, or
// connector.ErrNotFound. It reads the account's transactions, newest
// first, stopping at the first match, or at the first created before
// since less shipping.FindSlack: Shippo's list has no filter by time or
// metadata, so without since the walk reads the account's whole history.
// A flow that quotes again after a crash gets new rate ids and checks here
// before buying.
//
// Shippo API: GET /transactions, following next links.
func (s *LabelsService) FindByKey(ctx context.Context, key string, since time.Time) (*shipping.Label, error) {
	meta := metadataPrefix + key
	if len(meta) > 100 {
		meta = metadataPrefix + connector.DeriveKey(key)
	}
	floor := since.Add(-shipping.FindSlack)
	var found *transactionWire
	for t, err := range s.transactions(ctx, "/transactions?results=100") {
		if err != nil {
			return nil, err
		}
		if t.Metadata == meta && t.Status != "ERROR" && !strings.HasPrefix(t.Status, "REFUND") {
			found = &t
			break
		}
		if created, err := time.Parse(time.RFC3339Nano, t.ObjectCreated); !since.IsZero() && err == nil && created.Before(floor) {
			break // newest first: everything further is older still
		}
	}
	if found == nil {
		return nil, &connector.APIError{Vendor: "shippo", Op: "labels.findByKey", Kind: connector.ErrNotFound, Message: "no label under that key"}
	}
	rate, err := s.rate(ctx, found.rateID())
	if err != nil {
		return nil, err
	}
	return s.label(found, rate)
}

// transactions walks a transaction list, page by page along Shippo's next
// links.
func (s *LabelsService) transactions(ctx context.Context, first string) iter.Seq2[transactionWire, error] {
	return connector.All(ctx, func(ctx context.Context, next string) (connector.Page[transactionWire], error) {
		if next == "" {
			next = first
		}
		var page struct {
			Next    *string           `json:"next"`
			Results []transactionWire `json:"results"`
		}
		if err := s.c.JSON(ctx, http.MethodGet, next, nil, &page, connector.WithOperation("labels.lookup")); err != nil {
			return connector.Page[transactionWire]{}, err
		}
		p := connector.Page[transactionWire]{Items: page.Results}
		if page.Next != nil {
			p.Next = *page.Next
		}
		return p, nil
	})
}

// purchase is POST /transactions. It is not marked idempotent: a blind
// retry could buy twice, so a lost answer comes back as ErrOutcomeUnknown.
func (s *LabelsService) purchase(ctx context.Context, rateID, meta string) (*transactionWire, error) {
	body := map[string]any{"rate": rateID, "label_file_type": "PDF", "async": false}
	if meta != "" {
		body["metadata"] = meta
	}
	var t transactionWire
	if err := s.c.JSON(ctx, http.MethodPost, "/transactions", body, &t, connector.WithOperation("labels.buy")); err != nil {
		return nil, err
	}
	if t.Status == "ERROR" {
		return nil, transactionError(t.Messages)
	}
	return &t, nil
}

// findByKey lists the rate's transactions for one carrying meta. A
// successful transaction under another key means the rate is taken:
// connector.ErrConflict.
//
// Shippo API: GET /transactions?rate=ID, following next links.
func (s *LabelsService) findByKey(ctx context.Context, rateID, meta string) (*transactionWire, error) {
	var taken *transactionWire
	for t, err := range s.transactions(ctx, "/transactions?rate="+url.QueryEscape(rateID)+"&results=100") {
		switch {
		case err != nil:
			return nil, err
		case t.Status == "ERROR" || strings.HasPrefix(t.Status, "REFUND"):
			// failed or voided: it does not hold the rate
		case t.Metadata == meta:
			return &t, nil
		case strings.HasPrefix(t.Metadata, metadataPrefix) && taken == nil:
			taken = &t
		}
	}
	if taken != nil {
		return nil, &connector.APIError{Vendor: "shippo", Op: "labels.buy", Kind: connector.ErrConflict,
			Message: "rate " + rateID + " was already bought under another idempotency key (label " + taken.ObjectID + ")"}
	}
	return nil, nil
}

// rate fetches the rate being bought, for the label's carrier and price.
//
// Shippo API: GET /rates/{RateId}.
func (s *LabelsService) rate(ctx context.Context, rateID string) (shipping.Rate, error) {
	if s.quoted != nil {
		if r, ok := s.quoted.Get(rateID); ok {
			return r, nil
		}
	}
	var raw json.RawMessage
	if err := s.c.JSON(ctx, http.MethodGet, "/rates/"+url.PathEscape(rateID), nil, &raw, connector.WithOperation("labels.rate")); err != nil {
		return shipping.Rate{}, err
	}
	var w rateWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return shipping.Rate{}, invalid("labels.rate", "the rate could not be decoded")
	}
	r, err := w.toRate(raw)
	if err != nil {
		return shipping.Rate{}, invalid("labels.rate", "the rate's amount is not a decimal")
	}
	return r, nil
}

func (s *LabelsService) label(t *transactionWire, rate shipping.Rate) (*shipping.Label, error) {
	raw, _ := json.Marshal(t)
	return &shipping.Label{ID: t.ObjectID, RateID: t.rateID(), Amount: rate.Amount, TrackingNumber: t.TrackingNumber,
		TrackingURL: t.TrackingURL, LabelURL: t.LabelURL, Carrier: rate.Carrier, Status: labelStatuses[t.Status], Raw: raw}, nil
}

// Void asks Shippo to refund an unused label; the carrier confirms later,
// so the label is usually void_requested at first.
//
// Shippo API: POST /refunds, then GET /transactions/{TransactionId}.
func (s *LabelsService) Void(ctx context.Context, labelID string, opts ...connector.CallOption) (*shipping.Label, error) {
	err := s.c.JSON(ctx, http.MethodPost, "/refunds", map[string]any{"transaction": labelID, "async": false}, nil,
		append(opts, connector.WithOperation("labels.void"))...)
	if err != nil {
		return nil, err
	}
	var t transactionWire
	if err := s.c.JSON(ctx, http.MethodGet, "/transactions/"+url.PathEscape(labelID), nil, &t, connector.WithOperation("labels.get")); err != nil {
		return nil, err
	}
	rate, err := s.rate(ctx, t.rateID())
	if err != nil {
		return nil, err
	}
	return s.label(&t, rate)
}
