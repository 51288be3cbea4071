package vcs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modnet/modnet/internal/redact"
	"github.com/modnet/modnet/proxyenv"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Size limits the go command applies to what it reads from a repository.
const (
	MaxGoMod   = 16 << 20  // a go.mod file
	MaxLICENSE = 16 << 20  // a LICENSE file
	MaxZipFile = 500 << 20 // a repository archive
)

// GitConfig configures how [OpenGit] runs git. Later changes to a
// GitConfig do not affect repositories already opened with it.
type GitConfig struct {
	// GOMODCACHE is the module cache root. Repositories are cached in
	// GOMODCACHE/cache/vcs/<hex SHA-256 of "git3:"+URL>, beside a .lock and
	// a .info file, the go command's layout, so the go command and modnet
	// can share one cache. Required.
	GOMODCACHE string

	// Env is the complete environment git runs with; it is never taken
	// from the process implicitly. Pass the go command's environment, or
	// one that makes git trust the same CAs and proxies as modnet's HTTP
	// client. Like the go command, git runs with GIT_TERMINAL_PROMPT=0 and
	// GCM_INTERACTIVE=never unless Env sets them, and with GIT_DIR set to
	// the cached repository. Required (it must at least hold PATH unless
	// Git is an absolute path).
	Env []string

	// Git is the git binary: an absolute path, or a name looked up in
	// Env's PATH. Empty means "git".
	Git string

	// Trace, if non-nil, receives each git command line before it runs,
	// as "cd DIR; git ARGS...", with passwords in URLs redacted.
	Trace func(cmdline string)

	// CheckURL, if non-nil, is called with the remote URL (http and https
	// only) when "git ls-remote" fails. If its error is fs.ErrNotExist (the
	// server answered 404 or 410), the repository is reported as not
	// existing, as the go command does by fetching the URL itself.
	CheckURL func(ctx context.Context, url string) error
}

// A GitRepo is a remote git repository mirrored in a bare repository in
// the module cache, fetched from only as far as needed. It reads the
// remote's branches and tags once, at first use, as the go command does
// once per run: open a new GitRepo to see later changes. A GitRepo is safe
// for concurrent use, and any number of GitRepo values, in this process or
// others (the go command included), may share a cache directory.
type GitRepo struct {
	remote string // the URL as given
	// lsRemote is what "git ls-remote" is pointed at: the URL while the
	// cache is being created, "origin" afterwards, as in the go command.
	lsRemote string
	dir      string // the bare repository
	lock     string // its .lock file
	git      string
	env      []string
	trace    func(string)
	check    func(context.Context, string) error

	// refs maps "HEAD", "refs/heads/x" and "refs/tags/y" to hashes; it is
	// listed once (a failure too, unless its context was cancelled).
	refs memo[struct{}, map[string]string]

	mu         sync.Mutex // guards fetchLevel, localTags, localTagsLoaded, files
	fetchLevel int
	localTags  map[string]bool
	// localTagsLoaded records that localTags holds the cache's tags.
	localTagsLoaded bool
	stats           memo[string, *CommitInfo]
	files           map[fileKey]fileEntry // ReadFile answers by commit
}

type fileKey struct{ hash, file string }

type fileEntry struct {
	data []byte
	err  error
}

const (
	fetchNone = iota // nothing fetched by this GitRepo yet
	fetchSome        // shallow fetches of single refs
	fetchAll         // all heads and tags with their history
)

// A CommitInfo describes a revision of a repository: the code host's view,
// before module semantics ([ModuleRepo] turns it into a module version).
type CommitInfo struct {
	Name    string    // the full commit hash
	Short   string    // the hash shortened for pseudo-versions (12 digits)
	Version string    // the revision asked for when it is a tag on the commit, else Name
	Time    time.Time // the commit time, UTC
	Tags    []string  // the tags on the commit, sorted
	Origin  *proxyenv.Origin
}

// A Tag is a tag of a remote repository.
type Tag struct {
	Name string // without "refs/tags/"
	Hash string // the commit it points at
}

