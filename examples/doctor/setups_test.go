package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/certmint"
	"github.com/modnet/modnet/internal/gitserver"
	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/mitmproxy"
	"github.com/modnet/modnet/internal/modproxy"
)

// The tests below run doctor on broken (and fixed) setups and check its
// text output; -update-excerpts is not needed: each test logs its output
// with t.Log, visible with go test -v.

var exampleMods = []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}

// credentialSetup is a TLS module proxy requiring alice's Basic
// credentials and an environment whose netrc holds netrcText (with HOST
// replaced by the proxy's host:port).
func credentialSetup(t *testing.T, netrcText string) (*gooracle.Go, string) {
	t.Helper()
	s := modproxy.New(t, exampleMods, modproxy.TLS(), modproxy.RequireBasic("alice", "right-pass-123"))
	g := gooracle.New(t)
	netrc := filepath.Join(g.Dir, "netrc")
	host := strings.TrimPrefix(s.URL, "https://")
	if err := os.WriteFile(netrc, []byte(strings.ReplaceAll(netrcText, "HOST", host)), 0o600); err != nil {
		t.Fatal(err)
	}
	g.Set("NETRC", netrc)
	g.Set("GOPROXY", s.URL)
	g.Set("SSL_CERT_FILE", s.CAFile)
	return g, netrc
}

// TestSetupRightPassword: a private proxy with a correct netrc entry is
// no alarm (the probe sends the credentials the go command sends), and
// the credential used is named without its secret.
func TestSetupRightPassword(t *testing.T) {
	t.Parallel()
	g, netrc := credentialSetup(t, "machine HOST login alice password right-pass-123\n")
	ds, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil || len(ds) != 1 || ds[0].Error != "" {
		t.Fatalf("go mod download: %+v %v; want success", ds, err)
	}
	code, text, stderr := doctor(t, g, "-probe", "-v", "-x", "example.com/m@v1.0.0")
	t.Logf("doctor -probe -v -x:\n%s\nstderr:\n%s", text, stderr)
	if code != 0 {
		t.Errorf("exit %d, want 0 (the go command succeeds); stderr:\n%s", code, stderr)
	}
	for _, s := range []string{"ok    proxy", "credential: netrc " + netrc + ":1 (login alice) for 127.0.0.1:"} {
		if !strings.Contains(text, s) {
			t.Errorf("output lacks %q:\n%s", s, text)
		}
	}
	basic := base64.StdEncoding.EncodeToString([]byte("alice:right-pass-123"))
	_, js, _ := doctor(t, g, "-json", "-probe", "-x", "-v", "example.com/m@v1.0.0")
	for _, out := range []string{text, stderr, js} {
		for _, secret := range []string{"right-pass-123", basic} {
			if strings.Contains(out, secret) {
				t.Errorf("output reveals %q:\n%s", secret, out)
			}
		}
	}
}

// TestSetupWrongPassword: the 401 names the netrc entry that was refused.
func TestSetupWrongPassword(t *testing.T) {
	t.Parallel()
	g, netrc := credentialSetup(t, "machine other.example login bob password x\nmachine HOST login alice password wrong-pass-456\n")
	ds, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil || len(ds) != 1 || !strings.Contains(ds[0].Error, "401 Unauthorized") {
		t.Fatalf("go mod download: %+v %v; want a 401 failure", ds, err)
	}
	code, text, _ := doctor(t, g, "-probe", "example.com/m@v1.0.0")
	t.Logf("doctor -probe:\n%s", text)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, s := range []string{"FAIL  proxy", "http-status: 401 Unauthorized", "refused the credential sent (netrc " + netrc + ":2 (login alice)"} {
		if !strings.Contains(text, s) {
			t.Errorf("output lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "wrong-pass-456") {
		t.Errorf("output reveals the password:\n%s", text)
	}

	// No entry at all: the hint says none applies and how to add one.
	g2, _ := credentialSetup(t, "machine other.example login bob password x\n")
	_, text, _ = doctor(t, g2, "-probe", "example.com/m@v1.0.0")
	for _, s := range []string{"credential: none applies", "none applies to https://127.0.0.1:", `add a netrc line "machine 127.0.0.1:`} {
		if !strings.Contains(text, s) {
			t.Errorf("without an entry: output lacks %q:\n%s", s, text)
		}
	}
}

// TestSetupSelfSigned: a self-signed server is classified, -save-chain
// writes what it presented, and -ca with that file is honoured.
func TestSetupSelfSigned(t *testing.T) {
	t.Parallel()
	leaf := certmint.SelfSigned(t, []string{"127.0.0.1"})
	srv := certmint.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	}), leaf)
	g := gooracle.New(t)
	g.Set("GOPROXY", srv.URL)
	dir := filepath.Join(g.Dir, "chains")
	code, text, _ := doctor(t, g, "-probe", "-save-chain", dir, "example.com/m@v1.0.0")
	t.Logf("doctor -probe:\n%s", text)
	if code != 1 || !strings.Contains(text, "FAIL  proxy") || !strings.Contains(text, "self-signed") {
		t.Errorf("exit %d, want 1 and a self-signed failure:\n%s", code, text)
	}
	host := strings.TrimPrefix(srv.URL, "https://")
	saved := filepath.Join(dir, strings.ReplaceAll(host, ":", "_")+".pem")
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatalf("-save-chain: %v", err)
	}
	if !bytes.Equal(bytes.TrimSpace(data), bytes.TrimSpace(leaf.CertPEM)) {
		t.Errorf("%s holds\n%s\nwant the presented certificate\n%s", saved, data, leaf.CertPEM)
	}
}

