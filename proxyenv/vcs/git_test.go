package vcs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modnet/modnet/internal/gitserver"
	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/proxyenv/vcs"
)

// TestGit groups the git-layer tests around one fixture.
func TestGit(t *testing.T) {
	f := diffFixture(t)
	t.Run("WorkDirLayout", func(t *testing.T) { t.Parallel(); testWorkDirLayout(t, f) })
	t.Run("SecondVersionFetchesOnlyItsRef", func(t *testing.T) { t.Parallel(); testSecondVersion(t, f) })
	t.Run("WarmCacheNoFetch", func(t *testing.T) { t.Parallel(); testWarmCache(t, f) })
	t.Run("SharedWithGoCommand", func(t *testing.T) { t.Parallel(); testSharedWithGo(t, f) })
	t.Run("ConcurrentUsers", func(t *testing.T) { t.Parallel(); testConcurrentUsers(t, f) })
	t.Run("ConcurrentProcesses", func(t *testing.T) { t.Parallel(); testConcurrentProcesses(t, f) })
	t.Run("UnknownRevision", func(t *testing.T) { t.Parallel(); testUnknownRevision(t, f) })
	t.Run("NotFoundRepository", func(t *testing.T) { t.Parallel(); testNotFound(t, f) })
	t.Run("Cancelled", func(t *testing.T) { t.Parallel(); testCancelled(t, f) })
	t.Run("ExportIgnoreDisabled", func(t *testing.T) { t.Parallel(); testZipContents(t, f) })
}

