package vcs_test

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gitserver"
	"github.com/modnet/modnet/internal/gooracle"
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
