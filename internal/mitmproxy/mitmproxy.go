// Package mitmproxy is a TLS-inspecting HTTP CONNECT proxy for tests, like
// the corporate proxies (Zscaler, Netskope, …) that break "go mod
// download": it accepts CONNECT, terminates the client's TLS with a leaf
// certificate it mints on the fly for the requested host from its own CA,
// reads the client's requests in the clear, logs them, and forwards them
// over a new TLS connection to the real server, which it verifies with
// roots the test gives it.
//
// It only ever connects to loopback: the hosts "localhost" (in any case)
// and loopback IP literals. Anything else is answered 502.
package mitmproxy

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/certmint"
)

// Names of the proxy's CA by default, in the style of a real product (the
// trust package recognises the vendor name as interception evidence).
const (
	DefaultRootName         = "Zscaler Root CA (modnet test)"
	DefaultIntermediateName = "Zscaler Intermediate Root CA (zscaler.net) (modnet test)"
	DefaultOrganization     = "Zscaler Inc. (modnet test)"
)

// Options configures a proxy. The zero value is an open proxy with a
// Zscaler-like CA that trusts no upstream server.
type Options struct {
	// RootName, IntermediateName and Organization name the proxy's CA;
	// empty means the Default* constants.
	RootName, IntermediateName, Organization string
	// User and Password, if User is set, are the Basic credentials the
	// proxy requires on CONNECT (and plain http) requests; without them it
	// answers 407 with Proxy-Authenticate.
	User, Password string
	// UpstreamRoots are the roots the proxy trusts for the real servers.
	// Nil trusts nothing, so every forwarded https request fails with 502.
	UpstreamRoots *x509.CertPool
}

// A Request is one request the proxy received: a CONNECT, a plain http
// proxy request, or a request read inside a tunnel.
type Request struct {
	Method string
	// Target is the CONNECT authority, the absolute URL of a plain http
	// request, or "https://host:port/path?query" for a tunnelled request.
	Target string
	// Tunnelled is set for requests read inside a CONNECT tunnel.
	Tunnelled bool
	Header    http.Header
	// Status is the status the proxy answered with (for a tunnelled
	// request, the upstream server's).
	Status int
}

// String returns "METHOD target auth=... proxy-auth=..." for logs and
// comparisons.
func (r Request) String() string {
	return fmt.Sprintf("%s %s auth=%q proxy-auth=%q", r.Method, r.Target, r.Header.Get("Authorization"), r.Header.Get("Proxy-Authorization"))
}

// A Proxy is a running TLS-inspecting proxy.
type Proxy struct {
	// URL is the proxy's address ("http://127.0.0.1:port"), without
	// credentials.
	URL *url.URL
	// Root is the CA clients must trust to accept the proxy's leaves;
	// Intermediate signs the leaves and is sent with them.
	Root, Intermediate *certmint.CA
	// CAFile is a PEM file holding Root's certificate; CAPEM is its
	// content.
	CAFile string
	CAPEM  []byte

	opts     Options
	upstream *http.Transport
	ln       net.Listener

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
	reqs   []Request
	conns  map[net.Conn]struct{}
	minted int
}

// Start starts a proxy and stops it when the test ends.
func Start(t testing.TB, opts Options) *Proxy {
	t.Helper()
	if opts.RootName == "" {
		opts.RootName = DefaultRootName
	}
	if opts.IntermediateName == "" {
		opts.IntermediateName = DefaultIntermediateName
	}
	if opts.Organization == "" {
		opts.Organization = DefaultOrganization
	}
	root := certmint.NewCA(t, opts.RootName, certmint.WithOrganization(opts.Organization))
	inter := root.Intermediate(t, opts.IntermediateName, certmint.WithOrganization(opts.Organization))
	p := &Proxy{
		Root:         root,
		Intermediate: inter,
		CAPEM:        root.CertPEM,
		CAFile:       filepath.Join(t.TempDir(), "mitm-root.pem"),
		opts:         opts,
		leaves:       map[string]*tls.Certificate{},
		conns:        map[net.Conn]struct{}{},
	}
	if err := os.WriteFile(p.CAFile, root.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	roots := opts.UpstreamRoots
	if roots == nil {
		roots = x509.NewCertPool()
	}
	p.upstream = &http.Transport{
		DialContext:         dialLoopback,
		TLSClientConfig:     &tls.Config{RootCAs: roots},
		TLSHandshakeTimeout: 10 * time.Second,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.ln = ln
	p.URL = &url.URL{Scheme: "http", Host: ln.Addr().String()}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		wg.Wait()
		p.upstream.CloseIdleConnections()
	})
	return p
}

// Requests returns the requests received so far, in order.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.reqs...)
}

