package proxyenv_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/certmint"
	"github.com/modnet/modnet/internal/mitmproxy"
	"github.com/modnet/modnet/internal/tinyproxy"
	"github.com/modnet/modnet/netrcauth"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
)

// testServer is a TLS server for "localhost" and 127.0.0.1 from a fresh
// CA, counting connections and TLS handshakes.
type testServer struct {
	*httptest.Server
	CA         *certmint.CA
	conns      atomic.Int64
	handshakes atomic.Int64
}

func newTestServer(t testing.TB, h http.Handler, configure ...func(*tls.Config)) *testServer {
	ts := &testServer{CA: certmint.NewCA(t, "client test CA")}
	leaf := ts.CA.Leaf(t, []string{"localhost", "127.0.0.1"})
	count := func(c *tls.Config) {
		c.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
			ts.handshakes.Add(1)
			return nil, nil
		}
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ts.conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	cfg := &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}}
	count(cfg)
	for _, f := range configure {
		f(cfg)
	}
	for _, p := range cfg.NextProtos {
		if p == "h2" {
			srv.EnableHTTP2 = true
		}
	}
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ts.Server = srv
	return ts
}

// pool returns a trust pool holding the server's CA.
func (ts *testServer) pool(t testing.TB) *trust.Pool {
	p, err := (&trust.Config{Extra: []trust.Source{{PEM: ts.CA.CertPEM, Name: "test CA"}}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newClient(t testing.TB, env *proxyenv.Env, opts proxyenv.ClientOptions) *proxyenv.Client {
	t.Helper()
	if env.GOAUTH == "" {
		env.GOAUTH = "off"
	}
	c, err := env.Client(opts)
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func getBody(c *http.Client, u string) (string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("status %s", resp.Status)
	}
	return string(b), err
}

func TestClientRedirects(t *testing.T) {
	t.Parallel()
	var plainHits atomic.Int64
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		if strings.HasPrefix(r.URL.Path, "/up") {
			// http → https is allowed.
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		io.WriteString(w, "plain")
	}))
	t.Cleanup(plain.Close)
	var secure *testServer
	secure = newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/down":
			http.Redirect(w, r, plain.URL+"/landing", http.StatusFound)
		case r.URL.Path == "/hop":
			http.Redirect(w, r, secure.URL+"/down", http.StatusMovedPermanently)
		case strings.HasPrefix(r.URL.Path, "/loop/"):
			var n int
			fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/loop/"), &n)
			http.Redirect(w, r, fmt.Sprintf("/loop/%d", n+1), http.StatusFound)
		case r.URL.Path == "/nine":
			http.Redirect(w, r, "/loop9/1", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/loop9/"):
			var n int
			fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/loop9/"), &n)
			if n < 9 {
				http.Redirect(w, r, fmt.Sprintf("/loop9/%d", n+1), http.StatusFound)
				return
			}
			io.WriteString(w, "done")
		default:
			io.WriteString(w, "secure")
		}
	}))
	c := newClient(t, &proxyenv.Env{}, proxyenv.ClientOptions{Trust: secure.pool(t)}).HTTP()

	tests := []struct {
		name, url string
		wantErr   string // substring; "" for success
		insecure  bool
	}{
		{"https-to-http", secure.URL + "/down", "redirected from secure URL " + secure.URL + "/down to insecure URL " + plain.URL + "/landing", true},
		{"https-https-http", secure.URL + "/hop", "redirected from secure URL " + secure.URL + "/down to insecure URL " + plain.URL + "/landing", true},
		{"http-to-https-ok", plain.URL + "/up?to=" + url.QueryEscape(secure.URL+"/x"), "", false},
		{"nine-redirects-ok", secure.URL + "/nine", "", false},
		{"eleventh-redirect", secure.URL + "/loop/0", "stopped after 10 redirects", false},
	}
	for _, tt := range tests {
		before := plainHits.Load()
		body, err := getBody(c, tt.url)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: Get(%s): %v", tt.name, tt.url, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: Get(%s) = %q, %v; want error containing %q", tt.name, tt.url, body, err, tt.wantErr)
			continue
		}
		var ie *netrcauth.InsecureURLError
		if errors.As(err, &ie) != tt.insecure {
			t.Errorf("%s: error %v: *netrcauth.InsecureURLError %v, want %v", tt.name, err, !tt.insecure, tt.insecure)
		}
		if !tt.insecure && !errors.Is(err, netrcauth.ErrTooManyRedirects) {
			t.Errorf("%s: error %v: want netrcauth.ErrTooManyRedirects", tt.name, err)
		}
		if tt.insecure && plainHits.Load() != before {
			t.Errorf("%s: the insecure URL was requested", tt.name)
		}
	}
}

