package modfetch

import (
	"context"
	"errors"
	"fmt"
	"go/version"
	"runtime"
	"strings"

	"github.com/modnet/modnet/proxyenv"
	"golang.org/x/mod/module"
)

// ErrToolchainModule is what the go command reports when asked to download
// the paths "go" and "toolchain" ("go mod download go@1.21.0"): it
// resolves the Go release from golang.org/toolchain, then refuses to
// download it as a module. Download reports the resolved version in the
// partial result and fails with this error, as the go command does.
var ErrToolchainModule = errors.New("internal error: invalid operation on toolchain module")

// downloadToolchain resolves a query for "go" (versions such as 1.21.0)
// or "toolchain" (go1.21.0) the way the go command's toolchain repository
// does. Its versions are those golang.org/toolchain lists, whatever their
// platform, plus the running release, ordered as Go versions; a version
// is checked by asking for the linux-amd64 build's .info, except that a
// "go" version up to the running release, and the running release as a
// "toolchain", need no request.
func (f *Fetcher) downloadToolchain(ctx context.Context, path, query string) (*Download, error) {
	route, err := f.Client.Route(path)
	if err != nil {
		return nil, moduleErr(path, query, err)
	}
	prefix := "" // "go" versions are written without the "go"
	if path == "toolchain" {
		prefix = "go"
	}
	local := strings.TrimPrefix(runtime.Version(), "go")
	gv := func(bare string) string { return "go" + bare }
	q := f.queryRunFor(route)
	q.mu.Lock()
	defer q.mu.Unlock()

	// stat checks one version as the go command's toolchain repository
	// does, and returns it in the path's form.
	stat := func(v string) (string, error) {
		bare := strings.TrimPrefix(v, "go")
		if !version.IsValid(gv(bare)) {
			return "", moduleErr(path, query, fmt.Errorf("invalid %s version %s", path, v))
		}
		switch {
		case path == "go" && version.Compare(gv(bare), gv(local)) <= 0:
		case path == "toolchain" && bare == local:
		case version.Lang(gv(bare)) == gv(bare):
			return "", moduleErr(path, query, fmt.Errorf("go language version %s is not a toolchain version", v))
		default:
			// The go command always asks about linux-amd64, which every
			// release has.
			if _, err := q.statExact(ctx, "v0.0.1-go"+bare+".linux-amd64"); err != nil {
				return "", err
			}
		}
		return prefix + bare, nil
	}

	d := &Download{Path: path, route: route}
	bareQuery := strings.TrimPrefix(query, "go")
	if query != "latest" && query != "upgrade" && version.IsValid(gv(bareQuery)) && version.Lang(gv(bareQuery)) != gv(bareQuery) {
		// A complete version: stat it.
		v, err := stat(query)
		if err != nil {
			return nil, err
		}
		d.Version = v
		if v != query {
			d.Query = query // written in the other form (go1.21.0 for go)
		}
		return d, ErrToolchainModule
	}
	if query != "latest" && query != "upgrade" && !version.IsValid(gv(bareQuery)) {
		return nil, moduleErr(path, query, fmt.Errorf("invalid %s version %s", path, query))
	}

	// A query over the versions list.
	var list []string
	err = proxyenv.Walk(ctx, route, func(ctx context.Context, s proxyenv.Step) error {
		vs, err := q.source(s).versions(ctx, "")
		list = vs
		return err
	})
	if err != nil {
		return nil, moduleErr(path, query, err)
	}
	candidates := []string{local}
	for _, mv := range list {
		if v, ok := dlToGo(mv); ok && v != local {
			candidates = append(candidates, v)
		}
	}
	match := func(bare string) bool { return true } // latest, upgrade
	if query != "latest" && query != "upgrade" {
		// A language version such as 1.22 is a prefix: 1.22 itself and
		// 1.22.x releases (1.22rc1 is older than 1.22 and not matched).
		match = func(bare string) bool {
			return (bare == bareQuery || strings.HasPrefix(bare, bareQuery+".")) && version.Compare(gv(bare), gv(bareQuery)) >= 0
		}
	}
	best, bestRelease := "", false
	for _, bare := range candidates {
		if !match(bare) {
			continue
		}
		release := !strings.Contains(bare, "rc") && !strings.Contains(bare, "beta") && version.Lang(gv(bare)) != gv(bare)
		if best == "" || release && !bestRelease || release == bestRelease && version.Compare(gv(bare), gv(best)) > 0 {
			best, bestRelease = bare, release
		}
	}
	if best == "" {
		return nil, &module.ModuleError{Path: path, Err: &NoMatchingVersionError{Query: query}}
	}
	// Once a version matches, the go command's retraction check stats
	// the newest version (its go.mod, synthesized, needs no request); a
	// failure there retracts nothing.
	newest := candidates[0]
	for _, bare := range candidates {
		if version.Compare(gv(bare), gv(newest)) > 0 {
			newest = bare
		}
	}
	stat(newest)

	v, err := stat(best)
	if err != nil {
		return nil, err
	}
	d.Version, d.Query = v, query
	return d, ErrToolchainModule
}

// dlToGo turns a golang.org/toolchain version (v0.0.1-go1.21.0.linux-amd64)
// into the Go version it holds (1.21.0), as the go command reads them:
// what lies between the first '-' and a last dot-separated element that
// names a platform ("os-arch").
func dlToGo(v string) (string, bool) {
	i := strings.IndexByte(v, '-')
	j := strings.LastIndexByte(v, '.')
	if i < 0 || j <= i || !strings.Contains(v[j+1:], "-") {
		return "", false
	}
	return strings.TrimPrefix(v[i+1:j], "go"), true
}
