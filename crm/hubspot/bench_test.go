package hubspot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
)

// BenchmarkListContacts lists 100,000 contacts from the sandbox through the
// iterator: 1,000 pages of 100. It reports ns and allocations per record,
// and the peak growth of the live heap while listing (sampled after a GC
// every 10,000 records). The sandbox runs in the same process, so the time
// includes its JSON encoding and the loopback HTTP of each page.
func BenchmarkListContacts(b *testing.B) {
	const n = 100_000
	srv := hubspottest.NewServer()
	defer srv.Close()
	srv.SeedContacts(n)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client, err := hubspot.New(hubspot.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
		connector.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var peak uint64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var ms runtime.MemStats
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		b.StartTimer()
		count := 0
		for _, err := range client.Contacts.List(ctx, crm.ListOptions{}) {
			if err != nil {
				b.Fatal(err)
			}
			count++
			if count%10_000 == 0 {
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > base && ms.HeapAlloc-base > peak {
					peak = ms.HeapAlloc - base
				}
				b.StartTimer()
			}
		}
		if count != n {
			b.Fatalf("listed %d, want %d", count, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/record")
	b.ReportMetric(float64(peak), "peak-live-heap-B")
}

// BenchmarkListContactsClientOnly is the connector's own cost per record:
// the same 100-record page (as HubSpot sends it) served from memory, 1,000
// times, so sandbox work is out of the measurement.
func BenchmarkListContactsClientOnly(b *testing.B) {
	srv := hubspottest.NewServer()
	srv.SeedContacts(100)
	page := fetchRaw(b, srv, "/crm/v3/objects/contacts?limit=100&properties=email,firstname,lastname,phone,company,address,city,state,zip,country,createdate,lastmodifieddate")
	srv.Close()
	const pages = 1000
	client, err := hubspot.New(hubspot.Config{BaseURL: "https://api.hubapi.com", Auth: connector.Bearer("bench-token")},
		connector.WithHTTPClient(&http.Client{Transport: cannedPages{body: page, pages: pages}}))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range client.Contacts.List(context.Background(), crm.ListOptions{}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 100*pages {
			b.Fatalf("listed %d", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(100*pages), "ns/record")
}

func fetchRaw(b *testing.B, srv *hubspottest.Server, path string) []byte {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client, err := hubspot.New(hubspot.Config{BaseURL: srv.URL(), Auth: srv.Auth()}, connector.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req, err := client.NewRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := client.Do(ctx, req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	// Drop the sandbox's paging: the canned transport adds its own.
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		b.Fatal(err)
	}
	delete(p, "paging")
	out, _ := json.Marshal(p)
	return out
}

// cannedPages answers every list request with the same page, and a next
// cursor until pages have been served.
type cannedPages struct {
	body  []byte
	pages int
}

func (c cannedPages) RoundTrip(req *http.Request) (*http.Response, error) {
	n, _ := strconv.Atoi(req.URL.Query().Get("after"))
	body := c.body
	if n+1 < c.pages {
		body = append(bytes.Clone(c.body[:len(c.body)-1]), `,"paging":{"next":{"after":"`+strconv.Itoa(n+1)+`"}}}`...)
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}
