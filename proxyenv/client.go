package proxyenv

import (
	"context"
	"crypto/tls"
	"maps"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"time"

	"github.com/modnet/modnet/matcher"
	"github.com/modnet/modnet/netrcauth"
	"github.com/modnet/modnet/trust"
)

// ClientOptions configures [Env.Client]. The zero value gives a client that
// behaves like the go command's: the roots Go itself trusts (with
// SSL_CERT_FILE and SSL_CERT_DIR), the HTTP proxy variables, and the
// credentials of GOAUTH and the netrc file.
type ClientOptions struct {
	// Trust supplies the roots to trust: a *trust.Pool built once and
	// shared, or a *trust.Reloader that follows CA files as they rotate.
	// Nil means a pool built from the Env's SSL_CERT_FILE and
	// SSL_CERT_DIR, as crypto/x509 reads them.
	Trust trust.PoolSource

	// Credentials are credentials added to those GOAUTH provides, such as
	// [netrcauth.Bearer] tokens. For the same URL prefix they win over
	// GOAUTH's.
	Credentials []netrcauth.Credential

	// CommandEnv is the environment of GOAUTH commands and git, in
	// [os/exec.Cmd] Env form. Nil means the current process environment.
	CommandEnv []string

	// Base is the transport to derive from (dialer, timeouts, connection
	// pool sizes). Nil means a clone of [http.DefaultTransport]. Its Proxy
	// and TLSClientConfig are replaced.
	Base *http.Transport

	// StrictHTTPProxy refuses HTTP proxy variables that the go command's
	// HTTP client silently ignores or misreads (see
	// [Env.ValidateHTTPProxy]), such as a proxy URL without a scheme. By
	// default [Env.Client] uses them as the go command does, and
	// [Env.Lint] reports them.
	StrictHTTPProxy bool

	// SkipRerunOnNotFound does not re-run GOAUTH commands and retry after a
	// 404 or 410 from a proxy that merely lacks a module. The go command
	// retries every 4xx response.
	SkipRerunOnNotFound bool

	// WrapTransport, if non-nil, wraps the transport that sends each
	// request (tracing, logging, metrics, a User-Agent): it sees every
	// request the client and a modfetch.Fetcher send, each redirect hop and
	// each retry, as it goes out — with its credentials, so it must not
	// print header values — and every response or classified error. It is
	// called once per transport when the client is built.
	WrapTransport func(http.RoundTripper) http.RoundTripper

	// Logf, if non-nil, receives the diagnostics the go command prints
	// with -x about GOAUTH failures. Nothing it receives holds a secret.
	Logf func(format string, args ...any)
}

// A Client reaches module servers the way the go command does for an
// environment: through its HTTP proxy, trusting its roots, presenting its
// credentials. It is safe for concurrent use. Two Clients never share
// mutable state (connections, credentials, caches).
type Client struct {
	env          *Env
	router       *Router
	base         http.RoundTripper // the transport under the credentials
	http         *http.Client
	insecureHTTP *http.Client // GOINSECURE direct fetches; nil in insecure itself
	insecureC    *Client      // the client around insecureHTTP
	auth         *netrcauth.Auth
	pool         trust.PoolSource
	proxy        func(*url.URL) (*url.URL, error)
	insecure     *matcher.List
}

// Timeouts of the transports a Client builds. The go command sets none
// beyond net/http's defaults; these keep a dead server from hanging a
// tool forever while leaving slow downloads alone.
const (
	dialTimeout           = 30 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 2 * time.Minute
	// insecureTimeout is the whole-request limit the go command puts on
	// GOINSECURE fetches.
	insecureTimeout = 5 * time.Second
)

