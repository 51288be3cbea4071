package trust

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/certmint"
)

// poolOf builds a pool trusting only cas (no system roots).
func poolOf(t testing.TB, cas ...*certmint.CA) *Pool {
	t.Helper()
	cfg := &Config{NoSystemRoots: true}
	for _, ca := range cas {
		cfg.Extra = append(cfg.Extra, Source{PEM: ca.CertPEM, Name: ca.Cert.Subject.CommonName})
	}
	p, err := cfg.Build()
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return p
}

// loopbackBase returns a transport that never uses a proxy and dials
// every host name at 127.0.0.1 (keeping the port), so tests can use any
// name without DNS or the network.
func loopbackBase() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}
	return tr
}

func clientOf(src PoolSource, base *http.Transport) *http.Client {
	if base == nil {
		base = loopbackBase()
	}
	return &http.Client{Transport: NewTransport(src, base), Timeout: 20 * time.Second}
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) })
}

// get requests u and returns the classified error (nil on success).
func get(t *testing.T, c *http.Client, u string) *Error {
	t.Helper()
	resp, err := c.Get(u)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil
	}
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("Get(%s) error %T %v does not hold a *trust.Error", u, err, err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("Get(%s) error is not a *url.Error", u)
	}
	if errors.Unwrap(te) == nil {
		t.Errorf("Error.Unwrap() = nil")
	}
	if _, err := json.Marshal(te); err != nil {
		t.Errorf("json.Marshal(Error): %v", err)
	}
	for _, bad := range []string{"InsecureSkipVerify", "disable verification", "curl -k", "--insecure", "insecure"} {
		if strings.Contains(strings.ToLower(te.Hint), strings.ToLower(bad)) {
			t.Errorf("hint suggests %q: %s", bad, te.Hint)
		}
	}
	return te
}

func withPort(host string, srv *httptest.Server) string {
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return "https://" + net.JoinHostPort(host, port) + "/"
}

