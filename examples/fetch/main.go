// Command fetch downloads module versions the way "go mod download -json"
// does, using only modnet: the same environment (process environment, go
// env file, $GOROOT/go.env), the same GOPROXY route and fall-through, the
// same credentials (netrc, GOAUTH), trust (SSL_CERT_FILE, SSL_CERT_DIR) and
// HTTP proxy, and the same checksum database verification.
//
// Usage:
//
//	go run ./examples/fetch [-dir DIR] [-j N] [-modcacherw] [-plaingit] [-ca FILE] [-x] MODULE@VERSION...
//
// It uses the go command's module cache (go env GOMODCACHE, or DIR) as the
// go command does: cached versions need no request, and what it downloads
// the go command can use. It downloads up to N modules at once (default
// 16), each module's requests in the go command's order.
//
// It prints one JSON object per module with Path, Version, Query, Error
// (absent on success, in the go command's words), Info, GoMod and Zip (the
// files in the module cache), Dir (where the module is unpacked, read-only
// unless -modcacherw), Sum and
// GoModSum, plus, for a connection or TLS failure, Diagnosis: modnet's
// classification of it ("kind", the presented chain, a "hint" naming the
// fix), and Hint when the private-module settings explain a failure (a
// GOPRIVATE pattern that misses the path only because of a typo, or a
// path the checksum database does not know). It exits 1 if any
// module failed. With -x it prints each request to standard error, with
// credentials redacted. VERSION is a semantic version (v1.2.3, v1.2.3+meta),
// a version prefix (v1, v1.2), a range (>v1.2.0, <=v1.4.0), "latest" or
// "upgrade", resolved against the proxies' version lists with retractions
// honoured as the go command does, or a revision (branch, commit), which
// the proxies are asked for as written.
//
// A route that reaches "direct" (GOPRIVATE, GONOPROXY, GOPROXY=direct, the
// tail of the default list) fetches from version control like the go
// command: go-get discovery, GOVCS, then git, with a bare repository per
// remote in the module cache's cache/vcs. Unlike the go command, git gets
// the roots, HTTP proxy and credentials fetch itself uses, scoped to the
// repository (-plaingit runs git with the process environment alone, as
// the go command does). With -x, discovery requests and git command lines
// are printed too, credentials redacted.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/proxyenv/vcs"
	"github.com/modnet/modnet/trust"
	"golang.org/x/mod/module"
)

// result is one line of output, shaped like "go mod download -json".
type result struct {
	Path     string
	Version  string `json:",omitempty"`
	Query    string `json:",omitempty"`
	Error    string `json:",omitempty"`
	Info     string `json:",omitempty"`
	GoMod    string `json:",omitempty"`
	Zip      string `json:",omitempty"`
	Dir      string `json:",omitempty"`
	Sum      string `json:",omitempty"`
	GoModSum string `json:",omitempty"`
	// Diagnosis classifies a connection or TLS failure and says how to
	// fix it; Error keeps the go command's own text.
	Diagnosis *trust.Error `json:",omitempty"`
	// Hint, for a failure that the private-module settings explain,
	// says so: a GOPRIVATE pattern that misses the path because of a
	// typo, or a private path the public checksum database does not know.
	Hint string `json:",omitempty"`
}