// TestSetupCA: -ca FILE adds a CA to the system roots.
func TestSetupCA(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, exampleMods, modproxy.TLS())
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	if code, text, _ := doctor(t, g, "-probe", "example.com/m@v1.0.0"); code != 1 {
		t.Fatalf("without -ca: exit %d, want 1:\n%s", code, text)
	}
	code, text, _ := doctor(t, g, "-probe", "-ca", s.CAFile, "example.com/m@v1.0.0")
	t.Logf("doctor -probe -ca:\n%s", text)
	if code != 0 || !strings.Contains(text, "ok    proxy") || !strings.Contains(text, "extra-file "+s.CAFile+": 1 root") {
		t.Errorf("with -ca: exit %d, want 0, the proxy ok and the CA file listed:\n%s", code, text)
	}
	code, text, _ = doctor(t, g, "-ca", filepath.Join(g.Dir, "missing.pem"), "example.com/m@v1.0.0")
	if code != 1 || !strings.Contains(text, "error: ") || !strings.Contains(text, "missing.pem") {
		t.Errorf("-ca with a missing file: exit %d, want 1 and an error naming it:\n%s", code, text)
	}
}

// TestSetupInterception: TLS interception through HTTPS_PROXY is named,
// and the hint claims the checksum database protects the content only
// when the route consults it.
func TestSetupInterception(t *testing.T) {
	t.Parallel()
	mitm := mitmproxy.Start(t, mitmproxy.Options{})
	for _, tt := range []struct {
		gonosumdb string
		claim     bool
	}{{"", true}, {"example.com", false}} {
		g := gooracle.New(t)
		g.Set("GOPROXY", "https://proxy.corp.example")
		g.Set("GOSUMDB", "sum.golang.org https://sum.corp.example")
		g.Set("GONOSUMDB", tt.gonosumdb)
		g.Set("HTTPS_PROXY", mitm.URL.String())
		code, text, _ := doctor(t, g, "-probe", "example.com/m@v1.0.0")
		t.Logf("GONOSUMDB=%q: doctor -probe:\n%s", tt.gonosumdb, text)
		if !strings.Contains(text, "\n    FAIL  sumdb") == tt.claim {
			t.Fatalf("GONOSUMDB=%q: checksum database probed: %v, want %v:\n%s", tt.gonosumdb, !tt.claim, tt.claim, text)
		}
		if code != 1 || !strings.Contains(text, "unknown-authority") || !strings.Contains(text, "intercepted by a TLS-inspecting proxy") {
			t.Errorf("GONOSUMDB=%q: exit %d, want 1 and an interception diagnosis:\n%s", tt.gonosumdb, code, text)
		}
		proxyLine := text[strings.Index(text, "FAIL  proxy"):]
		if i := strings.Index(proxyLine, "\n    FAIL  sumdb"); i >= 0 {
			proxyLine = proxyLine[:i]
		}
		if got := strings.Contains(proxyLine, "stays authenticated by GOSUMDB"); got != tt.claim {
			t.Errorf("GONOSUMDB=%q: proxy hint claims GOSUMDB protection: %v, want %v:\n%s", tt.gonosumdb, got, tt.claim, proxyLine)
		}
	}
}