func TestClassifyCertificates(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Modnet Test Root", certmint.WithOrganization("Modnet"))
	inter := root.Intermediate(t, "Modnet Test Intermediate")
	other := certmint.NewCA(t, "Unknown Private Root")
	otherInter := other.Intermediate(t, "Unknown Private Intermediate")
	zs := certmint.NewCA(t, "Zscaler Root CA", certmint.WithOrganization("Zscaler Inc."))
	zsInter := zs.Intermediate(t, "Zscaler Intermediate Root CA (zscloud.net)", certmint.WithOrganization("Zscaler Inc."))
	pool := poolOf(t, root)
	now := time.Now()

	type tc struct {
		name     string
		leaf     *certmint.Leaf
		leafOnly bool
		host     string
		kind     Kind
		verifies Verification
		hint     string // substring of the hint
	}
	cases := []tc{
		{name: "ok", leaf: inter.Leaf(t, []string{"localhost"}), host: "localhost"},
		{name: "ok-ip", leaf: inter.Leaf(t, []string{"127.0.0.1"}), host: "127.0.0.1"},
		{name: "unknown-authority", leaf: otherInter.Leaf(t, []string{"localhost"}), host: "localhost",
			kind: KindUnknownAuthority, verifies: VerifiesWithTopAsRoot, hint: "Unknown Private Root"},
		{name: "self-signed", leaf: certmint.SelfSigned(t, []string{"localhost"}), host: "localhost",
			kind: KindSelfSigned, verifies: VerifiesWithLeafAsRoot, hint: "self-signed"},
		{name: "incomplete-chain", leaf: inter.Leaf(t, []string{"localhost"}, certmint.WithAIA("http://127.0.0.1:1/inter.crt")),
			leafOnly: true, host: "localhost", kind: KindIncompleteChain, hint: "intermediate"},
		{name: "expired", leaf: inter.Leaf(t, []string{"localhost"}, certmint.WithValidity(now.Add(-72*time.Hour), now.Add(-48*time.Hour))),
			host: "localhost", kind: KindExpired, verifies: VerifiesAtValidTime, hint: "48h0m0s"},
		{name: "not-yet-valid", leaf: inter.Leaf(t, []string{"localhost"}, certmint.WithValidity(now.Add(3*time.Hour), now.Add(100*time.Hour))),
			host: "localhost", kind: KindNotYetValid, verifies: VerifiesAtValidTime, hint: "3h0m0s behind"},
		{name: "hostname-mismatch", leaf: inter.Leaf(t, []string{"other.example"}), host: "localhost",
			kind: KindHostnameMismatch, verifies: VerifiesWithoutHostname, hint: "other.example"},
		{name: "ip-wrong-san", leaf: inter.Leaf(t, []string{"localhost"}), host: "127.0.0.1",
			kind: KindHostnameMismatch, verifies: VerifiesWithoutHostname, hint: "not 127.0.0.1"},
		{name: "intercepted", leaf: zsInter.Leaf(t, []string{"proxy.golang.org"}), host: "proxy.golang.org",
			kind: KindUnknownAuthority, verifies: VerifiesWithTopAsRoot, hint: "TLS-inspecting proxy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			leaf := c.leaf
			srv := certmint.TLSServer(t, okHandler(), leaf, func(cfg *tls.Config) {
				cfg.NextProtos = []string{"h2", "http/1.1"}
				if c.leafOnly {
					cfg.Certificates = []tls.Certificate{leaf.TLSCertificateLeafOnly()}
				}
			})
			u := withPort(c.host, srv)
			e := get(t, clientOf(pool, nil), u)
			if c.kind == "" {
				if e != nil {
					t.Fatalf("Get(%s) = %v, want success", u, e)
				}
				return
			}
			if e == nil {
				t.Fatalf("Get(%s) succeeded, want %s", u, c.kind)
			}
			if e.Kind != c.kind {
				t.Fatalf("Kind = %q, want %q (%v)", e.Kind, c.kind, e)
			}
			if e.Host != c.host {
				t.Errorf("Host = %q, want %q", e.Host, c.host)
			}
			if e.VerifiesWith != c.verifies {
				t.Errorf("VerifiesWith = %q, want %q", e.VerifiesWith, c.verifies)
			}
			if !strings.Contains(e.Hint, c.hint) {
				t.Errorf("Hint = %q, want it to mention %q", e.Hint, c.hint)
			}
			if len(e.Chain) == 0 || e.Chain[0].SHA256 == "" || e.Chain[0].Subject == "" {
				t.Errorf("Chain = %+v, want the presented chain", e.Chain)
			}
			if len(e.Sources) == 0 {
				t.Errorf("Sources empty")
			}
			switch c.kind {
			case KindExpired:
				if e.ClockOffset > -47*time.Hour {
					t.Errorf("ClockOffset = %v, want about -48h", e.ClockOffset)
				}
			case KindNotYetValid:
				if e.ClockOffset < 2*time.Hour {
					t.Errorf("ClockOffset = %v, want about +3h", e.ClockOffset)
				}
			case KindIncompleteChain:
				if len(e.Chain) != 1 {
					t.Errorf("Chain has %d certs, want only the leaf", len(e.Chain))
				}
			}
			if c.name == "intercepted" {
				ev := strings.Join(e.Evidence, "\n")
				if !strings.Contains(ev, "zscaler") || !strings.Contains(ev, "public host") {
					t.Errorf("Evidence = %q, want the vendor match and the public-host note", e.Evidence)
				}
			}
		})
	}
}

func TestHTTP2Kept(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Root")
	srv := certmint.TLSServer(t, okHandler(), root.Leaf(t, []string{"127.0.0.1"}), func(c *tls.Config) {
		c.NextProtos = []string{"h2", "http/1.1"}
	})
	resp, err := clientOf(poolOf(t, root), nil).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("Proto = %s, want HTTP/2.0 (ForceAttemptHTTP2 lost?)", resp.Proto)
	}
	if resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("TLS version %x", resp.TLS.Version)
	}
}

