package modfetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/modnet/modnet/proxyenv"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// NoMatchingVersionError reports that a source lists no version that
// satisfies a query. It comes wrapped in a *module.ModuleError naming the
// module, as in the go command. It is deliberately not fs.ErrNotExist: the
// walk stops on it rather than trying the next source, as the go command's
// does.
type NoMatchingVersionError struct {
	Query string
}

func (e *NoMatchingVersionError) Error() string {
	return fmt.Sprintf("no matching versions for query %q", e.Query)
}

// A versionQuery is a parsed version query, as the go command's query
// matcher sees it.
type versionQuery struct {
	query string
	// preferIncompatible keeps +incompatible versions even when a
	// compatible version has a go.mod (the query names another major).
	preferIncompatible bool
	// prefix is what listed versions must start with (also the go
	// command's cache key for the list).
	prefix string
	// filter, if non-nil, further restricts the versions.
	filter func(v string) bool
	// preferLower picks the lowest matching version instead of the
	// highest (">" and ">=" ranges).
	preferLower bool
	// mayUseLatest allows the proxy's @latest (and the newest untagged
	// version) when no tagged version matches.
	mayUseLatest bool
}

// parseQuery parses the queries the go command resolves from a version
// list: "latest", "upgrade" (without a current version it means latest),
// version prefixes such as "v1" and "v1.2", and the ranges "<v", "<=v",
// ">v" and ">=v". Complete versions are not queries here; for a revision
// (a branch or commit name, or any other string) it returns nil, nil.
func parseQuery(path, query string) (*versionQuery, error) {
	q := &versionQuery{query: query}
	// A version of another major than the path's admits +incompatible
	// versions, as in the go command.
	matchesMajor := func(v string) bool {
		_, pathMajor, ok := module.SplitPathVersion(path)
		return ok && module.CheckPathMajor(v, pathMajor) == nil
	}
	bad := func(v string) error { return fmt.Errorf("invalid semantic version %q in range %q", v, query) }
	cmp := func(op string, v string) (*versionQuery, error) {
		if !semver.IsValid(v) {
			return nil, bad(v)
		}
		if (op == ">" || op == "<=") && !isCompleteSemver(v) {
			return nil, fmt.Errorf("ambiguous semantic version %q in range %q", v, query)
		}
		q.preferIncompatible = !matchesMajor(v)
		switch op {
		case "<=":
			q.filter = func(mv string) bool { return semver.Compare(mv, v) <= 0 }
		case "<":
			q.filter = func(mv string) bool { return semver.Compare(mv, v) < 0 }
		case ">=":
			q.filter = func(mv string) bool { return semver.Compare(mv, v) >= 0 }
			q.preferLower = true
		case ">":
			q.filter = func(mv string) bool { return semver.Compare(mv, v) > 0 }
			q.preferLower = true
		}
		return q, nil
	}
	switch {
	case query == "latest" || query == "upgrade":
		q.mayUseLatest = true
		return q, nil
	case strings.HasPrefix(query, "<="):
		return cmp("<=", query[2:])
	case strings.HasPrefix(query, "<"):
		return cmp("<", query[1:])
	case strings.HasPrefix(query, ">="):
		return cmp(">=", query[2:])
	case strings.HasPrefix(query, ">"):
		return cmp(">", query[1:])
	case semver.IsValid(query) && !isCompleteSemver(query):
		q.prefix = query + "."
		q.filter = func(mv string) bool { return semver.Compare(mv, query) >= 0 }
		q.preferIncompatible = !matchesMajor(query)
		return q, nil
	}
	// Anything else is a revision (a branch, a commit, a malformed
	// version): the go command asks each proxy for its .info as written.
	return nil, nil
}

// isCompleteSemver reports whether v is a valid semantic version with
// major, minor and patch numbers (so not a prefix like v1.2).
func isCompleteSemver(v string) bool {
	if !semver.IsValid(v) {
		return false
	}
	core := strings.TrimSuffix(strings.TrimSuffix(v, semver.Build(v)), semver.Prerelease(v))
	return strings.Count(core, ".") == 2
}

