package trust

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/certmint"
)

// tinyproxy starts Debian's tinyproxy as a real CONNECT proxy on
// 127.0.0.1 and returns its URL. Under CI=true a missing binary fails the
// test; locally the test is skipped with an install hint.
func tinyproxy(t *testing.T) *url.URL {
	t.Helper()
	bin, err := exec.LookPath("tinyproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("tinyproxy not found (required under CI=true): %v", err)
		}
		t.Skip("tinyproxy not installed; install it with: sudo apt-get install tinyproxy")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	ln.Close()
	dir := t.TempDir()
	conf := filepath.Join(dir, "tinyproxy.conf")
	cfg := fmt.Sprintf("Port %s\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nAllow 127.0.0.1\nLogLevel Error\n", port)
	if err := os.WriteFile(conf, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-d", "-c", conf)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting tinyproxy: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tinyproxy did not start listening on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &url.URL{Scheme: "http", Host: addr}
}

// proxyBase returns a transport sending every request through proxy. Go
// does proxy loopback destinations when Proxy is a plain function (only
// ProxyFromEnvironment exempts them).
func proxyBase(proxy *url.URL) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyURL(proxy)
	return tr
}

func TestThroughTinyproxy(t *testing.T) {
	t.Parallel()
	proxy := tinyproxy(t)
	root := certmint.NewCA(t, "Root")
	leaf := root.Leaf(t, []string{"127.0.0.1"})
	srv := certmint.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}), leaf)

	t.Run("ok", func(t *testing.T) {
		if e := get(t, clientOf(poolOf(t, root), proxyBase(proxy)), srv.URL); e != nil {
			t.Fatalf("through tinyproxy: %v", e)
		}
		res := Probe(context.Background(), srv.URL, WithPool(poolOf(t, root)), WithProxy(http.ProxyURL(proxy)))
		if !res.OK || res.Proxy != proxy.String() {
			t.Fatalf("Probe through tinyproxy: ok=%v proxy=%q err=%v", res.OK, res.Proxy, res.Error)
		}
	})
	t.Run("unknown-authority-through-proxy", func(t *testing.T) {
		e := get(t, clientOf(poolOf(t, certmint.NewCA(t, "Other")), proxyBase(proxy)), srv.URL)
		if e == nil || e.Kind != KindUnknownAuthority || e.Proxy != proxy.String() || e.Host != "127.0.0.1" {
			t.Fatalf("got %+v, want unknown-authority with proxy %s", e, proxy)
		}
	})
	t.Run("https-scheme-for-plain-proxy", func(t *testing.T) {
		wrong := *proxy
		wrong.Scheme = "https"
		// tinyproxy waits for a request line and never answers the
		// ClientHello, so the handshake with it times out.
		base := http.DefaultTransport.(*http.Transport).Clone()
		base.TLSHandshakeTimeout = 500 * time.Millisecond
		res := Probe(context.Background(), srv.URL, WithPool(poolOf(t, root)), WithProxy(http.ProxyURL(&wrong)), WithBaseTransport(base))
		e := res.Error
		if e == nil || e.Kind != KindProxy || !strings.Contains(e.Hint, "http://") {
			t.Fatalf("got %+v, want proxy kind suggesting http://", e)
		}
	})
	t.Run("proxy-down", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		dead := &url.URL{Scheme: "http", Host: ln.Addr().String()}
		ln.Close()
		e := get(t, clientOf(poolOf(t, root), proxyBase(dead)), srv.URL)
		if e == nil || e.Kind != KindProxy {
			t.Fatalf("got %+v, want proxy", e)
		}
	})
}

// TestProxyRefusesConnect uses a small in-test CONNECT proxy that demands
// credentials.
func TestProxyRefusesConnect(t *testing.T) {
	t.Parallel()
	proxy := listen(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		c.Read(buf)
		io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n")
	})
	pu := &url.URL{Scheme: "http", Host: proxy, User: url.UserPassword("alice", "s3cret")}
	e := get(t, clientOf(nil, proxyBase(pu)), "https://127.0.0.1:1/")
	if e == nil || e.Kind != KindProxy || e.StatusCode != http.StatusProxyAuthRequired {
		t.Fatalf("got %+v, want proxy with status 407", e)
	}
	if strings.Contains(e.Error(), "s3cret") || strings.Contains(e.Proxy, "s3cret") {
		t.Errorf("password leaked: %v / %s", e, e.Proxy)
	}
	if !strings.Contains(e.Hint, "credentials") {
		t.Errorf("Hint = %q", e.Hint)
	}
}