func TestIncompleteChainAIA(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Root")
	inter := root.Intermediate(t, "Issuing CA 1")
	aia := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(inter.Cert.Raw)
	}))
	defer aia.Close()
	leaf := inter.Leaf(t, []string{"127.0.0.1"}, certmint.WithAIA(aia.URL+"/issuer.crt"))
	srv := certmint.TLSServer(t, okHandler(), leaf, func(c *tls.Config) {
		c.Certificates = []tls.Certificate{leaf.TLSCertificateLeafOnly()}
	})
	res := Probe(context.Background(), srv.URL, WithPool(poolOf(t, root)), WithAIAFetch(aia.Client()))
	if res.Error == nil || res.Error.Kind != KindIncompleteChain || res.Error.VerifiesWith != VerifiesWithAIA {
		t.Fatalf("Probe = %+v, want incomplete-chain verified with the AIA intermediate", res.Error)
	}
	if !strings.Contains(res.Error.Hint, "Issuing CA 1") {
		t.Errorf("Hint = %q, want the intermediate's name", res.Error.Hint)
	}
}

func TestClassifyScoped(t *testing.T) {
	t.Parallel()
	corp := certmint.NewCA(t, "Corp Root")
	cfg := &Config{NoSystemRoots: true, Extra: []Source{{PEM: corp.CertPEM, Hosts: []string{"*.corp.example"}}}}
	pool, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	in := certmint.TLSServer(t, okHandler(), corp.Leaf(t, []string{"git.corp.example"}))
	if e := get(t, clientOf(pool, nil), withPort("git.corp.example", in)); e != nil {
		t.Errorf("in-scope host: %v", e)
	}
	out := certmint.TLSServer(t, okHandler(), corp.Leaf(t, []string{"proxy.golang.org"}))
	e := get(t, clientOf(pool, nil), withPort("proxy.golang.org", out))
	if e == nil || e.Kind != KindUnknownAuthority || e.VerifiesWith != VerifiesWithUnscoped {
		t.Fatalf("out-of-scope host: %+v, want unknown-authority verifying without host scope", e)
	}
	// A leaf naming an in-scope and an out-of-scope host is refused too.
	mixed := certmint.TLSServer(t, okHandler(), corp.Leaf(t, []string{"git.corp.example", "proxy.golang.org"}))
	if e := get(t, clientOf(pool, nil), withPort("git.corp.example", mixed)); e == nil {
		t.Errorf("leaf with an out-of-scope SAN was accepted")
	}
}

func TestClassifyClientCert(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Root")
	clientCA := certmint.NewCA(t, "Client Auth CA", certmint.WithOrganization("Corp Proxy"))
	leaf := root.Leaf(t, []string{"127.0.0.1"})
	clientLeaf := clientCA.Leaf(t, []string{"client"}, certmint.WithClientAuth())
	cas := x509.NewCertPool()
	cas.AddCert(clientCA.Cert)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			t.Parallel()
			srv := certmint.TLSServer(t, okHandler(), leaf, func(c *tls.Config) {
				c.MinVersion, c.MaxVersion = v, v
				c.ClientAuth = tls.RequireAndVerifyClientCert
				c.ClientCAs = cas
			})
			e := get(t, clientOf(poolOf(t, root), nil), srv.URL)
			if e == nil || e.Kind != KindClientCertRequired {
				t.Fatalf("without client cert: %v, want client-cert-required", e)
			}
			if len(e.AcceptableCAs) != 1 || !strings.Contains(e.AcceptableCAs[0], "Client Auth CA") {
				t.Errorf("AcceptableCAs = %q", e.AcceptableCAs)
			}
			if !strings.Contains(e.APIHint, "ClientCertFile") || strings.Contains(e.Hint, "ClientCertFile") {
				t.Errorf("Hint = %q, APIHint = %q, want only the APIHint to name ClientCertFile", e.Hint, e.APIHint)
			}

			cfg := &Config{NoSystemRoots: true, Extra: []Source{{PEM: root.CertPEM}},
				ClientCertPEM: clientLeaf.CertPEM, ClientKeyPEM: clientLeaf.KeyPEM}
			p, err := cfg.Build()
			if err != nil {
				t.Fatal(err)
			}
			if e := get(t, clientOf(p, nil), srv.URL); e != nil {
				t.Errorf("with client cert: %v", e)
			}
			// A certificate from a CA the server does not accept.
			wrong := root.Leaf(t, []string{"client"}, certmint.WithClientAuth())
			cfg.ClientCertPEM, cfg.ClientKeyPEM = wrong.CertPEM, wrong.KeyPEM
			if p, err = cfg.Build(); err != nil {
				t.Fatal(err)
			}
			e = get(t, clientOf(p, nil), srv.URL)
			if e == nil || e.Kind != KindClientCertRequired || !strings.Contains(e.Hint, "rejected") {
				t.Errorf("with wrong client cert: %v, want client-cert-required (rejected)", e)
			}
		})
	}
}

