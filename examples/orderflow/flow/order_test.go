package flow_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory"
)

// An order goes through JSON (the inbox, a workflow's input) unchanged,
// and one written before Order embedded inventory.Order still reads.
func TestOrderJSON(t *testing.T) {
	o := flow.FromPlatform("shopify", &inventory.Order{ID: "4711", Number: "#1001", Currency: "NZD", Shipping: "Express",
		Customer: inventory.Customer{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"},
		Lines:    []inventory.OrderLine{{SKU: "MUG-001", Title: "Mug", Quantity: 2}}})
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var back flow.Order
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(o, back); d != "" {
		t.Fatalf("through JSON (-before +after):\n%s", d)
	}
	if back.ID != "shopify-4711" || back.PlatformID() != "4711" || !back.Express {
		t.Fatalf("read back %+v", back)
	}

	old := `{"id":"shopify-4711","customer":{"email":"ada@example.com","first_name":"Ada","last_name":"Lovelace"},
		"lines":[{"sku":"MUG-001","title":"Mug","quantity":2,"unit_price":"0"}],"currency":"NZD","service_level":"express",
		"ship_to":{"Email":"ada@example.com"},"source":"shopify","source_id":"4711"}`
	var legacy flow.Order
	if err := json.Unmarshal([]byte(old), &legacy); err != nil {
		t.Fatal(err)
	}
	want := o
	want.Number, want.Shipping = "", ""
	if d := cmp.Diff(want, legacy); d != "" {
		t.Fatalf("an order in the earlier form (-want +got):\n%s", d)
	}
	if err := json.Unmarshal([]byte(`{"id":1}`), &legacy); err == nil {
		t.Fatal("an id that is not a string read as an order")
	}
}
