package proxyenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func status(code int) error {
	return &StatusError{URL: "https://p.example/x", Status: fmt.Sprintf("%d %s", code, http.StatusText(code)), StatusCode: code}
}

func TestStatusErrorIs(t *testing.T) {
	for code, want := range map[int]bool{404: true, 410: true, 400: false, 401: false, 403: false, 500: false, 502: false} {
		if got := errors.Is(status(code), fs.ErrNotExist); got != want {
			t.Errorf("errors.Is(StatusError{%d}, fs.ErrNotExist) = %v, want %v", code, got, want)
		}
	}
	for _, err := range []error{ErrProxyOff, ErrNoproxy, ErrUseProxy} {
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
		}
	}
}

// TestWalk drives routes with scripted per-entry results and checks which
// entries are tried and which error is reported.
func TestWalk(t *testing.T) {
	direct := errors.New("direct failed")
	directNotFound := fmt.Errorf("no such repo: %w", fs.ErrNotExist)
	tests := []struct {
		name      string
		env       Env
		path      string
		results   map[string]error // by entry String(); missing = success
		tried     string
		wantErr   error // nil = success
		wantIndex int   // StepError.Step.Index
	}{
		{name: "first ok", env: Env{GOPROXY: "https://a,https://b"}, results: nil, tried: "https://a"},
		{name: "404 then ok", env: Env{GOPROXY: "https://a,https://b"}, results: map[string]error{"https://a": status(404)}, tried: "https://a https://b"},
		{name: "500 stops at comma", env: Env{GOPROXY: "https://a,https://b"}, results: map[string]error{"https://a": status(500)}, tried: "https://a", wantErr: status(500), wantIndex: 0},
		{name: "500 pipe goes on", env: Env{GOPROXY: "https://a|https://b"}, results: map[string]error{"https://a": status(500)}, tried: "https://a https://b"},
		{name: "last not-found wins", env: Env{GOPROXY: "https://a,https://b"}, results: map[string]error{"https://a": status(404), "https://b": status(410)}, tried: "https://a https://b", wantErr: status(410), wantIndex: 1},
		{name: "proxy error beats later not-found", env: Env{GOPROXY: "https://a|https://b"}, results: map[string]error{"https://a": status(500), "https://b": status(404)}, tried: "https://a https://b", wantErr: status(500), wantIndex: 0},
		{name: "later proxy error replaces earlier", env: Env{GOPROXY: "https://a|https://b|https://c"}, results: map[string]error{"https://a": status(500), "https://b": status(403), "https://c": status(404)}, tried: "https://a https://b https://c", wantErr: status(403), wantIndex: 1},
		{name: "direct error beats proxy error", env: Env{GOPROXY: "https://a|direct"}, results: map[string]error{"https://a": status(500), "direct": directNotFound}, tried: "https://a direct", wantErr: directNotFound, wantIndex: 1},
		{name: "off after not-found", env: Env{GOPROXY: "https://a,off"}, results: map[string]error{"https://a": status(404)}, tried: "https://a", wantErr: ErrProxyOff, wantIndex: 1},
		{name: "only off", env: Env{GOPROXY: "off"}, tried: "", wantErr: ErrProxyOff, wantIndex: 0},
		{name: "noproxy direct error wins", env: Env{GOPROXY: "https://a", GONOPROXY: "example.com"}, results: map[string]error{"noproxy": directNotFound}, tried: "noproxy", wantErr: directNotFound, wantIndex: 0},
		{name: "noproxy direct hard error stops", env: Env{GOPROXY: "https://a|direct", GONOPROXY: "example.com"}, results: map[string]error{"noproxy": direct}, tried: "noproxy", wantErr: direct, wantIndex: 0},
		{name: "errUseProxy is only not-found", env: Env{GOPROXY: "https://a", GONOPROXY: "corp.example"}, results: map[string]error{"https://a": status(404)}, tried: "https://a", wantErr: status(404), wantIndex: 1},
		{name: "gonoproxy off keeps direct", env: Env{GOPROXY: "off", GONOPROXY: "example.com"}, tried: "noproxy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.env.Route("example.com/m")
			if err != nil {
				t.Fatal(err)
			}
			var tried []string
			err = Walk(context.Background(), r, func(ctx context.Context, s Step) error {
				tried = append(tried, s.Entry.String())
				return tt.results[s.Entry.String()]
			})
			if got := strings.Join(tried, " "); got != tt.tried {
				t.Errorf("tried %q, want %q", got, tt.tried)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("Walk = %v, want success", err)
				}
				return
			}
			var se *StepError
			if !errors.As(err, &se) {
				t.Fatalf("Walk = %v, want *StepError", err)
			}
			if se.Err.Error() != tt.wantErr.Error() || se.Step.Index != tt.wantIndex {
				t.Errorf("Walk = %v from step %d, want %v from step %d", se.Err, se.Step.Index, tt.wantErr, tt.wantIndex)
			}
			if errors.Is(err, fs.ErrNotExist) != errors.Is(tt.wantErr, fs.ErrNotExist) {
				t.Errorf("errors.Is(Walk error, fs.ErrNotExist) = %v", errors.Is(err, fs.ErrNotExist))
			}
		})
	}
}