func TestClassifyHandshakeAndNetwork(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Root")
	leaf := root.Leaf(t, []string{"127.0.0.1"})
	pool := poolOf(t, root)

	t.Run("old-version", func(t *testing.T) {
		t.Parallel()
		srv := certmint.TLSServer(t, okHandler(), leaf, func(c *tls.Config) {
			c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
		})
		e := get(t, clientOf(pool, nil), srv.URL)
		if e == nil || e.Kind != KindHandshakeFailure || !strings.Contains(e.Hint, "TLS 1.2") {
			t.Fatalf("got %v, want handshake-failure naming TLS 1.2", e)
		}
	})
	t.Run("cipher", func(t *testing.T) {
		t.Parallel()
		srv := certmint.TLSServer(t, okHandler(), leaf, func(c *tls.Config) {
			c.MaxVersion = tls.VersionTLS12
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}
		})
		e := get(t, clientOf(pool, nil), srv.URL)
		if e == nil || e.Kind != KindHandshakeFailure || !strings.Contains(e.Hint, "cipher") {
			t.Fatalf("got %v, want handshake-failure about cipher suites", e)
		}
	})
	t.Run("not-tls", func(t *testing.T) {
		t.Parallel()
		plain := httptest.NewServer(okHandler())
		defer plain.Close()
		u := strings.Replace(plain.URL, "http://", "https://", 1)
		e := get(t, clientOf(pool, nil), u)
		if e == nil || e.Kind != KindNotTLS || !strings.Contains(e.Hint, "http://") {
			t.Fatalf("got %v, want not-tls suggesting http://", e)
		}
	})
	t.Run("not-tls-ssh", func(t *testing.T) {
		t.Parallel()
		ln := listen(t, func(c net.Conn) { c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")) })
		e := get(t, clientOf(pool, nil), "https://"+ln+"/")
		if e == nil || e.Kind != KindNotTLS || !strings.Contains(strings.Join(e.Evidence, ""), "SSH-2") {
			t.Fatalf("got %+v, want not-tls with the SSH banner as evidence", e)
		}
	})
	t.Run("connect", func(t *testing.T) {
		t.Parallel()
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		e := get(t, clientOf(pool, nil), "https://"+addr+"/")
		if e == nil || e.Kind != KindConnect {
			t.Fatalf("got %v, want connect", e)
		}
	})
	t.Run("dns", func(t *testing.T) {
		t.Parallel()
		base := loopbackBase()
		d := &net.Dialer{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			return nil, errors.New("no DNS in tests")
		}}}
		base.DialContext = d.DialContext
		e := get(t, clientOf(pool, base), "https://modules.invalid/")
		if e == nil || e.Kind != KindDNS || e.Host != "modules.invalid" {
			t.Fatalf("got %+v, want dns for modules.invalid", e)
		}
	})
	t.Run("handshake-timeout", func(t *testing.T) {
		t.Parallel()
		hold := make(chan struct{})
		t.Cleanup(func() { close(hold) })
		ln := listen(t, func(c net.Conn) { <-hold })
		base := loopbackBase()
		base.TLSHandshakeTimeout = 300 * time.Millisecond
		e := get(t, clientOf(pool, base), "https://"+ln+"/")
		if e == nil || e.Kind != KindTimeout || !strings.Contains(e.Hint, "GODEBUG=tlsmlkem=0") {
			t.Fatalf("got %v, want timeout with the tlsmlkem hint", e)
		}
	})
}

