package vcs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/modnet/modnet/proxyenv"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// A Module locates a module in a repository, as a go-import meta tag (or
// the go command's static host table) does.
type Module struct {
	// Path is the module path, such as "example.com/repo/tools/v2".
	Path string
	// Root is the import path of the repository root (the meta tag's
	// prefix), such as "example.com/repo". Path must be Root or below it.
	Root string
	// Subdir is the meta tag's optional fourth field: the directory in the
	// repository that Root corresponds to (Go 1.25+). Usually empty.
	Subdir string
	// GoVersion is the version of the go command being matched (such as
	// "1.26.8" or "go1.26.8"). [ModuleRepo.Zip] refuses modules whose
	// go.mod asks for a newer Go, as that go command would. Empty skips the
	// check.
	GoVersion string
	// GOTOOLCHAIN is the go command's GOTOOLCHAIN setting; when neither
	// empty nor "auto" it is named in a [TooNewError], as the go command
	// names it.
	GOTOOLCHAIN string
}

// A ModuleRepo is the go command's view of one module in a git
// repository: tags become versions, commits become pseudo-versions, and
// go.mod files and zips are cut from the right directory. It provides the
// primitives the go command's own module repositories provide (list, stat,
// latest, go.mod, zip) with the same answers; queries such as "v1.2" or
// ">v1.0.0" are built on top of them (see proxyenv). Several ModuleRepo
// values may share one [GitRepo]. A ModuleRepo is safe for concurrent use.
type ModuleRepo struct {
	modPath     string
	code        *GitRepo
	codeRoot    string
	codeDir     string // the module's directory in the repository
	pathMajor   string // "/v2", ".v2" (gopkg.in) or ""
	pathPrefix  string // modPath without pathMajor
	pseudoMajor string // "v2" or "" (v0 or v1)
	goVersion   string // "1.26.8" or ""
	toolchain   string // GOTOOLCHAIN

	// Answers remembered for the ModuleRepo's lifetime, as the go
	// command's cachingRepo remembers them for one run.
	stats    memo[string, *proxyenv.RevInfo]
	gomods   memo[string, []byte]
	versions memo[string, []string]
}

// A memo remembers the answer for each key, computing it once even when
// asked concurrently. Answers computed under a cancelled context are not
// kept. The zero value is ready to use.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*memoEntry[V]
}

type memoEntry[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// do returns the answer for key, calling f to compute it if needed.
func (c *memo[K, V]) do(ctx context.Context, key K, f func() (V, error)) (V, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]*memoEntry[V]{}
	}
	e, ok := c.m[key]
	if !ok {
		e = &memoEntry[V]{done: make(chan struct{})}
		c.m[key] = e
	}
	c.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.v, e.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	e.v, e.err = f()
	if e.err != nil && ctx.Err() != nil {
		c.mu.Lock()
		delete(c.m, key)
		c.mu.Unlock()
	}
	close(e.done)
	return e.v, e.err
}

// set records an answer for key unless one is known.
func (c *memo[K, V]) set(key K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[K]*memoEntry[V]{}
	}
	if _, ok := c.m[key]; !ok {
		e := &memoEntry[V]{done: make(chan struct{}), v: v}
		close(e.done)
		c.m[key] = e
	}
}

// NewModuleRepo returns the module m in the repository code. It does no
// I/O.
func NewModuleRepo(code *GitRepo, m Module) (*ModuleRepo, error) {
	if code == nil {
		return nil, &ConfigError{Field: "code", Err: errors.New("nil GitRepo")}
	}
	// The go command refuses a repository that does not contain the path.
	if !hasPathPrefix(m.Path, m.Root) {
		return nil, &ConfigError{Field: "Module", Err: fmt.Errorf("mismatched repo: found %s for %s", m.Root, m.Path)}
	}
	pathPrefix, pathMajor, ok := module.SplitPathVersion(m.Path)
	if !ok {
		return nil, &ConfigError{Field: "Module", Err: fmt.Errorf("invalid module path %q", m.Path)}
	}
	if m.Root == m.Path {
		// The meta tag names the whole path, major version suffix included.
		pathPrefix = m.Path
	}
	codeDir := ""
	if m.Root != m.Path {
		if !hasPathPrefix(pathPrefix, m.Root) {
			return nil, &ConfigError{Field: "Module", Err: fmt.Errorf("repository rooted at %s cannot contain module %s", m.Root, m.Path)}
		}
		codeDir = strings.Trim(pathPrefix[len(m.Root):], "/")
	}
	if m.Subdir != "" {
		codeDir = path.Clean(path.Join(codeDir, m.Subdir))
	}
	return &ModuleRepo{
		modPath:     m.Path,
		code:        code,
		codeRoot:    m.Root,
		codeDir:     codeDir,
		pathMajor:   pathMajor,
		pathPrefix:  pathPrefix,
		pseudoMajor: module.PathMajorPrefix(pathMajor),
		goVersion:   strings.TrimPrefix(m.GoVersion, "go"),
		toolchain:   m.GOTOOLCHAIN,
	}, nil
}

