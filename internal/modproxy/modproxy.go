// Package modproxy is a logging Go module proxy for tests. It serves
// in-memory modules over the module proxy protocol (@v/list, .info, .mod,
// .zip and optionally @latest), optionally a checksum database for them
// under /sumdb/<name>/, and records every request it gets, so tests can
// compare the requests a client makes with the requests the go command
// makes. Behaviour can be bent per path: fixed status codes with plain
// text bodies, required credentials, redirects, TLS.
//
// Servers listen on 127.0.0.1 only and close when the test ends.
package modproxy

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/certmint"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/sumdb/note"
	modzip "golang.org/x/mod/zip"
)

// A Module is one module version a Server hosts.
type Module struct {
	Path    string
	Version string
	// GoMod is the go.mod file; if empty, "module <Path>\n".
	GoMod string
	// Files are the files of the module zip, by slash-separated path
	// relative to the module root. If nil, the zip holds go.mod and a
	// small Go file. A "go.mod" entry here overrides GoMod in the zip
	// only.
	Files map[string]string
	// Time is the version's time in .info; if zero, a fixed time.
	Time time.Time
}

func (m Module) gomod() string {
	if m.GoMod != "" {
		return m.GoMod
	}
	return "module " + m.Path + "\n"
}

func (m Module) files() map[string]string {
	if m.Files != nil {
		if _, ok := m.Files["go.mod"]; ok {
			return m.Files
		}
		f := map[string]string{"go.mod": m.gomod()}
		for k, v := range m.Files {
			f[k] = v
		}
		return f
	}
	name := m.Path[strings.LastIndex(m.Path, "/")+1:]
	pkg := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(name))
	if pkg == "" || pkg[0] >= '0' && pkg[0] <= '9' {
		pkg = "p" + pkg
	}
	return map[string]string{"go.mod": m.gomod(), pkg + ".go": "package " + pkg + "\n"}
}

func (m Module) time() time.Time {
	if m.Time.IsZero() {
		return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	}
	return m.Time
}

// A Request is one request the server received.
type Request struct {
	Method string
	// Path is the decoded URL path. Module paths and versions in it are
	// in the module proxy protocol's escaped form ("/example.com/!upper/@v/list").
	Path string
	// RawPath is the path exactly as sent ("/example.com/%21upper/@v/list").
	RawPath string
	// Query is the raw query, without '?'.
	Query string
	// Host is the Host header.
	Host   string
	Header http.Header
	// Status is the status code the server answered with.
	Status int
}

// A Response is a fixed answer for requests whose path starts with a
// prefix (see [Respond]).
type Response struct {
	Status int
	// Body is sent as is; with an empty ContentType it is sent as
	// text/plain; charset=utf-8.
	Body        string
	ContentType string
	Header      http.Header
}

type override struct {
	prefix string
	resp   Response
}

type redirect struct {
	prefix, to string
	code       int
}

type config struct {
	tls       bool
	latest    bool
	base      string
	overrides []override
	redirects []redirect
	basicUser string
	basicPass string
	hdrName   string
	hdrValue  string
	sumdbName string
	handler   func(http.ResponseWriter, *http.Request) bool
	log       *Log
	name      string
}

// A Log records the requests of several servers in one sequence, so tests
// can check the order in which a client tried them. Create one with
// [NewLog] and pass it to each server with [Logged].
type Log struct {
	mu      sync.Mutex
	entries []LogEntry
}

// A LogEntry is one request in a [Log].
type LogEntry struct {
	Server string // the name given to [Logged]
	Request
}

// String returns "server path", with the query if any.
func (e LogEntry) String() string {
	s := e.Server + " " + e.Path
	if e.Query != "" {
		s += "?" + e.Query
	}
	return s
}

// NewLog returns an empty Log.
func NewLog() *Log { return &Log{} }

// Entries returns the requests logged so far, in order.
func (l *Log) Entries() []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LogEntry(nil), l.entries...)
}

// Strings returns the String form of every entry, in order.
func (l *Log) Strings() []string {
	var s []string
	for _, e := range l.Entries() {
		s = append(s, e.String())
	}
	return s
}

// Reset forgets the logged requests.
func (l *Log) Reset() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}

// Logged makes the server also record its requests in l under name.
func Logged(l *Log, name string) Option {
	return func(c *config) { c.log, c.name = l, name }
}

// An Option configures a Server.
type Option func(*config)

// TLS makes the server use https with a certificate for 127.0.0.1 and
// localhost from a fresh test CA; see Server.CAFile.
func TLS() Option { return func(c *config) { c.tls = true } }

