package modfetch_test

// Differential tests of the public download path (Env.Client + Fetcher)
// against "go mod download -json": the same requests to the same servers
// in the same order, with the same Authorization and Proxy-Authorization
// headers, and the same success or failure.

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
)

// fetchCase is one configuration run through both the go command and the
// Fetcher.
type fetchCase struct {
	name string
	// setup starts the servers and configures g; it returns the module to
	// download ("path@version").
	setup  func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string
	wantOK bool
}

var fetchMods = []modproxy.Module{
	{Path: "example.com/m", Version: "v1.0.0"},
	{Path: "corp.example/Private/x", Version: "v0.3.0"},
}

func tlsServer(t *testing.T, g *gooracle.Go, log *modproxy.Log, name string, opts ...modproxy.Option) *modproxy.Server {
	s := modproxy.New(t, fetchMods, append([]modproxy.Option{modproxy.TLS(), modproxy.Logged(log, name)}, opts...)...)
	addCA(t, g, s.CAPEM)
	return s
}

// addCA appends a CA to the SSL_CERT_FILE bundle the go command (and
// modnet, through the same variable) trusts.
func addCA(t *testing.T, g *gooracle.Go, pem []byte) {
	f, ok := g.Get("SSL_CERT_FILE")
	if !ok {
		f = filepath.Join(g.Dir, "ca-bundle.pem")
		g.Set("SSL_CERT_FILE", f)
	}
	old, _ := os.ReadFile(f)
	if err := os.WriteFile(f, append(old, pem...), 0o644); err != nil {
		t.Fatal(err)
	}
}

func hostPort(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	h, _, _ := strings.Cut(u, "/")
	return h
}

