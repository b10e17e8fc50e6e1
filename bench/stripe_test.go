package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/govalues/decimal"
	"github.com/govalues/money"
	stripego "github.com/stripe/stripe-go/v84"

	"github.com/patchbay-go/patchbay/accounting"
	pbstripe "github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/accounting/stripe/stripetest"
	"github.com/patchbay-go/patchbay/connector"
)

// stripeBodies are real answers from the Stripe sandbox, recorded once:
// a customer, an invoice with 3 lines, and a page of 100 invoices.
type stripeBodies struct{ customer, invoice, list []byte }

func recordStripe(b *testing.B) stripeBodies {
	sb := stripetest.NewServer()
	defer sb.Close()
	c, err := pbstripe.New(pbstripe.Config{BaseURL: sb.URL(), Auth: sb.Auth()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	cust, err := c.Customers.Create(ctx, accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	var inv *accounting.Invoice
	for i := range 100 {
		if inv, err = c.Invoices.Create(ctx, threeLines(cust.ID, sb.TaxRate(), fmt.Sprintf("ORDER-%03d", i))); err != nil {
			b.Fatal(err)
		}
	}
	get := func(path string) []byte {
		req, err := c.NewRequest(ctx, http.MethodGet, path, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := c.Do(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			b.Fatal(err)
		}
		return body
	}
	return stripeBodies{customer: get("/v1/customers/" + cust.ID), invoice: get("/v1/invoices/" + inv.ID), list: get("/v1/invoices?limit=100")}
}

func threeLines(customer, taxRate, ref string) accounting.Invoice {
	nzd := func(s string) money.Amount { return money.MustParseAmount("NZD", s) }
	return accounting.Invoice{CustomerID: customer, Currency: "NZD", Reference: ref, Lines: []accounting.Line{
		{Description: "Patchbay T-shirt", Quantity: decimal.MustNew(2, 0), UnitPrice: nzd("25.00"), TaxCode: taxRate},
		{Description: "Patchbay mug", Quantity: decimal.MustNew(1, 0), UnitPrice: nzd("12.50"), TaxCode: taxRate},
		{Description: "Patch cable, 3 m", Quantity: decimal.MustNew(3, 0), UnitPrice: nzd("9.90"), TaxCode: taxRate},
	}}
}

// cannedStripe answers every call with a recorded body, so that the
// server's own cost is the same tiny constant for both clients.
func cannedStripe(bodies stripeBodies) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/customers"):
			w.Write(bodies.customer)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/invoices":
			w.Write(bodies.list)
		default:
			w.Write(bodies.invoice)
		}
	}))
}