// ModulePath returns the module path.
func (r *ModuleRepo) ModulePath() string { return r.modPath }

// Dir returns the module's directory in the repository for versions
// without a major-version subdirectory ("" for the root).
func (r *ModuleRepo) Dir() string { return r.codeDir }

// hasPathPrefix reports whether path s begins with the elements of prefix.
func hasPathPrefix(s, prefix string) bool {
	switch {
	case len(s) == len(prefix):
		return s == prefix
	case len(s) > len(prefix):
		if prefix != "" && prefix[len(prefix)-1] == '/' {
			return strings.HasPrefix(s, prefix)
		}
		return s[len(prefix)] == '/' && s[:len(prefix)] == prefix
	}
	return false
}

// tagPrefix is the prefix of this module's version tags: "dir/" for a
// module in a subdirectory.
func (r *ModuleRepo) tagPrefix() string {
	if r.codeDir == "" {
		return ""
	}
	return r.codeDir + "/"
}

// Versions returns the module's tagged versions that start with prefix,
// sorted by semver: canonical tags (with the module directory's prefix for
// a module in a subdirectory) whose major version fits the module path,
// plus "+incompatible" versions for v2+ tags of a root module without a
// go.mod file, under the go command's rules. Pseudo-version-like tags are
// left out.
func (r *ModuleRepo) Versions(ctx context.Context, prefix string) ([]string, error) {
	list, err := r.versions.do(ctx, prefix, func() ([]string, error) { return r.listVersions(ctx, prefix) })
	return slices.Clone(list), err
}

func (r *ModuleRepo) listVersions(ctx context.Context, prefix string) ([]string, error) {
	// gopkg.in/...-unstable modules have no tags of their own.
	if strings.HasPrefix(r.modPath, "gopkg.in/") && strings.HasSuffix(r.modPath, "-unstable") {
		return nil, nil
	}
	p := r.tagPrefix() + prefix
	tags, _, err := r.code.Tags(ctx, p)
	if err != nil {
		return nil, &module.ModuleError{Path: r.modPath, Err: err}
	}
	var list, incompatible []string
	for _, tag := range tags {
		v := strings.TrimPrefix(tag.Name, r.tagPrefix())
		// Only canonical tags are versions; Stat maps the others to
		// pseudo-versions.
		if v == "" || v != semver.Canonical(v) || module.IsPseudoVersion(v) {
			continue
		}
		if err := module.CheckPathMajor(v, r.pathMajor); err != nil {
			// v2+ tags of an unversioned root module may be +incompatible.
			if r.codeDir == "" && r.pathMajor == "" && semver.Major(v) > "v1" {
				incompatible = append(incompatible, v)
			}
			continue
		}
		list = append(list, v)
	}
	semver.Sort(list)
	semver.Sort(incompatible)
	return r.appendIncompatible(ctx, list, incompatible)
}

