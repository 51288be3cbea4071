package proxyenv

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/modnet/modnet/matcher"
)

// ToolchainModule is the module the go command fetches for the paths "go"
// and "toolchain".
const ToolchainModule = "golang.org/toolchain"

// StepAction says what the go command does at one step of a route.
type StepAction string

// The actions of a route step.
const (
	// ActionProxy fetches from a module proxy (http, https or file URL).
	ActionProxy StepAction = "proxy"
	// ActionDirect fetches from the module's origin (go-import discovery
	// and version control).
	ActionDirect StepAction = "direct"
	// ActionSkip makes no request: the step fails at once with Step.Err,
	// a not-found error, and the walk moves on.
	ActionSkip StepAction = "skip"
)

// FallThrough says when a walk moves on to the next step after a failure.
type FallThrough string

// The fall-through conditions.
const (
	// FallThroughNotFound moves on only after a not-found error (a 404 or
	// 410 answer); the separator after the entry was ','.
	FallThroughNotFound FallThrough = "not-found"
	// FallThroughAnyError moves on after any error; the separator after
	// the entry was '|'.
	FallThroughAnyError FallThrough = "any-error"
)

// A Step is one entry of the GOPROXY list as the go command applies it to a
// particular module path.
type Step struct {
	// Index is the entry's position in Route.Proxies.
	Index int `json:"index"`
	// Entry is the GOPROXY list entry.
	Entry ProxyEntry `json:"entry"`
	// Action is what the go command does at this step.
	Action StepAction `json:"action"`
	// FallThrough says when the walk moves on after this step fails.
	FallThrough FallThrough `json:"fallThrough"`
	// Reason explains the action in words, naming the rule or pattern.
	Reason string `json:"reason"`
	// Pattern is the GONOPROXY pattern that decided the action, if any.
	Pattern string `json:"pattern,omitempty"`
	// Insecure reports whether GOINSECURE applies to this step (direct
	// fetches only).
	Insecure bool `json:"insecure,omitempty"`
	// Err is the error an ActionSkip step fails with: [ErrProxyOff],
	// [ErrNoproxy] or [ErrUseProxy].
	Err error `json:"-"`
}

// PatternMatch records whether a module path matched a pattern list
// variable, and which pattern matched.
type PatternMatch struct {
	// Var names the variable whose list was used, such as "GONOPROXY".
	Var string `json:"var"`
	// DefaultedFrom names the variable the list came from when Var was
	// empty and took its default ("GOPRIVATE"), or "".
	DefaultedFrom string `json:"defaultedFrom,omitempty"`
	// Value is the list.
	Value string `json:"value"`
	// Matched reports whether a pattern matched.
	Matched bool `json:"matched"`
	// Pattern is the first pattern that matched, as written in the list.
	Pattern string `json:"pattern,omitempty"`
}

// SumDBDecision says whether and how the go command consults the checksum
// database for a module.
type SumDBDecision struct {
	// Use reports whether the go command verifies the module with the
	// checksum database (when go.sum does not already list it).
	Use bool `json:"use"`
	// Reason explains the decision in words.
	Reason string `json:"reason"`
	// NoSumDB is the GONOSUMDB check (GOPRIVATE when GONOSUMDB is empty).
	NoSumDB PatternMatch `json:"gonosumdb"`
	// DB is the parsed GOSUMDB, or nil if it did not parse.
	DB *SumDB `json:"db,omitempty"`
	// Err is why the database cannot be used although Use is set: an
	// invalid GOSUMDB (a [*SumDBError]), or [ErrSumDBOff] for the
	// toolchain module, which is verified even when GOSUMDB is off.
	Err error `json:"-"`
	// Error is Err's text, for JSON.
	Error string `json:"error,omitempty"`
	// URL is the explicit database URL from GOSUMDB (redacted), which
	// bypasses the proxies.
	URL string `json:"url,omitempty"`
	// Probes lists, in order, the <proxy>/sumdb/<name>/supported URLs
	// (redacted) the go command may ask to find the database; after them
	// comes Direct. Empty when URL is set.
	Probes []string `json:"probes,omitempty"`
	// Direct is https://<name>, used when no proxy serves the database.
	Direct string `json:"direct,omitempty"`
}

