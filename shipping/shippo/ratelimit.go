package shippo

import (
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Shippo meters each endpoint and verb on its own, per minute, about ten
// times lower in test mode, and sends no rate-limit headers: clients
// sharing an account's budget (connector.WithSharedBudget) draw on one
// budget per endpoint and verb, at these figures.
// https://docs.goshippo.com/docs/api_concepts/ratelimits/
//
// The table has two versions in Shippo's own pages (test mode's list
// limit 5 or 10 a minute, tracking's POST 500 or 750): the lower is kept.
type perMinute struct{ live, test float64 }

var (
	writes    = perMinute{500, 50}   // POST and PUT
	getOne    = perMinute{4000, 400} // GET /endpoint/:object_id
	getList   = perMinute{50, 5}     // GET /endpoint/
	batchPost = perMinute{50, 5}
	batchGet  = perMinute{400, 40}
	tracking  = perMinute{500, 50}
)

// limitFor is the connector's Vendor.LimitFor: the route is the endpoint
// and the verb class. basePath is the base URL's path (a proxy's prefix),
// not part of the endpoint.
func limitFor(live bool, basePath string) func(*http.Request) (string, connector.Limit) {
	basePath = strings.TrimSuffix(basePath, "/")
	return func(r *http.Request) (string, connector.Limit) {
		parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, basePath), "/"), "/")
		endpoint, one := parts[0], len(parts) > 1
		var class string
		var pm perMinute
		switch {
		case endpoint == "tracks":
			class, pm = "any", tracking
		case r.Method == http.MethodGet && endpoint == "batches" && one:
			class, pm = "get", batchGet
		case endpoint == "batches" && r.Method != http.MethodGet:
			class, pm = "write", batchPost
		case r.Method == http.MethodGet && one:
			class, pm = "get", getOne
		case r.Method == http.MethodGet:
			class, pm = "list", getList
		default:
			class, pm = "write", writes
		}
		n := pm.test
		if live {
			n = pm.live
		}
		return endpoint + ":" + class, connector.Within(n, time.Minute)
	}
}