func writeNetrc(t *testing.T, g *gooracle.Go, content string) {
	home, _ := g.Get("HOME")
	if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeScript writes an executable shell script and returns its path.
func writeScript(t *testing.T, dir, name, body string) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

var fetchCases = []fetchCase{
	{
		name: "tls-ok",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A")
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "uppercase-path-escaped",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A")
			g.Set("GOPROXY", s.URL)
			return "corp.example/Private/x@v0.3.0"
		},
		wantOK: true,
	},
	{
		name: "netrc-host-port",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.RequireBasic("alice", "n3trc-pw"))
			writeNetrc(t, g, "machine "+hostPort(s.URL)+" login alice password n3trc-pw\n")
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "netrc-host-only-does-not-match-port",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.RequireBasic("alice", "n3trc-pw"))
			writeNetrc(t, g, "machine 127.0.0.1 login alice password n3trc-pw\n")
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
	},
	{
		name: "netrc-first-duplicate-wins",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.RequireBasic("alice", "first"))
			hp := hostPort(s.URL)
			writeNetrc(t, g, "machine "+hp+" login alice password first\nmachine "+hp+" login bob password second\n")
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "netrc-via-NETRC-path-prefix",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.Base("/mod"), modproxy.RequireBasic("carol", "pfx"))
			f := filepath.Join(g.Dir, "alt-netrc")
			os.WriteFile(f, []byte("machine "+hostPort(s.URL)+"/mod login carol password pfx\n"), 0o600)
			g.Set("NETRC", f)
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "netrc-not-sent-over-http",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := modproxy.New(t, fetchMods, modproxy.Logged(log, "A"), modproxy.RequireBasic("alice", "pw"))
			writeNetrc(t, g, "machine "+hostPort(s.URL)+" login alice password pw\n")
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
	},
	{
		name: "userinfo-in-goproxy",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.RequireBasic("dave", "ui-pw"))
			g.Set("GOPROXY", strings.Replace(s.URL, "https://", "https://dave:ui-pw@", 1))
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "userinfo-refused-over-http",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := modproxy.New(t, fetchMods, modproxy.Logged(log, "A"))
			g.Set("GOPROXY", strings.Replace(s.URL, "http://", "http://dave:ui-pw@", 1))
			return "example.com/m@v1.0.0"
		},
	},
	{
		name: "goauth-command-bearer",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.RequireHeader("Authorization", "Bearer tok-123"))
			cmd := writeScript(t, g.Dir, "auth.sh", fmt.Sprintf("printf '%%s\\n\\n%%s\\n\\n' '%s' 'Authorization: Bearer tok-123'\n", s.URL))
			g.Set("GOAUTH", cmd)
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "goauth-off-401",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.RequireBasic("alice", "pw"))
			writeNetrc(t, g, "machine "+hostPort(s.URL)+" login alice password pw\n")
			g.Set("GOAUTH", "off")
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
	},
	{
		name: "404-comma-tls-ok",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			a := tlsServer(t, g, log, "A", modproxy.Status("", 404))
			b := tlsServer(t, g, log, "B")
			g.Set("GOPROXY", a.URL+","+b.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "500-pipe-tls-ok",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			a := tlsServer(t, g, log, "A", modproxy.Status("", 500))
			b := tlsServer(t, g, log, "B")
			g.Set("GOPROXY", a.URL+"|"+b.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "redirect-cross-host-drops-netrc",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			b := tlsServer(t, g, log, "B")
			a := tlsServer(t, g, log, "A", modproxy.Redirect("/", strings.Replace(b.URL, "127.0.0.1", "localhost", 1)+"/"))
			writeNetrc(t, g, "machine "+hostPort(a.URL)+" login alice password redir-pw\n")
			g.Set("GOPROXY", a.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		// After a redirect ends in a 4xx, the go command re-runs GOAUTH
		// and restarts from the URL it first asked for, with the first
		// URL's credentials on every same-host hop.
		name: "redirect-same-host-then-404-restarts-chain",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == "/example.com/m/@v/v1.0.0.info" {
					http.Redirect(w, r, "/gone/", http.StatusFound)
					return true
				}
				return false
			}))
			writeNetrc(t, g, "machine "+hostPort(s.URL)+" login alice password chain-pw\n")
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
	},
	{
		// The redirect target's own netrc entry is not used: only the
		// first URL's credentials count, and they stop at another host.
		name: "redirect-cross-host-target-has-netrc",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			b := tlsServer(t, g, log, "B")
			bURL := strings.Replace(b.URL, "127.0.0.1", "localhost", 1)
			a := tlsServer(t, g, log, "A", modproxy.Redirect("/", bURL+"/"))
			writeNetrc(t, g, "machine "+hostPort(a.URL)+" login ua password pa\nmachine "+hostPort(bURL)+" login ub password pb\n")
			g.Set("GOPROXY", a.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		// A same-host redirect into another path prefix keeps the first
		// prefix's credentials.
		name: "redirect-into-other-prefix-keeps-first-credentials",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				if p, ok := strings.CutPrefix(r.URL.Path, "/a/"); ok {
					http.Redirect(w, r, "/"+p, http.StatusFound)
					return true
				}
				return false
			}))
			writeNetrc(t, g, "machine "+hostPort(s.URL)+"/a login alice password prefix-a\n")
			g.Set("GOPROXY", s.URL+"/a")
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		// The go command's unzip rejects what the prefix check lets through.
		name: "zip-duplicate-file-rejected",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			p := "example.com/m@v1.0.0/"
			var b bytes.Buffer
			w := zip.NewWriter(&b)
			for _, n := range []string{p + "go.mod", p + "x.go", p + "x.go"} {
				f, _ := w.Create(n)
				f.Write([]byte("package m\n"))
			}
			w.Close()
			s := tlsServer(t, g, log, "A", modproxy.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/example.com/m/@v/v1.0.0.zip" {
					return false
				}
				w.Write(b.Bytes())
				return true
			}))
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
	},
	{
		// .info is decoded strictly: a Time that is not RFC 3339 fails.
		name: "info-bad-time",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.Respond("/example.com/m/@v/v1.0.0.info",
				modproxy.Response{Status: 200, Body: `{"Version":"v1.0.0","Time":"yesterday"}`, ContentType: "application/json"}))
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
	},
	{
		// Only zips have a size limit.
		name: "large-go-mod",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			big := "module example.com/m\n" + strings.Repeat("// "+strings.Repeat("x", 77)+"\n", 17<<20/81+1)
			s := tlsServer(t, g, log, "A", modproxy.Respond("/example.com/m/@v/v1.0.0.mod",
				modproxy.Response{Status: 200, Body: big, ContentType: "text/plain"}))
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "redirect-https-to-http-refused",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			b := modproxy.New(t, fetchMods, modproxy.Logged(log, "B"))
			a := tlsServer(t, g, log, "A", modproxy.Redirect("/", b.URL+"/"))
			g.Set("GOPROXY", a.URL)
			return "example.com/m@v1.0.0"
		},
	},
	{
		name: "untrusted-server",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := modproxy.New(t, fetchMods, modproxy.TLS(), modproxy.Logged(log, "A"))
			g.Set("GOPROXY", s.URL)
			return "example.com/m@v1.0.0"
		},
	},
	{
		name: "sumdb-via-proxy",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.SumDB("sum.test"))
			g.Set("GOPROXY", s.URL)
			g.Set("GOSUMDB", s.SumDBKey)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "sumdb-skipped-by-goprivate",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.SumDB("sum.test"))
			g.Set("GOPROXY", s.URL)
			g.Set("GOSUMDB", s.SumDBKey)
			g.Set("GONOSUMDB", "corp.example")
			return "corp.example/Private/x@v0.3.0"
		},
		wantOK: true,
	},
	{
		name: "sumdb-netrc-to-proxy",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A", modproxy.SumDB("sum.test"), modproxy.RequireBasic("erin", "sum-pw"))
			writeNetrc(t, g, "machine "+hostPort(s.URL)+" login erin password sum-pw\n")
			g.Set("GOPROXY", s.URL)
			g.Set("GOSUMDB", s.SumDBKey)
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "file-proxy",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			dir := filepath.Join(g.Dir, "fileproxy")
			modproxy.New(t, fetchMods).WriteDir(t, dir)
			g.Set("GOPROXY", "file://"+filepath.ToSlash(dir))
			return "example.com/m@v1.0.0"
		},
		wantOK: true,
	},
	{
		name: "goenv-file-goproxy-and-goprivate",
		setup: func(t *testing.T, g *gooracle.Go, log *modproxy.Log) string {
			s := tlsServer(t, g, log, "A")
			g.Unset("GOPROXY")
			g.WriteEnvFile(t, "GOPROXY="+s.URL+"\nGOPRIVATE=corp.example\nGONOPROXY=none\n")
			return "corp.example/Private/x@v0.3.0"
		},
		wantOK: true,
	},
}

