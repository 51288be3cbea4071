package vcs_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/modnet/modnet/internal/gitserver"
	"github.com/modnet/modnet/proxyenv/vcs"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
)

// fixture is a git server with the test repositories, shared by the tests
// of one test binary.
type fixture struct {
	srv *gitserver.Server
	// hashes of interesting commits, by name.
	hash map[string]string
	mu   sync.Mutex

	clientOnce sync.Once
	client     *http.Client
}

// newFixture builds the repositories the differential tests use, each in
// its own parallel subtest (git commands are slow to start; building them
// one after another takes seconds).
func newFixture(t testing.TB) *fixture {
	t.Helper()
	s := gitserver.Start(t, gitserver.Options{})
	f := &fixture{srv: s, hash: map[string]string{}}
	builders := map[string]func(t testing.TB){
		// basic: tags v1.0.0, v1.1.0 (annotated), then main moves on; a
		// feature branch with a pre-release tag.
		"basic": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/basic")
			r.Write("go.mod", "module example.com/basic\n\ngo 1.20\n", "basic.go", "package basic\n")
			f.set("basic/v1.0.0", r.Commit("v1.0.0"))
			r.Tag("v1.0.0")
			r.Write("basic.go", "package basic\n\nconst V = 1\n")
			f.set("basic/v1.1.0", r.Commit("v1.1.0"))
			r.AnnotatedTag("v1.1.0", "release v1.1.0")
			r.Write("more.go", "package basic\n\nconst More = 2\n")
			f.set("basic/main", r.Commit("after v1.1.0"))
			r.Checkout("feature", true)
			r.Write("feature.go", "package basic\n\nconst Feature = 3\n")
			f.set("basic/feature", r.Commit("feature work"))
			r.Tag("v1.2.0-rc")
			r.Checkout("main", false)
		},
		// notags: commits only.
		"notags": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/notags")
			r.Write("go.mod", "module example.com/notags\n", "n.go", "package notags\n")
			f.set("notags/first", r.Commit("first"))
			r.Write("n2.go", "package notags\n")
			f.set("notags/main", r.Commit("second"))
		},
		// nogomod: no go.mod; v1, v2 and v3 tags (v2+ are +incompatible).
		"nogomod": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/nogomod")
			r.Write("x.go", "package nogomod\n")
			r.Commit("v1")
			r.Tag("v1.0.0")
			r.Write("x.go", "package nogomod\n\n// v2\n")
			r.Commit("v2")
			r.Tag("v2.0.0")
			r.Write("x.go", "package nogomod\n\n// v3\n")
			f.set("nogomod/v3", r.Commit("v3"))
			r.Tag("v3.0.0")
			r.Write("y.go", "package nogomod\n")
			f.set("nogomod/main", r.Commit("after v3"))
		},
		// mono: a root module and tools/ with prefixed tags; LICENSE at root.
		"mono": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/mono")
			r.Write("go.mod", "module example.com/mono\n", "LICENSE", "Root license\n", "m.go", "package mono\n",
				"tools/go.mod", "module example.com/mono/tools\n", "tools/t.go", "package tools\n")
			r.Commit("first")
			r.Tag("v1.0.0", "tools/v1.2.0")
			r.Write("tools/t.go", "package tools\n\n// 1.3\n")
			r.Commit("tools 1.3")
			r.Tag("tools/v1.3.0")
			r.Write("tools/u.go", "package tools\n")
			f.set("mono/main", r.Commit("tools after 1.3"))
		},
		// major: v1 at the root, v2 in v2/.
		"major": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/major")
			r.Write("go.mod", "module example.com/major\n", "a.go", "package major\n")
			r.Commit("v1")
			r.Tag("v1.0.0")
			r.Write("v2/go.mod", "module example.com/major/v2\n", "v2/a.go", "package major\n")
			f.set("major/v2", r.Commit("v2"))
			r.Tag("v2.0.0")
			r.Write("v2/b.go", "package major\n")
			f.set("major/main", r.Commit("v2 more"))
		},
		// rootv2: a /v2 module at the root.
		"rootv2": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/rootv2")
			r.Write("go.mod", "module example.com/rootv2/v2\n", "a.go", "package rootv2\n")
			r.Commit("v2.1.0")
			r.Tag("v2.1.0")
			r.Write("b.go", "package rootv2\n")
			f.set("rootv2/main", r.Commit("after"))
		},
		// files: vendor/, export-ignore and export-subst attributes, CRLF
		// text, a nested module.
		"files": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/files")
			r.Write("go.mod", "module example.com/files\n",
				".gitattributes", "ignored.txt export-ignore\nsubst.txt export-subst\n*.crlf text eol=crlf\n",
				"ignored.txt", "would be dropped by git archive\n",
				"subst.txt", "$Format:%H$\n",
				"dos.txt", "line one\r\nline two\r\n",
				"text.crlf", "a\nb\n",
				"vendor/modules.txt", "# vendored\n",
				"vendor/example.org/v/v.go", "package v\n",
				"sub/vendor/x.go", "package vendor\n",
				"nested/go.mod", "module example.com/files/nested\n",
				"nested/n.go", "package nested\n",
				"f.go", "package files\n")
			r.Commit("files")
			r.Tag("v1.0.0")
		},
		// retract: v1.1.0's go.mod retracts v1.0.1.
		"retract": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/retract")
			r.Write("go.mod", "module example.com/retract\n")
			r.Commit("v1.0.0")
			r.Tag("v1.0.0")
			r.Write("a.go", "package retract\n")
			r.Commit("v1.0.1")
			r.Tag("v1.0.1")
			r.Write("b.go", "package retract\n")
			f.set("retract/untagged", r.Commit("untagged after v1.0.1"))
			r.Write("go.mod", "module example.com/retract\n\nretract v1.0.1\n")
			r.Commit("v1.1.0")
			r.Tag("v1.1.0")
		},
		// subdirmod: the go-import tag's fourth field puts the module in
		// sub/ (Go 1.25+); its tags carry the sub/ prefix.
		"subdirmod": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/subdirmod")
			r.Write("README", "root\n", "LICENSE", "license\n", "sub/go.mod", "module example.com/subdirmod\n", "sub/s.go", "package subdirmod\n")
			r.Commit("first")
			r.Tag("sub/v1.0.0", "v1.5.0")
			r.Write("sub/t.go", "package subdirmod\n")
			f.set("subdirmod/main", r.Commit("second"))
		},
		// toonew: a go.mod asking for a Go from the future.
		"toonew": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/toonew")
			r.Write("go.mod", "module example.com/toonew\n\ngo 1.99 // future\n", "a.go", "package toonew\n")
			r.Commit("first")
			r.Tag("v1.0.0")
		},
		// noncanon: tags that are not canonical versions.
		"noncanon": func(t testing.TB) {
			r := s.NewRepo(t, "example.com/noncanon")
			r.Write("go.mod", "module example.com/noncanon\n")
			r.Commit("v1.0.0")
			r.Tag("v1.0.0")
			r.Write("a.go", "package noncanon\n")
			r.Commit("build-tagged")
			r.Tag("v1.4.0+build", "release-1", "v1.5", "v1.6.0-0.20200101000000-abcdefabcdef")
			r.Write("b.go", "package noncanon\n")
			r.Commit("later")
		},
		// empty: a repository without commits.
		"empty": func(t testing.TB) { s.NewRepo(t, "example.com/empty") },
	}
	for name := range builders {
		s.GoGetRepo("example.com/" + name)
	}
	s.GoGet("example.com/subdirmod", "example.com/subdirmod git https://example.com/subdirmod sub")
	// ghost: a go-import tag pointing at a repository the server lacks.
	s.GoGetRepo("example.com/ghost")
	// Build in parallel goroutines (not subtests, which -run would
	// filter out); failures are collected and reported here.
	var wg sync.WaitGroup
	bt := &builderTB{TB: t}
	for _, build := range builders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			build(bt)
		}()
	}
	wg.Wait()
	if len(bt.errs) > 0 {
		t.Fatalf("building fixture repositories:\n%s", strings.Join(bt.errs, "\n"))
	}
	return f
}