// InsecureDecision records whether GOINSECURE applies to a module.
type InsecureDecision struct {
	PatternMatch
	// Applies reports whether the match has any effect: GOINSECURE only
	// changes direct (origin) fetches, never module proxies or the
	// checksum database.
	Applies bool `json:"applies"`
	// Reason explains the decision in words.
	Reason string `json:"reason"`
}

// A Route is what the go command would do to fetch one module path: the
// steps over the GOPROXY list, in order, and the checksum database and
// GOINSECURE decisions. Every decision carries the rule or pattern that
// caused it. A Route marshals to JSON with secrets redacted.
type Route struct {
	// Path is the module path asked for.
	Path string `json:"path"`
	// Module is the module path looked up: Path, or [ToolchainModule] for
	// "go" and "toolchain".
	Module string `json:"module"`
	// Proxies is the parsed GOPROXY list, including the implicit noproxy
	// entry.
	Proxies []ProxyEntry `json:"goproxy"`
	// NoProxy is the GONOPROXY check for Module.
	NoProxy PatternMatch `json:"gonoproxy"`
	// Steps has one step per entry of Proxies. A GONOPROXY match can give
	// two direct steps (the implicit noproxy entry and a "direct" entry):
	// the go command consults both entries, and the second finds the
	// origin's answer the first one cached, so the origin is asked once.
	Steps []Step `json:"steps"`
	// SumDB is the checksum database decision.
	SumDB SumDBDecision `json:"sumdb"`
	// Insecure is the GOINSECURE decision.
	Insecure InsecureDecision `json:"goinsecure"`
}

// Sources returns the steps of r that make requests, in order: the module
// proxies and the origin (direct) the go command tries, without the
// skipped entries.
func (r *Route) Sources() []Step {
	var out []Step
	for _, s := range r.Steps {
		if s.Action != ActionSkip {
			out = append(out, s)
		}
	}
	return out
}

// IsDirect reports whether the module is fetched from its origin only:
// r has a direct step and no module proxy step. Such a route skips every
// proxy (a GONOPROXY match) or lists only "direct".
func (r *Route) IsDirect() bool {
	direct := false
	for _, s := range r.Steps {
		switch s.Action {
		case ActionProxy:
			return false
		case ActionDirect:
			direct = true
		}
	}
	return direct
}

// IsPrivate reports whether a GONOPROXY pattern (GOPRIVATE by default)
// matched the module, and returns the pattern as the go command uses it.
// Such a module is fetched only from its origin.
func (r *Route) IsPrivate() (pattern string, ok bool) {
	return r.NoProxy.Pattern, r.NoProxy.Matched
}

// notFoundError is a fixed error that is equivalent to fs.ErrNotExist.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// Is reports whether target is fs.ErrNotExist.
func (e *notFoundError) Is(target error) bool { return target == fs.ErrNotExist }

// The errors of steps that make no request. Each is equivalent to
// fs.ErrNotExist, so a walk always moves on after them; their texts are the
// go command's.
var (
	// ErrProxyOff is the error of an "off" entry.
	ErrProxyOff error = &notFoundError{"module lookup disabled by GOPROXY=off"}
	// ErrNoproxy is the error of a proxy entry for a path that matches
	// GONOPROXY.
	ErrNoproxy error = &notFoundError{"disabled by GOPRIVATE/GONOPROXY"}
	// ErrUseProxy is the error of the implicit noproxy entry for a path
	// that does not match GONOPROXY.
	ErrUseProxy error = &notFoundError{"path does not match GOPRIVATE/GONOPROXY"}
)

// patternList returns the effective list for a variable that defaults to
// GOPRIVATE when empty, as the go command's GONOPROXY and GONOSUMDB do.
func (e *Env) patternList(name, value string) PatternMatch {
	m := PatternMatch{Var: name, Value: value}
	switch {
	case value == "" && e.GOPRIVATE != "":
		// The go command's default, for an Env built by hand.
		m.Value, m.DefaultedFrom = e.GOPRIVATE, "GOPRIVATE"
	case e.Sources[name].Via != "":
		// Load already applied the default; credit it.
		m.DefaultedFrom = e.Sources[name].Via
	}
	return m
}

