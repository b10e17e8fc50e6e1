package connector

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// newTransport returns the tuned base transport: TLS 1.2 at least, HTTP/2,
// enough idle connections per host for a busy sync, and a bound on how long
// a vendor may take to start answering. Clients share one connection pool
// when they are given the same transport; clients made without one share
// the process-wide pool of SharedTransport.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// SharedTransport is the one tuned pool (TLS 1.2+, HTTP/2, 64 idle
// connections a host) that clients built without WithHTTPClient share.
func SharedTransport() *http.Transport { return sharedTransport() }

var sharedTransport = sync.OnceValue(newTransport)

// redirectPolicy is the http.Client CheckRedirect of every client. net/http
// drops Authorization and Cookie when a redirect leaves the host, but copies
// every other header; custom credential headers (X-Shopify-Access-Token,
// API-Key) must be dropped by us.
func redirectPolicy(sensitive []string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		if req.URL.Host != via[0].URL.Host {
			for _, h := range sensitive {
				req.Header.Del(h)
			}
		}
		return nil
	}
}

// cappedBody fails a read past limit bytes instead of filling memory with a
// vendor's runaway response.
type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One more byte would be past the cap: find out if there is one.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, errBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// errBodyTooLarge is returned by reads past the client's body cap.
var errBodyTooLarge = &invalidResponseError{msg: "response body exceeds the size cap"}

type invalidResponseError struct{ msg string }

func (e *invalidResponseError) Error() string { return e.msg }
func (e *invalidResponseError) Unwrap() error { return ErrInvalidResponse }
