package gooracle

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// Sink is a local HTTP proxy that refuses everything and records what it
// was asked for. [New] points HTTP_PROXY and HTTPS_PROXY at one, so a go
// command that falls through to "direct" for a non-loopback host is caught
// on this machine instead of reaching the network. (Go never proxies
// loopback destinations, so local module servers are reached directly.)
type Sink struct {
	URL string

	mu   sync.Mutex
	reqs []string
}

// Targets returns what the go command asked the proxy for, in order: the
// CONNECT authority for https ("example.com:443") or the absolute URL for
// plain http.
func (s *Sink) Targets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

func newSink(t interface {
	Cleanup(func())
}) *Sink {
	s := &Sink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.URL.String()
		if r.Method == http.MethodConnect {
			target = r.Host
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, target)
		s.mu.Unlock()
		http.Error(w, "gooracle sink proxy: network access refused in tests", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}