// describe names the list for reasons: "GONOPROXY" or "GONOPROXY (from
// GOPRIVATE)".
func (m *PatternMatch) describe() string {
	if m.DefaultedFrom != "" {
		return m.Var + " (from " + m.DefaultedFrom + ")"
	}
	return m.Var
}

// A Router applies an environment's routing variables to module paths: it
// is [Env.Route] compiled. [Env.Router] parses GOPROXY and GOSUMDB and
// compiles the GONOPROXY, GONOSUMDB and GOINSECURE pattern lists once;
// Route then only matches the path against the lists.
//
// A Router is immutable and safe for concurrent use. Later changes to the
// Env it was built from do not affect it.
type Router struct {
	goproxy, gosumdb string
	// fromMirror reports that GIT_HTTP_USER_AGENT names proxy.golang.org.
	fromMirror bool

	proxies    []ProxyEntry
	proxiesErr error
	sumdb      *SumDB
	sumdbErr   error

	noproxy, nosumdb, insecure compiledList

	mu        sync.RWMutex
	templates map[routeKey]*Route
}

// A compiledList is a pattern list variable and its compiled matcher.
type compiledList struct {
	match PatternMatch // Var, Value and DefaultedFrom; no match
	list  *matcher.List
}

// index returns the position of the pattern matching path, or -1.
func (l *compiledList) index(path string) int {
	if l.match.Value == "" {
		return -1
	}
	_, i, _ := l.list.MatchPattern(path)
	return i
}

// matchAt returns the PatternMatch for a path whose match index is i.
func (l *compiledList) matchAt(path string, i int) PatternMatch {
	m := l.match
	if i >= 0 {
		m.Pattern, _, m.Matched = l.list.MatchPattern(path)
	}
	return m
}

// A routeKey identifies the routes that differ only in their paths: the
// patterns that matched (-1 for none) and whether the module is the
// toolchain.
type routeKey struct {
	noproxy, nosumdb, insecure int
	toolchain                  bool
}

// maxTemplates bounds the routes a Router remembers. Each distinct
// combination of matching patterns needs one; a Router meeting more builds
// the others on every call.
const maxTemplates = 4096

// Router returns e compiled for routing (see [Router]). An invalid GOPROXY
// is reported by every [Router.Route] call, an invalid GOSUMDB in each
// route's SumDB.Err, as the go command reports them only when it fetches.
func (e *Env) Router() *Router {
	r := &Router{
		goproxy:    e.GOPROXY,
		gosumdb:    e.GOSUMDB,
		fromMirror: strings.Contains(e.GIT_HTTP_USER_AGENT, "proxy.golang.org"),
		templates:  make(map[routeKey]*Route),
	}
	np := e.patternList("GONOPROXY", e.GONOPROXY)
	ns := e.patternList("GONOSUMDB", e.GONOSUMDB)
	in := PatternMatch{Var: "GOINSECURE", Value: e.GOINSECURE}
	r.noproxy = compiledList{np, matcher.Compile(np.Value)}
	r.nosumdb = compiledList{ns, matcher.Compile(ns.Value)}
	r.insecure = compiledList{in, matcher.Compile(in.Value)}
	r.proxies, r.proxiesErr = ParseProxyList(e.GOPROXY, np.Value)
	r.sumdb, r.sumdbErr = ParseSumDB(e.GOSUMDB)
	// Say where a bad value came from.
	var pe *ProxyListError
	if errors.As(r.proxiesErr, &pe) {
		if v := e.Sources["GOPROXY"]; v.Value == e.GOPROXY {
			pe.File, pe.Line = v.File, v.Line
		}
	}
	var se *SumDBError
	if errors.As(r.sumdbErr, &se) {
		if v := e.Sources["GOSUMDB"]; v.Value == e.GOSUMDB {
			se.File, se.Line = v.File, v.Line
		}
	}
	return r
}