// OpenGit returns the repository at the remote URL, creating its bare
// mirror in the cache ("git init --bare" and "git remote add origin") if
// needed. Like the go command, it lists the remote's refs ("git
// ls-remote") before creating a new mirror and keeps that answer, or its
// error, for later calls; an existing mirror is opened without network
// access. remote must be a URL with a scheme (the go command refuses local
// directories and scp-like host:path syntax). The URL, password included,
// is stored in the mirror's .info file and git configuration, as the go
// command stores it.
func OpenGit(ctx context.Context, cfg GitConfig, remote string) (*GitRepo, error) {
	// The go command accepts only URLs for remote git repositories.
	if !strings.Contains(remote, "://") {
		if strings.Contains(remote, ":") {
			return nil, &ConfigError{Field: "remote", Err: fmt.Errorf("git remote (%s) must not be local directory (use URL syntax not host:path syntax)", redact.URL(remote))}
		}
		return nil, &ConfigError{Field: "remote", Err: fmt.Errorf("git remote (%s) must not be local directory", redact.URL(remote))}
	}
	if cfg.GOMODCACHE == "" {
		// The go command's words when neither GOPATH nor GOMODCACHE is set.
		return nil, &ConfigError{Field: "GOMODCACHE", Err: errors.New("neither GOPATH nor GOMODCACHE are set")}
	}
	if cfg.Env == nil {
		return nil, &ConfigError{Field: "Env", Err: errors.New("no environment for git (GitConfig.Env is nil)")}
	}
	git, err := findGit(cfg.Git, cfg.Env)
	if err != nil {
		return nil, err
	}
	r := &GitRepo{
		remote:    remote,
		lsRemote:  "origin",
		git:       git,
		env:       gitEnv(cfg.Env),
		trace:     cfg.Trace,
		check:     cfg.CheckURL,
		localTags: map[string]bool{},
		files:     map[fileKey]fileEntry{},
	}
	r.dir, r.lock = WorkDir(cfg.GOMODCACHE, remote)
	if err := r.create(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// WorkDir returns the go command's cache directory for the git remote
// under gomodcache, and its lock file: gomodcache/cache/vcs/<hex SHA-256 of
// "git3:"+remote> and the same with ".lock".
func WorkDir(gomodcache, remote string) (dir, lock string) {
	// The go command names VCS work directories after the SHA-256 of
	// "<type>:<url>", with type "git3" for git.
	dir = filepath.Join(gomodcache, "cache", "vcs", fmt.Sprintf("%x", sha256.Sum256([]byte(gitKey(remote)))))
	return dir, dir + ".lock"
}

func gitKey(remote string) string { return "git3:" + remote }

// create makes the bare mirror under the lock unless the work directory
// and its .info file already exist, as the go command's WorkDir does.
func (r *GitRepo) create(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Dir(r.dir), 0o777); err != nil {
		return err
	}
	unlock, err := lockFile(ctx, r.lock)
	if err != nil {
		return err
	}
	defer unlock()
	key := gitKey(r.remote)
	data, errInfo := os.ReadFile(r.dir + ".info")
	st, errDir := os.Stat(r.dir)
	if errInfo == nil && errDir == nil && st.IsDir() {
		// The go command reuses a work directory whose .info names the same
		// key, and refuses one that names another.
		if have := strings.TrimSuffix(string(data), "\n"); have != key {
			return &CacheError{Dir: r.dir, Err: fmt.Errorf("%s exists with wrong content (have %q want %q)", r.dir+".info", redact.URL(have), redact.URL(key))}
		}
		if _, err := os.Stat(filepath.Join(r.dir, "objects")); err == nil {
			return nil
		}
	} else {
		// Info file or directory missing: start from scratch.
		os.RemoveAll(r.dir)
		if err := os.MkdirAll(r.dir, 0o777); err != nil {
			return &CacheError{Dir: r.dir, Err: err}
		}
		if err := os.WriteFile(r.dir+".info", []byte(key), 0o666); err != nil {
			os.RemoveAll(r.dir)
			return &CacheError{Dir: r.dir, Err: err}
		}
	}
	// The go command lists the remote's refs with its URL before creating
	// the cache (to learn the object format); the answer, or the error, is
	// the one later lookups use.
	r.lsRemote = r.remote
	r.loadRefs(ctx)
	r.lsRemote = "origin"
	// The go command pins the object format on git versions that know
	// about SHA-256; sha1 repositories are all this package handles.
	if _, err := r.run(ctx, "init", "--bare", "--object-format=sha1"); err != nil {
		if _, err2 := r.run(ctx, "init", "--bare"); err2 != nil {
			os.RemoveAll(r.dir)
			return err
		}
	}
	// The go command fetches from a remote named origin (golang.org/issue/25605).
	if _, err := r.run(ctx, "remote", "add", "origin", "--", r.remote); err != nil {
		os.RemoveAll(r.dir)
		return err
	}
	return nil
}

// Dir returns the bare repository's directory in the cache.
func (r *GitRepo) Dir() string { return r.dir }

// URL returns the remote URL as given to [OpenGit].
func (r *GitRepo) URL() string { return r.remote }

// run runs git with args in the bare repository.
func (r *GitRepo) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.git, args...)
	cmd.Dir = r.dir
	// The go command sets GIT_DIR so git works with safe.bareRepository=explicit.
	cmd.Env = append(slices.Clip(r.env), "GIT_DIR="+r.dir)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	line := r.cmdline(args)
	if r.trace != nil {
		r.trace("cd " + r.dir + "; " + line)
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return stdout.Bytes(), &GitError{Cmd: line + " in " + r.dir, Err: err, Stderr: r.redact(stderr.Bytes())}
	}
	return stdout.Bytes(), nil
}

