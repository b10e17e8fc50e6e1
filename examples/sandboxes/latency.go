package main

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"
)

// slowDown puts a proxy that waits latency before each request in front of
// every sandbox the variables name, and points the variables at the
// proxies: in-flight work then lasts as long as it does against real
// vendors, which is what a test that kills a worker mid-flight needs.
func slowDown(vars map[string]string, latency time.Duration) (stop func(), err error) {
	proxies := map[string]string{} // sandbox host → proxy host
	var servers []*http.Server
	stop = func() {
		for _, s := range servers {
			s.Close()
		}
	}
	for name, value := range vars {
		u, err := url.Parse(value)
		if err != nil || u.Scheme != "http" || !strings.HasPrefix(u.Host, "127.0.0.1:") {
			continue
		}
		if _, ok := proxies[u.Host]; !ok {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				stop()
				return nil, err
			}
			proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: u.Host})
			srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(latency):
				case <-r.Context().Done():
					return
				}
				proxy.ServeHTTP(w, r)
			})}
			go srv.Serve(ln)
			servers = append(servers, srv)
			proxies[u.Host] = ln.Addr().String()
		}
		u.Host = proxies[u.Host]
		vars[name] = u.String()
	}
	return stop, nil
}