// TestSetupExpired: an expired server certificate.
func TestSetupExpired(t *testing.T) {
	t.Parallel()
	ca := certmint.NewCA(t, "Expired Test CA")
	leaf := ca.Leaf(t, []string{"127.0.0.1"}, certmint.WithValidity(time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)))
	srv := certmint.TLSServer(t, http.HandlerFunc(http.NotFound), leaf)
	g := gooracle.New(t)
	caFile := filepath.Join(g.Dir, "ca.pem")
	ca.WriteCertPEM(t, caFile)
	g.Set("GOPROXY", srv.URL)
	g.Set("SSL_CERT_FILE", caFile)
	code, text, _ := doctor(t, g, "-probe", "example.com/m@v1.0.0")
	t.Logf("doctor -probe:\n%s", text)
	if code != 1 || !strings.Contains(text, "FAIL  proxy") || !strings.Contains(text, ": expired: ") || !strings.Contains(text, ", expired ") {
		t.Errorf("exit %d, want 1 and an expired failure:\n%s", code, text)
	}
}

// TestSetupGOPRIVATESpace: a space after a comma in GOPRIVATE is a
// warning, exit 0.
func TestSetupGOPRIVATESpace(t *testing.T) {
	t.Parallel()
	g := gooracle.New(t)
	g.Set("GOPRIVATE", "a.example, b.example")
	code, text, _ := doctor(t, g, "b.example/m")
	t.Logf("doctor:\n%s", text)
	if code != 0 || !strings.Contains(text, "warning: GOPRIVATE: ") || !strings.Contains(text, `" b.example"`) {
		t.Errorf("exit %d, want 0 and a GOPRIVATE warning about \" b.example\":\n%s", code, text)
	}
}

// TestSetupNoGoInstallation: without a go binary or GOROOT, the defaults
// of the release doctor was built with apply.
func TestSetupNoGoInstallation(t *testing.T) {
	t.Parallel()
	g := gooracle.New(t)
	g.Set("PATH", filepath.Join(g.Dir, "empty"))
	g.Unset("GOROOT")
	g.Unset("GOPROXY")
	g.Unset("GOSUMDB")
	var stdout, stderr bytes.Buffer
	code := runConfig(context.Background(), []string{"-json", "example.com/m"}, config{lookupEnv: g.Get, stdout: &stdout, stderr: &stderr, buildGOROOT: func() string { return "" }})
	var out output
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || code != 0 {
		t.Fatalf("exit %d, %v\n%s", code, err, stderr.String())
	}
	if v := out.Env["GOPROXY"]; v.Value != "https://proxy.golang.org,direct" || v.Source != "release" {
		t.Errorf("GOPROXY = %+v, want the release default", v)
	}
	stdout.Reset()
	runConfig(context.Background(), []string{"example.com/m"}, config{lookupEnv: g.Get, stdout: &stdout, stderr: &stderr, buildGOROOT: func() string { return "" }})
	t.Logf("doctor:\n%s", stdout.String())
	if !strings.Contains(stdout.String(), "(no Go installation found)") {
		t.Errorf("text output does not say no Go installation was found:\n%s", stdout.String())
	}
}

// TestTrustWarningsWithoutProbe: problems with the trust sources are
// reported without -probe.
func TestTrustWarningsWithoutProbe(t *testing.T) {
	t.Parallel()
	g0 := gooracle.New(t)
	der := filepath.Join(g0.Dir, "ca.der")
	ca := certmint.NewCA(t, "DER CA")
	if err := os.WriteFile(der, ca.Cert.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(g0.Dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	expired := filepath.Join(g0.Dir, "expired.pem")
	old := certmint.NewCA(t, "Expired Root", certmint.WithValidity(time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)))
	old.WriteCertPEM(t, expired)
	for _, tt := range []struct{ name, file, kind string }{
		{"expired root", expired, "expired-root"},
		{"missing", filepath.Join(g0.Dir, "nonexistent.pem"), "ssl-cert-file-missing"},
		{"der", der, ""},
		{"garbage", garbage, ""},
	} {
		g := gooracle.New(t)
		g.Set("SSL_CERT_FILE", tt.file)
		code, out, _ := doctorJSON(t, g, "example.com/m")
		var kinds []string
		for _, d := range out.Diagnostics {
			if d.Topic == "trust" {
				kinds = append(kinds, d.Kind)
			}
		}
		if len(kinds) == 0 || (tt.kind != "" && kinds[0] != tt.kind) {
			t.Errorf("SSL_CERT_FILE %s: trust diagnostics %v (exit %d), want a warning %s", tt.name, kinds, code, tt.kind)
		}
		_, text, _ := doctor(t, g, "example.com/m")
		if !strings.Contains(text, "warning: "+tt.file) && !strings.Contains(text, "warning: SSL_CERT_FILE="+tt.file) {
			t.Errorf("SSL_CERT_FILE %s: text lacks the trust warning:\n%s", tt.name, text)
		}
		if tt.name == "der" {
			t.Logf("doctor (DER SSL_CERT_FILE):\n%s", text)
		}
	}
}

// TestJSONSchema: the JSON output names its schema and gives durations
// as strings.
func TestJSONSchema(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, exampleMods, modproxy.TLS())
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	g.Set("SSL_CERT_FILE", s.CAFile)
	_, stdout, _ := doctor(t, g, "-json", "-probe", "example.com/m@v1.0.0")
	var raw struct {
		Schema  string `json:"schema"`
		Modules []struct {
			Sources []map[string]any `json:"sources"`
		} `json:"modules"`
	}
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Schema != "modnet.doctor/v1" {
		t.Errorf("schema = %q, want modnet.doctor/v1", raw.Schema)
	}
	src := raw.Modules[0].Sources[0]
	el, ok := src["elapsed"].(string)
	if !ok || !regexp.MustCompile(`^[0-9.]+(µs|ms|s)$`).MatchString(el) {
		t.Errorf("elapsed = %#v, want a duration string like \"12ms\"", src["elapsed"])
	}
	if _, ok := src["elapsedNs"]; ok {
		t.Errorf("source has elapsedNs: %v", src)
	}
}

