package proxyenv

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
)

func TestProxyConfigPrecedence(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantHTTPS string
		wantName  string
		wantNo    string
		wantCGI   bool
	}{
		{"upper-only", map[string]string{"HTTPS_PROXY": "http://upper:1"}, "http://upper:1", "HTTPS_PROXY", "", false},
		{"lower-only", map[string]string{"https_proxy": "http://lower:1"}, "http://lower:1", "https_proxy", "", false},
		{"upper-wins", map[string]string{"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"}, "http://upper:1", "HTTPS_PROXY", "", false},
		{"empty-upper-falls-through", map[string]string{"HTTPS_PROXY": "", "https_proxy": "http://lower:1"}, "http://lower:1", "https_proxy", "", false},
		{"no-proxy-upper-wins", map[string]string{"NO_PROXY": "a.example", "no_proxy": "b.example"}, "", "HTTPS_PROXY", "a.example", false},
		{"cgi", map[string]string{"REQUEST_METHOD": "GET"}, "", "HTTPS_PROXY", "", true},
	}
	for _, tt := range tests {
		e := memLoad(t, tt.env, memFS{})
		c := e.HTTPProxyConfig()
		if c.HTTPSProxy != tt.wantHTTPS || c.NoProxy != tt.wantNo || c.CGI != tt.wantCGI {
			t.Errorf("%s: HTTPProxyConfig() = %+v, want HTTPSProxy %q NoProxy %q CGI %v", tt.name, c, tt.wantHTTPS, tt.wantNo, tt.wantCGI)
		}
		if got := e.Sources["HTTPS_PROXY"].Name; got != tt.wantName {
			t.Errorf("%s: Sources[HTTPS_PROXY].Name = %q, want %q", tt.name, got, tt.wantName)
		}
	}
}

// recordingProxy refuses every request and records CONNECT targets.
type recordingProxy struct {
	*httptest.Server
	mu      sync.Mutex
	targets []string
}

func newRecordingProxy(t *testing.T) *recordingProxy {
	p := &recordingProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.targets = append(p.targets, r.Host)
		p.mu.Unlock()
		http.Error(w, "refused", http.StatusForbidden)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *recordingProxy) used() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.targets) > 0
}

// TestProxyPrecedenceMatchesGo checks which of two proxies the go command
// uses when both spellings are set, against HTTPProxyConfig's choice.
func TestProxyPrecedenceMatchesGo(t *testing.T) {
	gooracle.Required(t)
	tests := []struct {
		name         string
		upper, lower string // "A", "B", "" (set empty) or "-" (unset)
	}{
		{"both", "A", "B"},
		{"upper-empty", "", "B"},
		{"lower-only", "-", "B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := gooracle.New(t)
			a, b := newRecordingProxy(t), newRecordingProxy(t)
			val := map[string]string{"A": a.URL, "B": b.URL, "": ""}
			for name, v := range map[string]string{"HTTPS_PROXY": tt.upper, "https_proxy": tt.lower} {
				if v == "-" {
					g.Unset(name)
				} else {
					g.Set(name, val[v])
				}
			}
			g.Set("GOPROXY", "https://proxy.example")
			if _, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0"); err != nil {
				t.Fatal(err)
			}
			e, _ := Load(LoadOptions{Getenv: g.Getenv, LookupEnv: g.Get})
			u, _ := url.Parse("https://proxy.example/example.com/m/@v/v1.0.0.info")
			pu, err := e.HTTPProxyConfig().ProxyFunc()(u)
			if err != nil || pu == nil {
				t.Fatalf("ProxyFunc(%s) = %v, %v", u, pu, err)
			}
			goUsed := "none"
			switch {
			case a.used() && b.used():
				goUsed = "both"
			case a.used():
				goUsed = a.URL
			case b.used():
				goUsed = b.URL
			}
			if "http://"+pu.Host != goUsed {
				t.Errorf("HTTPProxyConfig chose %s, the go command used %s", pu, goUsed)
			}
		})
	}
}

func TestValidateProxy(t *testing.T) {
	tests := []struct {
		value string
		want  error // nil: valid
	}{
		{"http://proxy.example:3128", nil},
		{"proxy.example:3128", nil},
		{"proxy.example", nil},
		{"https://u:pw@proxy.example", nil},
		{"socks5://127.0.0.1:1080", nil},
		{"socks5h://127.0.0.1:1080", nil},
		{"http://[bad", ErrHTTPProxyUnparsable},
		{"http://u:pw@[bad", ErrHTTPProxyUnparsable},
		{"ftp://proxy.example", ErrHTTPProxyScheme},
		{"socks4://proxy.example", ErrHTTPProxyScheme},
		{"http://", ErrHTTPProxyNoHost},
		{"http://:3128", ErrHTTPProxyNoHost},
		{"%zz", ErrHTTPProxyUnparsable},
	}
	for _, tt := range tests {
		e := memLoad(t, map[string]string{"HTTPS_PROXY": tt.value}, memFS{})
		err := e.ValidateHTTPProxy()
		if tt.want == nil {
			if err != nil {
				t.Errorf("ValidateHTTPProxy(HTTPS_PROXY=%q) = %v, want nil", tt.value, err)
			}
			continue
		}
		var pe *HTTPProxyError
		if !errors.Is(err, tt.want) || !errors.As(err, &pe) || pe.Name != "HTTPS_PROXY" {
			t.Errorf("ValidateHTTPProxy(HTTPS_PROXY=%q) = %v, want a *HTTPProxyError for HTTPS_PROXY wrapping %v", tt.value, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "pw") {
			t.Errorf("ValidateHTTPProxy(HTTPS_PROXY=%q) = %v, leaks the password", tt.value, err)
		}
	}
}

func TestRedactVar(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"HTTPS_PROXY", "http://u:pw@p.example:1", "http://u:xxxxx@p.example:1"},
		{"https_proxy", "http://u:pw@[bad", "http://u:xxxxx@[bad"},
		{"HTTP_PROXY", "u:p@w@host:1/x", "u:xxxxx@host:1/x"},
		{"HTTP_PROXY", "http://tokenonly@p.example", "http://tokenonly@p.example"},
		{"GOPROXY", "https://a:b@x.example|https://c:d@y.example,direct", "https://a:xxxxx@x.example|https://c:xxxxx@y.example,direct"},
		{"GOSUMDB", "sum.golang.org https://u:p@sum.example", "sum.golang.org https://u:xxxxx@sum.example"},
		{"GOPRIVATE", "a:b@c", "a:b@c"},
	}
	for _, tt := range tests {
		if got := redactVar(tt.name, tt.in); got != tt.want {
			t.Errorf("redactVar(%q, %q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	v := Value{Name: "HTTPS_PROXY", Value: "http://u:secret@p.example", Source: SourceEnv}
	if s := v.String(); strings.Contains(s, "secret") {
		t.Errorf("Value.String() = %q, leaks the password", s)
	}
}
