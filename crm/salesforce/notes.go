package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// NotesService is crm.Notes over completed Tasks: a note is a Task with
// Status Completed, the body as Description (its first line as Subject),
// on one contact (WhoId) and one deal or company (WhatId). Task rather
// than ContentNote or the classic Note: Task takes custom fields, so the
// External ID field makes a keyed note one upsert, exactly once, in the
// Composite API too; ContentNote and Note take none (a key could only be
// searched for, with a race), ContentNote needs a second record
// (ContentDocumentLink) to show on a record, and the classic Note is
// hidden in Lightning. Tasks show in the activity timeline.
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
type NotesService struct{ o *org }

// taskBody is a note as a Task.
func taskBody(op string, n crm.Note) (map[string]any, error) {
	if strings.TrimSpace(n.Body) == "" || len(n.About) == 0 {
		return nil, connector.InvalidInput("salesforce", op, "a note needs a body and a record it is about")
	}
	subject, _, _ := strings.Cut(strings.TrimSpace(n.Body), "\n")
	if len(subject) > 255 {
		subject = strings.ToValidUTF8(subject[:252], "") + "..."
	}
	ts := n.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	b := map[string]any{"Subject": subject, "Description": n.Body, "Status": "Completed", "ActivityDate": ts.UTC().Format(dateLayout)}
	for _, ref := range n.About {
		field := "WhatId"
		if ref.Type == crm.ContactObject {
			field = "WhoId"
		}
		if _, taken := b[field]; taken || ref.Type == crm.NoteObject {
			return nil, connector.InvalidInput("salesforce", op, fmt.Sprintf("a Salesforce task shows on one contact and one deal or company, not also on %s %s", ref.Type, ref.ID))
		}
		if !validID(ref.ID) {
			return nil, notFound(op, ref.ID)
		}
		b[field] = ref.ID
	}
	return b, nil
}

// Add records a note. With an idempotency key it is an upsert of the Task
// whose External ID field holds the key: one note per key, sent again
// after a lost answer; without, a POST.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
func (s *NotesService) Add(ctx context.Context, n crm.Note, opts ...connector.CallOption) (*crm.Note, error) {
	const op = "notes.add"
	body, err := taskBody(op, n)
	if err != nil {
		return nil, err
	}
	o := connector.ResolveCallOptions(opts...)
	var res saveResult
	if o.IdempotencyKey != "" {
		res, err = s.o.upsert(ctx, "Task", o.IdempotencyKey, op, body, opts)
	} else {
		res, err = s.o.save(ctx, http.MethodPost, sobjectPath("Task"), op, body, "Task", opts)
	}
	if err != nil {
		return nil, err
	}
	out := n
	out.ID = res.ID
	if out.Timestamp.IsZero() {
		out.Timestamp = time.Now().UTC()
	}
	return &out, nil
}
