package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-resty/resty/v2"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/patchbay-go/patchbay/connector"
)

const (
	token = "bench-token-0123456789"
	body  = `{"id":"123","email":"ada@example.com","properties":{"firstname":"Ada","lastname":"Lovelace"}}`
)

// caller makes one authenticated GET and reads the whole body.
type caller func(ctx context.Context, url string) error

// clients builds each contender on the given base transport, so that every
// one of them shares the same connection handling and only the library's
// own cost differs.
func clients(b *testing.B, base http.RoundTripper, baseURL string) map[string]caller {
	raw := &http.Client{Transport: base}

	rh := retryablehttp.NewClient()
	rh.HTTPClient = &http.Client{Transport: base}
	rh.Logger = nil // its default logger writes a line per request to stderr

	rs := resty.New().SetTransport(base).SetAuthToken(token)

	vendor := connector.Vendor{Name: "bench", BaseURL: baseURL, Auth: connector.Bearer(token)}
	pb, err := connector.New(vendor, connector.WithHTTPClient(&http.Client{Transport: base}))
	if err != nil {
		b.Fatal(err)
	}

	pbNoTimeout, err := connector.New(vendor, connector.WithHTTPClient(&http.Client{Transport: base}), connector.WithAttemptTimeout(0))
	if err != nil {
		b.Fatal(err)
	}
	pbDo := func(c *connector.Client) caller {
		return func(ctx context.Context, url string) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			resp, err := c.Do(ctx, req)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return err
		}
	}

	return map[string]caller{
		"nethttp": func(ctx context.Context, url string) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := raw.Do(req)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return err
		},
		"retryablehttp": func(ctx context.Context, url string) error {
			req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := rh.Do(req)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return err
		},
		"resty": func(ctx context.Context, url string) error {
			_, err := rs.R().SetContext(ctx).Get(url)
			return err
		},
		"patchbay":           pbDo(pb),
		"patchbay-notimeout": pbDo(pbNoTimeout),
	}
}

var order = []string{"nethttp", "retryablehttp", "resty", "patchbay", "patchbay-notimeout"}

// BenchmarkLoopback: a full call to an in-process server on 127.0.0.1.
// This is the per-call cost an application sees, server work included.
func BenchmarkLoopback(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	run(b, clients(b, tr, srv.URL), srv.URL+"/crm/v3/objects/contacts/123")
}

// BenchmarkStackOnly: the same calls over an in-memory transport that
// answers at once, so that only the client libraries' own cost is left.
func BenchmarkStackOnly(b *testing.B) {
	base := "https://api.vendor.test"
	run(b, clients(b, memoryTransport{}, base), base+"/crm/v3/objects/contacts/123")
}

func run(b *testing.B, cs map[string]caller, url string) {
	for _, name := range order {
		call := cs[name]
		b.Run("client="+name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := call(ctx, url); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// memoryTransport answers every request with the same small JSON body.
type memoryTransport struct{}

func (memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}
