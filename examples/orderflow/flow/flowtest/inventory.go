package flowtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
	"github.com/patchbay-go/patchbay/inventory/square"
	"github.com/patchbay-go/patchbay/inventory/square/squaretest"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
	"github.com/patchbay-go/patchbay/inventory/woocommerce/woocommercetest"
)

// platform is what a sandbox shop gives the flow.
type platform struct {
	items       inventory.Items
	stock       inventory.Stock
	locationID  string
	fulfilments inventory.Fulfilments
	orders      inventory.Orders
}

// startPlatform starts the sandbox shop of name, stocked with the
// Catalogue, and sets in sys its fulfilments and, where it holds the
// stock (asInventory), its items and stock. A shop that is only the
// website's has the same SKUs, so that its checkout sells them.
func (e *Env) startPlatform(sys *flow.Systems, name string, asInventory bool, opts []connector.Option) error {
	var p platform
	var err error
	switch name {
	case "shopify":
		p, err = e.startShopify(opts)
	case "square":
		p, err = e.startSquare(opts)
	case "woocommerce":
		p, err = e.startWooCommerce(opts)
	default:
		return unknownVendor("inventory", name)
	}
	if err != nil {
		return err
	}
	if asInventory {
		sys.Items, sys.Stock, sys.LocationID, sys.Inventory = p.items, p.stock, p.locationID, name
	}
	if sys.Shops == nil {
		sys.Shops = map[string]inventory.Fulfilments{}
	}
	sys.Shops[name] = p.fulfilments
	if e.orders == nil {
		e.orders = map[string]inventory.Orders{}
	}
	e.orders[name] = p.orders
	return nil
}

// startShopify starts the Shopify sandbox, stocked with the Catalogue.
func (e *Env) startShopify(opts []connector.Option) (platform, error) {
	token := "shpat_" + connectortest.RandomHex(16)
	e.Shopify = shopifytest.NewServer(shopifytest.WithAccessToken(token))
	e.track("Shopify", "shopify", e.Shopify)
	e.share("PATCHBAY_SHOPIFY_URL", e.Shopify.URL(), "PATCHBAY_SHOPIFY_TOKEN", token, "PATCHBAY_SHOPIFY_LOCATION_ID", e.Shopify.LocationID(),
		"PATCHBAY_SHOPIFY_WEBHOOK_SECRET", e.Shopify.WebhookSecret())
	for _, p := range Catalogue {
		e.Shopify.AddProduct(p.Title, p.SKU, p.Stock)
	}
	sh, err := shopify.New(shopify.Config{BaseURL: e.Shopify.URL(), Auth: e.Shopify.Auth()}, opts...)
	if err != nil {
		return platform{}, err
	}
	e.shop = sh
	return platform{sh.Items, sh.Stock, e.Shopify.LocationID(), sh.Fulfilments, sh.Orders}, nil
}

// startSquare starts the Square sandbox, its first location stocked with
// the Catalogue.
func (e *Env) startSquare(opts []connector.Option) (platform, error) {
	e.Square = squaretest.NewServer()
	e.track("Square", "square", e.Square)
	e.share("PATCHBAY_SQUARE_URL", e.Square.URL(), "PATCHBAY_SQUARE_TOKEN", e.Square.AccessToken(),
		"PATCHBAY_SQUARE_LOCATION_ID", e.Square.LocationID(), "PATCHBAY_SQUARE_WEBHOOK_KEY", e.Square.WebhookSecret())
	e.squareItems = map[string]string{}
	for _, p := range Catalogue {
		e.squareItems[p.SKU] = e.Square.AddItem(p.Title, p.SKU, p.Stock)
	}
	sq, err := square.New(square.Config{BaseURL: e.Square.URL(), Auth: e.Square.Auth(), LocationIDs: []string{e.Square.LocationID()}}, opts...)
	if err != nil {
		return platform{}, err
	}
	return platform{sq.Items, sq.Stock, e.Square.LocationID(), sq.Fulfilments, sq.Orders}, nil
}

// startWooCommerce starts the WooCommerce sandbox, with the Catalogue as
// simple products that manage their stock.
func (e *Env) startWooCommerce(opts []connector.Option) (platform, error) {
	key, secret := "ck_"+connectortest.RandomHex(20), "cs_"+connectortest.RandomHex(20)
	e.WooCommerce = woocommercetest.NewServer(woocommercetest.WithConsumerKey(key, secret))
	e.track("WooCommerce", "woocommerce", e.WooCommerce)
	e.share("PATCHBAY_WOOCOMMERCE_URL", e.WooCommerce.URL(), "PATCHBAY_WOOCOMMERCE_KEY", key, "PATCHBAY_WOOCOMMERCE_SECRET", secret,
		"PATCHBAY_WOOCOMMERCE_WEBHOOK_SECRET", e.WooCommerce.WebhookSecret())
	e.wooProducts = map[string]int64{}
	for _, p := range Catalogue {
		e.wooProducts[p.SKU] = e.WooCommerce.AddProduct(p.Title, p.SKU, p.Stock)
	}
	wc, err := woocommerce.New(woocommerce.Config{BaseURL: e.WooCommerce.URL(), Auth: e.WooCommerce.Auth()}, opts...)
	if err != nil {
		return platform{}, err
	}
	return platform{wc.Items, wc.Stock, woocommerce.LocationID, wc.Fulfilments, wc.Orders}, nil
}

