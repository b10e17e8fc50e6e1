package quickbookstest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"
)

type customer struct {
	ID               string
	SyncToken        int
	DisplayName      string
	Email, Phone     string
	TaxID            string
	Currency         string
	Active           bool
	BillAddr         map[string]string
	Created, Updated time.Time
}

type refIn struct {
	Value string `json:"value"`
}

type customerIn struct {
	ID                   string                           `json:"Id"`
	SyncToken            string                           `json:"SyncToken"`
	Sparse               bool                             `json:"sparse"`
	DisplayName          string                           `json:"DisplayName"`
	PrimaryEmailAddr     *struct{ Address string }        `json:"PrimaryEmailAddr"`
	PrimaryPhone         *struct{ FreeFormNumber string } `json:"PrimaryPhone"`
	BillAddr             map[string]string                `json:"BillAddr"`
	PrimaryTaxIdentifier string                           `json:"PrimaryTaxIdentifier"`
	CurrencyRef          *refIn                           `json:"CurrencyRef"`
	Active               *bool                            `json:"Active"`
}

func (c *customer) render() map[string]any {
	m := map[string]any{"Id": c.ID, "SyncToken": strconv.Itoa(c.SyncToken), "domain": "QBO", "sparse": false,
		"DisplayName": c.DisplayName, "FullyQualifiedName": c.DisplayName, "PrintOnCheckName": c.DisplayName, "Active": c.Active,
		"Taxable": true, "Job": false, "BillWithParent": false, "Balance": json.Number(decimal.Zero.String()),
		"CurrencyRef": ref(c.Currency, currencyName(c.Currency)), "PreferredDeliveryMethod": "Print",
		"MetaData": metaData(c.Created, c.Updated)}
	if c.Email != "" {
		m["PrimaryEmailAddr"] = map[string]string{"Address": c.Email}
	}
	if c.Phone != "" {
		m["PrimaryPhone"] = map[string]string{"FreeFormNumber": c.Phone}
	}
	if c.TaxID != "" {
		m["PrimaryTaxIdentifier"] = c.TaxID
	}
	if len(c.BillAddr) > 0 {
		a := map[string]any{"Id": c.ID + "0"}
		for k, v := range c.BillAddr {
			a[k] = v
		}
		m["BillAddr"] = a
	}
	return m
}

func (s *Server) findCustomer(id string) *customer {
	for _, c := range s.customers {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// getCustomer is GET /v3/company/{realmId}/customer/{id}.
func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.findCustomer(r.PathValue("id"))
	if c == nil {
		notFound(w, s)
		return
	}
	s.writeEntity(w, "Customer", c.render())
}

// addressFields are PhysicalAddress's elements the sandbox keeps.
var addressFields = map[string]bool{"Line1": true, "Line2": true, "Line3": true, "Line4": true, "Line5": true, "City": true,
	"Country": true, "CountrySubDivisionCode": true, "PostalCode": true}

// postCustomer is POST /v3/company/{realmId}/customer: a create without
// Id, a (sparse) update with Id and the current SyncToken.
func (s *Server) postCustomer(w http.ResponseWriter, r *http.Request) {
	var in customerIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		validation(w, s, "2010", "Request has invalid or unsupported property", "The request body could not be parsed", "")
		return
	}
	for k := range in.BillAddr {
		if !addressFields[k] {
			validation(w, s, "2010", "Request has invalid or unsupported property", "Property Name:"+k+" specified is unsupported or invalid", "BillAddr")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	name := strings.TrimSpace(in.DisplayName)
	for _, other := range s.customers {
		if name != "" && strings.EqualFold(other.DisplayName, name) && other.ID != in.ID {
			validation(w, s, "6240", "Duplicate Name Exists Error",
				"The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name.", "")
			return
		}
	}
	currency := ""
	if in.CurrencyRef != nil {
		currency = strings.ToUpper(in.CurrencyRef.Value)
	}
	if currency != "" && s.currencies[currency] == "" {
		badCurrency(w, s, currency)
		return
	}
	var c *customer
	if in.ID == "" {
		if name == "" {
			validation(w, s, "6000", "A business validation error has occurred while processing your request",
				"Business Validation Error: You must fill out at least one split line.: DisplayName is required", "DisplayName")
			return
		}
		if currency == "" {
			currency = s.home
		}
		c = &customer{ID: s.newID(), Created: now, Currency: currency, Active: true}
		s.customers = append(s.customers, c)
	} else {
		c = s.findCustomer(in.ID)
		if c == nil {
			notFound(w, s)
			return
		}
		if in.SyncToken != strconv.Itoa(c.SyncToken) {
			staleObject(w, s)
			return
		}
		// A customer's currency is set once, when it is created.
		if currency != "" && currency != c.Currency {
			validation(w, s, "6000", "A business validation error has occurred while processing your request",
				"Business Validation Error: You can't change the currency of a customer: it is "+c.Currency, "CurrencyRef")
			return
		}
		c.SyncToken++
	}
	if in.Active != nil {
		c.Active = *in.Active
	}
	c.Updated = now
	if name != "" {
		c.DisplayName = name
	}
	if in.PrimaryEmailAddr != nil {
		c.Email = in.PrimaryEmailAddr.Address
	}
	if in.PrimaryPhone != nil {
		c.Phone = in.PrimaryPhone.FreeFormNumber
	}
	if in.PrimaryTaxIdentifier != "" {
		c.TaxID = in.PrimaryTaxIdentifier
	}
	if in.BillAddr != nil {
		c.BillAddr = in.BillAddr
	}
	s.writeEntity(w, "Customer", c.render())
}

func staleObject(w http.ResponseWriter, s *Server) {
	validation(w, s, "5010", "Stale Object Error", "Stale Object Error : You and another user were working on the same thing. Please try again.", "")
}

// badCurrency refuses a currency the company does not deal in: any but
// the home one while multicurrency is off.
func badCurrency(w http.ResponseWriter, s *Server, currency string) {
	detail := "Business Validation Error: Multicurrency is off; the currency must be " + s.home
	if len(s.currencies) > 1 {
		detail = "Business Validation Error: The currency " + currency + " is not active in this company"
	}
	validation(w, s, "6000", "A business validation error has occurred while processing your request", detail, "CurrencyRef")
}
