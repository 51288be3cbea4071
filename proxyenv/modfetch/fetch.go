package modfetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	"github.com/modnet/modnet/proxyenv"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/dirhash"
)

// A Fetcher downloads module versions from module proxies the way
// "go mod download" does: per file it walks the module's [proxyenv.Route] (the
// .info file, then .mod, then the checksum database when the route says
// to consult it, then .zip), with the client's trust, HTTP proxy and
// credentials, and verifies the go.mod and zip hashes against the checksum
// database.
//
// A Fetcher finds the checksum database once and caches its signed tree
// head in memory, like one run of the go command. It is safe for
// concurrent use.
type Fetcher struct {
	direct directState // direct-mode lookups, see direct.go

	// Client makes the requests. It must not be nil.
	Client *proxyenv.Client
	// Dir, if non-empty, is a module cache (the go command's GOMODCACHE;
	// see [ModCacheDir]), used the way the go command uses it. Before
	// asking any proxy, a Fetcher reads what the cache has: an exact
	// version's .info, its .mod, and its .zip with .ziphash, so a cached
	// version needs no request (and works with GOPROXY=off). What it
	// downloads it writes in the cache's download layout,
	// Dir/cache/download/<escaped path>/@v/<escaped version>.{info,mod,zip,ziphash},
	// keeping @v/list up to date, with the go command's file modes (0666
	// and 0777 before the umask), temporary files renamed into place and
	// its lock files, so the go command and a Fetcher can share one cache
	// and the cache serves as a file:// GOPROXY.
	//
	// If Dir is empty, nothing is kept: each zip streams to a temporary
	// file in [os.TempDir] that is removed once checked and hashed, and
	// the Download's Info, GoMod and Zip are empty.
	Dir string
	// Trace, if non-nil, is called before each request with its method and
	// redacted URL, and after it with the outcome, like the go command's -x
	// "# get" lines.
	Trace func(line string)
	// Direct (version control) fetches remember, for the Fetcher's
	// lifetime, where each module's repository is and what it answered
	// (tags, branches, go.mod files), as one run of the go command does,
	// whatever Run says: a long-lived Fetcher sees new tags of a
	// repository it already asked only after [Fetcher.Close]. The bare
	// repositories stay in Dir's cache/vcs, so the next lookup fetches
	// only what is new.
	//
	// GitEnv is the environment git runs with for direct (version
	// control) fetches, in [os/exec.Cmd] Env form. Nil means the current
	// process environment, as the go command runs git.
	GitEnv []string
	// PlainGit runs git with GitEnv alone, exactly as the go command does.
	// By default modnet adds, scoped to each repository URL and never on
	// a command line, the roots, HTTP proxy and credentials its own
	// client uses ([vcs.NewGitEnv]), so that git trusts what Go trusts.
	PlainGit bool
	// GoVersion is the go release whose rules apply to module zips made
	// from version control (a go.mod asking for a newer Go is refused, as
	// that go command refuses it). Empty means the release this program
	// was built with.
	GoVersion string
	// Run makes the Fetcher remember, for its lifetime, what each proxy
	// answered for each module — version lists, .info, go.mod and zip
	// files, errors included — as one run of the go command does, so that several
	// downloads naming the same module (m@v1.1.0 and m@latest, say) make
	// the go command's requests. Use a new Fetcher for each run: a
	// long-lived one would never see new versions.
	Run bool
	// SumDBDir, if non-empty, is where the checksum databases' signed tree
	// heads are kept across runs, like the go command's $GOPATH/pkg/sumdb
	// (see [GOPATH]): <SumDBDir>/<database name>/latest, updated under a
	// file lock, so that a database that forks its history is detected
	// against what an earlier run (or the go command) saw. If empty, a
	// Fetcher remembers the tree head in memory only. Tiles and records
	// are kept in Dir/cache/download/sumdb when Dir is set, as the go
	// command keeps them, so they are not fetched again.
	SumDBDir string
	// Extract makes DownloadZip also unpack each zip into the module cache
	// (Dir must be set) as Dir/<escaped path>@<escaped version>, as
	// "go mod download" does, reported in Download.Dir, with read-only
	// directories unless ExtractWritable is set (the go command's
	// -modcacherw flag).
	Extract, ExtractWritable bool
	// GoSum, if non-nil, is a go.sum file that downloads are checked
	// against before the checksum database, as the go command checks them
	// (see [GoSum]).
	GoSum *GoSum
	// Workers is the number of modules [Fetcher.DownloadAll] fetches at
	// once; zero means 16. Give the client's transport as many idle
	// connections per host (ClientOptions.Base's MaxIdleConnsPerHost),
	// or concurrent downloads keep opening new connections.
	Workers int

	mu   sync.Mutex
	dbs  map[string]*sumDBState
	runs map[string]*queryRun
}