// A queryRun resolves queries for one module during one download, with
// the per-source caches the go command keeps for a run: lists by prefix,
// .info files, @latest answers, and the retraction check.
type queryRun struct {
	mu    sync.Mutex // held by the download using the state
	f     *Fetcher
	route *proxyenv.Route
	srcs  map[int]source

	// gomods caches go.mod fetches by version, errors included, shared
	// with the nested retraction query (the go command fetches each once).
	gomods map[string]*result[*goModFile]
	// zips remembers zip downloads by version (with Fetcher.Run).
	zips map[string]*result[zipFiles]

	// The retraction check, done at most once: the go.mod of the newest
	// version (ignoring retractions) says which versions are retracted.
	checked    bool
	retractedF func(string) bool
	// latestGoMod is the go.mod the retraction check read (nil if none):
	// its retractions and deprecation apply to the whole module.
	latestGoMod []byte
}

// A result is an answer remembered for a run, error included, as the go
// command's caching repositories remember them.
type result[T any] struct {
	v   T
	err error
}

// goMod fetches (once) and verifies the go.mod of version.
func (q *queryRun) goMod(ctx context.Context, version string) *result[*goModFile] {
	r, ok := q.gomods[version]
	if !ok {
		r = &result[*goModFile]{}
		r.v, r.err = q.f.getGoMod(ctx, q.route, version)
		q.gomods[version] = r
	}
	return r
}

// hasGoMod reports whether version has a go.mod of its own rather than the
// one a proxy synthesizes for a pre-modules version ("module <path>\n").
func (q *queryRun) hasGoMod(ctx context.Context, version string) (bool, error) {
	r := q.goMod(ctx, version)
	if r.err != nil {
		return false, r.err
	}
	return !bytes.Equal(r.v.data, []byte("module "+modfile.AutoQuote(q.route.Module)+"\n")), nil
}

func (f *Fetcher) newQueryRun(route *proxyenv.Route) *queryRun {
	return &queryRun{f: f, route: route, srcs: map[int]source{}, gomods: map[string]*result[*goModFile]{}, zips: map[string]*result[zipFiles]{}}
}

// A source is where one route step gets module versions from, as a query
// sees it: a module proxy, or the module's origin (direct). The go
// command's query logic is the same for both; only these primitives
// differ. A source caches its answers, errors included, for its queryRun.
type source interface {
	// versions lists the tagged versions starting with prefix, sorted.
	versions(ctx context.Context, prefix string) ([]string, error)
	// latestVersion is the version to use for latest when no tagged
	// version qualifies.
	latestVersion(ctx context.Context) (string, error)
	// stat returns the .info of an exact version.
	stat(ctx context.Context, version string) ([]byte, error)
	// statInfo returns the .info of a version as written (a revision or a
	// non-canonical version), checking only that it parses.
	statInfo(ctx context.Context, version string) ([]byte, error)
}

// source returns the cached state of a route step's source.
func (q *queryRun) source(s proxyenv.Step) source {
	src, ok := q.srcs[s.Index]
	if !ok && s.Action == proxyenv.ActionDirect {
		src = &directSource{f: q.f, mod: q.route.Module}
		q.srcs[s.Index] = src
	} else if !ok {
		src = &proxySource{f: q.f, base: s.Entry.URL, mod: q.route.Module, infos: map[string]result[[]byte]{}, lists: map[string]result[[]string]{}}
		q.srcs[s.Index] = src
	}
	return src
}