// TestClientRedirectCount checks that the client stops exactly where the
// go command (like net/http) does: CheckRedirect refuses once 10 requests
// were made, so the server sees 10 requests and 9 redirects are followed.
func TestClientRedirectCount(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/again", http.StatusFound)
	}))
	c := newClient(t, &proxyenv.Env{}, proxyenv.ClientOptions{Trust: srv.pool(t)})
	_, err := c.HTTP().Get(srv.URL + "/")
	if err == nil || !strings.HasSuffix(err.Error(), "stopped after 10 redirects") {
		t.Fatalf("Get: %v, want stopped after 10 redirects", err)
	}
	if n := hits.Load(); n != 10 {
		t.Errorf("server saw %d requests, want 10", n)
	}
}

func TestClientHTTP2AndReuse(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d", r.ProtoMajor)
	}), func(c *tls.Config) { c.NextProtos = []string{"h2", "http/1.1"} })
	c := newClient(t, &proxyenv.Env{}, proxyenv.ClientOptions{Trust: srv.pool(t)}).HTTP()
	for i := 0; i < 20; i++ {
		body, err := getBody(c, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if body != "2" {
			t.Fatalf("request %d used HTTP/%s, want HTTP/2 (the custom TLS config must not turn it off)", i, body)
		}
	}
	if n := srv.handshakes.Load(); n != 1 {
		t.Errorf("%d TLS handshakes for 20 requests, want 1", n)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections for 20 requests, want 1", n)
	}
}

