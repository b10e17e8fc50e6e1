package xerotest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector/connectortest"
)

type contact struct {
	id, name, first, last, email, taxNumber, currency string
	phones                                            []map[string]string
	addresses                                         []map[string]string
	updated                                           time.Time
}

func (c *contact) render() map[string]any {
	out := map[string]any{"ContactID": c.id, "ContactStatus": "ACTIVE", "Name": c.name, "EmailAddress": c.email,
		"IsCustomer": true, "IsSupplier": false, "UpdatedDateUTC": msDate(c.updated),
		"Addresses": orEmpty(c.addresses), "Phones": orEmpty(c.phones), "HasAttachments": false}
	if c.first != "" {
		out["FirstName"] = c.first
	}
	if c.last != "" {
		out["LastName"] = c.last
	}
	if c.taxNumber != "" {
		out["TaxNumber"] = c.taxNumber
	}
	if c.currency != "" {
		out["DefaultCurrency"] = c.currency
	}
	return out
}

func orEmpty(v []map[string]string) []map[string]string {
	if v == nil {
		return []map[string]string{}
	}
	return v
}

type contactIn struct {
	ContactID       string              `json:"ContactID"`
	Name            string              `json:"Name"`
	FirstName       string              `json:"FirstName"`
	LastName        string              `json:"LastName"`
	EmailAddress    string              `json:"EmailAddress"`
	TaxNumber       string              `json:"TaxNumber"`
	DefaultCurrency string              `json:"DefaultCurrency"`
	Phones          []map[string]string `json:"Phones"`
	Addresses       []map[string]string `json:"Addresses"`
}

func (s *Server) findContact(id string) *contact {
	for _, c := range s.contacts {
		if c.id == id {
			return c
		}
	}
	return nil
}

// contactByName finds the contact with a name, as Xero matches: without
// regard to case.
func (s *Server) contactByName(name string) *contact {
	for _, c := range s.contacts {
		if strings.EqualFold(c.name, strings.TrimSpace(name)) {
			return c
		}
	}
	return nil
}

// putContacts creates (PUT) or updates/creates (POST) contacts. Names are
// unique in Xero.
func (s *Server) putContacts(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Contacts []contactIn `json:"Contacts"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || len(in.Contacts) == 0 {
		writeValidation(w, []map[string]any{{"ValidationErrors": validationErrors("The request body must hold Contacts")}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id := r.PathValue("id"); id != "" {
		in.Contacts[0].ContactID = id
	}
	out := make([]map[string]any, 0, len(in.Contacts))
	for _, ci := range in.Contacts {
		c := s.findContact(ci.ContactID)
		if ci.ContactID != "" && c == nil {
			writeNotFound(w)
			return
		}
		var errs []string
		if c == nil && strings.TrimSpace(ci.Name) == "" {
			errs = append(errs, "The contact name must be specified.")
		}
		for _, other := range s.contacts {
			if ci.Name != "" && strings.EqualFold(other.name, ci.Name) && other != c {
				errs = append(errs, "The contact name "+ci.Name+" is already assigned to another contact. The contact name must be unique across all active contacts.")
			}
		}
		if ci.EmailAddress != "" && !strings.Contains(ci.EmailAddress, "@") {
			errs = append(errs, "Email address must be valid.")
		}
		if len(errs) > 0 {
			writeValidation(w, []map[string]any{{"Name": ci.Name, "EmailAddress": ci.EmailAddress, "ValidationErrors": validationErrors(errs...)}})
			return
		}
		if c == nil {
			c = &contact{id: connectortest.UUID()}
			s.contacts = append(s.contacts, c)
		}
		set := func(dst *string, v string) {
			if v != "" {
				*dst = v
			}
		}
		set(&c.name, ci.Name)
		set(&c.first, ci.FirstName)
		set(&c.last, ci.LastName)
		set(&c.email, ci.EmailAddress)
		set(&c.taxNumber, ci.TaxNumber)
		set(&c.currency, ci.DefaultCurrency)
		if ci.Phones != nil {
			c.phones = ci.Phones
		}
		if ci.Addresses != nil {
			c.addresses = ci.Addresses
		}
		c.updated = s.Now()
		out = append(out, c.render())
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "ProviderName": "patchbay",
		"DateTimeUTC": msDate(s.Now()), "Contacts": out})
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.findContact(r.PathValue("id"))
	if c == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "Contacts": []any{c.render()}})
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	since, hasSince := modifiedSince(r)
	field, value, hasWhere := whereEquals(r)
	var matches []*contact
	for _, c := range s.contacts {
		if hasSince && c.updated.Before(since) {
			continue
		}
		if hasWhere && !(field == "EmailAddress" && strings.EqualFold(c.email, value) || field == "Name" && c.name == value) {
			continue
		}
		matches = append(matches, c)
	}
	if !sortByUpdated(w, r, matches, func(x *contact) time.Time { return x.updated }) {
		return
	}
	offset, size := page(r)
	out := []map[string]any{}
	for i := offset; i < len(matches) && i < offset+size; i++ {
		out = append(out, matches[i].render())
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "Contacts": out})
}
