package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"

	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

func TestMain(m *testing.M) {
	output = io.Discard // the programs' results, not the tests'
	goleak.VerifyTestMain(m)
}

// Orders from the website: signed webhooks become orders; a bad signature
// is refused; a redelivery is dropped before it reaches the flow.
func TestWebhookIntake(t *testing.T) {
	ctx := context.Background()
	in, err := startIntake("127.0.0.1:0", "shop-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	url := "http://" + in.addr + webhookPath
	shop := shopifytest.NewServer(shopifytest.WithWebhookSecret("shop-secret"))
	defer shop.Close()
	wrongShop := shopifytest.NewServer(shopifytest.WithWebhookSecret("wrong-secret"))
	defer wrongShop.Close()
	placed := shopifytest.NewOrder{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Currency: "NZD", Express: true,
		Address: shopifytest.OrderAddress{Street: "965 Mission St", City: "San Francisco", Region: "CA", PostalCode: "94103", Country: "US"},
		Lines:   []shopifytest.OrderLine{{SKU: "MUG-001", Title: "Mug", Quantity: 2, Price: "12.50"}}}
	id, hookID, body, err := shop.PlaceOrder(ctx, url, placed)
	if err != nil {
		t.Fatal(err)
	}
	o := <-in.orders
	if o.ID == "" || !strings.HasSuffix(o.ID, "-"+strconv.FormatInt(id, 10)) || o.ServiceLevel != "express" || o.Customer.Email != "ada@example.com" ||
		o.ShipTo.PostalCode != "94103" || len(o.Lines) != 1 || o.Lines[0].Quantity != 2 || o.Lines[0].UnitPrice.String() != "12.50" {
		t.Fatalf("mapped order %+v", o)
	}
	if err := o.ShipTo.Validate(); err != nil {
		t.Fatalf("mapped address: %v", err)
	}
	status, err := shop.SendTopic(ctx, url, "orders/create", hookID, body)
	if err != nil || status != http.StatusOK {
		t.Fatalf("redelivery: %d %v", status, err)
	}
	status, err = wrongShop.SendTopic(ctx, url, "orders/create", "", body)
	if err != nil || status != http.StatusUnauthorized {
		t.Fatalf("bad signature: %d %v, want 401", status, err)
	}
	status, err = shop.SendTopic(ctx, url, "orders/create", "", []byte(`{"id":1}`))
	if err != nil || status != http.StatusOK {
		t.Fatalf("not an order: %d %v, want 200 (acknowledged and reported)", status, err)
	}
	if in.received.Load() != 4 || in.accepted.Load() != 1 || in.rejected.Load() != 1 || len(in.orders) != 0 {
		t.Fatalf("received %d, accepted %d, rejected %d, queued %d; want 4, 1, 1, 0", in.received.Load(), in.accepted.Load(), in.rejected.Load(), len(in.orders))
	}
}

// The whole demo: website to shipping confirmation, each sample order once.
// Each sample order arrives once, its redelivered webhook changes nothing,
// and the orders end as the file run ends them: three shipped, the poster
// order failed and restocked.
func TestDemo(t *testing.T) {
	o := options{listen: "127.0.0.1:0", demo: true, concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo", asJSON: true}
	results := runJSON(t, o)
	if len(results) != 4 {
		t.Fatalf("%d results, want one per sample order (4): %v", len(results), results)
	}
	seen := map[string]bool{}
	done := 0
	for _, r := range results {
		if seen[r.OrderID] {
			t.Fatalf("order %s processed twice", r.OrderID)
		}
		seen[r.OrderID] = true
		if r.Status == flow.Done && r.TrackingNumber != "" {
			done++
		} else if !strings.Contains(r.Reason, "out of stock: LAST-ONE") || strings.Join(r.Compensated, ",") != "restocked" {
			t.Fatalf("order %s: %+v", r.OrderID, r)
		}
	}
	if done != 3 {
		t.Fatalf("%d orders shipped, want 3", done)
	}
}

// runJSON runs the program with -json and returns what it printed.
func runJSON(t *testing.T, o options) []flow.Result {
	t.Helper()
	var buf bytes.Buffer
	output = &buf
	defer func() { output = io.Discard }()
	if err := run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	var out []flow.Result
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var r flow.Result
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// The same orders with Stripe as the accounting system.
// The sample orders twice with Stripe as the accounting system: three
// invoiced and shipped, and the second pass finds every step done.
func TestStripeAccounting(t *testing.T) {
	o := options{concurrency: 2, crm: "hubspot", accounting: "stripe", inventory: "shopify", shipping: "shippo", asJSON: true}
	results := runJSON(t, o)
	if len(results) != 8 {
		t.Fatalf("%d results, want 4 orders × 2 passes", len(results))
	}
	invoices := map[string]string{}
	for i, r := range results {
		if r.Status != flow.Done {
			continue
		}
		if r.InvoiceNumber == "" {
			t.Fatalf("order %s done without an invoice", r.OrderID)
		}
		if prev, ok := invoices[r.OrderID]; ok && prev != r.InvoiceNumber {
			t.Fatalf("order %s invoiced as %s, then %s", r.OrderID, prev, r.InvoiceNumber)
		}
		invoices[r.OrderID] = r.InvoiceNumber
		for _, s := range r.Steps {
			if i >= 4 && !s.AlreadyDone {
				t.Fatalf("second pass: order %s step %s ran again", r.OrderID, s.Step)
			}
		}
	}
	if len(invoices) != 3 {
		t.Fatalf("%d orders invoiced, want 3", len(invoices))
	}
}

// Flags name what is wrong.
func TestFlagErrors(t *testing.T) {
	base := options{concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo"}
	for want, change := range map[string]func(*options){
		"-accounting quickbooks": func(o *options) { o.accounting = "quickbooks" },
		"-faults":                func(o *options) { o.faults = 2 },
		"-demo needs -listen":    func(o *options) { o.demo = true },
	} {
		o := base
		change(&o)
		if err := o.check(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}