// Route returns the route the go command would take to fetch modulePath
// with the environment e: the GOPROXY list applied to the path, the
// checksum database decision and the GOINSECURE decision. It compiles e
// on every call; use a [Router] to route many paths.
//
// Empty GONOPROXY and GONOSUMDB take GOPRIVATE's value, as in the go
// command. Route fails only when GOPROXY does not parse (a
// [*ProxyListError]); an invalid GOSUMDB is reported in Route.SumDB.Err,
// since the go command fails on it only when it needs the database.
//
// Route does no I/O. Walk the result with [Walk].
func (e *Env) Route(modulePath string) (*Route, error) {
	return e.Router().Route(modulePath)
}

// Route returns the route for modulePath, as [Env.Route] does, without
// parsing anything: it matches the path against the compiled lists and
// fills in a route built once per combination of matching patterns.
//
// The route's Proxies, Steps, SumDB.DB and SumDB.Probes are shared with
// the Router and with other routes: callers must not modify them.
func (r *Router) Route(modulePath string) (*Route, error) {
	if r.proxiesErr != nil {
		return nil, r.proxiesErr
	}
	mod := modulePath
	// The go command fetches the paths "go" and "toolchain" as the
	// golang.org/toolchain module.
	if mod == "go" || mod == "toolchain" {
		mod = ToolchainModule
	}
	k := routeKey{
		noproxy:   r.noproxy.index(mod),
		nosumdb:   r.nosumdb.index(mod),
		insecure:  r.insecure.index(mod),
		toolchain: mod == ToolchainModule,
	}
	r.mu.RLock()
	t := r.templates[k]
	r.mu.RUnlock()
	if t == nil {
		t = r.build(k, mod)
		r.mu.Lock()
		if len(r.templates) < maxTemplates {
			r.templates[k] = t
		}
		r.mu.Unlock()
	}
	route := *t
	route.Path, route.Module = modulePath, mod
	return &route, nil
}

// build computes the route of mod, whose key is k, apart from its paths.
func (r *Router) build(k routeKey, mod string) *Route {
	rt := &Route{
		Proxies: r.proxies,
		NoProxy: r.noproxy.matchAt(mod, k.noproxy),
	}
	rt.Insecure.PatternMatch = r.insecure.matchAt(mod, k.insecure)
	for i, entry := range r.proxies {
		s := Step{Index: i, Entry: entry, FallThrough: FallThroughNotFound}
		if entry.FallBackOnError {
			s.FallThrough = FallThroughAnyError
		}
		rt.planStep(&s)
		rt.Steps = append(rt.Steps, s)
	}

	hasDirect := false
	for _, s := range rt.Steps {
		hasDirect = hasDirect || s.Action == ActionDirect
	}
	switch {
	case !rt.Insecure.Matched:
		rt.Insecure.Reason = "no GOINSECURE pattern matches: direct fetches require https with a verified certificate"
	case hasDirect:
		rt.Insecure.Applies = true
		rt.Insecure.Reason = fmt.Sprintf("GOINSECURE pattern %q matched: direct fetches may use plain http and skip certificate verification (module proxies and the checksum database are unaffected)", rt.Insecure.Pattern)
	default:
		rt.Insecure.Reason = fmt.Sprintf("GOINSECURE pattern %q matched, but the route has no direct fetch: GOINSECURE never applies to module proxies or the checksum database", rt.Insecure.Pattern)
	}
	rt.SumDB = r.sumDBDecision(r.nosumdb.matchAt(mod, k.nosumdb), k.toolchain)
	return rt
}