func TestFetchMatchesGoModDownload(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	for _, tc := range fetchCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := gooracle.New(t)
			log := modproxy.NewLog()
			mod := tc.setup(t, g, log)
			goD, d, ourErr := downloadBoth(t, g, log, mod)
			goErr := goD.Error
			if (goErr == "") != tc.wantOK {
				t.Errorf("go command: error %q, want success %v", goErr, tc.wantOK)
			}
			if (ourErr == nil) != tc.wantOK {
				t.Errorf("Fetcher.Download: error %v, want success %v", ourErr, tc.wantOK)
			}
			if ourErr == nil && goErr == "" {
				if d.GoModSum != goD.GoModSum || d.Sum != goD.Sum {
					t.Errorf("sums: modnet %s %s, go command %s %s", d.Sum, d.GoModSum, goD.Sum, goD.GoModSum)
				}
				for _, f := range []string{d.Info, d.GoMod, d.Zip} {
					if _, err := os.Stat(f); err != nil {
						t.Errorf("downloaded file: %v", err)
					}
				}
			}
			if t.Failed() {
				t.Logf("go command error: %s\nmodnet error: %v", goErr, ourErr)
			}
		})
	}
}

// downloadBoth runs "go mod download -json mod" and then the public
// Env.Client and Fetcher path for the same argument against the same
// servers, and fails the test if their requests (server, method, path,
// Authorization, Proxy-Authorization, in order) differ. It returns the go
// command's result and modnet's.
func downloadBoth(t *testing.T, g *gooracle.Go, log *modproxy.Log, mod string) (gooracle.Download, *modfetch.Download, error) {
	t.Helper()
	ds, stderr, err := g.ModDownload(context.Background(), mod)
	if err != nil || len(ds) != 1 {
		t.Fatalf("go mod download %s: %v %v\n%s", mod, ds, err, stderr)
	}
	goReqs := requestLines(log)
	log.Reset()

	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.Client(proxyenv.ClientOptions{CommandEnv: g.Environ()})
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	path, vers, _ := strings.Cut(mod, "@")
	d, ourErr := (&modfetch.Fetcher{Client: c, Dir: t.TempDir()}).Download(context.Background(), path, vers)
	c.Wait()
	if ourReqs := requestLines(log); !slices.Equal(goReqs, ourReqs) {
		t.Errorf("requests differ\ngo command:\n\t%s\nmodnet:\n\t%s", strings.Join(goReqs, "\n\t"), strings.Join(ourReqs, "\n\t"))
	}
	return ds[0], d, ourErr
}

// requestLines renders the log as "server METHOD path auth=... proxy-auth=...".
func requestLines(log *modproxy.Log) []string {
	var out []string
	for _, e := range log.Entries() {
		out = append(out, fmt.Sprintf("%s %s %s auth=%q proxy-auth=%q", e.Server, e.Method, e.RawPath, e.Header.Get("Authorization"), e.Header.Get("Proxy-Authorization")))
	}
	return out
}

