package shippo

import (
	"net/http/httptest"
	"testing"
)

// Each endpoint and verb is a route of its own, at Shippo's figures.
func TestLimitFor(t *testing.T) {
	for _, tt := range []struct {
		method, path string
		live         bool
		route        string
		perMinute    float64
	}{
		{"POST", "/transactions/", true, "transactions:write", 500},
		{"POST", "/transactions/", false, "transactions:write", 50},
		{"GET", "/transactions/", true, "transactions:list", 50},
		{"GET", "/transactions/", false, "transactions:list", 5},
		{"GET", "/transactions/abc123", true, "transactions:get", 4000},
		{"POST", "/shipments/", false, "shipments:write", 50},
		{"GET", "/tracks/shippo/SHIPPO_TRANSIT", true, "tracks:any", 500},
		{"POST", "/batches/", true, "batches:write", 50},
		{"GET", "/batches/b1", false, "batches:get", 40},
	} {
		// Behind a proxy's prefix, the same routes.
		if route, _ := limitFor(tt.live, "/shippo/")(httptest.NewRequest(tt.method, "/shippo"+tt.path, nil)); route != tt.route {
			t.Errorf("/shippo%s: route %q, want %q", tt.path, route, tt.route)
		}
		route, l := limitFor(tt.live, "")(httptest.NewRequest(tt.method, tt.path, nil))
		if route != tt.route {
			t.Errorf("%s %s: route %q, want %q", tt.method, tt.path, route, tt.route)
		}
		// No minute may hold more than the figure.
		if most := l.Burst + l.PerSecond*60; most > tt.perMinute || most < tt.perMinute*0.8 {
			t.Errorf("%s %s (live %v): %v lets %.0f a minute, want at most %v (and near it)", tt.method, tt.path, tt.live, l, most, tt.perMinute)
		}
	}
}
