package proxyenv

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/modnet/modnet/netrcauth"
	"github.com/modnet/modnet/trust"
)

// Roles of the servers [ProbeRoute] contacts.
const (
	RoleProxy          = "proxy"           // a module proxy of the route
	RoleDirect         = "direct"          // the origin of a direct (version control) fetch
	RoleSumDBSupported = "sumdb-supported" // a proxy asked whether it serves the checksum database
	RoleSumDB          = "sumdb"           // the checksum database
)

// A SourceProbe is one server a route would contact and what probing it
// found. It holds no secret: URLs are redacted and the credential is only
// described.
type SourceProbe struct {
	// Role is RoleProxy, RoleDirect, RoleSumDBSupported or RoleSumDB.
	Role string `json:"role"`
	// Step is the index of the route step the server belongs to, or -1.
	Step int `json:"step"`
	// URL is the URL requested, redacted.
	URL string `json:"url"`
	// Skipped says why the server was not requested; Result is then nil.
	Skipped string `json:"skipped,omitempty"`
	// Note says what the go command does differently, e.g. under
	// GOINSECURE.
	Note string `json:"note,omitempty"`
	// Credential describes the credential sent, nil when none applies
	// (credentials only go to https URLs).
	Credential *netrcauth.CredentialInfo `json:"credential,omitempty"`
	// Retried reports that the first answer was a 4xx, so the GOAUTH
	// methods were re-run and the request sent again, as the go command
	// does; Result is the second answer.
	Retried bool `json:"retried,omitempty"`
	// Result is what the probe found.
	Result *trust.ProbeResult `json:"result,omitempty"`
}

// ProbeOptions configures [ProbeRoute]. The zero value is usable.
type ProbeOptions struct {
	// Timeout bounds each request; zero means 10 seconds.
	Timeout time.Duration
	// Trace, if non-nil, is called before each request and after its
	// answer, from the calling goroutine.
	Trace func(ProbeEvent)
}

// A ProbeEvent reports a request of [ProbeRoute] as it starts (Result
// nil) and ends.
type ProbeEvent struct {
	// Role is the server's role (see [SourceProbe]).
	Role string
	// URL is the URL requested. It may hold a password in its userinfo:
	// print URL.Redacted().
	URL *url.URL
	// Result is the outcome; nil when the request is starting.
	Result *trust.ProbeResult
}

// ProbeRoute requests every server the go command would contact for
// route r, in route order — each module proxy (version's .info file, or
// the version list when version is empty or a query), the origin of a
// direct fetch, and the checksum database when the route consults it,
// found as the go command finds it — through c's HTTP proxy, trusting
// c's roots and sending the credentials c would send. A 401 or 403 names
// the credential that was refused, or says that none applies. Local
// (file://) proxies are skipped.
//
// The requests are probes: one GET each, no body read, no redirect
// followed. ProbeRoute never fails; failures are in each SourceProbe's
// Result.Error.
func ProbeRoute(ctx context.Context, c *Client, r *Route, version string, opts ProbeOptions) []SourceProbe {
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	p := &prober{c: c, r: r, opts: opts, done: map[string]*SourceProbe{}}
	var out []SourceProbe
	seen := map[string]bool{} // the noproxy and direct entries share the origin
	for i := range r.Steps {
		s := &r.Steps[i]
		switch s.Action {
		case ActionProxy:
			// The go command's first request: the version's .info, or
			// the version list for a query such as "latest".
			file := "@v/list"
			if f, err := VersionFile(version, "info"); err == nil && version != "" {
				file = f
			}
			u, err := ProxyFileURL(s.Entry.URL, r.Module, file)
			switch {
			case err != nil:
				out = append(out, SourceProbe{Role: RoleProxy, Step: s.Index, URL: s.Entry.String(), Skipped: "not probed: " + err.Error()})
			case s.Entry.URL.Scheme == "file":
				out = append(out, SourceProbe{Role: RoleProxy, Step: s.Index, URL: s.Entry.String(), Skipped: "not probed: a file:// proxy is a local directory"})
			default:
				out = append(out, p.probe(ctx, RoleProxy, s.Index, u))
			}
		case ActionDirect:
			host, _, _ := strings.Cut(r.Module, "/")
			u := &url.URL{Scheme: "https", Host: host, Path: "/"}
			if seen[u.String()] {
				continue
			}
			seen[u.String()] = true
			sp := p.probe(ctx, RoleDirect, s.Index, u)
			if r.Insecure.Applies {
				// GOINSECURE applies to direct fetches only.
				sp.Note = fmt.Sprintf("GOINSECURE pattern %q matches: the go command skips certificate verification and may use plain http for this origin", r.Insecure.Pattern)
			}
			out = append(out, sp)
		}
	}
	if !r.SumDB.Use || r.SumDB.Err != nil {
		return out
	}
	// The go command finds the database at an explicit URL, else at the
	// first proxy that serves it, else at https://<name>.
	base, err := FindSumDB(ctx, r, func(ctx context.Context, supported *url.URL) error {
		if supported.Scheme == "file" {
			_, err := os.Stat(supported.Path)
			return err
		}
		sp := p.probe(ctx, RoleSumDBSupported, -1, supported)
		out = append(out, sp)
		res := sp.Result
		switch {
		case res.Error != nil:
			return res.Error
		case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
			return &StatusError{URL: res.URL, StatusCode: res.StatusCode, Status: http.StatusText(res.StatusCode)}
		}
		return nil
	})
	if err != nil {
		return append(out, SourceProbe{Role: RoleSumDB, Step: -1, URL: r.SumDB.Direct, Skipped: "checksum database unavailable: " + err.Error()})
	}
	return append(out, p.probe(ctx, RoleSumDB, -1, base.JoinPath("latest")))
}