// queryRunFor returns the query state for route's module: a fresh one, or
// with Run set, the one kept for the module.
func (f *Fetcher) queryRunFor(route *proxyenv.Route) *queryRun {
	if !f.Run {
		return f.newQueryRun(route)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.runs == nil {
		f.runs = map[string]*queryRun{}
	}
	key := route.Module
	q, ok := f.runs[key]
	if !ok {
		q = f.newQueryRun(route)
		f.runs[key] = q
	}
	return q
}

// A Download is the result of [Fetcher.Download].
type Download struct {
	Path    string
	Version string
	// Info, GoMod and Zip are the files in the module cache Fetcher.Dir,
	// downloaded or found there (empty when Dir is empty).
	Info, GoMod, Zip string
	// Query is the query that chose Version ("latest"), or "".
	Query string `json:",omitempty"`
	// InfoData and GoModData are the .info (decoded and encoded again as
	// the go command caches it) and .mod contents.
	InfoData, GoModData []byte `json:"-"`
	// Dir is the directory the zip was unpacked into (Fetcher.Extract),
	// or "".
	Dir string `json:",omitempty"`
	// Sum and GoModSum are the module's go.sum hashes ("h1:...").
	Sum, GoModSum string
	// SumDB is the checksum database that verified the hashes, or "".
	SumDB string `json:",omitempty"`

	route *proxyenv.Route
}

// Download fetches the .info, .mod and .zip of modulePath at version — a
// semantic version, a version prefix such as v1.2, a range such as
// >v1.0.0, "latest" or "upgrade", resolved like the go command resolves it
// from the proxies' version lists: [Fetcher.DownloadMod], then
// [Fetcher.DownloadZip]. The error, if any, is a *module.ModuleError in the
// go command's words, wrapping the walk's ranked error (a *[proxyenv.StepError]) or
// the checksum failure.
//
// For several modules, "go mod download" fetches every module's .info and
// .mod first (in order) and the zips afterwards; call DownloadMod for each,
// then DownloadZip for each, to make the same requests.
func (f *Fetcher) Download(ctx context.Context, modulePath, version string) (*Download, error) {
	d, err := f.DownloadMod(ctx, modulePath, version)
	if err != nil {
		return nil, err
	}
	if err := f.DownloadZip(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// DownloadMod fetches the .info and .mod files of modulePath at version and
// verifies the go.mod hash with the checksum database when the route says
// to. The result holds no zip yet; see [Fetcher.DownloadZip]. When the
// .info was fetched but the go.mod failed, DownloadMod returns both the
// partial result (Version, Query, Info) and the error, as the go command
// reports them.
func (f *Fetcher) DownloadMod(ctx context.Context, modulePath, version string) (*Download, error) {
	if modulePath == "go" || modulePath == "toolchain" {
		// The go command resolves these as Go releases, then refuses.
		return f.downloadToolchain(ctx, modulePath, version)
	}
	query := ""
	var vq *versionQuery
	switch {
	case version != "" && version == module.CanonicalVersion(version):
	case isCompleteSemver(version):
		// A complete version that is not canonical, such as v1.2.3+meta.
		query = version
	default:
		q, err := parseQuery(modulePath, version)
		if err != nil {
			return nil, moduleErr(modulePath, version, err)
		}
		// A nil query is a revision, asked for as written.
		query, vq = version, q
	}
	route, err := f.Client.Route(modulePath)
	if err != nil {
		// The go command reports a bad GOPROXY against the module.
		var pe *proxyenv.ProxyListError
		if errors.As(err, &pe) {
			return nil, moduleErr(modulePath, version, pe.Err)
		}
		return nil, moduleErr(modulePath, version, err)
	}
	mod := route.Module
	if err := module.CheckPath(mod); err != nil {
		return nil, moduleErr(modulePath, version, err)
	}
	q := f.queryRunFor(route)
	q.mu.Lock() // a module's cached answers are used by one download at a time
	defer q.mu.Unlock()
	var r resolved
	switch {
	case vq != nil:
		// A failed query is reported against the query as written.
		if r, err = q.resolve(ctx, vq); err != nil {
			return nil, moduleErr(modulePath, query, err)
		}
		// A proxy's @latest may name a semantic version that is not
		// canonical: the go command refuses a complete one (v1.0.0+meta)
		// and resolves an incomplete one (v1.2) again, as a query.
		if v := r.version; module.CanonicalVersion(v) != v {
			partial := &Download{Path: modulePath, Version: v, Query: query, route: route}
			if isCompleteSemver(v) {
				return partial, moduleErr(modulePath, v, fmt.Errorf("non-canonical module version %q", v))
			}
			again, err := parseQuery(modulePath, v)
			if err != nil || again == nil {
				return partial, moduleErr(modulePath, v, fmt.Errorf("non-canonical module version %q", v))
			}
			if r, err = q.resolve(ctx, again); err != nil {
				return partial, moduleErr(modulePath, v, err)
			}
			if module.CanonicalVersion(r.version) != r.version {
				return partial, moduleErr(modulePath, r.version, fmt.Errorf("non-canonical module version %q", r.version))
			}
		}
	case query != "":
		if r.version, r.info, err = q.queryExact(ctx, query); err != nil {
			return nil, moduleErr(modulePath, query, err)
		}
	default:
		r.version = version
		// The go command reads a cached .info before asking any proxy.
		if _, r.info, err = f.readCachedInfo(mod, version); err != nil {
			if r.info, err = q.statExact(ctx, version); err != nil {
				return nil, moduleErr(modulePath, version, err)
			}
		}
	}
	version = r.version
	if canon, err := canonicalInfo(r.info); err == nil {
		r.info = canon
	}
	// Like the go command, keep what was fetched even if go.mod fails.
	d := &Download{Path: modulePath, Version: version, Query: query, InfoData: r.info, route: route}
	if f.Dir != "" {
		file, _, err := f.readCachedInfo(mod, version)
		if err != nil {
			file, err = f.writeInfo(ctx, mod, version, r.info)
		}
		if err != nil {
			return d, moduleErr(modulePath, version, err)
		}
		d.Info = file
	}
	if r.goMod == nil {
		r.goMod = q.goMod(ctx, version)
	}
	if r.goMod.err != nil {
		return d, moduleErr(modulePath, version, r.goMod.err)
	}
	gm := r.goMod.v
	d.GoModSum, d.SumDB, d.GoModData, d.GoMod = gm.sum, gm.sumdb, gm.data, gm.file
	return d, nil
}

// moduleErr reports err against path@version, unless it already names a
// module (the go command wraps once).
func moduleErr(path, version string, err error) error {
	var me *module.ModuleError
	if errors.As(err, &me) {
		return err
	}
	// The go command's go.sum mismatch text names the module itself.
	var ge *GoSumMismatchError
	if errors.As(err, &ge) {
		return err
	}
	return &module.ModuleError{Path: path, Version: version, Err: err}
}

// DownloadZip fetches the zip of a module version that DownloadMod
// returned, checks its file names, hashes it and verifies the hash with
// the checksum database when the route says to, and fills d's Zip and Sum.
func (f *Fetcher) DownloadZip(ctx context.Context, d *Download) error {
	if d == nil || d.route == nil {
		return errors.New("proxyenv: DownloadZip needs a Download from DownloadMod")
	}
	if !f.Run {
		return f.downloadZip(ctx, d)
	}
	// One run fetches each zip once.
	q := f.queryRunFor(d.route)
	q.mu.Lock()
	defer q.mu.Unlock()
	r, ok := q.zips[d.Version]
	if !ok {
		z := *d
		r = &result[zipFiles]{err: f.downloadZip(ctx, &z)}
		r.v = zipFiles{z.Zip, z.Sum, z.SumDB, z.Dir}
		q.zips[d.Version] = r
	}
	d.Zip, d.Sum, d.Dir = r.v.zip, r.v.sum, r.v.dir
	if r.v.sumdb != "" {
		d.SumDB = r.v.sumdb
	}
	return r.err
}

// zipFiles is what a zip download gives a Download.
type zipFiles struct{ zip, sum, sumdb, dir string }

// goModFile is a fetched and verified go.mod file.
type goModFile struct {
	data  []byte
	sum   string // its go.sum hash
	sumdb string // the checksum database that verified it, or ""
	file  string // its file in the module cache, or ""
}

// goModSum is the go.sum hash of a go.mod file.
func goModSum(data []byte) (string, error) {
	return dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	})
}

// getGoMod returns the go.mod of version: from the module cache when it
// is there (verified like a download, as the go command does), else
// walking route for it and caching it. The go command checks go.mod
// against the checksum database as part of fetching it from a source, so
// a failed check is that source's error and '|' moves on to the next one.
func (f *Fetcher) getGoMod(ctx context.Context, route *proxyenv.Route, version string) (*goModFile, error) {
	// The go command asks a proxy for the go.mod of canonical versions only.
	if module.CanonicalVersion(version) != version {
		return nil, moduleErr(route.Module, version, errors.New("internal error: version passed to GoMod is not canonical"))
	}
	gm := &goModFile{}
	check := func(data []byte, _ string) error {
		h, err := goModSum(data)
		if err != nil {
			return err
		}
		gm.sum = h
		gm.sumdb, err = f.verifySum(ctx, route, route.Module, version+"/go.mod", h)
		return err
	}
	if file, data, err := f.readCachedGoMod(route.Module, version); err == nil {
		if err := check(data, ""); err != nil {
			return nil, moduleErr(route.Module, version, err)
		}
		gm.data, gm.file = data, file
		return gm, nil
	}
	data, err := f.get(ctx, route, version, "mod", check)
	if err != nil {
		return nil, err
	}
	gm.data = data
	if gm.file, err = f.writeGoMod(ctx, route.Module, version, data); err != nil {
		return nil, moduleErr(route.Module, version, err)
	}
	return gm, nil
}

// checkInfo returns the check of a .info file for an exact version: it
// must parse and, when the version is canonical and valid for the module
// path, name that version, as the go command insists.
func checkInfo(path, version string) func(data []byte, proxy string) error {
	return func(data []byte, proxy string) error {
		var ri proxyenv.RevInfo
		if err := json.Unmarshal(data, &ri); err != nil {
			return fmt.Errorf("invalid response from proxy %q: %w", proxy, err)
		}
		if ri.Version != version && version == module.CanonicalVersion(version) && module.Check(path, version) == nil {
			return fmt.Errorf("proxy returned info for version %s instead of requested version", ri.Version)
		}
		return nil
	}
}

// get walks route for one version file of the module. check, if
// non-nil, validates what a source returned as part of that source's step.
func (f *Fetcher) get(ctx context.Context, route *proxyenv.Route, version, ext string, check func(data []byte, proxy string) error) ([]byte, error) {
	file, err := proxyenv.VersionFile(version, ext)
	if err != nil {
		return nil, err
	}
	what, limit := "go.mod", int64(maxGoMod)
	if ext == "info" {
		what, limit = "info", maxInfo
	}
	var got []byte
	err = proxyenv.Walk(ctx, route, func(ctx context.Context, s proxyenv.Step) error {
		stepErr := func(err error) error { return moduleErr(route.Module, version, err) }
		var data []byte
		source := "direct"
		if s.Action == proxyenv.ActionDirect {
			data, err = f.directFile(ctx, route.Module, version, ext)
		} else {
			source = s.Entry.URL.Redacted()
			var u *url.URL
			if u, err = proxyenv.ProxyFileURL(s.Entry.URL, route.Module, file); err == nil {
				data, err = f.read(ctx, u, what, limit)
			}
		}
		if err != nil {
			return stepErr(err)
		}
		if check != nil {
			if err := check(data, source); err != nil {
				return stepErr(err)
			}
		}
		got = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	return got, nil
}

func (f *Fetcher) trace(format string, args ...any) {
	if f.Trace != nil {
		f.Trace(fmt.Sprintf(format, args...))
	}
}

// sumDBState is one checksum database as a run of the go command knows
// it: where it is served (found once) and the x/mod client with its
// in-memory signed tree head.
type sumDBState struct {
	name string
	ops  *sumOps

	mu    sync.Mutex
	found bool
	base  *url.URL
	err   error
}

// find locates the database once, like the go command.
func (db *sumDBState) find(ctx context.Context, f *Fetcher, route *proxyenv.Route) (*url.URL, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.found {
		return db.base, db.err
	}
	base, err := proxyenv.FindSumDB(ctx, route, func(ctx context.Context, u *url.URL) error {
		_, err := f.read(ctx, u, "checksum database answer", maxSumDB)
		return err
	})
	// A failure is remembered for a run (Run), never longer: a long-lived
	// Fetcher asks again, so a transient 503 does not stick. A failure
	// caused by the caller's context is never remembered.
	if err != nil && (ctx.Err() != nil || !f.Run) {
		return nil, err
	}
	db.found, db.base, db.err = true, base, err
	return base, err
}

// checkSum verifies "mod version h" against the checksum database of
// route, like the go command's checkSumDB. version ends in "/go.mod" for a
// go.mod hash. It returns the database's name.
func (f *Fetcher) checkSum(ctx context.Context, route *proxyenv.Route, mod, version, h string) (string, error) {
	noun := "module"
	plain := version
	if v, ok := strings.CutSuffix(version, "/go.mod"); ok {
		noun, plain = "go.mod", v
	}
	fail := func(err error) error {
		return &module.ModuleError{Path: mod, Version: plain, Err: fmt.Errorf("verifying %s: %w", noun, err)}
	}
	dec := &route.SumDB
	if dec.Err != nil {
		var se *proxyenv.SumDBError
		if errors.As(dec.Err, &se) {
			return "", fail(se.Err)
		}
		return "", fail(dec.Err)
	}
	if dec.DB == nil {
		return "", fail(proxyenv.ErrSumDBOff)
	}
	db := f.sumDB(dec)
	// A client per lookup carries this call's context; the signed tree
	// head, tiles and lookups it fetches are shared through db.ops, so a
	// record is still fetched once per Fetcher, as in one go command run.
	// The database is found only when the lookup needs the network, as in
	// the go command: a lookup answered from the cache makes no request.
	ops := &callOps{sumOps: db.ops, ctx: ctx, db: db, route: route}
	lines, err := sumdb.NewClient(ops).Lookup(mod, version)
	if ops.findErr != nil {
		return "", fail(fmt.Errorf("%s@%s: %w", mod, version, ops.findErr))
	}
	if err == nil && ops.security != "" {
		err = errors.New(ops.security)
	}
	if err != nil {
		return "", fail(err)
	}
	have := mod + " " + version + " " + h
	prefix := mod + " " + version + " h1:"
	for _, line := range lines {
		if line == have {
			return dec.DB.Name, nil
		}
		if strings.HasPrefix(line, prefix) {
			return "", fail(&ChecksumError{Noun: noun, Downloaded: h, DB: dec.DB.Name, Want: line[len(prefix)-len("h1:"):]})
		}
	}
	return "", fail(&ChecksumError{Noun: noun, Downloaded: h, DB: dec.DB.Name})
}

// sumDB returns the state of the database dec names, creating it.
func (f *Fetcher) sumDB(dec *proxyenv.SumDBDecision) *sumDBState {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := dec.DB.Key
	if f.dbs == nil {
		f.dbs = map[string]*sumDBState{}
	}
	db, ok := f.dbs[key]
	if !ok {
		db = &sumDBState{name: dec.DB.Name}
		db.ops = &sumOps{f: f, key: key, config: map[string][]byte{}, cache: map[string][]byte{}, configDir: f.SumDBDir}
		if f.Dir != "" {
			// The go command keeps tiles and lookups in the module cache.
			db.ops.cacheDir = filepath.Join(f.Dir, "cache", "download", "sumdb")
		}
		f.dbs[key] = db
	}
	return db
}

// A ChecksumError reports a hash that the checksum database contradicts
// or does not list. Its text is the go command's, including its
// SECURITY ERROR explanation.
type ChecksumError struct {
	Noun       string // "go.mod" or "module"
	Downloaded string // the hash of what was downloaded
	DB         string // the database's name
	Want       string // the database's hash, or "" when it listed none
}

func (e *ChecksumError) Error() string {
	if e.Want == "" {
		return "checksum missing from sumdb response\n\nSECURITY ERROR\nThis download does NOT match one reported by the checksum server.\n" +
			"The checksum server has provided checksums, but the checksums do\nnot contain an entry for the download.\n" +
			"The checksum server may be malfunctioning, or an attacker may have\nintercepted the checksum request.\n" +
			"The download cannot be verified.\n\nFor more information, see 'go help module-auth'.\n"
	}
	return fmt.Sprintf("checksum mismatch\n\tdownloaded: %v\n\t%s: %v\n\nSECURITY ERROR\n"+
		"This download does NOT match the one reported by the checksum server.\n"+
		"The bits may have been replaced on the origin server, or an attacker may\n"+
		"have intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n",
		e.Downloaded, e.DB, e.Want)
}

// sumOps is the state of one checksum database shared by a Fetcher's
// lookups: the signed tree head ("config") and the tiles and records
// fetched ("cache"), on disk (SumDBDir, Dir) or in memory.
type sumOps struct {
	f   *Fetcher
	key string

	// configDir and cacheDir, when set, hold the signed tree head and the
	// tiles and records on disk (see sumdbcache.go) instead of config and
	// cache.
	configDir, cacheDir string

	mu     sync.Mutex
	config map[string][]byte
	cache  map[string][]byte
}

// callOps is sumdb.ClientOps for one lookup: reads use the caller's
// context, and a security error stops only this lookup.
type callOps struct {
	*sumOps
	ctx      context.Context
	db       *sumDBState
	route    *proxyenv.Route
	findErr  error // finding the database failed
	security string
}

func (o *callOps) ReadRemote(p string) ([]byte, error) {
	base, err := o.db.find(o.ctx, o.f, o.route)
	if err != nil {
		o.findErr = err
		return nil, err
	}
	return o.f.read(o.ctx, joinURL(base, p), "checksum database answer", maxSumDB)
}

// SecurityError records what the go command stops on; the lookup in
// progress then fails with it.
func (o *callOps) SecurityError(msg string) {
	if o.security == "" {
		o.security = msg
	}
}

func (o *sumOps) ReadConfig(file string) ([]byte, error) {
	if file == "key" {
		return []byte(o.key), nil
	}
	if o.configDir != "" {
		return o.readConfigFile(file)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]byte(nil), o.config[file]...), nil
}

func (o *sumOps) WriteConfig(file string, old, new []byte) error {
	if file == "key" {
		return errors.New("cannot write key")
	}
	if o.configDir != "" {
		return o.writeConfigFile(file, old, new)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !bytes.Equal(o.config[file], old) {
		return sumdb.ErrWriteConflict
	}
	o.config[file] = append([]byte(nil), new...)
	return nil
}

func (o *sumOps) ReadCache(file string) ([]byte, error) {
	if o.cacheDir != "" {
		return o.readCacheFile(file)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if b, ok := o.cache[file]; ok {
		return b, nil
	}
	return nil, fs.ErrNotExist
}

func (o *sumOps) WriteCache(file string, data []byte) {
	if o.cacheDir != "" {
		o.writeCacheFile(file, data)
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	// Bounded: beyond maxSumCache entries an arbitrary one is dropped
	// (and fetched again if needed).
	if len(o.cache) >= maxSumCache {
		for k := range o.cache {
			delete(o.cache, k)
			break
		}
	}
	o.cache[file] = append([]byte(nil), data...)
}

// maxSumCache bounds the tiles and records a Fetcher without Dir keeps in
// memory per checksum database (about 32 MiB of 8 KiB tiles).
const maxSumCache = 4096

func (o *sumOps) Log(string) {}

// joinURL returns u with p appended to its path.
func joinURL(u *url.URL, p string) *url.URL {
	j := *u
	j.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(p, "/")
	j.RawPath = strings.TrimSuffix(u.RawPath, "/") + "/" + strings.TrimPrefix(p, "/")
	return &j
}
