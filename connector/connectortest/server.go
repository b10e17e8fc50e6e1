// Package connectortest helps test code that talks to vendors: a scriptable
// server that misbehaves on cue (status sequences, Retry-After, resets,
// hangs, trickles, redirects, HTTP/2 GOAWAY) and records what it received.
// Every server listens on 127.0.0.1 only and is closed by t.Cleanup.
package connectortest

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Fault is what the server does with one request. The zero Fault answers
// 200 with an empty JSON object.
type Fault struct {
	Status     int         // answer status; 0 means 200
	Header     http.Header // extra answer headers
	Body       string      // answer body; "" means "{}" for 2xx
	RetryAfter string      // sets Retry-After when not empty

	// Reset reads the whole request, then drops the connection without
	// answering (TCP RST): the request arrived, its answer is lost.
	Reset bool
	// Hang reads the request and never answers, until the client gives up
	// or the server is closed.
	Hang bool
	// Trickle sends the status and headers, then one byte every Trickle,
	// endlessly, until the client gives up.
	Trickle time.Duration
	// RedirectTo answers with a redirect to this URL (Status, or 302).
	RedirectTo string
	// Handler, if set, answers instead of everything above.
	Handler http.HandlerFunc
}

// Request is what the server recorded of one request.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	At     time.Time
}

// Server is a scripted HTTP/1.1 server on 127.0.0.1. It answers the n-th
// request with the n-th Fault of its script; once the script runs out, the
// last Fault repeats.
type Server struct {
	URL string

	srv     *httptest.Server
	closing chan struct{}

	mu       sync.Mutex
	script   []Fault
	requests []Request
	record   bool
}

// NewServer starts a server that plays script. It is closed when the test
// ends.
func NewServer(t testing.TB, script ...Fault) *Server {
	t.Helper()
	s := &Server{script: script, closing: make(chan struct{}), record: true}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing hanging requests first.
func (s *Server) Close() {
	select {
	case <-s.closing:
		return
	default:
	}
	close(s.closing)
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Client returns an *http.Client with its own connection pool, so that a
// test's connections are its own and close with it.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// SetScript replaces the script and restarts it.
func (s *Server) SetScript(script ...Fault) {
	s.mu.Lock()
	s.script = script
	s.requests = nil
	s.mu.Unlock()
}

// StopRecording stops keeping request bodies and headers, for load tests
// where only Hits matters.
func (s *Server) StopRecording() {
	s.mu.Lock()
	s.record = false
	s.mu.Unlock()
}

// Hits counts the requests the server received.
func (s *Server) Hits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Requests returns a copy of what the server recorded.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.requests)
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, At: time.Now()}
	if s.record {
		rec.Header, rec.Body = r.Header.Clone(), body
	}
	s.requests = append(s.requests, rec)
	var f Fault
	if len(s.script) > 0 {
		f = s.script[min(n, len(s.script)-1)]
	}
	s.mu.Unlock()

	r.Body = io.NopCloser(bytes.NewReader(body))
	s.play(f, w, r)
}

func (s *Server) play(f Fault, w http.ResponseWriter, r *http.Request) {
	switch {
	case f.Handler != nil:
		f.Handler(w, r)
		return
	case f.Reset:
		Reset(w)
		return
	case f.Hang:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	case f.RedirectTo != "":
		http.Redirect(w, r, f.RedirectTo, cmpOr(f.Status, http.StatusFound))
		return
	}
	for k, v := range f.Header {
		w.Header()[k] = v
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	status := cmpOr(f.Status, http.StatusOK)
	body := f.Body
	if body == "" && status < 300 {
		body = "{}"
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if f.Trickle > 0 {
		s.trickle(w, r, status, f.Trickle)
		return
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (s *Server) trickle(w http.ResponseWriter, r *http.Request, status int, every time.Duration) {
	w.WriteHeader(status)
	flusher, _ := w.(http.Flusher)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if _, err := w.Write([]byte(" ")); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case <-tick.C:
		}
	}
}

// Reset drops the connection under w with a TCP RST and no answer. Use it
// in a Fault's Handler after a side effect, to lose the answer of a request
// that took effect.
func Reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack() // through any wrapper that has Unwrap
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // RST instead of FIN
	}
	conn.Close()
}

// ClosedURL returns an http URL on 127.0.0.1 where nothing listens: a
// connection to it is refused.
func ClosedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func cmpOr(v, def int) int {
	if v != 0 {
		return v
	}
	return def
}
