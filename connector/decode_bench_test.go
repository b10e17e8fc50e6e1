package connector_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// A hostile vendor streams a JSON array with no end and no
// Content-Length. The client refuses it at the body cap (32 MiB by
// default); peak-heap-MiB is the most live heap seen while it does, which
// should stay near the cap, not a multiple of it.
//
//	go test -run '^$' -bench HostileBody -benchmem -count 5 ./connector
func BenchmarkHostileBody(b *testing.B) {
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = "1,"[i%2]
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("["))
		for range (1 << 30) / len(chunk) { // 1 GiB, unless the client hangs up first
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, err := connector.New(connector.Vendor{Name: "hostile", BaseURL: srv.URL}, connector.WithHTTPClient(&http.Client{Transport: tr}),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		b.Fatal(err)
	}

	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // sample the live heap
		defer close(done)
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
		}
	}()
	b.ResetTimer()
	for range b.N {
		var v []int
		err := c.JSON(context.Background(), http.MethodGet, "/big", nil, &v)
		if !errors.Is(err, connector.ErrInvalidResponse) {
			b.Fatalf("err = %v, want the body refused at the cap", err)
		}
	}
	b.StopTimer()
	close(stop)
	<-done
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}
