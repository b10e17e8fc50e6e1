package crm

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
)

// Deal is a sale in progress or done: an order recorded on the customer.
type Deal struct {
	ID   string
	Name string
	// Amount is exact, in the deal's currency; nil when the deal has none.
	Amount *money.Amount
	// Stage and Pipeline are the vendor's internal ids ("closedwon",
	// "default").
	Stage     string
	Pipeline  string
	CloseDate time.Time // zero when not set

	Properties map[string]string

	// Associations, on Create, are records to link the new deal to (its
	// contact, its company): in the same call where the vendor allows,
	// else right after. Reads leave it empty; use Associations.Associated.
	Associations []Ref

	CreatedAt time.Time
	UpdatedAt time.Time
	Raw       json.RawMessage
}

// Deals reads and writes deals.
type Deals interface {
	Get(ctx context.Context, id string) (*Deal, error)
	List(ctx context.Context, opts ListOptions) iter.Seq2[*Deal, error]
	// Create adds a deal. With an idempotency key (derive it from the order
	// id), the same key twice gives one deal: deals have no natural key, so
	// this is what makes recording an order on the CRM safe to repeat.
	Create(ctx context.Context, d Deal, opts ...connector.CallOption) (*Deal, error)
	Update(ctx context.Context, id string, d Deal, opts ...connector.CallOption) (*Deal, error)
	Delete(ctx context.Context, id string, opts ...connector.CallOption) error
	// Upsert creates the deal identified by the call's idempotency key, or
	// updates it to d if it exists. The key is required: deals have no
	// natural key to match on.
	Upsert(ctx context.Context, d Deal, opts ...connector.CallOption) (*Deal, error)
}