func testWorkDirLayout(t *testing.T, f *fixture) {
	ctx := context.Background()
	cache := t.TempDir()
	code, err := vcs.OpenGit(ctx, f.config(t, cache, nil), "https://example.com/basic")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(cache, "cache", "vcs", fmt.Sprintf("%x", sha256.Sum256([]byte("git3:https://example.com/basic"))))
	if code.Dir() != want {
		t.Errorf("Dir() = %s, want %s", code.Dir(), want)
	}
	info, err := os.ReadFile(want + ".info")
	if err != nil || string(info) != "git3:https://example.com/basic" {
		t.Errorf(".info = %q, %v; want the go command's key", info, err)
	}
	if _, err := os.Stat(want + ".lock"); err != nil {
		t.Errorf("lock file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(want, "objects")); err != nil {
		t.Errorf("bare repository: %v", err)
	}
}

// testSecondVersion: a second version of an already fetched repository
// costs one shallow fetch of its tag, not a clone.
func testSecondVersion(t *testing.T, f *fixture) {
	ctx := context.Background()
	tr := &tracer{}
	m := moduleRepo(t, ctx, f.config(t, "", tr), "example.com/basic", "example.com/basic")
	if r := download(ctx, m, "v1.0.0"); r.Error != "" {
		t.Fatal(r.Error)
	}
	inits, fetches, lsRemotes := tr.count("init"), tr.count("fetch"), tr.count("ls-remote")
	if r := download(ctx, m, "v1.1.0"); r.Error != "" {
		t.Fatal(r.Error)
	}
	if n := tr.count("init") - inits; n != 0 {
		t.Errorf("second version ran git init %d times", n)
	}
	if n := tr.count("ls-remote") - lsRemotes; n != 0 {
		t.Errorf("second version ran git ls-remote %d times, want 0 (refs are read once)", n)
	}
	// v1.1.0 was already fetched while the first version looked for
	// retractions in the newest release; nothing more is needed.
	if n := tr.count("fetch") - fetches; n != 0 {
		t.Errorf("second version ran git fetch %d times, want 0:\n%s", n, strings.Join(tr.lines, "\n"))
	}
	// A branch needs one more shallow fetch of that branch, no full fetch.
	fetches = tr.count("fetch")
	if r := download(ctx, m, "feature"); r.Error != "" {
		t.Fatal(r.Error)
	}
	if n := tr.count("fetch", "--depth=1"); n < 1 {
		t.Errorf("no shallow fetch for a branch")
	}
	t.Logf("fetches for the feature branch: %d", tr.count("fetch")-fetches)
}

// testWarmCache: a new GitRepo over a cache that has the version fetches
// nothing; the git server sees only the ref listing.
func testWarmCache(t *testing.T, f *fixture) {
	ctx := context.Background()
	cache := t.TempDir()
	m := moduleRepo(t, ctx, f.config(t, cache, nil), "example.com/mono", "example.com/mono/tools")
	first := download(ctx, m, "v1.2.0")
	if first.Error != "" {
		t.Fatal(first.Error)
	}
	tr := &tracer{}
	m = moduleRepo(t, ctx, f.config(t, cache, tr), "example.com/mono", "example.com/mono/tools")
	again := download(ctx, m, "v1.2.0")
	if again != first {
		t.Errorf("warm download = %+v, want %+v", again, first)
	}
	if n := tr.count("fetch"); n != 0 {
		t.Errorf("warm cache ran git fetch %d times:\n%s", n, strings.Join(tr.lines, "\n"))
	}
	if n := tr.count("init"); n != 0 {
		t.Errorf("warm cache ran git init %d times", n)
	}
	if n := tr.count("ls-remote"); n > 1 {
		t.Errorf("warm cache ran git ls-remote %d times, want at most 1", n)
	}
}

// testSharedWithGo: the go command and modnet share one cache directory.
func testSharedWithGo(t *testing.T, f *fixture) {
	ctx := context.Background()
	g := gooracle.New(t)
	for _, kv := range f.srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		g.Set(k, v)
	}
	g.Set("GOPRIVATE", "example.com")
	g.Set("GOPROXY", "direct")
	cache, _ := g.Get("GOMODCACHE")
	ds, stderr, err := g.ModDownload(ctx, "example.com/major/v2@v2.0.0")
	if err != nil || len(ds) != 1 || ds[0].Error != "" {
		t.Fatalf("go mod download: %v %+v\n%s", err, ds, stderr)
	}
	tr := &tracer{}
	m := moduleRepo(t, ctx, f.config(t, cache, tr), "example.com/major", "example.com/major/v2")
	got := download(ctx, m, "v2.0.0")
	if got.Sum != ds[0].Sum || got.GoModSum != ds[0].GoModSum || got.Error != "" {
		t.Errorf("modnet over the go command's cache = %+v, go = %+v", got, ds[0])
	}
	if n := tr.count("init") + tr.count("fetch"); n != 0 {
		t.Errorf("modnet re-initialized or fetched %d times over the go command's cache:\n%s", n, strings.Join(tr.lines, "\n"))
	}
	// And the go command accepts what modnet leaves behind.
	if out, err := exec.Command("git", "--git-dir", m2dir(t, cache, "https://example.com/major"), "fsck", "--no-progress").CombinedOutput(); err != nil {
		t.Errorf("git fsck: %v\n%s", err, out)
	}
}

func m2dir(t *testing.T, cache, remote string) string {
	dir, _ := vcs.WorkDir(cache, remote)
	return dir
}

// testConcurrentUsers: goroutines with their own GitRepo values share one
// cache without corrupting it or each other's answers.
func testConcurrentUsers(t *testing.T, f *fixture) {
	ctx := context.Background()
	cache := t.TempDir()
	queries := []string{"v1.0.0", "main", "feature", "main"}
	want := map[string]result{}
	{
		m := moduleRepo(t, ctx, f.config(t, "", nil), "example.com/basic", "example.com/basic")
		for _, q := range queries {
			want[q] = download(ctx, m, q)
		}
	}
	var wg sync.WaitGroup
	got := make([]result, len(queries))
	for i, q := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, err := vcs.OpenGit(ctx, f.config(t, cache, nil), "https://example.com/basic")
			if err != nil {
				got[i] = result{Error: err.Error()}
				return
			}
			m, err := vcs.NewModuleRepo(code, vcs.Module{Path: "example.com/basic", Root: "example.com/basic"})
			if err != nil {
				got[i] = result{Error: err.Error()}
				return
			}
			got[i] = download(ctx, m, q)
		}()
	}
	wg.Wait()
	for i, q := range queries {
		if got[i] != want[q] {
			t.Errorf("concurrent %s = %+v, want %+v", q, got[i], want[q])
		}
	}
	if out, err := exec.Command("git", "--git-dir", m2dir(t, cache, "https://example.com/basic"), "fsck", "--no-progress").CombinedOutput(); err != nil {
		t.Errorf("git fsck after concurrent use: %v\n%s", err, out)
	}
}