// Reset forgets the recorded requests.
func (p *Proxy) Reset() {
	p.mu.Lock()
	p.reqs = nil
	p.mu.Unlock()
}

// Minted returns how many leaf certificates the proxy has minted.
func (p *Proxy) Minted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.minted
}

// dialLoopback dials addr only if its host is localhost or a loopback IP,
// and then always 127.0.0.1 (or the loopback IP given).
func dialLoopback(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(host, "localhost") {
		host = "127.0.0.1"
	} else if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("mitmproxy: refusing to connect to %s: tests stay on loopback", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
}

func (p *Proxy) record(r Request) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs = append(p.reqs, r)
	return len(p.reqs) - 1
}

func (p *Proxy) setStatus(i, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < len(p.reqs) {
		p.reqs[i].Status = status
	}
}

func (p *Proxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

func (p *Proxy) authorized(h http.Header) bool {
	if p.opts.User == "" {
		return true
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.opts.User+":"+p.opts.Password))
	return h.Get("Proxy-Authorization") == want
}

func writeStatus(w io.Writer, code int, extra string) {
	body := fmt.Sprintf("mitmproxy: %d %s\n", code, http.StatusText(code))
	fmt.Fprintf(w, "HTTP/1.1 %d %s\r\n%sContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", code, http.StatusText(code), extra, len(body), body)
}

func (p *Proxy) serve(c net.Conn) {
	p.track(c, true)
	defer p.track(c, false)
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		i := p.record(Request{Method: req.Method, Target: req.RequestURI, Header: req.Header.Clone()})
		if !p.authorized(req.Header) {
			p.setStatus(i, http.StatusProxyAuthRequired)
			io.Copy(io.Discard, req.Body)
			writeStatus(c, http.StatusProxyAuthRequired, "Proxy-Authenticate: Basic realm=\"mitmproxy\"\r\n")
			if req.Method == http.MethodConnect {
				return
			}
			continue
		}
		if req.Method != http.MethodConnect {
			// A plain http proxy request: forward it as is.
			req.Header.Del("Proxy-Authorization")
			if !p.forward(c, req, i) {
				return
			}
			continue
		}
		host, _, err := net.SplitHostPort(req.RequestURI)
		if err != nil {
			p.setStatus(i, http.StatusBadRequest)
			writeStatus(c, http.StatusBadRequest, "")
			return
		}
		p.setStatus(i, http.StatusOK)
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		p.tunnel(&bufferedConn{Conn: c, r: br}, host, req.RequestURI)
		return
	}
}

// tunnel terminates TLS on c and forwards the requests read from it to
// https://authority.
func (p *Proxy) tunnel(c net.Conn, host, authority string) {
	tc := tls.Server(c, &tls.Config{
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hello.ServerName
			if name == "" {
				name = host
			}
			return p.leaf(name)
		},
	})
	defer tc.Close()
	if err := tc.Handshake(); err != nil {
		return
	}
	br := bufio.NewReader(tc)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		req.URL.Scheme = "https"
		req.URL.Host = authority
		i := p.record(Request{Method: req.Method, Target: req.URL.String(), Tunnelled: true, Header: req.Header.Clone()})
		if !p.forward(tc, req, i) {
			return
		}
	}
}

// forward sends req upstream and writes the response to w; it reports
// whether the connection may carry another request.
func (p *Proxy) forward(w io.Writer, req *http.Request, i int) bool {
	out := req.Clone(context.Background())
	out.RequestURI = ""
	out.Close = false
	resp, err := p.upstream.RoundTrip(out)
	if err != nil {
		p.setStatus(i, http.StatusBadGateway)
		writeStatus(w, http.StatusBadGateway, "")
		return !req.Close
	}
	defer resp.Body.Close()
	p.setStatus(i, resp.StatusCode)
	resp.Close = req.Close
	if err := resp.Write(w); err != nil {
		return false
	}
	return !req.Close
}

// leaf returns the certificate the proxy presents for name, minting it on
// first use.
func (p *Proxy) leaf(name string) (*tls.Certificate, error) {
	key := strings.ToLower(name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.leaves[key]; ok {
		return c, nil
	}
	c, err := mint(p.Intermediate, name, p.opts.Organization)
	if err != nil {
		return nil, err
	}
	p.leaves[key] = c
	p.minted++
	return c, nil
}

func mint(ca *certmint.CA, name, org string) (*tls.Certificate, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial.Add(serial, big.NewInt(1)),
		Subject:      pkix.Name{CommonName: name, Organization: []string{org}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, priv.Public(), ca.Key)
	if err != nil {
		return nil, errors.New("mitmproxy: minting a leaf: " + err.Error())
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: priv, Leaf: leaf}, nil
}

// bufferedConn reads first what a bufio.Reader already buffered.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }
