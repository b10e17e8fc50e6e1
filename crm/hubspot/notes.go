package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// NotesService writes notes (an engagement object) on records, as
// crm.Notes.
// https://developers.hubspot.com/docs/api-reference/latest/crm/activities/notes/guide
type NotesService struct {
	objects
}

// noteAssociationTypes are HubSpot's defined association type ids from a
// note to each record type.
var noteAssociationTypes = map[crm.ObjectType]int{crm.ContactObject: 202, crm.CompanyObject: 190, crm.DealObject: 214}

// keyMarker is how a keyed note carries its key: on its own last line, so
// people reading the timeline see a reference and code can find it.
const keyMarker = "\n\nRef: "

// Add creates the note, associated with n.About in the same call. With an
// idempotency key it first reads the notes on n.About[0] and returns the
// one carrying the key, if any (skipped under connector.WithNewKey); a
// create whose answer was lost is looked for before it is sent twice.
//
// HubSpot API: POST /crm/v3/objects/notes; with a key also
// GET /crm/v4/objects/{objectType}/{objectId}/associations/notes and
// GET /crm/v3/objects/notes/{noteId}.
func (s *NotesService) Add(ctx context.Context, n crm.Note, opts ...connector.CallOption) (*crm.Note, error) {
	if strings.TrimSpace(n.Body) == "" {
		return nil, connector.InvalidInput("hubspot", "notes.add", "a note needs a body")
	}
	assocs, err := inline("notes.add", n.About, noteAssociationTypes)
	if err != nil {
		return nil, err
	}
	if n.Timestamp.IsZero() {
		n.Timestamp = time.Now()
	}
	call := connector.ResolveCallOptions(opts...)
	key := call.IdempotencyKey
	body := n.Body
	if key != "" {
		if len(n.About) == 0 {
			return nil, connector.InvalidInput("hubspot", "notes.add", "a keyed note needs a record to look for it on")
		}
		body += keyMarker + key
		if !call.KeyIsNew {
			if found, err := s.findKeyed(ctx, n.About[0], body); err != nil || found != nil {
				return found, err
			}
		}
	}
	props := map[string]string{"hs_note_body": body, "hs_timestamp": n.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z")}
	in := createInput{Properties: props, Associations: assocs}
	var out object
	err = s.c.JSON(ctx, http.MethodPost, s.path(""), in, &out, s.op("add"))
	if errors.Is(err, connector.ErrOutcomeUnknown) && key != "" {
		found, ferr := s.findKeyed(ctx, n.About[0], body)
		switch {
		case ferr != nil:
			return nil, err
		case found != nil:
			return found, nil
		}
		err = s.c.JSON(ctx, http.MethodPost, s.path(""), in, &out, s.op("add")) // provably never made
	}
	if err != nil {
		return nil, err
	}
	return s.toNote(out.fillFrom(props), n.About), nil
}

// findKeyed returns the note on ref whose body is body, or nil.
func (s *NotesService) findKeyed(ctx context.Context, ref crm.Ref, body string) (*crm.Note, error) {
	for note, err := range (&AssociationsService{c: s.c}).Associated(ctx, ref, crm.NoteObject) {
		if err != nil {
			return nil, err
		}
		o, err := s.get(ctx, note.ID, "", "get")
		if errors.Is(err, connector.ErrNotFound) {
			continue // archived since
		}
		if err != nil {
			return nil, err
		}
		if o.prop("hs_note_body") == body {
			return s.toNote(o, []crm.Ref{ref}), nil
		}
	}
	return nil, nil
}