// Client returns a client for the environment e. It fails if the trust
// sources cannot be loaded, GOAUTH is invalid (the go command's own
// errors), or, when opts.StrictHTTPProxy is set, an HTTP proxy variable
// is one the go command would silently misread.
//
// The returned client's HTTP method gives the *http.Client to use for
// module proxies and checksum databases; errors from its requests hold a
// *[trust.Error] (errors.As works through *url.Error).
func (e *Env) Client(opts ClientOptions) (*Client, error) {
	getenv := func(k string) string { // for the netrc file's location
		switch k {
		case "NETRC":
			// GOAUTH=netrc reads NETRC from the process environment
			// only, which is what e.NETRC holds.
			return e.NETRC
		case "HOME", "USERPROFILE", "home":
			return e.HOME
		}
		return ""
	}

	if opts.StrictHTTPProxy {
		if err := e.withProxySources().ValidateHTTPProxy(); err != nil {
			return nil, err
		}
	}

	pool := opts.Trust
	if pool == nil {
		p, err := e.TrustConfig().Build()
		if err != nil {
			return nil, err
		}
		pool = p
	}

	netrcFile, netrcErr := netrcauth.Path(getenv, runtime.GOOS, nil)
	auth, err := netrcauth.Config{
		GOAUTH:              e.GOAUTH,
		NetrcFile:           netrcFile,
		NetrcErr:            netrcErr,
		Credentials:         opts.Credentials,
		Env:                 opts.CommandEnv,
		SkipRerunOnNotFound: opts.SkipRerunOnNotFound,
		Logf:                opts.Logf,
	}.Build()
	if err != nil {
		return nil, err
	}

	proxyFunc := e.HTTPProxyConfig().ProxyFunc()
	proxy := func(req *http.Request) (*url.URL, error) { return proxyFunc(req.URL) }

	base := opts.Base
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
		base.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
		base.TLSHandshakeTimeout = tlsHandshakeTimeout
		base.ResponseHeaderTimeout = responseHeaderTimeout
	} else {
		base = base.Clone()
	}
	base.Proxy = proxy

	// The client keeps its own copy: later edits to e do not affect it.
	ec := *e
	ec.Sources = maps.Clone(e.Sources)
	wrap := opts.WrapTransport
	if wrap == nil {
		wrap = func(rt http.RoundTripper) http.RoundTripper { return rt }
	}
	tr := wrap(trust.NewTransport(pool, base))
	c := &Client{
		env:      &ec,
		base:     tr,
		router:   ec.Router(), // routes are computed per download; compile once
		auth:     auth,
		pool:     pool,
		proxy:    proxyFunc,
		insecure: matcher.Compile(e.GOINSECURE),
	}
	c.http = &http.Client{
		Transport:     &netrcauth.Transport{Base: tr, Auth: auth},
		CheckRedirect: netrcauth.CheckRedirect,
	}

	// GOINSECURE fetches skip certificate verification and give up after
	// five seconds, as the go command's do; they are only for direct
	// (version control) lookups, never for proxies or checksum databases.
	ins := base.Clone()
	ins.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // what GOINSECURE means to the go command
	ins.ForceAttemptHTTP2 = false                               // its insecure client speaks HTTP/1.1
	c.insecureHTTP = &http.Client{
		Transport: &netrcauth.Transport{Base: wrap(ins), Auth: auth},
		// The go command's insecure client enforces only the redirect
		// limit: under GOINSECURE an https page may redirect to http.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= netrcauth.MaxRedirects {
				return netrcauth.ErrTooManyRedirects
			}
			return nil
		},
		Timeout: insecureTimeout,
	}
	ic := *c
	ic.http, ic.insecureHTTP = c.insecureHTTP, nil
	ic.insecureC = &ic
	c.insecureC = &ic
	return c, nil
}

// TrustConfig returns the roots Go trusts in e: the system roots as
// crypto/x509 finds them, with e's SSL_CERT_FILE and SSL_CERT_DIR. Add
// Extra sources to trust more CAs alongside them, and pass the built pool
// as ClientOptions.Trust.
func (e *Env) TrustConfig() *trust.Config {
	certFile, certDir := e.SSL_CERT_FILE, e.SSL_CERT_DIR
	return &trust.Config{Getenv: func(k string) string {
		switch k {
		case "SSL_CERT_FILE":
			return certFile
		case "SSL_CERT_DIR":
			return certDir
		}
		return ""
	}}
}