// testConcurrentProcesses: this test binary, run again as a helper
// process, downloads into the same cache at the same time.
func testConcurrentProcesses(t *testing.T, f *fixture) {
	ctx := context.Background()
	cache := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var procs []*exec.Cmd
	var outs []*bytes.Buffer
	for i := 0; i < 2; i++ {
		cmd := exec.CommandContext(ctx, exe, "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), "VCS_HELPER_CACHE="+cache, "VCS_HELPER_ENV="+strings.Join(f.env(t), "\n"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs, outs = append(procs, cmd), append(outs, &out)
	}
	m := moduleRepo(t, ctx, f.config(t, cache, nil), "example.com/basic", "example.com/basic")
	mine := download(ctx, m, "main")
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Fatalf("helper process: %v\n%s", err, outs[i])
		}
		if !strings.Contains(outs[i].String(), "helper: "+mine.Version+" "+mine.Sum) {
			t.Errorf("helper process got\n%s\nwant version %s sum %s", outs[i], mine.Version, mine.Sum)
		}
	}
	if mine.Error != "" {
		t.Fatal(mine.Error)
	}
	if out, err := exec.Command("git", "--git-dir", m2dir(t, cache, "https://example.com/basic"), "fsck", "--no-progress").CombinedOutput(); err != nil {
		t.Errorf("git fsck after concurrent processes: %v\n%s", err, out)
	}
}

// TestHelperProcess is the other process of testConcurrentProcesses.
func TestHelperProcess(t *testing.T) {
	cache := os.Getenv("VCS_HELPER_CACHE")
	if cache == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	cfg := vcs.GitConfig{GOMODCACHE: cache, Env: strings.Split(os.Getenv("VCS_HELPER_ENV"), "\n")}
	m := moduleRepo(t, ctx, cfg, "example.com/basic", "example.com/basic")
	r := download(ctx, m, "main")
	if r.Error != "" {
		t.Fatal(r.Error)
	}
	fmt.Printf("helper: %s %s\n", r.Version, r.Sum)
}

func testUnknownRevision(t *testing.T, f *fixture) {
	ctx := context.Background()
	tr := &tracer{}
	code, err := vcs.OpenGit(ctx, f.config(t, "", tr), "https://example.com/basic")
	if err != nil {
		t.Fatal(err)
	}
	_, err = code.Stat(ctx, "v9.9.9")
	var ure *vcs.UnknownRevisionError
	if !errors.As(err, &ure) || ure.Rev != "v9.9.9" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(v9.9.9) = %v, want *UnknownRevisionError that is fs.ErrNotExist", err)
	}
	// An exact unknown version only lists refs, like the go command.
	if n := tr.count("fetch"); n != 0 {
		t.Errorf("Stat(v9.9.9) ran git fetch %d times", n)
	}
}

func testNotFound(t *testing.T, f *fixture) {
	ctx := context.Background()
	cfg := f.config(t, "", nil)
	var checked []string
	var mu sync.Mutex
	cfg.CheckURL = func(ctx context.Context, url string) error {
		mu.Lock()
		checked = append(checked, url)
		mu.Unlock()
		return fmt.Errorf("404 Not Found: %w", fs.ErrNotExist)
	}
	code, err := vcs.OpenGit(ctx, cfg, "https://example.com/nosuchrepo")
	if err != nil {
		t.Fatal(err)
	}
	_, err = code.Stat(ctx, "v1.0.0")
	var ge *vcs.GitError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &ge) {
		t.Fatalf("Stat on a missing repository = %v, want a *GitError that is fs.ErrNotExist", err)
	}
	if !strings.HasPrefix(err.Error(), "git ls-remote -q --end-of-options https://example.com/nosuchrepo in ") || !strings.Contains(err.Error(), ": exit status 128:\n\t") {
		t.Errorf("error = %q, want the go command's shape", err)
	}
	if len(checked) != 1 || checked[0] != "https://example.com/nosuchrepo" {
		t.Errorf("CheckURL calls = %q", checked)
	}
}

