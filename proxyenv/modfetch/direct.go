package modfetch

import (
	"context"
	"encoding/json"
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

	"github.com/modnet/modnet/internal/redact"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/vcs"
)

// directState is what a Fetcher knows about modules' origins: one
// discoverer (with its prefix cache) and the repository of each module
// looked up, errors included, like one run of the go command.
type directState struct {
	once      sync.Once
	disc      *vcs.Discoverer
	discErr   error
	toolchain string // GOTOOLCHAIN, named in a too-new go.mod's error
	tmp       string // the private directory for git environments and caches

	mu      sync.Mutex
	lookups map[string]*directLookup
	envs    []*vcs.GitEnv
}

// A directLookup is the origin of one module: a git repository, or a
// module proxy named by a "mod" go-import tag.
type directLookup struct {
	done chan struct{}
	repo *vcs.ModuleRepo
	mod  *url.URL // base of a "mod" server
	err  error
}

// notFound marks an error as not-found while keeping its text: the go
// command treats every failure to find a module's origin that way, so a
// ',' in GOPROXY moves on.
type notFound struct{ err error }

func (e *notFound) Error() string        { return e.err.Error() }
func (e *notFound) Unwrap() error        { return e.err }
func (e *notFound) Is(target error) bool { return target == fs.ErrNotExist }

// gitBaseEnv is the environment git starts from.
func (f *Fetcher) gitBaseEnv() []string {
	if f.GitEnv != nil {
		return f.GitEnv
	}
	return os.Environ()
}

// discoverer returns the Fetcher's go-get discoverer, built once.
func (f *Fetcher) discoverer() (*vcs.Discoverer, error) {
	d := &f.direct
	d.once.Do(func() {
		env := f.Client.Env()
		d.toolchain = env.Sources["GOTOOLCHAIN"].Value
		cfg := vcs.Config{
			Client:         f.Client,
			InsecureClient: f.Client.Insecure(),
			// The http:// fallback under GOINSECURE: the client never
			// adds credentials to http requests.
			PlainClient: f.Client,
			Proxy:       f.Client.HTTPProxy,
			GOPRIVATE:   env.GOPRIVATE,
			GOINSECURE:  env.GOINSECURE,
			GOVCS:       env.GOVCS,
			Ping:        vcs.GitPing("", "", f.gitBaseEnv()),
		}
		if f.Trace != nil {
			cfg.Trace = func(ev vcs.TraceEvent) { f.trace("# get %s", ev) }
		}
		d.disc, d.discErr = vcs.New(cfg)
	})
	return d.disc, d.discErr
}

// lookupDirect finds the origin of modulePath, once per Fetcher (a lookup
// cut short by a cancelled context is tried again).
func (f *Fetcher) lookupDirect(ctx context.Context, modulePath string) *directLookup {
	d := &f.direct
	d.mu.Lock()
	if d.lookups == nil {
		d.lookups = map[string]*directLookup{}
	}
	l, ok := d.lookups[modulePath]
	if !ok {
		l = &directLookup{done: make(chan struct{})}
		d.lookups[modulePath] = l
		d.mu.Unlock()
		l.repo, l.mod, l.err = f.openDirect(ctx, modulePath)
		if ctx.Err() != nil && l.err != nil {
			d.mu.Lock()
			delete(d.lookups, modulePath)
			d.mu.Unlock()
		}
		close(l.done)
		return l
	}
	d.mu.Unlock()
	select {
	case <-l.done:
	case <-ctx.Done():
		return &directLookup{err: ctx.Err()}
	}
	return l
}

