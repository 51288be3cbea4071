package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/modnet/modnet/netrcauth"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/trust"
)

// probeReport is one source of a route and what probing it found, as
// -json prints it: proxyenv.SourceProbe with the probe's result inlined
// and durations as strings ("12ms").
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
	// Credential describes the credential sent (never its secret);
	// absent when none applies.
	Credential *netrcauth.CredentialInfo `json:"credential,omitempty"`
	// Retried is set when a 4xx answer made the GOAUTH methods run again
	// and the request be repeated, as the go command does.
	Retried bool `json:"retried,omitempty"`

	Proxy      string           `json:"proxy,omitempty"`
	OK         bool             `json:"ok"`
	StatusCode int              `json:"statusCode,omitempty"`
	Protocol   string           `json:"protocol,omitempty"`
	TLSVersion string           `json:"tlsVersion,omitempty"`
	Cipher     string           `json:"cipherSuite,omitempty"`
	Chain      []trust.CertInfo `json:"chain,omitempty"`
	Error      *probeError      `json:"error,omitempty"`
	Elapsed    string           `json:"elapsed,omitempty"`

	chain []byte // the presented chain as PEM
	host  string // host[:port] of the URL
}

// probeError is a classified failure (trust.Error) as -json prints it.
type probeError struct {
	// Kind is one of trust's stable kinds: "unknown-authority",
	// "self-signed", "incomplete-chain", "expired", "not-yet-valid",
	// "hostname-mismatch", "not-tls", "handshake-failure",
	// "client-cert-required", "dns", "connect", "timeout", "proxy",
	// "http-status" or "credentials".
	Kind          string   `json:"kind"`
	Host          string   `json:"host,omitempty"`
	Proxy         string   `json:"proxy,omitempty"`
	Message       string   `json:"message"`
	StatusCode    int      `json:"statusCode,omitempty"`
	VerifiesWith  string   `json:"verifiesWith,omitempty"`
	Evidence      []string `json:"evidence,omitempty"`
	ClockOffset   string   `json:"clockOffset,omitempty"`
	AcceptableCAs []string `json:"acceptableCAs,omitempty"`
	Sources       []string `json:"sources,omitempty"`
	Hint          string   `json:"hint,omitempty"`
}

// prober probes the routes with proxyenv.ProbeRoute, reporting progress.
type prober struct {
	client   *proxyenv.Client
	timeout  time.Duration
	progress func(format string, args ...any)
	trace    func(line string)   // -x; nil when off
	secret   func(value string)  // records a value to scrub from output
	seen     map[string]struct{} // URLs whose credentials are recorded
}

func (p *prober) probeRoute(ctx context.Context, m *moduleReport) []*probeReport {
	start := map[string]time.Time{}
	opts := proxyenv.ProbeOptions{Timeout: p.timeout, Trace: func(ev proxyenv.ProbeEvent) {
		u := ev.URL.Redacted()
		if ev.Result == nil {
			p.progress("%s %s: requesting (timeout %s)", ev.Role, u, p.timeout)
			p.recordSecrets(ctx, ev.URL) // may run GOAUTH commands
			start[u] = time.Now()
			if p.trace != nil {
				p.trace("# get " + u)
			}
			return
		}
		res := ev.Result
		outcome := strconv.Itoa(res.StatusCode) + " " + statusText(res.StatusCode)
		if res.Error != nil && res.Error.Kind != trust.KindHTTPStatus {
			outcome = string(res.Error.Kind) + ": " + res.Error.Message
		}
		p.progress("%s %s: %s (%s)", ev.Role, u, outcome, duration(res.Elapsed))
		if p.trace != nil {
			// The go command's -x format: status and seconds.
			p.trace(fmt.Sprintf("# get %s: %s (%.3fs)", u, outcome, time.Since(start[u]).Seconds()))
		}
	}}
	var out []*probeReport
	for _, sp := range proxyenv.ProbeRoute(ctx, p.client, m.Route, m.Version, opts) {
		out = append(out, newProbeReport(sp))
	}
	return out
}

