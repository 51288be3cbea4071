package proxyenv_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modnet/modnet/proxyenv"
)

// BenchmarkClient compares the modnet client with a bare http.Client using
// the same TLS configuration, against a local TLS server with keep-alive:
// BenchmarkClient/<case>/bare next to BenchmarkClient/<case>/modnet.
// Compare req/s (higher is better) and allocs/op (one op is one request)
// between the two lines of a case.
//
// The bare baseline is configured like the modnet client's transport with
// a response-header timeout (http.Transport.ResponseHeaderTimeout), since
// net/http pays for that timeout with a timer on every request (3
// allocations) whoever sets it; the comparison is like for like. The
// extra "bare-no-rht" line is net/http's default transport without it,
// for the full cost over a client that sets no timeout at all. The "1000-sequential" case builds a
// fresh client per op, makes 1000 sequential requests to one host and
// reports the TLS handshakes the server counted (handshakes/1000req;
// target 1).
//
//	go test -run '^$' -bench Client -benchmem -count 3 ./proxyenv/
func BenchmarkClient(b *testing.B) {
	cases := []struct {
		name string
		size int
		h2   bool
	}{
		{"http1-1KiB", 1 << 10, false},
		{"http1-64KiB", 64 << 10, false},
		{"h2-1KiB", 1 << 10, true},
	}
	for _, bc := range cases {
		body := strings.Repeat("m", bc.size)
		var configure []func(*tls.Config)
		if bc.h2 {
			configure = append(configure, func(c *tls.Config) { c.NextProtos = []string{"h2", "http/1.1"} })
		}
		srv := newTestServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, body)
		}), configure...)
		for _, which := range []string{"bare", "bare-no-rht", "modnet"} {
			b.Run(bc.name+"/"+which, func(b *testing.B) {
				c := benchClient(b, srv, which)
				defer c.CloseIdleConnections()
				get(b, c, srv.URL) // connect and handshake outside the timing
				h0 := srv.handshakes.Load()
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					get(b, c, srv.URL)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
				b.ReportMetric(float64(srv.handshakes.Load()-h0), "extra-handshakes")
			})
		}
	}

	srv := newTestServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	for _, which := range []string{"bare", "modnet"} {
		b.Run("1000-sequential/"+which, func(b *testing.B) {
			h0 := srv.handshakes.Load()
			b.ReportAllocs()
			for b.Loop() {
				c := benchClient(b, srv, which)
				for range 1000 {
					get(b, c, srv.URL)
				}
				c.CloseIdleConnections()
			}
			b.ReportMetric(float64(srv.handshakes.Load()-h0)/float64(b.N), "handshakes/1000req")
		})
	}
}

// benchClient returns a bare client (net/http's default transport with
// the pool's TLS configuration, as a tool would build by hand; for "bare",
// also with the modnet client's response-header timeout) or the modnet
// client with default options (GOAUTH=netrc with no netrc file, no proxy).
func benchClient(b *testing.B, srv *testServer, which string) *http.Client {
	pool := srv.pool(b)
	if which == "bare" || which == "bare-no-rht" {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = pool.TLSConfig().Clone()
		tr.ForceAttemptHTTP2 = true
		if which == "bare" {
			// As Env.Client sets it (any positive value costs the same).
			tr.ResponseHeaderTimeout = 2 * time.Minute
		}
		return &http.Client{Transport: tr}
	}
	env := &proxyenv.Env{GOAUTH: "netrc", NETRC: filepath.Join(b.TempDir(), "no-netrc")}
	c, err := env.Client(proxyenv.ClientOptions{Trust: pool})
	if err != nil {
		b.Fatal(err)
	}
	return c.HTTP()
}

func get(b *testing.B, c *http.Client, u string) {
	resp, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %s", resp.Status)
	}
}