func testCancelled(t *testing.T, f *fixture) {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := f.config(t, "", nil)
	code, err := vcs.OpenGit(context.Background(), cfg, "https://example.com/basic")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := code.Stat(ctx, "main"); !errors.Is(err, context.Canceled) {
		t.Errorf("Stat with a cancelled context = %v, want context.Canceled", err)
	}
	// The cancelled lookup is not remembered.
	if _, err := code.Stat(context.Background(), "main"); err != nil {
		t.Errorf("Stat after a cancelled Stat: %v", err)
	}
}

// testZipContents: the go command disables export-ignore and
// export-subst, keeps CRLF as committed, drops vendor/ and nested modules.
func testZipContents(t *testing.T, f *fixture) {
	ctx := context.Background()
	m := moduleRepo(t, ctx, f.config(t, "", nil), "example.com/files", "example.com/files")
	var buf bytes.Buffer
	if err := m.Zip(ctx, &buf, "v1.0.0"); err != nil {
		t.Fatal(err)
	}
	names := strings.Join(zipNames(t, buf.Bytes()), "\n")
	for _, want := range []string{"example.com/files@v1.0.0/ignored.txt", "example.com/files@v1.0.0/subst.txt", "example.com/files@v1.0.0/dos.txt", "example.com/files@v1.0.0/vendor/modules.txt"} {
		if !strings.Contains(names, want+"\n") && !strings.HasSuffix(names, want) {
			t.Errorf("zip lacks %s:\n%s", want, names)
		}
	}
	for _, bad := range []string{"nested/", "vendor/example.org"} {
		if strings.Contains(names, bad) {
			t.Errorf("zip has %s:\n%s", bad, names)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := []string{"PATH=" + os.Getenv("PATH")}
	cases := []struct {
		name   string
		cfg    vcs.GitConfig
		vcs    string
		remote string
		check  func(error) bool
		text   string
	}{
		{"scp syntax", vcs.GitConfig{GOMODCACHE: t.TempDir(), Env: env}, "git", "git@example.com:repo",
			func(err error) bool { var e *vcs.ConfigError; return errors.As(err, &e) },
			"vcs: remote: git remote (xxxxx@example.com:repo) must not be local directory (use URL syntax not host:path syntax)"},
		{"local dir", vcs.GitConfig{GOMODCACHE: t.TempDir(), Env: env}, "git", "/srv/repo",
			func(err error) bool { var e *vcs.ConfigError; return errors.As(err, &e) },
			"vcs: remote: git remote (/srv/repo) must not be local directory"},
		{"no cache", vcs.GitConfig{Env: env}, "git", "https://example.com/r",
			func(err error) bool { var e *vcs.ConfigError; return errors.As(err, &e) && e.Field == "GOMODCACHE" },
			"vcs: GOMODCACHE: neither GOPATH nor GOMODCACHE are set"},
		{"no env", vcs.GitConfig{GOMODCACHE: t.TempDir()}, "git", "https://example.com/r",
			func(err error) bool { var e *vcs.ConfigError; return errors.As(err, &e) && e.Field == "Env" },
			"vcs: Env: no environment for git (GitConfig.Env is nil)"},
		{"no git on PATH", vcs.GitConfig{GOMODCACHE: t.TempDir(), Env: []string{"PATH=/nonexistent"}}, "git", "https://example.com/r",
			func(err error) bool { var e *vcs.ConfigError; return errors.As(err, &e) && e.Field == "Git" },
			`vcs: Git: git not found in the PATH of GitConfig.Env ("/nonexistent")`},
		{"hg", vcs.GitConfig{GOMODCACHE: t.TempDir(), Env: env}, "hg", "https://alice:s3cret@example.com/r",
			func(err error) bool { var e *vcs.UnsupportedVCSError; return errors.As(err, &e) && e.VCS == "hg" },
			"vcs: hg repository https://alice:xxxxx@example.com/r: only git is supported in direct mode; fetch this module through a module proxy (GOPROXY) or with the go command"},
		{"svn", vcs.GitConfig{GOMODCACHE: t.TempDir(), Env: env}, "svn", "https://example.com/r",
			func(err error) bool { var e *vcs.UnsupportedVCSError; return errors.As(err, &e) && e.VCS == "svn" },
			"vcs: svn repository https://example.com/r: only git is supported in direct mode; fetch this module through a module proxy (GOPROXY) or with the go command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vcs.Open(ctx, tc.cfg, tc.vcs, tc.remote)
			if err == nil || !tc.check(err) || err.Error() != tc.text {
				t.Errorf("Open(%s, %s) = %v (%T), want %q", tc.vcs, tc.remote, err, err, tc.text)
			}
		})
	}
}

// TestCredentials: the faq#git_https hint when git would prompt, and no
// password in traces or errors.
func TestCredentials(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := gitserver.Start(t, gitserver.Options{User: "alice", Password: "s3cret"})
	r := s.NewRepo(t, "example.com/private")
	r.Write("go.mod", "module example.com/private\n")
	r.Commit("first")
	r.Tag("v1.0.0")
	s.GoGetRepo("example.com/private")
	home := t.TempDir()
	env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1"}, s.Env()...)

	// Without credentials: git would prompt; the go command's hint.
	code, err := vcs.OpenGit(ctx, vcs.GitConfig{GOMODCACHE: t.TempDir(), Env: env}, "https://example.com/private")
	if err != nil {
		t.Fatal(err)
	}
	_, err = code.Stat(ctx, "v1.0.0")
	var ge *vcs.GitError
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "could not read Username") ||
		!strings.HasSuffix(err.Error(), "\nConfirm the import path was entered correctly.\nIf this is a private repository, see https://golang.org/doc/faq#git_https for additional information.") {
		t.Errorf("Stat without credentials = %v, want the faq#git_https hint", err)
	}

	// The go command fails the same way.
	g := gooracle.New(t)
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		g.Set(k, v)
	}
	g.Set("GOPRIVATE", "example.com")
	g.Set("GOPROXY", "direct")
	ds, stderr, gerr := g.ModDownload(ctx, "example.com/private@v1.0.0")
	if gerr != nil || len(ds) != 1 {
		t.Fatalf("go mod download: %v %+v\n%s", gerr, ds, stderr)
	}
	gomodcache, _ := g.Get("GOMODCACHE")
	goDir, _ := vcs.WorkDir(gomodcache, "https://example.com/private")
	wantErr := strings.ReplaceAll(ds[0].Error, goDir, code.Dir())
	if gotErr := "example.com/private@v1.0.0: invalid version: " + err.Error(); gotErr != wantErr {
		t.Errorf("error without credentials:\nmodnet: %s\ngo:     %s", gotErr, wantErr)
	}

	// Credentials in the URL: they work, and never show.
	for _, pass := range []string{"s3cret", "wrong-pass"} {
		tr := &tracer{}
		remote := "https://alice:" + pass + "@example.com/private"
		code, err := vcs.OpenGit(ctx, vcs.GitConfig{GOMODCACHE: t.TempDir(), Env: env, Trace: tr.add}, remote)
		if err != nil {
			t.Fatal(err)
		}
		info, err := code.Stat(ctx, "v1.0.0")
		if pass == "s3cret" && (err != nil || info.Version != "v1.0.0") {
			t.Errorf("Stat with credentials = %+v, %v", info, err)
		}
		if pass != "s3cret" && err == nil {
			t.Errorf("Stat with a wrong password succeeded")
		}
		for _, l := range append(tr.lines, fmt.Sprint(err)) {
			if strings.Contains(l, pass) {
				t.Errorf("password in %q", l)
			}
		}
	}
}
