package oauth_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
)

// Connect an account once (authorization code with PKCE), then call the
// API with tokens that refresh and rotate on their own.
func ExampleSource() {
	t := &exampleT{}
	defer t.cleanup()
	provider := connectortest.NewOAuthServer(t) // stands in for Xero's identity server
	api := connectortest.NewServer(t, connectortest.Fault{Handler: provider.Protect(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"Invoices":[]}`)) })).ServeHTTP})

	dir, _ := os.MkdirTemp("", "tokens")
	defer os.RemoveAll(dir)
	src, err := oauth.NewSource(oauth.Config{
		OAuth2: provider.Config(oauth2.AuthStyleInHeader), // the style the vendor documents
		Store:  oauth.NewFileStore(filepath.Join(dir, "xero.json")),
	})
	if err != nil {
		panic(err)
	}

	// 1. Send the user to authURL; the provider redirects back with a code.
	state := oauth.NewState()
	authURL, verifier := src.AuthCodeURL(state, oauth2.AccessTypeOffline)
	code, returnedState, _ := provider.Consent(authURL)
	if err := oauth.CheckState(state, returnedState); err != nil {
		panic(err)
	}
	// 2. Exchange the code; the token is saved before it is used.
	if _, err := src.Exchange(context.Background(), code, verifier); err != nil {
		panic(err)
	}
	// 3. Every call takes a fresh token from the source.
	client, _ := connector.New(connector.Vendor{Name: "xero", BaseURL: api.URL, Auth: connector.OAuth2(src)})
	var out struct{ Invoices []any }
	err = client.JSON(context.Background(), http.MethodGet, "/api.xro/2.0/Invoices", nil, &out)
	fmt.Println(err, len(out.Invoices))
	// Output: <nil> 0
}

// exampleT lets an Example use connectortest's servers, which want a
// testing.TB for cleanup.
type exampleT struct {
	testing.TB // nil: only the methods below are used
	cleanups   []func()
}

func (e *exampleT) Cleanup(f func())  { e.cleanups = append(e.cleanups, f) }
func (e *exampleT) Helper()           {}
func (e *exampleT) Fatal(args ...any) { panic(fmt.Sprint(args...)) }
func (e *exampleT) cleanup() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	connector.SharedTransport().CloseIdleConnections()
}