// listen serves each connection with f on 127.0.0.1 and returns the
// address.
func listen(t *testing.T, f func(net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				f(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func TestProbeStatus(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Root")
	srv := certmint.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
		case "/broken":
			http.Error(w, "boom", http.StatusBadGateway)
		default:
			io.WriteString(w, "ok")
		}
	}), root.Leaf(t, []string{"127.0.0.1"}))
	pool := poolOf(t, root)
	for path, want := range map[string]Kind{"/": "", "/missing": "", "/broken": KindHTTPStatus} {
		res := Probe(context.Background(), srv.URL+path, WithPool(pool))
		var got Kind
		if res.Error != nil {
			got = res.Error.Kind
		}
		if got != want || res.OK != (want == "") {
			t.Errorf("Probe(%s): kind %q ok %v, want %q", path, got, res.OK, want)
		}
		if len(res.Chain) != 1 || res.Trust == nil || res.TLSVersion == "" {
			t.Errorf("Probe(%s): chain %d, trust %v, version %q", path, len(res.Chain), res.Trust, res.TLSVersion)
		}
		data, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if want != "" && !strings.Contains(string(data), `"kind":"http-status"`) {
			t.Errorf("JSON lacks the kind: %s", data)
		}
	}
}

// TestClassifyPlainErrors classifies errors that did not come through a
// trust.Transport: a raw tls.Dial and a plain http.Client.
func TestClassifyPlainErrors(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Root")
	pool := poolOf(t, root)
	srv := certmint.TLSServer(t, okHandler(), root.Leaf(t, []string{"example.test"}))
	addr := srv.Listener.Addr().String()

	cfg := pool.TLSConfig().Clone()
	cfg.ServerName = "127.0.0.1"
	_, err := tls.Dial("tcp", addr, cfg)
	if e := Classify(err, WithHost(addr), WithPool(pool)); e == nil || e.Kind != KindHostnameMismatch || e.Host != "127.0.0.1" {
		t.Errorf("tls.Dial: Classify = %+v, want hostname-mismatch for 127.0.0.1", e)
	}

	plain := httptest.NewServer(okHandler())
	defer plain.Close()
	tr := pool.Transport(loopbackBase())
	_, err = (&http.Client{Transport: tr}).Get(strings.Replace(plain.URL, "http:", "https:", 1))
	if !errors.Is(err, http.ErrSchemeMismatch) {
		t.Logf("note: http.Client error is %v", err)
	}
	if e := Classify(err, WithPool(pool)); e == nil || e.Kind != KindNotTLS || e.Host != "127.0.0.1" {
		t.Errorf("http.Client: Classify = %+v, want not-tls", e)
	}
	if Classify(nil) != nil {
		t.Errorf("Classify(nil) != nil")
	}
}

// TestHTTPSProxySchemeToPlainProxy points an https:// proxy URL at a
// plain HTTP proxy that answers the ClientHello with an HTTP error.
func TestHTTPSProxySchemeToPlainProxy(t *testing.T) {
	t.Parallel()
	proxy := listen(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		c.Read(buf)
		io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	})
	pu := &url.URL{Scheme: "https", Host: proxy}
	e := get(t, clientOf(nil, proxyBase(pu)), "https://127.0.0.1:1/")
	if e == nil || e.Kind != KindProxy || !strings.Contains(e.Hint, "use http://") || e.Proxy != pu.String() {
		t.Fatalf("got %+v, want proxy kind suggesting http://", e)
	}
}

// TestClientCertRequiredNoRace checks that a TLS 1.3 server requiring a
// client certificate is always classified client-cert-required. In TLS
// 1.3 the client's handshake completes before the server checks the
// (empty) certificate, so the server's alert races with the client's
// first write: the error is "certificate required", "broken pipe",
// "connection reset" or EOF depending on timing.
var addrPattern = regexp.MustCompile(`127\.0\.0\.1:\d+`)

