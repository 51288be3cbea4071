package modfetch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gitserver"
	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
	"golang.org/x/mod/module"
)

// directFixture holds the repositories of the direct-mode differential
// tests; each case serves them with its own server (and request log).
type directFixture struct {
	root  string
	pages [][]string // prefix, then go-import contents
}

// serve starts a server for the fixture's repositories and pages.
func (fx *directFixture) serve(t *testing.T) *gitserver.Server {
	s := gitserver.Start(t, gitserver.Options{Root: fx.root})
	for _, p := range fx.pages {
		s.GoGet(p[0], p[1:]...)
	}
	return s
}

// newDirectFixture builds the repositories.
func newDirectFixture(t *testing.T) *directFixture {
	gitserver.Required(t)
	gooracle.Required(t)
	fx := &directFixture{root: t.TempDir()}
	s := fx
	repo := func(name string) *gitserver.Repo {
		return gitserver.NewRepo(t, filepath.Join(fx.root, name))
	}
	// example.com/repo: tagged releases, a pre-release, a branch, a
	// commit after the last tag.
	r := repo("example.com/repo")
	r.Write("go.mod", "module example.com/repo\n\ngo 1.21\n", "a.go", "package repo\n", "LICENSE", "MIT\n")
	r.Commit("first")
	r.Tag("v1.0.0")
	r.Write("b.go", "package repo\n\nconst B = 1\n")
	r.Commit("second")
	r.Tag("v1.1.0")
	r.Write("c.go", "package repo\n\nconst C = 1\n", "vendor/x/x.go", "package x\n", ".gitattributes", "ignored.txt export-ignore\n", "ignored.txt", "no\n", "crlf.txt", "a\r\nb\r\n")
	r.Commit("third")
	r.Tag("v1.2.0-rc.1")
	r.Write("d.go", "package repo\n\nconst D = 1\n")
	r.Commit("fourth")
	r.Checkout("feature", true)
	r.Write("e.go", "package repo\n\nconst E = 1\n")
	r.Commit("feature")
	r.Checkout("main", false)
	s.GoGet("example.com/repo", "example.com/repo git https://example.com/repo")

	// example.com/nomod: no go.mod, a v2 tag (+incompatible).
	n := repo("example.com/nomod")
	n.Write("x.go", "package nomod\n")
	n.Commit("first")
	n.Tag("v1.0.0")
	n.Write("y.go", "package nomod\n")
	n.Commit("second")
	n.Tag("v2.0.0")
	s.GoGet("example.com/nomod", "example.com/nomod git https://example.com/nomod")

	// example.com/multi: a module in a subdirectory with prefixed tags,
	// and a major version in v2/.
	m := repo("example.com/multi")
	m.Write("go.mod", "module example.com/multi\n", "LICENSE", "Apache\n", "tools/go.mod", "module example.com/multi/tools\n", "tools/t.go", "package tools\n",
		"v2/go.mod", "module example.com/multi/v2\n", "v2/m.go", "package multi\n")
	m.Commit("first")
	m.Tag("v1.0.0", "tools/v1.2.0", "v2.0.0")
	s.GoGet("example.com/multi", "example.com/multi git https://example.com/multi")

	// example.com/untagged: no tags at all.
	u := repo("example.com/untagged")
	u.Write("go.mod", "module example.com/untagged\n")
	u.Commit("only")
	s.GoGet("example.com/untagged", "example.com/untagged git https://example.com/untagged")

	// example.com/four/...: a 4-field go-import tag (Go 1.25+) pointing
	// at a subdirectory of another repository.
	f := repo("example.com/fourrepo")
	f.Write("src/go.mod", "module example.com/four\n", "src/f.go", "package four\n")
	f.Commit("first")
	f.Tag("v1.0.0")
	s.GoGet("example.com/four", "example.com/four git https://example.com/fourrepo src")

	// example.com/pages/...: a go-get page for a prefix, answered again
	// for the prefix check.
	p := repo("example.com/pages")
	p.Write("go.mod", "module example.com/pages\n", "sub/go.mod", "module example.com/pages/sub\n")
	p.Commit("first")
	p.Tag("v1.0.0", "sub/v0.1.0")
	s.GoGet("example.com/pages", "example.com/pages git https://example.com/pages")

	// example.com/retract: the newest tag retracts itself.
	rt := repo("example.com/retract")
	rt.Write("go.mod", "module example.com/retract\n", "r.go", "package retract\n")
	rt.Commit("first")
	rt.Tag("v1.0.0")
	rt.Write("go.mod", "module example.com/retract\n\nretract v1.1.0 // broken\n")
	rt.Commit("retract")
	rt.Tag("v1.1.0")
	s.GoGet("example.com/retract", "example.com/retract git https://example.com/retract")

	// example.com/hg: not git.
	s.GoGet("example.com/hg", "example.com/hg hg https://example.com/hg")
	return fx
}

// GoGet registers a go-get page, as gitserver.Server.GoGet does.
func (fx *directFixture) GoGet(prefix string, content ...string) {
	fx.pages = append(fx.pages, append([]string{prefix}, content...))
}

