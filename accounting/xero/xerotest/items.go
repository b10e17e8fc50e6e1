package xerotest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/govalues/decimal"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

type item struct {
	id, code, name, description, accountCode, taxType string
	unitPrice                                         decimal.Decimal
	updated                                           time.Time
}

func (it *item) render() map[string]any {
	return map[string]any{"ItemID": it.id, "Code": it.code, "Name": it.name, "Description": it.description,
		"IsSold": true, "IsPurchased": false, "IsTrackedAsInventory": false, "UpdatedDateUTC": msDate(it.updated),
		"SalesDetails": map[string]any{"UnitPrice": number(it.unitPrice), "AccountCode": it.accountCode, "TaxType": it.taxType}}
}

// postItems creates or updates items by Code (PUT creates only).
func (s *Server) postItems(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Items []struct {
			Code         string `json:"Code"`
			Name         string `json:"Name"`
			Description  string `json:"Description"`
			SalesDetails *struct {
				UnitPrice   json.Number `json:"UnitPrice"`
				AccountCode string      `json:"AccountCode"`
				TaxType     string      `json:"TaxType"`
			} `json:"SalesDetails"`
		} `json:"Items"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || len(in.Items) == 0 {
		writeValidation(w, []map[string]any{{"ValidationErrors": validationErrors("The request body must hold Items")}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(in.Items))
	for _, ii := range in.Items {
		if strings.TrimSpace(ii.Code) == "" || len(ii.Code) > 30 {
			writeValidation(w, []map[string]any{{"Code": ii.Code, "ValidationErrors": validationErrors("Item code must be 1 to 30 characters")}})
			return
		}
		it := s.findItem(ii.Code)
		if it != nil && r.Method == http.MethodPut {
			writeValidation(w, []map[string]any{{"Code": ii.Code, "ValidationErrors": validationErrors("Item code '" + ii.Code + "' already exists")}})
			return
		}
		if it == nil {
			it = &item{id: connectortest.UUID(), code: ii.Code, unitPrice: decimal.MustParse("0.00"), accountCode: SalesAccount, taxType: TaxType}
			s.items = append(s.items, it)
		}
		if ii.Name != "" {
			it.name = ii.Name
		}
		if ii.Description != "" {
			it.description = ii.Description
		}
		if sd := ii.SalesDetails; sd != nil {
			if p, err := decimal.Parse(string(sd.UnitPrice)); err == nil {
				it.unitPrice = p
			}
			if sd.AccountCode != "" {
				it.accountCode = sd.AccountCode
			}
			if sd.TaxType != "" {
				it.taxType = sd.TaxType
			}
		}
		it.updated = s.Now()
		out = append(out, it.render())
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "Items": out})
}

func (s *Server) findItem(key string) *item {
	for _, it := range s.items {
		if it.id == key || it.code == key {
			return it
		}
	}
	return nil
}

func (s *Server) getItem(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.findItem(r.PathValue("id"))
	if it == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "Items": []any{it.render()}})
}

func (s *Server) listItems(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	field, value, filtered := whereEquals(r)
	for _, it := range s.items {
		if filtered && (field != "Code" || it.code != value) {
			continue
		}
		out = append(out, it.render())
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "Items": out})
}
