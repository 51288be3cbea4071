package trust

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"sync/atomic"
)

// connRecord collects, for one request, what the classification needs
// and errors do not carry: whether the server asked for a client
// certificate, which proxy was used and how it answered CONNECT, and how
// far the handshake got. The dial runs in its own goroutine, hence the
// mutex.
type connRecord struct {
	mu sync.Mutex
	st recordState
}

type recordState struct {
	clientCertRequested bool
	sentCert            bool
	acceptableCAs       []string
	proxy               *url.URL
	proxyStatus         int
	tlsStarted, tlsDone bool
}

func (r *connRecord) snapshot() recordState {
	if r == nil {
		return recordState{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

func (r *connRecord) update(f func(*recordState)) {
	if r == nil {
		return
	}
	r.mu.Lock()
	f(&r.st)
	r.mu.Unlock()
}

type recordKey struct{}

func recordFrom(ctx context.Context) *connRecord {
	r, _ := ctx.Value(recordKey{}).(*connRecord)
	return r
}

// withTracing returns ctx carrying rec and an httptrace that fills it.
// It costs several allocations; a [Transport] uses a [recordCtx] instead
// whenever it can.
func withTracing(ctx context.Context, rec *connRecord) context.Context {
	ctx = context.WithValue(ctx, recordKey{}, rec)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		TLSHandshakeStart: rec.tlsStart,
		TLSHandshakeDone:  rec.tlsDone,
	})
}

func (r *connRecord) tlsStart() {
	r.update(func(s *recordState) { s.tlsStarted, s.tlsDone = true, false })
}

func (r *connRecord) tlsDone(_ tls.ConnectionState, err error) {
	r.update(func(s *recordState) { s.tlsDone = err == nil })
}

// A recordCtx is the per-request context of a [Transport]: one
// allocation holding the parent context, the request's record and the
// httptrace.ClientTrace that fills it. It answers Value for recordKey{}
// with its record and, for httptrace's own key, with its trace. The
// trace's TLS hooks are set only when a connection is dialed for the
// request ([recordCtx.arm], called by the transport's dial wrapper), so a
// request on a kept-alive connection allocates nothing more: net/http
// looks the trace up before dialing but reads its hooks when the
// handshake starts and ends.
//
// It is used only when the parent carries no trace of its own (which
// httptrace.WithClientTrace would have to compose with ours).
type recordCtx struct {
	context.Context
	traceKey any // httptrace's context key, see [traceContextKey]
	rec      connRecord
	trace    httptrace.ClientTrace
}

type recordCtxKey struct{}

func (c *recordCtx) Value(key any) any {
	switch key {
	case recordKey{}:
		return &c.rec
	case recordCtxKey{}:
		return c
	case c.traceKey:
		return &c.trace
	}
	return c.Context.Value(key)
}

// arm sets the trace's TLS hooks, once. It runs on a dial goroutine; the
// record's mutex orders it with the dials of a retried request, and
// net/http reads the hooks on the goroutine that dialed.
func (c *recordCtx) arm() {
	c.rec.mu.Lock()
	if c.trace.TLSHandshakeStart == nil {
		c.trace.TLSHandshakeStart = c.rec.tlsStart
		c.trace.TLSHandshakeDone = c.rec.tlsDone
	}
	c.rec.mu.Unlock()
}

func armFrom(ctx context.Context) {
	if c, ok := ctx.Value(recordCtxKey{}).(*recordCtx); ok {
		c.arm()
	}
}

// traceContextKey returns the key under which httptrace looks for a
// ClientTrace in a context, by asking httptrace to look in a context
// that notes what it is asked for; nil if that does not work (a
// [Transport] then falls back to [withTracing]).
func traceContextKey() any {
	k := &keyNoter{Context: context.Background()}
	httptrace.ContextClientTrace(k)
	if k.key == nil {
		return nil
	}
	// Check that httptrace accepts our answer to the key.
	c := &recordCtx{Context: context.Background(), traceKey: k.key}
	if httptrace.ContextClientTrace(c) != &c.trace {
		return nil
	}
	return k.key
}

type keyNoter struct {
	context.Context
	key any
}

func (k *keyNoter) Value(key any) any {
	if k.key == nil {
		k.key = key
	}
	return nil
}

// armingDials makes rt's dials arm the request's trace before a
// connection exists (see [recordCtx]), whichever dial function rt uses.
func armingDials(rt *http.Transport) {
	switch {
	case rt.DialContext != nil:
		dial := rt.DialContext
		rt.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			armFrom(ctx)
			return dial(ctx, network, addr)
		}
	case rt.Dial != nil:
		dial := rt.Dial
		rt.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			armFrom(ctx)
			return dial(network, addr)
		}
	default:
		var d net.Dialer // what net/http dials with when no dial function is set
		rt.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			armFrom(ctx)
			return d.DialContext(ctx, network, addr)
		}
	}
	switch {
	case rt.DialTLSContext != nil:
		dial := rt.DialTLSContext
		rt.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			armFrom(ctx)
			return dial(ctx, network, addr)
		}
	case rt.DialTLS != nil:
		dial := rt.DialTLS
		rt.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			armFrom(ctx)
			return dial(network, addr)
		}
	}
}