// appendIncompatible adds the +incompatible versions the go command lists:
// none once the newest compatible version has a go.mod file, and none for
// a major version whose newest tag has one.
func (r *ModuleRepo) appendIncompatible(ctx context.Context, list, incompatible []string) ([]string, error) {
	if len(incompatible) == 0 || r.pathMajor != "" {
		return list, nil
	}
	hasGoMod := func(v string) (bool, error) {
		_, err := r.code.ReadFile(ctx, v, "go.mod", MaxGoMod)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return false, &module.ModuleError{Path: r.modPath, Err: err}
		}
		return false, nil
	}
	if len(list) > 0 {
		ok, err := hasGoMod(list[len(list)-1])
		if err != nil {
			return nil, err
		}
		if ok {
			// The go command assumes later majors have go.mod files too
			// (golang.org/issue/34189).
			return list, nil
		}
	}
	var lastMajor string
	var lastMajorHasGoMod bool
	for i, v := range incompatible {
		major := semver.Major(v)
		if major != lastMajor {
			rem := incompatible[i:]
			j := sort.Search(len(rem), func(j int) bool { return semver.Major(rem[j]) != major })
			var err error
			lastMajor = major
			if lastMajorHasGoMod, err = hasGoMod(rem[j-1]); err != nil {
				return nil, err
			}
		}
		if !lastMajorHasGoMod {
			list = append(list, v+"+incompatible")
		}
	}
	return list, nil
}

// Stat resolves rev — a version, a pseudo-version, a tag, a branch, or a
// commit hash or prefix — to the module version the go command would
// report: the canonical version of a tag on the commit, or a
// pseudo-version based on the newest tag reachable from it. A
// pseudo-version passed in is validated against the repository. Errors
// are *module.ModuleError values as the go command's, such as
// "example.com/m@v9.9.9: invalid version: unknown revision v9.9.9".
func (r *ModuleRepo) Stat(ctx context.Context, rev string) (*proxyenv.RevInfo, error) {
	if rev == "latest" {
		return r.Latest(ctx)
	}
	ri, err := r.stats.do(ctx, rev, func() (*proxyenv.RevInfo, error) { return r.stat(ctx, rev) })
	if err != nil {
		return nil, err
	}
	// A revision resolved to a version answers for that version too
	// (the go command's cachingRepo does the same).
	r.stats.set(ri.Version, ri)
	return copyRevInfo(ri), nil
}

func copyRevInfo(ri *proxyenv.RevInfo) *proxyenv.RevInfo {
	c := *ri
	if ri.Origin != nil {
		o := *ri.Origin
		c.Origin = &o
	}
	return &c
}

func (r *ModuleRepo) stat(ctx context.Context, rev string) (*proxyenv.RevInfo, error) {
	info, err := r.code.Stat(ctx, r.revToRev(rev))
	if err != nil {
		return nil, &module.ModuleError{Path: r.modPath, Err: &module.InvalidVersionError{Version: rev, Err: err}}
	}
	return r.convert(ctx, info, rev)
}

// Latest returns the version of the repository's HEAD commit: its tag
// when it has a suitable one, a pseudo-version otherwise. (The go command
// asks for this only when the module has no tagged versions.)
func (r *ModuleRepo) Latest(ctx context.Context) (*proxyenv.RevInfo, error) {
	info, err := r.code.Latest(ctx)
	if err != nil {
		return nil, err
	}
	return r.convert(ctx, info, "")
}

