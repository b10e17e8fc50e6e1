package woocommerce

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// FulfilmentsService records shipments on orders. WooCommerce core has no
// shipment object: a fulfilment is the order set to completed and an
// order note carrying the carrier and tracking number, a customer note
// (emailed to the customer) when the shipment asks to notify. Its ID is
// the note's id. The connector records each fulfilment in the order's
// meta_data under the idempotency key, as WooCommerce has no idempotency
// of its own; see the package documentation for what that guarantees.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#order-notes
// https://woocommerce.github.io/woocommerce-rest-api-docs/#update-an-order
type FulfilmentsService struct{ a *api }

// fulfilmentMetaPrefix starts the order meta key of a fulfilment's record;
// the rest is a hash of its idempotency key, so any key fits a meta key.
const fulfilmentMetaPrefix = "_patchbay_fulfilment_"

// fulfilmentRecord is what the order's meta_data holds of a fulfilment.
type fulfilmentRecord struct {
	Key       string `json:"key"`
	NoteID    int64  `json:"note_id"`
	Carrier   string `json:"carrier"`
	Tracking  string `json:"tracking_number"`
	Notified  bool   `json:"notified"`
	Cancelled bool   `json:"cancelled,omitempty"`
}

func fulfilmentMetaKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return fulfilmentMetaPrefix + hex.EncodeToString(sum[:12])
}

// noteWire is an order note.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#order-note-properties
type noteWire struct {
	ID           int64  `json:"id"`
	Note         string `json:"note"`
	CustomerNote bool   `json:"customer_note"`
}

// TrackingNote is the order note Fulfil writes for a shipment: what the
// customer reads, and what the connector looks for after a lost answer.
func TrackingNote(s inventory.Shipment) string {
	n := "Your order has shipped with " + s.Carrier + ". Tracking number: " + s.TrackingNumber + "."
	if s.TrackingURL != "" {
		n += " Track it at " + s.TrackingURL
	}
	return n
}

// Fulfil completes the order and adds the tracking note, once under the
// idempotency key: the key's record in the order's meta_data is looked
// up first (unless connector.WithNewKey says it is new), then a note with
// the same text (a run that wrote the note and stopped before the
// record), and a note whose answer was lost is looked up before it is
// written again. Notify makes the note a customer note, which WooCommerce
// emails to the customer; setting the order to completed sends its
// "Completed order" email too, whatever Notify says, if the shop has it
// on. An unknown order is connector.ErrNotFound.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#create-an-order-note
// https://woocommerce.github.io/woocommerce-rest-api-docs/#update-an-order
func (s *FulfilmentsService) Fulfil(ctx context.Context, orderID string, sh inventory.Shipment, opts ...connector.CallOption) (*inventory.Fulfilment, error) {
	if strings.TrimSpace(sh.Carrier) == "" || strings.TrimSpace(sh.TrackingNumber) == "" {
		return nil, connector.InvalidInput(vendorName, "fulfilments.fulfil", "a shipment needs a carrier and a tracking number")
	}
	id, err := parseOrderID(orderID, "fulfilments.fulfil")
	if err != nil {
		return nil, err
	}
	co := connector.ResolveCallOptions(opts...)
	key, fresh := co.IdempotencyKey, co.KeyIsNew
	if key == "" {
		key, fresh = connector.NewKey(), true
	}
	base := "/orders/" + strconv.FormatInt(id, 10)
	metaKey := fulfilmentMetaKey(key)
	text := TrackingNote(sh)
	var note *noteWire
	if !fresh {
		var o orderWire
		if err := s.a.c.JSON(ctx, http.MethodGet, base, nil, &o, connector.WithOperation("fulfilments.fulfil")); err != nil {
			return nil, err
		}
		if rec, ok := findRecord(o.MetaData, metaKey); ok {
			return rec.fulfilment(orderID), nil
		}
		if note, err = s.findNote(ctx, base, text); err != nil {
			return nil, err
		}
	}
	if note == nil {
		if note, err = s.addNote(ctx, base, text, sh.Notify); err != nil {
			return nil, err
		}
	}
	rec := fulfilmentRecord{Key: key, NoteID: note.ID, Carrier: sh.Carrier, Tracking: sh.TrackingNumber, Notified: note.CustomerNote}
	if err := s.a.c.JSON(ctx, http.MethodPut, base, map[string]any{"status": "completed", "meta_data": []metaWire{rec.meta(metaKey)}}, nil,
		connector.WithOperation("fulfilments.fulfil")); err != nil {
		return nil, err
	}
	return rec.fulfilment(orderID), nil
}

