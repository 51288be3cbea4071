package vcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/modnet/modnet/internal/redact"
	"github.com/modnet/modnet/matcher"
	"github.com/modnet/modnet/proxyenv"
)

// A Doer sends an HTTP request and returns the response of the last
// redirect hop. *http.Client and *proxyenv.Client satisfy it. As with
// net/http, a non-2xx status is not an error.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Config configures a [Discoverer]. Fields named after variables hold
// their values as the go command resolves them (see proxyenv.Env).
type Config struct {
	// Client fetches https go-get pages: it must verify certificates
	// with the go command's roots, use its HTTP proxy and add its
	// credentials. *proxyenv.Client, whose Do re-runs GOAUTH and retries
	// once after a 4xx like the go command, is the intended value.
	// It is required.
	Client Doer

	// InsecureClient fetches the https go-get pages of paths GOINSECURE
	// matches. The go command uses a client that accepts any
	// certificate, gives up after five seconds, adds credentials and
	// follows redirects from https to http
	// (proxyenv.Client.DirectClient returns such a client). When it is an
	// *http.Client, the Discoverer uses a copy whose CheckRedirect allows
	// any redirect up to the tenth, as the go command's does. Nil means
	// Client.
	InsecureClient Doer

	// PlainClient fetches the http:// fallback under GOINSECURE. It must
	// not add credentials: the go command sends them over https only.
	// Nil means an *http.Client whose transport uses Proxy.
	PlainClient Doer

	// Proxy gives the HTTP proxy for the default PlainClient, as
	// proxyenv.Client.Proxy does. Nil means no proxy.
	Proxy func(*url.URL) (*url.URL, error)

	GOPRIVATE  string // private paths for GOVCS's "private" rule
	GOINSECURE string // paths whose go-get pages may be fetched insecurely
	GOVCS      string // the VCS policy; defaults appended

	// GIT_ALLOW_PROTOCOL, when set, lists the schemes the go command
	// counts as secure for git (colon-separated).
	GIT_ALLOW_PROTOCOL string

	// Ping checks whether the version control command vcs reaches repo
	// (without scheme) with scheme, as the go command runs
	// "git ls-remote scheme://repo" for a path such as host/x.git. Nil
	// means the Discoverer does not probe: it returns the candidate
	// schemes in RepoRoot.Schemes with an empty RepoURL.
	Ping func(ctx context.Context, vcs, scheme, repo string) error

	// Trace, if non-nil, is called for each request made, after it
	// completes. Its URL is redacted.
	Trace func(TraceEvent)

	// MaxBodyBytes limits how much of a go-get page is read. Zero means
	// 4 MiB. (The go command reads without limit.)
	MaxBodyBytes int64
}

// A TraceEvent describes one request a [Discoverer] made.
type TraceEvent struct {
	URL    string // redacted
	Status string // such as "200 OK", or "" on error
	Err    error  // the transport error, or nil
}

// String formats e like the go command's -x lines: "URL: 200 OK", or
// "URL: error".
func (e TraceEvent) String() string {
	if e.Err != nil {
		return e.URL + ": " + e.Err.Error()
	}
	return e.URL + ": " + e.Status
}

// A RepoRoot is where the code for a module path lives.
type RepoRoot struct {
	// Root is the path prefix the repository (SubDir of it) serves.
	Root string
	// VCS is the version control command ("git", "hg", ...) or "mod"
	// for a GOPROXY-protocol server at RepoURL (fetched with default
	// security: https verified, http only when written; GOINSECURE does
	// not apply).
	VCS string
	// RepoURL is the repository URL with its scheme, as the tag wrote it
	// (a password in it included: treat it as a secret; String redacts
	// it). It is empty for a
	// VCS-suffixed path when Config.Ping is nil; then Schemes lists the
	// schemes to try in order.
	RepoURL string
	Schemes []string
	// SubDir is the module's directory in the repository, from the 4th
	// field of a go-import tag, or "".
	SubDir string
	// Meta is what decided: the go-import tag's content (any password
	// in the repository URL redacted), or "static:<site>" for the
	// built-in table.
	Meta string
	// MetaURL is the (redacted) URL of the page the tag came from, or "".
	MetaURL string
	// Custom reports whether the answer came from a go-import tag.
	Custom bool
	// Private reports whether Root matches GOPRIVATE (GOVCS's "private").
	Private bool
	// GOVCSRule is the GOVCS rule that allowed the VCS, or nil for "mod".
	GOVCSRule *GOVCSRule
	// Insecure reports whether GOINSECURE matched the module path.
	Insecure bool
}

