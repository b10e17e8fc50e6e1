package soak

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/internal/pgtest"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(pgtest.Main(m)) }

// settings of a soak run; PATCHBAY_SERVICE_SOAK_ORDERS sets the orders (make soak:
// 10,000), the rest scales with it; PATCHBAY_SERVICE_SOAK_FAULTS the share of
// vendor calls that fail (default 0.3).
type settings struct {
	orders       int
	rate         float64 // orders placed a second
	faults       float64 // share of vendor calls that fail
	dropWebhooks float64 // share of order webhooks the shop never sends
	kills        int     // worker kills, spread over the placing
	trace        bool    // PATCHBAY_SERVICE_SOAK_TRACE=1: workers write spans, the slowest orders are shown
	// shopPlan is the shop's Shopify plan (PATCHBAY_SERVICE_SOAK_PLAN):
	// plus by default, as the soak proves the service under faults and
	// kills, not a plan's budget; on the standard plan the shop's 100
	// points a second, about 90 an order with the fulfilment and the
	// reconciliation's polls, hold the run near one order a second.
	shopPlan string
}

func soakSettings() settings {
	s := settings{orders: 150, rate: 50, faults: 0.3, dropWebhooks: 0.1, kills: 2, shopPlan: "plus"}
	if n, err := strconv.Atoi(os.Getenv("PATCHBAY_SERVICE_SOAK_ORDERS")); err == nil && n > 0 {
		s.orders, s.rate, s.kills = n, 40, max(2, n/500)
	}
	if k, err := strconv.Atoi(os.Getenv("PATCHBAY_SERVICE_SOAK_KILLS")); err == nil && k > 0 {
		s.kills = k
	}
	if f, err := strconv.ParseFloat(os.Getenv("PATCHBAY_SERVICE_SOAK_FAULTS"), 64); err == nil && f >= 0 && f <= 1 {
		s.faults = f
	}
	s.trace = os.Getenv("PATCHBAY_SERVICE_SOAK_TRACE") == "1"
	s.shopPlan = cmp.Or(os.Getenv("PATCHBAY_SERVICE_SOAK_PLAN"), "plus")
	return s
}

