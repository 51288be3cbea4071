package trust

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/certmint"
	"github.com/modnet/modnet/internal/mitmproxy"
)

// TestHintAudiences checks that Hint speaks to a person at a command line
// (variables, files, commands) and APIHint to a program using this
// package.
func TestHintAudiences(t *testing.T) {
	t.Parallel()
	root, other := certmint.NewCA(t, "Root"), certmint.NewCA(t, "Corp Private Root")
	srv := certmint.TLSServer(t, okHandler(), other.Leaf(t, []string{"git.corp.example"}))
	pool, err := (&Config{GOOS: "linux", SystemFiles: []string{"/nonexistent/bundle.crt"}, SystemDirs: []string{t.TempDir()},
		Extra: []Source{{PEM: root.CertPEM}}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	e := get(t, clientOf(pool, nil), withPort("git.corp.example", srv))
	if e == nil || e.Kind != KindUnknownAuthority {
		t.Fatalf("got %+v, want unknown-authority", e)
	}
	t.Logf("Hint: %s\nAPIHint: %s\nEvidence: %q", e.Hint, e.APIHint, e.Evidence)
	for _, want := range []string{"Corp Private Root", "SSL_CERT_DIR=", "SSL_CERT_FILE="} {
		if !strings.Contains(e.Hint, want) {
			t.Errorf("Hint = %q, want it to mention %q", e.Hint, want)
		}
	}
	if strings.Contains(e.Hint, "extra source") || strings.Contains(e.Hint, "Config") {
		t.Errorf("Hint = %q speaks of the API", e.Hint)
	}
	if !strings.Contains(e.APIHint, "Config.Extra") {
		t.Errorf("APIHint = %q, want it to name Config.Extra", e.APIHint)
	}
	if got := e.HintFor(AudienceAPI); got != e.APIHint {
		t.Errorf("HintFor(AudienceAPI) = %q, want APIHint", got)
	}
	if got := e.HintFor(AudienceCommandLine); got != e.Hint {
		t.Errorf("HintFor(AudienceCommandLine) = %q, want Hint", got)
	}

	// On macOS the variables are ignored: the system store is the fix.
	mac, err := (&Config{GOOS: "darwin", Extra: []Source{{PEM: root.CertPEM}}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	if e := get(t, clientOf(mac, nil), withPort("git.corp.example", srv)); e == nil || strings.Contains(e.Hint, "SSL_CERT") || !strings.Contains(e.Hint, "security add-trusted-cert") {
		t.Errorf("darwin Hint = %q, want the keychain command and no SSL_CERT_* variable", e.Hint)
	}
}

// TestHintInterceptionByProxy goes through a real TLS-inspecting proxy
// whose CA carries no vendor name, to a private host: the configured
// proxy is the evidence, and the hint asks for the proxy's CA, never for
// trusting the leaf it minted.
func TestHintInterceptionByProxy(t *testing.T) {
	t.Parallel()
	mitm := mitmproxy.Start(t, mitmproxy.Options{RootName: "Example Networks Root", IntermediateName: "Example Networks Issuing", Organization: "Example Networks"})
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = http.ProxyURL(mitm.URL)
	e := get(t, clientOf(poolOf(t, certmint.NewCA(t, "Corp Root")), base), "https://git.corp.example/")
	if e == nil || e.Kind != KindUnknownAuthority {
		t.Fatalf("got %+v, want unknown-authority", e)
	}
	t.Logf("Hint: %s\nAPIHint: %s\nEvidence: %q", e.Hint, e.APIHint, e.Evidence)
	if !strings.Contains(strings.Join(e.Evidence, "\n"), mitm.URL.Host) {
		t.Errorf("Evidence = %q, want the proxy %s named", e.Evidence, mitm.URL.Host)
	}
	for _, want := range []string{"proxy", "Example Networks Root", "SSL_CERT_DIR="} {
		if !strings.Contains(e.Hint, want) {
			t.Errorf("Hint = %q, want it to mention %q", e.Hint, want)
		}
	}
	leaf := e.Chain[0]
	for _, bad := range []string{leaf.SHA256, leaf.Subject, "this certificate"} {
		if strings.Contains(e.Hint, bad) || strings.Contains(e.APIHint, bad) {
			t.Errorf("hint suggests trusting the minted leaf (%q): %s / %s", bad, e.Hint, e.APIHint)
		}
	}
}

// TestHintHandshakeTimeout checks that a handshake timeout lists its
// likely causes in order instead of blaming the post-quantum key share.
func TestHintHandshakeTimeout(t *testing.T) {
	t.Parallel()
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	ln := listen(t, func(c net.Conn) { <-hold })
	base := loopbackBase()
	base.TLSHandshakeTimeout = 200 * time.Millisecond
	e := get(t, clientOf(nil, base), "https://"+ln+"/")
	if e == nil || e.Kind != KindTimeout {
		t.Fatalf("got %+v, want timeout", e)
	}
	t.Logf("Hint: %s", e.Hint)
	port := strings.Index(e.Hint, "port")
	mlkem := strings.Index(e.Hint, "GODEBUG=tlsmlkem=0")
	if port < 0 || mlkem < 0 || port > mlkem {
		t.Errorf("Hint = %q, want the wrong port first, then GODEBUG=tlsmlkem=0", e.Hint)
	}
}