func TestWalkContext(t *testing.T) {
	r, err := (&Env{GOPROXY: "https://a,https://b"}).Route("example.com/m")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err = Walk(ctx, r, func(ctx context.Context, s Step) error {
		n++
		cancel()
		return status(404)
	})
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("Walk after cancel = %v after %d calls, want context.Canceled after 1", err, n)
	}
	if err := Walk(ctx, nil, nil); err == nil {
		t.Error("Walk(nil route) succeeded")
	}
}

func TestFindSumDB(t *testing.T) {
	tests := []struct {
		name    string
		env     Env
		results map[string]error // by probe host; missing = 200
		want    string           // base URL, or "error"
		tried   string
	}{
		{name: "first proxy", env: Env{GOPROXY: "https://a/p,https://b", GOSUMDB: "sum.golang.org"}, want: "https://a/p/sumdb/sum.golang.org", tried: "a"},
		{name: "404 then proxy", env: Env{GOPROXY: "https://a,https://b", GOSUMDB: "sum.golang.org"}, results: map[string]error{"a": status(404)}, want: "https://b/sumdb/sum.golang.org", tried: "a b"},
		{name: "all 404: direct", env: Env{GOPROXY: "https://a,https://b", GOSUMDB: "sum.golang.org"}, results: map[string]error{"a": status(404), "b": status(410)}, want: "https://sum.golang.org", tried: "a b"},
		{name: "503 comma: unavailable", env: Env{GOPROXY: "https://a,https://b", GOSUMDB: "sum.golang.org"}, results: map[string]error{"a": status(503)}, want: "error", tried: "a"},
		{name: "503 pipe direct: direct", env: Env{GOPROXY: "https://a|direct", GOSUMDB: "sum.golang.org"}, results: map[string]error{"a": status(503)}, want: "https://sum.golang.org", tried: "a"},
		// Unlike direct, the off entry does not outrank the proxy error.
		{name: "503 pipe off: unavailable", env: Env{GOPROXY: "https://a|off", GOSUMDB: "sum.golang.org"}, results: map[string]error{"a": status(503)}, want: "error", tried: "a"},
		{name: "503 pipe end: unavailable", env: Env{GOPROXY: "https://a|https://b", GOSUMDB: "sum.golang.org"}, results: map[string]error{"a": status(503), "b": status(404)}, want: "error", tried: "a b"},
		{name: "explicit URL", env: Env{GOPROXY: "https://a", GOSUMDB: "sum.golang.google.cn"}, want: "https://sum.golang.google.cn", tried: ""},
		{name: "noproxy ignored", env: Env{GOPROXY: "https://a", GONOPROXY: "example.com", GOSUMDB: "sum.golang.org", GONOSUMDB: "none"}, want: "https://a/sumdb/sum.golang.org", tried: "a"},
		{name: "direct only", env: Env{GOPROXY: "direct", GOSUMDB: "sum.golang.org"}, want: "https://sum.golang.org", tried: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.env.Route("example.com/m")
			if err != nil {
				t.Fatal(err)
			}
			var tried []string
			base, err := FindSumDB(context.Background(), r, func(ctx context.Context, u *url.URL) error {
				if !strings.HasSuffix(u.Path, "/sumdb/sum.golang.org/supported") {
					t.Errorf("probe %s", u)
				}
				tried = append(tried, u.Host)
				return tt.results[u.Host]
			})
			got := "error"
			if err == nil {
				got = base.String()
			}
			if got != tt.want {
				t.Errorf("FindSumDB = %q (%v), want %q", got, err, tt.want)
			}
			if g := strings.Join(tried, " "); g != tt.tried {
				t.Errorf("probed %q, want %q", g, tt.tried)
			}
		})
	}
	r, _ := (&Env{GOPROXY: "direct", GOSUMDB: "off"}).Route("example.com/m")
	if _, err := FindSumDB(context.Background(), r, nil); err == nil {
		t.Error("FindSumDB with GOSUMDB=off succeeded")
	}
}