// getClientCertificate answers a server's certificate request with the
// configured client certificate (or none) and records that the request
// happened, for the connection whose handshake context carries a record.
func (p *Pool) getClientCertificate(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
	var cert *tls.Certificate
	if p != nil {
		cert = p.client
	}
	rec := recordFrom(cri.Context())
	rec.update(func(s *recordState) {
		s.clientCertRequested = true
		s.sentCert = cert != nil
		s.acceptableCAs = s.acceptableCAs[:0]
		for _, raw := range cri.AcceptableCAs {
			var rdn pkix.RDNSequence
			if _, err := asn1.Unmarshal(raw, &rdn); err == nil {
				var n pkix.Name
				n.FillFromRDNSequence(&rdn)
				s.acceptableCAs = append(s.acceptableCAs, n.String())
			}
		}
	})
	if cert == nil {
		// An empty certificate sends none, as crypto/tls does by default.
		return &tls.Certificate{}, nil
	}
	return cert, nil
}

// TLSConfig returns the pool's client configuration: it trusts the pool's
// roots, requires TLS 1.2 or later and presents the client certificate,
// if any, when a server asks for one (ServerName is left empty for
// net/http to fill). The configuration is built once and shared by every
// caller, so a further client costs nothing: it must not be modified —
// use Clone to derive a different one. net/http and crypto/tls clone it
// per connection. On a nil Pool it returns a new configuration trusting
// the system roots.
func (p *Pool) TLSConfig() *tls.Config {
	if p == nil {
		return &tls.Config{MinVersion: tls.VersionTLS12, GetClientCertificate: p.getClientCertificate}
	}
	return p.tlsConfig
}

// Transport returns a new *http.Transport cloned from base (nil means
// http.DefaultTransport), keeping its proxy, dialer and timeouts, whose
// TLS configuration trusts the pool as [Pool.TLSConfig] describes.
// ForceAttemptHTTP2 is set, since a custom TLS configuration would
// otherwise silently turn HTTP/2 off. Errors from the returned transport
// are not classified; use [NewTransport] for that.
func (p *Pool) Transport(base *http.Transport) *http.Transport {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	t := base.Clone()
	cfg := p.TLSConfig().Clone()
	if b := t.TLSClientConfig; b != nil {
		// Keep the base's settings (ServerName, NextProtos, versions…)
		// and replace only what trust decides.
		merged := b.Clone()
		merged.RootCAs = cfg.RootCAs
		if merged.MinVersion < tls.VersionTLS12 {
			merged.MinVersion = tls.VersionTLS12
		}
		merged.GetClientCertificate = cfg.GetClientCertificate
		merged.InsecureSkipVerify = false
		cfg = merged
	}
	t.TLSClientConfig = cfg
	t.ForceAttemptHTTP2 = true
	return t
}

// A PoolSource supplies the pool to use for the next connection. A *Pool
// is a PoolSource that never changes; a *[Reloader] follows its files.
type PoolSource interface {
	Current() *Pool
}