// builderTB lets fixture builders run in goroutines: a fatal error is
// recorded and ends only the builder's goroutine.
type builderTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (b *builderTB) Helper() {}

func (b *builderTB) Fatalf(format string, args ...any) {
	b.mu.Lock()
	b.errs = append(b.errs, fmt.Sprintf(format, args...))
	b.mu.Unlock()
	runtime.Goexit()
}

func (b *builderTB) Fatal(args ...any) { b.Fatalf("%s", fmt.Sprint(args...)) }

func (b *builderTB) Skip(args ...any) { b.Fatalf("skip: %s", fmt.Sprint(args...)) }

func (f *fixture) set(name, hash string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hash[name] = hash
}

// env returns the environment git runs with in these tests: the machine's
// PATH, a private HOME, and the server's proxy and CA.
func (f *fixture) env(t testing.TB) []string {
	home := t.TempDir()
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
	}, f.srv.Env()...)
}

// config returns a GitConfig with a fresh module cache (or the given
// one) and a trace of git commands into *trace if non-nil.
func (f *fixture) config(t testing.TB, cache string, trace *tracer) vcs.GitConfig {
	if cache == "" {
		cache = t.TempDir()
	}
	cfg := vcs.GitConfig{GOMODCACHE: cache, Env: f.env(t), CheckURL: f.checkURL}
	if trace != nil {
		cfg.Trace = trace.add
	}
	return cfg
}

