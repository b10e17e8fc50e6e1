package crm

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Company is an organisation in a CRM. Domain ("example.com") is how
// integrations usually match one.
type Company struct {
	ID     string
	Name   string
	Domain string

	// Properties holds custom fields by the vendor's internal name.
	Properties map[string]string

	CreatedAt time.Time
	UpdatedAt time.Time
	Raw       json.RawMessage
}

// Companies reads and writes companies.
type Companies interface {
	Get(ctx context.Context, id string) (*Company, error)
	// FindByDomain returns the company with that domain, or
	// connector.ErrNotFound. If several share it, the oldest.
	FindByDomain(ctx context.Context, domain string) (*Company, error)
	List(ctx context.Context, opts ListOptions) iter.Seq2[*Company, error]
	// Create adds a company. With an idempotency key, the same key twice
	// gives one company.
	Create(ctx context.Context, c Company, opts ...connector.CallOption) (*Company, error)
	Update(ctx context.Context, id string, c Company, opts ...connector.CallOption) (*Company, error)
	Delete(ctx context.Context, id string, opts ...connector.CallOption) error
	// Upsert updates the company with c.Domain, or creates it.
	Upsert(ctx context.Context, c Company, opts ...connector.CallOption) (*Company, error)
}