// setError records err the way "go mod download -json" prints it, with
// modnet's classification of a transport failure kept apart in Diagnosis.
func (r *result) setError(err error) {
	r.Error = err.Error()
	var te *trust.Error
	if errors.As(err, &te) {
		r.Error = strings.Replace(r.Error, te.Error(), te.Message, 1)
		r.Diagnosis = te
	}
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is the whole program; getenv supplies the environment so tests can
// run it without touching the process environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fetch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "use `DIR` as the module cache (default: go env GOMODCACHE)")
	trace := fs.Bool("x", false, "print each request to standard error")
	workers := fs.Int("j", 16, "download up to `N` modules at once")
	cacheRW := fs.Bool("modcacherw", false, "leave the unpacked module directories writable")
	var caFiles []string
	fs.Func("ca", "also trust the CA certificates in PEM `FILE` (with the system roots; repeatable)", func(f string) error {
		caFiles = append(caFiles, f)
		return nil
	})
	plainGit := fs.Bool("plaingit", false, "run git with the process environment alone, as the go command does (no modnet roots, proxy or credentials)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: fetch [-dir DIR] [-j N] [-modcacherw] [-plaingit] [-ca FILE] [-x] MODULE@VERSION...\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}

	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: getenv})
	if err != nil {
		fmt.Fprintf(stderr, "fetch: %v\n", err)
		return 1
	}
	// As many idle connections per host as downloads at once, so that
	// concurrent downloads keep their TLS connections.
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = max(*workers, 2)
	tc := env.TrustConfig()
	for _, f := range caFiles {
		tc.Extra = append(tc.Extra, trust.Source{Path: f})
	}
	pool, err := tc.Build()
	if err != nil {
		fmt.Fprintf(stderr, "fetch: %v\n", err)
		return 1
	}
	client, err := env.Client(proxyenv.ClientOptions{
		Trust: pool,
		Base:  base,
		Logf: func(format string, args ...any) {
			if *trace {
				fmt.Fprintf(stderr, format+"\n", args...)
			}
		},
	})
	if err != nil {
		fmt.Fprintf(stderr, "fetch: %v\n", err)
		return 1
	}
	defer client.Wait()
	lookup := func(name string) string { return env.Lookup(name).Value }
	if *dir == "" {
		// The go command's module cache, shared with it.
		if *dir, err = modfetch.ModCacheDir(lookup, getenv("HOME")); err != nil {
			fmt.Fprintf(stderr, "fetch: %v\n", err)
			return 1
		}
	}
	// The go command's checksum database state, so that a forked
	// database is detected across runs.
	gopath, err := modfetch.GOPATH(lookup, getenv("HOME"))
	if err != nil {
		fmt.Fprintf(stderr, "fetch: %v\n", err)
		return 1
	}
	// One run of fetch is one run of the go command: remember answers.
	f := &modfetch.Fetcher{
		Client: client, Dir: *dir, Run: true, Workers: *workers,
		SumDBDir: filepath.Join(gopath, "pkg", "sumdb"),
		// Like "go mod download", unpack each module.
		Extract: true, ExtractWritable: *cacheRW,
	}
	if *trace {
		f.Trace = func(line string) { fmt.Fprintln(stderr, line) }
	}
	f.PlainGit = *plainGit
	defer f.Close()

	// Several modules at once, each module's requests in the go command's
	// order (.info, .mod, checksum database, .zip).
	results := make([]result, fs.NArg())
	var mods []module.Version
	var idx []int
	for i, arg := range fs.Args() {
		path, version, ok := strings.Cut(arg, "@")
		results[i] = result{Path: path, Version: version}
		if !ok {
			results[i].Error = fmt.Sprintf("%s: want MODULE@VERSION", arg)
			continue
		}
		mods = append(mods, module.Version{Path: path, Version: version})
		idx = append(idx, i)
	}
	all, _ := f.DownloadAll(ctx, mods)
	for k, res := range all {
		r := &results[idx[k]]
		if d := res.Download; d != nil {
			r.Version, r.Info, r.GoMod, r.GoModSum = d.Version, d.Info, d.GoMod, d.GoModSum
			// A zip that fails the module zip rules is still reported,
			// with its hash, next to the error (as the go command does).
			r.Zip, r.Sum, r.Dir = d.Zip, d.Sum, d.Dir
			if mods[k].Version != d.Version {
				r.Query = mods[k].Version
			}
		}
		if res.Err != nil {
			r.setError(res.Err)
			r.Hint = privateHint(env, client, mods[k].Path, res.Err)
			if r.Diagnosis == nil {
				r.Diagnosis, r.Hint = gitDiagnosis(ctx, client, pool, res.Err, r.Hint)
			}
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "\t")
	status := 0
	for i := range results {
		if results[i].Error != "" {
			status = 1
		}
		if err := enc.Encode(&results[i]); err != nil {
			fmt.Fprintf(stderr, "fetch: %v\n", err)
			return 1
		}
	}
	return status
}

// privateHint explains a failure by the private-module settings: a
// GOPRIVATE (GONOPROXY, GONOSUMDB) pattern that misses the path only
// because of a typo, or a path the checksum database does not know, which
// is what a private module left out of GOPRIVATE looks like.
func privateHint(env *proxyenv.Env, c *proxyenv.Client, path string, err error) string {
	if ds := env.NearMiss(path); len(ds) > 0 {
		d := ds[0]
		where := d.Var
		if d.File != "" {
			where = fmt.Sprintf("%s (%s:%d)", d.Var, d.File, d.Line)
		}
		return fmt.Sprintf("%s: %s; write %s=%q", where, d.Message, d.Var, d.Fix)
	}
	r, rerr := c.Route(path)
	msg := err.Error()
	if rerr == nil && r.SumDB.Use && r.SumDB.DB != nil && strings.Contains(msg, "verifying ") && strings.Contains(msg, "/lookup/") &&
		(strings.Contains(msg, "404 Not Found") || strings.Contains(msg, "410 Gone")) {
		host, _, _ := strings.Cut(path, "/")
		return fmt.Sprintf("the checksum database %s does not know %s: if it is a private module, add it to GOPRIVATE (for example GOPRIVATE=%s), "+
			"which also keeps it away from public proxies; GONOSUMDB=%s only skips the checksum check", r.SumDB.DB.Name, path, host, host)
	}
	return ""
}

// gitAccess finds the URL git could not reach in its error output.
var gitAccess = regexp.MustCompile(`unable to access '(https://[^']+)'`)

// gitDiagnosis classifies a TLS failure of git the way modnet classifies
// its own: it probes the repository's origin with the client's roots and
// HTTP proxy. When Go's TLS verifies where git's did not (with -plaingit,
// git does not get modnet's roots), the hint says so instead.
func gitDiagnosis(ctx context.Context, c *proxyenv.Client, pool *trust.Pool, err error, hint string) (*trust.Error, string) {
	var ge *vcs.GitError
	if !errors.As(err, &ge) {
		return nil, hint
	}
	m := gitAccess.FindStringSubmatch(string(ge.Stderr))
	if m == nil || !strings.Contains(string(ge.Stderr), "certificate") {
		return nil, hint
	}
	u, perr := url.Parse(m[1])
	if perr != nil {
		return nil, hint
	}
	origin := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}
	res := trust.Probe(ctx, origin.String(), trust.WithPool(pool), trust.WithTimeout(10*time.Second),
		trust.WithProxy(func(r *http.Request) (*url.URL, error) { return c.HTTPProxy(r.URL) }))
	if res.Error != nil {
		return res.Error, hint
	}
	return nil, "Go's TLS to " + u.Host + " verifies, but git's does not: without -plaingit, fetch gives git the roots Go trusts for this repository"
}
