package connector_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

const sentinel = "SENTINEL-s3cr3t-7f3a9c"

// Scenario 16: the vendor redirects to another host. The second host gets
// the request but no credential, neither Authorization nor a custom auth
// header. A redirect on the same host keeps them.
func TestCrossHostRedirectDropsCredentials(t *testing.T) {
	auths := map[string]connector.Auth{
		"api key header": connector.APIKey("X-Shopify-Access-Token", sentinel),
		"bearer":         connector.Bearer(sentinel),
		"basic":          connector.Basic("user", sentinel),
	}
	for name, auth := range auths {
		t.Run(name, func(t *testing.T) {
			other := connectortest.NewServer(t)
			vendor := connectortest.NewServer(t,
				connectortest.Fault{RedirectTo: "/moved"},               // same host
				connectortest.Fault{RedirectTo: other.URL + "/landing"}) // another host
			c := newVendorClient(t, connector.Vendor{BaseURL: vendor.URL, Auth: auth}, vendor.Client())

			req, _ := c.NewRequest(context.Background(), http.MethodGet, "/start", nil)
			resp, err := c.Do(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()

			vreqs := vendor.Requests()
			if len(vreqs) != 2 || !carries(vreqs[0].Header, sentinel) || !carries(vreqs[1].Header, sentinel) {
				t.Fatalf("the vendor's own host must get the credential on both hops: %+v", vreqs)
			}
			oreqs := other.Requests()
			if len(oreqs) != 1 {
				t.Fatalf("other host got %d requests, want 1", len(oreqs))
			}
			if carries(oreqs[0].Header, sentinel) {
				t.Fatalf("a credential reached the other host: %v", oreqs[0].Header)
			}
		})
	}
}

// carries reports whether any header value holds the secret, plainly or in
// Basic's base64 form.
func carries(h http.Header, secret string) bool {
	b64 := base64.StdEncoding.EncodeToString([]byte("user:" + secret))
	for _, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, secret) || strings.Contains(v, b64) {
				return true
			}
		}
	}
	return false
}