// Latest makes the server answer <module>/@latest with the newest version
// (otherwise @latest is 404, as on many proxies).
func Latest() Option { return func(c *config) { c.latest = true } }

// Base serves the proxy under a path prefix such as "/mod"; Server.URL
// includes it.
func Base(prefix string) Option {
	return func(c *config) { c.base = "/" + strings.Trim(prefix, "/") }
}

// Status answers every request whose path (Request.Path) starts with prefix
// (after Base; "" for all) with code and a short text/plain body.
func Status(prefix string, code int) Option {
	return Respond(prefix, Response{Status: code, Body: fmt.Sprintf("modproxy: %d %s\n", code, http.StatusText(code))})
}

// Respond answers every request whose path (Request.Path) starts with prefix
// (after Base; "" for all) with r. Earlier options win.
func Respond(prefix string, r Response) Option {
	return func(c *config) { c.overrides = append(c.overrides, override{prefix, r}) }
}

// Redirect answers requests whose path (Request.Path) starts with prefix (after
// Base) with a 302 to the URL to + the rest of the path (and the query).
func Redirect(prefix, to string) Option {
	return func(c *config) { c.redirects = append(c.redirects, redirect{prefix, to, http.StatusFound}) }
}

// RequireBasic makes every request without these Basic credentials fail
// with 401 and WWW-Authenticate: Basic realm="modproxy".
func RequireBasic(user, password string) Option {
	return func(c *config) { c.basicUser, c.basicPass = user, password }
}

// RequireHeader makes every request whose header name does not equal
// value fail with 401 (with WWW-Authenticate: Bearer realm="modproxy").
func RequireHeader(name, value string) Option {
	return func(c *config) { c.hdrName, c.hdrValue = name, value }
}

// SumDB makes the server host a checksum database named name (a host
// name such as "sum.test") for its modules, under /sumdb/<name>/ (after
// Base): supported, latest, lookup and tile. See Server.SumDBKey.
func SumDB(name string) Option { return func(c *config) { c.sumdbName = name } }

// Handle runs h first for every request (after recording it); if h
// returns true the request is considered answered.
func Handle(h func(w http.ResponseWriter, r *http.Request) bool) Option {
	return func(c *config) { c.handler = h }
}

// A Server is a running logging module proxy.
type Server struct {
	// URL is the proxy's base URL (with Base's prefix), for GOPROXY.
	URL string
	// CAFile is, for a TLS server, the path of a PEM file holding the CA
	// certificate, for SSL_CERT_FILE; CAPEM is its content.
	CAFile string
	CAPEM  []byte
	// SumDBKey is the verifier key of the hosted checksum database, for
	// GOSUMDB ("name+hash+key"), or "".
	SumDBKey string
	// HTTP is the underlying test server.
	HTTP *httptest.Server

	cfg   config
	mods  map[string][]Module // by module path
	zips  map[module.Version][]byte
	sumdb http.Handler

	mu   sync.Mutex
	reqs []Request
}