// openDirect mirrors the go command's lookupDirect: go-get discovery (not
// found when it fails), a "mod" server used as a module proxy, or the
// repository opened with git.
func (f *Fetcher) openDirect(ctx context.Context, modulePath string) (*vcs.ModuleRepo, *url.URL, error) {
	disc, err := f.discoverer()
	if err != nil {
		return nil, nil, err
	}
	rr, err := disc.RepoRoot(ctx, modulePath)
	if err != nil {
		// The go command does not know where to find the module: that
		// is "not found" for the walk over GOPROXY.
		return nil, nil, &notFound{err}
	}
	if rr.VCS == "mod" {
		u, err := url.Parse(rr.RepoURL)
		if err != nil {
			return nil, nil, err
		}
		return nil, u, nil
	}
	if rr.VCS != "git" {
		return nil, nil, &vcs.UnsupportedVCSError{VCS: rr.VCS, Repo: redact.URL(rr.RepoURL)}
	}
	env, err := f.gitEnv(ctx, rr.RepoURL)
	if err != nil {
		return nil, nil, err
	}
	cacheDir, err := f.vcsCacheDir()
	if err != nil {
		return nil, nil, err
	}
	cfg := vcs.GitConfig{GOMODCACHE: cacheDir, Env: env}
	if f.Trace != nil {
		cfg.Trace = func(line string) { f.trace("%s", line) }
	}
	cfg.CheckURL = func(ctx context.Context, u string) error {
		// Like the go command: when git cannot list the repository, a
		// 404 or 410 for the URL itself means it does not exist.
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := f.Client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return proxyenv.CheckResponse(resp)
	}
	code, err := vcs.OpenGit(ctx, cfg, rr.RepoURL)
	if err != nil {
		return nil, nil, err
	}
	m, err := vcs.NewModuleRepo(code, vcs.Module{
		Path:        modulePath,
		Root:        rr.Root,
		Subdir:      rr.SubDir,
		GoVersion:   f.goVersion(),
		GOTOOLCHAIN: f.direct.toolchain, // set with the discoverer
	})
	if err != nil {
		return nil, nil, err
	}
	return m, nil, nil
}

// goVersion is the go release whose rules apply to module zips: the
// release this program was built with.
func (f *Fetcher) goVersion() string {
	if f.GoVersion != "" {
		return f.GoVersion
	}
	if v := runtime.Version(); strings.HasPrefix(v, "go") {
		return v
	}
	return ""
}

// gitEnv returns the environment git runs with for repoURL: by default the
// base environment plus modnet's trust, HTTP proxy and credentials scoped
// to the repository ([vcs.NewGitEnv]); with PlainGit the base environment
// alone, as the go command runs git.
func (f *Fetcher) gitEnv(ctx context.Context, repoURL string) ([]string, error) {
	base := f.gitBaseEnv()
	if f.PlainGit {
		return base, nil
	}
	dir, err := f.privateDir()
	if err != nil {
		return nil, err
	}
	var roots = f.Client.Trust().Current().Roots()
	ge, err := vcs.NewGitEnv(ctx, repoURL, vcs.GitEnvOptions{
		Env:    base,
		Roots:  roots,
		Proxy:  f.Client.HTTPProxy,
		Header: f.Client.Header,
		Dir:    dir,
	})
	if err != nil {
		return nil, err
	}
	if len(ge.Config) > 0 {
		f.trace("# git config for %s: %s", redact.URL(repoURL), strings.Join(ge.Config, " "))
	}
	d := &f.direct
	d.mu.Lock()
	d.envs = append(d.envs, ge)
	d.mu.Unlock()
	return ge.Env, nil
}

// privateDir returns the Fetcher's private temporary directory, made once.
func (f *Fetcher) privateDir() (string, error) {
	d := &f.direct
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tmp == "" {
		dir, err := os.MkdirTemp("", "modnet-")
		if err != nil {
			return "", err
		}
		d.tmp = dir
	}
	return d.tmp, nil
}

// vcsCacheDir is the module cache that holds bare repositories: Dir, or a
// private one when Dir is empty.
func (f *Fetcher) vcsCacheDir() (string, error) {
	if f.Dir != "" {
		return f.Dir, nil
	}
	dir, err := f.privateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "modcache"), nil
}

// Close removes what the Fetcher keeps outside Dir: the private files
// that give git modnet's roots and credentials, and the repositories
// cloned when Dir is empty. A Fetcher that fetched directly from version
// control should be closed when done; it can be used again afterwards.
func (f *Fetcher) Close() error {
	d := &f.direct
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	for _, ge := range d.envs {
		errs = append(errs, ge.Close())
	}
	d.envs = nil
	if d.tmp != "" {
		errs = append(errs, os.RemoveAll(d.tmp))
		d.tmp = ""
	}
	d.lookups = nil
	return errors.Join(errs...)
}