// withProxySources returns e or, when e.Sources does not record the HTTP
// proxy values the client will use (an Env built as a literal), a copy
// whose Sources do, so that ValidateHTTPProxy checks them.
func (e *Env) withProxySources() *Env {
	vars := [...]struct{ name, value string }{
		{"HTTP_PROXY", e.HTTP_PROXY}, {"HTTPS_PROXY", e.HTTPS_PROXY}, {"NO_PROXY", e.NO_PROXY},
	}
	var c *Env
	for _, v := range vars {
		if e.Sources[v.name].Value == v.value {
			continue
		}
		if c == nil {
			cp := *e
			cp.Sources = make(map[string]Value, len(e.Sources)+len(vars))
			for k, sv := range e.Sources {
				cp.Sources[k] = sv
			}
			c = &cp
		}
		c.Sources[v.name] = Value{Name: v.name, Value: v.value, Source: SourceEnv}
	}
	if c == nil {
		return e
	}
	return c
}

// Do sends an HTTP request the way the go command sends its module proxy
// and checksum database requests, and returns the response of the last
// redirect hop (redirects are followed under the go command's rules).
//
// For an https URL, when that response is a 4xx, Do discards it, re-runs
// the GOAUTH methods with the request's URL and the response, and sends
// the request again once, restarting the redirect chain from req's URL,
// as the go command does (unless ClientOptions.SkipRerunOnNotFound applies
// to a 404 or 410). A request whose body cannot be replayed is not
// retried. Do does not modify req.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	return c.auth.Do(c.http, req)
}

// HTTP returns an *http.Client for module proxies and checksum databases.
// It adds credentials and follows redirects as [Client.Do] does, but it
// does not re-run GOAUTH and retry after a 4xx response: use Do for the go
// command's behaviour. Callers must not modify it.
func (c *Client) HTTP() *http.Client { return c.http }

// Env returns a copy of the environment the client was built from;
// changing it does not affect the client.
func (c *Client) Env() *Env {
	e := *c.env
	e.Sources = maps.Clone(c.env.Sources)
	return &e
}

// Route returns the route the go command would take to fetch modulePath
// in the client's environment (see [Env.Route]). The environment's lists
// were parsed and compiled when the client was built.
func (c *Client) Route(modulePath string) (*Route, error) { return c.router.Route(modulePath) }

// Router returns the client's compiled routing rules.
func (c *Client) Router() *Router { return c.router }

// Header returns the credential header fields the client sends to u (an
// https URL), as its GOAUTH methods, netrc file and extra credentials
// provide them; nil when none applies. The values are secrets: pass them
// on (to git, say), never print them.
func (c *Client) Header(ctx context.Context, u *url.URL) (netrcauth.SecretHeader, error) {
	if u.Scheme != "https" {
		return nil, nil
	}
	return c.auth.Header(ctx, u, c.base)
}

// Trust returns the roots the client trusts.
func (c *Client) Trust() trust.PoolSource { return c.pool }

// HTTPProxy returns the HTTP proxy the client uses for u, or nil for none.
func (c *Client) HTTPProxy(u *url.URL) (*url.URL, error) { return c.proxy(u) }

// DirectClient returns the client for a direct (version control) lookup of
// modulePath, as the go command chooses it: when a GOINSECURE pattern
// matches the path, a client that accepts any certificate, speaks
// HTTP/1.1, follows redirects from https to http and gives up after five
// seconds (its Do still re-runs GOAUTH and retries after a 4xx, and its
// credentials still go only to https URLs); otherwise c itself. The
// second result is the GOINSECURE pattern that matched, or "".
//
// GOINSECURE never applies to module proxies or checksum databases.
func (c *Client) DirectClient(modulePath string) (*Client, string) {
	if p, _, ok := c.insecure.MatchPattern(modulePath); ok {
		return c.insecureC, p
	}
	return c, ""
}

// Insecure returns the client the go command uses for the direct
// (version control) lookups of paths GOINSECURE matches; see
// [Client.DirectClient].
func (c *Client) Insecure() *Client { return c.insecureC }

// Wait waits for background work that requests started, such as the
// "git credential approve" the go command runs after a successful request
// with GOAUTH=git credentials.
func (c *Client) Wait() { c.auth.Wait() }

// CloseIdleConnections closes the idle connections of the client's
// transports.
func (c *Client) CloseIdleConnections() {
	c.http.CloseIdleConnections()
	if c.insecureHTTP != nil {
		c.insecureHTTP.CloseIdleConnections()
	}
}
