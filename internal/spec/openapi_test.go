package spec_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/internal/spec"
)

// reports collects what the harness reports, to test the harness itself.
type reports struct {
	mu   sync.Mutex
	msgs []string
}

func (r *reports) Helper() {}
func (r *reports) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// xeroIdentityExceptions are the known differences between Xero's identity
// spec and its live API.
var xeroIdentityExceptions = []spec.Exception{{
	Operation: "getConnections",
	Contains:  `createdDateUtc": string doesn't match the format "date-time"`,
	Why: "Xero sends createdDateUtc/updatedDateUtc without a zone (its own example: " +
		"2019-12-07T18:46:19.5165400), which the spec's format: date-time (RFC 3339) rejects",
}, {
	Operation: "getConnections",
	Contains:  `updatedDateUtc": string doesn't match the format "date-time"`,
	Why:       "as above",
}}

const connection = `{"id":"7cb59f93-2964-421d-bb5e-a0f7a4572a44","authEventId":"d99ecdfe-391d-43d2-b834-17636ba90e8d",` +
	`"tenantId":%s,"tenantType":"ORGANISATION","tenantName":"Demo Company (NZ)",` +
	`"createdDateUtc":"2019-12-07T18:46:19.5165400","updatedDateUtc":"2019-12-07T18:46:19.5187840"}`

// The harness, proved on Xero's identity spec: a conforming exchange passes,
// and each kind of violation is reported.
func TestConformanceXeroIdentity(t *testing.T) {
	doc := spec.LoadOpenAPI(t, "xero/xero-identity.yaml", xeroIdentityExceptions...)
	goodTenant := `"fe79f7dd-b6d4-4a92-ba7b-538af6289c58"`

	tests := []struct {
		name   string
		path   string
		auth   bool
		body   string
		status int
		want   string // "" for no report
	}{
		{"conforming", "/Connections", true, "[" + fmt.Sprintf(connection, goodTenant) + "]", 200, ""},
		{"with query", "/Connections?authEventId=d99ecdfe-391d-43d2-b834-17636ba90e8d", true, "[]", 200, ""},
		{"response field of the wrong type", "/Connections", true, "[" + fmt.Sprintf(connection, "42") + "]", 200, `tenantId": value must be a string`},
		{"response of the wrong shape", "/Connections", true, `{"connections":[]}`, 200, "response does not match"},
		{"undocumented status", "/Connections", true, `{}`, 418, "status is not supported"},
		{"no credentials", "/Connections", false, "[]", 200, "OAuth2"},
		{"bad query parameter", "/Connections?authEventId=not-a-uuid", true, "[]", 200, "authEventId"},
		{"undocumented path", "/Tenants", true, "[]", 200, "no operation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := connectortest.NewServer(t, connectortest.Fault{Status: tt.status, Body: tt.body})
			rep := &reports{}
			v := connector.Vendor{Name: "xero", BaseURL: srv.URL}
			if tt.auth {
				v.Auth = connector.Bearer("xero-access-token")
			}
			c, err := connector.New(v,
				connector.WithHTTPClient(&http.Client{Transport: doc.Transport(rep, srv.Client().Transport)}),
				connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
			if err != nil {
				t.Fatal(err)
			}
			_ = c.JSON(context.Background(), http.MethodGet, tt.path, nil, nil)

			switch {
			case tt.want == "" && len(rep.msgs) > 0:
				t.Fatalf("conforming exchange reported: %q", rep.msgs)
			case tt.want != "" && (len(rep.msgs) == 0 || !strings.Contains(strings.Join(rep.msgs, "\n"), tt.want)):
				t.Fatalf("reports = %q, want one mentioning %q", rep.msgs, tt.want)
			}
		})
	}
}

// Without its exception, the date-time defect is reported: the exception
// list excuses one defect, it does not switch validation off.
func TestConformanceExceptionIsNarrow(t *testing.T) {
	doc := spec.LoadOpenAPI(t, "xero/xero-identity.yaml") // no exceptions
	srv := connectortest.NewServer(t, connectortest.Fault{Body: "[" + fmt.Sprintf(connection, `"fe79f7dd-b6d4-4a92-ba7b-538af6289c58"`) + "]"})
	rep := &reports{}
	c, err := connector.New(connector.Vendor{Name: "xero", BaseURL: srv.URL, Auth: connector.Bearer("xero-access-token")},
		connector.WithHTTPClient(&http.Client{Transport: doc.Transport(rep, srv.Client().Transport)}))
	if err != nil {
		t.Fatal(err)
	}
	_ = c.JSON(context.Background(), http.MethodGet, "/Connections", nil, nil)
	if len(rep.msgs) == 0 || !strings.Contains(rep.msgs[0], "createdDateUtc") {
		t.Fatalf("reports = %q, want the zone-less date reported", rep.msgs)
	}
}