func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	lookup := func(string) (string, bool) { return "", false }
	if code := run(context.Background(), []string{"-h"}, lookup, &stdout, &stderr); code != 0 {
		t.Errorf("doctor -h: exit %d, want 0", code)
	}
	if !strings.Contains(stderr.String(), "-save-chain") {
		t.Errorf("usage lacks -save-chain:\n%s", stderr.String())
	}
}

// TestTrace: -x prints each request like the go command's -x: the same
// lines for the same first request of "go mod download -x".
func TestTrace(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, exampleMods, modproxy.TLS())
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	g.Set("SSL_CERT_FILE", s.CAFile)
	u := regexp.QuoteMeta(s.URL + "/example.com/m/@v/v1.0.0.info")
	want := regexp.MustCompile(`(?m)^# get ` + u + "\n# get " + u + `: 200 OK \([0-9]+\.[0-9]{3}s\)$`)
	_, goStderr, err := g.Run(context.Background(), "mod", "download", "-x", "example.com/m@v1.0.0")
	if err != nil || !want.Match(goStderr) {
		t.Fatalf("go mod download -x: %v\n%s\nwant lines matching %s", err, goStderr, want)
	}
	_, _, stderr := doctor(t, g, "-x", "-probe", "example.com/m@v1.0.0")
	if !want.MatchString(stderr) {
		t.Errorf("stderr:\n%s\nwant lines matching %s", stderr, want)
	}
}

// TestProgress: -v reports a request as it starts, so a hung server does
// not mean a silent wait.
func TestProgress(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	g := gooracle.New(t)
	g.Set("GOPROXY", "https://"+ln.Addr().String())
	w := &timedWriter{start: time.Now()}
	var stdout bytes.Buffer
	code := run(context.Background(), []string{"-v", "-probe", "-timeout", "1s", "example.com/m@v1.0.0"}, g.Get, &stdout, w)
	end := time.Since(w.start)
	if code != 1 || !strings.Contains(stdout.String(), "timeout") {
		t.Errorf("exit %d, want 1 and a timeout:\n%s", code, stdout.String())
	}
	at, ok := w.firstWith("requesting")
	if !ok {
		t.Fatalf("no progress line for the request on stderr:\n%s", w.String())
	}
	if end-at < 800*time.Millisecond {
		t.Errorf("progress line written %v after the start, %v before the end; want it before the hang", at, end-at)
	}
}

type timedWriter struct {
	start time.Time
	mu    sync.Mutex
	buf   bytes.Buffer
	lines []timedLine
}

type timedLine struct {
	at   time.Duration
	text string
}

func (w *timedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, timedLine{time.Since(w.start), string(p)})
	return w.buf.Write(p)
}