func TestSoak(t *testing.T) {
	cfg := soakSettings()
	// Generous: under 30% faults the service runs a few orders a second.
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(cfg.orders)*time.Second+4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	db := pgtest.URL(t)

	bin := build(t, dir)
	procs := &processes{t: t, dir: dir}
	defer procs.stopAll()

	envFile := filepath.Join(dir, "patchbay.env")
	procs.start("sandboxes", nil, bin["sandboxes"], "-env", envFile, "-drop-webhooks", fmt.Sprint(cfg.dropWebhooks), "-shop-plan", cfg.shopPlan)
	vars := waitForVariables(t, ctx, envFile)
	control := vars["PATCHBAY_SANDBOXES_CONTROL"]
	stockUp(t, ctx, vars, cfg.orders)
	stockedUp := counts(t, ctx, control).StockAdjustments // the stock-up's own sets

	// Two workers on fixed ports, each restarted on its own port after a
	// kill; the front spreads webhooks over the live ones, and tries the
	// other when one is down, as a load balancer would.
	env := []string{"TMPDIR=" + dir}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	ports := freePorts(t, 2)
	var spanFiles []string
	worker := func(i int) *process {
		args := []string{"-listen", "127.0.0.1:" + strconv.Itoa(ports[i]),
			"-state", db, "-faults", fmt.Sprint(cfg.faults), "-reconcile", "500ms", "-concurrency", "8", "-json"}
		if cfg.trace {
			f := filepath.Join(dir, fmt.Sprintf("worker-%d-%d.spans.json", i+1, len(spanFiles)))
			spanFiles = append(spanFiles, f)
			args = append(args, "-telemetry", f)
		}
		return procs.start(fmt.Sprintf("worker-%d", i+1), env, bin["orderflow"], args...)
	}
	workers := []*process{worker(0), worker(1)}
	for i := range workers {
		procs.waitForPort(ctx, workers[i], ports[i])
	}
	front := startFront(t, ports)

	// Place the orders at a steady rate; kill and restart a worker now and
	// then while they arrive.
	placed := map[string]time.Time{} // order id → when it was placed
	var placedMu sync.Mutex
	killEvery := cfg.orders / (cfg.kills + 1)
	var kills int
	tick := time.NewTicker(time.Duration(float64(time.Second) / cfg.rate))
	defer tick.Stop()
	start := time.Now()
	for i := range cfg.orders {
		select {
		case <-ctx.Done():
			t.Fatalf("placing orders: %v", ctx.Err())
		case <-tick.C:
		}
		id := place(t, ctx, control, front, i)
		placedMu.Lock()
		placed[id] = time.Now()
		placedMu.Unlock()
		if i > 0 && i%killEvery == 0 && kills < cfg.kills {
			w := rand.IntN(2)
			pid := workers[w].cmd.Process.Pid
			workers[w].kill()
			t.Logf("order %d: worker-%d (pid %d) killed with SIGKILL", i, w+1, pid)
			time.Sleep(200 * time.Millisecond)
			workers[w] = worker(w)
			procs.waitForPort(ctx, workers[w], ports[w])
			kills++
		}
	}
	placing := time.Since(start)

	// Every order ends: one of each record per order, and the inbox
	// empty (an order whose mail went out may still be writing its CRM
	// note).
	state, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	var h holdings
	for {
		h = counts(t, ctx, control)
		if h.Emails >= cfg.orders && h.Labels >= cfg.orders && h.Notes >= cfg.orders {
			if depth, err := state.Inbox().Depth(ctx); err == nil && depth == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			procs.showLogs()
			t.Fatalf("after %v: the sandboxes hold %+v for %d orders", time.Since(start), h, cfg.orders)
		case <-time.After(200 * time.Millisecond):
		}
	}
	elapsed := time.Since(start)
	time.Sleep(time.Second) // anything made twice would show by now
	h = counts(t, ctx, control)
	// The shop took each order's stock at checkout: the flow takes none,
	// and tells the shop each order shipped.
	if n := h.StockAdjustments - stockedUp; n != 0 {
		t.Errorf("%d stock adjustments: the shop took the stock at checkout, and the flow must not take it again", n)
	}
	for name, got := range map[string]int{"contacts": h.Contacts, "deals": h.Deals, "notes": h.Notes, "invoices": h.Invoices,
		"labels": h.Labels, "fulfilments": h.Fulfilments, "emails": h.Emails} {
		if got != cfg.orders {
			procs.showLogs()
			t.Errorf("%d %s for %d orders: each must be made exactly once", got, name, cfg.orders)
			if name == "labels" {
				twiceBought(t, ctx, vars, procs.logs())
			}
		}
	}
	if depth, err := state.Inbox().Depth(ctx); err != nil || depth != 0 {
		t.Errorf("%d orders still in the inbox (%v)", depth, err)
	}

	// The figures: webhook to confirmation, per order.
	placed0 := maps.Clone(placed)
	var lat []time.Duration
	for _, m := range emails(t, ctx, control) {
		for id, at := range placed {
			if strings.Contains(m.Subject, "order "+id+" ") {
				lat = append(lat, m.At.Sub(at))
				delete(placed, id) // the first confirmation only
				break
			}
		}
	}
	slices.Sort(lat)
	calls := 0
	for _, n := range h.Requests {
		calls += n
	}
	if len(lat) == 0 {
		t.Fatal("no confirmation matched a placed order")
	}
	t.Logf("%s shop, %d orders (placed over %v at %.0f/s), %d kills, %.0f%% faults, %d of %d webhooks dropped: all done in %v, %.1f orders/s; "+
		"webhook to confirmation p50 %v, p99 %v; %.1f API calls per order %v; %d confirmations delivered for %d orders",
		cfg.shopPlan, cfg.orders, placing.Round(time.Millisecond), cfg.rate, kills, cfg.faults*100, h.DroppedWebhooks, cfg.orders, elapsed.Round(time.Millisecond),
		float64(cfg.orders)/elapsed.Seconds(), lat[len(lat)/2].Round(time.Millisecond), lat[min(len(lat)-1, len(lat)*99/100)].Round(time.Millisecond),
		float64(calls)/float64(cfg.orders), h.Requests, h.Deliveries, cfg.orders)
	if cfg.trace {
		slowest(t, spanFiles, procs.logs(), placed0, 5)
	}
	if kills == 0 || h.DroppedWebhooks == 0 {
		t.Errorf("%d kills, %d webhooks dropped: the soak did not test what it claims", kills, h.DroppedWebhooks)
	}
}