// cmdline returns "git ARGS..." with the remote's secret redacted.
func (r *GitRepo) cmdline(args []string) string {
	var b strings.Builder
	b.WriteString("git")
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(redact.URL(a))
	}
	return b.String()
}

// redact removes the remote's secret from git's standard error.
func (r *GitRepo) redact(stderr []byte) []byte {
	if secret, ok := redact.URLSecret(r.remote); ok && secret != "" {
		return bytes.ReplaceAll(stderr, []byte(secret), []byte("xxxxx"))
	}
	return stderr
}

// loadRefs lists the remote's HEAD, branches and tags once with
// "git ls-remote".
func (r *GitRepo) loadRefs(ctx context.Context) (map[string]string, error) {
	return r.refs.do(ctx, struct{}{}, func() (map[string]string, error) {
		out, err := r.run(ctx, "ls-remote", "-q", "--end-of-options", r.lsRemote)
		if err == nil {
			return parseRefs(out), nil
		}
		var ge *GitError
		if errors.As(err, &ge) {
			// The go command's hint when git wanted to prompt for a user name.
			if bytes.Contains(ge.Stderr, []byte("fatal: could not read Username")) {
				ge.HelpText = "Confirm the import path was entered correctly.\nIf this is a private repository, see https://golang.org/doc/faq#git_https for additional information."
			}
		}
		// The go command fetches an http(s) remote itself when ls-remote
		// fails, and reports a 404 as a repository that does not exist.
		if u, perr := url.Parse(r.remote); perr == nil && (u.Scheme == "http" || u.Scheme == "https") && r.check != nil && ctx.Err() == nil {
			if cerr := r.check(ctx, r.remote); errors.Is(cerr, fs.ErrNotExist) {
				err = &NotExistError{Err: err}
			}
		}
		return nil, err
	})
}

// parseRefs parses "git ls-remote" output: HEAD, branches and tags, with
// an annotated tag's peeled commit ("refs/tags/x^{}") as the tag's value.
func parseRefs(out []byte) map[string]string {
	refs := map[string]string{}
	peeled := map[string]string{}
	for line := range strings.SplitSeq(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		ref := f[1]
		if k, ok := strings.CutSuffix(ref, "^{}"); ok {
			if strings.HasPrefix(k, "refs/tags/") {
				peeled[k] = f[0]
			}
			continue
		}
		if ref == "HEAD" || strings.HasPrefix(ref, "refs/heads/") || strings.HasPrefix(ref, "refs/tags/") {
			refs[ref] = f[0]
		}
	}
	for k, h := range peeled {
		refs[k] = h
	}
	return refs
}

