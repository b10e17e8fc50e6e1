package shopify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
)

// Order is the part of Shopify's Order resource a fulfilment flow reads,
// as the orders/create webhook delivers it (the REST representation:
// snake_case fields, prices as decimal strings).
// https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-orders/create
type Order struct {
	ID              int64           `json:"id"`
	Name            string          `json:"name"` // "#1001", what the shop shows
	Email           string          `json:"email"`
	Currency        string          `json:"currency"`
	Customer        *OrderCustomer  `json:"customer"`
	ShippingAddress *OrderAddress   `json:"shipping_address"`
	LineItems       []OrderLineItem `json:"line_items"`
	ShippingLines   []ShippingLine  `json:"shipping_lines"`
}

// OrderCustomer is who placed the order.
type OrderCustomer struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Phone     string `json:"phone"`
}

// OrderAddress is a postal address on an order.
type OrderAddress struct {
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Name         string `json:"name"`
	Company      string `json:"company"`
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	City         string `json:"city"`
	ProvinceCode string `json:"province_code"`
	Zip          string `json:"zip"`
	CountryCode  string `json:"country_code"`
	Phone        string `json:"phone"`
}

// OrderLineItem is one product line; Price is the unit price.
type OrderLineItem struct {
	SKU      string          `json:"sku"`
	Title    string          `json:"title"`
	Quantity int             `json:"quantity"`
	Price    decimal.Decimal `json:"price"`
}

// ShippingLine is the shipping method the customer chose.
type ShippingLine struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// DecodeOrder reads an orders/create body. A body that is not an order a
// flow can ship (no id, no lines, a line without SKU or quantity) is
// connector.ErrInvalidResponse saying what is missing.
func DecodeOrder(body []byte) (*Order, error) {
	var o Order
	if err := json.Unmarshal(body, &o); err != nil {
		return nil, badOrder("the body is not an order: " + err.Error())
	}
	switch {
	case o.ID <= 0:
		return nil, badOrder("the order has no id")
	case len(o.LineItems) == 0:
		return nil, badOrder(fmt.Sprintf("order %d has no line items", o.ID))
	case o.ShippingAddress == nil:
		return nil, badOrder(fmt.Sprintf("order %d has no shipping address", o.ID))
	}
	for i, l := range o.LineItems {
		if strings.TrimSpace(l.SKU) == "" || l.Quantity <= 0 {
			return nil, badOrder(fmt.Sprintf("order %d, line %d: a SKU and a positive quantity are needed", o.ID, i+1))
		}
	}
	return &o, nil
}

func badOrder(msg string) error {
	return &connector.APIError{Vendor: "shopify", Op: "orders.decode", Kind: connector.ErrInvalidResponse, Message: msg}
}

// Express says whether the customer chose express shipping, by the words
// shops use in their shipping lines' codes and titles.
func (o *Order) Express() bool {
	for _, s := range o.ShippingLines {
		t := strings.ToLower(s.Code + " " + s.Title)
		if strings.Contains(t, "express") || strings.Contains(t, "next day") || strings.Contains(t, "overnight") {
			return true
		}
	}
	return false
}
