package proxyenv

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// memFS is an in-memory file system for Load: files by absolute path;
// directories are implied by the files' parents.
type memFS map[string]string

func (m memFS) ReadFile(name string) ([]byte, error) {
	if s, ok := m[name]; ok {
		return []byte(s), nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (m memFS) Stat(name string) (fs.FileInfo, error) {
	if s, ok := m[name]; ok {
		mode := fs.FileMode(0o644)
		if strings.HasPrefix(s, "#!") {
			mode = 0o755
		}
		return memInfo{filepath.Base(name), mode}, nil
	}
	prefix := strings.TrimSuffix(name, "/") + "/"
	for p := range m {
		if strings.HasPrefix(p, prefix) {
			return memInfo{filepath.Base(name), fs.ModeDir | 0o755}, nil
		}
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

type memInfo struct {
	name string
	mode fs.FileMode
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return 0 }
func (i memInfo) Mode() fs.FileMode  { return i.mode }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.mode.IsDir() }
func (i memInfo) Sys() any           { return nil }

// memLoad loads an environment from literal variables (a key mapped to ""
// is set but empty) and in-memory files, with the go binary at
// /goroot/bin/go.
func memLoad(t *testing.T, env map[string]string, files memFS) *Env {
	t.Helper()
	e, err := Load(LoadOptions{
		Getenv:       func(k string) string { return env[k] },
		LookupEnv:    func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		ReadFile:     files.ReadFile,
		Stat:         files.Stat,
		EvalSymlinks: func(p string) (string, error) { return p, nil },
		BuildGOROOT:  func() string { return "" },
		GOOS:         "linux",
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return e
}

func goroot(goEnv string) memFS {
	return memFS{
		"/goroot/bin/go":       "#!go",
		"/goroot/pkg/tool/x":   "",
		"/goroot/go.env":       goEnv,
		"/home/u/.config/go/x": "",
	}
}

var baseEnv = map[string]string{"HOME": "/home/u", "PATH": "/goroot/bin"}

func with(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestLintGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "env", "messy.env"))
	if err != nil {
		t.Fatal(err)
	}
	files := goroot("GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\n")
	files["/home/u/.config/go/env"] = string(data)
	e := memLoad(t, with(baseEnv, "GOPROXY", ""), files)
	var b strings.Builder
	for _, d := range e.Lint() {
		b.WriteString(d.String() + "\n")
	}
	got := b.String()
	for _, secret := range []string{"s3cret", "hunter2"} {
		if strings.Contains(got, secret) {
			t.Errorf("Lint output contains the secret %q:\n%s", secret, got)
		}
	}
	golden := filepath.Join("testdata", "env", "messy.lint")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("Lint() =\n%s\nwant (%s):\n%s", got, golden, want)
	}
}

func TestLint(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		file  string // user go env file; "" for none
		want  []string
		never []string // substrings that must not appear
	}{
		{name: "clean", env: baseEnv, file: "GOPRIVATE=corp.example\n", want: nil},
		{name: "gonoproxy-empty-env", env: with(baseEnv, "GOPRIVATE", "corp.example", "GONOPROXY", ""),
			want: []string{`GONOPROXY: set to the empty string, which cannot clear the default taken from GOPRIVATE ("corp.example"); set GONOPROXY=none`}},
		{name: "gonosumdb-empty-file", env: baseEnv, file: "GOPRIVATE=corp.example\nGONOSUMDB=\n",
			want: []string{`/home/u/.config/go/env:2: GONOSUMDB: empty value cannot clear the default taken from GOPRIVATE; write GONOSUMDB=none`}},
		{name: "empty-env-falls-through", env: with(baseEnv, "GOPROXY", ""), file: "GOPROXY=https://file.example\n",
			want: []string{`GOPROXY: set to the empty string in the environment, so the go command uses "https://file.example" from /home/u/.config/go/env:1`}},
		{name: "empty-env-falls-through-redacted", env: with(baseEnv, "GOPROXY", ""), file: "GOPROXY=https://u:pw@file.example|direct\n",
			want:  []string{`uses "https://u:xxxxx@file.example|direct"`},
			never: []string{"pw@"}},
		{name: "env-goprivate-spaces", env: with(baseEnv, "GOPRIVATE", "a.example, b.example"),
			want: []string{`GOPRIVATE: pattern 2 " b.example": leading white space: the go command does not trim spaces`}},
		{name: "proxy-mangled", env: with(baseEnv, "HTTPS_PROXY", "http://user:pass@[bad"),
			want:  []string{`HTTPS_PROXY: value "http://user:xxxxx@[bad": not a valid URL; httpproxy uses "http://http://user:xxxxx@[bad" instead (missing ']' in host)`},
			never: []string{"pass@["}},
		{name: "proxy-scheme", env: with(baseEnv, "http_proxy", "ftp://proxy.example:21"),
			want: []string{`http_proxy: value "ftp://proxy.example:21": unsupported proxy scheme`}},
		{name: "proxy-cgi", env: with(baseEnv, "HTTP_PROXY", "http://proxy.example:3128", "REQUEST_METHOD", "GET"),
			want: []string{`HTTP_PROXY: value "http://proxy.example:3128": ignored for http:// URLs in a CGI environment`}},
		{name: "no-proxy-url", env: with(baseEnv, "NO_PROXY", "localhost,https://corp.example"),
			want: []string{`NO_PROXY: value "https://corp.example": NO_PROXY entry can never match`}},
		{name: "goroot-missing", env: with(baseEnv, "GOROOT", "/nonexistent"),
			want: []string{`GOROOT: not a directory; the go command stops with "go: cannot find GOROOT directory: /nonexistent"`}},
		{name: "goroot-crlf-in-file", env: baseEnv, file: "GOROOT=/goroot\r\n",
			want: []string{`/home/u/.config/go/env:1: GOROOT: not a directory`, `/home/u/.config/go/env:1: GOROOT: value ends in a carriage return`}},
		{name: "goproxy-invalid-in-file", env: baseEnv, file: "GOPRIVATE=x.example\nGOPROXY=ftp://proxy.example\n",
			want: []string{`/home/u/.config/go/env:2: GOPROXY: invalid; the go command fails every download with: GOPROXY:`}},
		{name: "gosumdb-invalid-in-file", env: baseEnv, file: "GOSUMDB=a b c\n",
			want: []string{`/home/u/.config/go/env:1: GOSUMDB: invalid; the go command fails checksum verification with:`}},
		{name: "goauth-invalid-in-file", env: baseEnv, file: "GOAUTH=netrc;off\n",
			want: []string{`/home/u/.config/go/env:1: GOAUTH: invalid; the go command stops with:`}},
		{name: "goauth-invalid-in-env", env: with(baseEnv, "GOAUTH", "git relative/dir"),
			want: []string{`GOAUTH: invalid; the go command stops with:`}},
		{name: "line-without-equals", env: baseEnv, file: "GOPRIVATE\n",
			want: []string{`/home/u/.config/go/env:1: GOPRIVATE: line ignored by the go command: it has no '='; write GOPRIVATE=value`}},
		{name: "binary-content", env: baseEnv, file: "GOPRIVATE=corp\x00.example\n\xff\xfe\n",
			want: []string{`/home/u/.config/go/env:1: GOPRIVATE: binary content (byte 0x00 at column 15)`, `/home/u/.config/go/env:2: binary content (byte 0xff at column 1)`}},
		{name: "no-goroot", env: map[string]string{"HOME": "/home/u"},
			want: []string{`GOROOT: no GOROOT found`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := goroot("GOPROXY=https://proxy.golang.org,direct\n")
			if tt.file != "" {
				files["/home/u/.config/go/env"] = tt.file
			}
			e := memLoad(t, tt.env, files)
			var lines []string
			for _, d := range e.Lint() {
				lines = append(lines, d.String())
			}
			all := strings.Join(lines, "\n")
			if tt.want == nil && len(lines) > 0 {
				t.Errorf("Lint() = %q, want nothing", lines)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("Lint() = \n%s\nwant a diagnostic containing %q", all, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(all, n) {
					t.Errorf("Lint() = \n%s\nmust not contain %q", all, n)
				}
			}
		})
	}
}

func TestLintEnvFileGOROOT(t *testing.T) {
	ds := LintEnvFile("go.env", []byte("# comment\nGOPROXY=a\nGOPROXY=b\nNETRC=/x\n"), true)
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	want := []string{"go.env:3: GOPROXY: assigned again; in $GOROOT/go.env the first assignment wins (line 2)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("LintEnvFile(go.env) = %q, want %q", got, want)
	}
}

// FuzzLint loads fuzzed go env files and proxy values and checks that Load
// and Lint never panic and never reveal a proxy password.
func FuzzLint(f *testing.F) {
	f.Add([]byte("GOPROXY=\"x\"\r\nGOPRIVATE= a, b\n"), "proxy.example:3128", "a.example,https://b/")
	f.Add([]byte("GOROOT=/nowhere\nGONOSUMDB=\n"), "[bad", "*")
	f.Add([]byte(""), "", "")
	const secret = "Zq9Secret"
	f.Fuzz(func(t *testing.T, file []byte, host, noProxy string) {
		if strings.Contains(host, "Zq9") || strings.Contains(string(file), "Zq9") || strings.Contains(noProxy, "Zq9") {
			t.Skip()
		}
		files := goroot("GOPROXY=https://proxy.golang.org,direct\n")
		files["/home/u/.config/go/env"] = string(file)
		env := with(baseEnv, "HTTPS_PROXY", "http://u:"+secret+"@"+host, "http_proxy", "u:"+secret+"@"+host, "NO_PROXY", noProxy, "GOPROXY", "")
		e := memLoad(t, env, files)
		var out []string
		for _, d := range e.Lint() {
			out = append(out, d.String())
		}
		for _, v := range e.Sources {
			out = append(out, v.String())
		}
		if err := e.ValidateHTTPProxy(); err != nil {
			out = append(out, err.Error())
		}
		if all := strings.Join(out, "\n"); strings.Contains(all, secret) {
			t.Fatalf("output reveals the proxy password:\n%s", all)
		}
	})
}

// TestLoadWithoutGoInstallation checks the defaults of a program running
// where no go binary and no GOROOT exist (a -trimpath build in a
// container): GOPROXY and GOSUMDB are those of the release it was built
// with, marked as such, and Lint says why.
func TestLoadWithoutGoInstallation(t *testing.T) {
	t.Parallel()
	e := memLoad(t, map[string]string{"HOME": "/home/u", "PATH": "/nowhere"}, memFS{})
	if e.GOROOT != "" {
		t.Fatalf("GOROOT = %q, want none", e.GOROOT)
	}
	for name, want := range map[string]string{"GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "sum.golang.org"} {
		v := e.Sources[name]
		if v.Value != want || v.Source != SourceRelease || !strings.HasPrefix(v.Via, "go") {
			t.Errorf("Sources[%s] = %+v, want %q from %s", name, v, want, SourceRelease)
		}
	}
	if e.GOPROXY != "https://proxy.golang.org,direct" || e.GOSUMDB != "sum.golang.org" {
		t.Errorf("GOPROXY, GOSUMDB = %q, %q", e.GOPROXY, e.GOSUMDB)
	}
	if v, _ := e.GoEnv("GOTOOLCHAIN"); v != "auto" {
		t.Errorf("GoEnv(GOTOOLCHAIN) = %q, want auto", v)
	}
	found := false
	for _, d := range e.Lint() {
		found = found || d.Var == "GOROOT" && strings.Contains(d.Message, "default to the values of go")
	}
	if !found {
		t.Errorf("Lint() = %v, want a GOROOT note naming the release defaults", e.Lint())
	}
	// A GOROOT without go.env stays empty, like the go command.
	e = memLoad(t, baseEnv, memFS{"/goroot/bin/go": "#!go", "/goroot/pkg/tool/x": ""})
	if e.GOPROXY != "" || e.Sources["GOPROXY"].Source != SourceDefault {
		t.Errorf("GOROOT without go.env: GOPROXY = %+v, want the empty default", e.Sources["GOPROXY"])
	}
	// The user's go env file still wins over the release defaults.
	e = memLoad(t, map[string]string{"HOME": "/home/u", "PATH": "/nowhere"}, memFS{"/home/u/.config/go/env": "GOPROXY=https://corp.example\n"})
	if e.GOPROXY != "https://corp.example" {
		t.Errorf("user file GOPROXY = %q", e.GOPROXY)
	}
}

// TestRouteErrorsNameTheirFile checks that an invalid GOPROXY or GOSUMDB
// from a go env file carries the file and line in its error.
func TestRouteErrorsNameTheirFile(t *testing.T) {
	t.Parallel()
	files := goroot("GOPROXY=https://proxy.golang.org,direct\n")
	files["/home/u/.config/go/env"] = "GOPRIVATE=x\nGOPROXY=ftp://proxy.example\nGOSUMDB=a b c\n"
	e := memLoad(t, baseEnv, files)
	_, err := e.Route("example.com/m")
	var pe *ProxyListError
	if !errors.As(err, &pe) || pe.File != "/home/u/.config/go/env" || pe.Line != 2 {
		t.Errorf("Route error = %#v, want a *ProxyListError at /home/u/.config/go/env:2", err)
	}
	e.GOPROXY = "https://proxy.example"
	e.Sources["GOPROXY"] = Value{Name: "GOPROXY", Value: e.GOPROXY, Source: SourceEnv}
	r, err := e.Route("example.com/m")
	if err != nil {
		t.Fatal(err)
	}
	var se *SumDBError
	if !errors.As(r.SumDB.Err, &se) || se.File != "/home/u/.config/go/env" || se.Line != 3 {
		t.Errorf("SumDB.Err = %#v, want a *SumDBError at /home/u/.config/go/env:3", r.SumDB.Err)
	}
}

func TestNearMiss(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  Env
		path string
		want []string // "VAR subject -> fix"
	}{
		{Env{GOPRIVATE: "a.example, corp.example"}, "corp.example/x", []string{`GOPRIVATE " corp.example" -> corp.example`}},
		{Env{GOPRIVATE: "https://corp.example"}, "corp.example/x", []string{`GOPRIVATE https://corp.example -> corp.example`}},
		{Env{GOPRIVATE: "Corp.example"}, "corp.example/x", []string{`GOPRIVATE Corp.example -> corp.example`}},
		{Env{GOPRIVATE: "corp.example:8443"}, "corp.example/x", []string{`GOPRIVATE corp.example:8443 -> corp.example`}},
		{Env{GOPRIVATE: "corp.example"}, "corp.example/x", nil},             // matches as written
		{Env{GOPRIVATE: "a.example, corp.example"}, "other.example/x", nil}, // the fix would not match either
		{Env{GONOSUMDB: " corp.example"}, "corp.example/x", []string{`GONOSUMDB " corp.example" -> corp.example`}},
	}
	for _, tt := range tests {
		var got []string
		for _, d := range tt.env.NearMiss(tt.path) {
			if d.Kind != KindNearMiss {
				t.Errorf("kind %q", d.Kind)
			}
			s := d.Subject
			if strings.ContainsAny(s, " ") {
				s = strconv.Quote(s)
			}
			got = append(got, d.Var+" "+s+" -> "+d.Fix)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v.NearMiss(%q) = %q, want %q", tt.env, tt.path, got, tt.want)
		}
	}
}
