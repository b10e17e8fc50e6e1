package hubspottest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// objectType is one CRM object type in the portal: its records and what
// it accepts.
type objectType struct {
	name       string          // path name: "contacts"
	singular   string          // in webhook subscription types: "contact"
	typeID     string          // HubSpot's object type id: "0-1"
	standard   map[string]bool // standard writable properties
	custom     map[string]bool // custom property → has unique values
	modified   string          // the last-modified property: "lastmodifieddate" or "hs_lastmodifieddate"
	defaults   []string        // properties returned when none are asked for
	objects    map[string]*object
	order      []*object                    // by id: ids only grow, so appending keeps it sorted
	uniqueIdx  map[string]map[string]string // unique property → lower-case value → id
	validateFn func(props map[string]string) []errorDetail
}

func newObjectTypes() map[string]*objectType {
	mk := func(name, singular, typeID, modified string, standard []string, defaults []string) *objectType {
		t := &objectType{name: name, singular: singular, typeID: typeID, modified: modified,
			standard: map[string]bool{}, custom: map[string]bool{}, defaults: defaults,
			objects: map[string]*object{}, uniqueIdx: map[string]map[string]string{}}
		for _, p := range standard {
			t.standard[p] = true
		}
		return t
	}
	contacts := mk("contacts", "contact", "0-1", "lastmodifieddate",
		[]string{"email", "firstname", "lastname", "phone", "mobilephone", "company", "website", "jobtitle",
			"lifecyclestage", "address", "city", "state", "zip", "country"},
		[]string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"})
	contacts.uniqueIdx["email"] = map[string]string{}
	contacts.validateFn = validateContact
	companies := mk("companies", "company", "0-2", "hs_lastmodifieddate",
		[]string{"name", "domain", "phone", "website", "industry", "address", "city", "state", "zip", "country", "description"},
		[]string{"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"})
	deals := mk("deals", "deal", "0-3", "hs_lastmodifieddate",
		[]string{"dealname", "amount", "dealstage", "pipeline", "closedate", "deal_currency_code", "description"},
		[]string{"amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"})
	deals.validateFn = validateDeal
	notes := mk("notes", "note", "0-46", "hs_lastmodifieddate",
		[]string{"hs_note_body", "hs_timestamp", "hubspot_owner_id", "hs_attachment_ids"},
		[]string{"createdate", "hs_lastmodifieddate", "hs_object_id"})
	notes.validateFn = validateNote
	types := map[string]*objectType{}
	for _, t := range []*objectType{contacts, companies, deals, notes} {
		types[t.name], types[t.typeID] = t, t
	}
	return types
}

// withType resolves {type} in the path, answering 400 for unknown types as
// HubSpot does.
func (s *Server) withType(h func(http.ResponseWriter, *http.Request, *objectType)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := s.types[r.PathValue("type")]
		if t == nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Unable to infer object type from: "+r.PathValue("type"), nil)
			return
		}
		h(w, r, t)
	}
}

// validateContact checks the email format.
func validateContact(props map[string]string) []errorDetail {
	if e, ok := props["email"]; ok && e != "" && !validEmail(e) {
		return []errorDetail{{Message: "Email address " + e + " is invalid", Code: "INVALID_EMAIL",
			Context: map[string][]string{"propertyName": {"email"}}}}
	}
	return nil
}

// validateNote asks for the timestamp HubSpot requires on a new note.
func validateNote(props map[string]string) []errorDetail {
	if v, ok := props["hs_timestamp"]; ok && v == "" {
		return []errorDetail{{Message: "hs_timestamp is required", Code: "REQUIRED_PROPERTY",
			Context: map[string][]string{"propertyName": {"hs_timestamp"}}}}
	}
	return nil
}

// dealStages are the stages of the default sales pipeline.
var dealStages = map[string]bool{
	"appointmentscheduled": true, "qualifiedtobuy": true, "presentationscheduled": true,
	"decisionmakerboughtin": true, "contractsent": true, "closedwon": true, "closedlost": true,
}

// validateDeal checks the amount is a number, the close date a date, and
// the stage one of the default pipeline's.
func validateDeal(props map[string]string) []errorDetail {
	var errs []errorDetail
	bad := func(prop, msg, code string) {
		errs = append(errs, errorDetail{Message: msg, Code: code, Context: map[string][]string{"propertyName": {prop}}})
	}
	if a, ok := props["amount"]; ok && a != "" {
		if _, err := strconv.ParseFloat(a, 64); err != nil {
			bad("amount", a+" is not a valid number", "INVALID_DECIMAL")
		}
	}
	if d, ok := props["closedate"]; ok && d != "" {
		if _, ok := parseTimeValue(d); !ok {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				bad("closedate", d+" is not a valid date", "INVALID_DATE")
			}
		}
	}
	if st, ok := props["dealstage"]; ok && st != "" && (props["pipeline"] == "" || props["pipeline"] == "default") && !dealStages[st] {
		bad("dealstage", st+" was not one of the allowed options: "+strings.Join(sortedKeys(dealStages), ", "), "INVALID_OPTION")
	}
	return errs
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
