package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// A Kind classifies a failed connection. The values are part of the API
// and of the doctor's JSON output.
type Kind string

// The kinds of failure [Classify] distinguishes.
const (
	KindUnknownAuthority   Kind = "unknown-authority"    // the chain does not lead to a trusted root
	KindSelfSigned         Kind = "self-signed"          // the server presented a self-signed certificate
	KindIncompleteChain    Kind = "incomplete-chain"     // the server did not send its intermediate
	KindExpired            Kind = "expired"              // a certificate's NotAfter has passed
	KindNotYetValid        Kind = "not-yet-valid"        // a certificate's NotBefore is in the future
	KindHostnameMismatch   Kind = "hostname-mismatch"    // the certificate is for other names
	KindNotTLS             Kind = "not-tls"              // the peer does not speak TLS (e.g. plain HTTP on a TLS port)
	KindHandshakeFailure   Kind = "handshake-failure"    // TLS version, cipher suite or alert
	KindClientCertRequired Kind = "client-cert-required" // the server asked for a client certificate and refused the connection
	KindDNS                Kind = "dns"                  // the host name did not resolve
	KindConnect            Kind = "connect"              // the TCP connection failed
	KindTimeout            Kind = "timeout"              // a dial, handshake or request timed out
	KindProxy              Kind = "proxy"                // the HTTP proxy, or the CONNECT through it, failed
	KindHTTPStatus         Kind = "http-status"          // the server answered with an error status ([Probe] only)
	KindProtocol           Kind = "protocol"             // the server was reached but its HTTP answer was unusable (e.g. headers over net/http's limit)
	KindCredentials        Kind = "credentials"          // the credentials to send could not be obtained ([Probe] only)
)