// BenchmarkStripe runs the same operations through stripe-go v84 and
// through accounting/stripe against the same canned server, in one run.
//
//	cd bench && go test -run '^$' -bench Stripe -benchmem -count 8 | tee stripe.out
//	benchstat -col /client stripe.out
func BenchmarkStripe(b *testing.B) {
	bodies := recordStripe(b)
	srv := cannedStripe(bodies)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	ctx := context.Background()

	ours, err := pbstripe.New(pbstripe.Config{BaseURL: srv.URL, Auth: connector.Bearer("sk_test_bench")}, connector.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	backend := stripego.GetBackendWithConfig(stripego.APIBackend, &stripego.BackendConfig{
		URL: stripego.String(srv.URL), HTTPClient: hc, MaxNetworkRetries: stripego.Int64(0),
		LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull}, EnableTelemetry: stripego.Bool(false)})
	sc := stripego.NewClient("sk_test_bench", stripego.WithBackends(&stripego.Backends{API: backend, Connect: backend, Uploads: backend, MeterEvents: backend}))

	b.Run("op=create-customer/client=stripe-go", func(b *testing.B) {
		for b.Loop() {
			if _, err := sc.V1Customers.Create(ctx, &stripego.CustomerCreateParams{Name: stripego.String("Ada Lovelace"),
				Email: stripego.String("ada@example.com"), Phone: stripego.String("+64 9 555 0100")}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=create-customer/client=patchbay", func(b *testing.B) {
		for b.Loop() {
			if _, err := ours.Customers.Create(ctx, accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+64 9 555 0100"}); err != nil {
				b.Fatal(err)
			}
		}
	})

	// An invoice with 3 lines: draft, add_lines, finalize (3 calls each).
	b.Run("op=create-invoice-3-lines/client=stripe-go", func(b *testing.B) {
		for b.Loop() {
			inv, err := sc.V1Invoices.Create(ctx, &stripego.InvoiceCreateParams{Customer: stripego.String("cus_1"), Currency: stripego.String("nzd"),
				CollectionMethod: stripego.String("send_invoice"), DaysUntilDue: stripego.Int64(30), AutoAdvance: stripego.Bool(false),
				PendingInvoiceItemsBehavior: stripego.String("exclude"), Metadata: map[string]string{"reference": "ORDER-1"}})
			if err != nil {
				b.Fatal(err)
			}
			var lines []*stripego.InvoiceAddLinesLineParams
			for _, l := range [][3]any{{"Patchbay T-shirt", int64(2), 2500.0}, {"Patchbay mug", int64(1), 1250.0}, {"Patch cable, 3 m", int64(3), 990.0}} {
				lines = append(lines, &stripego.InvoiceAddLinesLineParams{Description: stripego.String(l[0].(string)), Quantity: stripego.Int64(l[1].(int64)),
					TaxRates: []*string{stripego.String("txr_1")},
					PriceData: &stripego.InvoiceAddLinesLinePriceDataParams{Currency: stripego.String("nzd"), UnitAmountDecimal: stripego.Float64(l[2].(float64)),
						TaxBehavior: stripego.String("exclusive"), ProductData: &stripego.InvoiceAddLinesLinePriceDataProductDataParams{Name: stripego.String(l[0].(string))}}})
			}
			if _, err := sc.V1Invoices.AddLines(ctx, inv.ID, &stripego.InvoiceAddLinesParams{Lines: lines}); err != nil {
				b.Fatal(err)
			}
			if _, err := sc.V1Invoices.FinalizeInvoice(ctx, inv.ID, &stripego.InvoiceFinalizeInvoiceParams{AutoAdvance: stripego.Bool(false)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=create-invoice-3-lines/client=patchbay", func(b *testing.B) {
		for b.Loop() {
			if _, err := ours.Invoices.Create(ctx, threeLines("cus_1", "txr_1", "ORDER-1")); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("op=list-100-invoices/client=stripe-go", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, err := range sc.V1Invoices.List(ctx, &stripego.InvoiceListParams{ListParams: stripego.ListParams{Limit: stripego.Int64(100)}}) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != 100 {
				b.Fatalf("%d invoices", n)
			}
		}
	})
	b.Run("op=list-100-invoices/client=patchbay", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, err := range ours.Invoices.List(ctx, accounting.ListOptions{}) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != 100 {
				b.Fatalf("%d invoices", n)
			}
		}
	})

	// Decoding alone: the 100-invoice page, no HTTP.
	b.Run(fmt.Sprintf("op=decode-list-page-%dKiB/client=stripe-go", len(bodies.list)>>10), func(b *testing.B) {
		b.SetBytes(int64(len(bodies.list)))
		for b.Loop() {
			var l stripego.InvoiceList
			if err := json.Unmarshal(bodies.list, &l); err != nil || len(l.Data) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("op=decode-list-page-%dKiB/client=patchbay", len(bodies.list)>>10), func(b *testing.B) {
		b.SetBytes(int64(len(bodies.list)))
		for b.Loop() {
			var page struct {
				Data []json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(bodies.list, &page); err != nil || len(page.Data) != 100 {
				b.Fatal(err)
			}
			for _, raw := range page.Data {
				if _, err := pbstripe.DecodeInvoice(raw); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