// New starts a module proxy serving mods and stops it when t ends.
func New(t testing.TB, mods []Module, opts ...Option) *Server {
	t.Helper()
	s := &Server{mods: map[string][]Module{}, zips: map[module.Version][]byte{}}
	for _, o := range opts {
		o(&s.cfg)
	}
	for _, m := range mods {
		if err := module.Check(m.Path, m.Version); err != nil {
			t.Fatalf("modproxy: %v", err)
		}
		s.mods[m.Path] = append(s.mods[m.Path], m)
		z, err := buildZip(m)
		if err != nil {
			t.Fatalf("modproxy: zip for %s@%s: %v", m.Path, m.Version, err)
		}
		s.zips[module.Version{Path: m.Path, Version: m.Version}] = z
	}
	if s.cfg.sumdbName != "" {
		s.setupSumDB(t)
	}
	h := http.HandlerFunc(s.serve)
	if s.cfg.tls {
		ca := certmint.NewCA(t, "modproxy test CA")
		leaf := ca.Leaf(t, []string{"127.0.0.1", "localhost"})
		s.HTTP = certmint.TLSServer(t, h, leaf)
		s.CAPEM = ca.CertPEM
		s.CAFile = filepath.Join(t.TempDir(), "modproxy-ca.pem")
		ca.WriteCertPEM(t, s.CAFile)
	} else {
		s.HTTP = httptest.NewServer(h)
		t.Cleanup(s.HTTP.Close)
	}
	s.URL = s.HTTP.URL + s.cfg.base
	return s
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Paths returns the paths (Request.Path) of the requests received so far,
// in order.
func (s *Server) Paths() []string {
	var p []string
	for _, r := range s.Requests() {
		p = append(p, r.Path)
	}
	return p
}

// Reset forgets the recorded requests.
func (s *Server) Reset() {
	s.mu.Lock()
	s.reqs = nil
	s.mu.Unlock()
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	req := Request{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.RawQuery, Host: r.Host, Header: r.Header.Clone()}
	s.mu.Lock()
	i := len(s.reqs)
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	j := -1
	if l := s.cfg.log; l != nil {
		l.mu.Lock()
		j = len(l.entries)
		l.entries = append(l.entries, LogEntry{Server: s.cfg.name, Request: req})
		l.mu.Unlock()
	}
	defer func() {
		s.mu.Lock()
		if i < len(s.reqs) {
			s.reqs[i].Status = rec.status
		}
		s.mu.Unlock()
		if l := s.cfg.log; l != nil {
			l.mu.Lock()
			if j < len(l.entries) {
				l.entries[j].Status = rec.status
			}
			l.mu.Unlock()
		}
	}()
	s.handle(rec, r)
}

func textError(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, body)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	c := &s.cfg
	if c.handler != nil && c.handler(w, r) {
		return
	}
	if c.basicUser != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != c.basicUser || p != c.basicPass {
			w.Header().Set("WWW-Authenticate", `Basic realm="modproxy"`)
			textError(w, http.StatusUnauthorized, "modproxy: 401 Unauthorized\n")
			return
		}
	}
	if c.hdrName != "" && r.Header.Get(c.hdrName) != c.hdrValue {
		w.Header().Set("WWW-Authenticate", `Bearer realm="modproxy"`)
		textError(w, http.StatusUnauthorized, "modproxy: 401 Unauthorized\n")
		return
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, c.base+"/") {
		textError(w, http.StatusNotFound, "modproxy: not found\n")
		return
	}
	p = strings.TrimPrefix(p, c.base)
	for _, rd := range c.redirects {
		if strings.HasPrefix(p, rd.prefix) {
			to := rd.to + strings.TrimPrefix(p, rd.prefix)
			if r.URL.RawQuery != "" {
				to += "?" + r.URL.RawQuery
			}
			w.Header().Set("Location", to)
			w.WriteHeader(rd.code)
			return
		}
	}
	for _, o := range c.overrides {
		if strings.HasPrefix(p, o.prefix) {
			for k, v := range o.resp.Header {
				w.Header()[k] = v
			}
			ct := o.resp.ContentType
			if ct == "" {
				ct = "text/plain; charset=utf-8"
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(o.resp.Status)
			io.WriteString(w, o.resp.Body)
			return
		}
	}
	if rest, ok := strings.CutPrefix(p, "/sumdb/"); ok {
		s.serveSumDB(w, r, rest)
		return
	}
	s.serveModule(w, p)
}

func (s *Server) serveModule(w http.ResponseWriter, p string) {
	notFound := func() { textError(w, http.StatusNotFound, "not found: "+p+"\n") }
	encPath, file, ok := strings.Cut(p[1:], "/@")
	if !ok {
		notFound()
		return
	}
	path, err := module.UnescapePath(encPath)
	if err != nil {
		textError(w, http.StatusBadRequest, "bad module path\n")
		return
	}
	mods := s.mods[path]
	if file == "latest" {
		if !s.cfg.latest || len(mods) == 0 {
			notFound()
			return
		}
		best := mods[0]
		for _, m := range mods[1:] {
			if semver.Compare(m.Version, best.Version) > 0 {
				best = m
			}
		}
		writeInfo(w, best)
		return
	}
	if file == "v/list" {
		var vs []string
		for _, m := range mods {
			vs = append(vs, m.Version)
		}
		semver.Sort(vs)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, v := range vs {
			fmt.Fprintln(w, v)
		}
		return
	}
	rest, ok := strings.CutPrefix(file, "v/")
	dot := strings.LastIndex(rest, ".")
	if !ok || dot < 0 {
		notFound()
		return
	}
	vers, err := module.UnescapeVersion(rest[:dot])
	if err != nil {
		notFound()
		return
	}
	for _, m := range mods {
		if m.Version != vers {
			continue
		}
		switch rest[dot+1:] {
		case "info":
			writeInfo(w, m)
		case "mod":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, m.gomod())
		case "zip":
			w.Header().Set("Content-Type", "application/zip")
			w.Write(s.zips[module.Version{Path: m.Path, Version: m.Version}])
		default:
			notFound()
		}
		return
	}
	notFound()
}