// TestDirectMatchesGoModDownload downloads modules routed "direct" with
// the go command and with a Fetcher from the same local git server and
// go-get pages, and requires the same Version, Sum and GoModSum, the same
// go-get requests, and both to succeed or fail alike.
func TestDirectMatchesGoModDownload(t *testing.T) {
	fx := newDirectFixture(t)
	t.Parallel()
	cases := []struct {
		arg, wantErr string
		env          map[string]string
	}{
		{arg: "example.com/repo@v1.0.0"},
		{arg: "example.com/repo@v1.1.0"},
		{arg: "example.com/repo@latest"},
		{arg: "example.com/repo@v1.2.0-rc.1"},
		{arg: "example.com/repo@v1"},
		{arg: "example.com/repo@>v1.0.0"},
		{arg: "example.com/repo@main"},
		{arg: "example.com/repo@feature"},
		{arg: "example.com/repo@v9.9.9", wantErr: "unknown revision v9.9.9"},
		{arg: "example.com/nomod@latest"},
		{arg: "example.com/nomod@v2.0.0+incompatible"},
		{arg: "example.com/multi@v1.0.0"},
		{arg: "example.com/multi/tools@v1.2.0"},
		{arg: "example.com/multi/v2@v2.0.0"},
		{arg: "example.com/untagged@latest"},
		{arg: "example.com/four@v1.0.0"},
		{arg: "example.com/pages/sub@v0.1.0"},
		{arg: "example.com/missing@latest", wantErr: "unrecognized import path"},
		{arg: "example.com/hg@latest", wantErr: "hg"},
		{arg: "example.com/retract@latest"},
		{arg: "example.com/retract@upgrade"},
		{arg: "example.com/retract@v1.1.0"},
		{arg: "example.com/repo@latest", env: map[string]string{"GOVCS": "private:off"}, wantErr: "GOVCS disallows using git for private example.com/repo"},
		{arg: "example.com/repo@v1.1.0", env: map[string]string{"GOPRIVATE": "", "GONOPROXY": "", "GOPROXY": "direct"}},
	}
	for _, tc := range cases {
		t.Run(strings.NewReplacer("/", "_", "@", "_", ">", "gt").Replace(tc.arg)+envName(tc.env), func(t *testing.T) {
			t.Parallel()
			srv := fx.serve(t)
			g := directGo(t, srv)
			for k, v := range tc.env {
				if v == "" {
					g.Unset(k)
				} else {
					g.Set(k, v)
				}
			}
			path, query, _ := strings.Cut(tc.arg, "@")
			ctx := context.Background()

			before := len(srv.Requests())
			ds, stderr, err := g.ModDownload(ctx, tc.arg)
			if err != nil || len(ds) != 1 {
				t.Fatalf("go mod download %s: %v %v\n%s", tc.arg, ds, err, stderr)
			}
			goD := ds[0]
			goReqs := goGetRequests(srv, before)

			env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
			if err != nil {
				t.Fatal(err)
			}
			c, err := env.Client(proxyenv.ClientOptions{CommandEnv: g.Environ()})
			if err != nil {
				t.Fatal(err)
			}
			f := &modfetch.Fetcher{Client: c, Dir: t.TempDir(), GitEnv: withoutGitCA(g.Environ())}
			defer f.Close()
			before = len(srv.Requests())
			d, ourErr := f.Download(ctx, path, query)
			ourReqs := goGetRequests(srv, before)

			if (goD.Error == "") != (ourErr == nil) {
				t.Fatalf("go: %q %q\nmodnet: %v", goD.Version, goD.Error, ourErr)
			}
			if ourErr != nil {
				if !strings.Contains(goD.Error, tc.wantErr) || !strings.Contains(ourErr.Error(), tc.wantErr) {
					t.Errorf("errors should both mention %q\ngo:     %s\nmodnet: %v", tc.wantErr, goD.Error, ourErr)
				}
				var te *trust.Error
				if errors.As(ourErr, &te) {
					t.Errorf("unexpected TLS failure: %v", te)
				}
			} else {
				if tc.wantErr != "" {
					t.Fatalf("both succeeded, want an error %q", tc.wantErr)
				}
				if d.Version != goD.Version || d.Sum != goD.Sum || d.GoModSum != goD.GoModSum {
					t.Errorf("go:     %s %s %s\nmodnet: %s %s %s", goD.Version, goD.Sum, goD.GoModSum, d.Version, d.Sum, d.GoModSum)
				}
			}
			if !slices.Equal(goReqs, ourReqs) {
				t.Errorf("go-get requests differ\ngo:     %q\nmodnet: %q", goReqs, ourReqs)
			}
		})
	}
}