// Shop is a client of the sandbox Shopify shop, or nil when it is real
// or not started.
func (e *Env) Shop() *shopify.Client { return e.shop }

// Orders is the orders of the sandbox shop source ("shopify", "square",
// "woocommerce"), or nil when that shop is real or not started.
func (e *Env) Orders(source string) inventory.Orders { return e.orders[source] }

// Available reads the stock of sku where the sandbox shop platform keeps
// it (its first location), as the sandbox holds it; -1 when there is no
// such sandbox or SKU.
func (e *Env) Available(platform, sku string) int {
	switch {
	case platform == "shopify" && e.Shopify != nil:
		for it, err := range e.shop.Items.List(context.Background()) {
			if err == nil && it.SKU == sku {
				return e.Shopify.Available(it.ID, e.Shopify.LocationID())
			}
		}
	case platform == "square" && e.Square != nil:
		if id, ok := e.squareItems[sku]; ok {
			return e.Square.Available(id, e.Square.LocationID())
		}
	case platform == "woocommerce" && e.WooCommerce != nil:
		if id, ok := e.wooProducts[sku]; ok {
			return e.WooCommerce.Stock(id)
		}
	}
	return -1
}

// AddProduct adds a tracked product with quantity in stock to the
// sandbox of the platform that holds the flow's stock (Vendors.Inventory).
func (e *Env) AddProduct(title, sku string, quantity int) {
	switch e.Vendors.WithDefaults().Inventory {
	case "square":
		e.squareItems[sku] = e.Square.AddItem(title, sku, quantity)
	case "woocommerce":
		e.wooProducts[sku] = e.WooCommerce.AddProduct(title, sku, quantity)
	default:
		e.Shopify.AddProduct(title, sku, quantity)
	}
}

// Stock reads sku's stock where the flow keeps it (Vendors.Inventory).
func (e *Env) Stock(sku string) int { return e.Available(e.Vendors.WithDefaults().Inventory, sku) }

// AdjustmentsFor is what Counts.StockAdjustments grows by for one
// adjustment of lines products: Shopify's sandbox counts a call, Square's
// and WooCommerce's each product changed.
func (e *Env) AdjustmentsFor(lines int) int {
	if e.Vendors.WithDefaults().Inventory == "shopify" {
		return 1
	}
	return lines
}

// ShopifyOrder is o as the sandbox shop places it (shopifytest.PlaceOrder),
// so that its orders/create webhook maps back to o.
func ShopifyOrder(o flow.Order) shopifytest.NewOrder {
	n := shopifytest.NewOrder{Email: o.Customer.Email, FirstName: o.Customer.FirstName, LastName: o.Customer.LastName,
		Currency: o.Currency, Express: o.Express,
		Address: shopifytest.OrderAddress{Street: o.ShipTo.Street1, City: o.ShipTo.City, Region: o.ShipTo.Region,
			PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country}}
	for _, l := range o.Lines {
		n.Lines = append(n.Lines, shopifytest.OrderLine{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, Price: l.UnitPrice.String()})
	}
	return n
}

// SquareOrder is o as the Square sandbox places it (squaretest.PlaceOrder):
// prices in the currency's smallest unit (the sample currencies have two
// decimals).
func SquareOrder(o flow.Order) squaretest.NewOrder {
	n := squaretest.NewOrder{Customer: squaretest.Customer{GivenName: o.Customer.FirstName, FamilyName: o.Customer.LastName,
		Email: o.Customer.Email, Phone: o.Customer.Phone}, Currency: o.Currency, ShippingType: "Standard Shipping",
		Address: squaretest.Address{Line1: o.ShipTo.Street1, Line2: o.ShipTo.Street2, Locality: o.ShipTo.City, Region: o.ShipTo.Region,
			PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country}}
	if o.Express {
		n.ShippingType = "Express Shipping"
	}
	for _, l := range o.Lines {
		cents, _ := l.UnitPrice.Mul(decimal.Hundred)
		whole, _, _ := cents.Int64(0)
		n.Lines = append(n.Lines, squaretest.OrderLine{SKU: l.SKU, Name: l.Title, Quantity: l.Quantity, Price: whole})
	}
	return n
}

// WooCommerceOrder is o as the WooCommerce sandbox places it
// (woocommercetest.PlaceOrder).
func WooCommerceOrder(o flow.Order) woocommercetest.NewOrder {
	n := woocommercetest.NewOrder{Email: o.Customer.Email, FirstName: o.Customer.FirstName, LastName: o.Customer.LastName,
		Phone: o.Customer.Phone, Currency: o.Currency, Express: o.Express,
		Address: woocommercetest.Address{Street: o.ShipTo.Street1, City: o.ShipTo.City, Region: o.ShipTo.Region,
			PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country}}
	for _, l := range o.Lines {
		n.Lines = append(n.Lines, woocommercetest.OrderLine{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, Price: l.UnitPrice.String()})
	}
	return n
}

