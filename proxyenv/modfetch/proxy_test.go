package modfetch_test

// Differential tests of the HTTP proxy path (Env.Client + Fetcher)
// against "go mod download -json": a real tinyproxy, a TLS-inspecting
// proxy, NO_PROXY, the spellings of the proxy variables, SSL_CERT_FILE and
// SSL_CERT_DIR, and credentials through proxies. Each case compares the
// requests the module servers saw (in order, with Authorization and
// Proxy-Authorization), the set of requests the proxies saw (CONNECT
// authority and Proxy-Authorization; the number of connections is not
// compared), and success or failure.
//
// Module servers are addressed as https://LOCALHOST:port: Go proxies that
// name (it exempts only "localhost" exactly and loopback IPs) while every
// resolver on the way finds it in /etc/hosts; see internal/tinyproxy.

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/certmint"
	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/mitmproxy"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/internal/tinyproxy"
	"github.com/modnet/modnet/netrcauth"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
)

// proxyHarness is one case's world: the isolated go command, the module
// servers' shared log and the proxies' observations.
type proxyHarness struct {
	g   *gooracle.Go
	log *modproxy.Log
	// observe return the proxies' request lines since the last reset.
	observe []func() []string
	reset   []func()
}

var proxyMods = []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}

const proxyMod = "example.com/m@v1.0.0"

// server starts a TLS module server whose CA the go command and modnet
// trust through SSL_CERT_FILE (unless trusted is false) and returns its
// URL with the proxied host name LOCALHOST.
func (h *proxyHarness) server(t *testing.T, name string, opts ...modproxy.Option) (string, *modproxy.Server) {
	s := modproxy.New(t, proxyMods, append([]modproxy.Option{modproxy.TLS(), modproxy.Logged(h.log, name)}, opts...)...)
	h.appendCA(t, s.CAPEM)
	return tinyproxy.Rename(s.URL), s
}

// plainServer starts an http module server and returns its LOCALHOST URL.
func (h *proxyHarness) plainServer(t *testing.T, name string, opts ...modproxy.Option) (string, *modproxy.Server) {
	s := modproxy.New(t, proxyMods, append([]modproxy.Option{modproxy.Logged(h.log, name)}, opts...)...)
	return tinyproxy.Rename(s.URL), s
}