// envName names a case's extra environment for its subtest.
func envName(env map[string]string) string {
	var parts []string
	for k, v := range env {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	if len(parts) == 0 {
		return ""
	}
	return "/" + strings.Join(parts, ",")
}

// goGetRequests lists the ?go-get=1 requests the server saw after the
// first n requests, as "host/path?query".
func goGetRequests(s *gitserver.Server, n int) []string {
	var out []string
	for _, r := range s.Requests()[n:] {
		if !r.IsGit() {
			out = append(out, r.Host+r.Path)
		}
	}
	return out
}

// withoutGitCA drops GIT_SSL_CAINFO, which the go command's git needs to
// trust the test server: modnet gives git the roots its own client trusts
// (SSL_CERT_FILE here) by itself.
func withoutGitCA(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "GIT_SSL_CAINFO=") })
}

// TestDirectAndProxyAtOnce downloads two modules in one run, one from a
// module proxy and one routed direct by GOPRIVATE, with the go command
// and with DownloadAll: same versions and hashes, and each source gets
// the go command's requests.
func TestDirectAndProxyAtOnce(t *testing.T) {
	fx := newDirectFixture(t)
	t.Parallel()
	srv := fx.serve(t)
	mp := modproxy.New(t, []modproxy.Module{{Path: "public.example/lib", Version: "v1.2.0"}}, modproxy.TLS())
	ca, err := os.ReadFile(mp.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	// One bundle trusts both servers.
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	gitCA, err := os.ReadFile(srv.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bundle, append(gitCA, ca...), 0o644); err != nil {
		t.Fatal(err)
	}
	g := directGo(t, srv)
	g.Set("SSL_CERT_FILE", bundle)
	g.Set("GOPROXY", mp.URL)
	ctx := context.Background()
	args := []string{"public.example/lib@v1.2.0", "example.com/repo@v1.1.0"}
	before := len(srv.Requests())
	mp.Reset()
	ds, stderr, err := g.ModDownload(ctx, args...)
	if err != nil || len(ds) != 2 {
		t.Fatalf("go mod download: %v %v\n%s", ds, err, stderr)
	}
	goGet, goProxy := goGetRequests(srv, before), proxyPaths(mp)

	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &modfetch.Fetcher{Client: c, Dir: t.TempDir(), Run: true, GitEnv: withoutGitCA(g.Environ())}
	defer f.Close()
	before = len(srv.Requests())
	mp.Reset()
	res, err := f.DownloadAll(ctx, []module.Version{{Path: "public.example/lib", Version: "v1.2.0"}, {Path: "example.com/repo", Version: "v1.1.0"}})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Download.Version != ds[i].Version || r.Download.Sum != ds[i].Sum || r.Download.GoModSum != ds[i].GoModSum {
			t.Errorf("%s: go %s %s %s, modnet %s %s %s", args[i], ds[i].Version, ds[i].Sum, ds[i].GoModSum, r.Download.Version, r.Download.Sum, r.Download.GoModSum)
		}
	}
	if got := goGetRequests(srv, before); !slices.Equal(got, goGet) {
		t.Errorf("go-get requests: go %q, modnet %q", goGet, got)
	}
	if got := proxyPaths(mp); !slices.Equal(got, goProxy) {
		t.Errorf("proxy requests: go %q, modnet %q", goProxy, got)
	}
}

// proxyPaths lists the paths a module proxy was asked for, in order.
func proxyPaths(s *modproxy.Server) []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// TestDirectPseudoVersionMatchesGo resolves a branch to a pseudo-version
// with the go command, then asks both for that exact pseudo-version.
func TestDirectPseudoVersionMatchesGo(t *testing.T) {
	fx := newDirectFixture(t)
	t.Parallel()
	srv := fx.serve(t)
	g := directGo(t, srv)
	ctx := context.Background()
	ds, _, err := g.ModDownload(ctx, "example.com/repo@feature")
	if err != nil || len(ds) != 1 || ds[0].Error != "" || !module.IsPseudoVersion(ds[0].Version) {
		t.Fatalf("go mod download @feature: %v %+v", err, ds)
	}
	pseudo := ds[0].Version
	ds, _, err = g.ModDownload(ctx, "example.com/repo@"+pseudo)
	if err != nil || len(ds) != 1 || ds[0].Error != "" {
		t.Fatalf("go mod download @%s: %v %+v", pseudo, err, ds)
	}
	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &modfetch.Fetcher{Client: c, Dir: t.TempDir(), GitEnv: withoutGitCA(g.Environ())}
	defer f.Close()
	d, err := f.Download(ctx, "example.com/repo", pseudo)
	if err != nil {
		t.Fatalf("Download @%s: %v", pseudo, err)
	}
	if d.Version != ds[0].Version || d.Sum != ds[0].Sum || d.GoModSum != ds[0].GoModSum {
		t.Errorf("go %s %s %s, modnet %s %s %s", ds[0].Version, ds[0].Sum, ds[0].GoModSum, d.Version, d.Sum, d.GoModSum)
	}
}

// directGo returns an isolated go command that reaches srv under any host
// name and trusts it (git too), with example.com private, no module proxy
// and no checksum database.
func directGo(t *testing.T, srv *gitserver.Server) *gooracle.Go {
	g := gooracle.New(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		g.Set(k, v)
	}
	g.Set("GOPRIVATE", "example.com")
	g.Set("GOPROXY", "off")
	g.Set("GOSUMDB", "off")
	return g
}
