package proxyenv_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/mitmproxy"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/trust"
)

// TestProbeRouteCredentials probes a module proxy that requires Basic
// credentials with a right, a wrong and no netrc entry.
func TestProbeRouteCredentials(t *testing.T) {
	t.Parallel()
	mods := []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}
	s := modproxy.New(t, mods, modproxy.TLS(), modproxy.RequireBasic("alice", "right-pass"))
	host := strings.TrimPrefix(s.URL, "https://")
	tests := []struct {
		name     string
		netrc    string
		status   int
		cred     string // CredentialInfo.String, "" for none
		hintWant string
	}{
		{"right", "machine " + host + " login alice password right-pass\n", 200, "netrc NETRC:1 (login alice) for " + host, ""},
		{"wrong", "machine other.example login x password y\nmachine " + host + " login alice password wrong-pass\n", 401, "netrc NETRC:2 (login alice) for " + host, "refused the credential sent (netrc NETRC:2 (login alice)"},
		{"none", "machine other.example login x password y\n", 401, "", "none applies"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			netrc := filepath.Join(t.TempDir(), "netrc")
			if err := os.WriteFile(netrc, []byte(tt.netrc), 0o600); err != nil {
				t.Fatal(err)
			}
			env := &proxyenv.Env{GOPROXY: s.URL, GOSUMDB: "off", NETRC: netrc, SSL_CERT_FILE: s.CAFile}
			c, err := env.Client(proxyenv.ClientOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Route("example.com/m")
			if err != nil {
				t.Fatal(err)
			}
			var traced []string
			got := proxyenv.ProbeRoute(context.Background(), c, r, "v1.0.0", proxyenv.ProbeOptions{Trace: func(ev proxyenv.ProbeEvent) {
				traced = append(traced, ev.URL.Redacted())
			}})
			if len(got) != 1 || got[0].Result == nil {
				t.Fatalf("ProbeRoute = %+v, want one probed source", got)
			}
			sp := got[0]
			if sp.Result.StatusCode != tt.status || sp.Result.OK != (tt.status == 200) {
				t.Errorf("status %d ok %v, want %d", sp.Result.StatusCode, sp.Result.OK, tt.status)
			}
			cred := ""
			if sp.Credential != nil {
				cred = strings.ReplaceAll(sp.Credential.String(), netrc, "NETRC")
			}
			if cred != tt.cred {
				t.Errorf("credential %q, want %q", cred, tt.cred)
			}
			if tt.hintWant != "" {
				if sp.Result.Error == nil || !strings.Contains(strings.ReplaceAll(sp.Result.Error.Hint, netrc, "NETRC"), tt.hintWant) {
					t.Errorf("error %+v, want a hint containing %q", sp.Result.Error, tt.hintWant)
				}
				if !sp.Retried {
					t.Errorf("a 401 was not retried after re-running GOAUTH")
				}
			}
			requests := 1
			if sp.Retried {
				requests = 2
			}
			if len(traced) != 2*requests {
				t.Errorf("traced %q, want %d events (a start and an end per request)", traced, 2*requests)
			}
			for _, p := range []string{"right-pass", "wrong-pass"} {
				if strings.Contains(fmtProbe(got), p) {
					t.Errorf("result reveals %q", p)
				}
			}
		})
	}
}

func fmtProbe(sps []proxyenv.SourceProbe) string {
	var b strings.Builder
	for _, sp := range sps {
		b.WriteString(sp.URL + sp.Skipped + sp.Note)
		if e := sp.Result.Error; e != nil {
			b.WriteString(e.Error() + e.Hint + e.Message)
		}
	}
	return b.String()
}

// TestProbeRouteInterceptionClaim checks that the hint for a TLS
// interception says the checksum database protects the module's content
// only when the route consults it.
func TestProbeRouteInterceptionClaim(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}, modproxy.TLS())
	mitm := mitmproxy.Start(t, mitmproxy.Options{})
	for _, tt := range []struct {
		gonosumdb string
		claim     bool
	}{{"", true}, {"example.com", false}} {
		env := &proxyenv.Env{GOPROXY: "https://proxy.corp.example", GOSUMDB: "sum.golang.org " + s.URL + "/sumdb", GONOSUMDB: tt.gonosumdb, HTTPS_PROXY: mitm.URL.String(), SSL_CERT_FILE: s.CAFile, GOAUTH: "off"}
		c, err := env.Client(proxyenv.ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Route("example.com/m")
		if err != nil {
			t.Fatal(err)
		}
		got := proxyenv.ProbeRoute(context.Background(), c, r, "v1.0.0", proxyenv.ProbeOptions{})
		e := got[0].Result.Error
		if e == nil || e.Kind != trust.KindUnknownAuthority {
			t.Fatalf("GONOSUMDB=%q: first source %+v, want unknown-authority", tt.gonosumdb, got[0].Result)
		}
		if has := strings.Contains(e.Hint, "stays authenticated by GOSUMDB"); has != tt.claim {
			t.Errorf("GONOSUMDB=%q: hint %q; claims GOSUMDB protection: %v, want %v", tt.gonosumdb, e.Hint, has, tt.claim)
		}
		if !tt.claim && !strings.Contains(e.Hint, "checksum database is not consulted") {
			t.Errorf("GONOSUMDB=%q: hint %q does not say the checksum database is not consulted", tt.gonosumdb, e.Hint)
		}
	}
}

func ExampleProbeRoute() {
	env := &proxyenv.Env{GOPROXY: "off", GOSUMDB: "off"}
	c, _ := env.Client(proxyenv.ClientOptions{})
	r, _ := c.Route("example.com/m")
	fmt.Println(len(proxyenv.ProbeRoute(context.Background(), c, r, "", proxyenv.ProbeOptions{})))
	// Output:
	// 0
}
