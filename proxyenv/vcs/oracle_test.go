package vcs_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/vcs"
	"github.com/modnet/modnet/trust"
)

// An oracleCase is one module path looked up by the go command and by a
// Discoverer against the same fake web.
type oracleCase struct {
	name  string
	path  string            // "{h}" is the case's host, "{h2}" a second one
	env   map[string]string // GOPRIVATE, GOINSECURE, GOVCS, ...
	netrc string            // netrc file content, if any
	pages map[string]page   // URLs without query, with {h}/{h2}
	noTLS []string          // hosts whose https fails
	// goInsecureClient makes the Discoverer use a GOINSECURE client
	// built like the go command's instead of proxyenv's DirectClient
	// (whose credentials transport refuses https-to-http redirects).
	goInsecureClient bool
	// want must occur in the go command's error (a check of the case
	// itself); "ok:<vcs>" means discovery must succeed with that VCS.
	want string
}

func (c *oracleCase) expand(s string) string {
	return strings.NewReplacer("{h}", c.name+"."+domain, "{h2}", c.name+"-2."+domain).Replace(s)
}

func (c *oracleCase) mine(u string) bool {
	h := hostOf(u)
	return strings.HasPrefix(h, c.name+".") || strings.HasPrefix(h, c.name+"-")
}

// goGetOnly keeps the ?go-get=1 requests.
func goGetOnly(reqs []string) []string {
	var out []string
	for _, r := range reqs {
		if strings.Contains(r, "?go-get=1") {
			out = append(out, r)
		}
	}
	return out
}

func (w *web) caseRequests(c *oracleCase) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, r := range w.seq {
		if c.mine(r) {
			out = append(out, r)
		}
	}
	return out
}

func tag(content string) string {
	return `<html><head><meta name="go-import" content="` + content + `"></head><body>x</body></html>`
}

func tags(contents ...string) string {
	var b strings.Builder
	b.WriteString("<html><head>\n")
	for _, c := range contents {
		b.WriteString(`<meta name="go-import" content="` + c + `">` + "\n")
	}
	b.WriteString("</head><body>x</body></html>")
	return b.String()
}

