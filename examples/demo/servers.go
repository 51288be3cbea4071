package main

// This file builds the demo's little world, all in this process and all on
// 127.0.0.1: a private CA, a module proxy that wants credentials, and a
// TLS-inspecting HTTP proxy of the kind corporate networks run. None of it
// is modnet; it stands in for the infrastructure modnet has to cope with.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// authority is a certificate authority able to issue server certificates.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newAuthority(org, cn string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{Organization: []string{org}, CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// issue returns a server certificate for host signed by a.
func (a *authority) issue(host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// moduleProxy serves one module version over the GOPROXY protocol and
// insists on HTTP Basic credentials.
type moduleProxy struct {
	path, version, user, password string
	zip                           []byte
}

func newModuleProxy(path, version, user, password string) (*moduleProxy, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string]string{
		"go.mod":   "module " + path + "\n\ngo 1.22\n",
		"hello.go": "package hello\n\n// Hello greets.\nfunc Hello() string { return \"hello from a private module\" }\n",
	}
	for name, body := range files {
		w, err := zw.Create(path + "@" + version + "/" + name)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &moduleProxy{path: path, version: version, user: user, password: password, zip: buf.Bytes()}, nil
}

func (p *moduleProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if u, pw, ok := r.BasicAuth(); !ok || u != p.user || pw != p.password {
		w.Header().Set("WWW-Authenticate", `Basic realm="corp modules"`)
		http.Error(w, "credentials required", http.StatusUnauthorized)
		return
	}
	prefix := "/" + p.path + "/@v/" + p.version
	switch r.URL.Path {
	case prefix + ".info":
		fmt.Fprintf(w, `{"Version":%q,"Time":"2026-01-02T03:04:05Z"}`, p.version)
	case prefix + ".mod":
		fmt.Fprintf(w, "module %s\n\ngo 1.22\n", p.path)
	case prefix + ".zip":
		w.Write(p.zip)
	default:
		http.NotFound(w, r)
	}
}

// inspectingProxy is an HTTP CONNECT proxy that terminates TLS with
// certificates minted by its own root, the way TLS-inspecting corporate
// proxies do, then forwards the decrypted requests to the real server.
type inspectingProxy struct {
	ca       *authority
	upstream map[string]string // host:port asked for -> real address
	upRoots  *x509.CertPool    // what the proxy trusts upstream

	mu    sync.Mutex
	certs map[string]*tls.Certificate
}

func (p *inspectingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "this proxy only tunnels https", http.StatusMethodNotAllowed)
		return
	}
	real, ok := p.upstream[r.Host]
	if !ok {
		http.Error(w, "unknown host "+r.Host, http.StatusBadGateway)
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	host, _, _ := net.SplitHostPort(r.Host)
	tconn := tls.Server(conn, &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		return p.certFor(host)
	}})
	if err := tconn.Handshake(); err != nil {
		return // the client did not trust us: exactly what the demo shows first
	}
	target := &url.URL{Scheme: "https", Host: real}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.upRoots, ServerName: host}}
	rp.ErrorLog = nil
	br := bufio.NewReader(tconn)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		req.URL.Scheme, req.URL.Host = "https", r.Host
		rw := newConnResponseWriter(tconn)
		rp.ServeHTTP(rw, req)
		if err := rw.finish(); err != nil || strings.EqualFold(req.Header.Get("Connection"), "close") {
			return
		}
	}
}

func (p *inspectingProxy) certFor(host string) (*tls.Certificate, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.certs[host]; ok {
		return c, nil
	}
	c, err := p.ca.issue(host)
	if err != nil {
		return nil, err
	}
	p.certs[host] = &c
	return &c, nil
}

// connResponseWriter buffers one response and writes it to a raw
// connection, enough for the proxy's forwarded requests.
type connResponseWriter struct {
	conn   net.Conn
	header http.Header
	status int
	body   bytes.Buffer
}

func newConnResponseWriter(c net.Conn) *connResponseWriter {
	return &connResponseWriter{conn: c, header: http.Header{}, status: http.StatusOK}
}

func (w *connResponseWriter) Header() http.Header         { return w.header }
func (w *connResponseWriter) WriteHeader(code int)        { w.status = code }
func (w *connResponseWriter) Write(b []byte) (int, error) { return w.body.Write(b) }

func (w *connResponseWriter) finish() error {
	res := &http.Response{
		StatusCode:    w.status,
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.header,
		Body:          io.NopCloser(&w.body),
		ContentLength: int64(w.body.Len()),
	}
	res.Header.Del("Transfer-Encoding")
	return res.Write(w.conn)
}

// serve starts h on a loopback listener (with TLS when cert is non-nil)
// and returns its address.
func serve(h http.Handler, cert *tls.Certificate) (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	if cert != nil {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}