// Placed is an order a sandbox shop took at its checkout: its id there,
// and its order-created webhook, ready to be delivered.
type Placed struct {
	Source, SourceID string
	// Webhook is the body of its order-created webhook.
	Webhook []byte
	// Deliver posts the webhook to url, signed as the platform signs it,
	// and returns the receiver's status. Each call is one delivery; a
	// second call is the platform delivering it again (Shopify and
	// Square under the same webhook or event id).
	Deliver func(ctx context.Context, url string) (int, error)
}

// PlaceOrder places o on the sandbox shop source as a customer's checkout
// does (the shop takes the stock it tracks), without delivering its
// webhook.
func (e *Env) PlaceOrder(source string, o flow.Order) (*Placed, error) {
	switch {
	case source == "shopify" && e.Shopify != nil:
		id, body, err := e.Shopify.OrderWebhook(ShopifyOrder(o))
		if err != nil {
			return nil, err
		}
		hookID := connectortest.UUID()
		return &Placed{Source: source, SourceID: strconv.FormatInt(id, 10), Webhook: body, Deliver: func(ctx context.Context, url string) (int, error) {
			return e.Shopify.SendTopic(ctx, url, "orders/create", hookID, body)
		}}, nil
	case source == "square" && e.Square != nil:
		n := SquareOrder(o)
		id, body := e.Square.PlaceOrder(n)
		e.mu.Lock()
		e.squareOrders = append(e.squareOrders, id)
		for _, l := range n.Lines {
			if _, added := e.squareItems[l.SKU]; added || inCatalogue(l.SKU) { // tracked: the checkout changed its count
				e.squareCheckouts++
			}
		}
		e.mu.Unlock()
		return &Placed{Source: source, SourceID: id, Webhook: body, Deliver: func(ctx context.Context, url string) (int, error) {
			return e.Square.SendWebhook(ctx, url, body)
		}}, nil
	case source == "woocommerce" && e.WooCommerce != nil:
		id, body, err := e.WooCommerce.PlaceOrder(WooCommerceOrder(o))
		if err != nil {
			return nil, err
		}
		e.mu.Lock()
		e.wooOrders = append(e.wooOrders, id)
		e.mu.Unlock()
		return &Placed{Source: source, SourceID: strconv.FormatInt(id, 10), Webhook: body, Deliver: func(ctx context.Context, url string) (int, error) {
			return e.WooCommerce.DeliverOrderCreated(ctx, url, id)
		}}, nil
	}
	return nil, fmt.Errorf("flowtest: no %s sandbox shop here", source)
}

// PlaceAndRead places o on the sandbox shop source (PlaceOrder) and
// returns it as the flow gets it from the order-created webhook, read as
// the service's intake reads it (Square's names only the order, which is
// read from Square): the platform's order, with the platform's id.
func (e *Env) PlaceAndRead(ctx context.Context, source string, o flow.Order) (flow.Order, error) {
	reader := e.Orders(source)
	if reader == nil {
		return flow.Order{}, fmt.Errorf("flowtest: no %s sandbox shop here", source)
	}
	p, err := e.PlaceOrder(source, o)
	if err != nil {
		return flow.Order{}, err
	}
	po, err := reader.FromWebhook(ctx, p.Webhook)
	if err != nil {
		return flow.Order{}, fmt.Errorf("order %s placed at %s: %w", o.ID, source, err)
	}
	return flow.FromPlatform(source, po), nil
}

func inCatalogue(sku string) bool {
	for _, p := range Catalogue {
		if p.SKU == sku {
			return true
		}
	}
	return false
}

// shopCounts are the stock adjustments the flow made on the sandbox
// shops (their checkouts' own changes left out) and the fulfilments they
// hold that are not cancelled.
func (e *Env) shopCounts() (adjustments, fulfilments int) {
	if e.Shopify != nil {
		adjustments, fulfilments = e.Shopify.Adjustments(), e.Shopify.Fulfillments()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.Square != nil {
		// Square counts every change; PlaceOrder's checkouts made some.
		adjustments += e.Square.Changes() - e.squareCheckouts
		for _, id := range e.squareOrders {
			fulfilments += len(e.Square.Shipped(id))
		}
	}
	if e.WooCommerce != nil {
		// Every adjustment through the connector is in its product's
		// journal (a day of them, up to 1,000).
		for _, id := range e.wooProducts {
			var j []json.RawMessage
			if json.Unmarshal([]byte(e.WooCommerce.Meta(id, wooStockJournal)), &j) == nil {
				adjustments += len(j)
			}
		}
		for _, id := range e.wooOrders {
			fulfilments += len(e.WooCommerce.Shipped(id))
		}
	}
	return adjustments, fulfilments
}

// wooStockJournal is the product meta entry where woocommerce.Stock
// records its adjustments.
const wooStockJournal = "_patchbay_stock_journal"
