package stripe

import (
	"encoding/json"
	"time"
)

// list is a Stripe list object: a page of data and whether more follow.
// https://docs.stripe.com/api/pagination
type list[T any] struct {
	Data    []T  `json:"data"`
	HasMore bool `json:"has_more"`
}

// searchResult is a search page; next_page is the cursor for the next.
// https://docs.stripe.com/api/pagination/search
type searchResult[T any] struct {
	Data     []T     `json:"data"`
	HasMore  bool    `json:"has_more"`
	NextPage *string `json:"next_page"`
}

type addressWire struct {
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	City       *string `json:"city"`
	State      *string `json:"state"`
	PostalCode *string `json:"postal_code"`
	Country    *string `json:"country"`
}

type customerWire struct {
	ID       string            `json:"id"`
	Object   string            `json:"object"`
	Name     *string           `json:"name"`
	Email    *string           `json:"email"`
	Phone    *string           `json:"phone"`
	Address  *addressWire      `json:"address"`
	Currency *string           `json:"currency"`
	Created  int64             `json:"created"`
	Metadata map[string]string `json:"metadata"`
	Deleted  bool              `json:"deleted"`
}

type taxWire struct {
	Amount         int64 `json:"amount"`
	TaxRateDetails *struct {
		TaxRate string `json:"tax_rate"`
	} `json:"tax_rate_details"`
}

type lineWire struct {
	ID          string  `json:"id"`
	Amount      int64   `json:"amount"`
	Currency    string  `json:"currency"`
	Description *string `json:"description"`
	Quantity    *int64  `json:"quantity"`
	QuantityDec *string `json:"quantity_decimal"`
	Pricing     *struct {
		UnitAmountDecimal *string `json:"unit_amount_decimal"`
	} `json:"pricing"`
	Taxes []taxWire `json:"taxes"`
}

type invoiceWire struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Number            *string           `json:"number"`
	Customer          *string           `json:"customer"`
	Currency          string            `json:"currency"`
	Status            *string           `json:"status"`
	Created           int64             `json:"created"`
	DueDate           *int64            `json:"due_date"`
	Subtotal          int64             `json:"subtotal"`
	Total             int64             `json:"total"`
	TotalTaxes        []taxWire         `json:"total_taxes"`
	AmountDue         int64             `json:"amount_due"`
	AmountRemaining   int64             `json:"amount_remaining"`
	Metadata          map[string]string `json:"metadata"`
	Lines             *list[lineWire]   `json:"lines"`
	StatusTransitions *struct {
		FinalizedAt *int64 `json:"finalized_at"`
		PaidAt      *int64 `json:"paid_at"`
		VoidedAt    *int64 `json:"voided_at"`
	} `json:"status_transitions"`
	Payments *list[struct {
		ID string `json:"id"`
	}] `json:"payments"`
}

// event is a Stripe event; data.object is the object as it was then.
type event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func unix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
