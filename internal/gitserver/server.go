// Package gitserver is test support for direct mode: it builds git
// repositories with the git command (fixed identity and dates, so hashes
// are stable) and serves them over HTTPS with the real "git http-backend",
// next to go-get pages ("?go-get=1" answers with go-import meta tags),
// under any host name.
//
// # Host names
//
// A [Server] listens on 127.0.0.1 and also runs a small CONNECT proxy
// there. Whatever host a client asks the proxy for ("example.com:443"),
// the proxy tunnels to the server, which presents a certificate minted for
// that name by its own CA. Point HTTPS_PROXY (for Go) and https_proxy (for
// git's libcurl) at [Server.ProxyURL], trust [Server.CAFile] (SSL_CERT_FILE
// for Go, GIT_SSL_CAINFO for git), and "https://example.com/repo" reaches
// the repository created as "example.com/repo" — [Server.Env] returns
// those variables. Nothing but loopback is ever dialed.
//
// # Requests
//
// Every request is recorded ([Server.Requests]): method, host, path and
// query, and whether an Authorization header was present (never its
// value).
package gitserver

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"html"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/certmint"
)

// Options configures a [Server]. The zero value serves every repository
// without authentication.
type Options struct {
	// User and Password, if User is set, are the Basic credentials git
	// requests must carry; without them the server answers 401 with
	// WWW-Authenticate. go-get pages are served without credentials
	// unless AuthGoGet is set.
	User, Password string
	AuthGoGet      bool
	// Root, if set, is an existing directory of repositories to serve
	// (another Server's Root, say), so that several servers, each with
	// its own request log, serve the same repositories. The repositories
	// must not change while served.
	Root string
	// Log, if non-nil, is called with each request after it is answered
	// (t.Logf-friendly through Request.String, which never shows
	// credentials).
	Log func(Request)
}

// A Request is one request the server answered.
type Request struct {
	Method string
	// Host is the request's host name, lower-cased, without port.
	Host string
	// Path is the path and query ("/repo/info/refs?service=git-upload-pack").
	Path string
	// Auth reports whether the request carried an Authorization header.
	Auth   bool
	Status int
}

// String returns "METHOD host/path auth=true status" for logs.
func (r Request) String() string {
	return fmt.Sprintf("%s %s%s auth=%v %d", r.Method, r.Host, r.Path, r.Auth, r.Status)
}

// IsGit reports whether r was a git smart-HTTP request (not a go-get page).
func (r Request) IsGit() bool {
	return strings.Contains(r.Path, "/info/refs") || strings.HasSuffix(pathOnly(r.Path), "/git-upload-pack") ||
		strings.HasSuffix(pathOnly(r.Path), "/git-receive-pack")
}

func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// A Server serves git repositories and go-get pages over HTTPS; see the
// package documentation. Its methods are safe for concurrent use.
type Server struct {
	// URL is the HTTPS server's own address ("https://127.0.0.1:port").
	URL string
	// ProxyURL is the CONNECT proxy that tunnels any host to the server
	// ("http://127.0.0.1:port").
	ProxyURL string
	// Root is the directory holding the repositories (GIT_PROJECT_ROOT):
	// the repository for "https://host/path" is Root/host/path.
	Root string
	// CA signs the server's certificates; CAFile holds its PEM.
	CA     *certmint.CA
	CAFile string

	opts    Options
	t       testing.TB
	backend http.Handler

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
	meta   map[string]string // host/path prefix -> HTML head content
	reqs   []Request
}

// Start starts a server and its proxy, and stops both when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	git := Required(t)
	dir := t.TempDir()
	root := opts.Root
	if root == "" {
		root = filepath.Join(dir, "repos")
	}
	s := &Server{
		Root:   root,
		CA:     certmint.NewCA(t, "gitserver test CA"),
		CAFile: filepath.Join(dir, "ca.pem"),
		opts:   opts,
		t:      t,
		leaves: map[string]*tls.Certificate{},
		meta:   map[string]string{},
	}
	home := filepath.Join(dir, "home")
	for _, d := range []string{s.Root, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("gitserver: %v", err)
		}
	}
	s.CA.WriteCertPEM(t, s.CAFile)
	s.backend = &cgi.Handler{
		Path: httpBackend(git),
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.Root,
			"GIT_HTTP_EXPORT_ALL=1",
			"HOME=" + home,
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		},
		Stderr: io.Discard,
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{GetCertificate: s.certificate}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	s.ProxyURL = startProxy(t, srv.Listener.Addr().String())
	return s
}

// Env returns the variables that make both the go command and git reach
// the server under any host name and trust its CA: HTTPS_PROXY and
// https_proxy, SSL_CERT_FILE and GIT_SSL_CAINFO. NO_PROXY and no_proxy are
// set empty.
func (s *Server) Env() []string {
	return []string{
		"HTTPS_PROXY=" + s.ProxyURL,
		"https_proxy=" + s.ProxyURL,
		"NO_PROXY=",
		"no_proxy=",
		"SSL_CERT_FILE=" + s.CAFile,
		"GIT_SSL_CAINFO=" + s.CAFile,
	}
}

