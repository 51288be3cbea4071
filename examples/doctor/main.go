// Command doctor explains what the go command would do to fetch modules in
// the current environment, and can check that every server it would contact
// is reachable over verified TLS with the credentials it would send.
//
// Usage:
//
//	go run ./examples/doctor [-json] [-probe] [-v] [-x] [-timeout D]
//		[-ca FILE] [-save-chain DIR] [MODULE[@VERSION]...]
//
// Doctor first lists the variables that decide how modules are fetched
// (GOPROXY, GONOPROXY, GOPRIVATE, GONOSUMDB, GOINSECURE, GOSUMDB, GOAUTH,
// GOENV, GOROOT, NETRC, the HTTP proxy variables, ...), each with its value
// and where it came from: the process environment, the user go env file
// (with its line), $GOROOT/go.env, or the go command's built-in default
// (possibly taken from GOPRIVATE, or the defaults of the Go release doctor
// was built with when no Go installation is found). Then, for each module,
// it shows the route the go command would take over the GOPROXY list
// (which entries it tries, when it moves on to the next, and the GONOPROXY
// pattern that decided), whether the checksum database is consulted and
// why, and whether GOINSECURE applies. It reports the trust sources (the
// system roots as SSL_CERT_FILE and SSL_CERT_DIR select them, plus -ca
// files) with their warnings — a missing or unreadable SSL_CERT_FILE, DER
// or non-certificate files, expired roots — without any network access.
// Last come the surprises the go command tolerates silently: quoted or
// CRLF values in go env files, pattern lists with stray spaces, HTTP proxy
// values net/http misreads, netrc entries that never match, and so on.
//
// With -probe, doctor also requests every source on each route — the module
// proxies, the origin (https://host/) of direct fetches and the checksum
// database — through the configured HTTP proxy, trusting the roots Go trusts
// in this environment, and sending the credentials the go command would
// send (netrc, GOAUTH; after a 4xx it re-runs GOAUTH and retries once, as
// the go command does). For each https source it names the credential
// that applies (the netrc file, line and login; the GOAUTH command) or
// says that none does; a 401 or 403 names the credential that was
// refused. Failures are classified (unknown-authority, expired,
// hostname-mismatch, proxy, http-status, ...) with the presented
// certificate chain and a hint naming the fix. -save-chain DIR writes the
// chain each https server presented to DIR/HOST_PORT.pem; -ca FILE (which
// may be repeated) trusts the CA certificates in FILE in addition to the
// system roots. The library calls behind the probes are
// proxyenv.ProbeRoute and, for the report, proxyenv.Env.Report and
// proxyenv.Env.Lint.
//
// For a module the route fetches directly (GOPRIVATE, GOPROXY=direct, ...),
// doctor shows the repository go-get discovery names (VCS, URL,
// subdirectory, the go-import tag or static rule, the GOVCS rule that
// allows it); that takes one request for the module's go-get page. With
// -probe it also lists the repository with git twice: as the go command runs git (the
// process environment only) and with the roots, HTTP proxy and credentials
// modnet gives git. When Go's TLS verifies but the go command's git does
// not (git ignores SSL_CERT_FILE, NETRC and GOAUTH), it says so and names
// the git configuration that fixes it.
//
// With -v, doctor reports each step on standard error as it happens (so a
// server that does not answer is visible while doctor waits for it); with
// -x it prints each request as the go command's -x does:
//
//	# get https://proxy.corp.example/example.com/m/@v/v1.0.0.info
//	# get https://proxy.corp.example/example.com/m/@v/v1.0.0.info: 200 OK (0.012s)
//
// With -json, doctor prints one JSON object whose "schema" is
// "modnet.doctor/v1" (fields may be added within v1; a field changing
// meaning or disappearing changes the schema name):
//
//   - "env" maps each variable to {"value", "source", "file", "line",
//     "via", "used"}, where value is what "go env -json" prints and source
//     is "env", "file", "goroot", "default", "go-binary", "runtime" or
//     "release";
//   - "modules" holds one entry per argument with its "route" and, with
//     -probe, its "sources": {"role", "step", "url", "credential", "ok",
//     "statusCode", "tlsVersion", "chain", "elapsed", "error", ...}, where
//     "credential" is {"source", "prefix", "file", "line", "login",
//     "command", "scheme"} (absent when none applies), durations are
//     strings such as "12ms", and "error" has a stable "kind" (see
//     trust.Kind: "unknown-authority", "self-signed", "expired",
//     "hostname-mismatch", "proxy", "http-status", "credentials", ...) and
//     a "hint";
//   - "diagnostics" lists the problems found: {"severity" ("error" or
//     "warning"), "topic" ("goenv", "goauth", "netrc", "trust", "probe"),
//     "kind", "name", "file", "line", "message"}, where kind is a stable
//     name such as "stray-space", "invalid-value" or, for trust, a
//     trust.WarningCode such as "ssl-cert-file-missing";
//   - "trust" reports the trust sources consulted.
//
// When the environment is one the go command refuses, such as an invalid
// GOPROXY, doctor reports it in the go command's words ("go: MODULE:
// invalid proxy URL missing scheme: ...") and exits with status 1, as it
// does when a probe fails or a -ca file cannot be loaded; warnings alone
// leave the status 0, and -h exits 0. Passwords in URLs are always printed
// as "xxxxx", and credentials never appear in any output.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/modnet/modnet/netrcauth"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/trust"
	"golang.org/x/mod/module"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}

