package gitserver_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modnet/modnet/internal/gitserver"
	"github.com/modnet/modnet/internal/gooracle"
)

func TestRepoHashesAreStable(t *testing.T) {
	t.Parallel()
	hash := func() string {
		r := gitserver.NewRepo(t, t.TempDir())
		r.Write("go.mod", "module example.com/m\n", "a.go", "package m\n")
		r.Commit("first")
		r.Tag("v1.0.0")
		return r.Commit("second")
	}
	if a, b := hash(), hash(); a != b {
		t.Fatalf("two identical repos have different heads %s and %s", a, b)
	}
}

func TestServerGitAndGoGet(t *testing.T) {
	t.Parallel()
	var logged []string
	var mu sync.Mutex
	s := gitserver.Start(t, gitserver.Options{User: "alice", Password: "s3cret", Log: func(r gitserver.Request) {
		mu.Lock()
		logged = append(logged, r.String())
		mu.Unlock()
	}})
	r := s.NewRepo(t, "example.com/repo")
	r.Write("go.mod", "module example.com/repo\n\ngo 1.20\n", "x.go", "package repo\n")
	r.Commit("first")
	r.Tag("v1.0.0")
	s.GoGetRepo("example.com/repo")

	// git through the proxy, with credentials in a netrc.
	home := t.TempDir()
	if err := writeFile(filepath.Join(home, ".netrc"), "machine example.com login alice password s3cret\n"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "ls-remote", "https://example.com/repo")
	cmd.Env = append([]string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "PATH=/usr/bin:/bin"}, s.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "refs/tags/v1.0.0") {
		t.Fatalf("git ls-remote: %v\n%s", err, out)
	}
	for _, r := range s.Requests() {
		if strings.Contains(r.String(), "s3cret") {
			t.Errorf("request log shows the password: %s", r)
		}
	}

	// The go command through the same proxy.
	g := gooracle.New(t)
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		g.Set(k, v)
	}
	g.Set("HOME", home)
	g.Set("GOPRIVATE", "example.com")
	g.Set("GOPROXY", "direct")
	ds, stderr, err := g.ModDownload(context.Background(), "example.com/repo@latest")
	if err != nil || len(ds) != 1 || ds[0].Error != "" || ds[0].Version != "v1.0.0" {
		t.Fatalf("go mod download: %+v %v\n%s\nrequests: %v", ds, err, stderr, s.Requests())
	}
	var sawGoGet, sawGit bool
	for _, r := range s.Requests() {
		sawGoGet = sawGoGet || r.Path == "/repo?go-get=1"
		sawGit = sawGit || (r.IsGit() && r.Auth)
	}
	mu.Lock()
	if len(logged) != len(s.Requests()) {
		t.Errorf("Log saw %d requests, Requests() has %d", len(logged), len(s.Requests()))
	}
	mu.Unlock()
	if !sawGoGet || !sawGit {
		t.Errorf("requests = %v, want a go-get page and authenticated git requests", s.Requests())
	}
}

func TestServerGoGet404(t *testing.T) {
	t.Parallel()
	s := gitserver.Start(t, gitserver.Options{})
	s.GoGet("example.com/a", "example.com/a git https://example.com/a")
	g := gooracle.New(t)
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		g.Set(k, v)
	}
	g.Set("GOPRIVATE", "example.com")
	g.Set("GOPROXY", "direct")
	ds, _, err := g.ModDownload(context.Background(), "example.com/b@latest")
	if err != nil || len(ds) != 1 || !strings.Contains(ds[0].Error, "404 Not Found") {
		t.Fatalf("go mod download example.com/b: %+v %v", ds, err)
	}
}

func writeFile(name, content string) error {
	return os.WriteFile(name, []byte(content), 0o600)
}