// convert turns a commit into a module version; statVers is the version
// asked for ("" for Latest).
func (r *ModuleRepo) convert(ctx context.Context, info *CommitInfo, statVers string) (*proxyenv.RevInfo, error) {
	ri, err := r.convertVersion(ctx, info, statVers)
	if ri != nil && info.Origin != nil {
		o := *info.Origin
		o.Subdir = r.codeDir
		ri.Origin = &o
		v := ri.Version
		// The go command records the tags a pseudo-version depends on.
		if module.IsPseudoVersion(v) && (v != statVers || !strings.HasPrefix(v, "v0.0.0-")) {
			prefix := r.tagPrefix()
			if r.pathMajor != "" {
				prefix += r.pathMajor[1:] + "."
			}
			if _, to, terr := r.code.Tags(ctx, prefix); terr == nil {
				o.TagPrefix, o.TagSum = to.TagPrefix, to.TagSum
			} else {
				ri.Origin = nil
				if err == nil {
					err = terr
				}
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return ri, nil
}

func (r *ModuleRepo) invalid(v string, err error) error {
	return &module.ModuleError{Path: r.modPath, Err: &module.InvalidVersionError{Version: v, Err: err}}
}

func (r *ModuleRepo) convertVersion(ctx context.Context, info *CommitInfo, statVers string) (*proxyenv.RevInfo, error) {
	// canUseIncompatible reports whether v may carry +incompatible: only a
	// root module without go.mod, and (unless asked for explicitly) without
	// a vN/go.mod for v's major (golang.org/issue/51324).
	incompatibleOK := map[string]bool{}
	canUseIncompatible := func(v string) bool {
		if r.codeDir != "" || r.pathMajor != "" {
			return false
		}
		ok, seen := incompatibleOK[""]
		if !seen {
			_, err := r.code.ReadFile(ctx, info.Name, "go.mod", MaxGoMod)
			ok = err != nil
			incompatibleOK[""] = ok
		}
		if !ok {
			return false
		}
		if v != "" && !strings.HasSuffix(statVers, "+incompatible") {
			major := semver.Major(v)
			ok, seen = incompatibleOK[major]
			if !seen {
				_, err := r.code.ReadFile(ctx, info.Name, path.Join(major, "go.mod"), MaxGoMod)
				ok = err != nil
				incompatibleOK[major] = ok
			}
			if !ok {
				return false
			}
		}
		return true
	}

	// checkCanonical checks that v fits the module path, adding
	// +incompatible where needed, and that it is the version asked for.
	checkCanonical := func(v string) (*proxyenv.RevInfo, error) {
		// The module's go.mod must be where its path says (or absent at
		// the root for v0/v1): the author decides the module boundaries.
		if _, _, _, err := r.findDir(ctx, v); err != nil {
			return nil, r.invalid(v, &NotExistError{Err: err})
		}
		if v == strings.TrimSuffix(statVers, "+incompatible") {
			v = statVers
		}
		base := strings.TrimSuffix(v, "+incompatible")
		var errIncompatible error
		if !module.MatchPathMajor(base, r.pathMajor) {
			if canUseIncompatible(base) {
				v = base + "+incompatible"
			} else if r.pathMajor != "" {
				errIncompatible = r.invalid(v, errors.New("module path includes a major version suffix, so major version must match"))
			} else {
				errIncompatible = r.invalid(v, fmt.Errorf("module contains a go.mod file, so module path must match major version (%q)", path.Join(r.pathPrefix, semver.Major(v))))
			}
		} else if strings.HasSuffix(v, "+incompatible") {
			errIncompatible = r.invalid(v, fmt.Errorf("+incompatible suffix not allowed: major version %s is compatible", semver.Major(v)))
		}
		// A canonical version asked for resolves to itself or not at all.
		if statVers != "" && statVers == module.CanonicalVersion(statVers) {
			if statBase := strings.TrimSuffix(statVers, "+incompatible"); statBase != base {
				return nil, r.invalid(statVers, fmt.Errorf("resolves to version %v (%s is not a tag)", v, statBase))
			}
		}
		if errIncompatible != nil {
			return nil, errIncompatible
		}
		return &proxyenv.RevInfo{Version: v, Time: info.Time}, nil
	}

	if module.IsPseudoVersion(statVers) {
		// Check the cheap things (location, major) before the base tag,
		// which may need the whole history.
		ri, err := checkCanonical(statVers)
		if err != nil {
			return nil, err
		}
		if err := r.validatePseudoVersion(ctx, info, statVers); err != nil {
			return nil, err
		}
		return ri, nil
	}

	tagPrefix := r.tagPrefix()
	isRetracted, err := r.retractedVersions(ctx)
	if err != nil {
		isRetracted = func(string) bool { return false }
	}
	// tagToVersion returns the version a tag names for this module ("" if
	// none) and whether the tag is exactly that canonical version.
	tagToVersion := func(tag string) (string, bool) {
		trimmed, ok := strings.CutPrefix(tag, tagPrefix)
		if !ok || module.IsPseudoVersion(tag) {
			return "", false
		}
		// semver.Canonical, not module.CanonicalVersion: a tag's own
		// +incompatible is not taken.
		v := semver.Canonical(trimmed)
		if v == "" || !strings.HasPrefix(trimmed, v) {
			return "", false
		}
		return v, v == trimmed
	}

	if v, canonical := tagToVersion(info.Version); canonical {
		if ri, err := checkCanonical(v); err == nil {
			return ri, nil
		}
	}

	var highestCanonical, pseudoBase string
	for _, tag := range info.Tags {
		v, canonical := tagToVersion(tag)
		if statVers != "" && semver.Compare(v, statVers) == 0 {
			if canonical {
				return checkCanonical(v)
			}
			// A non-canonical tag equal to the version asked for is only a
			// pseudo-version base.
			pseudoBase = v
		}
		if canonical && semver.Compare(highestCanonical, v) < 0 && !isRetracted(v) {
			if module.MatchPathMajor(v, r.pathMajor) || canUseIncompatible(v) {
				highestCanonical = v
			}
		}
	}
	if highestCanonical != "" {
		return checkCanonical(highestCanonical)
	}

	// Base the pseudo-version on the highest allowed, unretracted tag in
	// the commit's history.
	allowed := func(tag string) bool {
		v, _ := tagToVersion(tag)
		if v == "" {
			return false
		}
		if !module.MatchPathMajor(v, r.pathMajor) && !canUseIncompatible(v) {
			return false
		}
		return !isRetracted(v)
	}
	if pseudoBase == "" {
		tag, err := r.code.RecentTag(ctx, info.Name, tagPrefix, allowed)
		if err != nil {
			return nil, err
		}
		if tag != "" {
			pseudoBase, _ = tagToVersion(tag)
		}
	}
	return checkCanonical(module.PseudoVersion(r.pseudoMajor, pseudoBase, info.Time, info.Short))
}

// validatePseudoVersion checks a pseudo-version against the commit: its
// hash, its time, and a base tag that the commit descends from.
func (r *ModuleRepo) validatePseudoVersion(ctx context.Context, info *CommitInfo, version string) (err error) {
	defer func() {
		if err != nil {
			var me *module.ModuleError
			if !errors.As(err, &me) {
				var ive *module.InvalidVersionError
				if !errors.As(err, &ive) {
					err = &module.InvalidVersionError{Version: version, Pseudo: true, Err: err}
				}
				err = &module.ModuleError{Path: r.modPath, Err: err}
			}
		}
	}()
	rev, err := module.PseudoVersionRev(version)
	if err != nil {
		return err
	}
	if rev != info.Short {
		switch {
		case strings.HasPrefix(rev, info.Short):
			return fmt.Errorf("revision is longer than canonical (expected %s)", info.Short)
		case strings.HasPrefix(info.Short, rev):
			return fmt.Errorf("revision is shorter than canonical (expected %s)", info.Short)
		default:
			return fmt.Errorf("does not match short name of revision (expected %s)", info.Short)
		}
	}
	t, err := module.PseudoVersionTime(version)
	if err != nil {
		return err
	}
	if !t.Equal(info.Time.Truncate(time.Second)) {
		return fmt.Errorf("does not match version-control timestamp (expected %s)", info.Time.UTC().Format(module.PseudoVersionTimestampFormat))
	}
	tagPrefix := r.tagPrefix()
	base, err := module.PseudoVersionBase(strings.TrimSuffix(version, "+incompatible"))
	if err != nil {
		return err
	}
	if base == "" {
		// Without a base tag only v0 (or the path's major) is allowed.
		if r.pseudoMajor == "" && semver.Major(version) == "v1" {
			return errors.New("major version without preceding tag must be v0, not v1")
		}
		return nil
	}
	for _, tag := range info.Tags {
		if strings.TrimPrefix(tag, tagPrefix) == base {
			// The commit has the canonical tag itself.
			return fmt.Errorf("tag (%s) found on revision %s is already canonical, so should not be replaced with a pseudo-version derived from that tag", tag, rev)
		}
	}
	tags, _, err := r.code.Tags(ctx, tagPrefix+base)
	if err != nil {
		return err
	}
	var lastTag string
	found := false
	for _, tag := range tags {
		if semver.Compare(strings.TrimPrefix(tag.Name, tagPrefix), base) == 0 {
			lastTag = tag.Name
			found, err = r.code.DescendsFrom(ctx, info.Name, tag.Name)
			if found {
				break
			}
		}
	}
	if lastTag == "" {
		return fmt.Errorf("preceding tag (%s) not found", base)
	}
	if !found {
		if err != nil {
			return err
		}
		return fmt.Errorf("revision %s is not a descendent of preceding tag (%s)", rev, lastTag)
	}
	return nil
}

// revToRev maps a module version to the repository revision it names: a
// pseudo-version's hash, or the tag (with the module directory's prefix).
func (r *ModuleRepo) revToRev(rev string) string {
	if !semver.IsValid(rev) {
		return rev
	}
	if module.IsPseudoVersion(rev) {
		h, _ := module.PseudoVersionRev(rev)
		return h
	}
	if semver.Build(rev) == "+incompatible" {
		rev = rev[:len(rev)-len("+incompatible")]
	}
	return r.tagPrefix() + rev
}

// findDir returns the revision, the module's directory in the repository
// at version (codeDir, or codeDir/vN for a major-version subdirectory),
// and its go.mod (nil when absent), or the go command's error explaining
// why the module is not there.
func (r *ModuleRepo) findDir(ctx context.Context, version string) (rev, dir string, gomod []byte, err error) {
	if !semver.IsValid(version) {
		return "", "", nil, r.invalid(version, errors.New("syntax error"))
	}
	rev = r.revToRev(version)
	file1 := path.Join(r.codeDir, "go.mod")
	gomod1, err1 := r.code.ReadFile(ctx, rev, file1, MaxGoMod)
	if err1 != nil && !errors.Is(err1, fs.ErrNotExist) {
		return "", "", nil, fmt.Errorf("reading %s/%s at revision %s: %v", r.codeRoot, file1, rev, err1)
	}
	mpath1 := modfile.ModulePath(gomod1)
	// gopkg.in paths replacing unversioned ones are accepted, a
	// historical go command bug (golang.org/issue/34254).
	found1 := err1 == nil && (isMajor(mpath1, r.pathMajor) || (r.pathMajor == "" && strings.HasPrefix(mpath1, "gopkg.in/")))

	var file2 string
	if r.pathMajor != "" && r.codeRoot != r.modPath && !strings.HasPrefix(r.pathMajor, ".") {
		// For /vN, either go.mod claims vN or vN/go.mod does, not both.
		dir2 := path.Join(r.codeDir, r.pathMajor[1:])
		file2 = path.Join(dir2, "go.mod")
		gomod2, err2 := r.code.ReadFile(ctx, rev, file2, MaxGoMod)
		if err2 != nil && !errors.Is(err2, fs.ErrNotExist) {
			return "", "", nil, fmt.Errorf("reading %s/%s at revision %s: %v", r.codeRoot, file2, rev, err2)
		}
		mpath2 := modfile.ModulePath(gomod2)
		found2 := err2 == nil && isMajor(mpath2, r.pathMajor)
		if found1 && found2 {
			return "", "", nil, fmt.Errorf("%s/%s and ...%s/go.mod both have ...%s module paths at revision %s", r.pathPrefix, file1, r.pathMajor, r.pathMajor, rev)
		}
		if found2 {
			return rev, dir2, gomod2, nil
		}
		if err2 == nil {
			if mpath2 == "" {
				return "", "", nil, fmt.Errorf("%s/%s is missing module path at revision %s", r.codeRoot, file2, rev)
			}
			return "", "", nil, fmt.Errorf("%s/%s has non-...%s module path %q at revision %s", r.codeRoot, file2, r.pathMajor, mpath2, rev)
		}
	}
	if found1 {
		return rev, r.codeDir, gomod1, nil
	}
	if err1 == nil {
		suffix := ""
		if file2 != "" {
			suffix = fmt.Sprintf(" (and ...%s/go.mod does not exist)", r.pathMajor)
		}
		if mpath1 == "" {
			return "", "", nil, fmt.Errorf("%s is missing module path%s at revision %s", file1, suffix, rev)
		}
		if r.pathMajor != "" {
			return "", "", nil, fmt.Errorf("%s has non-...%s module path %q%s at revision %s", file1, r.pathMajor, mpath1, suffix, rev)
		}
		if _, _, ok := module.SplitPathVersion(mpath1); !ok {
			return "", "", nil, fmt.Errorf("%s has malformed module path %q%s at revision %s", file1, mpath1, suffix, rev)
		}
		return "", "", nil, fmt.Errorf("%s has post-%s module path %q%s at revision %s", file1, semver.Major(version), mpath1, suffix, rev)
	}
	// No go.mod: fine at the repository root for v0/v1 (and gopkg.in).
	if r.codeDir == "" && (r.pathMajor == "" || strings.HasPrefix(r.pathMajor, ".")) {
		return rev, "", nil, nil
	}
	if file2 != "" {
		return "", "", nil, fmt.Errorf("missing %s/go.mod and ...%s/go.mod at revision %s", r.pathPrefix, r.pathMajor, rev)
	}
	return "", "", nil, fmt.Errorf("missing %s/go.mod at revision %s", r.pathPrefix, rev)
}

// isMajor reports whether module path mpath (from a go.mod) allows the
// major versions pathMajor implies.
func isMajor(mpath, pathMajor string) bool {
	if mpath == "" {
		return false
	}
	_, mpathMajor, ok := module.SplitPathVersion(mpath)
	if !ok {
		return false
	}
	if pathMajor == "" {
		switch module.PathMajorPrefix(mpathMajor) {
		case "", "v0", "v1":
			return true
		}
		return false
	}
	if mpathMajor == "" {
		return false
	}
	return pathMajor[1:] == mpathMajor[1:]
}

// GoMod returns the go.mod file of version (which must be canonical), or
// the go command's synthesized "module PATH\n" when the module has none.
func (r *ModuleRepo) GoMod(ctx context.Context, version string) ([]byte, error) {
	data, err := r.gomods.do(ctx, version, func() ([]byte, error) { return r.goMod(ctx, version) })
	return slices.Clone(data), err
}

func (r *ModuleRepo) goMod(ctx context.Context, version string) ([]byte, error) {
	if version != module.CanonicalVersion(version) {
		return nil, &module.ModuleError{Path: r.modPath, Version: version, Err: fmt.Errorf("version %s is not canonical", version)}
	}
	if module.IsPseudoVersion(version) {
		// findDir uses only a pseudo-version's hash: check the rest first.
		if _, err := r.Stat(ctx, version); err != nil {
			return nil, err
		}
	}
	rev, dir, gomod, err := r.findDir(ctx, version)
	if err != nil {
		return nil, err
	}
	if gomod != nil {
		return gomod, nil
	}
	data, err := r.code.ReadFile(ctx, rev, path.Join(dir, "go.mod"), MaxGoMod)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return LegacyGoMod(r.modPath), nil
		}
		return nil, err
	}
	return data, nil
}

// LegacyGoMod returns the go.mod file the go command synthesizes for a
// module without one: a module line and nothing else.
func LegacyGoMod(modPath string) []byte {
	return fmt.Appendf(nil, "module %s\n", modfile.AutoQuote(modPath))
}

// retractedVersions returns a function reporting whether the go.mod of
// the module's highest release (or pre-release, if none) retracts v.
func (r *ModuleRepo) retractedVersions(ctx context.Context) (func(string) bool, error) {
	versions, err := r.Versions(ctx, "")
	if err != nil {
		return nil, err
	}
	for i, v := range versions {
		// +incompatible versions have no go.mod to retract with.
		if strings.HasSuffix(v, "+incompatible") {
			versions = versions[:i]
			break
		}
	}
	if len(versions) == 0 {
		return func(string) bool { return false }, nil
	}
	highest := versions[len(versions)-1]
	for i := len(versions) - 1; i >= 0; i-- {
		if semver.Prerelease(versions[i]) == "" {
			highest = versions[i]
			break
		}
	}
	data, err := r.GoMod(ctx, highest)
	if err != nil {
		return nil, err
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return nil, err
	}
	var retractions []modfile.VersionInterval
	for _, rt := range f.Retract {
		retractions = append(retractions, rt.VersionInterval)
	}
	return func(v string) bool {
		for _, rt := range retractions {
			if semver.Compare(rt.Low, v) <= 0 && semver.Compare(v, rt.High) <= 0 {
				return true
			}
		}
		return false
	}, nil
}