func (w *timedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func (w *timedWriter) firstWith(s string) (time.Duration, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.lines {
		if strings.Contains(l.text, s) {
			return l.at, true
		}
	}
	return 0, false
}

// TestSetupGOAUTHCommand: a GOAUTH command's credential is sent, named by
// the command, and never printed.
func TestSetupGOAUTHCommand(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, exampleMods, modproxy.TLS(), modproxy.RequireHeader("Authorization", "Bearer cmd-token-789"))
	g := gooracle.New(t)
	script := filepath.Join(g.Dir, "auth.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '"+s.URL+"\\n\\nAuthorization: Bearer cmd-token-789\\n\\n'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	g.Set("GOAUTH", script)
	g.Set("GOPROXY", s.URL)
	g.Set("SSL_CERT_FILE", s.CAFile)
	ds, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil || len(ds) != 1 || ds[0].Error != "" {
		t.Fatalf("go mod download: %+v %v; want success", ds, err)
	}
	code, text, stderr := doctor(t, g, "-probe", "-x", "example.com/m@v1.0.0")
	t.Logf("doctor -probe:\n%s", text)
	want := `credential: GOAUTH command "` + script + `" (Bearer) for 127.0.0.1:`
	if code != 0 || !strings.Contains(text, "ok    proxy") || !strings.Contains(text, want) {
		t.Errorf("exit %d, want 0, the proxy ok and %q:\n%s", code, want, text)
	}
	if strings.Contains(text+stderr, "cmd-token-789") {
		t.Errorf("output reveals the token:\n%s\n%s", text, stderr)
	}
}

// TestInvalidGOAUTHProbe: with a GOAUTH the go command refuses, probes
// cannot run like the go command's requests: an error, not a crash.
func TestInvalidGOAUTHProbe(t *testing.T) {
	t.Parallel()
	g := gooracle.New(t)
	g.Set("GOAUTH", "off;netrc")
	code, out, stderr := doctorJSON(t, g, "-probe", "example.com/m@v1.0.0")
	found := false
	for _, d := range out.Diagnostics {
		found = found || (d.Topic == "probe" && d.Severity == "error" && strings.Contains(d.Message, "GOAUTH"))
	}
	if code != 1 || !found {
		t.Errorf("exit %d, diagnostics %+v; want 1 and a probe error naming GOAUTH (stderr %s)", code, out.Diagnostics, stderr)
	}
}

// TestDoctorDirectGitTrust is the classic "works in the browser, fails in
// go mod tidy": the go-get page verifies with Go's roots (SSL_CERT_FILE),
// but the go command's git does not read SSL_CERT_FILE. doctor -probe
// shows the repository and says so, naming the fix.
func TestDoctorDirectGitTrust(t *testing.T) {
	gooracle.Required(t)
	gitserver.Required(t)
	t.Parallel()
	srv := gitserver.Start(t, gitserver.Options{})
	r := gitserver.NewRepo(t, filepath.Join(srv.Root, "git.corp.example/team/lib"))
	r.Write("go.mod", "module git.corp.example/team/lib\n")
	r.Commit("first")
	r.Tag("v1.0.0")
	srv.GoGet("git.corp.example/team/lib", "git.corp.example/team/lib git https://git.corp.example/team/lib")

	g := gooracle.New(t)
	var environ []string
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if k == "GIT_SSL_CAINFO" {
			continue // git is not told about the CA
		}
		g.Set(k, v)
		environ = append(environ, kv)
	}
	home, _ := g.Get("HOME")
	environ = append(environ, "PATH="+os.Getenv("PATH"), "HOME="+home)
	g.Set("GOPRIVATE", "git.corp.example")
	var stdout, stderr bytes.Buffer
	code := runConfig(context.Background(), []string{"-probe", "git.corp.example/team/lib"}, config{
		lookupEnv: g.Get, stdout: &stdout, stderr: &stderr, environ: func() []string { return environ },
	})
	out := stdout.String()
	t.Logf("doctor -probe:\n%s", out)
	for _, want := range []string{
		"repository (direct):",
		"git https://git.corp.example/team/lib for git.corp.example/team/lib",
		"GOVCS: git allowed for private git.corp.example/team/lib by rule private:all",
		"git as the go command runs it: fatal: unable to access",
		"git with modnet's roots, proxy and credentials: ok",
		"hint: Go's TLS to git.corp.example/team/lib verifies, but the go command's git does not trust the server",
		"GIT_CONFIG_KEY_0=http.https://git.corp.example/.sslCAInfo",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q", want)
		}
	}
	if code != 0 {
		t.Errorf("exit %d, want 0 (modnet's git reaches the repository)\nstderr: %s", code, stderr.String())
	}

	// Without -probe: discovery only, no git.
	stdout.Reset()
	runConfig(context.Background(), []string{"git.corp.example/team/lib"}, config{
		lookupEnv: g.Get, stdout: &stdout, stderr: &stderr, environ: func() []string { return environ },
	})
	out = stdout.String()
	if !strings.Contains(out, "git https://git.corp.example/team/lib for git.corp.example/team/lib") || strings.Contains(out, "git as the go command runs it") {
		t.Errorf("doctor without -probe should show the repository and run no git:\n%s", out)
	}
}