// directSource is a route's direct step as a query sees it: the module's
// repository, or the "mod" server its go-import tag names.
type directSource struct {
	f     *Fetcher
	mod   string
	proxy source // for a "mod" server
}

func (d *directSource) lookup(ctx context.Context) (*vcs.ModuleRepo, source, error) {
	l := d.f.lookupDirect(ctx, d.mod)
	if l.err != nil {
		return nil, nil, moduleErr(d.mod, "", l.err)
	}
	if l.mod != nil {
		if d.proxy == nil {
			d.proxy = &proxySource{f: d.f, base: l.mod, mod: d.mod, infos: map[string]result[[]byte]{}, lists: map[string]result[[]string]{}}
		}
		return nil, d.proxy, nil
	}
	return l.repo, nil, nil
}

func (d *directSource) versions(ctx context.Context, prefix string) ([]string, error) {
	repo, p, err := d.lookup(ctx)
	switch {
	case err != nil:
		return nil, err
	case p != nil:
		return p.versions(ctx, prefix)
	}
	return repo.Versions(ctx, prefix)
}

func (d *directSource) latestVersion(ctx context.Context) (string, error) {
	repo, p, err := d.lookup(ctx)
	switch {
	case err != nil:
		return "", err
	case p != nil:
		return p.latestVersion(ctx)
	}
	ri, err := repo.Latest(ctx)
	if err != nil {
		return "", err
	}
	return ri.Version, nil
}

func (d *directSource) stat(ctx context.Context, version string) ([]byte, error) {
	repo, p, err := d.lookup(ctx)
	switch {
	case err != nil:
		return nil, err
	case p != nil:
		return p.stat(ctx, version)
	}
	ri, err := repo.Stat(ctx, version)
	if err != nil {
		return nil, moduleErr(d.mod, version, err)
	}
	return json.Marshal(ri)
}

func (d *directSource) statInfo(ctx context.Context, version string) ([]byte, error) {
	repo, p, err := d.lookup(ctx)
	switch {
	case err != nil:
		return nil, err
	case p != nil:
		return p.statInfo(ctx, version)
	}
	ri, err := repo.Stat(ctx, version)
	if err != nil {
		return nil, moduleErr(d.mod, version, err)
	}
	return json.Marshal(ri)
}

// directFile returns the .mod (or .info) of version from the module's
// origin, for a route's direct step.
func (f *Fetcher) directFile(ctx context.Context, modulePath, version, ext string) ([]byte, error) {
	l := f.lookupDirect(ctx, modulePath)
	if l.err != nil {
		return nil, l.err
	}
	if l.mod != nil {
		file, err := proxyenv.VersionFile(version, ext)
		if err != nil {
			return nil, err
		}
		u, err := proxyenv.ProxyFileURL(l.mod, modulePath, file)
		if err != nil {
			return nil, err
		}
		what, limit := "go.mod", int64(maxGoMod)
		if ext == "info" {
			what, limit = "info", maxInfo
		}
		return f.read(ctx, u, what, limit)
	}
	switch ext {
	case "mod":
		return l.repo.GoMod(ctx, version)
	case "info":
		ri, err := l.repo.Stat(ctx, version)
		if err != nil {
			return nil, err
		}
		return json.Marshal(ri)
	}
	return nil, fmt.Errorf("modfetch: no %s file from version control", ext)
}

// directZip streams the zip of version from the module's origin to w.
func (f *Fetcher) directZip(ctx context.Context, modulePath, version string, w io.Writer) error {
	l := f.lookupDirect(ctx, modulePath)
	if l.err != nil {
		return l.err
	}
	if l.mod != nil {
		file, err := proxyenv.VersionFile(version, "zip")
		if err != nil {
			return err
		}
		u, err := proxyenv.ProxyFileURL(l.mod, modulePath, file)
		if err != nil {
			return err
		}
		return f.copyBody(ctx, u, w, "zip", maxZipFile)
	}
	return l.repo.Zip(ctx, w, version)
}