// An Error is a classified connection failure with the evidence that
// explains it and a hint naming the fix. It is returned by [Classify], by
// requests through a [Transport] (inside the *url.Error of net/http, so
// use errors.As) and in a [ProbeResult]. It encodes to JSON; Err, the
// original error it wraps, is represented by Message.
type Error struct {
	Kind Kind `json:"kind"`
	// Host is the server that was dialed (host name or IP, no port).
	Host string `json:"host,omitempty"`
	// Proxy is the HTTP proxy used, with any password redacted.
	Proxy string `json:"proxy,omitempty"`
	// Message is the original error's text.
	Message string `json:"message"`
	// Chain is the certificate chain the server presented, leaf first,
	// for certificate failures.
	Chain []CertInfo `json:"chain,omitempty"`
	// Sources lists the trust sources consulted.
	Sources []string `json:"sources,omitempty"`
	// VerifiesWith names the single change under which the presented
	// chain verifies offline (see the Verifies* constants), or is empty.
	VerifiesWith Verification `json:"verifiesWith,omitempty"`
	// Evidence lists the observations behind the classification.
	Evidence []string `json:"evidence,omitempty"`
	// ClockOffset is, for validity failures, how far the local clock
	// would have to move for the certificate to be valid (positive:
	// forward, i.e. the clock may be behind).
	ClockOffset time.Duration `json:"clockOffsetNs,omitempty"`
	// AcceptableCAs lists the CA names a server requesting a client
	// certificate said it accepts.
	AcceptableCAs []string `json:"acceptableCAs,omitempty"`
	// StatusCode is the HTTP status for KindHTTPStatus and for a refused
	// CONNECT (KindProxy).
	StatusCode int `json:"statusCode,omitempty"`
	// Hint says how to fix the problem in the terms of a person running
	// a command: environment variables, files and commands (on Unix
	// systems other than macOS, SSL_CERT_FILE and SSL_CERT_DIR; on macOS
	// and Windows, the system store). It never suggests disabling
	// certificate verification, nor trusting a certificate that a
	// TLS-inspecting proxy minted for one host.
	Hint string `json:"hint,omitempty"`
	// APIHint says the same for a program that configures its trust
	// with this package ([Config] fields such as Extra, ClientCertFile or
	// MozillaFallback). It is empty when the fix is not a matter of
	// trust configuration; see [Error.HintFor].
	APIHint string `json:"apiHint,omitempty"`
	// Err is the original error.
	Err error `json:"-"`
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("trust: ")
	b.WriteString(string(e.Kind))
	if e.Host != "" {
		b.WriteString(" for ")
		b.WriteString(e.Host)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Hint != "" {
		b.WriteString("; hint: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the original error.
func (e *Error) Unwrap() error { return e.Err }

// An Audience is who a hint is written for ([Error.HintFor]).
type Audience int

const (
	// AudienceCommandLine is a person running a command such as go or
	// a tool built on this package: the fix is an environment variable,
	// a file or a command.
	AudienceCommandLine Audience = iota
	// AudienceAPI is a program that builds its trust with this package:
	// the fix is a [Config] field.
	AudienceAPI
)

// HintFor returns the hint for audience a: [Error.APIHint] for
// AudienceAPI when there is one, [Error.Hint] otherwise.
func (e *Error) HintFor(a Audience) string {
	if a == AudienceAPI && e.APIHint != "" {
		return e.APIHint
	}
	return e.Hint
}

// ChainPEM returns the certificate chain the server presented, leaf
// first, as PEM CERTIFICATE blocks — for instance to save it for a
// closer look with openssl, or to hand the top certificate to whoever
// decides whether it should be trusted. It returns nil when no chain was
// presented or the Error was decoded from JSON, which does not carry the
// certificates.
func (e *Error) ChainPEM() []byte { return ChainPEM(e.Chain) }

// ChainPEM encodes the certificates of chain that carry their DER
// encoding ([CertInfo.Raw]) as PEM CERTIFICATE blocks, in order. It
// returns nil if there are none.
func ChainPEM(chain []CertInfo) []byte {
	var out []byte
	for _, c := range chain {
		if len(c.Raw) > 0 {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
	}
	return out
}

// A Verification names the single change under which a failing chain
// verifies offline ([Error.VerifiesWith]).
type Verification string

// The changes under which a failing chain verifies offline
// ([Error.VerifiesWith]).
const (
	VerifiesNow             Verification = "as-is"                 // it verifies offline now: the failure was elsewhere (platform verifier, transient)
	VerifiesWithoutHostname Verification = "without-hostname"      // ignoring the host name
	VerifiesAtValidTime     Verification = "at-valid-time"         // at a time inside every certificate's validity window
	VerifiesWithMozilla     Verification = "with-mozilla-roots"    // with the Mozilla root bundle instead of the pool
	VerifiesWithTopAsRoot   Verification = "with-top-as-root"      // trusting the top presented certificate
	VerifiesWithLeafAsRoot  Verification = "with-leaf-as-root"     // trusting the (self-signed) leaf itself
	VerifiesWithUnscoped    Verification = "without-host-scope"    // lifting the host limits of the extra sources
	VerifiesWithAIA         Verification = "with-aia-intermediate" // adding the intermediate fetched from the leaf's AIA URL
)

// CertInfo summarises one certificate.
type CertInfo struct {
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	DNSNames    []string  `json:"dnsNames,omitempty"`
	IPAddresses []string  `json:"ipAddresses,omitempty"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	SHA256      string    `json:"sha256"`
	IsCA        bool      `json:"isCA,omitempty"`
	SelfSigned  bool      `json:"selfSigned,omitempty"`
	AIA         []string  `json:"aia,omitempty"`
	// Raw is the DER encoding of the certificate (see [ChainPEM]). It is
	// not part of the JSON form, and it is empty in a CertInfo decoded
	// from JSON.
	Raw []byte `json:"-"`
}

// summarize describes c for an error or a probe, checking a self-signed
// certificate's signature.
func summarize(c *x509.Certificate) CertInfo {
	ci := describe(c)
	ci.SelfSigned = selfSigned(c)
	return ci
}

// summarizeRoot describes a root being loaded. Whether it is self-signed
// is judged from its names and key identifiers only, since checking the
// signature of every root of a large bundle would cost more than parsing
// it.
func summarizeRoot(c *x509.Certificate) CertInfo {
	ci := describe(c)
	ci.SelfSigned = bytes.Equal(c.RawSubject, c.RawIssuer) &&
		(len(c.AuthorityKeyId) == 0 || bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId))
	return ci
}

func describe(c *x509.Certificate) CertInfo {
	sum := sha256.Sum256(c.Raw)
	ci := CertInfo{
		Subject:   c.Subject.String(),
		Issuer:    c.Issuer.String(),
		DNSNames:  c.DNSNames,
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
		SHA256:    hex.EncodeToString(sum[:]),
		IsCA:      c.IsCA,
		AIA:       c.IssuingCertificateURL,
		Raw:       c.Raw,
	}
	for _, ip := range c.IPAddresses {
		ci.IPAddresses = append(ci.IPAddresses, ip.String())
	}
	return ci
}

func selfSigned(c *x509.Certificate) bool {
	return string(c.RawSubject) == string(c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// An Option adds context to [Classify] and [Probe].
type Option func(*options)

type options struct {
	host      string
	proxy     *url.URL
	pool      *Pool
	rec       *connRecord
	now       func() time.Time
	aia       *http.Client
	proxyFunc func(*http.Request) (*url.URL, error)
	base      *http.Transport
	timeout   time.Duration
	header    func(context.Context, *url.URL) (http.Header, error)
}

// WithHost names the server that was dialed (host or host:port). Without
// it, Classify takes the host from a *url.Error or a verification error.
func WithHost(host string) Option {
	return func(o *options) {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		o.host = host
	}
}

// WithProxyURL names the HTTP proxy the connection went through.
func WithProxyURL(u *url.URL) Option { return func(o *options) { o.proxy = u } }

// WithPool names the pool the client trusted, so the diagnosis can
// re-verify against it and list its sources. Without it the system roots
// are assumed.
func WithPool(p *Pool) Option { return func(o *options) { o.pool = p } }

// WithTime sets the current time for the diagnosis (default time.Now).
func WithTime(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithAIAFetch lets the diagnosis fetch a missing intermediate from the
// leaf's Authority Information Access URL with client (plain HTTP, at
// most 64 KiB), to confirm an incomplete chain. Off by default: it makes
// a network request.
func WithAIAFetch(client *http.Client) Option { return func(o *options) { o.aia = client } }

// WithProxy sets the proxy function [Probe] uses, like
// http.Transport.Proxy (for example from golang.org/x/net/http/httpproxy).
// Without it, Probe connects directly.
func WithProxy(f func(*http.Request) (*url.URL, error)) Option {
	return func(o *options) { o.proxyFunc = f }
}

// WithBaseTransport sets the transport [Probe] derives its own from
// (default: a clone of http.DefaultTransport; its Proxy is replaced by
// [WithProxy]'s, or none).
func WithBaseTransport(t *http.Transport) Option { return func(o *options) { o.base = t } }

// WithTimeout bounds [Probe] (default 15s).
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

func withRecord(r *connRecord) Option { return func(o *options) { o.rec = r } }

// Classify converts an error from a TLS dial or an HTTP request into an
// *Error, or returns nil for a nil err. If err already holds an *Error it
// is returned. Certificate failures are diagnosed by re-verifying the
// presented chain offline; the classification never depends on error
// strings. What the handshake did is known only to requests made through
// a [Transport] or [Probe]: there, any failure after the server asked for
// a client certificate is [KindClientCertRequired], even when a TLS 1.3
// server's refusal arrives as a reset connection; Classify on its own
// recognises the certificate_required alert.
func Classify(err error, opts ...Option) *Error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) {
		return done
	}
	o := &options{now: time.Now}
	for _, f := range opts {
		f(o)
	}
	e := &Error{Err: err, Message: err.Error(), Host: o.host}
	var ue *url.Error
	if errors.As(err, &ue) {
		if e.Host == "" {
			if u, perr := url.Parse(ue.URL); perr == nil {
				e.Host = u.Hostname()
			}
		}
	}
	rec := o.rec.snapshot()
	if o.proxy == nil {
		o.proxy = rec.proxy
	}
	if o.proxy != nil {
		e.Proxy = o.proxy.Redacted()
	}
	e.Sources = o.pool.Report().sourceNames()
	if o.pool == nil {
		e.Sources = []string{"system roots"}
	}
	classify(e, err, o, rec)
	return e
}

func classify(e *Error, err error, o *options, rec recordState) {
	var (
		opErr   *net.OpError
		rhe     tls.RecordHeaderError
		cve     *tls.CertificateVerificationError
		hostErr x509.HostnameError
		uaErr   x509.UnknownAuthorityError
		ciErr   x509.CertificateInvalidError
		dnsErr  *net.DNSError
		alertE  tls.AlertError
		netErr  net.Error
	)
	proxied := errors.As(err, &opErr) && opErr.Op == "proxyconnect"
	isRHE := errors.As(err, &rhe)
	switch {
	case proxied:
		e.Kind = KindProxy
		switch {
		case isRHE && string(rhe.RecordHeader[:]) != "" && strings.HasPrefix(string(rhe.RecordHeader[:]), "HTTP/"):
			e.Evidence = append(e.Evidence, fmt.Sprintf("the proxy answered the TLS handshake with plain HTTP (%q)", rhe.RecordHeader[:]))
			e.Hint = fmt.Sprintf("the proxy URL %s uses https:// but the proxy speaks plain HTTP: use http:// in HTTPS_PROXY/HTTP_PROXY (the connection to the server is still end-to-end TLS through CONNECT)", e.Proxy)
		case isRHE:
			e.Hint = fmt.Sprintf("the proxy %s does not speak TLS; check the scheme and port in HTTPS_PROXY/HTTP_PROXY", e.Proxy)
		case o.proxy != nil && o.proxy.Scheme == "https" && rec.tlsStarted && !rec.tlsDone && !errors.As(err, &cve):
			e.Evidence = append(e.Evidence, "the TLS handshake with the https:// proxy did not complete")
			e.Hint = fmt.Sprintf("the proxy URL %s uses https:// but the proxy did not complete a TLS handshake: if it is a plain HTTP proxy (most are), use http:// in HTTPS_PROXY/HTTP_PROXY (the connection to the server is still end-to-end TLS through CONNECT)", e.Proxy)
		case errors.As(err, &dnsErr):
			e.Hint = fmt.Sprintf("the proxy host in %s does not resolve; check HTTPS_PROXY/HTTP_PROXY", e.Proxy)
		case errors.As(err, &cve) || errors.As(err, &uaErr):
			e.Hint, e.APIHint = trustCAHints(o.pool, "the proxy's CA certificate")
			lead := fmt.Sprintf("the https:// proxy %s presented a certificate that is not trusted: ", e.Proxy)
			e.Hint, e.APIHint = lead+e.Hint, lead+e.APIHint
			if cve != nil {
				e.Chain = summaries(cve.UnverifiedCertificates)
			}
		default:
			e.Hint = fmt.Sprintf("cannot connect to the proxy %s; check HTTPS_PROXY/HTTP_PROXY and NO_PROXY, and that the proxy is running", e.Proxy)
		}
		return
	case rec.proxyStatus != 0 && rec.proxyStatus != http.StatusOK:
		e.Kind = KindProxy
		e.StatusCode = rec.proxyStatus
		e.Evidence = append(e.Evidence, fmt.Sprintf("the proxy refused CONNECT %s with status %d", e.Host, rec.proxyStatus))
		switch rec.proxyStatus {
		case http.StatusProxyAuthRequired:
			e.Hint = "the proxy requires credentials: put them in the proxy URL (http://user:password@proxy:port) or configure the proxy's authentication"
		case http.StatusForbidden:
			e.Hint = fmt.Sprintf("the proxy forbids tunnelling to %s (check its allow list, e.g. ConnectPort / Allow rules), or list the host in NO_PROXY if it should be reached directly", e.Host)
		default:
			e.Hint = fmt.Sprintf("the proxy %s refused the tunnel to %s; check the proxy's configuration or NO_PROXY", e.Proxy, e.Host)
		}
		return
	case errors.Is(err, http.ErrSchemeMismatch) || isRHE:
		e.Kind = KindNotTLS
		if isRHE && !strings.HasPrefix(string(rhe.RecordHeader[:]), "HTTP/") {
			e.Evidence = append(e.Evidence, fmt.Sprintf("the first bytes from the server were %q", rhe.RecordHeader[:]))
			e.Hint = fmt.Sprintf("%s does not speak TLS on this port; check the port in the URL", e.Host)
		} else {
			e.Evidence = append(e.Evidence, "the server answered the TLS handshake with an HTTP response")
			e.Hint = fmt.Sprintf("%s speaks plain HTTP on this port: use an http:// URL for it (for GOPROXY, only if the network is trusted), or the server's HTTPS port", e.Host)
		}
		return
	case errors.As(err, &cve) || errors.As(err, &hostErr) || errors.As(err, &uaErr) || errors.As(err, &ciErr):
		var chain []*x509.Certificate
		switch {
		case cve != nil:
			chain = cve.UnverifiedCertificates
		case hostErr.Certificate != nil:
			chain = []*x509.Certificate{hostErr.Certificate}
		case uaErr.Cert != nil:
			chain = []*x509.Certificate{uaErr.Cert}
		case ciErr.Cert != nil:
			chain = []*x509.Certificate{ciErr.Cert}
		}
		if e.Host == "" && hostErr.Host != "" {
			e.Host = hostErr.Host
		}
		diagnose(e, err, chain, o)
		return
	case rec.clientCertRequested && refusedAfterCertRequest(err, rec.sentCert),
		alertIs(err, alertCertificateRequired):
		e.Kind = KindClientCertRequired
		e.AcceptableCAs = rec.acceptableCAs
		if rec.clientCertRequested {
			e.Evidence = append(e.Evidence, "the server requested a client certificate during the handshake")
		}
		if alertIs(err, alertCertificateRequired) {
			e.Evidence = append(e.Evidence, "the server sent the TLS alert certificate_required")
		} else if !isRemoteAlert(err) && !errors.As(err, &alertE) {
			// In TLS 1.3 the client's handshake is over before the
			// server looks at the certificate, so the server's refusal
			// races with the client's first request: the alert may be
			// lost to a reset connection.
			e.Evidence = append(e.Evidence, "the connection then failed without a TLS alert (a TLS 1.3 server's refusal can arrive as a reset connection)")
		}
		if rec.sentCert {
			e.Evidence = append(e.Evidence, "a client certificate was sent and the server refused the connection")
			e.Hint = "the server rejected the client certificate: check that it is issued by a CA the server accepts and has not expired"
			e.APIHint = "the server rejected the certificate of Config.ClientCertFile (or ClientCertPEM): check that it is issued by a CA the server accepts and has not expired"
		} else {
			// The go command never presents a client certificate.
			e.Hint = fmt.Sprintf("%s requires a client certificate (mutual TLS), which the go command cannot present: ask its operator for another way in (credentials in .netrc or GOAUTH), or use a client configured with a certificate and key", e.Host)
			e.APIHint = "the server requires a client certificate: set ClientCertFile and ClientKeyFile (or ClientCertPEM and ClientKeyPEM) in the trust Config"
		}
		if len(rec.acceptableCAs) > 0 {
			accepts := " (the server accepts certificates issued by: " + strings.Join(rec.acceptableCAs, "; ") + ")"
			e.Hint += accepts
			e.APIHint += accepts
		}
		return
	case errors.As(err, &dnsErr):
		e.Kind = KindDNS
		e.Hint = fmt.Sprintf("the name %s does not resolve: check its spelling, your DNS settings, or whether it is reachable only through a proxy (HTTPS_PROXY)", dnsErr.Name)
		return
	case errors.As(err, &netErr) && netErr.Timeout() || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		e.Kind = KindTimeout
		if rec.tlsStarted && !rec.tlsDone {
			e.Evidence = append(e.Evidence, "the TCP connection succeeded but the TLS handshake never completed")
			e.Hint = handshakeTimeoutHint(e.Host, e.Proxy)
		} else {
			e.Hint = fmt.Sprintf("%s did not answer in time: check the network path, firewall, or whether a proxy (HTTPS_PROXY) is required", e.Host)
		}
		return
	case isRemoteAlert(err) || errors.As(err, &alertE) || (rec.tlsStarted && !rec.tlsDone):
		e.Kind = KindHandshakeFailure
		code, ok := alertCode(err)
		switch {
		case ok && (code == 70 || code == 71):
			e.Hint = fmt.Sprintf("%s and this client share no TLS version: modnet requires TLS 1.2 or later; the server must enable TLS 1.2/1.3", e.Host)
		case ok && code == 40:
			e.Hint = fmt.Sprintf("%s refused the handshake (no common cipher suite, curve or version?); modnet offers TLS 1.2/1.3 with Go's secure defaults, so the server must enable a modern AEAD cipher suite", e.Host)
		default:
			e.Hint = fmt.Sprintf("the TLS handshake with %s failed; compare the server's TLS versions and cipher suites with Go's defaults (TLS 1.2+)", e.Host)
		}
		return
	case strings.Contains(err.Error(), "server response headers exceeded"):
		// net/http has no typed error for this: the server answered, with
		// more header bytes than the client accepts.
		e.Kind = KindProtocol
		e.Hint = fmt.Sprintf("%s answered with response headers larger than net/http accepts (10 MiB): the server, or a proxy in between, is misbehaving; it is not a connection problem", e.Host)
		return
	default:
		e.Kind = KindConnect
		if e.Host == "" {
			e.Hint = "the request has no server to connect to: check the URL (a GOPROXY entry such as \"https://\" with no host)"
			return
		}
		e.Hint = fmt.Sprintf("cannot connect to %s: check that the server is running and the port is right, and whether a firewall or proxy is in the way", e.Host)
	}
}

// handshakeTimeoutHint lists the likely causes of a TLS handshake that
// never completed, most likely first.
func handshakeTimeoutHint(host, proxy string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the TLS handshake with %s did not complete in time; likely causes, most likely first: ", host)
	fmt.Fprintf(&b, "(1) nothing answers TLS on that port — a wrong port in the URL, or a service that waits for the client to speak first; ")
	b.WriteString("(2) a middlebox (firewall or TLS-inspecting proxy) that drops the large post-quantum ClientHello — retry with GODEBUG=tlsmlkem=0 and, if that works, report the middlebox to your network team")
	if proxy != "" {
		fmt.Fprintf(&b, "; (3) the proxy %s accepted the tunnel but does not pass it on — try without it (NO_PROXY=%s) if the host is reachable directly", proxy, host)
	} else {
		b.WriteString("; (3) a network that only lets TLS out through a proxy — set HTTPS_PROXY")
	}
	return b.String()
}

// alertCertificateRequired is the TLS 1.3 alert certificate_required
// (RFC 8446, section 6.2).
const alertCertificateRequired = 116

// alertIs reports whether err is the TLS alert code.
func alertIs(err error, code uint8) bool {
	c, ok := alertCode(err)
	return ok && c == code
}

// refusedAfterCertRequest reports whether err, from a connection on which
// the server asked for a client certificate, is how a server refuses the
// certificate (or its absence): an alert, or — since in TLS 1.3 the
// refusal races with the client's first write — a connection reset,
// broken or closed before any response. Without a certificate sent, any
// failure other than a timeout counts: the server asked for one and the
// connection did not survive.
func refusedAfterCertRequest(err error, sentCert bool) bool {
	var alertE tls.AlertError
	if isRemoteAlert(err) || errors.As(err, &alertE) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	if !sentCert {
		return true
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// isRemoteAlert reports whether err is an alert received from the peer
// (crypto/tls returns those as a *net.OpError with Op "remote error").
func isRemoteAlert(err error) bool {
	var opErr *net.OpError
	for e := err; e != nil; {
		if errors.As(e, &opErr) {
			if opErr.Op == "remote error" {
				return true
			}
			e = opErr.Err
			continue
		}
		return false
	}
	return false
}

// alertCode extracts the TLS alert number from a received or sent alert.
func alertCode(err error) (uint8, bool) {
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return uint8(ae), true
	}
	var opErr *net.OpError
	for e := err; errors.As(e, &opErr); e = opErr.Err {
		if opErr.Op == "remote error" {
			// crypto/tls's alert type is an unexported uint8; its
			// number is the alert code.
			if a, ok := opErr.Err.(interface{ Error() string }); ok {
				if n, ok := alertNumber(a); ok {
					return n, true
				}
			}
			return 0, false
		}
	}
	return 0, false
}

func summaries(certs []*x509.Certificate) []CertInfo {
	out := make([]CertInfo, 0, len(certs))
	for _, c := range certs {
		out = append(out, summarize(c))
	}
	return out
}