// recordSecrets remembers the credential header values sent to u, so
// that no output can ever show them.
func (p *prober) recordSecrets(ctx context.Context, u *url.URL) {
	if p.seen == nil {
		p.seen = map[string]struct{}{}
	}
	if _, ok := p.seen[u.String()]; ok || p.secret == nil {
		return
	}
	p.seen[u.String()] = struct{}{}
	ctx, cancel := context.WithTimeout(ctx, p.timeout) // a GOAUTH command may hang
	defer cancel()
	h, err := p.client.Header(ctx, u)
	if err != nil {
		return
	}
	for _, vs := range h {
		for _, v := range vs {
			val := v.Reveal()
			p.secret(val)
			if scheme, rest, ok := strings.Cut(val, " "); ok {
				p.secret(rest) // the token alone
				if strings.EqualFold(scheme, "Basic") {
					if dec, err := base64.StdEncoding.DecodeString(rest); err == nil {
						if _, pass, ok := strings.Cut(string(dec), ":"); ok {
							p.secret(pass)
						}
					}
				}
			}
		}
	}
}

func newProbeReport(sp proxyenv.SourceProbe) *probeReport {
	r := &probeReport{Role: sp.Role, URL: sp.URL, Skipped: sp.Skipped, Note: sp.Note, Credential: sp.Credential, Retried: sp.Retried}
	if sp.Step >= 0 {
		step := sp.Step
		r.Step = &step
	}
	if u, err := url.Parse(sp.URL); err == nil {
		r.host = u.Host
	}
	res := sp.Result
	if res == nil {
		return r
	}
	r.Proxy, r.OK, r.StatusCode, r.Protocol = res.Proxy, res.OK, res.StatusCode, res.Protocol
	r.TLSVersion, r.Cipher, r.Chain = res.TLSVersion, res.Cipher, res.Chain
	r.Elapsed = duration(res.Elapsed)
	r.chain = res.ChainPEM()
	if e := res.Error; e != nil {
		r.Error = &probeError{
			Kind: string(e.Kind), Host: e.Host, Proxy: e.Proxy, Message: e.Message, StatusCode: e.StatusCode,
			VerifiesWith: string(e.VerifiesWith), Evidence: e.Evidence, AcceptableCAs: e.AcceptableCAs,
			Sources: e.Sources, Hint: e.Hint,
		}
		if e.ClockOffset != 0 {
			r.Error.ClockOffset = duration(e.ClockOffset)
		}
	}
	return r
}

// duration formats d for people and for -json: "12ms", "1.5s".
func duration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

func statusText(code int) string {
	if code == 0 {
		return ""
	}
	return http.StatusText(code)
}

// saveChains writes the chain each https server presented to
// dir/HOST.pem (":" in HOST becomes "_"), once per host, and returns the
// files written.
func saveChains(dir string, mods []*moduleReport) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("-save-chain: %w", err)
	}
	var saved []string
	var errs []error
	done := map[string]bool{}
	for _, m := range mods {
		for _, s := range m.Sources {
			if len(s.chain) == 0 || s.host == "" || done[s.host] {
				continue
			}
			done[s.host] = true
			name := filepath.Join(dir, strings.NewReplacer(":", "_", "/", "_", "[", "", "]", "").Replace(s.host)+".pem")
			if err := os.WriteFile(name, s.chain, 0o644); err != nil {
				errs = append(errs, fmt.Errorf("-save-chain: %w", err))
				continue
			}
			saved = append(saved, name)
		}
	}
	return saved, errors.Join(errs...)
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

// scrubSecrets replaces each secret in s by "xxxxx". Secrets shorter
// than four bytes are left alone: replacing them would garble the text.
func scrubSecrets(s string, secrets []string) string {
	var pairs []string
	for _, v := range secrets {
		if len(v) >= 4 {
			pairs = append(pairs, v, "xxxxx")
		}
	}
	if len(pairs) == 0 {
		return s
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