func TestClientReusesHTTP1Connections(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 1000))
	}))
	c := newClient(t, &proxyenv.Env{}, proxyenv.ClientOptions{Trust: srv.pool(t)}).HTTP()
	for i := 0; i < 50; i++ {
		if _, err := getBody(c, srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.handshakes.Load(); n != 1 {
		t.Errorf("%d TLS handshakes for 50 sequential requests, want 1", n)
	}
}

// TestClientsDoNotInterfere builds two clients from two environments
// (one through a TLS-inspecting proxy trusting its CA, one direct trusting
// the server's CA) and uses them concurrently.
func TestClientsDoNotInterfere(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "auth="+r.Header.Get("Authorization"))
	}))
	mitm := mitmproxy.Start(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, srv.CA.CertPEM)})
	mitmPool, err := (&trust.Config{Extra: []trust.Source{{PEM: mitm.CAPEM, Name: "mitm"}}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	target := tinyproxy.Rename(srv.URL) + "/"
	viaProxy := newClient(t, &proxyenv.Env{HTTPS_PROXY: mitm.URL.String()}, proxyenv.ClientOptions{
		Trust:       mitmPool,
		Credentials: []netrcauth.Credential{netrcauth.Bearer(strings.TrimPrefix(target, "https://"), netrcauth.NewSecret("tok-A"))},
	})
	direct := newClient(t, &proxyenv.Env{}, proxyenv.ClientOptions{
		Trust:       srv.pool(t),
		Credentials: []netrcauth.Credential{netrcauth.Bearer(strings.TrimPrefix(target, "https://"), netrcauth.NewSecret("tok-B"))},
	})
	if p, _ := direct.HTTPProxy(mustParse(t, target)); p != nil {
		t.Fatalf("direct client's Proxy(%s) = %v, want none", target, p)
	}
	if p, _ := viaProxy.HTTPProxy(mustParse(t, target)); p == nil || p.Host != mitm.URL.Host {
		t.Fatalf("proxied client's Proxy(%s) = %v, want %v", target, p, mitm.URL)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 20; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if body, err := getBody(viaProxy.HTTP(), target); err != nil || body != "auth=Bearer tok-A" {
				errs <- fmt.Errorf("via proxy: %q, %v", body, err)
			}
		}()
		go func() {
			defer wg.Done()
			if body, err := getBody(direct.HTTP(), target); err != nil || body != "auth=Bearer tok-B" {
				errs <- fmt.Errorf("direct: %q, %v", body, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, r := range mitm.Requests() {
		if r.Tunnelled && r.Header.Get("Authorization") != "Bearer tok-A" {
			t.Errorf("the proxy saw %s: the direct client's credentials went through it", r)
		}
	}
	if len(mitm.Requests()) == 0 {
		t.Error("the proxied client did not use its proxy")
	}
	// The direct client does not trust the proxy's CA and vice versa.
	if _, err := getBody(direct.HTTP(), "https://127.0.0.1:1/"); err == nil {
		t.Error("direct client reached a closed port")
	}
}

func mustParse(t testing.TB, raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// loadEnv loads an Env from a literal process environment.
func loadEnv(t *testing.T, vars map[string]string) *proxyenv.Env {
	t.Helper()
	vars["GOENV"] = "off"
	env, err := proxyenv.Load(proxyenv.LoadOptions{
		Getenv:    func(k string) string { return vars[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestClientRejectsInvalidProxy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		vars    map[string]string
		wantErr error
	}{
		{map[string]string{"HTTPS_PROXY": "http://[bad"}, proxyenv.ErrHTTPProxyUnparsable},
		{map[string]string{"https_proxy": "ftp://proxy.example:21"}, proxyenv.ErrHTTPProxyScheme},
		{map[string]string{"HTTP_PROXY": "http://127.0.0.1:3128", "REQUEST_METHOD": "GET"}, proxyenv.ErrHTTPProxyCGI},
		{map[string]string{"NO_PROXY": "https://example.com"}, proxyenv.ErrNoProxyEntry},
	}
	for _, tt := range tests {
		env := loadEnv(t, tt.vars)
		_, err := env.Client(proxyenv.ClientOptions{StrictHTTPProxy: true})
		var pe *proxyenv.HTTPProxyError
		if !errors.Is(err, tt.wantErr) || !errors.As(err, &pe) {
			t.Errorf("Client() with %v: %v, want a *HTTPProxyError wrapping %v", tt.vars, err, tt.wantErr)
		}
		c, err := env.Client(proxyenv.ClientOptions{})
		if err != nil || c == nil {
			t.Errorf("Client() with %v: %v, want the go command's reading", tt.vars, err)
		}
	}

	// Passwords never reach the error.
	env := loadEnv(t, map[string]string{"HTTPS_PROXY": "ftp://alice:hunter2@proxy.example"})
	if _, err := env.Client(proxyenv.ClientOptions{StrictHTTPProxy: true}); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Client() error %v: want an error without the password", err)
	}
}

// TestClientRejectsInvalidProxyLiteralEnv checks that an Env built as a
// literal (without Sources) is validated too.
func TestClientRejectsInvalidProxyLiteralEnv(t *testing.T) {
	t.Parallel()
	for _, env := range []*proxyenv.Env{
		{HTTPS_PROXY: "http://[bad", GOAUTH: "off"},
		{HTTPS_PROXY: "http://[bad", GOAUTH: "off", Sources: map[string]proxyenv.Value{"GOPROXY": {Name: "GOPROXY", Value: "off"}}},
	} {
		if _, err := env.Client(proxyenv.ClientOptions{StrictHTTPProxy: true}); !errors.Is(err, proxyenv.ErrHTTPProxyUnparsable) {
			t.Errorf("literal Env with HTTPS_PROXY=%q: Client(StrictHTTPProxy) = %v, want ErrHTTPProxyUnparsable", env.HTTPS_PROXY, err)
		}
		if _, err := env.Client(proxyenv.ClientOptions{}); err != nil {
			t.Errorf("literal Env with HTTPS_PROXY=%q: Client() = %v", env.HTTPS_PROXY, err)
		}
	}
	// A valid literal Env passes.
	if _, err := (&proxyenv.Env{HTTPS_PROXY: "http://127.0.0.1:3128", NO_PROXY: "localhost", GOAUTH: "off"}).Client(proxyenv.ClientOptions{}); err != nil {
		t.Errorf("valid literal Env: %v", err)
	}
}

func TestClientContextCancel(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
	}))
	c := newClient(t, &proxyenv.Env{}, proxyenv.ClientOptions{Trust: srv.pool(t)}).HTTP()

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	start := time.Now()
	_, err := c.Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Do after cancel: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}

	// An already-expired deadline fails before connecting.
	ctx, cancel2 := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel2()
	<-ctx.Done()
	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do with expired deadline: %v, want context.DeadlineExceeded", err)
	}
}

func TestClientGOINSECURE(t *testing.T) {
	t.Parallel()
	// A server whose certificate nobody trusts.
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	c := newClient(t, &proxyenv.Env{GOPROXY: srv.URL, GOINSECURE: "corp.example/private,*.insecure.example"}, proxyenv.ClientOptions{})

	tests := []struct {
		mod, pattern string
	}{
		{"corp.example/private", "corp.example/private"},
		{"corp.example/private/sub", "corp.example/private"},
		{"a.insecure.example/m", "*.insecure.example"},
		{"corp.example/public", ""},
		{"insecure.example/m", ""},
	}
	for _, tt := range tests {
		hc, pattern := c.DirectClient(tt.mod)
		if pattern != tt.pattern {
			t.Errorf("DirectClient(%q) pattern = %q, want %q", tt.mod, pattern, tt.pattern)
		}
		_, err := getBody(hc.HTTP(), srv.URL)
		if insecure := tt.pattern != ""; (err == nil) != insecure {
			t.Errorf("DirectClient(%q): Get untrusted server: err = %v, want success %v", tt.mod, err, insecure)
		}
		if tt.pattern == "" && hc != c {
			t.Errorf("DirectClient(%q) is not the client itself", tt.mod)
		}
	}
	// The proxy client never skips verification, whatever GOINSECURE says.
	if _, err := getBody(c.HTTP(), srv.URL); err == nil {
		t.Error("HTTP() accepted an untrusted certificate with GOINSECURE set")
	}
	// And the Fetcher goes through the verifying client for a GOINSECURE module.
	f := &modfetch.Fetcher{Client: c}
	if _, err := f.Download(context.Background(), "corp.example/private", "v1.0.0"); err == nil {
		t.Error("Fetcher.Download from an untrusted proxy succeeded for a GOINSECURE module")
	} else {
		var te *trust.Error
		if !errors.As(err, &te) || te.Kind != trust.KindUnknownAuthority {
			t.Errorf("Fetcher.Download: %v, want unknown-authority", err)
		}
	}
}

// TestClientProxyCredentials checks that credentials in the proxy URL go
// only to the proxy, as Proxy-Authorization on CONNECT, and never appear
// in errors.
func TestClientProxyCredentials(t *testing.T) {
	t.Parallel()
	var sawProxyAuth atomic.Bool
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Authorization") != "" {
			sawProxyAuth.Store(true)
		}
	}))
	mitm := mitmproxy.Start(t, mitmproxy.Options{UpstreamRoots: certmint.PoolOf(t, srv.CA.CertPEM), User: "corp", Password: "s3cr3t"})
	pool, err := (&trust.Config{Extra: []trust.Source{{PEM: mitm.CAPEM, Name: "mitm"}}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	target := tinyproxy.Rename(srv.URL) + "/"

	good := newClient(t, &proxyenv.Env{HTTPS_PROXY: withUser(mitm.URL, url.UserPassword("corp", "s3cr3t"))}, proxyenv.ClientOptions{Trust: pool})
	if _, err := getBody(good.HTTP(), target); err != nil {
		t.Fatalf("with proxy credentials: %v", err)
	}
	reqs := mitm.Requests()
	if len(reqs) == 0 || reqs[0].Method != "CONNECT" || reqs[0].Header.Get("Proxy-Authorization") != "Basic Y29ycDpzM2NyM3Q=" {
		t.Errorf("proxy saw %v, want CONNECT with Proxy-Authorization", reqs)
	}
	if sawProxyAuth.Load() {
		t.Error("the server received Proxy-Authorization")
	}

	bad := newClient(t, &proxyenv.Env{HTTPS_PROXY: withUser(mitm.URL, url.UserPassword("corp", "wr0ng-pw"))}, proxyenv.ClientOptions{Trust: pool})
	_, err = getBody(bad.HTTP(), target)
	var te *trust.Error
	if !errors.As(err, &te) || te.Kind != trust.KindProxy || te.StatusCode != http.StatusProxyAuthRequired {
		t.Errorf("with a wrong proxy password: %v, want a proxy error with status 407", err)
	}
	if err != nil && strings.Contains(fmt.Sprintf("%v %+v", err, te), "wr0ng-pw") {
		t.Errorf("error leaks the proxy password: %v", err)
	}
}

// TestClientConcurrent hammers one client from many goroutines (run with
// -race).
func TestClientConcurrent(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, r.Header.Get("Authorization"))
	}), func(c *tls.Config) { c.NextProtos = []string{"h2", "http/1.1"} })
	c := newClient(t, &proxyenv.Env{}, proxyenv.ClientOptions{
		Trust:       srv.pool(t),
		Credentials: []netrcauth.Credential{netrcauth.Bearer(strings.TrimPrefix(srv.URL, "https://"), netrcauth.NewSecret("t0k"))},
	})
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				body, err := getBody(c.HTTP(), srv.URL+"/x")
				if err != nil || body != "Bearer t0k" {
					errs <- fmt.Errorf("%q %v", body, err)
				}
				if i%10 == 0 {
					c.CloseIdleConnections()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n.Load() != 200 {
		t.Errorf("server saw %d requests, want 200", n.Load())
	}
}

// withUser returns the proxy URL with userinfo.
func withUser(u *url.URL, user *url.Userinfo) string {
	c := *u
	c.User = user
	return c.String()
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestClientWrapTransport checks that the wrapper sees every request Do
// sends: both redirect hops, then both again for the go command's retry
// after a 4xx.
func TestClientWrapTransport(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/r" {
			http.Redirect(w, r, "/x", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	var mu sync.Mutex
	var seen []string
	c := newClient(t, &proxyenv.Env{GOAUTH: "off"}, proxyenv.ClientOptions{
		Trust: srv.pool(t),
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				r = r.Clone(r.Context())
				r.Header.Set("User-Agent", "modnet-test")
				mu.Lock()
				seen = append(seen, r.URL.Path)
				mu.Unlock()
				return rt.RoundTrip(r)
			})
		},
	})
	req, _ := http.NewRequest("GET", srv.URL+"/r", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	if got, want := strings.Join(seen, " "), "/r /x /r /x"; got != want {
		t.Errorf("wrapper saw %q, want %q", got, want)
	}
}