// build compiles the programs the soak runs.
func build(t testing.TB, dir string) map[string]string {
	out := map[string]string{}
	for name, pkg := range map[string]string{"orderflow": "github.com/patchbay-go/patchbay/examples/orderflow",
		"sandboxes": "github.com/patchbay-go/patchbay/examples/sandboxes"} {
		path := filepath.Join(dir, name)
		if b, err := exec.Command("go", "build", "-o", path, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
		out[name] = path
	}
	return out
}

// place has the sandbox shop take order i, its webhook sent to front.
func place(t *testing.T, ctx context.Context, control, front string, i int) string {
	o := flowtest.Order(fmt.Sprintf("S%05d", i), inventory.OrderLine{SKU: soakSKUs[i%len(soakSKUs)],
		Title: "soak", Quantity: 1, UnitPrice: decimal.MustParse("19.90")})
	body, _ := json.Marshal(o)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, control+"/shopify/orders?webhook="+url.QueryEscape(front), bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("placing order %d: %v", i, err)
	}
	defer resp.Body.Close()
	var answer struct{ ID int64 }
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.ID == 0 {
		t.Fatalf("placing order %d: %d %v", i, resp.StatusCode, err)
	}
	return "shopify-" + strconv.FormatInt(answer.ID, 10)
}

// holdings is what examples/sandboxes answers on GET /counts.
type holdings struct {
	flowtest.Counts
	Deliveries, DroppedWebhooks int
	Requests                    map[string]int
	ShopThrottled               int
	ShopPoints                  float64
}

func counts(t testing.TB, ctx context.Context, control string) holdings {
	var h holdings
	getJSON(t, ctx, control+"/counts", &h)
	return h
}

func emails(t *testing.T, ctx context.Context, control string) []flowtest.Received {
	var out []flowtest.Received
	getJSON(t, ctx, control+"/emails", &out)
	return out
}

func getJSON(t testing.TB, ctx context.Context, u string, v any) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// startFront is the webhook endpoint the shop delivers to: it forwards
// each delivery to a worker, taking turns, and to the other one when the
// first is down; with both down it answers 502, and reconciliation finds
// the order later, as it would behind a real load balancer.
func startFront(t *testing.T, ports []int) string {
	var turn atomic.Int64
	client := &http.Client{Timeout: 10 * time.Second}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		first := int(turn.Add(1))
		for k := range len(ports) {
			p := ports[(first+k)%len(ports)]
			req, _ := http.NewRequestWithContext(r.Context(), r.Method, "http://127.0.0.1:"+strconv.Itoa(p)+"/webhooks/shopify/orders-create", bytes.NewReader(body))
			req.Header = r.Header.Clone()
			resp, err := client.Do(req)
			if err != nil {
				continue
			}
			defer resp.Body.Close()
			if resp.StatusCode >= 500 {
				continue
			}
			w.WriteHeader(resp.StatusCode)
			io.Copy(w, resp.Body)
			return
		}
		http.Error(w, "no worker answered", http.StatusBadGateway)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func freePorts(t *testing.T, n int) []int {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
	}
	return ports
}