func TestClientCertRequiredNoRace(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Root")
	leaf := root.Leaf(t, []string{"127.0.0.1"})
	pool := poolOf(t, root)
	servers := map[string]*httptest.Server{
		// The real thing: which error the client sees depends on timing.
		"alert": certmint.TLSServer(t, okHandler(), leaf, func(c *tls.Config) {
			c.MinVersion = tls.VersionTLS13
			c.ClientAuth = tls.RequireAnyClientCert
		}),
		// The losing side of the race, every time: the server resets the
		// connection without sending its alert once it has seen that no
		// certificate came.
		"reset": certmint.TLSServer(t, okHandler(), leaf, func(c *tls.Config) {
			c.MinVersion = tls.VersionTLS13
			c.ClientAuth = tls.RequestClientCert
			c.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
				cfg := c.Clone()
				cfg.GetConfigForClient = nil
				cfg.VerifyConnection = func(cs tls.ConnectionState) error {
					if len(cs.PeerCertificates) == 0 {
						if tc, ok := hello.Conn.(*net.TCPConn); ok {
							tc.SetLinger(0)
						}
						hello.Conn.Close()
					}
					return nil
				}
				return cfg, nil
			}
		}),
	}
	for name, srv := range servers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := loopbackBase()
			base.DisableKeepAlives = true
			c := clientOf(pool, base)
			messages := map[string]int{}
			for i := range 200 {
				e := get(t, c, srv.URL)
				if e == nil {
					t.Fatalf("attempt %d: request without a client certificate succeeded", i)
				}
				messages[addrPattern.ReplaceAllString(e.Message, "ADDR")]++
				if e.Kind != KindClientCertRequired {
					t.Fatalf("attempt %d: Kind = %s (%s), want %s", i, e.Kind, e.Message, KindClientCertRequired)
				}
			}
			t.Logf("errors seen: %v", messages)
			if name == "alert" {
				// Classify alone, on an error from a plain TLS
				// connection, knows the alert certificate_required.
				conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), pool.TLSConfig())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
				_, err = conn.Read(make([]byte, 1))
				if e := Classify(err); alertIs(err, alertCertificateRequired) && e.Kind != KindClientCertRequired {
					t.Errorf("Classify(%v).Kind = %s, want %s", err, e.Kind, KindClientCertRequired)
				}
			}
			for i := range 20 {
				res := Probe(context.Background(), srv.URL, WithPool(pool), WithBaseTransport(base))
				if res.Error == nil || res.Error.Kind != KindClientCertRequired {
					t.Fatalf("Probe attempt %d: %+v, want %s", i, res.Error, KindClientCertRequired)
				}
			}
		})
	}
}

// TestChainPEM checks that the chain a server presented can be saved as
// PEM from an *Error and from a ProbeResult, leaf first, and read back.
func TestChainPEM(t *testing.T) {
	t.Parallel()
	root, other := certmint.NewCA(t, "Root"), certmint.NewCA(t, "Other Root")
	inter := root.Intermediate(t, "Intermediate")
	leaf := inter.Leaf(t, []string{"127.0.0.1"})
	srv := certmint.TLSServer(t, okHandler(), leaf)
	want := []*x509.Certificate{leaf.Cert, inter.Cert}
	check := func(what string, data []byte) {
		t.Helper()
		certs, err := ParseCertificates(what, data)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(certs) != len(want) {
			t.Fatalf("%s: %d certificates, want %d", what, len(certs), len(want))
		}
		for i := range want {
			if !certs[i].Equal(want[i]) {
				t.Errorf("%s: certificate %d is %q, want %q", what, i, certs[i].Subject, want[i].Subject)
			}
		}
	}
	e := get(t, clientOf(poolOf(t, other), nil), srv.URL)
	if e == nil {
		t.Fatal("request trusting another root succeeded")
	}
	check("Error.ChainPEM", e.ChainPEM())
	ok := Probe(context.Background(), srv.URL, WithPool(poolOf(t, root)), WithBaseTransport(loopbackBase()))
	if !ok.OK {
		t.Fatalf("Probe: %+v", ok.Error)
	}
	check("ProbeResult.ChainPEM", ok.ChainPEM())
	if got := (&Error{}).ChainPEM(); got != nil {
		t.Errorf("ChainPEM of an error without a chain = %q, want nil", got)
	}
}
