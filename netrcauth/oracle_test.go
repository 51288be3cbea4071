package netrcauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
)

// The differential tests run "go mod download -json" against a local TLS
// module proxy and then the same downloads through Transport against the
// same proxy, and compare the requests the proxy saw, credentials included.

var oracleModules = []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}

// authHeaders are the request fields the comparison looks at.
var authHeaders = []string{"Authorization", "Private-Token", "X-Token"}

// trace renders the requests a server saw, one line per request.
func trace(reqs []modproxy.Request) []string {
	var out []string
	for _, r := range reqs {
		s := r.Method + " " + r.RawPath
		if r.Query != "" {
			s += "?" + r.Query
		}
		for _, h := range authHeaders {
			if v := r.Header.Values(h); len(v) > 0 {
				s += fmt.Sprintf(" %s=%q", h, v)
			}
		}
		s += fmt.Sprintf(" -> %d", r.Status)
		out = append(out, s)
	}
	return out
}

// goEnv describes one go command configuration for a differential run.
type goEnv struct {
	goauth string              // GOAUTH ("" leaves it unset: default netrc)
	netrc  string              // netrc content; {{HOST}} is the proxy's host:port
	proxy  func(string) string // turns the proxy URL into GOPROXY (nil: as is)
	env    map[string]string   // extra variables for the go command
	cas    [][]byte            // more CA certificates (PEM) to trust
}

func expand(s, host string) string { return strings.ReplaceAll(s, "{{HOST}}", host) }

// runGoDownload runs the go command for example.com/m@v1.0.0 through srv and
// returns what srv saw.
func runGoDownload(t *testing.T, srv *modproxy.Server, e goEnv) ([]string, string) {
	t.Helper()
	g := gooracle.New(t)
	host := strings.TrimPrefix(strings.TrimPrefix(srv.HTTP.URL, "https://"), "http://")
	proxy := srv.URL
	if e.proxy != nil {
		proxy = e.proxy(proxy)
	}
	g.Set("GOPROXY", proxy)
	g.Set("SSL_CERT_FILE", srv.CAFile)
	if len(e.cas) > 0 {
		bundle := slices.Concat(append([][]byte{srv.CAPEM}, e.cas...)...)
		f := filepath.Join(g.Dir, "cas.pem")
		if err := os.WriteFile(f, bundle, 0o644); err != nil {
			t.Fatal(err)
		}
		g.Set("SSL_CERT_FILE", f)
	}
	netrc := filepath.Join(g.Dir, "netrc")
	if err := os.WriteFile(netrc, []byte(expand(e.netrc, host)), 0o600); err != nil {
		t.Fatal(err)
	}
	g.Set("NETRC", netrc)
	if e.goauth != "" {
		g.Set("GOAUTH", expand(e.goauth, host))
	}
	for k, v := range e.env {
		g.Set(k, v)
	}
	srv.Reset()
	ds, stderr, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil {
		t.Fatalf("go mod download: %v\n%s", err, stderr)
	}
	errText := ""
	if len(ds) > 0 {
		errText = ds[0].Error
	}
	return trace(srv.Requests()), errText
}

