package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// save sends a create (POST), an update (PATCH by id, no body back) or an
// upsert (PATCH by external id) and reads its save result.
func (o *org) save(ctx context.Context, method, path, op string, body map[string]any, object string, opts []connector.CallOption) (saveResult, error) {
	var res saveResult
	var out any = &res
	if method == http.MethodPatch && !strings.Contains(strings.TrimPrefix(path, sobjectPath(object)+"/"), "/") {
		out = nil // an update by id answers 204 No Content
	}
	err := o.c.JSON(ctx, method, path, body, out, append(opts, connector.WithOperation(op))...)
	if err != nil {
		return res, o.explain(err, object)
	}
	return res, nil
}

// upsert is PATCH /sobjects/{Object}/{ExternalIdField}/{value}: 201
// created or 200 updated, replayable by nature (a second one finds the
// first), 300 when several records hold the value.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
func (o *org) upsert(ctx context.Context, object, value, op string, body map[string]any, opts []connector.CallOption) (saveResult, error) {
	if value == "" || len(value) > 255 {
		return saveResult{}, connector.InvalidInput("salesforce", op, "an external id value must be 1 to 255 characters")
	}
	opts = append(opts, connector.WithReplayable(), connector.WithOperation(op))
	var raw json.RawMessage
	if err := o.c.JSON(ctx, http.MethodPatch, sobjectPath(object, o.ext, value), body, &raw, opts...); err != nil {
		return saveResult{}, o.explain(err, object)
	}
	return decodeUpsert(op, object, o.ext, raw)
}

// decodeUpsert reads an upsert's answer. A JSON array is 300 Multiple
// Choices (the core hands a 3xx over as an answer): the URLs of the
// records that hold the value, none of which was changed.
func decodeUpsert(op, object, ext string, raw json.RawMessage) (saveResult, error) {
	var res saveResult
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		var urls []string
		_ = json.Unmarshal(t, &urls)
		return res, &connector.APIError{Vendor: "salesforce", Op: op, StatusCode: http.StatusMultipleChoices, Kind: connector.ErrConflict,
			Code: "MULTIPLE_CHOICES", Message: fmt.Sprintf("%d %s records hold the same %s value, so the upsert changed none: make the field Unique and merge the duplicates",
				len(urls), object, ext)}
	}
	if err := json.Unmarshal(raw, &res); err != nil || res.ID == "" {
		return res, fmt.Errorf("salesforce: %s: the upsert answer has no id: %w", op, connector.ErrInvalidResponse)
	}
	return res, nil
}

// explain turns Salesforce's answers for an org without the External ID
// field (404 NOT_FOUND "Provided external ID field does not exist or is
// not accessible", 400 INVALID_FIELD "No such column") into an error that
// says which field to create, and a 300 Multiple Choices into one that
// says several records hold the value.
func (o *org) explain(err error, object string) error {
	var e *connector.APIError
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case (e.Code == "NOT_FOUND" || e.Code == "INVALID_FIELD") && strings.Contains(e.Message, o.ext):
		c := *e
		c.Kind = connector.ErrValidation
		c.Message = fmt.Sprintf("the org has no External ID field %s on %s: create it (Text(255), External ID, Unique) or set Config.ExternalIDField; Salesforce said: %s",
			o.ext, object, e.Message)
		return &c
	case e.StatusCode == http.StatusMultipleChoices:
		c := *e
		c.Kind = connector.ErrConflict
		c.Message = fmt.Sprintf("several %s records hold the same %s value, so the upsert matched none: make the field Unique and remove the duplicates", object, o.ext)
		return &c
	}
	return err
}

// missing is the not-found answer of a query that matched nothing.
func missing(op, what string) error {
	return &connector.APIError{Vendor: "salesforce", Op: op, Kind: connector.ErrNotFound, Code: "NOT_FOUND", Message: what + " not found"}
}

// remove is DELETE /sobjects/{Object}/{id}: 204.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_delete_record.htm
func (o *org) remove(ctx context.Context, object, id, op string, opts []connector.CallOption) error {
	if !validID(id) {
		return notFound(op, id)
	}
	return o.c.JSON(ctx, http.MethodDelete, sobjectPath(object, id), nil, nil, append(opts, connector.WithOperation(op))...)
}

// byID is "WHERE Id = '...'" for a valid id.
func byID(id string) string { return " WHERE Id = " + soqlString(id) }

// linkCompany sets body's AccountId to the account named name (a contact's
// Company text), upserting it by "name:<lowercased name>" in the External
// ID field: one account per name among the package's writes. An account
// made in Salesforce's UI has no key and is not matched.
func (o *org) linkCompany(ctx context.Context, op, name string, body map[string]any, opts []connector.CallOption) error {
	if name == "" {
		return nil
	}
	res, err := o.upsert(ctx, "Account", accountNameKey(name), op, map[string]any{"Name": name}, opts)
	if err != nil {
		return err
	}
	body["AccountId"] = res.ID
	return nil
}

func accountNameKey(name string) string { return "name:" + strings.ToLower(strings.TrimSpace(name)) }

// deletedWire is getDeleted's answer.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_get_deleted.htm
type deletedWire struct {
	DeletedRecords []struct {
		ID          string `json:"id"`
		DeletedDate string `json:"deletedDate"`
	} `json:"deletedRecords"`
	EarliestDateAvailable string `json:"earliestDateAvailable"`
	LatestDateCovered     string `json:"latestDateCovered"`
}

// deleted is GET /sobjects/{Object}/deleted/?start=&end=.
func (o *org) deleted(ctx context.Context, object string, start, end time.Time) ([]DeletedRecord, error) {
	q := url.Values{}
	q.Set("start", start.UTC().Format("2006-01-02T15:04:05+00:00"))
	q.Set("end", end.UTC().Format("2006-01-02T15:04:05+00:00"))
	var w deletedWire
	err := o.c.JSON(ctx, http.MethodGet, sobjectPath(object)+"/deleted/?"+q.Encode(), nil, &w,
		connector.WithOperation(strings.ToLower(object)+"s.deleted"))
	if err != nil {
		return nil, err
	}
	out := make([]DeletedRecord, 0, len(w.DeletedRecords))
	for _, d := range w.DeletedRecords {
		r := record{"d": json.RawMessage(strconv.Quote(d.DeletedDate))}
		out = append(out, DeletedRecord{ID: d.ID, DeletedDate: r.time("d")})
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, connector.ErrNotFound) }
