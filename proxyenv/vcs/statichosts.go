package vcs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
)

// A staticHost maps the import paths of a well-known hosting site, or of
// any path naming its VCS by suffix, to a repository without fetching a
// go-get page, as the go command's built-in table does.
type staticHost struct {
	prefix string         // path prefix the entry owns, "" for the VCS-suffix rule
	re     *regexp.Regexp // the path syntax; named groups feed repo and vcs
	vcs    string         // VCS, after expansion
	repo   string         // repository URL template, after expansion
	check  func(m map[string]string) error
	// schemeless marks the VCS-suffix rule: the repository has no
	// scheme and one is chosen by asking the VCS (see Config.Ping).
	schemeless bool
}

// staticHostSpec lists the table as the go command has it (vcs.go
// vcsPaths), with the VCS-suffix rule last.
func staticHostTable() []staticHost {
	return []staticHost{
		{prefix: "github.com", re: regexp.MustCompile(`^(?P<root>github\.com/[\w.\-]+/[\w.\-]+)(/[\w.\-]+)*$`),
			vcs: "git", repo: "https://{root}", check: noVCSSuffix},
		{prefix: "bitbucket.org", re: regexp.MustCompile(`^(?P<root>bitbucket\.org/(?P<bitname>[\w.\-]+/[\w.\-]+))(/[\w.\-]+)*$`),
			vcs: "git", repo: "https://{root}", check: noVCSSuffix},
		{prefix: "hub.jazz.net/git", re: regexp.MustCompile(`^(?P<root>hub\.jazz\.net/git/[a-z0-9]+/[\w.\-]+)(/[\w.\-]+)*$`),
			vcs: "git", repo: "https://{root}", check: noVCSSuffix},
		{prefix: "git.apache.org", re: regexp.MustCompile(`^(?P<root>git\.apache\.org/[a-z0-9_.\-]+\.git)(/[\w.\-]+)*$`),
			vcs: "git", repo: "https://{root}"},
		{prefix: "git.openstack.org", re: regexp.MustCompile(`^(?P<root>git\.openstack\.org/[\w.\-]+/[\w.\-]+)(\.git)?(/[\w.\-]+)*$`),
			vcs: "git", repo: "https://{root}"},
		{prefix: "chiselapp.com", re: regexp.MustCompile(`^(?P<root>chiselapp\.com/user/[A-Za-z0-9]+/repository/[\w.\-]+)$`),
			vcs: "fossil", repo: "https://{root}"},
		{re: regexp.MustCompile(`(?P<root>(?P<repo>([a-z0-9.\-]+\.)+[a-z0-9.\-]+(:[0-9]+)?(/~?[\w.\-]+)+?)\.(?P<vcs>bzr|fossil|git|hg|svn))(/~?[\w.\-]+)*$`),
			schemeless: true},
	}
}

// launchpadHost is the entry the go command tries only after dynamic
// discovery failed (launchpad.net may serve go-import tags itself).
func launchpadHost() staticHost {
	return staticHost{prefix: "launchpad.net",
		re:  regexp.MustCompile(`^(?P<root>launchpad\.net/((?P<project>[\w.\-]+)(?P<series>/[\w.\-]+)?|~[\w.\-]+/(\+junk|[\w.\-]+)/[\w.\-]+))(/[\w.\-]+)*$`),
		vcs: "bzr", repo: "https://{root}"}
}

// vcsSchemes lists, per VCS, the schemes the go command tries in order
// for a VCS-suffixed path, and whether it can ask the VCS which works.
var vcsSchemes = map[string]struct {
	schemes []string
	ping    bool
}{
	"git":    {[]string{"git", "https", "http", "git+ssh", "ssh"}, true},
	"hg":     {[]string{"https", "http", "ssh"}, true},
	"svn":    {[]string{"https", "http", "svn", "svn+ssh"}, true},
	"bzr":    {[]string{"https", "http", "bzr", "bzr+ssh"}, true},
	"fossil": {[]string{"https", "http"}, false},
}

