package pipedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// NotesService is crm.Notes over Pipedrive's notes, which API v2 does not
// have yet: API v1. A note shows on one person, one organization and one
// deal at most.
// https://developers.pipedrive.com/docs/api/v1/Notes
type NotesService struct {
	c *connector.Client
}

// refLine is how a keyed note carries its key: its last line.
func refLine(key string) string { return "Ref: " + key }

// Add puts a note on the records in n.About. With an idempotency key, the
// key is the note's last line and the notes of n.About[0] are searched
// for it first (unless connector.WithNewKey) and after a lost answer.
// https://developers.pipedrive.com/docs/api/v1/Notes#addNote
func (s *NotesService) Add(ctx context.Context, n crm.Note, opts ...connector.CallOption) (*crm.Note, error) {
	if strings.TrimSpace(n.Body) == "" || len(n.About) == 0 {
		return nil, connector.InvalidInput("pipedrive", "notes.add", "a note needs a body and a record it is about")
	}
	o := connector.ResolveCallOptions(opts...)
	b := noteBody{Content: n.Body}
	if o.IdempotencyKey != "" {
		b.Content += "\n" + refLine(o.IdempotencyKey)
	}
	if !n.Timestamp.IsZero() {
		b.AddTime = n.Timestamp.UTC().Format("2006-01-02 15:04:05")
	}
	var filter string
	for i, ref := range n.About {
		num, err := idOf("notes.add", ref.ID)
		if err != nil {
			return nil, err
		}
		var f string
		switch {
		case ref.Type == crm.ContactObject && b.PersonID == nil:
			b.PersonID, f = &num, "person_id"
		case ref.Type == crm.CompanyObject && b.OrgID == nil:
			b.OrgID, f = &num, "org_id"
		case ref.Type == crm.DealObject && b.DealID == nil:
			b.DealID, f = &num, "deal_id"
		default:
			return nil, connector.InvalidInput("pipedrive", "notes.add", fmt.Sprintf("a Pipedrive note shows on one record of each type, not on %s %s", ref.Type, ref.ID))
		}
		if i == 0 {
			filter = f + "=" + idText(num)
		}
	}
	create := func(ctx context.Context) (json.RawMessage, error) {
		return write(ctx, s.c, "POST", v1+"/notes", "notes.add", b, opts)
	}
	var (
		raw json.RawMessage
		err error
	)
	if o.IdempotencyKey == "" {
		raw, err = create(ctx)
	} else {
		raw, err = keyedCreate(ctx, o, func(ctx context.Context) (json.RawMessage, error) { return s.find(ctx, filter, o.IdempotencyKey) }, create)
	}
	if err != nil {
		return nil, err
	}
	var w noteWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("pipedrive: note: %w: %v", connector.ErrInvalidResponse, err)
	}
	out := &crm.Note{ID: idText(w.ID), Body: n.Body, Timestamp: parseTime(w.AddTime), About: n.About}
	return out, nil
}

// find is the note of the record (filter "person_id=7") whose last line
// is the key's, or nil. v1 lists page by start and limit.
// https://developers.pipedrive.com/docs/api/v1/Notes#getNotes
func (s *NotesService) find(ctx context.Context, filter, key string) (json.RawMessage, error) {
	want := refLine(key)
	start := 0
	for {
		q, _ := url.ParseQuery(filter)
		q.Set("start", strconv.Itoa(start))
		q.Set("limit", "100")
		var env envelope[[]json.RawMessage]
		if err := s.c.JSON(ctx, "GET", v1+"/notes?"+q.Encode(), nil, &env, connector.WithOperation("notes.list")); err != nil {
			return nil, err
		}
		for _, raw := range env.Data {
			var w noteWire
			if json.Unmarshal(raw, &w) != nil {
				continue
			}
			lines := strings.Split(strings.TrimSpace(w.Content), "\n")
			if strings.TrimSpace(lines[len(lines)-1]) == want {
				return raw, nil
			}
		}
		p := env.AdditionalData.Pagination
		if p == nil || !p.MoreItemsInCollection || p.NextStart <= start {
			return nil, nil
		}
		start = p.NextStart
	}
}
