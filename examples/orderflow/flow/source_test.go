package flow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
)

// placed places o on the sandbox shop, as a customer at its checkout,
// and returns the flow's order for it, as the webhook brings it.
func placed(t *testing.T, env *flowtest.Env, o flow.Order) flow.Order {
	t.Helper()
	p, err := env.PlaceAndRead(context.Background(), "shopify", o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// An order placed on the shop that holds the stock: the shop took it at
// checkout, so the flow takes none (a real shop would count it twice),
// and once the label is bought the shop is told, once, with the carrier
// and tracking number.
func TestShopOrderStockTakenOnceAndFulfilled(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	item := mustItem(t, env, "MUG-001")
	before := env.Shopify.Available(item, env.Shopify.LocationID())
	o := placed(t, env, flowtest.Order("S1", line("MUG-001", 2, "12.50")))
	r := env.Flow.Process(ctx, o)
	if r.Status != flow.Done {
		t.Fatalf("result %+v", r)
	}
	if again := env.Flow.Process(ctx, o); again.Status != flow.Done { // changes nothing
		t.Fatalf("again: %+v", again)
	}
	if got := env.Shopify.Available(item, env.Shopify.LocationID()); got != before-2 {
		t.Fatalf("available %d, was %d: the 2 taken at checkout, and only them", got, before)
	}
	c := env.Counts()
	if c.StockAdjustments != 0 || c.Fulfilments != 1 || c.Labels != 1 || c.Emails != 1 {
		t.Fatalf("counts %v: want no adjustment, one fulfilment, one label, one email", c)
	}
	if shipped := env.Shopify.Shipped(o.PlatformID()); len(shipped) != 1 || shipped[0] != r.TrackingNumber {
		t.Fatalf("the shop holds fulfilments %v, want the label's %s", shipped, r.TrackingNumber)
	}
	if env.Shopify.Notifications() != 0 {
		t.Fatal("ConfirmByMail (the default): the shop must not mail the customer too")
	}
}

// The shop sold more than it had (it keeps selling when out of stock): the
// order fails cleanly, with nothing made and nothing restocked by the
// flow, which never took the stock.
func TestShopOversoldFailsCleanly(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	o := placed(t, env, flowtest.Order("S2", line("LAST-ONE", 2, "80.00")))
	r := env.Flow.Process(ctx, o)
	if r.Status != flow.Failed || r.Open || !strings.Contains(r.Reason, "oversold at shopify: LAST-ONE is at -1") {
		t.Fatalf("result %+v, want failed for good as oversold", r)
	}
	if c := env.Counts(); c.Invoices != 0 || c.Labels != 0 || c.Fulfilments != 0 || c.StockAdjustments != 0 || c.Emails != 0 {
		t.Fatalf("counts %v: nothing may be made for an oversold order", c)
	}
}

// refusingNotes refuses every note, as a CRM that rejects it for good.
type refusingNotes struct{ crm.Notes }

func (refusingNotes) Add(context.Context, crm.Note, ...connector.CallOption) (*crm.Note, error) {
	return nil, &connector.APIError{Vendor: "hubspot", Kind: connector.ErrValidation, Message: "note refused"}
}

// A step after the fulfilment fails for good: the shop is told the order
// did not ship after all (the fulfilment cancelled), with the label and
// invoice undone.
func TestLaterFailureCancelsFulfilment(t *testing.T) {
	env := start(t)
	env.Flow.Notes = refusingNotes{}
	o := placed(t, env, flowtest.Order("S3", line("MUG-001", 1, "12.50")))
	r := env.Flow.Process(context.Background(), o)
	if r.Status != flow.Failed || r.Open {
		t.Fatalf("result %+v, want failed for good", r)
	}
	if got := strings.Join(r.Compensated, ", "); got != "fulfilment cancelled at shopify, label voided, invoice voided" {
		t.Fatalf("compensated: %s", got)
	}
	if shipped := env.Shopify.Shipped(o.PlatformID()); len(shipped) != 0 {
		t.Fatalf("the shop still holds fulfilments %v", shipped)
	}
}

// ConfirmByShop: the shop sends its own confirmation, and the flow's mail
// is not sent as well; an order from no shop still gets the flow's mail.
func TestConfirmByShop(t *testing.T) {
	env := start(t)
	env.Flow.Confirm = flow.ConfirmByShop
	ctx := context.Background()
	if r := env.Flow.Process(ctx, placed(t, env, flowtest.Order("S4", line("MUG-001", 1, "12.50")))); r.Status != flow.Done {
		t.Fatalf("result %+v", r)
	}
	if n, mails := env.Shopify.Notifications(), env.Counts().Emails; n != 1 || mails != 0 {
		t.Fatalf("%d shop confirmations, %d mails: want the shop's alone", n, mails)
	}
	if r := env.Flow.Process(ctx, flowtest.Order("F4", line("MUG-001", 1, "12.50"))); r.Status != flow.Done {
		t.Fatalf("result %+v", r)
	}
	if mails := env.Counts().Emails; mails != 1 {
		t.Fatalf("%d mails: an order from no shop gets the flow's", mails)
	}
}