// appendCA adds PEM certificates to the SSL_CERT_FILE bundle.
func (h *proxyHarness) appendCA(t *testing.T, pemData []byte) {
	f, ok := h.g.Get("SSL_CERT_FILE")
	if !ok {
		f = filepath.Join(h.g.Dir, "ca-bundle.pem")
		h.g.Set("SSL_CERT_FILE", f)
	}
	old, _ := os.ReadFile(f)
	if err := os.WriteFile(f, append(old, pemData...), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (h *proxyHarness) tinyproxy(t *testing.T, opts tinyproxy.Options) *tinyproxy.Proxy {
	p := tinyproxy.Start(t, opts)
	h.observe = append(h.observe, func() []string {
		var out []string
		for _, r := range p.Requests() {
			out = append(out, "tinyproxy "+r.String())
		}
		return out
	})
	h.reset = append(h.reset, p.Reset)
	return p
}

func (h *proxyHarness) mitm(t *testing.T, opts mitmproxy.Options) *mitmproxy.Proxy {
	p := mitmproxy.Start(t, opts)
	h.observe = append(h.observe, func() []string {
		var out []string
		for _, r := range p.Requests() {
			out = append(out, fmt.Sprintf("mitm %s status=%d", r, r.Status))
		}
		return out
	})
	h.reset = append(h.reset, p.Reset)
	return p
}

// withUser returns the proxy URL with userinfo.
func withUser(u *url.URL, user *url.Userinfo) string {
	c := *u
	c.User = user
	return c.String()
}

// sink returns the URL of gooracle's refusing proxy, which every case
// observes (see watchSink).
func (h *proxyHarness) sink() string { return h.g.Sink.URL }

// watchSink adds gooracle's refusing proxy to the observed proxies.
func (h *proxyHarness) watchSink() {
	base := 0
	h.observe = append(h.observe, func() []string {
		var out []string
		for _, target := range h.g.Sink.Targets()[base:] {
			out = append(out, "sink "+target)
		}
		return out
	})
	h.reset = append(h.reset, func() { base = len(h.g.Sink.Targets()) })
}

// proxyLines returns the distinct proxy observations, sorted.
func (h *proxyHarness) proxyLines() []string {
	var out []string
	for _, f := range h.observe {
		out = append(out, f()...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (h *proxyHarness) resetAll() {
	h.log.Reset()
	for _, f := range h.reset {
		f()
	}
}

func (h *proxyHarness) netrc(t *testing.T, content string) {
	home, _ := h.g.Get("HOME")
	if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// port returns the port of a URL.
func port(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// writeCertDir writes the PEM certificate into a new directory (as PEM,
// or converted to DER when der is set) and returns the directory.
func writeCertDir(t *testing.T, parent, name string, pemData []byte, der bool) string {
	dir := filepath.Join(parent, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, file := pemData, "ca.pem"
	if der {
		b, _ := pem.Decode(pemData)
		data, file = b.Bytes, "ca.der"
	}
	if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Expectations about the proxies.
const (
	anyRoute   = 0
	viaProxy   = 1 // some proxy saw a request
	notProxied = 2 // no proxy saw a request
)

type proxyCase struct {
	name   string
	setup  func(t *testing.T, h *proxyHarness)
	wantOK bool
	route  int
	// lenient builds the client without StrictHTTPProxy; other cases set it.
	lenient bool
	// check, if set, inspects modnet's error.
	check func(t *testing.T, err error)
	// knownBug, if set, skips the case: a deviation from the go command
	// that is reported and awaits a fix in a package this file does not
	// own. Remove it once fixed.
	knownBug string
}

// noProxyCase is a case with tinyproxy as HTTPS_PROXY and the given
// NO_PROXY; %PORT% in noProxy is replaced by the module server's port.
func noProxyCase(name, variable, noProxy string, route int) proxyCase {
	return proxyCase{
		name: name,
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			p := h.tinyproxy(t, tinyproxy.Options{})
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set(variable, strings.ReplaceAll(noProxy, "%PORT%", port(t, u)))
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  route,
	}
}

func interceptedUnknownAuthority(t *testing.T, err error) {
	var te *trust.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) holds no *trust.Error", err, err)
	}
	if te.Kind != trust.KindUnknownAuthority {
		t.Errorf("Kind = %q, want %q", te.Kind, trust.KindUnknownAuthority)
	}
	if !strings.Contains(strings.ToLower(strings.Join(te.Evidence, "\n")), "zscaler") || !strings.Contains(te.Hint, "TLS-inspecting proxy") {
		t.Errorf("no interception evidence: Evidence=%q Hint=%q", te.Evidence, te.Hint)
	}
	if !strings.HasPrefix(te.Proxy, "http://127.0.0.1:") {
		t.Errorf("Proxy = %q, want the proxy's URL", te.Proxy)
	}
}

var proxyCases = []proxyCase{
	{
		name: "tinyproxy-https",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "tinyproxy-basicauth",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			p := h.tinyproxy(t, tinyproxy.Options{User: "alice", Password: "s3cret"})
			h.g.Set("HTTPS_PROXY", withUser(p.URL, url.UserPassword("alice", "s3cret")))
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		// tinyproxy's configuration syntax cannot hold such a password.
		name: "mitm-proxy-credentials-escaped-password",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM), User: "al ice", Password: "p@ss:w/rd%"})
			h.appendCA(t, p.CAPEM)
			h.g.Set("HTTPS_PROXY", withUser(p.URL, url.UserPassword("al ice", "p@ss:w/rd%")))
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "tinyproxy-basicauth-missing",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			p := h.tinyproxy(t, tinyproxy.Options{User: "alice", Password: "s3cret"})
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		route: viaProxy,
		check: func(t *testing.T, err error) {
			var te *trust.Error
			if !errors.As(err, &te) || te.Kind != trust.KindProxy || te.StatusCode != 407 {
				t.Errorf("error %v, want a trust.Error of kind proxy with status 407", err)
			}
		},
	},
	{
		name: "tinyproxy-basicauth-wrong-password",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			p := h.tinyproxy(t, tinyproxy.Options{User: "alice", Password: "s3cret"})
			h.g.Set("HTTPS_PROXY", withUser(p.URL, url.UserPassword("alice", "wrong")))
			h.g.Set("GOPROXY", u)
		},
		route: viaProxy,
		check: func(t *testing.T, err error) {
			if strings.Contains(err.Error(), "wrong") {
				t.Errorf("error leaks the proxy password: %v", err)
			}
		},
	},
	{
		name: "tinyproxy-username-only",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			p := h.tinyproxy(t, tinyproxy.Options{})
			h.g.Set("HTTPS_PROXY", withUser(p.URL, url.User("alice")))
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "tinyproxy-connect-port-refused",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			p := h.tinyproxy(t, tinyproxy.Options{ConnectPorts: []int{1}})
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		route: viaProxy,
	},
	{
		name: "tinyproxy-connect-port-allowed",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			var pn int
			fmt.Sscan(port(t, u), &pn)
			p := h.tinyproxy(t, tinyproxy.Options{ConnectPorts: []int{pn}})
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "proxy-connection-refused",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			h.g.Set("HTTPS_PROXY", "http://"+closedPort(t))
			h.g.Set("GOPROXY", u)
		},
		check: func(t *testing.T, err error) {
			var te *trust.Error
			if !errors.As(err, &te) || te.Kind != trust.KindProxy {
				t.Errorf("error %v, want a trust.Error of kind proxy", err)
			}
		},
	},
	{
		name: "http-server-through-HTTP_PROXY",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.plainServer(t, "A")
			h.g.Set("HTTP_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("HTTPS_PROXY", h.sink())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "http-server-proxy-credentials",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.plainServer(t, "A")
			p := h.tinyproxy(t, tinyproxy.Options{User: "bob", Password: "plain-pw"})
			h.g.Set("HTTP_PROXY", withUser(p.URL, url.UserPassword("bob", "plain-pw")))
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "HTTPS_PROXY-not-used-for-http",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.plainServer(t, "A")
			h.g.Unset("HTTP_PROXY")
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  notProxied,
	},
	{
		name: "HTTP_PROXY-not-used-for-https",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			h.g.Set("HTTP_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Unset("HTTPS_PROXY")
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  notProxied,
	},
	{
		name: "lowercase-https_proxy",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			h.g.Unset("HTTPS_PROXY")
			h.g.Set("https_proxy", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "uppercase-HTTPS_PROXY-wins",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("https_proxy", h.sink())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "uppercase-HTTPS_PROXY-wins-refusing",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			h.g.Set("HTTPS_PROXY", h.sink())
			h.g.Set("https_proxy", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
		},
		route: viaProxy,
	},
	{
		name: "empty-HTTPS_PROXY-falls-to-lowercase",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			h.g.Set("HTTPS_PROXY", "")
			h.g.Set("https_proxy", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		// The go command refuses HTTP_PROXY for http:// URLs in a CGI
		// environment (golang.org/s/cgihttpproxy) rather than ignoring it.
		name: "cgi-refuses-HTTP_PROXY",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.plainServer(t, "A")
			h.g.Set("REQUEST_METHOD", "GET")
			h.g.Set("HTTP_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
		},
		route:   notProxied,
		lenient: true,
	},
	{
		name: "cgi-keeps-HTTPS_PROXY",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			h.g.Set("REQUEST_METHOD", "GET")
			h.g.Unset("HTTP_PROXY")
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	noProxyCase("NO_PROXY-host", "NO_PROXY", "localhost", notProxied),
	noProxyCase("NO_PROXY-host-case", "NO_PROXY", " LocalHost ", notProxied),
	noProxyCase("NO_PROXY-star", "NO_PROXY", "*", notProxied),
	noProxyCase("NO_PROXY-star-in-list", "NO_PROXY", "example.com,*", notProxied),
	noProxyCase("NO_PROXY-list", "NO_PROXY", "example.com, localhost", notProxied),
	noProxyCase("NO_PROXY-host-port", "NO_PROXY", "localhost:%PORT%", notProxied),
	noProxyCase("NO_PROXY-host-other-port", "NO_PROXY", "localhost:1", viaProxy),
	noProxyCase("NO_PROXY-host-default-port", "NO_PROXY", "localhost:443", viaProxy),
	noProxyCase("NO_PROXY-dot-suffix", "NO_PROXY", ".localhost", viaProxy),
	noProxyCase("NO_PROXY-star-dot-suffix", "NO_PROXY", "*.localhost", viaProxy),
	noProxyCase("NO_PROXY-partial-label", "NO_PROXY", "calhost", viaProxy),
	noProxyCase("NO_PROXY-other-domain", "NO_PROXY", "example.com", viaProxy),
	noProxyCase("NO_PROXY-ip-not-name", "NO_PROXY", "127.0.0.1", viaProxy),
	noProxyCase("NO_PROXY-cidr-not-name", "NO_PROXY", "127.0.0.0/8", viaProxy),
	noProxyCase("no_proxy-lowercase", "no_proxy", "localhost", notProxied),
	{
		name: "NO_PROXY-uppercase-wins",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A")
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("NO_PROXY", "example.com")
			h.g.Set("no_proxy", "localhost")
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "mitm-ca-in-SSL_CERT_FILE",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM)})
			h.appendCA(t, p.CAPEM)
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "mitm-untrusted",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM)})
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		route: viaProxy,
		check: interceptedUnknownAuthority,
	},
	{
		name: "mitm-untrusted-fallthrough-pipe",
		setup: func(t *testing.T, h *proxyHarness) {
			a, s := h.server(t, "A")
			b, _ := h.server(t, "B")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM)})
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", a+"|"+b)
		},
		route: viaProxy,
		check: interceptedUnknownAuthority,
	},
	{
		name: "mitm-ca-in-SSL_CERT_DIR",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM)})
			h.g.Set("SSL_CERT_DIR", writeCertDir(t, h.g.Dir, "certs", p.CAPEM, false))
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "mitm-ca-in-SSL_CERT_DIR-list",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM)})
			empty := filepath.Join(h.g.Dir, "empty")
			os.MkdirAll(empty, 0o755)
			h.g.Set("SSL_CERT_DIR", empty+":"+filepath.Join(h.g.Dir, "missing")+":"+writeCertDir(t, h.g.Dir, "certs", p.CAPEM, false))
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "mitm-ca-DER-in-SSL_CERT_DIR-ignored",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM)})
			h.g.Set("SSL_CERT_DIR", writeCertDir(t, h.g.Dir, "certs", p.CAPEM, true))
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		route: viaProxy,
		check: interceptedUnknownAuthority,
	},
	{
		name: "mitm-proxy-credentials",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM), User: "corp", Password: "pr0xy"})
			h.appendCA(t, p.CAPEM)
			h.g.Set("HTTPS_PROXY", withUser(p.URL, url.UserPassword("corp", "pr0xy")))
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "mitm-proxy-credentials-missing",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM), User: "corp", Password: "pr0xy"})
			h.appendCA(t, p.CAPEM)
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		route: viaProxy,
	},
	{
		name: "mitm-netrc",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A", modproxy.RequireBasic("alice", "n3trc"))
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM)})
			h.appendCA(t, p.CAPEM)
			h.netrc(t, "machine "+strings.TrimPrefix(u, "https://")+" login alice password n3trc\n")
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "tinyproxy-netrc",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A", modproxy.RequireBasic("alice", "n3trc"))
			h.netrc(t, "machine "+strings.TrimPrefix(u, "https://")+" login alice password n3trc\n")
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "tinyproxy-netrc-lowercase-machine",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A", modproxy.RequireBasic("alice", "n3trc"))
			h.netrc(t, "machine localhost:"+port(t, u)+" login alice password n3trc\n")
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
		},
		route: viaProxy,
	},
	{
		name: "tinyproxy-netrc-and-proxy-credentials",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A", modproxy.RequireBasic("alice", "n3trc"))
			h.netrc(t, "machine "+strings.TrimPrefix(u, "https://")+" login alice password n3trc\n")
			p := h.tinyproxy(t, tinyproxy.Options{User: "proxyuser", Password: "proxypw"})
			h.g.Set("HTTPS_PROXY", withUser(p.URL, url.UserPassword("proxyuser", "proxypw")))
			h.g.Set("GOPROXY", u)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "tinyproxy-goproxy-userinfo",
		setup: func(t *testing.T, h *proxyHarness) {
			u, _ := h.server(t, "A", modproxy.RequireBasic("dave", "ui-pw"))
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", strings.Replace(u, "https://", "https://dave:ui-pw@", 1))
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "tinyproxy-sumdb",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A", modproxy.SumDB("sum.test"))
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
			h.g.Set("GOSUMDB", s.SumDBKey)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		// Only a redirect chain that started on https must stay on https:
		// the go command checks the first request's scheme.
		name: "redirect-http-https-http",
		setup: func(t *testing.T, h *proxyHarness) {
			c, _ := h.plainServer(t, "C")
			b, _ := h.server(t, "B", modproxy.Redirect("/", c+"/"))
			a, _ := h.plainServer(t, "A", modproxy.Redirect("/", b+"/"))
			p := h.tinyproxy(t, tinyproxy.Options{}).URL.String()
			h.g.Set("HTTP_PROXY", p)
			h.g.Set("HTTPS_PROXY", p)
			h.g.Set("GOPROXY", a)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		name: "redirect-https-http-refused",
		setup: func(t *testing.T, h *proxyHarness) {
			b, _ := h.plainServer(t, "B")
			a, _ := h.server(t, "A", modproxy.Redirect("/", b+"/"))
			p := h.tinyproxy(t, tinyproxy.Options{}).URL.String()
			h.g.Set("HTTP_PROXY", p)
			h.g.Set("HTTPS_PROXY", p)
			h.g.Set("GOPROXY", a)
		},
		route: viaProxy,
		check: func(t *testing.T, err error) {
			var ie *netrcauth.InsecureURLError
			if !errors.As(err, &ie) || ie.From == "" {
				t.Errorf("error %v, want a *netrcauth.InsecureURLError for the redirect", err)
			}
		},
	},
	{
		name: "tinyproxy-sumdb-direct-url",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A", modproxy.SumDB("sum.test"))
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", u)
			h.g.Set("GOSUMDB", s.SumDBKey+" "+tinyproxy.Rename(s.SumDBURL()))
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		// NO_PROXY with a port exempts one of two servers on one host.
		name: "NO_PROXY-port-one-of-two",
		setup: func(t *testing.T, h *proxyHarness) {
			a, _ := h.server(t, "A", modproxy.Status("", 404))
			b, _ := h.server(t, "B")
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("NO_PROXY", "localhost:"+port(t, b))
			h.g.Set("GOPROXY", a+","+b)
		},
		wantOK: true,
		route:  viaProxy,
	},
	{
		// GOINSECURE is for direct fetches only, never module proxies.
		name: "GOINSECURE-not-for-proxy",
		setup: func(t *testing.T, h *proxyHarness) {
			s := modproxy.New(t, proxyMods, modproxy.TLS(), modproxy.Logged(h.log, "A"))
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOINSECURE", "example.com")
			h.g.Set("GOPROXY", tinyproxy.Rename(s.URL))
		},
		route: viaProxy,
		check: func(t *testing.T, err error) {
			var te *trust.Error
			if !errors.As(err, &te) || te.Kind != trust.KindUnknownAuthority {
				t.Errorf("error %v, want unknown-authority", err)
			}
		},
	},
	{
		name: "GOINSECURE-not-for-intercepting-proxy",
		setup: func(t *testing.T, h *proxyHarness) {
			u, s := h.server(t, "A")
			p := h.mitm(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, s.CAPEM)})
			h.g.Set("HTTPS_PROXY", p.URL.String())
			h.g.Set("GOINSECURE", "*")
			h.g.Set("GOPROXY", u)
		},
		route: viaProxy,
		check: interceptedUnknownAuthority,
	},
	{
		name: "tinyproxy-404-comma-next",
		setup: func(t *testing.T, h *proxyHarness) {
			a, _ := h.server(t, "A", modproxy.Status("", 404))
			b, _ := h.server(t, "B")
			h.g.Set("HTTPS_PROXY", h.tinyproxy(t, tinyproxy.Options{}).URL.String())
			h.g.Set("GOPROXY", a+","+b)
		},
		wantOK: true,
		route:  viaProxy,
	},
}

