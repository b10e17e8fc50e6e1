package square_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/inventorytest"
	"github.com/patchbay-go/patchbay/inventory/square"
	"github.com/patchbay-go/patchbay/inventory/square/squaretest"
	"github.com/patchbay-go/patchbay/shipping"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: time.Second}

func sandbox(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper, opts ...squaretest.Option) (*squaretest.Server, *square.Client) {
	t.Helper()
	srv := squaretest.NewServer(opts...)
	t.Cleanup(srv.Close)
	client, err := square.New(square.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
		connector.WithHTTPClient(connectortest.TestClient(t, wrap)), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	return srv, client
}

func stockHarness(srv *squaretest.Server, client *square.Client) inventorytest.Harness {
	return inventorytest.Harness{Items: client.Items, Locations: client.Locations, Stock: client.Stock,
		AddItem: func(sku string, qty int) { srv.AddItem("Product "+sku, sku, qty) }, Throttle: srv.Throttle}
}

// toSquare is the contract's order as a Square Online checkout places it.
func toSquare(t *testing.T, o inventorytest.NewOrder) squaretest.NewOrder {
	t.Helper()
	ship := "Standard Shipping"
	if o.Express {
		ship = "Express Shipping"
	}
	out := squaretest.NewOrder{
		Customer:     squaretest.Customer{GivenName: o.Customer.FirstName, FamilyName: o.Customer.LastName, Email: o.Customer.Email, Phone: o.Customer.Phone},
		Currency:     o.Currency,
		ShippingType: ship,
		Address: squaretest.Address{Line1: o.ShipTo.Street1, Line2: o.ShipTo.Street2, Locality: o.ShipTo.City, Region: o.ShipTo.Region,
			PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country},
	}
	for _, l := range o.Lines {
		minor, err := square.MinorUnits(l.UnitPrice, o.Currency)
		require.NoError(t, err)
		out.Lines = append(out.Lines, squaretest.OrderLine{SKU: l.SKU, Name: l.Title, Quantity: l.Quantity, Price: minor})
	}
	return out
}

func ordersHarness(t *testing.T, srv *squaretest.Server, client *square.Client) inventorytest.OrdersHarness {
	return inventorytest.OrdersHarness{Orders: client.Orders, Fulfilments: client.Fulfilments,
		PlaceOrder: func(o inventorytest.NewOrder) (string, []byte) { return srv.PlaceOrder(toSquare(t, o)) },
		Shipped:    srv.Shipped, LoseNextAnswer: srv.LoseNextAnswer, Advance: srv.Advance}
}

// The inventory contract, on the sandbox.
func TestContract(t *testing.T) {
	inventorytest.Run(t, func(t *testing.T) inventorytest.Harness { return stockHarness(sandbox(t, nil)) })
}

// The orders contract, on the sandbox.
func TestContractOrders(t *testing.T) {
	inventorytest.RunOrders(t, func(t *testing.T) inventorytest.OrdersHarness {
		srv, client := sandbox(t, nil)
		return ordersHarness(t, srv, client)
	})
}

func TestMinorUnits(t *testing.T) {
	for _, tt := range []struct {
		amount, currency string
		want             int64
	}{{"12.99", "USD", 1299}, {"0.1", "USD", 10}, {"1299", "JPY", 1299}, {"1.299", "KWD", 1299}, {"-3.5", "EUR", -350}} {
		got, err := square.MinorUnits(decimal.MustParse(tt.amount), tt.currency)
		require.NoError(t, err)
		require.Equal(t, tt.want, got, "%s %s", tt.amount, tt.currency)
	}
	_, err := square.MinorUnits(decimal.MustParse("12.5"), "JPY")
	require.Error(t, err, "JPY has no decimals")
	_, err = square.MinorUnits(decimal.MustParse("1"), "XXQ")
	require.Error(t, err)
}

// sampleOrder is a one-line US order of MUG-1.
func sampleOrder() inventorytest.NewOrder {
	return inventorytest.NewOrder{
		Customer: inventory.Customer{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Phone: "+14155550100"},
		Currency: "USD",
		ShipTo:   shipping.Address{Street1: "215 Clayton St", City: "San Francisco", Region: "CA", PostalCode: "94117", Country: "US"},
		Lines:    []inventory.OrderLine{{SKU: "MUG-1", Title: "Mug", Quantity: 2, UnitPrice: decimal.MustParse("12.99")}},
	}
}
