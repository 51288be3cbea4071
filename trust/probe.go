package trust

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/modnet/modnet/internal/redact"
)

// A ProbeResult is the outcome of [Probe], ready for JSON encoding.
type ProbeResult struct {
	// URL is the probed URL, with any password redacted.
	URL string `json:"url"`
	// Proxy is the proxy used, with any password redacted.
	Proxy string `json:"proxy,omitempty"`
	// OK reports whether the server was reached over verified TLS (or
	// plain HTTP for http:// URLs) and answered with a status that is not
	// an error. 404 and 410 count as reached: the go command treats them
	// as "not found here", not as failures.
	OK         bool   `json:"ok"`
	StatusCode int    `json:"statusCode,omitempty"`
	Protocol   string `json:"protocol,omitempty"`
	TLSVersion string `json:"tlsVersion,omitempty"`
	Cipher     string `json:"cipherSuite,omitempty"`
	// Chain is the certificate chain the server presented, leaf first.
	Chain []CertInfo `json:"chain,omitempty"`
	// Error is the classified failure; nil when OK.
	Error *Error `json:"error,omitempty"`
	// Trust reports the trust sources of the pool used.
	Trust *Report `json:"trust,omitempty"`
	// Elapsed is the probe's duration.
	Elapsed time.Duration `json:"elapsedNs"`
}

// ChainPEM returns the certificate chain the server presented, leaf
// first, as PEM (see [Error.ChainPEM]); nil if none was presented.
func (r *ProbeResult) ChainPEM() []byte { return ChainPEM(r.Chain) }

// WithHeader makes [Probe] send the header fields f returns for the
// URL, such as the credentials a module client would send. f is called
// once per probe; its values are sent only, never recorded in the
// result. An error from f fails the probe with kind "credentials".
func WithHeader(f func(ctx context.Context, u *url.URL) (http.Header, error)) Option {
	return func(o *options) { o.header = f }
}

// Probe requests rawURL with GET the way a real module download would —
// through the proxy chosen by [WithProxy], trusting the pool given by
// [WithPool] (nil: the system roots) — and returns the classified result,
// the presented chain and the trust report. The body is not read beyond
// what the handshake needs. Probe always returns a non-nil result.
func Probe(ctx context.Context, rawURL string, opts ...Option) *ProbeResult {
	o := &options{now: time.Now, timeout: 15 * time.Second}
	for _, f := range opts {
		f(o)
	}
	res := &ProbeResult{URL: redact.URL(rawURL), Trust: o.pool.Report()}
	start := time.Now()
	defer func() { res.Elapsed = time.Since(start) }()

	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse quotes the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = &url.Error{Op: ue.Op, URL: res.URL, Err: ue.Err}
		}
		res.Error = &Error{Kind: KindConnect, Message: err.Error(), Err: err, Hint: "the URL cannot be parsed"}
		return res
	}
	res.URL = u.Redacted()
	base := o.base
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	base = base.Clone()
	base.Proxy = o.proxyFunc
	base.DisableKeepAlives = true
	tr := NewTransport(o.pool, base)
	defer tr.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		res.Error = &Error{Kind: KindConnect, Message: err.Error(), Err: err, Hint: "the URL cannot be requested"}
		return res
	}
	if o.header != nil {
		h, err := o.header(ctx, u)
		if err != nil {
			res.Error = &Error{Kind: KindCredentials, Host: u.Hostname(), Message: err.Error(), Err: err,
				Hint: "the credentials for " + u.Host + " could not be obtained: check GOAUTH and the netrc file"}
			return res
		}
		for k, vs := range h {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
	}
	if o.proxyFunc != nil {
		if pu, err := o.proxyFunc(req); err == nil && pu != nil {
			res.Proxy = pu.Redacted()
		}
	}
	rec := &connRecord{}
	g := tr.current()
	resp, err := g.rt.RoundTrip(req.WithContext(withTracing(ctx, rec)))
	if err != nil {
		cOpts := append([]Option{WithHost(u.Host), WithPool(o.pool), withRecord(rec)}, opts...)
		res.Error = Classify(err, cOpts...)
		res.Chain = res.Error.Chain
		return res
	}
	defer resp.Body.Close()
	io.CopyN(io.Discard, resp.Body, 4<<10)
	res.StatusCode = resp.StatusCode
	res.Protocol = resp.Proto
	if cs := resp.TLS; cs != nil {
		res.TLSVersion = tls.VersionName(cs.Version)
		res.Cipher = tls.CipherSuiteName(cs.CipherSuite)
		res.Chain = summaries(cs.PeerCertificates)
	}
	if resp.StatusCode >= 400 && resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusGone {
		e := &Error{Kind: KindHTTPStatus, Host: u.Hostname(), Proxy: res.Proxy, StatusCode: resp.StatusCode, Message: resp.Status}
		switch {
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			e.Hint = fmt.Sprintf("%s refused the request (%s): it needs credentials (a .netrc entry or GOAUTH) or a different URL", u.Hostname(), resp.Status)
		case resp.StatusCode >= 500:
			e.Hint = fmt.Sprintf("%s failed (%s): a server-side error; retry later or contact its operator", u.Hostname(), resp.Status)
		default:
			e.Hint = fmt.Sprintf("%s answered %s", u.Hostname(), resp.Status)
		}
		e.Err = fmt.Errorf("trust: %s: %s", res.URL, resp.Status)
		e.Sources = o.pool.Report().sourceNames()
		res.Error = e
		return res
	}
	res.OK = true
	return res
}