func TestProxyMatchesGoModDownload(t *testing.T) {
	gooracle.Required(t)
	tinyproxy.Required(t)
	t.Parallel()
	for _, tc := range proxyCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.knownBug != "" {
				t.Skip("known deviation: " + tc.knownBug)
			}
			t.Parallel()
			h := &proxyHarness{g: gooracle.New(t), log: modproxy.NewLog()}
			h.watchSink()
			tc.setup(t, h)
			h.resetAll()

			ds, stderr, err := h.g.ModDownload(context.Background(), proxyMod)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 1 {
				t.Fatalf("go mod download: %d objects\n%s", len(ds), stderr)
			}
			goErr := ds[0].Error
			goReqs, goProxy := requestLines(h.log), h.proxyLines()
			h.resetAll()

			env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: h.g.Getenv})
			if err != nil {
				t.Fatal(err)
			}
			c, err := env.Client(proxyenv.ClientOptions{CommandEnv: h.g.Environ(), StrictHTTPProxy: !tc.lenient})
			if err != nil {
				t.Fatalf("Client: %v", err)
			}
			defer c.CloseIdleConnections()
			path, vers, _ := strings.Cut(proxyMod, "@")
			f := &modfetch.Fetcher{Client: c, Dir: t.TempDir()}
			d, ourErr := f.Download(context.Background(), path, vers)
			c.Wait()
			ourReqs, ourProxy := requestLines(h.log), h.proxyLines()

			if !slices.Equal(goReqs, ourReqs) {
				t.Errorf("module server requests differ\ngo command:\n\t%s\nmodnet:\n\t%s", strings.Join(goReqs, "\n\t"), strings.Join(ourReqs, "\n\t"))
			}
			if !slices.Equal(goProxy, ourProxy) {
				t.Errorf("proxy requests differ\ngo command:\n\t%s\nmodnet:\n\t%s", strings.Join(goProxy, "\n\t"), strings.Join(ourProxy, "\n\t"))
			}
			switch tc.route {
			case viaProxy:
				if len(goProxy) == 0 {
					t.Errorf("no proxy saw the go command's requests; the case does not test what it says")
				}
			case notProxied:
				if len(goProxy) != 0 {
					t.Errorf("the go command used a proxy: %q", goProxy)
				}
			}
			if (goErr == "") != tc.wantOK {
				t.Errorf("go command: error %q, want success %v", goErr, tc.wantOK)
			}
			if (ourErr == nil) != tc.wantOK {
				t.Errorf("Fetcher.Download: error %v, want success %v", ourErr, tc.wantOK)
			}
			if ourErr == nil && goErr == "" && (d.Sum != ds[0].Sum || d.GoModSum != ds[0].GoModSum) {
				t.Errorf("sums: modnet %s %s, go command %s %s", d.Sum, d.GoModSum, ds[0].Sum, ds[0].GoModSum)
			}
			if ourErr != nil && tc.check != nil {
				tc.check(t, ourErr)
			}
			if t.Failed() {
				t.Logf("go command error: %s\nmodnet error: %v", goErr, ourErr)
			}
			t.Logf("module servers:\n\t%s\nproxies:\n\t%s", strings.Join(goReqs, "\n\t"), strings.Join(goProxy, "\n\t"))
		})
	}
}