// String returns a one-line description of r with any password in the
// repository URL redacted.
func (r *RepoRoot) String() string {
	s := fmt.Sprintf("%s %s %s", r.Root, r.VCS, redact.URL(r.RepoURL))
	if r.SubDir != "" {
		s += " " + r.SubDir
	}
	return s + " (" + r.Meta + ")"
}

// A Discoverer finds the repository of module paths as the go command
// does in direct mode: the built-in table of hosting sites, then the
// ?go-get=1 page, then launchpad.net. It caches the pages of prefix
// re-checks for its lifetime, as the go command does for one run. It is
// safe for concurrent use.
type Discoverer struct {
	cfg      Config
	govcs    *GOVCS
	govcsErr error
	private  *matcher.List
	insecure *matcher.List
	static   []staticHost
	lp       []staticHost
	plain    Doer

	mu    sync.Mutex
	cache map[string]*prefixResult
}

// prefixResult is the outcome of fetching a prefix's go-get page.
type prefixResult struct {
	done    chan struct{}
	url     string // scheme-less form the go command prints, //host/path?go-get=1
	imports []MetaImport
	err     error
}

// New returns a Discoverer for cfg. It fails only if Client is nil. A
// malformed GOVCS does not make it fail: like the go command, lookups
// fail with the *[GOVCSError] when they need a version control command
// (not for "mod" tags); use [ParseGOVCS] to validate GOVCS up front.
// Later edits to cfg do not affect the Discoverer.
func New(cfg Config) (*Discoverer, error) {
	if cfg.Client == nil {
		return nil, errors.New("vcs: Config.Client is nil")
	}
	// the go command parses GOVCS only when a VCS is about to be used,
	// so a malformed value fails lookups that reach that point, not New
	g, govcsErr := ParseGOVCS(cfg.GOVCS)
	if cfg.InsecureClient == nil {
		cfg.InsecureClient = cfg.Client
	} else if hc, ok := cfg.InsecureClient.(*http.Client); ok {
		// the go command's insecure client follows redirects from https
		// to http, stopping only after ten
		c := *hc
		c.CheckRedirect = limitRedirects
		cfg.InsecureClient = &c
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 4 << 20
	}
	d := &Discoverer{
		cfg:      cfg,
		govcs:    g,
		govcsErr: govcsErr,
		private:  matcher.Compile(cfg.GOPRIVATE),
		insecure: matcher.Compile(cfg.GOINSECURE),
		static:   staticHostTable(),
		lp:       []staticHost{launchpadHost()},
		plain:    cfg.PlainClient,
		cache:    map[string]*prefixResult{},
	}
	if d.plain == nil {
		d.plain = &http.Client{
			Transport: &http.Transport{Proxy: func(r *http.Request) (*url.URL, error) {
				if cfg.Proxy == nil {
					return nil, nil
				}
				return cfg.Proxy(r.URL)
			}},
			CheckRedirect: secureRedirects,
		}
	}
	return d, nil
}