// Transport is an http.RoundTripper that trusts the current pool of its
// source and returns classified errors: every error from RoundTrip holds
// an *[Error] (errors.As works through the *url.Error http.Client adds).
// When the source's pool changes, the next request builds a new inner
// transport and the old one's idle connections are closed; requests in
// flight finish on the old one, and [Transport.CloseIdleConnections]
// still reaches the connections they leave idle there. It is safe for concurrent use. The zero
// Transport is not usable: create one with [NewTransport].
type Transport struct {
	src      PoolSource
	base     *http.Transport
	traceKey any // nil: use withTracing

	mu      sync.Mutex
	cur     atomic.Pointer[generation]
	retired []*http.Transport // superseded inner transports, oldest first (guarded by mu)
}

// maxRetired bounds how many superseded inner transports a [Transport]
// remembers: connections still in use when the pool changed become idle
// on them later, and [Transport.CloseIdleConnections] must reach them.
// Beyond the bound, the base's IdleConnTimeout closes them.
const maxRetired = 16

type generation struct {
	pool *Pool
	rt   *http.Transport
}

// NewTransport returns a Transport trusting src's pools, derived from base
// as [Pool.Transport] describes (nil base means http.DefaultTransport).
// A nil src means the system roots.
func NewTransport(src PoolSource, base *http.Transport) *Transport {
	if src == nil {
		src = (*Pool)(nil)
	}
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	return &Transport{src: src, base: base.Clone(), traceKey: traceContextKey()}
}

func (t *Transport) current() *generation {
	p := t.src.Current()
	g := t.cur.Load()
	if g != nil && g.pool == p {
		return g
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if g = t.cur.Load(); g != nil && g.pool == p {
		return g
	}
	rt := p.Transport(t.base)
	armingDials(rt)
	proxy := rt.Proxy
	if proxy != nil {
		rt.Proxy = func(req *http.Request) (*url.URL, error) {
			u, err := proxy(req)
			recordFrom(req.Context()).update(func(s *recordState) { s.proxy = u })
			return u, err
		}
	}
	hook := rt.OnProxyConnectResponse
	rt.OnProxyConnectResponse = func(ctx context.Context, proxyURL *url.URL, connectReq *http.Request, resp *http.Response) error {
		recordFrom(ctx).update(func(s *recordState) { s.proxy, s.proxyStatus = proxyURL, resp.StatusCode })
		if hook != nil {
			return hook(ctx, proxyURL, connectReq, resp)
		}
		return nil
	}
	ng := &generation{pool: p, rt: rt}
	if old := t.cur.Swap(ng); old != nil {
		// Requests in flight keep their connections; they return to
		// the old transport, which CloseIdleConnections still reaches.
		if len(t.retired) == maxRetired {
			t.retired = t.retired[1:]
		}
		t.retired = append(t.retired, old.rt)
		for _, rt := range t.retired {
			rt.CloseIdleConnections()
		}
	}
	return ng
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	g := t.current()
	rec, ctx := t.track(req.Context())
	resp, err := g.rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, Classify(err, WithHost(req.URL.Host), WithPool(g.pool), withRecord(rec))
	}
	// Hand back the caller's request, as the RoundTripper contract expects.
	resp.Request = req
	return resp, nil
}

// track returns a record for one request and the context that fills it:
// a [recordCtx] (one allocation), or withTracing's when ctx already
// carries a trace to compose with.
func (t *Transport) track(ctx context.Context) (*connRecord, context.Context) {
	if t.traceKey != nil && httptrace.ContextClientTrace(ctx) == nil {
		c := &recordCtx{Context: ctx, traceKey: t.traceKey}
		return &c.rec, c
	}
	rec := &connRecord{}
	return rec, withTracing(ctx, rec)
}

// CloseIdleConnections closes the idle connections of the current inner
// transport and of those superseded when the pool changed, including
// connections that were in use at the change and became idle since.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	retired := t.retired
	t.mu.Unlock()
	for _, rt := range retired {
		rt.CloseIdleConnections()
	}
	if g := t.cur.Load(); g != nil {
		g.rt.CloseIdleConnections()
	}
}

// Client returns an *http.Client using a [Transport] for src.
func Client(src PoolSource) *http.Client {
	return &http.Client{Transport: NewTransport(src, nil)}
}