// planStep decides one step, mirroring the go command's per-entry lookup.
func (r *Route) planStep(s *Step) {
	np := &r.NoProxy
	if np.Matched {
		// A GONOPROXY match sends noproxy and direct to the origin and
		// turns every other entry, "off" included, into a not-found skip.
		s.Pattern = np.Pattern
		switch s.Entry.Kind {
		case ProxyNoproxy, ProxyDirect:
			s.Action = ActionDirect
			s.Reason = fmt.Sprintf("%s pattern %q matched: fetched directly from the origin", np.describe(), np.Pattern)
		default:
			s.Action, s.Err = ActionSkip, ErrNoproxy
			s.Reason = fmt.Sprintf("%s pattern %q matched: proxies skipped (module lookup %s)", np.describe(), np.Pattern, ErrNoproxy)
		}
	} else {
		switch s.Entry.Kind {
		case ProxyOff:
			s.Action, s.Err = ActionSkip, ErrProxyOff
			s.Reason = "GOPROXY entry off: " + ErrProxyOff.Error()
		case ProxyDirect:
			s.Action = ActionDirect
			s.Reason = "GOPROXY entry direct: fetched from the origin"
		case ProxyNoproxy:
			s.Action, s.Err = ActionSkip, ErrUseProxy
			s.Reason = fmt.Sprintf("implicit noproxy entry: %s (%s=%q), so the proxies are used", ErrUseProxy, np.describe(), np.Value)
		default:
			s.Action = ActionProxy
			s.Reason = "GOPROXY entry " + s.Entry.String() + ": module proxy"
		}
	}
	if s.Action == ActionDirect && r.Insecure.Matched {
		s.Insecure = true
		s.Reason += fmt.Sprintf("; GOINSECURE pattern %q matched", r.Insecure.Pattern)
	}
}

// sumDBDecision mirrors the go command's choice of whether to verify a
// module with the checksum database and how it finds the database.
func (r *Router) sumDBDecision(nosumdb PatternMatch, toolchain bool) SumDBDecision {
	d := SumDBDecision{NoSumDB: nosumdb}
	db, err := r.sumdb, r.sumdbErr
	d.DB = db

	toolchainMust := false
	if toolchain {
		toolchainMust = true
		// Exception: a single file:// GOPROXY (testing a distribution).
		if strings.HasPrefix(r.goproxy, "file://") && !strings.ContainsAny(r.goproxy, ",|") {
			toolchainMust = false
		}
		// Exception: the Go module mirror fetching toolchains itself.
		if r.fromMirror {
			toolchainMust = false
		}
	}
	switch {
	case toolchainMust:
		d.Use = true
		d.Reason = "golang.org/toolchain is always verified with the checksum database, even with GOSUMDB=off or a GONOSUMDB match"
	case toolchain && (r.gosumdb == "off" || d.NoSumDB.Matched):
		d.Reason = "golang.org/toolchain from a single file:// GOPROXY (or fetched by proxy.golang.org itself) is exempt from the mandatory check; GOSUMDB=off or GONOSUMDB then applies"
	case r.gosumdb == "off":
		d.Reason = "GOSUMDB=off: checksum database disabled"
	case d.NoSumDB.Matched:
		d.Reason = fmt.Sprintf("%s pattern %q matched: checksum database not consulted", d.NoSumDB.describe(), d.NoSumDB.Pattern)
	default:
		d.Use = true
		d.Reason = fmt.Sprintf("GOSUMDB=%s; no %s pattern matches: verified with the checksum database", redactVar("GOSUMDB", r.gosumdb), d.NoSumDB.describe())
		if toolchain {
			d.Reason = "golang.org/toolchain from a single file:// GOPROXY (or fetched by proxy.golang.org itself) is exempt from the mandatory check, but GOSUMDB applies as usual"
		}
	}
	if !d.Use {
		return d
	}
	switch {
	case err != nil:
		d.Err = err
	case db.Off:
		d.Err = ErrSumDBOff
	}
	if d.Err != nil {
		d.Error = d.Err.Error()
		return d
	}
	d.Direct = db.DirectURL().String()
	if db.URL != nil {
		d.URL = db.URL.Redacted()
		return d
	}
	for _, p := range r.proxies {
		if p.Kind == ProxyURL {
			d.Probes = append(d.Probes, sumDBSupportedURL(p, db.Name).Redacted())
		} else if p.Kind != ProxyNoproxy {
			break
		}
	}
	return d
}

// isNotFound reports whether err is a not-found error.
func isNotFound(err error) bool { return errors.Is(err, fs.ErrNotExist) }
