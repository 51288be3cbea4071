// Command fetch downloads module versions the way "go mod download -json"
// does, using only modnet: the same environment (process environment, go
// env file, $GOROOT/go.env), the same GOPROXY route and fall-through, the
// same credentials (netrc, GOAUTH), trust (SSL_CERT_FILE, SSL_CERT_DIR) and
// HTTP proxy, and the same checksum database verification.
//
// Usage:
//
//	go run ./examples/fetch [-dir DIR] [-x] MODULE@VERSION...
//
// It prints one JSON object per module with Path, Version, Query, Error
// (absent on success, in the go command's words), Info, GoMod and Zip (the
// files written under DIR, in the module cache's download layout), Sum and
// GoModSum, plus, for a connection or TLS failure, Diagnosis: modnet's
// classification of it ("kind", the presented chain, a "hint" naming the
// fix). It exits 1 if any
// module failed. With -x it prints each request to standard error, with
// credentials redacted. VERSION is a semantic version (v1.2.3, v1.2.3+meta),
// a version prefix (v1, v1.2), a range (>v1.2.0, <=v1.4.0), "latest" or
// "upgrade", resolved against the proxies' version lists with retractions
// honoured as the go command does, or a revision (branch, commit), which
// the proxies are asked for as written. When a
// route reaches "direct" (version control), fetch reports an error for
// that module instead of cloning a repository.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
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
	Sum      string `json:",omitempty"`
	GoModSum string `json:",omitempty"`
	// Diagnosis classifies a connection or TLS failure and says how to
	// fix it; Error keeps the go command's own text.
	Diagnosis *trust.Error `json:",omitempty"`
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
	dir := fs.String("dir", defaultDir(), "write downloaded files under `DIR` (module cache layout)")
	trace := fs.Bool("x", false, "print each request to standard error")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: fetch [-dir DIR] [-x] MODULE@VERSION...\n")
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
	client, err := env.Client(proxyenv.ClientOptions{
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
	// One run of fetch is one run of the go command: remember answers.
	f := &modfetch.Fetcher{Client: client, Dir: *dir, Run: true}
	if *trace {
		f.Trace = func(line string) { fmt.Fprintln(stderr, line) }
	}

	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "\t")
	// Like "go mod download": every module's .info and .mod first, in
	// order, then the zips. One run fetches each module version once,
	// however often it is named (the go command caches within a run).
	type fetched struct {
		d   *modfetch.Download
		err error
	}
	mods := map[string]*fetched{}
	zips := map[*modfetch.Download]error{}
	results := make([]result, fs.NArg())
	downloads := make([]*fetched, fs.NArg())
	for i, arg := range fs.Args() {
		path, version, ok := strings.Cut(arg, "@")
		results[i] = result{Path: path, Version: version}
		if !ok {
			results[i].Error = fmt.Sprintf("%s: want MODULE@VERSION", arg)
			continue
		}
		m, seen := mods[arg]
		if !seen {
			d, err := f.DownloadMod(ctx, path, version)
			m = &fetched{d, err}
			if d != nil {
				// A query resolving to a version already fetched shares
				// its result (and its zip).
				if prev, ok := mods[path+"@"+d.Version]; ok && prev.err == nil && err == nil {
					m = &fetched{prev.d, nil}
				} else {
					mods[path+"@"+d.Version] = m
				}
			}
			mods[arg] = m
		}
		downloads[i] = m
		if m.d != nil {
			r := &results[i]
			r.Version, r.Info, r.GoMod, r.GoModSum = m.d.Version, m.d.Info, m.d.GoMod, m.d.GoModSum
			if version != m.d.Version {
				r.Query = version
			}
		}
		if m.err != nil {
			results[i].setError(m.err)
		}
	}
	status := 0
	for i, m := range downloads {
		r := &results[i]
		if m != nil && m.err == nil {
			err, done := zips[m.d]
			if !done {
				err = f.DownloadZip(ctx, m.d)
				zips[m.d] = err
			}
			// A zip that fails the module zip rules is still reported,
			// with its hash, next to the error (as the go command does).
			r.Zip, r.Sum = m.d.Zip, m.d.Sum
			if err != nil {
				r.setError(err)
			}
		}
		if r.Error != "" {
			status = 1
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "fetch: %v\n", err)
			return 1
		}
	}
	return status
}

// defaultDir is where files go without -dir: modnet's own directory in the
// user's cache, never the go command's module cache.
func defaultDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "modnet", "mod")
	}
	return filepath.Join(os.TempDir(), "modnet-mod")
}
