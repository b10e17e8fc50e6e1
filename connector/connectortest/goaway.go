package connectortest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// GoAwayServer is an HTTP/2 (TLS) server on 127.0.0.1 whose first
// connection reads one whole request and then answers it with GOAWAY
// (last stream 0: "I processed nothing") and closes. Later connections are
// served by handler. A correct client replays the request on a new
// connection, whatever its method, since the server said it did nothing.
type GoAwayServer struct {
	URL string

	ln       net.Listener
	handler  http.Handler
	pool     *x509.CertPool
	conns    atomic.Int32
	goaways  atomic.Int32
	wg       sync.WaitGroup
	closeMu  sync.Mutex
	closed   bool
	accepted []net.Conn
}

// NewGoAwayServer starts the server; it is closed when the test ends.
func NewGoAwayServer(t testing.TB, handler http.Handler) *GoAwayServer {
	t.Helper()
	cert, pool := selfSigned(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{http2.NextProtoTLS},
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &GoAwayServer{URL: "https://" + ln.Addr().String(), ln: ln, handler: handler, pool: pool}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// Client returns an HTTP/2 client that trusts the server's certificate.
func (s *GoAwayServer) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}}
}

// Conns counts the connections accepted; GoAways the requests refused.
func (s *GoAwayServer) Conns() int   { return int(s.conns.Load()) }
func (s *GoAwayServer) GoAways() int { return int(s.goaways.Load()) }

// Close stops the server and every connection.
func (s *GoAwayServer) Close() {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return
	}
	s.closed = true
	s.ln.Close()
	for _, c := range s.accepted {
		c.Close()
	}
	s.closeMu.Unlock()
	s.wg.Wait()
}

func (s *GoAwayServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.closeMu.Lock()
		if s.closed {
			s.closeMu.Unlock()
			c.Close()
			return
		}
		s.accepted = append(s.accepted, c)
		s.closeMu.Unlock()
		n := s.conns.Add(1)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			if n == 1 {
				s.goAway(c)
				return
			}
			// ServeConn checks the negotiated TLS version: finish the
			// handshake first.
			if tc, ok := c.(*tls.Conn); ok {
				if err := tc.Handshake(); err != nil {
					return
				}
			}
			srv := &http2.Server{IdleTimeout: 5 * time.Second}
			srv.ServeConn(c, &http2.ServeConnOpts{Handler: s.handler})
		}()
	}
}

// goAway reads the client preface and one whole request, then refuses it.
func (s *GoAwayServer) goAway(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil {
		return
	}
	fr := http2.NewFramer(c, c)
	if err := fr.WriteSettings(); err != nil {
		return
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				_ = fr.WriteSettingsAck()
			}
		case *http2.HeadersFrame:
			if f.StreamEnded() {
				s.refuse(fr)
				return
			}
		case *http2.DataFrame:
			if f.StreamEnded() {
				s.refuse(fr)
				return
			}
		}
	}
}

func (s *GoAwayServer) refuse(fr *http2.Framer) {
	s.goaways.Add(1)
	_ = fr.WriteGoAway(0, http2.ErrCodeNo, nil)
}

// selfSigned makes a throwaway certificate for 127.0.0.1.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "connectortest"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
