package proxyenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The -update flag (var update) is declared in lint_test.go.

// steps renders a route's steps as "action:entry" with the pattern in
// brackets and "!" for insecure.
func steps(r *Route) string {
	var s []string
	for _, st := range r.Steps {
		x := string(st.Action) + ":" + st.Entry.String()
		if st.Pattern != "" {
			x += "[" + st.Pattern + "]"
		}
		if st.Insecure {
			x += "!"
		}
		if st.FallThrough == FallThroughAnyError {
			x += "|"
		}
		s = append(s, x)
	}
	return strings.Join(s, " ")
}

func TestRoute(t *testing.T) {
	tests := []struct {
		name  string
		env   Env
		path  string
		steps string
		sumdb bool
		// insecure is "" (no match), "match" or "applies".
		insecure string
	}{
		{
			name:  "default",
			env:   Env{GOPROXY: "https://proxy.golang.org,direct", GOSUMDB: "sum.golang.org"},
			path:  "example.com/m",
			steps: "proxy:https://proxy.golang.org direct:direct",
			sumdb: true,
		},
		{
			name:  "goprivate-match",
			env:   Env{GOPROXY: "https://proxy.golang.org,direct", GOSUMDB: "sum.golang.org", GOPRIVATE: "*.corp.example,example.com/private"},
			path:  "example.com/private/x",
			steps: "direct:noproxy[example.com/private] skip:https://proxy.golang.org[example.com/private] direct:direct[example.com/private]",
		},
		{
			name:  "goprivate-no-match",
			env:   Env{GOPROXY: "https://proxy.golang.org,direct", GOSUMDB: "sum.golang.org", GOPRIVATE: "*.corp.example"},
			path:  "corp.example/x",
			steps: "skip:noproxy proxy:https://proxy.golang.org direct:direct",
			sumdb: true,
		},
		{
			name:  "gonoproxy-overrides-goprivate",
			env:   Env{GOPROXY: "https://p.example", GOSUMDB: "sum.golang.org", GOPRIVATE: "example.com", GONOPROXY: "none"},
			path:  "example.com/m",
			steps: "skip:noproxy proxy:https://p.example",
		},
		{
			name:  "off-with-gonoproxy",
			env:   Env{GOPROXY: "off", GOSUMDB: "off", GONOPROXY: "example.com"},
			path:  "example.com/m",
			steps: "direct:noproxy[example.com] skip:off[example.com]",
		},
		{
			name:  "off",
			env:   Env{GOPROXY: "off", GOSUMDB: "off"},
			path:  "example.com/m",
			steps: "skip:off",
		},
		{
			name:  "pipe",
			env:   Env{GOPROXY: "https://a.example|https://b.example,direct", GOSUMDB: "off"},
			path:  "example.com/m",
			steps: "proxy:https://a.example| proxy:https://b.example direct:direct",
		},
		{
			name:     "goinsecure-direct",
			env:      Env{GOPROXY: "direct", GOSUMDB: "off", GOINSECURE: "example.com"},
			path:     "example.com/m",
			steps:    "direct:direct!",
			insecure: "applies",
		},
		{
			name:     "goinsecure-proxy-only",
			env:      Env{GOPROXY: "https://p.example", GOSUMDB: "off", GOINSECURE: "example.com"},
			path:     "example.com/m",
			steps:    "proxy:https://p.example",
			insecure: "match",
		},
		{
			name:  "toolchain-go",
			env:   Env{GOPROXY: "https://proxy.golang.org,direct", GOSUMDB: "off", GONOSUMDB: "golang.org"},
			path:  "go",
			steps: "proxy:https://proxy.golang.org direct:direct",
			sumdb: true,
		},
		{
			name:  "toolchain-file-exempt",
			env:   Env{GOPROXY: "file:///srv/dist", GOSUMDB: "off"},
			path:  "toolchain",
			steps: "proxy:file:///srv/dist",
		},
		{
			name:  "toolchain-file-list-not-exempt",
			env:   Env{GOPROXY: "file:///srv/dist,direct", GOSUMDB: "off"},
			path:  "toolchain",
			steps: "proxy:file:///srv/dist direct:direct",
			sumdb: true,
		},
		{
			// GOPROXY=direct exactly: no implicit noproxy entry.
			name:  "gonosumdb-from-goprivate",
			env:   Env{GOPROXY: "direct", GOSUMDB: "sum.golang.org", GOPRIVATE: "example.com", GONOPROXY: "none"},
			path:  "example.com/m",
			steps: "direct:direct",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.env.Route(tt.path)
			if err != nil {
				t.Fatalf("Route(%q) error: %v", tt.path, err)
			}
			if got := steps(r); got != tt.steps {
				t.Errorf("Route(%q) steps = %q, want %q", tt.path, got, tt.steps)
			}
			if r.SumDB.Use != tt.sumdb {
				t.Errorf("Route(%q) SumDB.Use = %v (%s), want %v", tt.path, r.SumDB.Use, r.SumDB.Reason, tt.sumdb)
			}
			ins := ""
			if r.Insecure.Matched {
				ins = "match"
				if r.Insecure.Applies {
					ins = "applies"
				}
			}
			if ins != tt.insecure {
				t.Errorf("Route(%q) GOINSECURE = %q (%s), want %q", tt.path, ins, r.Insecure.Reason, tt.insecure)
			}
			for _, s := range r.Steps {
				if s.Reason == "" {
					t.Errorf("step %d has no reason", s.Index)
				}
				if (s.Action == ActionSkip) != (s.Err != nil) {
					t.Errorf("step %d: action %s with Err %v", s.Index, s.Action, s.Err)
				}
			}
			if r.SumDB.Reason == "" || r.Insecure.Reason == "" {
				t.Errorf("missing reasons: %+v %+v", r.SumDB, r.Insecure)
			}
		})
	}
}

