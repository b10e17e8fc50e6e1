package connectortest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Sandbox is what every vendor sandbox (hubspottest, stripetest, ...) is
// built on, and what an outside connector package builds its own on: a
// server on 127.0.0.1, the fault switches, the clock. A vendor's Server
// embeds it, so that every sandbox has the same URL, Close, Throttle,
// FailNext, Now and Advance, and serves its vendor's routes with Start.
type Sandbox struct {
	Faults // Throttle, FailNext; the vendor's handlers take them with NextThrottled, NextFailure
	Clock  // Now, Advance

	srv *httptest.Server
}

// Start serves h on 127.0.0.1.
func (s *Sandbox) Start(h http.Handler) { s.srv = httptest.NewServer(h) }

// URL is the sandbox's base URL: what a vendor package's Config.BaseURL
// takes.
func (s *Sandbox) URL() string { return s.srv.URL }

// Close stops the sandbox and drops its connections.
func (s *Sandbox) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// PostWebhook posts a webhook delivery to url with the given headers, the
// way a vendor does, and returns the status the receiver answered. Each
// sandbox's SendWebhook signs the body its vendor's way and calls it.
func PostWebhook(ctx context.Context, url string, body []byte, header http.Header) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := webhookClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// SendWebhook delivers body to url as a vendor does: prepare sets the
// vendor's headers and signature on the request (it may change the URL,
// for a token in the query), and the receiver's status comes back. Each
// sandbox's SendWebhook is this with its vendor's SignWebhook.
func SendWebhook(ctx context.Context, url string, body []byte, prepare func(r *http.Request)) (int, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return 0, err
	}
	prepare(r)
	return PostWebhook(ctx, r.URL.String(), body, r.Header)
}

// webhookClient sends sandboxes' webhooks; vendors give a receiver 10 to
// 30 seconds.
var webhookClient = &http.Client{Timeout: 20 * time.Second}

// WriteJSON writes v as the answer, with the vendor's content type. HTML
// characters are not escaped: vendors send "&" and "<" as they are.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// RandomHex returns n random bytes as hex.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// UUID returns a random (version 4) UUID.
func UUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// TestClient is an *http.Client with a connection pool of its own, closed
// when t ends, for a vendor client under test: connector.WithHTTPClient
// takes it. wrap, when given, goes around the pool: a conformance check
// that validates every request and answer against the vendor's spec.
func TestClient(t testing.TB, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	var base http.RoundTripper = tr
	if wrap != nil {
		base = wrap(tr)
	}
	return &http.Client{Transport: base}
}