// NewRepo creates an empty repository served at https://name (name is
// "host/path", such as "example.com/repo").
func (s *Server) NewRepo(t testing.TB, name string) *Repo {
	t.Helper()
	return NewRepo(t, filepath.Join(s.Root, filepath.FromSlash(strings.ToLower(hostOf(name))+strings.TrimPrefix(name, hostOf(name)))))
}

func hostOf(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return name
}

// GoGet makes requests for prefix, or for any path below it, with
// "?go-get=1" answer with an HTML page whose head holds one go-import meta
// tag per content string (such as "example.com/repo git
// https://example.com/repo"). prefix is "host/path". With no content the
// page has no tags. Paths without a registered prefix get 404.
func (s *Server) GoGet(prefix string, content ...string) {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n<head>\n")
	for _, c := range content {
		fmt.Fprintf(&b, "<meta name=\"go-import\" content=\"%s\">\n", html.EscapeString(c))
	}
	b.WriteString("</head>\n<body>go get page</body>\n</html>\n")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.meta[strings.ToLower(hostOf(prefix))+strings.TrimPrefix(prefix, hostOf(prefix))] = b.String()
}

// GoGetRepo registers the go-get page for a git repository at
// https://name whose import prefix is name.
func (s *Server) GoGetRepo(name string) {
	s.GoGet(name, name+" git https://"+name)
}

// Requests returns the requests answered so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// GitRequests returns how many git smart-HTTP requests were answered so far.
func (s *Server) GitRequests() int {
	n := 0
	for _, r := range s.Requests() {
		if r.IsGit() {
			n++
		}
	}
	return n
}

// Reset forgets the recorded requests.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		req := Request{Method: r.Method, Host: host, Path: r.URL.RequestURI(), Auth: r.Header.Get("Authorization") != "", Status: sw.status}
		s.mu.Lock()
		s.reqs = append(s.reqs, req)
		s.mu.Unlock()
		if s.opts.Log != nil {
			s.opts.Log(req)
		}
	}()
	goget := r.URL.Query().Get("go-get") == "1"
	if (!goget || s.opts.AuthGoGet) && !s.authorized(r) {
		sw.Header().Set("WWW-Authenticate", `Basic realm="gitserver"`)
		http.Error(sw, "401 unauthorized", http.StatusUnauthorized)
		return
	}
	if goget {
		s.serveGoGet(sw, host+path.Clean("/"+r.URL.Path))
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + host + path.Clean("/"+r.URL.Path)
	r2.URL.RawPath = ""
	s.backend.ServeHTTP(sw, r2)
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opts.User == "" {
		return true
	}
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.User)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) == 1
}

func (s *Server) serveGoGet(w http.ResponseWriter, p string) {
	s.mu.Lock()
	var prefixes []string
	for k := range s.meta {
		if p == k || strings.HasPrefix(p, k+"/") {
			prefixes = append(prefixes, k)
		}
	}
	sort.Slice(prefixes, func(i, j int) bool { return len(prefixes[i]) > len(prefixes[j]) })
	page := ""
	if len(prefixes) > 0 {
		page = s.meta[prefixes[0]]
	}
	s.mu.Unlock()
	if page == "" {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, page)
}

// certificate mints (once per name) a leaf for the name the client asked
// for.
func (s *Server) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := strings.ToLower(hello.ServerName)
	if name == "" {
		name = "127.0.0.1"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.leaves[name]; ok {
		return c, nil
	}
	c, err := mint(s.CA, name)
	if err != nil {
		return nil, err
	}
	s.leaves[name] = c
	return c, nil
}

func mint(ca *certmint.CA, name string) (*tls.Certificate, error) {
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
		Subject:      pkix.Name{CommonName: name},
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
		return nil, fmt.Errorf("gitserver: minting a leaf for %s: %v", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv, Leaf: leaf}, nil
}

// startProxy runs a CONNECT proxy on 127.0.0.1 that tunnels every
// CONNECT, whatever its target, to addr (the TLS server), and returns its
// URL. Anything but CONNECT is answered 405.
func startProxy(t testing.TB, addr string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("gitserver: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]struct{}{}
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	track := func(c net.Conn, add bool) {
		mu.Lock()
		defer mu.Unlock()
		if add {
			conns[c] = struct{}{}
		} else {
			delete(conns, c)
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			track(c, true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer track(c, false)
				defer c.Close()
				tunnel(c, addr, track)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

func tunnel(c net.Conn, addr string, track func(net.Conn, bool)) {
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	up, err := net.Dial("tcp", addr)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	track(up, true)
	defer track(up, false)
	defer up.Close()
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	done := make(chan struct{})
	go func() {
		io.Copy(up, br) // what the client sent after CONNECT, then the rest
		if tc, ok := up.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		close(done)
	}()
	io.Copy(c, up)
	// The server is done: end both sides so the client's keep-alive
	// cannot hold the tunnel open.
	c.Close()
	up.Close()
	<-done
}