// TestClientClassifiesTLSErrors checks that errors from the client hold a
// *trust.Error through *url.Error.
func TestClientClassifiesTLSErrors(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, fetchMods, modproxy.TLS())
	env := &proxyenv.Env{GOPROXY: s.URL, GOAUTH: "off"}
	c, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.HTTP().Get(s.URL + "/example.com/m/@v/list")
	var te *trust.Error
	if !errors.As(err, &te) {
		t.Fatalf("Get: %v (%T), want a *trust.Error inside", err, err)
	}
	if te.Kind != trust.KindUnknownAuthority {
		t.Errorf("Kind = %q, want %q", te.Kind, trust.KindUnknownAuthority)
	}

	pool, err := (&trust.Config{Extra: []trust.Source{{PEM: s.CAPEM, Name: "test CA"}}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	c, err = env.Client(proxyenv.ClientOptions{Trust: pool})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.HTTP().Get(s.URL + "/example.com/m/@v/list")
	if err != nil {
		t.Fatalf("Get with the CA added: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
}

// TestFetchLatestMatchesGoModDownload compares "M@latest" resolution:
// which lists, @latest and .info files are asked for, from which source,
// and which version wins.
func TestFetchLatestMatchesGoModDownload(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	tagged := []modproxy.Module{
		{Path: "example.com/m", Version: "v1.0.0"},
		{Path: "example.com/m", Version: "v1.1.0"},
		{Path: "example.com/m", Version: "v1.2.0-pre"},
		{Path: "example.com/pre", Version: "v0.1.0-alpha"},
		{Path: "example.com/pre", Version: "v0.2.0-beta"},
		{Path: "example.com/ps", Version: "v0.0.0-20200101000000-abcdefabcdef"},
		{Path: "example.com/ps", Version: "v0.0.0-20210101000000-0123456789ab"},
		{Path: "example.com/r", Version: "v1.0.0"},
		{Path: "example.com/r", Version: "v1.1.0", GoMod: "module example.com/r\n\nretract v1.1.0 // broken\n"},
		{Path: "example.com/allr", Version: "v1.0.0"},
		{Path: "example.com/allr", Version: "v1.1.0", GoMod: "module example.com/allr\n\nretract [v1.0.0, v1.1.0]\n"},
	}
	cases := []struct {
		name   string
		mod    string
		a, b   []modproxy.Option
		wantOK bool
	}{
		{name: "tagged", mod: "example.com/m@latest", wantOK: true},
		{name: "list-404-then-next", mod: "example.com/m@latest", a: []modproxy.Option{modproxy.Status("/example.com/m/@v/list", 404)}, wantOK: true},
		{name: "list-500-stops", mod: "example.com/m@latest", a: []modproxy.Option{modproxy.Status("/example.com/m/@v/list", 500)}},
		{name: "prerelease-only", mod: "example.com/pre@latest", wantOK: true},
		{name: "pseudo-only-no-latest-endpoint", mod: "example.com/ps@latest", wantOK: true},
		{name: "pseudo-only-latest-endpoint", mod: "example.com/ps@latest", a: []modproxy.Option{modproxy.Latest()}, wantOK: true},
		{name: "no-versions", mod: "example.com/none@latest"},
		{name: "upgrade", mod: "example.com/m@upgrade", wantOK: true},
		{name: "latest-retracts-itself", mod: "example.com/r@latest", wantOK: true},
		{name: "everything-retracted", mod: "example.com/allr@latest"},
		{name: "prefix-major", mod: "example.com/m@v1", a: []modproxy.Option{modproxy.Status("/example.com/m/@v/list", 404)}, wantOK: true},
		{name: "prefix-minor-not-latest", mod: "example.com/m@v1.0", a: []modproxy.Option{modproxy.Status("/example.com/m/@v/list", 404)}, wantOK: true},
		{name: "prefix-no-match", mod: "example.com/m@v1.7"},
		{name: "prefix-retracted-latest", mod: "example.com/r@v1", wantOK: true},
		{name: "range-greater", mod: "example.com/m@>v1.0.0", wantOK: true},
		{name: "range-greater-equal-prefers-lower", mod: "example.com/m@>=v1.0.0", wantOK: true},
		{name: "range-less", mod: "example.com/m@<v1.1.0", wantOK: true},
		{name: "range-less-equal", mod: "example.com/m@<=v1.1.0", a: []modproxy.Option{modproxy.Status("/example.com/m/@v/list", 404)}, wantOK: true},
		{name: "range-prerelease-only", mod: "example.com/pre@>v0.1.0-alpha", wantOK: true},
		{name: "revision-branch-unknown", mod: "example.com/m@master"},
		{name: "revision-commit-unknown", mod: "example.com/m@abcdef012345"},
		{name: "revision-malformed-version", mod: "example.com/m@v1.2.3-"},
		{name: "build-metadata-falls-back-to-canonical", mod: "example.com/m@v1.1.0+meta", wantOK: true},
		{name: "build-metadata-missing", mod: "example.com/m@v1.9.9+meta"},
		{name: "build-metadata-list-404-first-proxy", mod: "example.com/m@v1.0.0+build.5", a: []modproxy.Option{modproxy.Status("", 404)}, wantOK: true},
		{name: "everything-404", mod: "example.com/m@latest", a: []modproxy.Option{modproxy.Status("", 404)}, b: []modproxy.Option{modproxy.Status("", 404)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := gooracle.New(t)
			log := modproxy.NewLog()
			a := modproxy.New(t, tagged, append([]modproxy.Option{modproxy.Logged(log, "A")}, tc.a...)...)
			b := modproxy.New(t, tagged, append([]modproxy.Option{modproxy.Logged(log, "B")}, tc.b...)...)
			g.Set("GOPROXY", a.URL+","+b.URL)
			goD, d, ourErr := downloadBoth(t, g, log, tc.mod)
			goErr := goD.Error
			if (goErr == "") != tc.wantOK || (ourErr == nil) != tc.wantOK {
				t.Errorf("go command error %q, modnet error %v; want success %v", goErr, ourErr, tc.wantOK)
			}
			if ourErr == nil && goErr == "" && d.Version != goD.Version {
				t.Errorf("version: modnet %s, go command %s", d.Version, goD.Version)
			}
			if ourErr != nil && goErr != "" && ourErr.Error() != goErr {
				t.Errorf("error text differs\ngo command: %q\nmodnet:     %q", goErr, ourErr.Error())
			}
		})
	}
}

// TestFetcherContextFailureNotRemembered checks that a download cancelled
// while finding the checksum database does not disable verification for
// later downloads with a live context.
func TestFetcherContextFailureNotRemembered(t *testing.T) {
	t.Parallel()
	mods := []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}, {Path: "example.com/n", Version: "v1.0.0"}}
	ctx, cancel := context.WithCancel(context.Background())
	s := modproxy.New(t, mods, modproxy.SumDB("sum.test"), modproxy.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/supported") {
			cancel() // the first caller gives up while the database is being found
		}
		return false
	}))
	env := &proxyenv.Env{GOPROXY: s.URL, GOSUMDB: s.SumDBKey, GOAUTH: "off"}
	c, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &modfetch.Fetcher{Client: c}
	if _, err := f.Download(ctx, "example.com/m", "v1.0.0"); err == nil {
		t.Fatal("Download with a context cancelled mid-way succeeded")
	}
	if _, err := f.Download(context.Background(), "example.com/n", "v1.0.0"); err != nil {
		t.Fatalf("Download after an earlier cancellation: %v", err)
	}
}

// TestFetcherRunConcurrent downloads concurrently through a Fetcher that
// remembers answers (Run), for the race detector.
func TestFetcherRunConcurrent(t *testing.T) {
	t.Parallel()
	mods := []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}, {Path: "example.com/m", Version: "v1.1.0"}, {Path: "example.com/n", Version: "v0.1.0"}}
	s := modproxy.New(t, mods, modproxy.SumDB("sum.test"))
	env := &proxyenv.Env{GOPROXY: s.URL, GOSUMDB: s.SumDBKey, GOAUTH: "off"}
	c, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &modfetch.Fetcher{Client: c, Run: true}
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, vers := "example.com/m", []string{"latest", "v1", "v1.0.0", ">v1.0.0"}[i%4]
			if i%5 == 0 {
				path, vers = "example.com/n", "latest"
			}
			if _, err := f.Download(context.Background(), path, vers); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Each file was asked for once in the whole run.
	seen := map[string]int{}
	for _, p := range s.Paths() {
		if seen[p]++; seen[p] > 1 && !strings.Contains(p, "/@v/list") && !strings.Contains(p, "/sumdb/") {
			t.Errorf("%s requested %d times", p, seen[p])
		}
	}
}