// limitRedirects refuses an eleventh redirect, as the go command's
// GOINSECURE client does, and nothing else.
func limitRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// secureRedirects refuses what the go command's default client refuses: a
// redirect from https to another scheme, and an eleventh redirect.
func secureRedirects(req *http.Request, via []*http.Request) error {
	if len(via) > 0 && via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirected from secure URL %s to insecure URL %s", via[len(via)-1].URL.Redacted(), req.URL.Redacted())
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// An ImportPathError reports a path whose go-get page could not be used.
// Its text is the go command's: unrecognized import path "P": <Err>.
type ImportPathError struct {
	Path string
	Err  error
}

func (e *ImportPathError) Error() string {
	return fmt.Sprintf("unrecognized import path %q: %v", e.Path, e.Err)
}

// Unwrap returns e.Err.
func (e *ImportPathError) Unwrap() error { return e.Err }

// A FetchError reports a go-get page that could not be fetched at all.
// Its text is the go command's: "https fetch: <Err>", or "http/https
// fetch: <Err>" under GOINSECURE, where Err is the error of the last
// attempt. It unwraps to the client's error (a *url.Error, which holds a
// *trust.Error when the client is a *proxyenv.Client).
type FetchError struct {
	URL      string // redacted URL of the last attempt
	Insecure bool   // GOINSECURE applied (https, then http)
	Err      error
}

func (e *FetchError) Error() string {
	if e.Insecure {
		return "http/https fetch: " + e.Err.Error()
	}
	return "https fetch: " + e.Err.Error()
}

// Unwrap returns e.Err.
func (e *FetchError) Unwrap() error { return e.Err }

// An HTTPError reports a non-200 go-get page without go-import tags. It
// is the module proxy protocol's [proxyenv.StatusError], with the same
// text as the go command ("reading URL: 404 Not Found", with the start of
// a text/plain body), and equivalent to fs.ErrNotExist for 404 and 410.
type HTTPError = proxyenv.StatusError

// A MetaError reports a go-get page that was fetched but does not settle
// the path: tags that do not match, several that do, an unreadable page,
// a prefix whose own page disagrees, or a tag with an invalid field. Its
// text is the go command's message. Err is the underlying cause (a
// *MismatchError, *MultipleMatchError, *MetaParseError, ...), or nil.
type MetaError struct {
	Path string // the module path looked up
	URL  string // redacted URL of the page
	Tag  *MetaImport
	Msg  string
	Err  error
}

func (e *MetaError) Error() string { return e.Msg }

// Unwrap returns e.Err.
func (e *MetaError) Unwrap() error { return e.Err }

// RepoRoot returns the repository for the module path, as the go
// command's direct mode finds it (GOINSECURE is matched against path),
// and checks GOVCS. Errors read like the go command's: a
// *[ImportPathError] for failed go-get discovery, a *[DisallowedError]
// for GOVCS (inside an ImportPathError when a go-get tag named the VCS),
// a *[StaticPathError] for a malformed path on a well-known site. The
// go command treats all of them as "not found" for GOPROXY fall-through.
func (d *Discoverer) RepoRoot(ctx context.Context, path string) (*RepoRoot, error) {
	insecure := d.insecure.Match(path) // the go command matches GOINSECURE against the module path
	rr, err := d.fromStatic(ctx, path, insecure, d.static)
	if err == errUnknownSite {
		rr, err = d.dynamic(ctx, path, insecure)
		if err != nil {
			err = &ImportPathError{Path: path, Err: err}
		}
	}
	if err != nil {
		// launchpad.net gets its chance only after dynamic discovery
		if rr1, err1 := d.fromStatic(ctx, path, insecure, d.lp); err1 == nil {
			rr, err = rr1, nil
		}
	}
	if err != nil {
		return nil, err
	}
	rr.Insecure = insecure
	return rr, nil
}

// checkGOVCS sets rr.Private and rr.GOVCSRule and reports whether GOVCS
// allows rr.VCS for rr.Root.
func (d *Discoverer) checkGOVCS(rr *RepoRoot) error {
	// "private" in GOVCS means a GOPRIVATE match on the repository root
	rr.Private = d.private.Match(rr.Root)
	if rr.VCS == "mod" {
		return nil // the go command never restricts the mod protocol
	}
	if d.govcsErr != nil {
		return d.govcsErr
	}
	ok, rule := d.govcs.Allow(rr.Root, rr.Private, rr.VCS)
	if !ok {
		return &DisallowedError{VCS: rr.VCS, Root: rr.Root, Private: rr.Private, Rule: rule}
	}
	rr.GOVCSRule = rule
	return nil
}

// goGetURL returns the scheme-less go-get URL of path, as the go command
// builds it: the host is the first element, which must contain a dot.
func goGetURL(path string) (*url.URL, error) {
	host, rest, _ := strings.Cut(path, "/")
	if !strings.Contains(host, ".") {
		return nil, errors.New("import path does not begin with hostname")
	}
	return &url.URL{Host: host, Path: "/" + rest, RawQuery: "go-get=1"}, nil
}

// page is a fetched go-get page.
type page struct {
	url     string // redacted URL that answered
	imports []MetaImport
	status  error // *HTTPError for a non-200 answer, else nil
	parse   error // from ParseMeta
}

// dynamic runs the go-get discovery of path.
func (d *Discoverer) dynamic(ctx context.Context, path string, insecure bool) (*RepoRoot, error) {
	u, err := goGetURL(path)
	if err != nil {
		return nil, err
	}
	p, err := d.fetch(ctx, u, insecure)
	if err != nil {
		return nil, &FetchError{URL: p.url, Insecure: insecure, Err: err}
	}
	// a non-200 status counts only when the page has no tags
	if len(p.imports) == 0 && p.status != nil {
		return nil, p.status
	}
	if p.parse != nil {
		return nil, &MetaError{Path: path, URL: p.url, Err: p.parse, Msg: fmt.Sprintf("parsing %s: %v", path, p.parse)}
	}
	mi, err := MatchMeta(p.imports, path)
	if err != nil {
		if _, ok := err.(*MismatchError); ok {
			return nil, &MetaError{Path: path, URL: p.url, Err: err, Msg: fmt.Sprintf("parse %s: no go-import meta tags (%v)", p.url, err)}
		}
		// the go command prints the scheme-less URL here
		return nil, &MetaError{Path: path, URL: p.url, Err: err, Msg: fmt.Sprintf("parse %s: %v", u, err)}
	}
	if mi.Prefix != path {
		// a tag for a shorter prefix must be confirmed by the prefix's own page
		r := d.prefixPage(ctx, mi.Prefix, insecure)
		if r.err != nil {
			return nil, r.err
		}
		mi2, err := MatchMeta(r.imports, path)
		if err != nil || mi2 != mi {
			return nil, &MetaError{Path: path, URL: p.url, Tag: &mi, Err: err,
				Msg: fmt.Sprintf("%s and %s disagree about go-import for %s", p.url, r.url, mi.Prefix)}
		}
	}
	if msg := badSubDir(mi.SubDir); msg != "" {
		return nil, &MetaError{Path: path, URL: p.url, Tag: &mi, Msg: fmt.Sprintf("%s: invalid subdirectory %q: %s", p.url, mi.SubDir, msg)}
	}
	if err := checkRepoRoot(mi.RepoRoot); err != nil {
		// (the go command prints the root as written; a password in it is redacted here)
		return nil, &MetaError{Path: path, URL: p.url, Tag: &mi, Err: err, Msg: fmt.Sprintf("%s: invalid repo root %q: %v", p.url, redact.URL(mi.RepoRoot), err)}
	}
	if mi.VCS != "mod" && !knownVCS(mi.VCS) {
		return nil, &MetaError{Path: path, URL: p.url, Tag: &mi, Msg: fmt.Sprintf("%s: unknown vcs %q", p.url, mi.VCS)}
	}
	rr := &RepoRoot{Root: mi.Prefix, VCS: mi.VCS, RepoURL: mi.RepoRoot, SubDir: mi.SubDir,
		Meta: mi.String(), MetaURL: p.url, Custom: true}
	if err := d.checkGOVCS(rr); err != nil {
		return nil, err
	}
	return rr, nil
}

// badSubDir returns why the go command refuses a subdirectory, or "".
func badSubDir(s string) string {
	switch {
	case s == "":
		return ""
	case s[0] == '/':
		return "leading slash"
	case s[0] == '-':
		return "leading hyphen"
	}
	return ""
}

// checkRepoRoot reports why the go command refuses a repository URL: it
// must parse, have a scheme, and not be a file: URL. (The go command does
// not require a secure scheme.)
func checkRepoRoot(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme == "" {
		return errors.New("no scheme")
	}
	if u.Scheme == "file" {
		return errors.New("file scheme disallowed")
	}
	return nil
}

// prefixPage fetches and caches the go-get page of a tag's prefix.
func (d *Discoverer) prefixPage(ctx context.Context, prefix string, insecure bool) *prefixResult {
	d.mu.Lock()
	r, ok := d.cache[prefix]
	if ok {
		d.mu.Unlock()
		select {
		case <-r.done:
		case <-ctx.Done():
			return &prefixResult{err: ctx.Err()}
		}
		return r
	}
	// the go command keeps prefix pages for the whole run, keyed by prefix
	r = &prefixResult{done: make(chan struct{})}
	d.cache[prefix] = r
	d.mu.Unlock()
	defer close(r.done)
	defer func() {
		// a lookup cut short by its context is not the prefix's answer
		if ctx.Err() != nil {
			d.mu.Lock()
			delete(d.cache, prefix)
			d.mu.Unlock()
		}
	}()

	u, err := goGetURL(prefix)
	if err != nil {
		r.err = err
		return r
	}
	r.url = u.String()
	p, err := d.fetch(ctx, u, insecure)
	switch {
	case err != nil:
		r.err = fmt.Errorf("fetching %s: %w", prefix, err)
	case len(p.imports) == 0 && p.status != nil:
		r.err = p.status
	case p.parse != nil:
		r.err = &MetaError{Path: prefix, URL: p.url, Err: p.parse, Msg: fmt.Sprintf("parsing %s: %v", p.url, p.parse)}
	case len(p.imports) == 0:
		r.err = &MetaError{Path: prefix, URL: p.url, Msg: fmt.Sprintf("fetching %s: no go-import meta tag found in %s", prefix, p.url)}
	default:
		r.imports = p.imports
	}
	return r
}

// fetch gets a scheme-less go-get URL the way the go command's web.Get
// does: https first; under GOINSECURE, after any https failure, http://
// without credentials. The page's URL is set even on error.
func (d *Discoverer) fetch(ctx context.Context, u *url.URL, insecure bool) (*page, error) {
	secure := *u
	secure.Scheme = "https"
	client := d.cfg.Client
	if insecure {
		client = d.cfg.InsecureClient
	}
	p, err := d.get(ctx, client, &secure)
	if err == nil || !insecure {
		return p, err
	}
	plain := *u
	plain.Scheme = "http"
	return d.get(ctx, d.plain, &plain)
}

// get fetches u with client and parses the page.
func (d *Discoverer) get(ctx context.Context, client Doer, u *url.URL) (*page, error) {
	p := &page{url: u.Redacted()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return p, err
	}
	resp, err := client.Do(req)
	if err != nil {
		d.trace(TraceEvent{URL: p.url, Err: err})
		return p, err
	}
	defer resp.Body.Close()
	d.trace(TraceEvent{URL: p.url, Status: resp.Status})

	var body io.Reader = io.LimitReader(resp.Body, d.cfg.MaxBodyBytes)
	var detail *detailReader
	if resp.StatusCode != http.StatusOK {
		// the go command keeps the start of a plain-text error body
		if mt, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/plain" {
			switch strings.ToLower(params["charset"]) {
			case "us-ascii", "utf-8", "":
				detail = &detailReader{r: body}
				body = detail
			}
		}
	}
	p.imports, p.parse = ParseMeta(body)
	if resp.StatusCode != http.StatusOK {
		e := &HTTPError{URL: p.url, Status: resp.Status, StatusCode: resp.StatusCode}
		if detail != nil {
			io.Copy(io.Discard, detail)
			e.Detail = errorDetail(detail.kept)
		}
		p.status = e
	}
	return p, nil
}

// getOK reports whether a GET of u with the secure client answers 200.
func (d *Discoverer) getOK(ctx context.Context, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		d.trace(TraceEvent{URL: req.URL.Redacted(), Err: err})
		return false
	}
	resp.Body.Close()
	d.trace(TraceEvent{URL: req.URL.Redacted(), Status: resp.Status})
	return resp.StatusCode == http.StatusOK
}

func (d *Discoverer) trace(ev TraceEvent) {
	if d.cfg.Trace != nil {
		d.cfg.Trace(ev)
	}
}