// resolve runs the query over the route like the go command: per source,
// the listed versions matching the query, minus retracted ones, the
// highest release (else pre-release), or the lowest for ">" ranges; with
// none, for latest, the source's @latest and then its newest untagged
// version. It returns the version and its .info from the same source, and
// the go.mod the retraction check fetched when it is that version's.
func (q *queryRun) resolve(ctx context.Context, vq *versionQuery) (resolved, error) {
	mod := q.route.Module
	var version string
	var info []byte
	err := proxyenv.Walk(ctx, q.route, func(ctx context.Context, s proxyenv.Step) error {
		src := q.source(s)
		list, err := src.versions(ctx, vq.prefix)
		if err != nil {
			return err
		}
		var releases, prereleases []string
		needIncompatible := vq.preferIncompatible
		lastCompatible := ""
		for _, v := range list {
			if vq.filter != nil && !vq.filter(v) {
				continue
			}
			if q.retracted(ctx, v) {
				continue
			}
			if !needIncompatible {
				// Once a compatible version has a go.mod of its own,
				// +incompatible versions (all higher) are ignored; if it has
				// none, legacy major-version tags are respected.
				if !strings.HasSuffix(v, "+incompatible") {
					lastCompatible = v
				} else if lastCompatible != "" {
					ok, err := q.hasGoMod(ctx, lastCompatible)
					if err != nil {
						return err
					}
					if ok {
						break
					}
					needIncompatible = true
				}
			}
			if semver.Prerelease(v) != "" {
				prereleases = append(prereleases, v)
			} else {
				releases = append(releases, v)
			}
		}
		pick := ""
		for _, l := range [][]string{releases, prereleases} {
			if pick == "" && len(l) > 0 {
				pick = l[len(l)-1]
				if vq.preferLower {
					pick = l[0]
				}
			}
		}
		if pick == "" && vq.mayUseLatest {
			v, err := src.latestVersion(ctx)
			switch {
			case err == nil:
				// The go command stops on a @latest answer that is not a
				// semantic version (such as "master") before using it.
				if !semver.IsValid(v) {
					return &module.ModuleError{Path: mod, Version: v, Err: errors.New("unexpected invalid semantic version")}
				}
				if !q.retracted(ctx, v) {
					pick = v
				}
			case !errors.Is(err, fs.ErrNotExist):
				return err
			}
		}
		if pick == "" {
			return &module.ModuleError{Path: mod, Err: &NoMatchingVersionError{Query: vq.query}}
		}
		data, err := src.stat(ctx, pick)
		if err != nil {
			return err
		}
		version, info = pick, data
		return nil
	})
	if err != nil {
		return resolved{}, err
	}
	return resolved{version: version, info: info, goMod: q.gomods[version]}, nil
}

// resolved is a resolved query: the version, its .info, and its go.mod
// when the query already fetched it (nil otherwise).
type resolved struct {
	version string
	info    []byte
	goMod   *result[*goModFile]
}

// statExact walks the route for the .info of an exact version, asking each
// proxy at most once per run.
func (q *queryRun) statExact(ctx context.Context, version string) ([]byte, error) {
	var info []byte
	err := proxyenv.Walk(ctx, q.route, func(ctx context.Context, s proxyenv.Step) error {
		data, err := q.source(s).stat(ctx, version)
		if err != nil {
			return err
		}
		info = data
		return nil
	})
	return info, err
}

// retracted reports whether v is retracted, doing the go command's
// retraction check the first time: it resolves the newest version
// ignoring retractions (a nested walk over the same sources and caches)
// and fetches that version's go.mod. Failures retract nothing.
func (q *queryRun) retracted(ctx context.Context, v string) bool {
	if !q.checked {
		q.checked = true
		q.retractedF = func(string) bool { return false }
		nested := q.f.newQueryRun(q.route)
		nested.srcs, nested.gomods = q.srcs, q.gomods
		nested.checked = true // the nested query ignores retractions
		nested.retractedF = q.retractedF
		latest, err := nested.resolve(ctx, &versionQuery{query: "latest", mayUseLatest: true})
		if err == nil {
			if r := q.goMod(ctx, latest.version); r.err == nil {
				q.retractedF = retractions(r.v.data)
				q.latestGoMod = r.v.data
			}
		}
	}
	return q.retractedF(v)
}

// retractions returns a function reporting whether a version is retracted
// by the go.mod file data. A go.mod that does not parse retracts nothing.
func retractions(data []byte) func(version string) bool {
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil || len(f.Retract) == 0 {
		return func(string) bool { return false }
	}
	return func(v string) bool {
		for _, r := range f.Retract {
			if semver.Compare(r.Low, v) <= 0 && semver.Compare(v, r.High) <= 0 {
				return true
			}
		}
		return false
	}
}