// checkURL fetches a repository URL as the go command does when
// "git ls-remote" fails: 404 and 410 mean the repository does not exist.
func (f *fixture) checkURL(ctx context.Context, raw string) error {
	f.clientOnce.Do(func() {
		pool := x509.NewCertPool()
		pool.AddCert(f.srv.CA.Cert)
		proxy, _ := url.Parse(f.srv.ProxyURL)
		f.client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: pool}}}
	})
	req, err := http.NewRequestWithContext(ctx, "GET", raw, nil)
	if err != nil {
		return err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return fmt.Errorf("%s: %w", resp.Status, fs.ErrNotExist)
	}
	return nil
}

type tracer struct {
	mu    sync.Mutex
	lines []string
}

func (tr *tracer) add(s string) {
	tr.mu.Lock()
	tr.lines = append(tr.lines, s)
	tr.mu.Unlock()
}

// count returns how many traced commands contain all of words.
func (tr *tracer) count(words ...string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
next:
	for _, l := range tr.lines {
		for _, w := range words {
			if !strings.Contains(l, " "+w) {
				continue next
			}
		}
		n++
	}
	return n
}

// moduleRepo opens the module modPath in the repository rooted at root
// (served at https://root).
func moduleRepo(t testing.TB, ctx context.Context, cfg vcs.GitConfig, root, modPath string) *vcs.ModuleRepo {
	t.Helper()
	return moduleRepoSubdir(t, ctx, cfg, root, "", modPath)
}

// moduleRepoSubdir is moduleRepo for a go-import tag with a subdirectory.
func moduleRepoSubdir(t testing.TB, ctx context.Context, cfg vcs.GitConfig, root, subdir, modPath string) *vcs.ModuleRepo {
	t.Helper()
	code, err := vcs.OpenGit(ctx, cfg, "https://"+root)
	if err != nil {
		t.Fatalf("OpenGit(%s): %v", root, err)
	}
	m, err := vcs.NewModuleRepo(code, vcs.Module{Path: modPath, Root: root, Subdir: subdir, GoVersion: "1.26.8", GOTOOLCHAIN: "local"})
	if err != nil {
		t.Fatalf("NewModuleRepo(%s): %v", modPath, err)
	}
	return m
}

// result is what one download gives, in go mod download -json terms.
type result struct {
	Version, Time, Sum, GoModSum, Error string
}

// download resolves query like "go mod download" (versions, revisions and
// "latest" without retractions beyond the repository's own) and hashes
// the go.mod and zip.
func download(ctx context.Context, m *vcs.ModuleRepo, query string) result {
	version := query
	if query == "latest" {
		list, err := m.Versions(ctx, "")
		if err != nil {
			return result{Error: err.Error()}
		}
		version = ""
		for i := len(list) - 1; i >= 0; i-- {
			if semver.Prerelease(list[i]) == "" {
				version = list[i]
				break
			}
		}
		if version == "" && len(list) > 0 {
			version = list[len(list)-1]
		}
		if version == "" {
			info, err := m.Latest(ctx)
			if errors.Is(err, fs.ErrNotExist) {
				// The go command's query layer (proxyenv's too) reports a
				// latest that does not exist this way.
				return result{Error: fmt.Sprintf("module %s: no matching versions for query \"latest\"", m.ModulePath())}
			}
			if err != nil {
				return result{Error: err.Error()}
			}
			version = info.Version
		}
	}
	info, err := m.Stat(ctx, version)
	if err != nil {
		return result{Error: err.Error()}
	}
	res := result{Version: info.Version, Time: info.Time.UTC().Format("2006-01-02T15:04:05Z")}
	gomod, err := m.GoMod(ctx, info.Version)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.GoModSum, _ = dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gomod)), nil
	})
	var zbuf bytes.Buffer
	if err := m.Zip(ctx, &zbuf, info.Version); err != nil {
		res.Error = err.Error()
		return res
	}
	res.Sum, err = hashZipBytes(zbuf.Bytes())
	if err != nil {
		res.Error = err.Error()
	}
	return res
}

func hashZipBytes(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	var names []string
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		files[f.Name] = f
	}
	return dirhash.Hash1(names, func(name string) (io.ReadCloser, error) { return files[name].Open() })
}

// zipNames lists the files of a module zip.
func zipNames(t testing.TB, data []byte) []string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}