var oracleCases = []*oracleCase{
	{name: "notfound", path: "{h}/a", want: "reading https://{h}/a?go-get=1: 404 Not Found"},
	{name: "tags404", path: "{h}/a", want: "ok:git",
		pages: map[string]page{"https://{h}/a": {status: 404, body: tag("{h}/a git https://{h}/repo")}}},
	{name: "tags404plain", path: "{h}/a", want: "ok:git",
		pages: map[string]page{"https://{h}/a": {status: 404, ctype: "text/plain", body: tag("{h}/a git https://{h}/repo")}}},
	{name: "detail", path: "{h}/a", want: "server response:",
		pages: map[string]page{"https://{h}/a": {status: 403, ctype: "text/plain; charset=utf-8", body: "line one\nline two\n\nhidden"}}},
	{name: "status500", path: "{h}/a", want: "500 Internal Server Error",
		pages: map[string]page{"https://{h}/a": {status: 500, body: "<html>oops</html>"}}},
	{name: "mismatch", path: "{h}/a", want: "no go-import meta tags (meta tag",
		pages: map[string]page{"https://{h}/a": {body: tags("{h}/b git https://{h}/b", "{h}/c git https://{h}/c")}}},
	{name: "notags", path: "{h}/a", want: "no go-import meta tags ()",
		pages: map[string]page{"https://{h}/a": {body: "<html><head><title>x</title></head></html>"}}},
	{name: "multiple", path: "{h}/a", want: "multiple meta tags match import path",
		pages: map[string]page{"https://{h}/a": {body: tags("{h}/a git https://{h}/r1", "{h}/a hg https://{h}/r2")}}},
	{name: "modfirst", path: "{h}/a", want: "ok:mod",
		pages: map[string]page{"https://{h}/a": {body: tags("{h}/a git https://{h}/r1", "{h}/a mod https://{h2}/m")}}},
	{name: "twomods", path: "{h}/a", want: "multiple meta tags match import path",
		pages: map[string]page{"https://{h}/a": {body: tags("{h}/a mod https://{h2}/m1", "{h}/a mod https://{h2}/m2")}}},
	{name: "modshorter", path: "{h}/a/b", want: "ok:mod",
		pages: map[string]page{
			"https://{h}/a/b": {body: tags("{h}/a/b git https://{h}/r1", "{h}/a mod https://{h2}/m")},
			"https://{h}/a":   {body: tags("{h}/a/b git https://{h}/r1", "{h}/a mod https://{h2}/m")},
		}},
	{name: "subdir", path: "{h}/a", want: "ok:git",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo sub/dir")}}},
	{name: "subdirslash", path: "{h}/a", want: "leading slash",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo /sub")}}},
	{name: "subdirhyphen", path: "{h}/a", want: "leading hyphen",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo -sub")}}},
	{name: "fivefields", path: "{h}/a", want: "no go-import meta tags ()",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo sub extra")}}},
	{name: "recheck", path: "{h}/a/b", want: "ok:git",
		pages: map[string]page{
			"https://{h}/a/b": {body: tag("{h}/a git https://{h}/repo")},
			"https://{h}/a":   {body: tag("{h}/a git https://{h}/repo")},
		}},
	{name: "disagree", path: "{h}/a/b", want: "disagree about go-import for",
		pages: map[string]page{
			"https://{h}/a/b": {body: tag("{h}/a git https://{h}/repo")},
			"https://{h}/a":   {body: tag("{h}/a git https://{h}/other")},
		}},
	{name: "recheck404", path: "{h}/a/b", want: "reading https://{h}/a?go-get=1: 404",
		pages: map[string]page{"https://{h}/a/b": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "rechecknotags", path: "{h}/a/b", want: "no go-import meta tag found in",
		pages: map[string]page{
			"https://{h}/a/b": {body: tag("{h}/a git https://{h}/repo")},
			"https://{h}/a":   {body: "<html><head></head></html>"},
		}},
	{name: "recheckmismatch", path: "{h}/a/b", want: "disagree about go-import for",
		pages: map[string]page{
			"https://{h}/a/b": {body: tag("{h}/a git https://{h}/repo")},
			"https://{h}/a":   {body: tag("{h}/z git https://{h}/repo")},
		}},
	{name: "afterbody", path: "{h}/a", want: "no go-import meta tags ()",
		pages: map[string]page{"https://{h}/a": {body: `<html><head></head><body><meta name="go-import" content="` + "{h}/a git https://{h}/repo" + `"></body></html>`}}},
	{name: "afterhead", path: "{h}/a", want: "no go-import meta tags ()",
		pages: map[string]page{"https://{h}/a": {body: `<html><head></head><meta name="go-import" content="` + "{h}/a git https://{h}/repo" + `"></html>`}}},
	{name: "latin1", path: "{h}/a", want: "can't decode XML document using charset",
		pages: map[string]page{"https://{h}/a": {body: `<?xml version="1.0" encoding="ISO-8859-1"?>` + tag("{h}/a git https://{h}/repo")}}},
	{name: "ascii", path: "{h}/a", want: "ok:git",
		pages: map[string]page{"https://{h}/a": {body: `<?xml version="1.0" encoding="ASCII"?>` + tag("{h}/a git https://{h}/repo")}}},
	{name: "syntax", path: "{h}/a", want: "XML syntax error",
		pages: map[string]page{"https://{h}/a": {body: `<html><head><meta name="go-import" content="{h}/a git https://{h}/repo`}}},
	{name: "syntaxafter", path: "{h}/a", want: "ok:git",
		pages: map[string]page{"https://{h}/a": {body: `<html><head><meta name="go-import" content="{h}/a git https://{h}/repo"><meta name="x" content="`}}},
	{name: "upper", path: "{h}/a", want: "ok:git",
		pages: map[string]page{"https://{h}/a": {body: `<HTML><HEAD><META NAME="go-import" CONTENT="{h}/a git https://{h}/repo"></HEAD></HTML>`}}},
	{name: "namecase", path: "{h}/a", want: "no go-import meta tags ()",
		pages: map[string]page{"https://{h}/a": {body: `<html><head><meta name="Go-Import" content="{h}/a git https://{h}/repo"></head></html>`}}},
	{name: "govcssvn", path: "{h}/a", want: "GOVCS disallows using svn for public",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a svn https://{h}/repo")}}},
	{name: "govcsprivate", path: "{h}/a", want: "GOVCS disallows using git for private",
		env:   map[string]string{"GOPRIVATE": "{h}", "GOVCS": "{h}:hg"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "govcsprivateall", path: "{h}/a", want: "ok:svn",
		env:   map[string]string{"GOPRIVATE": "{h}"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a svn https://{h}/repo")}}},
	{name: "govcsoff", path: "{h}/a", want: "GOVCS disallows using git for public",
		env:   map[string]string{"GOVCS": "*:off"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "govcsnoproxy", path: "{h}/a", want: "GOVCS disallows using svn for public",
		env:   map[string]string{"GONOPROXY": "{h}"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a svn https://{h}/repo")}}},
	{name: "govcsbad", path: "{h}/a", want: "malformed entry in GOVCS",
		env:   map[string]string{"GOVCS": "nocolon"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "govcsbadmod", path: "{h}/a", want: "ok:mod",
		env:   map[string]string{"GOVCS": "nocolon"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a mod https://{h2}/m")}}},
	{name: "govcsempty", path: "{h}/a", want: "empty entry in GOVCS",
		env:   map[string]string{"GOVCS": "{h}:git,,x:hg"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "govcsrelative", path: "{h}/a", want: "relative pattern not allowed in GOVCS",
		env:   map[string]string{"GOVCS": "./x:git"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "govcsdup", path: "{h}/a", want: "unreachable pattern in GOVCS",
		env:   map[string]string{"GOVCS": " {h} : git , {h}:hg"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "govcsemptyname", path: "{h}/a", want: "empty VCS name in GOVCS",
		env:   map[string]string{"GOVCS": "{h}:git||hg"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "govcsroot", path: "{h}/a/b", want: "GOVCS disallows using svn for public {h}/a;",
		env: map[string]string{"GOPRIVATE": "{h}/a/b"},
		pages: map[string]page{
			"https://{h}/a/b": {body: tag("{h}/a svn https://{h}/repo")},
			"https://{h}/a":   {body: tag("{h}/a svn https://{h}/repo")},
		}},
	{name: "govcsglob", path: "{h}/a", want: "ok:git",
		env:   map[string]string{"GOVCS": "*.modnet.test:git,*:off"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "unknownvcs", path: "{h}/a", want: `unknown vcs "cvs"`,
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a cvs https://{h}/repo")}}},
	{name: "noscheme", path: "{h}/a", want: "no scheme",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git {h}/repo")}}},
	{name: "filescheme", path: "{h}/a", want: "file scheme disallowed",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git file:///tmp/repo")}}},
	{name: "httprepo", path: "{h}/a", want: "ok:git",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git http://{h}/repo")}}},
	{name: "insecurefallback", path: "{h}/a", want: "ok:git",
		env:   map[string]string{"GOINSECURE": "{h}"},
		noTLS: []string{"{h}"},
		pages: map[string]page{"http://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "insecurerecheck", path: "{h}/a/b", want: "ok:git",
		env:   map[string]string{"GOINSECURE": "{h}"},
		noTLS: []string{"{h}"},
		pages: map[string]page{
			"http://{h}/a/b": {body: tag("{h}/a git https://{h}/repo")},
			"http://{h}/a":   {body: tag("{h}/a git https://{h}/repo")},
		}},
	{name: "insecure404", path: "{h}/a", want: "reading http://{h}/a?go-get=1: 404 Not Found",
		env:   map[string]string{"GOINSECURE": "{h}"},
		noTLS: []string{"{h}"}},
	{name: "insecurehttps", path: "{h}/a", want: "ok:git",
		env:   map[string]string{"GOINSECURE": "{h}", "SSL_CERT_FILE": "/nonexistent/ca.pem"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "insecurehttps404", path: "{h}/a", want: "reading https://{h}/a?go-get=1: 404 Not Found",
		env: map[string]string{"GOINSECURE": "{h}"}},
	{name: "notls", path: "{h}/a", want: "https fetch: Get",
		noTLS: []string{"{h}"},
		pages: map[string]page{"http://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "untrusted", path: "{h}/a", want: "https fetch: Get",
		env:   map[string]string{"SSL_CERT_FILE": "/nonexistent/ca.pem"},
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "insecurebothfail", path: "{h}/a", want: "http/https fetch: Get \"http://",
		env:   map[string]string{"GOINSECURE": "{h}", "HTTP_PROXY": "http://127.0.0.1:1"},
		noTLS: []string{"{h}"}},
	{name: "redirect", path: "{h}/a", want: "ok:git",
		pages: map[string]page{
			"https://{h}/a":     {status: 302, location: "https://{h2}/a/go?go-get=1"},
			"https://{h2}/a/go": {body: tag("{h}/a git https://{h}/repo")},
		}},
	{name: "redirectinsecure", path: "{h}/a", want: "redirected from secure URL",
		pages: map[string]page{
			"https://{h}/a": {status: 302, location: "http://{h2}/a?go-get=1"},
			"http://{h2}/a": {body: tag("{h}/a git https://{h}/repo")},
		}},
	{name: "insecureredirect", path: "{h}/a", want: "ok:git",
		env: map[string]string{"GOINSECURE": "{h}"},
		pages: map[string]page{
			"https://{h}/a": {status: 302, location: "http://{h2}/a?go-get=1"},
			"http://{h2}/a": {body: tag("{h}/a git https://{h}/repo")},
		}},
	{name: "redirect404", path: "{h}/a", want: "reading https://{h}/a?go-get=1: 404 Not Found",
		pages: map[string]page{
			"https://{h}/a": {status: 301, location: "https://{h2}/elsewhere?go-get=1"},
		}},
	{name: "netrc", path: "{h}/a", want: "ok:git",
		netrc: "machine {h} login u password secret-{h}\n",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "netrcinsecurehttps", path: "{h}/a", want: "ok:git",
		env:   map[string]string{"GOINSECURE": "{h}", "SSL_CERT_FILE": "/nonexistent/ca.pem"},
		netrc: "machine {h} login u password secret-{h}\n",
		pages: map[string]page{"https://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
	{name: "netrc401", path: "{h}/a", want: "reading https://{h}/a?go-get=1: 401 Unauthorized",
		netrc: "machine {h} login u password secret-{h}\n",
		pages: map[string]page{"https://{h}/a": {status: 401, ctype: "text/plain", body: "who are you?\n"}}},
	{name: "netrcinsecure", path: "{h}/a", want: "ok:git",
		env:   map[string]string{"GOINSECURE": "{h}"},
		netrc: "machine {h} login u password secret-{h}\n",
		noTLS: []string{"{h}"},
		pages: map[string]page{"http://{h}/a": {body: tag("{h}/a git https://{h}/repo")}}},
}

func TestDiscoveryMatchesGoCommand(t *testing.T) {
	gooracle.Required(t)
	w := newWeb(t)
	// The go command mostly waits (on its servers, on git), so run more
	// of them at once than -parallel (GOMAXPROCS) would.
	results := make([]goResult, len(oracleCases))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, c := range oracleCases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = runGoSide(t, w, c)
		}()
	}
	wg.Wait()
	for i, c := range oracleCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			compareOracleCase(t, w, c, results[i])
		})
	}
}

// goResult is what the go command did for a case.
type goResult struct {
	g      *gooracle.Go
	err    string   // its error for the module
	reqs   []string // requests it made
	failed string   // why it could not be run
}

func runGoSide(t *testing.T, w *web, c *oracleCase) goResult {
	for u, p := range c.pages {
		p.body = c.expand(p.body)
		p.location = c.expand(p.location)
		w.Page(c.expand(u), p)
	}
	for _, h := range c.noTLS {
		w.NoTLS(c.expand(h))
	}
	path := c.expand(c.path)

	g := gooracle.New(t)
	g.Set("GOPROXY", "direct")
	g.Set("HTTPS_PROXY", w.ProxyURL)
	g.Set("HTTP_PROXY", w.ProxyURL)
	g.Set("SSL_CERT_FILE", w.CAFile)
	for k, v := range c.env {
		g.Set(k, c.expand(v))
	}
	if c.netrc != "" {
		f := filepath.Join(g.Dir, "netrc")
		if err := os.WriteFile(f, []byte(c.expand(c.netrc)), 0o600); err != nil {
			return goResult{failed: err.Error()}
		}
		g.Set("NETRC", f)
	}
	ds, stderr, err := g.ModDownload(context.Background(), path+"@v1.0.0")
	if err != nil || len(ds) != 1 {
		return goResult{failed: fmt.Sprintf("go mod download: %v (%d results)\n%s", err, len(ds), stderr)}
	}
	return goResult{g: g, err: ds[0].Error, reqs: w.caseRequests(c)}
}

func compareOracleCase(t *testing.T, w *web, c *oracleCase, res goResult) {
	if res.failed != "" {
		t.Fatal(res.failed)
	}
	g, goErr, goReqs := res.g, res.err, res.reqs
	path := c.expand(c.path)
	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	client, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	var ins vcs.Doer
	ins, _ = client.DirectClient(path)
	if c.goInsecureClient {
		ins = &http.Client{
			Timeout:   5 * time.Second,
			Transport: &http.Transport{Proxy: func(r *http.Request) (*url.URL, error) { return client.HTTPProxy(r.URL) }, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		}
	}
	d, err := vcs.New(vcs.Config{
		Client: client, InsecureClient: ins, Proxy: client.HTTPProxy,
		GOPRIVATE: env.GOPRIVATE, GOINSECURE: env.GOINSECURE, GOVCS: g.Getenv("GOVCS"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rr, myErr := d.RepoRoot(context.Background(), path)
	myReqs := w.caseRequests(c)[len(goReqs):]

	want := c.expand(c.want)
	t.Logf("requests: %q", goGetOnly(goReqs))
	if g, m := goGetOnly(goReqs), goGetOnly(myReqs); !slices.Equal(g, m) {
		t.Errorf("go-get requests differ:\ngo:     %q\nmodnet: %q", g, m)
	}
	if secret := "secret-" + c.expand("{h}"); c.netrc != "" && myErr != nil && strings.Contains(myErr.Error(), secret) {
		t.Errorf("error holds the netrc password: %v", myErr)
	}

	if vcsName, ok := strings.CutPrefix(want, "ok:"); ok {
		if myErr != nil {
			t.Fatalf("RepoRoot(%q): %v\ngo command: %s", path, myErr, goErr)
		}
		if rr.VCS != vcsName {
			t.Errorf("RepoRoot(%q).VCS = %q, want %q", path, rr.VCS, vcsName)
		}
		switch rr.VCS {
		case "mod":
			// the go command asks the mod server for the version at RepoURL
			info := rr.RepoURL + "/" + path + "/@v/v1.0.0.info"
			if !slices.ContainsFunc(goReqs, func(r string) bool { return strings.HasPrefix(r, info) }) {
				t.Errorf("go command did not ask %s; its requests: %q; its error: %s", info, goReqs, goErr)
			}
		case "git":
			if !strings.Contains(goErr, "ls-remote -q --end-of-options "+rr.RepoURL+" in ") {
				t.Errorf("go command did not run git on %s: %s", rr.RepoURL, goErr)
			}
		default:
			// (hg, svn ... may not be installed) discovery must have passed
			if strings.Contains(goErr, "unrecognized import path") || strings.Contains(goErr, "GOVCS") {
				t.Errorf("go command failed discovery: %s", goErr)
			}
		}
		return
	}
	if myErr == nil {
		t.Fatalf("RepoRoot(%q) = %+v, want error like the go command's: %s", path, rr, goErr)
	}
	if !strings.Contains(goErr, want) {
		t.Errorf("go command error %q does not contain %q (case is stale?)", goErr, want)
	}
	mine := path + "@v1.0.0: " + myErr.Error()
	if te := new(trust.Error); errors.As(myErr, &te) {
		// modnet's client decorates transport errors with its diagnosis;
		// the go command's text must be what trust.Error wraps
		var fe *vcs.FetchError
		if !errors.As(myErr, &fe) {
			t.Fatalf("transport error %v is not in a *vcs.FetchError", myErr)
		}
		t.Logf("transport error:\n go:     %s\n modnet: %s", goErr, mine)
		if !strings.Contains(goErr, te.Message) || !strings.HasPrefix(goErr, path+"@v1.0.0: unrecognized import path") {
			t.Errorf("transport error:\ngo:     %s\nmodnet: %s (trust message %q)", goErr, mine, te.Message)
		}
		return
	}
	t.Logf("error (both): %s", goErr)
	if mine != goErr {
		t.Errorf("error text differs:\ngo:     %s\nmodnet: %s", goErr, mine)
	}
}
