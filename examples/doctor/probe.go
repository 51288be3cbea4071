package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/trust"
)

// probeReport is one source of a route and what probing it found.
type probeReport struct {
	// Role is "proxy", "direct", "sumdb-supported" (asking a proxy
	// whether it serves the checksum database) or "sumdb".
	Role string `json:"role"`
	// Step is the route step the source belongs to, if any.
	Step *int `json:"step,omitempty"`
	// URL is the URL requested, redacted.
	URL string `json:"url"`
	// Skipped says why the source was not requested.
	Skipped string `json:"skipped,omitempty"`
	// Note adds what the go command does differently, e.g. under GOINSECURE.
	Note string `json:"note,omitempty"`
	// The probe's result; its "error" object, absent on success, holds
	// the classification ("kind"), the chain and a hint.
	*trust.ProbeResult
}

// prober probes URLs as the go command would reach them: through the
// environment's HTTP proxy, trusting the environment's roots. Each URL is
// requested once per run.
type prober struct {
	pool    *trust.Pool
	opts    []trust.Option
	results map[string]*trust.ProbeResult
}

func newProber(env *proxyenv.Env, getenv func(string) string, timeout time.Duration) (*prober, []diagnostic) {
	var diags []diagnostic
	pool, err := trust.FromEnvironment(getenv).Build()
	if err != nil {
		// Only strict (extra) sources fail a build; fall back to the
		// system roots so the probes still say something. (Warnings about
		// the sources are in the trust report.)
		diags = append(diags, diagnostic{Severity: "error", Topic: "trust", Message: err.Error()})
		pool = nil
	}
	proxy := env.HTTPProxyConfig().ProxyFunc()
	return &prober{
		pool: pool,
		opts: []trust.Option{
			trust.WithPool(pool),
			trust.WithTimeout(timeout),
			trust.WithProxy(func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }),
		},
		results: map[string]*trust.ProbeResult{},
	}, diags
}

func (p *prober) probe(ctx context.Context, u *url.URL) *trust.ProbeResult {
	key := u.String()
	if res, ok := p.results[key]; ok {
		return res
	}
	res := trust.Probe(ctx, key, p.opts...)
	// The trust report is the same for every probe; it is printed once.
	copied := *res
	copied.Trust = nil
	p.results[key] = &copied
	return &copied
}

// probeRoute probes the sources the go command would contact for m, in
// route order, then the checksum database if the route consults it.
func (p *prober) probeRoute(ctx context.Context, m *moduleReport) []*probeReport {
	r := m.Route
	var out []*probeReport
	seen := map[string]bool{} // the noproxy and direct entries share the origin
	for i := range r.Steps {
		s := &r.Steps[i]
		step := s.Index
		switch s.Action {
		case proxyenv.ActionProxy:
			// The go command's first request: the version's .info, or the
			// version list for a query such as "latest".
			file := "@v/list"
			if f, err := proxyenv.VersionFile(m.Version, "info"); err == nil && m.Version != "" {
				file = f
			}
			u, err := proxyenv.ProxyFileURL(s.Entry.URL, r.Module, file)
			if err != nil || s.Entry.URL.Scheme == "file" {
				// A bad version, or a local directory (nothing to dial).
				out = append(out, &probeReport{Role: "proxy", Step: &step, URL: s.Entry.String(), Skipped: skipReason(err)})
				continue
			}
			out = append(out, &probeReport{Role: "proxy", Step: &step, URL: u.Redacted(), ProbeResult: p.probe(ctx, u)})
		case proxyenv.ActionDirect:
			u, _ := url.Parse(originURL(r.Module))
			if seen[u.String()] {
				continue
			}
			seen[u.String()] = true
			pr := &probeReport{Role: "direct", Step: &step, URL: u.Redacted(), ProbeResult: p.probe(ctx, u)}
			if r.Insecure.Applies {
				pr.Note = fmt.Sprintf("GOINSECURE pattern %q matches: the go command skips certificate verification and may use plain http for this origin", r.Insecure.Pattern)
			}
			out = append(out, pr)
		}
	}
	if !r.SumDB.Use || r.SumDB.Err != nil {
		return out
	}
	// Find the database as the go command does: an explicit URL, else the
	// first proxy that serves it, else https://<name>.
	base, err := proxyenv.FindSumDB(ctx, r, func(ctx context.Context, supported *url.URL) error {
		if supported.Scheme == "file" {
			_, err := os.Stat(supported.Path)
			return err
		}
		res := p.probe(ctx, supported)
		out = append(out, &probeReport{Role: "sumdb-supported", URL: supported.Redacted(), ProbeResult: res})
		switch {
		case res.Error != nil:
			return res.Error
		case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
			return &proxyenv.StatusError{URL: res.URL, StatusCode: res.StatusCode, Status: http.StatusText(res.StatusCode)}
		}
		return nil
	})
	if err != nil {
		out = append(out, &probeReport{Role: "sumdb", URL: r.SumDB.Direct, Skipped: "checksum database unavailable: " + err.Error()})
		return out
	}
	latest := base.JoinPath("latest")
	out = append(out, &probeReport{Role: "sumdb", URL: latest.Redacted(), ProbeResult: p.probe(ctx, latest)})
	return out
}

func skipReason(err error) string {
	if err != nil {
		return "not probed: " + err.Error()
	}
	return "not probed: a file:// proxy is a local directory"
}

// chainSummary describes a presented chain in one line: the leaf's
// subject, its issuer and the chain length.
func chainSummary(chain []trust.CertInfo) string {
	if len(chain) == 0 {
		return ""
	}
	leaf := chain[0]
	s := "leaf " + leaf.Subject + ", issued by " + leaf.Issuer
	if n := len(chain); n > 1 {
		s += " (" + strconv.Itoa(n) + " certificates)"
	}
	if leaf.SelfSigned {
		s += ", self-signed"
	}
	if time.Now().After(leaf.NotAfter) {
		s += ", expired " + leaf.NotAfter.Format(time.DateOnly)
	}
	return strings.TrimSpace(s)
}
