package vcs_test

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gitserver"
	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/vcs"
)

// TestVCSSuffixMatchesGoCommand resolves a ".git" path with real git
// probing, as the go command does, and checks the go command reached the
// same repository.
func TestVCSSuffixMatchesGoCommand(t *testing.T) {
	t.Parallel()
	srv := gitserver.Start(t, gitserver.Options{})
	r := srv.NewRepo(t, "ping.modnet.test/x")
	r.Write("go.mod", "module ping.modnet.test/x.git\n\ngo 1.20\n").Commit("init")
	r.Tag("v1.0.0")
	const path = "ping.modnet.test/x.git"

	g := gooracle.New(t)
	g.Set("GOPROXY", "direct")
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		g.Set(k, v)
	}
	g.Set("HTTP_PROXY", "")
	ds, stderr, err := g.ModDownload(context.Background(), path+"@v1.0.0")
	if err != nil || len(ds) != 1 || ds[0].Error != "" {
		t.Fatalf("go mod download: %v %+v\n%s", err, ds, stderr)
	}
	var goRefs []string
	for _, req := range srv.Requests() {
		if req.IsGit() && strings.Contains(req.Path, "/info/refs") {
			goRefs = append(goRefs, "https://"+req.Host+req.Path[:strings.Index(req.Path, "/info/refs")])
		}
	}
	srv.Reset()

	ge, err := vcs.NewGitEnv(context.Background(), "https://ping.modnet.test/", vcs.GitEnvOptions{
		Env: gitBaseEnv(t), Roots: []*x509.Certificate{srv.CA.Cert}, Proxy: fixedProxy(srv.ProxyURL), Dir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ge.Close()
	d, err := vcs.New(vcs.Config{Client: pages{}, Ping: vcs.GitPing("", t.TempDir(), ge.Env)})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := d.RepoRoot(context.Background(), path+"/sub")
	if err != nil {
		t.Fatalf("RepoRoot(%s/sub): %v", path, err)
	}
	if rr.Root != path || rr.RepoURL != "https://ping.modnet.test/x" || rr.VCS != "git" {
		t.Errorf("RepoRoot = %+v", rr)
	}
	if len(goRefs) == 0 || goRefs[0] != rr.RepoURL {
		t.Errorf("go command's first git request went to %q, modnet chose %s", goRefs, rr.RepoURL)
	}
	for _, req := range srv.Requests() {
		if !req.IsGit() {
			t.Errorf("modnet made a non-git request %v (static rules need no go-get page)", req)
		}
	}
}

// TestGoGetToGitEndToEnd follows a 4-field go-import tag to a module in a
// repository subdirectory: the go command downloads it; a Discoverer
// finds the same repository and subdirectory, and git, given GitEnv,
// reaches it where the go command's own environment for git would not
// have the CA.
func TestGoGetToGitEndToEnd(t *testing.T) {
	t.Parallel()
	srv := gitserver.Start(t, gitserver.Options{})
	r := srv.NewRepo(t, "e2e.modnet.test/repo")
	r.Write("sub/go.mod", "module e2e.modnet.test/mod\n\ngo 1.20\n", "sub/m.go", "package mod\n").Commit("init")
	r.Tag("sub/v1.0.0")
	srv.GoGet("e2e.modnet.test/mod", "e2e.modnet.test/mod git https://e2e.modnet.test/repo sub")
	const path = "e2e.modnet.test/mod"

	g := gooracle.New(t)
	g.Set("GOPROXY", "direct")
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		g.Set(k, v)
	}
	g.Set("HTTP_PROXY", "")
	ds, stderr, err := g.ModDownload(context.Background(), path+"@v1.0.0")
	if err != nil || len(ds) != 1 || ds[0].Error != "" {
		t.Fatalf("go mod download: %v %+v\n%s", err, ds, stderr)
	}
	var goGet []string
	for _, req := range srv.Requests() {
		if strings.Contains(req.Path, "go-get=1") {
			goGet = append(goGet, req.Host+req.Path)
		}
	}
	srv.Reset()

	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	client, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	d, err := vcs.New(vcs.Config{Client: client, Proxy: client.HTTPProxy})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := d.RepoRoot(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if rr.RepoURL != "https://e2e.modnet.test/repo" || rr.SubDir != "sub" || rr.Root != path || rr.VCS != "git" {
		t.Errorf("RepoRoot(%s) = %+v", path, rr)
	}
	var mine []string
	for _, req := range srv.Requests() {
		if strings.Contains(req.Path, "go-get=1") {
			mine = append(mine, req.Host+req.Path)
		}
	}
	if strings.Join(goGet, " ") != strings.Join(mine, " ") {
		t.Errorf("go-get requests: go %q, modnet %q", goGet, mine)
	}

	// The go command's environment for git, minus the test's
	// GIT_SSL_CAINFO: only SSL_CERT_FILE names the CA, which git ignores.
	base := append(gitBaseEnv(t), "https_proxy="+srv.ProxyURL, "SSL_CERT_FILE="+srv.CAFile)
	if out, err := lsRemote(t, base, rr.RepoURL); err == nil {
		t.Fatalf("git ls-remote without GitEnv succeeded:\n%s", out)
	}
	ge, err := vcs.NewGitEnv(context.Background(), rr.RepoURL, vcs.GitEnvOptions{
		Env: base, Roots: []*x509.Certificate{srv.CA.Cert}, Proxy: client.HTTPProxy, Dir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ge.Close()
	if out, err := lsRemote(t, ge.Env, rr.RepoURL); err != nil || !strings.Contains(out, "refs/tags/sub/v1.0.0") {
		t.Errorf("git ls-remote with GitEnv: %v\n%s", err, out)
	}
}