// queryExact resolves a complete but non-canonical version such as
// v1.2.3+meta like the go command: per source, the .info of the version as
// written, and if that fails, of its canonical form (which build metadata
// does not change the meaning of).
func (q *queryRun) queryExact(ctx context.Context, query string) (version string, info []byte, err error) {
	canonical := module.CanonicalVersion(query)
	err = proxyenv.Walk(ctx, q.route, func(ctx context.Context, s proxyenv.Step) error {
		src := q.source(s)
		data, qerr := src.statInfo(ctx, query)
		if qerr == nil {
			var ri proxyenv.RevInfo
			json.Unmarshal(data, &ri)
			version, info = ri.Version, data
			return nil
		}
		if canonical == "" || canonical == query {
			return qerr
		}
		data, err := src.stat(ctx, canonical)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			return qerr
		}
		version, info = canonical, data
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return version, info, nil
}

// proxySource is one module proxy as a query sees it, with what it has
// already answered: the go command caches these per proxy and module for
// a run, errors included.
type proxySource struct {
	f     *Fetcher
	base  *url.URL
	mod   string
	infos map[string]result[[]byte]
	lists map[string]result[[]string] // by the query's prefix

	// The newest untagged version, found once from the first list.
	newestDone bool
	newest     string
	newestInfo []byte
	newestErr  error

	latestDone bool
	latestVer  string
	latestErr  error
}

// versions lists the tagged versions starting with prefix, sorted. Like
// the go command it asks the proxy again for each new prefix, and the
// first list also finds (and stats) the newest untagged version.
func (p *proxySource) versions(ctx context.Context, prefix string) ([]string, error) {
	if r, ok := p.lists[prefix]; ok {
		return r.v, r.err
	}
	var r result[[]string]
	u, err := proxyenv.ProxyFileURL(p.base, p.mod, "@v/list")
	var data []byte
	if err == nil {
		data, err = p.f.read(ctx, u, "version list", maxList)
	}
	if err != nil {
		r.err = &module.ModuleError{Path: p.mod, Err: err}
		if !p.newestDone {
			p.newestDone, p.newestErr = true, r.err
		}
		p.lists[prefix] = r
		return nil, r.err
	}
	lines := strings.Split(string(data), "\n")
	for _, line := range lines {
		fields := strings.Fields(line)
		if len(fields) == 0 || !semver.IsValid(fields[0]) || module.IsPseudoVersion(fields[0]) {
			continue
		}
		if v := fields[0]; strings.HasPrefix(v, prefix) {
			r.v = append(r.v, v)
		}
	}
	semver.Sort(r.v)
	if !p.newestDone {
		p.newestDone = true
		p.newest, p.newestErr = p.latestFromList(ctx, lines)
	}
	p.lists[prefix] = r
	return r.v, nil
}

// latestVersion is the version the proxy's @latest names or, when it has
// none (404 or 410), the newest untagged version of its list.
func (p *proxySource) latestVersion(ctx context.Context) (string, error) {
	if !p.latestDone {
		p.latestDone = true
		var data []byte
		data, p.latestVer, p.latestErr = p.atLatest(ctx)
		if p.latestErr == nil {
			// cachingRepo.Latest seeds the stat cache with @latest's answer.
			p.infos[p.latestVer] = result[[]byte]{v: data}
		}
	}
	if p.latestErr == nil {
		return p.latestVer, nil
	}
	if !errors.Is(p.latestErr, fs.ErrNotExist) {
		return "", p.latestErr
	}
	if !p.newestDone {
		return "", fs.ErrNotExist
	}
	if p.newestErr == nil {
		if _, ok := p.infos[p.newest]; !ok {
			// Like cachingRepo.Latest, seed the stat cache.
			p.infos[p.newest] = result[[]byte]{v: p.newestInfo}
		}
	}
	return p.newest, p.newestErr
}

// getInfo fetches the .info file of version, as written, from the proxy.
func (p *proxySource) getInfo(ctx context.Context, version string) ([]byte, error) {
	file, err := proxyenv.VersionFile(version, "info")
	if err != nil {
		return nil, err
	}
	u, err := proxyenv.ProxyFileURL(p.base, p.mod, file)
	if err != nil {
		return nil, err
	}
	return p.f.read(ctx, u, "info", maxInfo)
}

// statInfo fetches the .info of a version as written and checks only
// that it parses.
func (p *proxySource) statInfo(ctx context.Context, version string) ([]byte, error) {
	data, err := p.getInfo(ctx, version)
	if err == nil {
		var ri proxyenv.RevInfo
		if jerr := json.Unmarshal(data, &ri); jerr != nil {
			err = fmt.Errorf("invalid response from proxy %q: %w", p.base.Redacted(), jerr)
		}
	}
	if err != nil {
		// The go command reports a non-canonical version's failure as an
		// invalid version.
		return nil, &module.ModuleError{Path: p.mod, Err: &module.InvalidVersionError{Version: version, Pseudo: module.IsPseudoVersion(version), Err: err}}
	}
	return data, nil
}

// stat fetches the .info of an exact version, once.
func (p *proxySource) stat(ctx context.Context, version string) ([]byte, error) {
	if r, ok := p.infos[version]; ok {
		return r.v, r.err
	}
	// The go command reads a cached .info before asking the proxy, and
	// caches what the proxy answers (ignoring write failures, as it does).
	if _, data, err := p.f.readCachedInfo(p.mod, version); err == nil {
		p.infos[version] = result[[]byte]{v: data}
		return data, nil
	}
	data, err := p.rawStat(ctx, version)
	if err == nil {
		p.f.writeInfo(ctx, p.mod, version, data)
	}
	p.infos[version] = result[[]byte]{data, err}
	return data, err
}

// rawStat is stat without the cache (the go command's proxyRepo.Stat).
func (p *proxySource) rawStat(ctx context.Context, version string) ([]byte, error) {
	data, err := p.getInfo(ctx, version)
	if err == nil {
		err = checkInfo(p.mod, version)(data, p.base.Redacted())
	}
	if err != nil {
		return nil, &module.ModuleError{Path: p.mod, Version: version, Err: err}
	}
	return data, nil
}

// atLatest asks the proxy's @latest endpoint for the version it considers
// latest.
func (p *proxySource) atLatest(ctx context.Context) ([]byte, string, error) {
	u, err := proxyenv.ProxyFileURL(p.base, p.mod, "@latest")
	if err != nil {
		return nil, "", err
	}
	data, err := p.f.read(ctx, u, "@latest answer", maxInfo)
	if err != nil {
		return nil, "", &module.ModuleError{Path: p.mod, Err: err}
	}
	var ri proxyenv.RevInfo
	if err := json.Unmarshal(data, &ri); err != nil {
		return nil, "", &module.ModuleError{Path: p.mod, Err: fmt.Errorf("invalid response from proxy %q: %w", p.base.Redacted(), err)}
	}
	return data, ri.Version, nil
}

// latestFromList picks the newest version of a list by time — the time
// the proxy gives after the version, or a pseudo-version's own — and
// stats it, as the go command does when it lists versions. Tagged
// versions without a time are not candidates.
func (p *proxySource) latestFromList(ctx context.Context, lines []string) (string, error) {
	var best string
	var bestTime time.Time
	for _, line := range lines {
		fields := strings.Fields(line)
		if len(fields) == 0 || !semver.IsValid(fields[0]) {
			continue
		}
		var t time.Time
		switch {
		case len(fields) >= 2:
			t, _ = time.Parse(time.RFC3339, fields[1])
		case module.IsPseudoVersion(fields[0]):
			t, _ = module.PseudoVersionTime(fields[0])
		default:
			continue
		}
		if bestTime.Before(t) {
			best, bestTime = fields[0], t
		}
	}
	if best == "" {
		return "", fs.ErrNotExist
	}
	data, err := p.rawStat(ctx, best)
	if err != nil {
		return "", err
	}
	p.newestInfo = data
	return best, nil
}
