package vcs_test

import (
	"bufio"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modnet/modnet/internal/certmint"
)

// A page is a canned answer of the test web.
type page struct {
	status int    // 0 means 200
	ctype  string // "" means text/html; charset=utf-8
	body   string
	// location, for a 3xx status, is the redirect target.
	location string
}

// A web is a set of fake hosts (all *.modnet.test) served by one HTTPS
// server and one plain HTTP server behind a loopback proxy that answers
// CONNECT for any host by tunnelling to the HTTPS server and forwards
// absolute-form http requests to the HTTP server. It records requests
// per host.
type web struct {
	t        testing.TB
	CA       *certmint.CA
	CAFile   string
	Roots    *x509.CertPool
	TLS      *httptest.Server
	Plain    *httptest.Server
	ProxyURL string

	mu    sync.Mutex
	pages map[string]page // "https://host/path" or "http://host/path" (no query)
	seq   []string        // "https://host/path?query" in arrival order
	// noTLS lists hosts whose CONNECT is refused (so https fails).
	noTLS map[string]bool
}

const domain = "modnet.test"

func newWeb(t testing.TB) *web {
	t.Helper()
	w := &web{t: t, pages: map[string]page{}, noTLS: map[string]bool{}}
	w.CA = certmint.NewCA(t, "modnet vcs test CA")
	w.CAFile = filepath.Join(t.TempDir(), "ca.pem")
	w.CA.WriteCertPEM(t, w.CAFile)
	w.Roots = x509.NewCertPool()
	w.Roots.AddCert(w.CA.Cert)
	leaf := w.CA.Leaf(t, []string{"*." + domain, domain})
	w.TLS = certmint.TLSServer(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { w.serve(rw, r, "https") }), leaf)
	w.Plain = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { w.serve(rw, r, "http") }))
	t.Cleanup(w.Plain.Close)
	w.ProxyURL = w.startProxy()
	return w
}

// Page sets the answer for a URL such as "https://a.modnet.test/x".
func (w *web) Page(u string, p page) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pages[u] = p
}

// NoTLS makes CONNECT to host fail.
func (w *web) NoTLS(host string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.noTLS[host] = true
}

// RequestsSeq returns the requests of one case in arrival order.
func (w *web) RequestsSeq(suffix string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, l := range w.seq {
		h := hostOf(l)
		if h == suffix || strings.HasSuffix(h, "."+suffix) {
			out = append(out, l)
		}
	}
	return out
}

func hostOf(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	h, _, _ := strings.Cut(rest, "/")
	return h
}

func (w *web) serve(rw http.ResponseWriter, r *http.Request, scheme string) {
	host := r.Host
	key := scheme + "://" + host + r.URL.Path
	w.mu.Lock()
	entry := scheme + "://" + host + r.URL.RequestURI()
	if r.Header.Get("Authorization") != "" {
		entry += " [auth]"
	}
	w.seq = append(w.seq, entry)
	p, ok := w.pages[key]
	w.mu.Unlock()
	if !ok {
		http.NotFound(rw, r)
		return
	}
	ct := p.ctype
	if ct == "" {
		ct = "text/html; charset=utf-8"
	}
	if ct != "-" {
		rw.Header().Set("Content-Type", ct)
	}
	if p.location != "" {
		rw.Header().Set("Location", p.location)
	}
	if p.status == 0 {
		p.status = 200
	}
	rw.WriteHeader(p.status)
	io.WriteString(rw, p.body)
}

// startProxy starts the loopback proxy and returns its URL.
func (w *web) startProxy() string {
	tlsAddr := w.TLS.Listener.Addr().String()
	plainAddr := w.Plain.Listener.Addr().String()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		host := r.URL.Hostname()
		if r.Method == http.MethodConnect {
			host, _, _ = net.SplitHostPort(r.Host)
		}
		if !strings.HasSuffix(host, "."+domain) && host != domain {
			http.Error(rw, "test proxy: only *."+domain, http.StatusBadGateway)
			return
		}
		if r.Method != http.MethodConnect {
			// forward a plain http request to the plain server
			out, _ := http.NewRequest(r.Method, "http://"+plainAddr+r.URL.RequestURI(), nil)
			out.Host = r.Host
			resp, err := http.DefaultTransport.RoundTrip(out)
			if err != nil {
				http.Error(rw, err.Error(), http.StatusBadGateway)
				return
			}
			defer resp.Body.Close()
			for k, v := range resp.Header {
				rw.Header()[k] = v
			}
			rw.WriteHeader(resp.StatusCode)
			io.Copy(rw, resp.Body)
			return
		}
		w.mu.Lock()
		refuse := w.noTLS[host]
		w.mu.Unlock()
		if refuse {
			http.Error(rw, "no https here", http.StatusBadGateway)
			return
		}
		up, err := net.Dial("tcp", tlsAddr)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		hj, ok := rw.(http.Hijacker)
		if !ok {
			up.Close()
			http.Error(rw, "no hijack", http.StatusInternalServerError)
			return
		}
		c, brw, err := hj.Hijack()
		if err != nil {
			up.Close()
			return
		}
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() {
			defer up.Close()
			defer c.Close()
			io.Copy(up, bufio.NewReader(brw))
		}()
		go func() {
			defer c.Close()
			defer up.Close()
			io.Copy(c, up)
		}()
	}))
	w.t.Cleanup(srv.Close)
	return srv.URL
}