// schema names the version of the -json output; it changes only when a
// field changes meaning or disappears (fields may be added).
const schema = "modnet.doctor/v1"

// report is everything doctor found; -json prints it as is.
type report struct {
	Schema      string            `json:"schema"`
	Env         map[string]envVar `json:"env"`
	Modules     []*moduleReport   `json:"modules"`
	Diagnostics []diagnostic      `json:"diagnostics"`
	Trust       *trust.Report     `json:"trust,omitempty"`

	names []string // Env's keys in display order
}

// envVar is one variable: the value "go env" prints and where it came from.
type envVar struct {
	Value  string `json:"value"`
	Source string `json:"source"` // env, file, goroot, default, go-binary, runtime or release
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Via    string `json:"via,omitempty"` // the variable a default was taken from
	// Used is set for variables the go command reads from the process
	// environment only (NETRC, the HTTP proxy and SSL_CERT_* variables)
	// when what it uses differs from what "go env" prints.
	Used *usedVar `json:"used,omitempty"`
}

type usedVar struct {
	Name   string `json:"name"` // the spelling read, e.g. "https_proxy"
	Value  string `json:"value"`
	Source string `json:"source"`
}

type moduleReport struct {
	Arg     string          `json:"arg"`
	Path    string          `json:"path"`
	Version string          `json:"version,omitempty"`
	Route   *proxyenv.Route `json:"route,omitempty"`
	// Error is what the go command would report for the module when the
	// environment makes it fail, in "go mod download -json" form.
	Error   string         `json:"error,omitempty"`
	Sources []*probeReport `json:"sources,omitempty"`
	// Repo is, with -probe, the repository a direct step fetches from
	// and whether git can reach it.
	Repo *repoReport `json:"repo,omitempty"`

	malformed bool // the go command rejects the path before any request
}

