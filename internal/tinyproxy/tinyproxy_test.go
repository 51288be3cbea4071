package tinyproxy_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/certmint"
	"github.com/modnet/modnet/internal/tinyproxy"
)

func get(t *testing.T, proxy *url.URL, roots *x509.CertPool, target string) (int, error) {
	t.Helper()
	tr := &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: roots}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(target)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func TestProxy(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain") }))
	t.Cleanup(plain.Close)
	ca := certmint.NewCA(t, "tinyproxy test CA")
	secure := certmint.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "secure") }),
		ca.Leaf(t, []string{"localhost"}))
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)

	p := tinyproxy.Start(t, tinyproxy.Options{})

	if code, err := get(t, p.URL, roots, tinyproxy.Rename(plain.URL)+"/x"); err != nil || code != 200 {
		t.Fatalf("GET via proxy: %d %v\n%s", code, err, p.Log())
	}
	if code, err := get(t, p.URL, roots, tinyproxy.Rename(secure.URL)+"/y"); err != nil || code != 200 {
		t.Fatalf("GET https via proxy: %d %v\n%s", code, err, p.Log())
	}
	reqs := p.Requests()
	if len(reqs) != 2 || reqs[0].Method != "GET" || reqs[0].Target != tinyproxy.Rename(plain.URL)+"/x" ||
		reqs[1].Method != "CONNECT" || reqs[1].Target != strings.TrimPrefix(tinyproxy.Rename(secure.URL), "https://") {
		t.Errorf("Requests() = %v", reqs)
	}

	// Hosts other than localhost are refused before any lookup.
	if code, err := get(t, p.URL, roots, "http://example.invalid/"); err != nil || code != http.StatusForbidden {
		t.Errorf("GET example.invalid: %d %v, want 403", code, err)
	}
}

func TestProxyBasicAuth(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Authorization") != "" {
			t.Errorf("tinyproxy forwarded Proxy-Authorization")
		}
	}))
	t.Cleanup(plain.Close)
	p := tinyproxy.Start(t, tinyproxy.Options{User: "alice", Password: "s3cret"})
	target := tinyproxy.Rename(plain.URL) + "/"
	if code, err := get(t, p.URL, nil, target); err != nil || code != http.StatusProxyAuthRequired {
		t.Errorf("without credentials: %d %v, want 407", code, err)
	}
	with := *p.URL
	with.User = url.UserPassword("alice", "s3cret")
	if code, err := get(t, &with, nil, target); err != nil || code != 200 {
		t.Errorf("with credentials: %d %v, want 200\n%s", code, err, p.Log())
	}
	reqs := p.Requests()
	if len(reqs) != 2 || reqs[0].ProxyAuthorization() != "" || reqs[1].ProxyAuthorization() != "Basic YWxpY2U6czNjcmV0" {
		t.Errorf("Requests() = %v", reqs)
	}
}

func TestProxyConnectPorts(t *testing.T) {
	t.Parallel()
	ca := certmint.NewCA(t, "tinyproxy test CA")
	secure := certmint.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), ca.Leaf(t, []string{"localhost"}))
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	p := tinyproxy.Start(t, tinyproxy.Options{ConnectPorts: []int{1}})
	if _, err := get(t, p.URL, roots, tinyproxy.Rename(secure.URL)); err == nil || !strings.Contains(err.Error(), "Access violation") {
		t.Errorf("CONNECT to a port not allowed: err = %v, want tinyproxy's 403 \"Access violation\"", err)
	}
}