func TestRouteToolchainPaths(t *testing.T) {
	e := &Env{GOPROXY: "https://p.example", GOSUMDB: "sum.golang.org", GONOPROXY: "golang.org/toolchain"}
	for _, p := range []string{"go", "toolchain"} {
		r, err := e.Route(p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Module != ToolchainModule || !r.NoProxy.Matched {
			t.Errorf("Route(%q): Module %q, GONOPROXY matched %v; want %q, true", p, r.Module, r.NoProxy.Matched, ToolchainModule)
		}
	}
}

func TestRouteSumDB(t *testing.T) {
	tests := []struct {
		env    Env
		path   string
		err    error
		probes string
		url    string
	}{
		{env: Env{GOPROXY: "https://a.example/p|https://b.example,direct", GOSUMDB: "sum.golang.org"}, path: "example.com/m",
			probes: "https://a.example/p/sumdb/sum.golang.org/supported https://b.example/sumdb/sum.golang.org/supported"},
		{env: Env{GOPROXY: "direct", GOSUMDB: "sum.golang.google.cn"}, path: "example.com/m", url: "https://sum.golang.google.cn"},
		{env: Env{GOPROXY: "https://u:secret@a.example", GOSUMDB: "sum.golang.org"}, path: "example.com/m",
			probes: "https://u:xxxxx@a.example/sumdb/sum.golang.org/supported"},
		{env: Env{GOPROXY: "direct", GOSUMDB: "off"}, path: "toolchain", err: ErrSumDBOff},
		{env: Env{GOPROXY: "direct", GOSUMDB: "bogus"}, path: "example.com/m", err: &SumDBError{}},
	}
	for _, tt := range tests {
		r, err := tt.env.Route(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		d := r.SumDB
		switch want := tt.err.(type) {
		case nil:
			if d.Err != nil {
				t.Errorf("Route(%q).SumDB.Err = %v", tt.path, d.Err)
			}
		case *SumDBError:
			if !errors.As(d.Err, &want) || d.Error == "" {
				t.Errorf("Route(%q).SumDB.Err = %v, want *SumDBError", tt.path, d.Err)
			}
		default:
			if d.Err != want {
				t.Errorf("Route(%q).SumDB.Err = %v, want %v", tt.path, d.Err, want)
			}
		}
		if got := strings.Join(d.Probes, " "); got != tt.probes {
			t.Errorf("Route(%q).SumDB.Probes = %q, want %q", tt.path, got, tt.probes)
		}
		if d.URL != tt.url {
			t.Errorf("Route(%q).SumDB.URL = %q, want %q", tt.path, d.URL, tt.url)
		}
	}
}

func TestRouteInvalidGOPROXY(t *testing.T) {
	e := &Env{GOPROXY: "ftp://u:secret@x"}
	_, err := e.Route("example.com/m")
	var pe *ProxyListError
	if !errors.As(err, &pe) || strings.Contains(err.Error(), "secret") {
		t.Errorf("Route with bad GOPROXY: %v", err)
	}
}

// TestRouteJSON compares the JSON form of routes with golden files in
// testdata/route; run with -update to rewrite them.
func TestRouteJSON(t *testing.T) {
	cases := map[string]struct {
		env  Env
		path string
	}{
		"default":           {Env{GOPROXY: "https://proxy.golang.org,direct", GOSUMDB: "sum.golang.org"}, "example.com/m"},
		"goprivate":         {Env{GOPROXY: "https://u:secret@proxy.corp.example|off", GOSUMDB: "sum.golang.org", GOPRIVATE: "*.corp.example", GOINSECURE: "git.corp.example"}, "git.corp.example/team/x"},
		"toolchain-sumdb":   {Env{GOPROXY: "https://proxy.golang.org,direct", GOSUMDB: "off"}, "go"},
		"gonosumdb-partial": {Env{GOPROXY: "https://a.example,https://b.example", GOSUMDB: "sum.golang.org", GONOSUMDB: "example.com/private"}, "example.com/private/x"},
	}
	for name, c := range cases {
		r, err := c.env.Route(c.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.MarshalIndent(r, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		if bytes.Contains(got, []byte("secret")) {
			t.Errorf("%s: JSON leaks a password:\n%s", name, got)
		}
		file := filepath.Join("testdata", "route", name+".json")
		if *update {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run go test -run TestRouteJSON -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: JSON differs from %s:\n%s", name, file, got)
		}
		var back Route
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%s: JSON does not decode: %v", name, err)
		}
	}
}

func TestRoutePatternReported(t *testing.T) {
	tests := []struct{ gonoproxy, path, pattern string }{
		{"a.example,example.com/", "example.com/m", "example.com"},
		{" example.com,*.example", "corp.example/x", "*.example"},
		{"example.com/*/x,example.com", "example.com/a/x/y", "example.com/*/x"},
	}
	for _, tt := range tests {
		r, err := (&Env{GOPROXY: "direct", GONOPROXY: tt.gonoproxy}).Route(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if !r.NoProxy.Matched || r.NoProxy.Pattern != tt.pattern || r.Steps[0].Pattern != tt.pattern {
			t.Errorf("Route(%q) with GONOPROXY=%q: pattern %q (matched %v), want %q", tt.path, tt.gonoproxy, r.NoProxy.Pattern, r.NoProxy.Matched, tt.pattern)
		}
	}
}

func FuzzRoute(f *testing.F) {
	f.Add("https://a,direct", "corp.example", "sum.golang.org", "", "example.com/m")
	f.Add("off", "example.com", "off", "example.com", "example.com/m")
	f.Add("file:///x", "", "off", "", "toolchain")
	f.Fuzz(func(t *testing.T, goproxy, gonoproxy, gosumdb, goinsecure, path string) {
		e := &Env{GOPROXY: goproxy, GONOPROXY: gonoproxy, GOSUMDB: gosumdb, GOINSECURE: goinsecure}
		r, err := e.Route(path)
		if err != nil {
			var pe *ProxyListError
			if !errors.As(err, &pe) {
				t.Fatalf("Route error %#v is not a *ProxyListError", err)
			}
			return
		}
		if len(r.Steps) != len(r.Proxies) || len(r.Steps) == 0 {
			t.Fatalf("%d steps for %d entries", len(r.Steps), len(r.Proxies))
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		n := 0
		err = Walk(t.Context(), r, func(ctx context.Context, s Step) error {
			n++
			return status(404)
		})
		if err == nil || n > len(r.Steps) {
			t.Fatalf("Walk with only 404s = %v after %d calls", err, n)
		}
	})
}

func TestRouteHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		env        Env
		path       string
		sources    string
		direct     bool
		privatePat string
		privateOK  bool
	}{
		{"default", Env{GOPROXY: "https://proxy.golang.org,direct"}, "github.com/a/b", "proxy direct", false, "", false},
		{"private", Env{GOPROXY: "https://proxy.golang.org,direct", GOPRIVATE: "*.corp.example/"}, "git.corp.example/x", "direct direct", true, "*.corp.example", true},
		{"direct-only", Env{GOPROXY: "direct"}, "github.com/a/b", "direct", true, "", false},
		{"off", Env{GOPROXY: "off"}, "github.com/a/b", "", false, "", false},
		{"private-off", Env{GOPROXY: "off", GONOPROXY: "corp.example"}, "corp.example/m", "direct", true, "corp.example", true},
	}
	for _, tt := range tests {
		r, err := tt.env.Route(tt.path)
		if err != nil {
			t.Fatalf("%s: Route: %v", tt.name, err)
		}
		var acts []string
		for _, s := range r.Sources() {
			acts = append(acts, string(s.Action))
		}
		if got := strings.Join(acts, " "); got != tt.sources {
			t.Errorf("%s: Sources() actions = %q, want %q", tt.name, got, tt.sources)
		}
		if got := r.IsDirect(); got != tt.direct {
			t.Errorf("%s: IsDirect() = %v, want %v", tt.name, got, tt.direct)
		}
		if p, ok := r.IsPrivate(); p != tt.privatePat || ok != tt.privateOK {
			t.Errorf("%s: IsPrivate() = %q, %v, want %q, %v", tt.name, p, ok, tt.privatePat, tt.privateOK)
		}
	}
}