// Tags returns the remote's tags that start with prefix, sorted by name,
// and an Origin recording the tag prefix and a checksum of the tags that
// could name versions (the go command's TagSum).
func (r *GitRepo) Tags(ctx context.Context, prefix string) ([]Tag, *proxyenv.Origin, error) {
	refs, err := r.loadRefs(ctx)
	if err != nil {
		return nil, nil, err
	}
	tags := []Tag{}
	for ref, hash := range refs {
		name, ok := strings.CutPrefix(ref, "refs/tags/")
		if ok && strings.HasPrefix(name, prefix) {
			tags = append(tags, Tag{name, hash})
		}
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	// The go command's TagSum covers the tags that could name versions.
	dir := prefix[:strings.LastIndex(prefix, "/")+1]
	h := sha256.New()
	for _, t := range tags {
		if isOriginTag(strings.TrimPrefix(t.Name, dir)) {
			fmt.Fprintf(h, "%q %s\n", t.Name, t.Hash)
		}
	}
	origin := &proxyenv.Origin{VCS: "git", URL: r.remote, TagPrefix: prefix, TagSum: "t1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))}
	return tags, origin, nil
}

// isOriginTag reports whether tag could name a version or a
// pseudo-version base.
func isOriginTag(tag string) bool {
	c := semver.Canonical(tag)
	return c != "" && strings.HasPrefix(tag, c) && !module.IsPseudoVersion(tag)
}

// Latest returns the commit the remote's HEAD points at.
func (r *GitRepo) Latest(ctx context.Context) (*CommitInfo, error) {
	refs, err := r.loadRefs(ctx)
	if err != nil {
		return nil, err
	}
	if refs["HEAD"] == "" {
		return nil, ErrNoCommits
	}
	info, err := r.Stat(ctx, refs["HEAD"])
	if err != nil {
		return nil, err
	}
	c := *info
	o := *info.Origin
	o.Ref, o.Hash = "HEAD", refs["HEAD"]
	c.Origin = &o
	return &c, nil
}

// minHashDigits is the shortest hex string the go command treats as a
// possible commit hash prefix.
const minHashDigits = 7

// allHex reports whether rev is all lower-case hexadecimal digits.
func allHex(rev string) bool {
	for i := 0; i < len(rev); i++ {
		c := rev[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func shortHash(h string) string {
	if len(h) == 40 && allHex(h) {
		return h[:12]
	}
	return h
}

func isHashPrefix(rev string) bool {
	return len(rev) >= minHashDigits && len(rev) <= 40 && allHex(rev)
}

// Stat resolves rev (a tag, a branch, "HEAD", or a commit hash or hash
// prefix reachable from a branch or tag) to a commit, fetching into the
// cache only what is missing: one ref shallowly first, everything only if
// that is not enough. Results are remembered per rev.
func (r *GitRepo) Stat(ctx context.Context, rev string) (*CommitInfo, error) {
	if rev == "latest" {
		return r.Latest(ctx)
	}
	return r.stats.do(ctx, rev, func() (*CommitInfo, error) { return r.stat(ctx, rev) })
}

func (r *GitRepo) stat(ctx context.Context, rev string) (info *CommitInfo, err error) {
	// A hash the cache already has needs no network.
	statedLocal := false
	if isHashPrefix(rev) {
		if info, err := r.statLocal(ctx, rev, rev); err == nil {
			return info, nil
		}
		statedLocal = true
	}
	// Nor does a tag already in the cache (branches may be stale).
	if r.hasLocalTag(ctx, rev) {
		return r.statLocal(ctx, rev, "refs/tags/"+rev)
	}

	refs, err := r.loadRefs(ctx)
	if err != nil {
		return nil, err
	}
	var ref, hash string
	switch {
	case refs["refs/tags/"+rev] != "":
		ref = "refs/tags/" + rev
		hash = refs[ref]
		// Tags are assumed not to move: rev stays the tag name.
	case refs["refs/heads/"+rev] != "":
		ref = "refs/heads/" + rev
		hash = refs[ref]
		rev = hash // a branch moves: resolve by its current hash
	case rev == "HEAD" && refs["HEAD"] != "":
		ref = "HEAD"
		hash = refs[ref]
		rev = hash
	case isHashPrefix(rev):
		// Map a hash prefix to a full hash through the known refs.
		prefix := rev
		for k, h := range refs {
			if strings.HasPrefix(h, prefix) {
				if hash != "" && hash != h {
					return nil, fmt.Errorf("ambiguous revision %s", rev)
				}
				if ref == "" || ref > k {
					ref = k
				}
				rev, hash = h, h
			}
		}
		if hash == "" && len(rev) == 40 {
			hash = rev
		}
	default:
		return nil, &UnknownRevisionError{Rev: rev}
	}

	defer func() {
		if info != nil {
			info.Origin.Hash = info.Name
			if ref != info.Origin.Hash {
				info.Origin.Ref = ref
			}
		}
	}()

	unlock, err := lockFile(ctx, r.lock)
	if err != nil {
		return nil, err
	}
	defer unlock()

	// Another user of the cache may have fetched the commit meanwhile.
	if !statedLocal {
		if info, err := r.statLocal(ctx, rev, hash); err == nil {
			if tag, isTag := strings.CutPrefix(ref, "refs/tags/"); isTag && !slices.Contains(info.Tags, tag) {
				if _, err := r.run(ctx, "tag", "--end-of-options", tag, hash); err != nil {
					return nil, err
				}
				r.mu.Lock()
				r.localTags[tag] = true
				r.mu.Unlock()
				return r.statLocal(ctx, rev, ref)
			}
			return info, nil
		}
	}

	// Fetch just the one ref when it is known; never fetch an arbitrary
	// hash that no branch or tag reaches (the go command's rule).
	r.mu.Lock()
	level := r.fetchLevel
	if level <= fetchSome && ref != "" && hash != "" {
		r.fetchLevel = fetchSome
	}
	r.mu.Unlock()
	if level <= fetchSome && ref != "" && hash != "" {
		refspec := ref + ":" + ref
		if ref == "HEAD" {
			// A local name outside refs/tags makes git also create the
			// remote tags that point at the hash.
			ref = hash
			refspec = hash + ":refs/dummy"
		}
		// The go command forces protocol version 2 (golang.org/issue/56881).
		if _, err := r.run(ctx, "-c", "protocol.version=2", "fetch", "-f", "--depth=1", "--end-of-options", "origin", refspec); err == nil {
			return r.statLocal(ctx, rev, ref)
		} else if ctx.Err() != nil {
			return nil, err
		}
		// Whatever went wrong, fall back to fetching everything.
	}
	if err := r.fetchAllLocked(ctx); err != nil {
		return nil, err
	}
	return r.statLocal(ctx, rev, rev)
}

// hasLocalTag reports whether the cache has tag, listing the cache's tags
// once (the go command's localTags).
func (r *GitRepo) hasLocalTag(ctx context.Context, tag string) bool {
	r.mu.Lock()
	loaded := r.localTagsLoaded
	r.mu.Unlock()
	if !loaded {
		out, err := r.run(ctx, "tag", "-l")
		r.mu.Lock()
		if err == nil {
			for line := range strings.SplitSeq(string(out), "\n") {
				if line != "" {
					r.localTags[line] = true
				}
			}
		}
		r.localTagsLoaded = true
		r.mu.Unlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.localTags[tag]
}

// fetchAllLocked fetches every branch and tag and unshallows the cache.
// The caller holds the lock file.
func (r *GitRepo) fetchAllLocked(ctx context.Context) error {
	r.mu.Lock()
	level := r.fetchLevel
	r.mu.Unlock()
	if level >= fetchAll {
		return nil
	}
	// The go command expands the refs first and unshallows in a second
	// fetch, working around a bug in older git (golang.org/issue/34266).
	if _, err := r.run(ctx, "fetch", "-f", "--end-of-options", "origin", "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(r.dir, "shallow")); err == nil {
		if _, err := r.run(ctx, "fetch", "--unshallow", "-f", "--end-of-options", "origin"); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.fetchLevel = fetchAll
	r.mu.Unlock()
	return nil
}

// statLocal describes rev as the cache has it; version becomes the
// Version when it is one of the commit's tags.
func (r *GitRepo) statLocal(ctx context.Context, version, rev string) (*CommitInfo, error) {
	out, err := r.run(ctx, "-c", "log.showsignature=false", "log", "--no-decorate", "-n1", "--format=format:%H %ct %D", "--end-of-options", rev, "--")
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, &UnknownRevisionError{Rev: rev}
	}
	f := strings.Fields(string(out))
	if len(f) < 2 {
		return nil, fmt.Errorf("unexpected response from git log: %q", out)
	}
	hash := f[0]
	if strings.HasPrefix(hash, version) {
		version = hash
	}
	sec, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("invalid time from git log: %q", out)
	}
	info := &CommitInfo{
		Name:    hash,
		Short:   shortHash(hash),
		Time:    time.Unix(sec, 0).UTC(),
		Version: hash,
		Origin:  &proxyenv.Origin{VCS: "git", URL: r.remote, Hash: hash},
	}
	if !strings.HasPrefix(hash, rev) {
		info.Origin.Ref = rev
	}
	// Decorations look like "HEAD -> main, tag: v1.2.3, tag: v1.2.4".
	for i := 2; i < len(f); i++ {
		if f[i] == "tag:" && i+1 < len(f) {
			i++
			info.Tags = append(info.Tags, strings.TrimSuffix(f[i], ","))
		}
	}
	// Shallow fetches by newer git do not bring the tags along; the go
	// command adds the remote's tags for the hash too.
	if refs, err := r.loadRefs(ctx); err == nil {
		for ref, h := range refs {
			if tag, ok := strings.CutPrefix(ref, "refs/tags/"); ok && h == hash {
				info.Tags = append(info.Tags, tag)
			}
		}
	}
	slices.Sort(info.Tags)
	info.Tags = slices.Compact(info.Tags)
	if slices.Contains(info.Tags, version) {
		info.Version = version
	}
	return info, nil
}

// ReadFile returns the content of file at rev, or an error that is
// fs.ErrNotExist when the file does not exist there. Reads stop at maxSize
// bytes plus one.
func (r *GitRepo) ReadFile(ctx context.Context, rev, file string, maxSize int64) ([]byte, error) {
	info, err := r.Stat(ctx, rev)
	if err != nil {
		return nil, err
	}
	// A commit's files never change: remember what was read.
	key := fileKey{info.Name, file}
	r.mu.Lock()
	e, ok := r.files[key]
	r.mu.Unlock()
	if !ok {
		e.data, e.err = r.readFile(ctx, info.Name, file)
		if ctx.Err() != nil {
			return nil, e.err
		}
		r.mu.Lock()
		r.files[key] = e
		r.mu.Unlock()
	}
	if e.err != nil {
		return nil, e.err
	}
	if int64(len(e.data)) > maxSize {
		return nil, &FileTooLargeError{File: file, Limit: maxSize}
	}
	return e.data, nil
}

func (r *GitRepo) readFile(ctx context.Context, hash, file string) ([]byte, error) {
	out, err := r.run(ctx, "cat-file", "--end-of-options", "blob", hash+":"+file)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		// The go command treats any cat-file failure as a missing file.
		return nil, fs.ErrNotExist
	}
	return out, nil
}

// RecentTag returns the highest semver tag (after prefix) among the tags
// merged into rev for which allowed reports true, or "" if there is none.
// It fetches the full history only when the remote has candidate tags the
// cache cannot place.
func (r *GitRepo) RecentTag(ctx context.Context, rev, prefix string, allowed func(tag string) bool) (string, error) {
	info, err := r.Stat(ctx, rev)
	if err != nil {
		return "", err
	}
	rev = info.Name
	describe := func() (tag string, definitive bool, err error) {
		out, err := r.run(ctx, "for-each-ref", "--format=%(refname)", "--merged="+rev)
		if err != nil {
			return "", true, err
		}
		var highest string
		for line := range strings.SplitSeq(string(out), "\n") {
			name, ok := strings.CutPrefix(strings.TrimSpace(line), "refs/tags/")
			if !ok || !strings.HasPrefix(name, prefix) || !allowed(name) {
				continue
			}
			if v := name[len(prefix):]; semver.Compare(v, highest) > 0 {
				highest = v
			}
		}
		if highest != "" {
			tag = prefix + highest
		}
		return tag, tag != "" && !allHex(tag), nil
	}
	if tag, ok, err := describe(); ok {
		return tag, err
	}
	// No tag found locally: look for a plausible tag on the remote before
	// paying for the whole history.
	tags, _, err := r.Tags(ctx, prefix+"v")
	if err != nil {
		return "", err
	}
	if len(tags) == 0 {
		return "", nil
	}
	unlock, err := lockFile(ctx, r.lock)
	if err != nil {
		return "", err
	}
	err = r.fetchAllLocked(ctx)
	unlock()
	if err != nil {
		return "", err
	}
	tag, _, err := describe()
	return tag, err
}

// DescendsFrom reports whether rev descends from tag, fetching history
// when the (possibly shallow) cache cannot tell.
func (r *GitRepo) DescendsFrom(ctx context.Context, rev, tag string) (bool, error) {
	if _, err := r.run(ctx, "merge-base", "--is-ancestor", "--", tag, rev); err == nil {
		return true, nil
	}
	// A shallow cache gives false negatives: check the remote has the tag,
	// then fetch history and ask again.
	tags, _, err := r.Tags(ctx, tag)
	if err != nil {
		return false, err
	}
	if len(tags) == 0 {
		return false, nil
	}
	if _, err := r.Stat(ctx, rev); err != nil {
		return false, err
	}
	unlock, err := lockFile(ctx, r.lock)
	if err != nil {
		return false, err
	}
	defer unlock()
	if err := r.fetchAllLocked(ctx); err != nil {
		return false, err
	}
	_, err = r.run(ctx, "merge-base", "--is-ancestor", "--", tag, rev)
	if err == nil {
		return true, nil
	}
	var ge *GitError
	var ee *exec.ExitError
	if errors.As(err, &ge) && errors.As(ge.Err, &ee) && ee.ExitCode() == 1 {
		return false, nil
	}
	return false, err
}

// gitAttributes disables export-subst and export-ignore for every file so
// archives do not depend on .gitattributes (golang.org/issue/27153).
const gitAttributes = "\n* -export-subst -export-ignore\n"

// Archive writes "git archive --format=zip" of subdir (all of the tree if
// empty) at rev to w, with every path under "prefix/", as the go command
// makes it: export-subst and export-ignore disabled, line endings as
// committed. An archive larger than maxSize is an error. If subdir matches
// no files, the error is fs.ErrNotExist.
func (r *GitRepo) Archive(ctx context.Context, w io.Writer, rev, subdir string, maxSize int64) error {
	info, err := r.Stat(ctx, rev)
	if err != nil {
		return err
	}
	unlock, err := lockFile(ctx, r.lock)
	if err != nil {
		return err
	}
	defer unlock()
	if err := ensureGitAttributes(r.dir); err != nil {
		return &CacheError{Dir: r.dir, Err: err}
	}
	args := []string{"-c", "core.autocrlf=input", "-c", "core.eol=lf", "archive", "--format=zip", "--prefix=prefix/", "--end-of-options", info.Name}
	if subdir != "" {
		args = append(args, subdir)
	}
	cmd := exec.CommandContext(ctx, r.git, args...)
	cmd.Dir = r.dir
	cmd.Env = append(slices.Clip(r.env), "GIT_DIR="+r.dir)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	lw := &limitWriter{w: w, n: maxSize}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = lw, &stderr
	line := r.cmdline(args)
	if r.trace != nil {
		r.trace("cd " + r.dir + "; " + line)
	}
	if err := cmd.Run(); err != nil {
		if lw.over {
			return &FileTooLargeError{File: "zip archive", Limit: maxSize}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if bytes.Contains(stderr.Bytes(), []byte("did not match any files")) {
			return fs.ErrNotExist
		}
		return &GitError{Cmd: line + " in " + r.dir, Err: err, Stderr: r.redact(stderr.Bytes())}
	}
	return nil
}

type limitWriter struct {
	w    io.Writer
	n    int64
	over bool
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		l.over = true
		return 0, errors.New("vcs: archive too large")
	}
	l.n -= int64(len(p))
	return l.w.Write(p)
}

func ensureGitAttributes(dir string) error {
	d := filepath.Join(dir, "info")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	p := filepath.Join(d, "attributes")
	b, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if bytes.HasSuffix(b, []byte(gitAttributes)) {
		return nil
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o666)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(gitAttributes); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// findGit resolves the git binary: an absolute path as is, or a name
// searched in env's PATH (never the process's).
func findGit(git string, env []string) (string, error) {
	if git == "" {
		git = "git"
	}
	if filepath.IsAbs(git) {
		return git, nil
	}
	if strings.ContainsRune(git, filepath.Separator) {
		return "", &ConfigError{Field: "Git", Err: fmt.Errorf("git binary %q is neither absolute nor a bare name", git)}
	}
	path := lookupEnv(env, "PATH")
	for _, dir := range filepath.SplitList(path) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, git)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &ConfigError{Field: "Git", Err: fmt.Errorf("%s not found in the PATH of GitConfig.Env (%q)", git, path)}
}

// lookupEnv returns the last value of key in env.
func lookupEnv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// gitEnv returns env with the go command's defaults for git added.
func gitEnv(env []string) []string {
	out := slices.Clone(env)
	has := func(k string) bool {
		for _, kv := range env {
			if strings.HasPrefix(kv, k+"=") {
				return true
			}
		}
		return false
	}
	// The go command disables git's terminal and credential-manager
	// prompts unless the user set these variables.
	if !has("GIT_TERMINAL_PROMPT") {
		out = append(out, "GIT_TERMINAL_PROMPT=0")
	}
	if !has("GCM_INTERACTIVE") {
		out = append(out, "GCM_INTERACTIVE=never")
	}
	return slices.Clip(out)
}

// A GitError reports a git command that failed, in the go command's words:
// "git ARGS in DIR: exit status N:" followed by git's standard error,
// indented, and a help text when there is one.
type GitError struct {
	Cmd      string // "git ARGS... in DIR", passwords redacted
	Err      error  // the *exec.ExitError, or ctx.Err()
	Stderr   []byte // git's standard error, passwords redacted
	HelpText string
}

func (e *GitError) Error() string {
	text := e.Cmd + ": " + e.Err.Error()
	if stderr := bytes.TrimRight(e.Stderr, "\n"); len(stderr) > 0 {
		text += ":\n\t" + strings.ReplaceAll(string(stderr), "\n", "\n\t")
	}
	if e.HelpText != "" {
		text += "\n" + e.HelpText
	}
	return text
}

// Unwrap returns e.Err.
func (e *GitError) Unwrap() error { return e.Err }

// An UnknownRevisionError reports a revision that is neither a branch, a
// tag nor a commit reachable from one. It is fs.ErrNotExist.
type UnknownRevisionError struct {
	Rev string
}

// Error returns the go command's text, "unknown revision REV".
func (e *UnknownRevisionError) Error() string { return "unknown revision " + e.Rev }

// Is reports whether target is fs.ErrNotExist.
func (e *UnknownRevisionError) Is(target error) bool { return target == fs.ErrNotExist }

// ErrNoCommits reports a repository without commits; it is
// fs.ErrNotExist.
var ErrNoCommits error = noCommitsError{}

type noCommitsError struct{}

func (noCommitsError) Error() string        { return "no commits" }
func (noCommitsError) Is(target error) bool { return target == fs.ErrNotExist }

// A NotExistError wraps the error of a repository whose server reported it
// does not exist (404). It is fs.ErrNotExist.
type NotExistError struct {
	Err error
}

func (e *NotExistError) Error() string { return e.Err.Error() }

// Unwrap returns e.Err.
func (e *NotExistError) Unwrap() error { return e.Err }

// Is reports whether target is fs.ErrNotExist.
func (e *NotExistError) Is(target error) bool { return target == fs.ErrNotExist }

// A ConfigError reports an unusable [GitConfig] field or remote.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return "vcs: " + e.Field + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *ConfigError) Unwrap() error { return e.Err }

// A CacheError reports a problem with a work directory in the cache.
type CacheError struct {
	Dir string
	Err error
}

func (e *CacheError) Error() string { return "vcs: cache " + e.Dir + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *CacheError) Unwrap() error { return e.Err }

// A FileTooLargeError reports a file or archive over its size limit.
type FileTooLargeError struct {
	File  string
	Limit int64
}

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("vcs: %s larger than %d bytes", e.File, e.Limit)
}

// An UnsupportedVCSError reports a repository whose version control
// system modnet cannot fetch from: only git is supported (the go command
// also runs hg, svn, bzr and fossil).
type UnsupportedVCSError struct {
	VCS  string // "hg", "svn", "bzr", "fossil", …
	Repo string // the repository URL, redacted
}

func (e *UnsupportedVCSError) Error() string {
	return fmt.Sprintf("vcs: %s repository %s: only git is supported in direct mode; fetch this module through a module proxy (GOPROXY) or with the go command", e.VCS, e.Repo)
}

// Open opens the repository at remote for the version control system
// vcs as a go-import meta tag names it. Only "git" is supported; any other
// system is an *[UnsupportedVCSError]. (The "mod" type is a module proxy,
// not a repository: fetch it with proxyenv.)
func Open(ctx context.Context, cfg GitConfig, vcs, remote string) (*GitRepo, error) {
	if vcs != "git" {
		return nil, &UnsupportedVCSError{VCS: vcs, Repo: redact.URL(remote)}
	}
	return OpenGit(ctx, cfg, remote)
}
