package mitmproxy_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/certmint"
	"github.com/modnet/modnet/internal/mitmproxy"
)

func client(proxy *url.URL, roots *x509.CertPool) *http.Client {
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: roots}}}
}

func TestIntercepts(t *testing.T) {
	t.Parallel()
	serverCA := certmint.NewCA(t, "Real Server CA")
	srv := certmint.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.Header.Get("Authorization"))
	}), serverCA.Leaf(t, []string{"localhost", "127.0.0.1"}))
	upstream := x509.NewCertPool()
	upstream.AddCert(serverCA.Cert)
	p := mitmproxy.Start(t, mitmproxy.Options{UpstreamRoots: upstream, User: "u", Password: "p"})

	withCreds := *p.URL
	withCreds.User = url.UserPassword("u", "p")
	mitmRoots := x509.NewCertPool()
	mitmRoots.AppendCertsFromPEM(p.CAPEM)

	req, _ := http.NewRequest("GET", strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)+"/a?b=c", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := client(&withCreds, mitmRoots).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello Bearer tok" {
		t.Errorf("body %q", body)
	}
	if got := resp.TLS.PeerCertificates[0].Issuer.CommonName; got != mitmproxy.DefaultIntermediateName {
		t.Errorf("leaf issuer %q, want the proxy's", got)
	}
	reqs := p.Requests()
	if len(reqs) != 2 || reqs[0].Method != "CONNECT" || reqs[0].Header.Get("Proxy-Authorization") == "" ||
		!reqs[1].Tunnelled || !strings.HasSuffix(reqs[1].Target, "/a?b=c") || reqs[1].Header.Get("Authorization") != "Bearer tok" || reqs[1].Status != 200 {
		t.Errorf("Requests() = %v", reqs)
	}

	// Without the proxy's CA the client sees an unknown authority.
	_, err = client(&withCreds, nil).Get(srv.URL)
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Errorf("without the proxy CA: %v, want x509.UnknownAuthorityError", err)
	}

	// Without credentials the CONNECT is refused.
	_, err = client(p.URL, mitmRoots).Get(srv.URL)
	if err == nil || !strings.Contains(err.Error(), "Proxy Authentication Required") {
		t.Errorf("without proxy credentials: %v, want 407", err)
	}
}

func TestUntrustedUpstreamIs502(t *testing.T) {
	t.Parallel()
	srv := certmint.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
		certmint.NewCA(t, "Other").Leaf(t, []string{"localhost"}))
	p := mitmproxy.Start(t, mitmproxy.Options{})
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(p.CAPEM)
	resp, err := client(p.URL, roots).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", resp.StatusCode)
	}
}