// knownVCS reports whether the go command knows the version control
// command name.
func knownVCS(name string) bool {
	_, ok := vcsSchemes[name]
	return ok
}

// noVCSSuffix refuses a repository name ending in a VCS suffix on a
// hosting site (the go command: "invalid version control suffix").
func noVCSSuffix(m map[string]string) error {
	for _, v := range [...]string{"hg", "git", "svn", "bzr", "fossil"} {
		if strings.HasSuffix(m["repo"], "."+v) {
			return fmt.Errorf("invalid version control suffix in %s path", m["prefix"])
		}
	}
	return nil
}

// expand replaces each {key} in s by m[key], each occurrence once.
func expand(m map[string]string, s string) string {
	pairs := make([]string, 0, 2*len(m))
	for k, v := range m {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// errUnknownSite means no static entry applies and dynamic discovery
// must run.
var errUnknownSite = errors.New("dynamic lookup required to find mapping")

// A StaticPathError reports a path under a well-known hosting site that
// does not have the site's syntax. Its text is the go command's.
type StaticPathError struct {
	Path string
	Msg  string
}

func (e *StaticPathError) Error() string { return e.Msg }

// A NoProtocolError reports that no scheme allowed by the security mode
// reached a VCS-suffixed repository. Its text is the go command's. Errs
// holds the error of each scheme that was tried.
type NoProtocolError struct {
	Repo   string // the repository, without scheme
	Secure bool   // whether only secure schemes were tried
	Errs   []error
}

func (e *NoProtocolError) Error() string {
	if e.Secure {
		return "no secure protocol found for repository"
	}
	return "no protocol found for repository"
}

// Unwrap returns the errors of the schemes tried.
func (e *NoProtocolError) Unwrap() []error { return e.Errs }

// fromStatic resolves path with the entries of table, without HTTP
// (except the ping of a VCS-suffixed path, and launchpad's series
// check). It returns errUnknownSite when no entry applies.
func (d *Discoverer) fromStatic(ctx context.Context, path string, insecure bool, table []staticHost) (*RepoRoot, error) {
	// the go command's test-suite shortcuts, compiled into the real binary
	if pathHasPrefix(path, "example.net") {
		return nil, errors.New("no modules on example.net")
	}
	if path == "rsc.io" {
		return nil, errors.New("rsc.io is not a module")
	}
	// the go command diagnoses a scheme written into the path
	for _, p := range [...]string{"http:", "https:"} {
		if strings.HasPrefix(path, p) {
			return nil, fmt.Errorf("%q not allowed in import path", p+"//")
		}
	}
	for i := range table {
		h := &table[i]
		if !pathHasPrefix(path, h.prefix) {
			continue
		}
		sub := h.re.FindStringSubmatch(path)
		if sub == nil {
			if h.prefix != "" {
				return nil, &StaticPathError{Path: path, Msg: fmt.Sprintf("invalid %s import path %q", h.prefix, path)}
			}
			continue
		}
		m := map[string]string{"prefix": h.prefix + "/", "import": path}
		for j, name := range h.re.SubexpNames() {
			if name != "" && m[name] == "" {
				m[name] = sub[j]
			}
		}
		if h.vcs != "" {
			m["vcs"] = expand(m, h.vcs)
		}
		if h.repo != "" {
			m["repo"] = expand(m, h.repo)
		}
		if h.check != nil {
			if err := h.check(m); err != nil {
				return nil, err
			}
		}
		if h.prefix == "launchpad.net" {
			d.launchpadSeries(ctx, m)
		}
		vcs := m["vcs"]
		if !knownVCS(vcs) {
			return nil, fmt.Errorf("unknown version control system %q", vcs)
		}
		rr := &RepoRoot{Root: m["root"], VCS: vcs, Meta: "static:" + tableName(h)}
		if err := d.checkGOVCS(rr); err != nil {
			return nil, err
		}
		if !h.schemeless {
			rr.RepoURL = m["repo"]
			return rr, nil
		}
		if err := d.pickScheme(ctx, rr, m["repo"], insecure); err != nil {
			return nil, err
		}
		return rr, nil
	}
	return nil, errUnknownSite
}

// tableName names a static entry for RepoRoot.Meta.
func tableName(h *staticHost) string {
	if h.schemeless {
		return "vcs-suffix"
	}
	return h.prefix
}

// pickScheme chooses the scheme of a VCS-suffixed repository as the go
// command does: the VCS's schemes in order, only secure ones unless
// GOINSECURE matched, the first that the VCS can reach (or simply the
// first, for a VCS the go command cannot ping).
func (d *Discoverer) pickScheme(ctx context.Context, rr *RepoRoot, repo string, insecure bool) error {
	info := vcsSchemes[rr.VCS]
	var errs []error
	for _, s := range info.schemes {
		if !insecure && !d.secureScheme(rr.VCS, s) {
			continue
		}
		rr.Schemes = append(rr.Schemes, s)
	}
	for _, s := range rr.Schemes {
		if !info.ping {
			rr.RepoURL = s + "://" + repo
			return nil
		}
		if d.cfg.Ping == nil {
			// The caller probes rr.Schemes itself.
			return nil
		}
		err := d.cfg.Ping(ctx, rr.VCS, s, repo)
		if err == nil {
			rr.RepoURL = s + "://" + repo
			return nil
		}
		errs = append(errs, err)
	}
	return &NoProtocolError{Repo: repo, Secure: !insecure, Errs: errs}
}

// secureScheme reports whether the go command counts scheme as secure for
// vcs: for git, exactly the schemes in GIT_ALLOW_PROTOCOL when it is set.
func (d *Discoverer) secureScheme(vcs, scheme string) bool {
	if vcs == "git" && d.cfg.GIT_ALLOW_PROTOCOL != "" {
		for s := range strings.SplitSeq(d.cfg.GIT_ALLOW_PROTOCOL, ":") {
			if s == scheme {
				return true
			}
		}
		return false
	}
	switch scheme {
	case "https", "git+ssh", "bzr+ssh", "svn+ssh", "ssh":
		return true
	}
	return false
}

// launchpadSeries resolves launchpad's project/series ambiguity like the
// go command: unless the series has its own branch (its branch-format
// file can be read), the root is the project.
func (d *Discoverer) launchpadSeries(ctx context.Context, m map[string]string) {
	if m["project"] == "" || m["series"] == "" {
		return
	}
	u := "https://code.launchpad.net" + expand(m, "/{project}{series}/.bzr/branch-format")
	if !d.getOK(ctx, u) {
		m["root"] = expand(m, "launchpad.net/{project}")
		m["repo"] = expand(m, "https://{root}")
	}
}

// GitPing returns a [Config.Ping] that probes git repositories as the go
// command does, with "git ls-remote scheme://repo" run in dir with the
// environment env (the go command's own environment, or one from
// [NewGitEnv]). It reports an error for other version control systems.
func GitPing(git, dir string, env []string) func(ctx context.Context, vcs, scheme, repo string) error {
	if git == "" {
		git = "git"
	}
	return func(ctx context.Context, vcs, scheme, repo string) error {
		if vcs != "git" {
			return fmt.Errorf("vcs: cannot probe %s repositories", vcs)
		}
		// the go command's ping omits "--" for old git versions; the
		// scheme comes from a fixed list
		cmd := exec.CommandContext(ctx, git, "ls-remote", scheme+"://"+repo)
		cmd.Dir = dir
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git ls-remote %s://%s: %v\n%s", scheme, repo, err, bytes.TrimSpace(out))
		}
		return nil
	}
}
