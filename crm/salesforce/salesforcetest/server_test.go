package salesforcetest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func call(t *testing.T, srv *salesforcetest.Server, token, method, path, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// SOQL the sandbox cannot parse is MALFORMED_QUERY; an unknown column
// INVALID_FIELD; a wrong session INVALID_SESSION_ID, uncounted.
func TestSandboxErrors(t *testing.T) {
	srv := salesforcetest.NewServer()
	defer srv.Close()
	tok := sessionOf(t, srv)
	resp, body := call(t, srv, tok, "GET", "/services/data/v62.0/query?q="+url.QueryEscape("SELEKT Id FROM Contact"), "")
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, `"errorCode":"MALFORMED_QUERY"`)
	resp, body = call(t, srv, tok, "GET", "/services/data/v62.0/query?q="+url.QueryEscape("SELECT Nope__c FROM Contact"), "")
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, `"errorCode":"INVALID_FIELD"`)
	assert.Equal(t, "api-usage=2/15000", resp.Header.Get("Sforce-Limit-Info"))
	resp, body = call(t, srv, "wrong", "GET", "/services/data/v62.0/query?q=x", "")
	assert.Equal(t, 401, resp.StatusCode)
	assert.JSONEq(t, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID","fields":[]}]`, body)
	used, _ := srv.APIUsage()
	assert.Equal(t, 2, used)
	resp, _ = call(t, srv, tok, "GET", "/services/data/v61.0/query?q=x", "")
	assert.Equal(t, 404, resp.StatusCode, "another version")
}

// A composite is one API call, and allOrNone rolls back.
func TestSandboxComposite(t *testing.T) {
	srv := salesforcetest.NewServer()
	defer srv.Close()
	tok := sessionOf(t, srv)
	body := `{"allOrNone":true,"compositeRequest":[
	 {"method":"POST","url":"/services/data/v62.0/sobjects/Account","referenceId":"a","body":{"Name":"A"}},
	 {"method":"POST","url":"/services/data/v62.0/sobjects/Contact","referenceId":"c","body":{"LastName":"L","AccountId":"@{a.id}"}}]}`
	resp, out := call(t, srv, tok, "POST", "/services/data/v62.0/composite", body)
	require.Equal(t, 200, resp.StatusCode, out)
	assert.Equal(t, "api-usage=1/15000", resp.Header.Get("Sforce-Limit-Info"))
	assert.Equal(t, 1, srv.Count("Contact"))
	bad := strings.Replace(body, `"LastName":"L",`, ``, 1)
	resp, out = call(t, srv, tok, "POST", "/services/data/v62.0/composite", bad)
	require.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, out, "PROCESSING_HALTED")
	assert.Contains(t, out, "REQUIRED_FIELD_MISSING")
	assert.Equal(t, 1, srv.Count("Account"), "the first account stays, the second was rolled back")
}

func sessionOf(t *testing.T, srv *salesforcetest.Server) string { return srv.SessionID() }