// testClient returns a client trusting srv's CA through a Transport with a.
func testBase(t testing.TB, pems ...[]byte) *http.Transport {
	pool := x509.NewCertPool()
	for _, p := range pems {
		if p == nil {
			continue // a plain http server
		}
		if !pool.AppendCertsFromPEM(p) {
			t.Fatal("bad CA PEM")
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// runOurDownload fetches .info, .mod and .zip of example.com/m@v1.0.0 like
// the go command (stopping at the first non-200 answer) through a Transport
// built from e, and returns what srv saw.
func runOurDownload(t *testing.T, srv *modproxy.Server, e goEnv, tweak func(*Config)) []string {
	tr, _ := runOurDownloadErr(t, srv, e, tweak)
	return tr
}

// runOurDownloadErr is runOurDownload also returning the text of an
// *InsecureURLError that stopped it.
func runOurDownloadErr(t *testing.T, srv *modproxy.Server, e goEnv, tweak func(*Config)) (tr []string, ourErr string) {
	t.Helper()
	host := strings.TrimPrefix(strings.TrimPrefix(srv.HTTP.URL, "https://"), "http://")
	dir := t.TempDir()
	netrc := filepath.Join(dir, "netrc")
	if err := os.WriteFile(netrc, []byte(expand(e.netrc, host)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{GOAUTH: expand(e.goauth, host), NetrcFile: netrc, Env: childEnv(t, e.env)}
	if tweak != nil {
		tweak(&cfg)
	}
	a, err := cfg.Build()
	if err != nil {
		t.Fatalf("Config.New: %v", err)
	}
	client := &http.Client{Transport: &Transport{Base: testBase(t, append([][]byte{srv.CAPEM}, e.cas...)...), Auth: a}, CheckRedirect: CheckRedirect}
	proxy := srv.URL
	if e.proxy != nil {
		proxy = e.proxy(proxy)
	}
	srv.Reset()
	for _, ext := range []string{"info", "mod", "zip"} {
		req, err := http.NewRequest("GET", proxy+"/example.com/m/@v/v1.0.0."+ext, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := a.Do(client, req)
		if err != nil {
			var ie *InsecureURLError
			if errors.As(err, &ie) {
				ourErr = ie.Error()
			}
			t.Logf("GET .%s: %v", ext, err)
			break
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			break
		}
	}
	a.Wait()
	return trace(srv.Requests()), ourErr
}

// childEnv is the environment for GOAUTH commands in tests: PATH and HOME
// only, plus extra.
func childEnv(t testing.TB, extra map[string]string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return env
}

var _ = url.Parse

func withUserinfo(userinfo string) func(string) string {
	return func(s string) string { return strings.Replace(s, "://", "://"+userinfo+"@", 1) }
}

// TestOracleNetrc proves each rule of the go command's netrc grammar and
// matching with the Authorization header the go binary sends.
func TestOracleNetrc(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	srv := modproxy.New(t, oracleModules, modproxy.TLS())
	basic := modproxy.New(t, oracleModules, modproxy.TLS(), modproxy.RequireBasic("alice", "s3cret"))
	based := modproxy.New(t, oracleModules, modproxy.TLS(), modproxy.Base("/mod"))
	forbidden := modproxy.New(t, oracleModules, modproxy.TLS(), modproxy.Status("/example.com/m/@v/v1.0.0.mod", 403))
	plain := modproxy.New(t, oracleModules)
	tests := []struct {
		name  string
		srv   *modproxy.Server
		e     goEnv
		want0 string // expected Authorization of the first request ("" none)
	}{
		{"simple", srv, goEnv{netrc: "machine {{HOST}} login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"host-only entry does not match a port", srv, goEnv{netrc: "machine 127.0.0.1 login alice password s3cret\n"}, ""},
		{"path prefix", srv, goEnv{netrc: "machine {{HOST}}/example.com login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"other path prefix", srv, goEnv{netrc: "machine {{HOST}}/example.org login alice password s3cret\n"}, ""},
		{"longest prefix wins", srv, goEnv{netrc: "machine {{HOST}} login a password b\nmachine {{HOST}}/example.com/m login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"https scheme in machine", srv, goEnv{netrc: "machine https://{{HOST}}/ login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"first duplicate wins", srv, goEnv{netrc: "machine {{HOST}} login alice password s3cret\nmachine {{HOST}} login bob password other\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"login-only dropped", srv, goEnv{netrc: "machine {{HOST}} login alice\nmachine {{HOST}} login bob password other\n"}, "Basic Ym9iOm90aGVy"},
		{"pairs over lines", srv, goEnv{netrc: "machine {{HOST}}\n\tlogin alice\n\tpassword s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"key and value split", srv, goEnv{netrc: "machine\n{{HOST}}\nlogin alice password s3cret\n"}, ""},
		{"lone default stops", srv, goEnv{netrc: "default\nmachine {{HOST}} login alice password s3cret\n"}, ""},
		{"default pair ignored", srv, goEnv{netrc: "default login x password y\nmachine {{HOST}} login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"comment is live", srv, goEnv{netrc: "# old: machine {{HOST}} login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"odd comment is not", srv, goEnv{netrc: "# machine {{HOST}} login alice password s3cret\n"}, ""},
		{"macdef ends at empty line", srv, goEnv{netrc: "macdef init\nmachine {{HOST}} login evil password x\n\nmachine {{HOST}} login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"macdef swallows CRLF", srv, goEnv{netrc: "macdef init\r\ncd /\r\n\r\nmachine {{HOST}} login alice password s3cret\r\n"}, ""},
		{"CRLF values", srv, goEnv{netrc: "machine {{HOST}} login alice password s3cret\r\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"hash in password", srv, goEnv{netrc: "machine {{HOST}} login alice password #s3cret\n"}, "Basic YWxpY2U6I3MzY3JldA=="},
		{"account ignored", srv, goEnv{netrc: "machine {{HOST}} account x login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"unicode space", srv, goEnv{netrc: "machine {{HOST}} login alice\u00a0password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"NEL and line separator", srv, goEnv{netrc: "machine {{HOST}}\u0085login alice\u2028password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"invalid UTF-8 is no space", srv, goEnv{netrc: "machine {{HOST}}\xa0login alice password s3cret\n"}, ""},
		{"binary garbage around an entry", srv, goEnv{netrc: "\x00\x01\xfe\xff junk\nmachine {{HOST}} login alice password s3cret\n\x00\x00\xc3"}, "Basic YWxpY2U6czNjcmV0"},
		{"userinfo wins over netrc", srv, goEnv{netrc: "machine {{HOST}} login bob password other\n", proxy: withUserinfo("alice:s3cret")}, "Basic YWxpY2U6czNjcmV0"},
		{"netrc keyed with userinfo", srv, goEnv{netrc: "machine alice:s3cret@{{HOST}} login bob password other\n", proxy: withUserinfo("alice:s3cret")}, "Basic Ym9iOm90aGVy"},
		{"wrong password retried once", basic, goEnv{netrc: "machine {{HOST}} login alice password wrong\n"}, "Basic YWxpY2U6d3Jvbmc="},
		{"no netrc file", basic, goEnv{env: map[string]string{}}, ""},
		{"GOAUTH=off ignores netrc", srv, goEnv{goauth: "off", netrc: "machine {{HOST}} login alice password s3cret\n"}, ""},
		{"GOAUTH netrc twice", srv, goEnv{goauth: "netrc; netrc", netrc: "machine {{HOST}} login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"wrong userinfo retried once", basic, goEnv{proxy: withUserinfo("alice:wrong")}, "Basic YWxpY2U6d3Jvbmc="},
		{"proxy base path prefix", based, goEnv{netrc: "machine {{HOST}}/mod login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"proxy base path sibling", based, goEnv{netrc: "machine {{HOST}}/mo login alice password s3cret\n"}, ""},
		{"forbidden retried once", forbidden, goEnv{netrc: "machine {{HOST}} login alice password s3cret\n"}, "Basic YWxpY2U6czNjcmV0"},
		{"GOAUTH=off still retries", basic, goEnv{goauth: "off", netrc: "machine {{HOST}} login alice password s3cret\n"}, ""},
		{"plain http gets no netrc", plain, goEnv{netrc: "machine {{HOST}} login alice password s3cret\n"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each case needs its own server state: servers are shared, so
			// cases run one after the other.
			goTrace, goErr := runGoDownload(t, tt.srv, tt.e)
			ours := runOurDownload(t, tt.srv, tt.e, nil)
			if !slices.Equal(goTrace, ours) {
				t.Errorf("requests differ\ngo command: %q (error %q)\nTransport:  %q", goTrace, goErr, ours)
			}
			first := ""
			if len(goTrace) > 0 {
				if _, rest, ok := strings.Cut(goTrace[0], "Authorization=[\""); ok {
					first, _, _ = strings.Cut(rest, "\"")
				}
			}
			if first != tt.want0 {
				t.Errorf("go command's first Authorization = %q, want %q (trace %q)", first, tt.want0, goTrace)
			}
		})
	}
}

// writeScript writes an executable shell script and returns its path.
func writeScript(t testing.TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// logPrelude makes a GOAUTH script record each run in $AUTHLOG: its
// arguments, and for a re-run the status line and the sorted header names
// it got on standard input.
const logPrelude = `{
  echo "run $(basename "$0") args=$*"
  if [ $# -gt 0 ]; then
    IFS= read -r status; echo "stdin $status" | tr -d '\r'
    sed -n 's/^\([^:]*\):.*/\1/p' | sort | tr '\n' ' '; echo
  fi
} >> "$AUTHLOG"
`

// TestOracleGOAUTH compares GOAUTH command handling with the go binary:
// the requests the proxy sees and every run of every command (arguments
// and standard input).
func TestOracleGOAUTH(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	srv := modproxy.New(t, oracleModules, modproxy.TLS())
	basic := modproxy.New(t, oracleModules, modproxy.TLS(), modproxy.RequireBasic("alice", "s3cret"))
	token := modproxy.New(t, oracleModules, modproxy.TLS(), modproxy.RequireHeader("Private-Token", "tok-123"))
	missing := modproxy.New(t, nil, modproxy.TLS())
	bin := t.TempDir()
	const good = "printf 'https://{{HOST}}\\n\\nAuthorization: Basic YWxpY2U6czNjcmV0\\n\\n'\n"
	scripts := map[string]string{
		"good":  good,
		"other": "printf 'https://{{HOST}}\\n\\nAuthorization: Basic b3RoZXI6b3RoZXI=\\n\\n'\n",
		"long":  "printf 'https://{{HOST}}/example.com/\\n\\nAuthorization: Basic bG9uZzpsb25n\\n\\n'\n",
		// Only answers when re-run with a URL.
		"rerun": "[ $# -gt 0 ] || exit 0\n" + good,
		"token": "printf 'https://{{HOST}}\\n\\nPrivate-Token: tok-123\\n\\n'\n",
		"args":  "[ \"$1\" = 'value with spaces' ] || exit 3\n" + good,
		"fail":  "echo 'helper broke, token=hunter2' >&2; exit 1\n",
		"nofmt": "printf 'https://{{HOST}}\\nAuthorization: Basic YWxpY2U6czNjcmV0\\n\\n'\n",
		"crlf":  "printf 'https://{{HOST}}\\r\\n\\r\\nAuthorization: Basic YWxpY2U6czNjcmV0\\r\\n\\r\\n'\n",
		// Gives a wrong credential first and revokes it on the re-run.
		"revoke": "if [ $# -gt 0 ]; then printf 'https://{{HOST}}\\n\\n\\n'; else printf 'https://{{HOST}}\\n\\nAuthorization: Basic d3Jvbmc6d3Jvbmc=\\n\\n'; fi\n",
		"twohdr": "printf 'https://{{HOST}}\\nhttps://127.0.0.1:1/x\\n\\nAuthorization: Basic YWxpY2U6czNjcmV0\\nX-Token: a\\nX-Token: b\\n\\n'\n",
		"http":   "printf 'http://{{HOST}}\\n\\nAuthorization: Basic YWxpY2U6czNjcmV0\\n\\n'\n",
	}
	paths := map[string]string{}
	for name := range scripts {
		paths[name] = filepath.Join(bin, name)
	}
	cmd := func(names ...string) string {
		var parts []string
		for _, n := range names {
			parts = append(parts, paths[n])
		}
		return strings.Join(parts, ";")
	}
	tests := []struct {
		name string
		srv  *modproxy.Server
		e    goEnv
	}{
		{"command", basic, goEnv{goauth: cmd("good")}},
		{"command on re-run only", basic, goEnv{goauth: cmd("rerun")}},
		{"first listed wins", basic, goEnv{goauth: cmd("good", "other")}},
		{"first listed wins reversed", basic, goEnv{goauth: cmd("other", "good")}},
		{"longest prefix wins", srv, goEnv{goauth: cmd("good", "long")}},
		{"custom header", token, goEnv{goauth: cmd("token")}},
		{"quoted arguments", basic, goEnv{goauth: paths["args"] + ` 'value with spaces'`}},
		{"failing command", basic, goEnv{goauth: cmd("fail")}},
		{"failing then good", basic, goEnv{goauth: cmd("fail", "good")}},
		{"missing blank line", basic, goEnv{goauth: cmd("nofmt")}},
		{"CRLF output", basic, goEnv{goauth: cmd("crlf")}},
		{"revoked on re-run", basic, goEnv{goauth: cmd("revoke")}},
		{"several URLs and headers", srv, goEnv{goauth: cmd("twohdr")}},
		{"http URL never matches", srv, goEnv{goauth: cmd("http")}},
		{"netrc then command", basic, goEnv{goauth: "netrc;" + cmd("other"), netrc: "machine {{HOST}} login alice password s3cret\n"}},
		{"command then netrc", basic, goEnv{goauth: cmd("other") + "; netrc", netrc: "machine {{HOST}} login alice password s3cret\n"}},
		{"404 re-runs", missing, goEnv{goauth: cmd("rerun")}},
		{"command and userinfo", srv, goEnv{goauth: cmd("other"), proxy: withUserinfo("alice:s3cret")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := strings.TrimPrefix(tt.srv.HTTP.URL, "https://")
			for name, body := range scripts {
				writeScript(t, bin, name, logPrelude+expand(body, host))
			}
			dir := t.TempDir()
			goLog, ourLog := filepath.Join(dir, "go.log"), filepath.Join(dir, "ours.log")
			e := tt.e
			e.env = map[string]string{"AUTHLOG": goLog}
			goTrace, goErr := runGoDownload(t, tt.srv, e)
			e.env = map[string]string{"AUTHLOG": ourLog}
			ours := runOurDownload(t, tt.srv, e, nil)
			if !slices.Equal(goTrace, ours) {
				t.Errorf("requests differ\ngo command: %q (error %q)\nTransport:  %q", goTrace, goErr, ours)
			}
			gl, _ := os.ReadFile(goLog)
			ol, _ := os.ReadFile(ourLog)
			if string(gl) != string(ol) {
				t.Errorf("GOAUTH runs differ\ngo command:\n%s\nAuth:\n%s", gl, ol)
			}
			if testing.Verbose() {
				t.Logf("trace %q\nruns:\n%s", goTrace, gl)
			}
		})
	}
}

// TestOracleInsecureUserinfo compares the refusal of credentials in an
// http:// GOPROXY URL with the go binary's message.
func TestOracleInsecureUserinfo(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	plain := modproxy.New(t, oracleModules)
	e := goEnv{proxy: withUserinfo("alice:hunter2")}
	goTrace, goErr := runGoDownload(t, plain, e)
	ours, ourErr := runOurDownloadErr(t, plain, e, nil)
	if len(goTrace) != 0 || len(ours) != 0 {
		t.Errorf("requests were sent: go %q, ours %q", goTrace, ours)
	}
	want := strings.TrimPrefix(ourErr, "netrcauth: ")
	if want == "" || !strings.HasSuffix(goErr, want) {
		t.Errorf("go command error %q does not end with %q", goErr, want)
	}
	if strings.Contains(goErr+ourErr, "hunter2") {
		t.Errorf("password leaked: %q %q", goErr, ourErr)
	}
}

// TestOracleRedirect measures what the go command sends across a redirect
// to another host and checks Transport's documented deviation: nothing of
// the first host's credentials follows, custom headers included
// (golang/go#77839); like the go command, the new host's own credentials
// are not added.
func TestOracleRedirect(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	b := modproxy.New(t, oracleModules, modproxy.TLS())
	bURL := strings.Replace(b.URL, "127.0.0.1", "localhost", 1)
	a := modproxy.New(t, nil, modproxy.TLS(), modproxy.Redirect("/example.com/", bURL+"/example.com/"))
	bin := t.TempDir()
	aHost := strings.TrimPrefix(a.HTTP.URL, "https://")
	bHost := strings.TrimPrefix(bURL, "https://")
	both := writeScript(t, bin, "both", "printf 'https://"+aHost+"\\n\\nPrivate-Token: tok-A\\nAuthorization: Bearer bearer-A\\n\\nhttps://"+bHost+"\\n\\nX-Token: tok-B\\n\\n'\n")
	e := goEnv{goauth: both, cas: [][]byte{b.CAPEM}}
	b.Reset()
	goA, goErr := runGoDownload(t, a, e)
	goB := trace(b.Requests())
	if goErr != "" {
		t.Fatalf("go mod download failed: %s", goErr)
	}
	// The go command: the first request's headers follow the redirect;
	// net/http drops Authorization for another host but keeps the custom
	// header, and the new host's own credentials are not added.
	wantGoB := `GET /example.com/m/@v/v1.0.0.info Private-Token=["tok-A"] -> 200`
	if len(goB) == 0 || goB[0] != wantGoB {
		t.Errorf("go command at the redirect target: %q, want first %q (go command behaviour changed?)", goB, wantGoB)
	}
	b.Reset()
	oursA := runOurDownload(t, a, e, nil)
	oursB := trace(b.Requests())
	if !slices.Equal(goA, oursA) {
		t.Errorf("requests to the redirecting host differ\ngo: %q\nours: %q", goA, oursA)
	}
	want := []string{
		`GET /example.com/m/@v/v1.0.0.info -> 200`,
		`GET /example.com/m/@v/v1.0.0.mod -> 200`,
		`GET /example.com/m/@v/v1.0.0.zip -> 200`,
	}
	if !slices.Equal(oursB, want) {
		t.Errorf("Transport at the redirect target: %q, want %q", oursB, want)
	}
}