func writeInfo(w http.ResponseWriter, m Module) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Version string
		Time    time.Time
	}{m.Version, m.time()})
}

// memFile is an in-memory file for golang.org/x/mod/zip.
type memFile struct {
	name string
	data string
}

func (f memFile) Path() string                 { return f.name }
func (f memFile) Lstat() (fs.FileInfo, error)  { return memInfo(f), nil }
func (f memFile) Open() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(f.data)), nil }

type memInfo memFile

func (i memInfo) Name() string       { return filepath.Base(i.name) }
func (i memInfo) Size() int64        { return int64(len(i.data)) }
func (i memInfo) Mode() fs.FileMode  { return 0o644 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

func sortedFiles(m Module) []modzip.File {
	var fs []modzip.File
	for name, data := range m.files() {
		fs = append(fs, memFile{name, data})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Path() < fs[j].Path() })
	return fs
}

func buildZip(m Module) ([]byte, error) {
	var buf bytes.Buffer
	err := modzip.Create(&buf, module.Version{Path: m.Path, Version: m.Version}, sortedFiles(m))
	return buf.Bytes(), err
}

// Zip returns the module zip served for path@version, or nil.
func (s *Server) Zip(path, version string) []byte {
	return s.zips[module.Version{Path: path, Version: version}]
}

// GoSum returns the go.sum lines (zip hash, then go.mod hash) for a hosted
// module version.
func (s *Server) GoSum(path, version string) ([]byte, error) {
	for _, m := range s.mods[path] {
		if m.Version == version {
			return goSumLines(m, s.zips[module.Version{Path: path, Version: version}])
		}
	}
	return nil, fmt.Errorf("modproxy: %s@%s not hosted", path, version)
}

func goSumLines(m Module, z []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		return nil, err
	}
	var names []string
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		byName[f.Name] = f
	}
	h, err := dirhash.Hash1(names, func(name string) (io.ReadCloser, error) { return byName[name].Open() })
	if err != nil {
		return nil, err
	}
	gm := m.gomod()
	hm, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(gm)), nil
	})
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, "%s %s %s\n%s %s/go.mod %s\n", m.Path, m.Version, h, m.Path, m.Version, hm), nil
}

func (s *Server) setupSumDB(t testing.TB) {
	skey, vkey, err := note.GenerateKey(rand.Reader, s.cfg.sumdbName)
	if err != nil {
		t.Fatalf("modproxy: sumdb key: %v", err)
	}
	s.SumDBKey = vkey
	ts := sumdb.NewTestServer(skey, func(path, vers string) ([]byte, error) {
		return s.GoSum(path, vers)
	})
	s.sumdb = sumdb.NewServer(ts)
}

func (s *Server) serveSumDB(w http.ResponseWriter, r *http.Request, rest string) {
	name := s.cfg.sumdbName
	sub, ok := strings.CutPrefix(rest, name+"/")
	if name == "" || !ok {
		textError(w, http.StatusNotFound, "modproxy: no such checksum database\n")
		return
	}
	if sub == "supported" {
		w.WriteHeader(http.StatusOK)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + sub
	r2.URL.RawPath = ""
	s.sumdb.ServeHTTP(w, r2)
}

// SumDBURL returns the hosted checksum database's base URL.
func (s *Server) SumDBURL() string { return s.URL + "/sumdb/" + s.cfg.sumdbName }

// WriteDir writes the hosted modules to dir laid out as a module proxy
// (for a file:// GOPROXY): <escaped path>/@v/list, .info, .mod, .zip.
func (s *Server) WriteDir(t testing.TB, dir string) {
	t.Helper()
	for path, mods := range s.mods {
		enc, err := module.EscapePath(path)
		if err != nil {
			t.Fatal(err)
		}
		d := filepath.Join(dir, filepath.FromSlash(enc), "@v")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		var list []string
		for _, m := range mods {
			ev, err := module.EscapeVersion(m.Version)
			if err != nil {
				t.Fatal(err)
			}
			list = append(list, m.Version)
			var info bytes.Buffer
			json.NewEncoder(&info).Encode(struct {
				Version string
				Time    time.Time
			}{m.Version, m.time()})
			for ext, data := range map[string][]byte{"info": info.Bytes(), "mod": []byte(m.gomod()), "zip": s.Zip(m.Path, m.Version)} {
				if err := os.WriteFile(filepath.Join(d, ev+"."+ext), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		semver.Sort(list)
		if err := os.WriteFile(filepath.Join(d, "list"), []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BasicAuth returns the Authorization header value for Basic credentials.
func BasicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}