// waitForPort waits for p to listen on port, and fails with the
// processes' logs if p exits first.
func (ps *processes) waitForPort(ctx context.Context, p *process, port int) {
	for {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			c.Close()
			return
		}
		select {
		case <-p.exited:
			ps.showLogs()
			ps.t.Fatalf("%s exited before it listened on %d: %v", p.name, port, p.cmd.ProcessState)
		case <-ctx.Done():
			ps.showLogs()
			ps.t.Fatalf("nothing listens on %d", port)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func waitForVariables(t testing.TB, ctx context.Context, file string) map[string]string {
	for {
		if f, err := os.Open(file); err == nil {
			defer f.Close()
			vars := map[string]string{}
			for sc := bufio.NewScanner(f); sc.Scan(); {
				if k, v, ok := strings.Cut(sc.Text(), "="); ok {
					vars[k] = v
				}
			}
			return vars
		}
		select {
		case <-ctx.Done():
			t.Fatal("the sandboxes wrote no variables")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// processes are the programs the soak started; stopAll ends those still
// running.
type processes struct {
	t    testing.TB
	dir  string
	mu   sync.Mutex
	list []*process
}

type process struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan struct{}
}

func (ps *processes) start(name string, env []string, path string, args ...string) *process {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	logPath := filepath.Join(ps.dir, fmt.Sprintf("%s-%d.log", name, len(ps.list)))
	f, err := os.Create(logPath)
	if err != nil {
		ps.t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		ps.t.Fatalf("starting %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.exited) }()
	ps.list = append(ps.list, p)
	return p
}

func (p *process) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

func (ps *processes) stopAll() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, p := range ps.list {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range ps.list {
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Signal(syscall.SIGKILL)
			<-p.exited
		}
	}
}

// logs are the log files of every process started.
func (ps *processes) logs() []string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	var out []string
	for _, p := range ps.list {
		out = append(out, p.log)
	}
	return out
}

func (ps *processes) showLogs() {
	for _, p := range ps.list {
		data, _ := os.ReadFile(p.log)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		ps.t.Logf("---- %s, last lines:\n%s", p.name, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
}

// soakSKUs are the products the soak's orders buy, one unit each.
var soakSKUs = []string{"TEE-BLK-M", "TEE-WHT-L", "MUG-001", "CABLE-3M"}

// stockUp sets every product the soak sells to enough for all its
// orders, through the shop's API as a merchant receiving goods would: the
// shop's checkout takes each order's stock, and the soak is not about
// running out.
func stockUp(t testing.TB, ctx context.Context, vars map[string]string, orders int) {
	t.Helper()
	shop, err := shopify.New(shopify.Config{BaseURL: vars["PATCHBAY_SHOPIFY_URL"], Auth: shopify.AccessToken(vars["PATCHBAY_SHOPIFY_TOKEN"])})
	if err != nil {
		t.Fatal(err)
	}
	for _, sku := range soakSKUs {
		it, err := shop.Items.GetBySKU(ctx, sku)
		if err != nil {
			t.Fatalf("stocking %s: %v", sku, err)
		}
		if err := shop.Stock.Set(ctx, []inventory.Quantity{{ItemID: it.ID, LocationID: vars["PATCHBAY_SHOPIFY_LOCATION_ID"],
			Quantity: orders + 100, Reason: "received"}}); err != nil {
			t.Fatalf("stocking %s: %v", sku, err)
		}
	}
}

// twiceBought finds the orders the carrier sold two labels, and shows
// what every worker logged of them.
func twiceBought(t *testing.T, ctx context.Context, vars map[string]string, logs []string) {
	byKey := map[string][]string{}
	next := vars["PATCHBAY_SHIPPO_URL"] + "/transactions?results=100"
	for next != "" {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
		req.Header.Set("Authorization", "ShippoToken "+vars["PATCHBAY_SHIPPO_TOKEN"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Logf("listing the labels: %v", err)
			return
		}
		var page struct {
			Next    *string
			Results []struct {
				ObjectID      string `json:"object_id"`
				Metadata      string `json:"metadata"`
				Status        string `json:"status"`
				ObjectCreated string `json:"object_created"`
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			t.Logf("listing the labels: %v", err)
			return
		}
		for _, tr := range page.Results {
			byKey[tr.Metadata] = append(byKey[tr.Metadata], tr.ObjectID+" "+tr.Status+" "+tr.ObjectCreated)
		}
		next = ""
		if page.Next != nil {
			next = *page.Next
		}
	}
	for key, ts := range byKey {
		if len(ts) > 1 {
			t.Logf("labels under %q: %v", key, ts)
		}
	}
	_ = logs
}