type diagnostic struct {
	// Severity is "error" when the go command fails because of the
	// problem, "warning" when it silently does something else.
	Severity string `json:"severity"`
	// Topic is the part of the environment concerned: "goenv", "goauth",
	// "netrc" or "trust".
	Topic string `json:"topic"`
	// Kind classifies the problem with a stable name ("stray-space",
	// "invalid-value", "port-mismatch", "ssl-cert-file-missing", ...).
	Kind    string `json:"kind,omitempty"`
	Name    string `json:"name,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// displayed lists the variables doctor reports, in order.
var displayed = proxyenv.ReportedVars

// config is what run needs from its surroundings; tests replace parts.
type config struct {
	lookupEnv func(string) (string, bool)
	stdout    io.Writer
	stderr    io.Writer
	// buildGOROOT is the last-resort GOROOT (nil: the one doctor was
	// built with).
	buildGOROOT func() string
	// environ is the environment the go command would run git with (nil:
	// the process environment).
	environ func() []string
}

func run(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) int {
	return runConfig(ctx, args, config{lookupEnv: lookupEnv, stdout: stdout, stderr: stderr})
}

func runConfig(ctx context.Context, args []string, cfg config) int {
	stdout, stderr, lookupEnv := cfg.stdout, cfg.stderr, cfg.lookupEnv
	flags := flag.NewFlagSet("doctor", flag.ContinueOnError)
	flags.SetOutput(stderr)
	jsonOut := flags.Bool("json", false, "print one JSON object (schema "+schema+")")
	probe := flags.Bool("probe", false, "request every source on each route, with the credentials the go command would send, and classify failures")
	timeout := flags.Duration("timeout", 10*time.Second, "time limit for each probe")
	verbose := flags.Bool("v", false, "report each step on standard error as it happens")
	trace := flags.Bool("x", false, "print each request on standard error, like the go command's -x")
	saveChain := flags.String("save-chain", "", "with -probe, write the certificate chain each https server presents to `DIR`/HOST.pem")
	var caFiles []string
	flags.Func("ca", "also trust the CA certificates in PEM `FILE` (with the system roots; repeatable)", func(f string) error {
		caFiles = append(caFiles, f)
		return nil
	})
	flags.Usage = func() {
		fmt.Fprintf(flags.Output(), "usage: doctor [-json] [-probe] [-v] [-x] [-timeout D] [-ca FILE] [-save-chain DIR] [MODULE[@VERSION]...]\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	getenv := func(k string) string { v, _ := lookupEnv(k); return v }
	// Secrets that must never be printed: credential header values found
	// while probing join the environment's URL passwords.
	var secrets []string
	var scrub func(string) string
	progress := func(format string, args ...any) {
		if *verbose {
			msg := fmt.Sprintf(format, args...)
			if scrub != nil {
				msg = scrubSecrets(scrub(msg), secrets)
			}
			fmt.Fprintf(stderr, "doctor: %s\n", msg)
		}
	}

	progress("reading the go environment")
	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: getenv, LookupEnv: lookupEnv, BuildGOROOT: cfg.buildGOROOT})
	if err != nil {
		fmt.Fprintf(stderr, "doctor: %v\n", err)
		return 1
	}
	scrub = scrubber(env, getenv)
	rep := &report{Schema: schema, Modules: []*moduleReport{}, Diagnostics: []diagnostic{}}
	rep.Env, rep.names = envReport(env)
	rep.Diagnostics = append(rep.Diagnostics, envDiagnostics(env)...)

	status := 0
	// failures are the go command's error lines, printed to stderr.
	var failures []string
	for _, arg := range flags.Args() {
		m := explain(env, arg)
		if m.Error != "" {
			failures = append(failures, "go: "+m.Error)
			status = 1
		}
		rep.Modules = append(rep.Modules, m)
	}
	progress("checking the netrc file")
	rep.Diagnostics = append(rep.Diagnostics, netrcDiagnostics(env, rep.Modules, getenv)...)

	// The trust sources are read without any network access, so their
	// warnings appear with or without -probe.
	progress("loading the trusted roots")
	pool, diags := buildPool(env, caFiles)
	rep.Diagnostics = append(rep.Diagnostics, diags...)
	rep.Trust = pool.Report()
	rep.Diagnostics = append(rep.Diagnostics, trustDiagnostics(rep.Trust)...)
	for _, d := range diags {
		if d.Severity == "error" {
			status = 1
		}
	}

	environ := os.Environ
	if cfg.environ != nil {
		environ = cfg.environ
	}
	if !*probe {
		// Where direct modules come from: one go-get request each, no git.
		var direct []*moduleReport
		for _, m := range rep.Modules {
			if m.Route != nil && !m.malformed && m.Error == "" && hasDirect(m.Route) {
				direct = append(direct, m)
			}
		}
		if len(direct) > 0 {
			if client, err := env.Client(proxyenv.ClientOptions{Trust: pool}); err == nil {
				p := &prober{timeout: *timeout, progress: progress, client: client}
				for _, m := range direct {
					m.Repo = p.probeRepo(ctx, env, m, environ(), false)
				}
				client.CloseIdleConnections()
			}
		}
	}
	if *probe {
		p := &prober{timeout: *timeout, progress: progress}
		if *trace {
			p.trace = func(line string) { fmt.Fprintln(stderr, scrubSecrets(scrub(line), secrets)) }
		}
		progress("building the client (credentials: GOAUTH=%s)", display(env.GOAUTH))
		client, err := env.Client(proxyenv.ClientOptions{Trust: pool})
		if err != nil {
			rep.Diagnostics = append(rep.Diagnostics, diagnostic{Severity: "error", Topic: "probe", Kind: "client", Message: "cannot probe: " + err.Error()})
			status = 1
		} else {
			p.client = client
			p.secret = func(s string) { secrets = append(secrets, s) }
			for _, m := range rep.Modules {
				if m.Route == nil || m.malformed {
					continue
				}
				progress("probing the route of %s", m.Arg)
				m.Sources = p.probeRoute(ctx, m)
				for _, s := range m.Sources {
					if s.Error != nil {
						status = 1
					}
				}
				if hasDirect(m.Route) {
					m.Repo = p.probeRepo(ctx, env, m, environ(), true)
					if m.Repo.GitModnet != "" && m.Repo.GitModnet != "ok" {
						status = 1
					}
				}
			}
			client.CloseIdleConnections()
		}
		if *saveChain != "" {
			saved, err := saveChains(*saveChain, rep.Modules)
			for _, f := range saved {
				progress("saved %s", f)
			}
			if err != nil {
				rep.Diagnostics = append(rep.Diagnostics, diagnostic{Severity: "error", Topic: "probe", Kind: "save-chain", Message: err.Error()})
				status = 1
			}
		}
	}

	var out strings.Builder
	if *jsonOut {
		enc := json.NewEncoder(&out)
		enc.SetIndent("", "\t")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "doctor: %v\n", err)
			return 1
		}
	} else {
		printText(&out, rep, *probe)
	}
	// Every value was redacted where it was formatted; scrubbing the
	// finished text once more keeps a password that slipped into some
	// error message from ever being printed.
	io.WriteString(stdout, scrubSecrets(scrub(out.String()), secrets))
	for _, f := range failures {
		fmt.Fprintln(stderr, scrubSecrets(scrub(f), secrets))
	}
	return status
}

// buildPool builds the roots the go command trusts in env (SSL_CERT_FILE,
// SSL_CERT_DIR), plus the -ca files. If the -ca files cannot be loaded it
// reports an error and falls back to the environment's roots alone.
func buildPool(env *proxyenv.Env, caFiles []string) (*trust.Pool, []diagnostic) {
	cfg := env.TrustConfig()
	for _, f := range caFiles {
		cfg.Extra = append(cfg.Extra, trust.Source{Path: f})
	}
	pool, err := cfg.Build()
	if err == nil {
		return pool, nil
	}
	diags := []diagnostic{{Severity: "error", Topic: "trust", Kind: "ca", Message: err.Error()}}
	pool, err = env.TrustConfig().Build()
	if err != nil {
		diags = append(diags, diagnostic{Severity: "error", Topic: "trust", Message: err.Error()})
		return nil, diags
	}
	return pool, diags
}

// trustDiagnostics lists the warnings of the trust report. Expired and
// non-CA roots of the system's default stores are common and harmless:
// the trust section counts them; those of SSL_CERT_FILE, SSL_CERT_DIR or
// -ca files are listed.
func trustDiagnostics(t *trust.Report) []diagnostic {
	if t == nil {
		return nil
	}
	var system []string
	for _, s := range t.Sources {
		if (s.Kind == trust.SourceSystemFile || s.Kind == trust.SourceSystemDir) && s.Variable == "" {
			system = append(system, s.Name)
		}
	}
	fromSystem := func(msg string) bool {
		for _, name := range system {
			if strings.HasPrefix(msg, name) {
				return true
			}
		}
		return false
	}
	var ds []diagnostic
	for _, w := range t.Warnings {
		if (w.Code == trust.WarnExpiredRoot || w.Code == trust.WarnNotCA) && fromSystem(w.Message) {
			continue
		}
		ds = append(ds, diagnostic{Severity: "warning", Topic: "trust", Kind: string(w.Code), Message: w.Message})
	}
	return ds
}

// explain computes the go command's decisions for one MODULE[@VERSION]
// argument.
func explain(env *proxyenv.Env, arg string) *moduleReport {
	path, version, _ := strings.Cut(arg, "@")
	m := &moduleReport{Arg: arg, Path: path, Version: version}
	r, err := env.Route(path)
	if err != nil {
		// An invalid GOPROXY: the go command stops with the parse error,
		// prefixed by the module it was looking up.
		m.Error = arg + ": " + goMessage(err)
		return m
	}
	m.Route = r
	if r.Module == r.Path {
		// The go command checks the path after parsing GOPROXY ("go" and
		// "toolchain" name the toolchain module instead).
		if err := module.CheckPath(path); err != nil {
			m.Error = arg + ": " + err.Error()
			m.malformed = true
			return m
		}
	}
	if r.SumDB.Use && r.SumDB.Err != nil {
		// The go command needs the database (for a module go.sum does not
		// list yet) and fails on its first check, the go.mod hash.
		m.Error = arg + ": verifying go.mod: " + goMessage(r.SumDB.Err)
	}
	return m
}

// goMessage returns the text the go command prints for an environment
// error: modnet's errors carry the go command's message in their Err
// field, under a package prefix.
func goMessage(err error) string {
	var ple *proxyenv.ProxyListError
	var sde *proxyenv.SumDBError
	switch {
	case errors.As(err, &ple):
		return ple.Err.Error()
	case errors.As(err, &sde):
		return sde.Err.Error()
	}
	return err.Error()
}

// envReport describes each displayed variable (proxyenv's environment
// report), with passwords redacted.
func envReport(env *proxyenv.Env) (map[string]envVar, []string) {
	vars := make(map[string]envVar, len(displayed))
	for _, ev := range env.Report(displayed...) {
		v := envVar{Value: redacted(ev.Name, ev.Value.Value), Source: string(ev.Source), File: ev.File, Line: ev.Line, Via: ev.Via}
		if u := ev.Used; u != nil {
			v.Used = &usedVar{Name: u.Name, Value: redacted(ev.Name, u.Value), Source: string(u.Source)}
		}
		vars[ev.Name] = v
	}
	return vars, displayed
}

// redacted hides the passwords in the URLs of a variable's value, the way
// proxyenv formats values (GOPROXY entries, a GOSUMDB URL, proxy URLs).
func redacted(name, value string) string {
	s := proxyenv.Value{Name: name, Value: value}.String()
	return strings.TrimSuffix(strings.TrimPrefix(s, name+"="), " ()")
}

// envDiagnostics lists what is wrong with the environment itself:
// Env.Lint covers the values the go command rejects (GOPROXY, GOSUMDB,
// GOAUTH, with the file and line that set them), the go env files, empty
// variables, the pattern lists (matcher.Lint) and the HTTP proxy
// variables (Env.ValidateHTTPProxy).
func envDiagnostics(env *proxyenv.Env) []diagnostic {
	var ds []diagnostic
	for _, d := range env.Lint() {
		topic := "goenv"
		if d.Var == "GOAUTH" {
			topic = "goauth"
		}
		ds = append(ds, diagnostic{Severity: string(d.Severity), Topic: topic, Kind: string(d.Kind), Name: d.Var, File: d.File, Line: d.Line, Message: d.Message})
	}
	return ds
}

// netrcDiagnostics lints the netrc file when GOAUTH reads it, checking its
// entries against the https sources of the routes.
func netrcDiagnostics(env *proxyenv.Env, mods []*moduleReport, getenv func(string) string) []diagnostic {
	methods, off, err := netrcauth.ParseGOAUTH(env.GOAUTH)
	if err != nil || off {
		return nil
	}
	usesNetrc := false
	for _, m := range methods {
		usesNetrc = usesNetrc || m.Kind == netrcauth.Netrc
	}
	if !usesNetrc {
		return nil
	}
	path, err := netrcauth.Path(getenv, runtime.GOOS, nil)
	if err != nil {
		return []diagnostic{{Severity: "warning", Topic: "netrc", Name: "GOAUTH", Message: "GOAUTH=netrc: " + err.Error()}}
	}
	if _, err := os.Stat(path); err != nil {
		return nil // no netrc file: no credentials, as for the go command
	}
	var urls []string
	seen := map[string]bool{}
	for _, m := range mods {
		if m.Route == nil {
			continue
		}
		for _, s := range m.Route.Steps {
			u := ""
			switch s.Action {
			case proxyenv.ActionProxy:
				if s.Entry.URL.Scheme == "https" {
					u = s.Entry.URL.String()
				}
			case proxyenv.ActionDirect:
				u = originURL(m.Route.Module)
			}
			if u != "" && !seen[u] {
				seen[u] = true
				urls = append(urls, u)
			}
		}
	}
	lint, err := netrcauth.LintFile(path, netrcauth.LintOptions{URLs: urls})
	if err != nil {
		return []diagnostic{{Severity: "warning", Topic: "netrc", File: path, Message: "cannot read the netrc file; the go command uses no netrc credentials: " + err.Error()}}
	}
	var ds []diagnostic
	for _, d := range lint {
		msg := string(d.Kind) + ": " + d.Message
		ds = append(ds, diagnostic{Severity: string(d.Severity), Topic: "netrc", Kind: string(d.Kind), File: path, Line: d.Line, Message: msg})
	}
	return ds
}

// originURL is where a direct fetch of modulePath starts: https on the
// host named by its first element.
func originURL(modulePath string) string {
	host, _, _ := strings.Cut(modulePath, "/")
	return "https://" + host + "/"
}