// addNote writes the note; after a lost answer it looks for the note and
// writes it again only if it is not there. The key is not handed to the
// connector: WooCommerce would not honour it, and the lost answer must
// come back here.
func (s *FulfilmentsService) addNote(ctx context.Context, base, text string, notify bool) (*noteWire, error) {
	for attempt := 0; ; attempt++ {
		var n noteWire
		err := s.a.c.JSON(ctx, http.MethodPost, base+"/notes", map[string]any{"note": text, "customer_note": notify}, &n,
			connector.WithOperation("fulfilments.note"))
		if err == nil {
			return &n, nil
		}
		if !errors.Is(err, connector.ErrOutcomeUnknown) || attempt > 0 {
			return nil, err
		}
		found, ferr := s.findNote(ctx, base, text)
		if ferr != nil {
			return nil, err
		}
		if found != nil {
			return found, nil
		}
	}
}

// findNote returns the order's note with exactly text, or nil.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-order-notes
func (s *FulfilmentsService) findNote(ctx context.Context, base, text string) (*noteWire, error) {
	var notes []noteWire
	if err := s.a.c.JSON(ctx, http.MethodGet, base+"/notes", nil, &notes, connector.WithOperation("fulfilments.notes")); err != nil {
		return nil, err
	}
	for i := range notes {
		if notes[i].Note == text {
			return &notes[i], nil
		}
	}
	return nil, nil
}

// Cancel deletes the fulfilment's note (DELETE ...?force=true: notes
// cannot be trashed) and sets the order back to processing, unless
// another fulfilment of it stands. What WooCommerce already emailed (the
// customer note, the completed order) cannot be taken back; the note
// leaves the customer's order page. Cancelling one already cancelled is
// no error; a note the connector has no record of is deleted all the
// same.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#delete-an-order-note
func (s *FulfilmentsService) Cancel(ctx context.Context, orderID, fulfilmentID string, opts ...connector.CallOption) error {
	id, err := parseOrderID(orderID, "fulfilments.cancel")
	if err != nil {
		return err
	}
	noteID, err := strconv.ParseInt(fulfilmentID, 10, 64)
	if err != nil || noteID <= 0 {
		return connector.InvalidInput(vendorName, "fulfilments.cancel", "a fulfilment id is a note id, not "+strconv.Quote(fulfilmentID))
	}
	base := "/orders/" + strconv.FormatInt(id, 10)
	var o orderWire
	if err := s.a.c.JSON(ctx, http.MethodGet, base, nil, &o, connector.WithOperation("fulfilments.cancel")); err != nil {
		return err
	}
	var mine *metaWire
	var rec fulfilmentRecord
	others := false
	for i, m := range o.MetaData {
		r, ok := decodeRecord(m)
		if !ok || r.Cancelled {
			continue
		}
		if r.NoteID == noteID {
			mine, rec = &o.MetaData[i], r
		} else {
			others = true
		}
	}
	err = s.a.c.JSON(ctx, http.MethodDelete, base+"/notes/"+strconv.FormatInt(noteID, 10)+"?force=true", nil, nil,
		connector.WithOperation("fulfilments.cancel"))
	if err != nil && !errors.Is(err, connector.ErrNotFound) {
		return err
	}
	if mine == nil {
		if err != nil {
			// No record and no note: cancelled already, or never one of ours.
			return nil
		}
		if others {
			return nil
		}
		return s.reopen(ctx, base, nil)
	}
	rec.Cancelled = true
	m := rec.meta(mine.Key)
	if others {
		return s.a.c.JSON(ctx, http.MethodPut, base, map[string]any{"meta_data": []metaWire{m}}, nil, connector.WithOperation("fulfilments.cancel"))
	}
	return s.reopen(ctx, base, &m)
}

// reopen sets the order back to processing, with the cancelled record.
func (s *FulfilmentsService) reopen(ctx context.Context, base string, m *metaWire) error {
	body := map[string]any{"status": "processing"}
	if m != nil {
		body["meta_data"] = []metaWire{*m}
	}
	return s.a.c.JSON(ctx, http.MethodPut, base, body, nil, connector.WithOperation("fulfilments.cancel"))
}

func (r fulfilmentRecord) meta(key string) metaWire {
	b, _ := json.Marshal(r)
	return metaWire{Key: key, Value: mustString(string(b))}
}

func (r fulfilmentRecord) fulfilment(orderID string) *inventory.Fulfilment {
	raw, _ := json.Marshal(r)
	return &inventory.Fulfilment{ID: strconv.FormatInt(r.NoteID, 10), OrderID: orderID, Carrier: r.Carrier, TrackingNumber: r.Tracking,
		Notified: r.Notified, Raw: raw}
}

func findRecord(meta []metaWire, key string) (fulfilmentRecord, bool) {
	for _, m := range meta {
		if m.Key == key {
			return decodeRecord(m)
		}
	}
	return fulfilmentRecord{}, false
}

func decodeRecord(m metaWire) (fulfilmentRecord, bool) {
	if !strings.HasPrefix(m.Key, fulfilmentMetaPrefix) {
		return fulfilmentRecord{}, false
	}
	var r fulfilmentRecord
	if json.Unmarshal([]byte(text(m.Value)), &r) != nil || r.NoteID <= 0 {
		return fulfilmentRecord{}, false
	}
	return r, true
}