func TestCheckResponse(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://u:secret@p.example/m/@v/list", nil)
	tests := []struct {
		code int
		ct   string
		body string
		want string
	}{
		{200, "", "", ""},
		{404, "text/plain", "not here\n", "reading https://u:xxxxx@p.example/m/@v/list: 404 Not Found\n\tserver response: not here"},
		{503, "text/plain; charset=utf-8", "a\nb\n\nhidden", "reading https://u:xxxxx@p.example/m/@v/list: 503 Service Unavailable\n\tserver response:\n\ta\n\tb"},
		{500, "text/html", "<b>x</b>", "reading https://u:xxxxx@p.example/m/@v/list: 500 Internal Server Error"},
		{500, "text/plain; charset=latin1", "x", "reading https://u:xxxxx@p.example/m/@v/list: 500 Internal Server Error"},
		{500, "text/plain", "bell\a", "reading https://u:xxxxx@p.example/m/@v/list: 500 Internal Server Error"},
		{500, "text/plain", strings.Repeat("l\n", 12), "reading https://u:xxxxx@p.example/m/@v/list: 500 Internal Server Error\n\tserver response:\n\tl\n\tl\n\tl\n\tl\n\tl\n\tl\n\tl\n\tl\n\t[Truncated: too many lines.]"},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: tt.code, Status: fmt.Sprintf("%d %s", tt.code, http.StatusText(tt.code)), Header: http.Header{}, Body: io.NopCloser(strings.NewReader(tt.body)), Request: req}
		if tt.ct != "" {
			resp.Header.Set("Content-Type", tt.ct)
		}
		err := CheckResponse(resp)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("CheckResponse(%d %q %q) = %q, want %q", tt.code, tt.ct, tt.body, got, tt.want)
		}
	}
}

func TestProxyFileURL(t *testing.T) {
	tests := []struct{ base, mod, vers, ext, want string }{
		{"https://p.example", "example.com/m", "v1.0.0", "info", "https://p.example/example.com/m/@v/v1.0.0.info"},
		{"https://p.example/base/", "example.com/Upper", "v1.0.0-RC", "mod", "https://p.example/base/example.com/%21upper/@v/v1.0.0-%21r%21c.mod"},
		{"file:///srv/proxy", "example.com/m", "v1.0.0", "zip", "file:///srv/proxy/example.com/m/@v/v1.0.0.zip"},
	}
	for _, tt := range tests {
		base, _ := url.Parse(tt.base)
		file, err := VersionFile(tt.vers, tt.ext)
		if err != nil {
			t.Fatal(err)
		}
		u, err := ProxyFileURL(base, tt.mod, file)
		if err != nil {
			t.Fatal(err)
		}
		if u.String() != tt.want {
			t.Errorf("ProxyFileURL(%q, %q, %q) = %q, want %q", tt.base, tt.mod, file, u, tt.want)
		}
	}
	if _, err := ProxyFileURL(&url.URL{}, "bad path/", "@v/list"); err == nil {
		t.Error("ProxyFileURL accepted an invalid module path")
	}
}