type prober struct {
	c    *Client
	r    *Route
	opts ProbeOptions
	done map[string]*SourceProbe // by URL: each server is requested once
}

func (p *prober) probe(ctx context.Context, role string, step int, u *url.URL) SourceProbe {
	if sp, ok := p.done[u.String()]; ok {
		c := *sp
		c.Role, c.Step = role, step
		return c
	}
	sp := SourceProbe{Role: role, Step: step, URL: u.Redacted()}
	sp.Result = p.request(ctx, role, u)
	if st := sp.Result.StatusCode; u.Scheme == "https" && st >= 400 && st < 500 && st != http.StatusNotFound && st != http.StatusGone {
		// The go command re-runs the GOAUTH methods after a 4xx and
		// retries once.
		resp := &http.Response{Status: fmt.Sprintf("%d %s", st, http.StatusText(st)), StatusCode: st, Proto: sp.Result.Protocol, Header: http.Header{}}
		if resp.Proto == "" {
			resp.Proto = "HTTP/1.1"
		}
		rctx, cancel := context.WithTimeout(ctx, p.opts.Timeout) // a GOAUTH command may hang
		p.c.auth.Rerun(rctx, u, resp, p.c.base)
		cancel()
		sp.Retried = true
		sp.Result = p.request(ctx, role, u)
	}
	if u.Scheme == "https" {
		dctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
		if info, ok := p.c.auth.Describe(dctx, u); ok {
			sp.Credential = &info
		}
		cancel()
	}
	p.explain(&sp, u)
	p.done[u.String()] = &sp
	return sp
}

func (p *prober) request(ctx context.Context, role string, u *url.URL) *trust.ProbeResult {
	if p.opts.Trace != nil {
		p.opts.Trace(ProbeEvent{Role: role, URL: u})
	}
	var pool *trust.Pool
	if p.c.pool != nil {
		pool = p.c.pool.Current()
	}
	res := trust.Probe(ctx, u.String(),
		trust.WithPool(pool),
		trust.WithTimeout(p.opts.Timeout),
		trust.WithProxy(func(req *http.Request) (*url.URL, error) { return p.c.proxy(req.URL) }),
		trust.WithHeader(func(ctx context.Context, u *url.URL) (http.Header, error) {
			sh, err := p.c.Header(ctx, u)
			if err != nil || len(sh) == 0 {
				return nil, err
			}
			h := make(http.Header, len(sh))
			for k, vs := range sh {
				for _, v := range vs {
					h.Add(k, v.Reveal())
				}
			}
			return h, nil
		}),
	)
	res.Trust = nil // the same for every probe: the client's pool
	if p.opts.Trace != nil {
		p.opts.Trace(ProbeEvent{Role: role, URL: u, Result: res})
	}
	return res
}

// interceptionClaim is how trust's hint for an intercepted connection
// ends; it holds only when the checksum database is consulted.
const interceptionClaim = "; module content stays authenticated by GOSUMDB"

// explain rewrites the hints of a failed probe with what the route and
// the credentials say.
func (p *prober) explain(sp *SourceProbe, u *url.URL) {
	e := sp.Result.Error
	if e == nil {
		return
	}
	if strings.HasSuffix(e.Hint, interceptionClaim) && (!p.r.SumDB.Use || p.r.SumDB.Err != nil) {
		// The go command does not check this module's content against
		// the checksum database: nothing else authenticates it.
		e.Hint = strings.TrimSuffix(e.Hint, interceptionClaim) + "; only a go.sum line authenticates this module's content: the checksum database is not consulted for it (" + p.r.SumDB.Reason + ")"
	}
	if e.Kind != trust.KindHTTPStatus || (e.StatusCode != http.StatusUnauthorized && e.StatusCode != http.StatusForbidden) {
		return
	}
	switch {
	case sp.Credential != nil:
		e.Hint = fmt.Sprintf("%s refused the credential sent (%s): check the login and the password or token, and that it grants access to %s", u.Hostname(), sp.Credential, sp.URL)
	case u.Scheme != "https":
		e.Hint = fmt.Sprintf("%s asks for credentials, but the go command sends credentials only over https", u.Hostname())
	default:
		e.Hint = fmt.Sprintf("%s asks for credentials and none applies to %s: add a netrc line \"machine %s login USER password PASSWORD\" (the port must match) or a GOAUTH command", u.Hostname(), sp.URL, u.Host)
	}
}
