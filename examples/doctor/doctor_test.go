package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
)

// output is the -json output, decoded.
type output struct {
	Env     map[string]envVar `json:"env"`
	Modules []struct {
		Arg   string `json:"arg"`
		Error string `json:"error"`
		Route *struct {
			Module string `json:"module"`
			Steps  []struct {
				Action  string `json:"action"`
				Pattern string `json:"pattern"`
			} `json:"steps"`
			SumDB struct {
				Use bool `json:"use"`
			} `json:"sumdb"`
			Insecure struct {
				Applies bool `json:"applies"`
			} `json:"goinsecure"`
		} `json:"route"`
		Sources []struct {
			Role       string `json:"role"`
			URL        string `json:"url"`
			OK         bool   `json:"ok"`
			StatusCode int    `json:"statusCode"`
			Skipped    string `json:"skipped"`
			Error      *struct {
				Kind string `json:"kind"`
				Hint string `json:"hint"`
			} `json:"error"`
		} `json:"sources"`
	} `json:"modules"`
	Diagnostics []diagnostic   `json:"diagnostics"`
	Trust       map[string]any `json:"trust"`
}

// doctor runs the program in g's environment and returns its exit code,
// standard output and standard error.
func doctor(t *testing.T, g *gooracle.Go, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, g.Get, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func doctorJSON(t *testing.T, g *gooracle.Go, args ...string) (int, *output, string) {
	t.Helper()
	code, stdout, stderr := doctor(t, g, append([]string{"-json"}, args...)...)
	var out output
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("doctor -json %s: not one JSON object: %v\n%s\nstderr: %s", strings.Join(args, " "), err, stdout, stderr)
	}
	return code, &out, stderr
}

// TestEnvMatchesGoEnv checks that every "value" in the "env" object equals
// what "go env -json" prints for the same environment.
func TestEnvMatchesGoEnv(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string // "" sets empty; "<unset>" unsets; "<goroot>" is the go binary's GOROOT
		file  string            // user go env file
		check func(t *testing.T, env map[string]envVar)
	}{
		{
			name: "defaults from GOROOT go.env",
			env:  map[string]string{"GOPROXY": "<unset>", "GOSUMDB": "<unset>"},
			check: func(t *testing.T, env map[string]envVar) {
				want(t, env, "GOPROXY", "goroot")
				want(t, env, "GOSUMDB", "goroot")
				want(t, env, "GOAUTH", "default")
				want(t, env, "GONOPROXY", "default")
			},
		},
		{
			name: "GOPRIVATE defaults GONOPROXY and GONOSUMDB",
			env:  map[string]string{"GOPRIVATE": "*.corp.example,example.org/private", "GOINSECURE": "git.corp.example"},
			check: func(t *testing.T, env map[string]envVar) {
				want(t, env, "GOPRIVATE", "env")
				if v := env["GONOPROXY"]; v.Source != "default" || v.Via != "GOPRIVATE" {
					t.Errorf("GONOPROXY = %+v, want default via GOPRIVATE", v)
				}
			},
		},
		{
			name: "GONOPROXY=none overrides GOPRIVATE",
			env:  map[string]string{"GOPRIVATE": "corp.example", "GONOPROXY": "none"},
		},
		{
			name: "go env file values",
			env:  map[string]string{"GOPROXY": "<unset>", "GOSUMDB": "<unset>", "GOFLAGS": "<unset>"},
			file: "GOPROXY=https://file.example/mod,direct\nGOPRIVATE=corp.example\nGOFLAGS=-mod=mod\nGOAUTH=off\nGOVCS=*:off\n",
			check: func(t *testing.T, env map[string]envVar) {
				if v := env["GOPROXY"]; v.Source != "file" || v.Line != 1 || !strings.HasSuffix(v.File, "env") {
					t.Errorf("GOPROXY = %+v, want file line 1", v)
				}
				want(t, env, "GOSUMDB", "goroot")
			},
		},
		{
			name: "quoted and CRLF values are verbatim",
			env:  map[string]string{"GOPROXY": "<unset>", "GOSUMDB": "<unset>"},
			file: "GOPROXY=\"https://q.example\"\r\nGONOSUMDB='x.example'\r\nGOPRIVATE=a.example, b.example\r\n",
		},
		{
			name: "duplicate keys: the last wins",
			env:  map[string]string{"GOPROXY": "<unset>"},
			file: "GOPROXY=https://first.example\nGOPROXY=https://second.example\n",
			check: func(t *testing.T, env map[string]envVar) {
				if v := env["GOPROXY"]; v.Line != 2 {
					t.Errorf("GOPROXY = %+v, want line 2", v)
				}
			},
		},
		{
			name: "empty variable falls through to the file",
			env:  map[string]string{"GOPROXY": "", "GONOSUMDB": ""},
			file: "GOPROXY=https://file.example\nGONOSUMDB=nosum.example\n",
		},
		{
			name: "GOENV=off ignores the file",
			env:  map[string]string{"GOENV": "off", "GOPROXY": "<unset>"},
			file: "GOPROXY=https://ignored.example\nGOPRIVATE=ignored.example\n",
			check: func(t *testing.T, env map[string]envVar) {
				want(t, env, "GOENV", "env")
				want(t, env, "GOPROXY", "goroot")
			},
		},
		{
			name: "process-only variables in the file",
			env:  map[string]string{"HTTPS_PROXY": "<unset>", "HTTP_PROXY": "http://127.0.0.1:9"},
			file: "NETRC=/nonexistent/netrc\nHTTPS_PROXY=http://fileproxy.example:3128\nNO_PROXY=corp.example\nSSL_CERT_FILE=/nonexistent/ca.pem\n",
			check: func(t *testing.T, env map[string]envVar) {
				v := env["HTTPS_PROXY"]
				if v.Source != "file" || v.Used == nil || v.Used.Value != "" {
					t.Errorf("HTTPS_PROXY = %+v (used %+v), want printed from the file but not used", v, v.Used)
				}
				if v := env["NETRC"]; v.Used == nil {
					t.Errorf("NETRC = %+v, want a used value differing from go env's", v)
				}
			},
		},
		{
			name: "GOPRIVATE and GOAUTH in the file, GOROOT in the environment",
			env:  map[string]string{"GOROOT": "<goroot>", "GOAUTH": "<unset>"},
			file: "GOPRIVATE=*.corp.example\nGOAUTH=netrc;git /tmp\nGONOSUMDB=\nGOINSECURE=a.example,,b.example/\n",
			check: func(t *testing.T, env map[string]envVar) {
				want(t, env, "GOROOT", "env")
				if v := env["GONOSUMDB"]; v.Value != "*.corp.example" || v.Via != "GOPRIVATE" {
					t.Errorf("GONOSUMDB = %+v, want the GOPRIVATE default despite the empty file value", v)
				}
			},
		},
		{
			name: "GOSUMDB off, GOTOOLCHAIN and GODEBUG from the environment",
			env:  map[string]string{"GOSUMDB": "off", "GODEBUG": "tlsmlkem=0", "GOTOOLCHAIN": "local"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := gooracle.New(t)
			for k, v := range tt.env {
				switch v {
				case "<unset>":
					g.Unset(k)
				case "<goroot>":
					g.Set(k, filepath.Dir(filepath.Dir(g.Bin)))
				default:
					g.Set(k, v)
				}
			}
			if tt.file != "" {
				g.WriteEnvFile(t, tt.file)
			}
			code, out, stderr := doctorJSON(t, g)
			if code != 0 {
				t.Fatalf("doctor -json: exit %d, stderr %s", code, stderr)
			}
			goenv := g.EnvJSON(t, displayed...)
			for _, name := range displayed {
				got, ok := out.Env[name]
				if !ok {
					t.Errorf("env[%q] missing", name)
					continue
				}
				if got.Value != goenv[name] {
					t.Errorf("env[%q].value = %q, go env -json prints %q", name, got.Value, goenv[name])
				}
			}
			if tt.check != nil {
				tt.check(t, out.Env)
			}
		})
	}
}

func want(t *testing.T, env map[string]envVar, name, source string) {
	t.Helper()
	if v := env[name]; v.Source != source {
		t.Errorf("env[%q] = %+v, want source %q", name, v, source)
	}
}

// TestInvalidGOPROXY checks that an environment the go command refuses is
// reported in its words, with a non-zero exit.
func TestInvalidGOPROXY(t *testing.T) {
	const arg = "example.com/m@v1.0.0"
	for _, goproxy := range []string{"goproxy", ",", "ftp://proxy.example", "file://host/p", "http://[bad", "off,goproxy"} {
		t.Run(goproxy, func(t *testing.T) {
			t.Parallel()
			g := gooracle.New(t)
			g.Set("GOPROXY", goproxy)
			_, goStderr, goErr := g.Run(context.Background(), "mod", "download", arg)
			ds, _, err := g.ModDownload(context.Background(), arg)
			if err != nil || len(ds) != 1 {
				t.Fatalf("go mod download -json: %v %v", ds, err)
			}

			code, stdout, stderr := doctor(t, g, arg)
			if strings.HasPrefix(goproxy, "off,") {
				// Entries after "off" are never parsed: the go command
				// fails for GOPROXY=off, not for the bad entry.
				if !strings.Contains(ds[0].Error, "disabled by GOPROXY=off") || goErr == nil {
					t.Fatalf("go mod download: %q", ds[0].Error)
				}
				if code != 0 || stderr != "" {
					t.Errorf("doctor exit %d, stderr %q; want no GOPROXY error", code, stderr)
				}
				return
			}
			if code != 1 {
				t.Errorf("doctor exit %d, want 1", code)
			}
			if stderr != string(goStderr) {
				t.Errorf("doctor stderr:\n%s\ngo mod download stderr:\n%s", stderr, goStderr)
			}
			if !strings.Contains(stdout, "error: go: "+ds[0].Error) {
				t.Errorf("doctor output does not report %q:\n%s", ds[0].Error, stdout)
			}
			if strings.Contains(stdout+stderr, "panic") || strings.Contains(stdout+stderr, "goroutine") {
				t.Errorf("stack trace in output:\n%s%s", stdout, stderr)
			}

			code, out, _ := doctorJSON(t, g, arg)
			if code != 1 || len(out.Modules) != 1 || out.Modules[0].Error != ds[0].Error {
				t.Errorf("doctor -json: exit %d, modules %+v; want exit 1 and error %q", code, out.Modules, ds[0].Error)
			}
		})
	}
}

// TestMalformedPath checks that module paths the go command rejects are
// reported in its words.
func TestMalformedPath(t *testing.T) {
	t.Parallel()
	g := gooracle.New(t)
	args := []string{"m@v1.0.0", "Example.com/m@v1.0.0", "@v1", "example.com/ok@v1.0.0"}
	ds, _, err := g.ModDownload(context.Background(), args...)
	if err != nil || len(ds) != len(args) {
		t.Fatalf("go mod download -json: %+v %v", ds, err)
	}
	code, out, _ := doctorJSON(t, g, args...)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for i, d := range ds {
		want := d.Error
		if strings.Contains(want, "GOPROXY=off") {
			want = "" // a valid path: the go command fails later, on the network
		}
		if got := out.Modules[i].Error; got != want {
			t.Errorf("doctor %s: error %q, want %q", args[i], got, want)
		}
	}
}

// TestInvalidGOSUMDB checks the error for a module that needs the
// checksum database when GOSUMDB does not parse.
func TestInvalidGOSUMDB(t *testing.T) {
	t.Parallel()
	const arg = "example.com/m@v1.0.0"
	g := gooracle.New(t)
	s := modproxy.New(t, []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}})
	g.Set("GOPROXY", s.URL)
	g.Set("GOSUMDB", "sum.example+bad")
	ds, _, err := g.ModDownload(context.Background(), arg)
	if err != nil || len(ds) != 1 || ds[0].Error == "" {
		t.Fatalf("go mod download -json: %+v %v; want an error", ds, err)
	}
	code, out, stderr := doctorJSON(t, g, arg)
	if code != 1 || out.Modules[0].Error != ds[0].Error {
		t.Errorf("doctor -json: exit %d, error %q; want 1, %q", code, out.Modules[0].Error, ds[0].Error)
	}
	if stderr != "go: "+ds[0].Error+"\n" {
		t.Errorf("doctor stderr = %q, want %q", stderr, "go: "+ds[0].Error+"\n")
	}
}

// TestRoute checks the per-module decisions reported for a private module.
func TestRoute(t *testing.T) {
	t.Parallel()
	g := gooracle.New(t)
	g.Set("GOPROXY", "https://proxy.example,direct")
	g.Set("GOPRIVATE", "*.corp.example")
	g.Set("GOSUMDB", "sum.golang.org")
	g.Set("GOINSECURE", "git.corp.example")
	code, out, _ := doctorJSON(t, g, "git.corp.example/x", "example.com/m", "go")
	if code != 0 || len(out.Modules) != 3 {
		t.Fatalf("exit %d, %d modules", code, len(out.Modules))
	}
	priv, pub, tool := out.Modules[0].Route, out.Modules[1].Route, out.Modules[2].Route
	if priv.Steps[0].Action != "direct" || priv.Steps[0].Pattern != "*.corp.example" || priv.Steps[1].Action != "skip" {
		t.Errorf("private route steps = %+v, want direct by *.corp.example, then skip", priv.Steps)
	}
	if priv.SumDB.Use || !priv.Insecure.Applies {
		t.Errorf("private: sumdb use %v, insecure %v; want false, true", priv.SumDB.Use, priv.Insecure.Applies)
	}
	if pub.Steps[0].Action != "skip" || pub.Steps[1].Action != "proxy" || !pub.SumDB.Use {
		t.Errorf("public route = %+v, want noproxy skipped, then the proxy, with sumdb", pub)
	}
	if tool.Module != "golang.org/toolchain" {
		t.Errorf("go looked up as %q, want golang.org/toolchain", tool.Module)
	}

	_, text, _ := doctor(t, g, "git.corp.example/x")
	for _, s := range []string{"GOPRIVATE", "*.corp.example", "route:", "sumdb: not consulted", "goinsecure: GOINSECURE pattern \"git.corp.example\" matched"} {
		if !strings.Contains(text, s) {
			t.Errorf("text output lacks %q:\n%s", s, text)
		}
	}
}

// TestDiagnostics checks that surprises in the go env file are reported
// with file and line, and that the exit status stays 0 for warnings.
func TestDiagnostics(t *testing.T) {
	t.Parallel()
	g := gooracle.New(t)
	g.WriteEnvFile(t, "GOPRIVATE=\"a.example\"\nGONOSUMDB=a.example, b.example\n")
	code, out, _ := doctorJSON(t, g, "b.example/m")
	if code != 0 {
		t.Errorf("exit %d, want 0 for warnings", code)
	}
	found := map[int]bool{}
	for _, d := range out.Diagnostics {
		if d.File == g.EnvFile && d.Severity == "warning" {
			found[d.Line] = true
		}
	}
	if !found[1] || !found[2] {
		t.Errorf("diagnostics = %+v, want warnings for %s lines 1 and 2", out.Diagnostics, g.EnvFile)
	}
}

// TestProbe probes real local TLS module proxies.
func TestProbe(t *testing.T) {
	mods := []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}
	trusted := modproxy.New(t, mods, modproxy.TLS(), modproxy.SumDB("sum.test"))
	untrusted := modproxy.New(t, mods, modproxy.TLS())

	t.Run("untrusted CA", func(t *testing.T) {
		t.Parallel()
		g := gooracle.New(t)
		g.Set("GOPROXY", trusted.URL)
		// No SSL_CERT_FILE: the system roots, which lack the test CA.
		code, out, _ := doctorJSON(t, g, "-probe", "example.com/m@v1.0.0")
		if code != 1 {
			t.Errorf("exit %d, want 1 for a failed probe", code)
		}
		src := out.Modules[0].Sources
		if len(src) != 1 || src[0].Error == nil || src[0].Error.Kind != "unknown-authority" || src[0].Error.Hint == "" {
			t.Fatalf("sources = %+v, want one unknown-authority failure with a hint", src)
		}
		if out.Trust == nil {
			t.Errorf("no trust report")
		}
		_, text, _ := doctor(t, g, "-probe", "example.com/m@v1.0.0")
		for _, s := range []string{"FAIL  proxy", "unknown-authority", "hint: ", "chain: leaf CN=127.0.0.1"} {
			if !strings.Contains(text, s) {
				t.Errorf("text output lacks %q:\n%s", s, text)
			}
		}
	})

	t.Run("trusted via SSL_CERT_FILE", func(t *testing.T) {
		t.Parallel()
		g := gooracle.New(t)
		g.Set("GOPROXY", trusted.URL+","+untrusted.URL)
		g.Set("GOSUMDB", trusted.SumDBKey) // found at <proxy>/sumdb/sum.test
		g.Set("SSL_CERT_FILE", trusted.CAFile)
		code, out, stderr := doctorJSON(t, g, "-probe", "example.com/m@v1.0.0")
		if code != 1 {
			t.Errorf("exit %d, want 1 (the second proxy is untrusted); stderr %s", code, stderr)
		}
		kinds := map[string]string{}
		for _, s := range out.Modules[0].Sources {
			k := "ok"
			if s.Error != nil {
				k = s.Error.Kind
			}
			kinds[s.Role+" "+s.URL] = k
		}
		wantKinds := map[string]string{
			"proxy " + trusted.URL + "/example.com/m/@v/v1.0.0.info":       "ok",
			"proxy " + untrusted.URL + "/example.com/m/@v/v1.0.0.info":     "unknown-authority",
			"sumdb-supported " + trusted.URL + "/sumdb/sum.test/supported": "ok",
			"sumdb " + trusted.URL + "/sumdb/sum.test/latest":              "ok",
		}
		for k, w := range wantKinds {
			if kinds[k] != w {
				t.Errorf("probe %s: %q, want %q (all: %v)", k, kinds[k], w, kinds)
			}
		}
		if len(kinds) != len(wantKinds) {
			t.Errorf("probed %v, want exactly %v", kinds, wantKinds)
		}

		// The same in text form.
		g.Set("GOPROXY", trusted.URL)
		code, text, _ := doctor(t, g, "-probe", "example.com/m")
		if code != 0 || !strings.Contains(text, "ok    proxy") || !strings.Contains(text, "trust:") {
			t.Errorf("text probe: exit %d\n%s", code, text)
		}
	})
}

// TestProbeThroughProxy checks that probes go through the HTTP proxy of
// the environment: a CONNECT proxy that tunnels every target to a local
// TLS module proxy, whose certificate names 127.0.0.1, not the host asked
// for.
func TestProbeThroughProxy(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}, modproxy.TLS())
	var mu sync.Mutex
	var targets []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		targets = append(targets, r.Host)
		mu.Unlock()
		upstream, err := net.Dial("tcp", s.HTTP.Listener.Addr().String())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer upstream.Close()
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		go io.Copy(upstream, buf)
		io.Copy(conn, upstream)
	}))
	t.Cleanup(proxy.Close)

	g := gooracle.New(t)
	g.Set("GOPROXY", "https://proxied.example/mod")
	g.Set("HTTPS_PROXY", proxy.URL)
	g.Set("SSL_CERT_FILE", s.CAFile)
	code, out, _ := doctorJSON(t, g, "-probe", "example.com/m@v1.0.0")
	src := out.Modules[0].Sources
	if code != 1 || len(src) != 1 || src[0].Error == nil || src[0].Error.Kind != "hostname-mismatch" {
		t.Fatalf("exit %d, sources %+v; want one hostname-mismatch failure", code, src)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(targets) != 1 || targets[0] != "proxied.example:443" {
		t.Errorf("proxy asked for %q, want [proxied.example:443]", targets)
	}
}

// TestSecrets checks that passwords in GOPROXY, GOSUMDB, proxy URLs and
// the netrc file never appear in any output.
func TestSecrets(t *testing.T) {
	t.Parallel()
	secrets := []string{"pr0xypass", "httpspass", "sumdbpass", "filepass", "netrcpass", "badpass"}
	g := gooracle.New(t)
	netrc := filepath.Join(g.Dir, "netrc")
	if err := os.WriteFile(netrc, []byte("machine proxy.invalid login u password netrcpass\nmachine proxy.invalid login v password netrcpass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g.Set("NETRC", netrc)
	// A non-local proxy host is reached only through HTTPS_PROXY, which
	// points at a closed local port: nothing leaves the machine.
	g.Set("GOPROXY", "https://user:pr0xypass@proxy.invalid/mod|https://u2:pr0xypass@127.0.0.1:1/x")
	g.Set("HTTPS_PROXY", "http://pu:httpspass@127.0.0.1:2")
	g.Set("GOSUMDB", "sum.golang.org https://s:sumdbpass@127.0.0.1:3")
	g.WriteEnvFile(t, "HTTP_PROXY=http://f:filepass@127.0.0.1:4\nGOINSECURE=\"x\"\n")

	check := func(args ...string) {
		code, stdout, stderr := doctor(t, g, args...)
		for _, s := range secrets {
			if strings.Contains(stdout+stderr, s) {
				t.Errorf("doctor %s (exit %d) prints %q:\n%s\n%s", strings.Join(args, " "), code, s, stdout, stderr)
			}
		}
		if !strings.Contains(stdout, "xxxxx") {
			t.Errorf("doctor %s: no redacted URL in output:\n%s", strings.Join(args, " "), stdout)
		}
	}
	check("example.com/m")
	check("-json", "example.com/m")
	check("-probe", "example.com/m@v1.0.0")
	check("-json", "-probe", "example.com/m@v1.0.0")
	// The first proxy is reached through HTTPS_PROXY, which refuses.
	if _, out, _ := doctorJSON(t, g, "-probe", "example.com/m@v1.0.0"); len(out.Modules[0].Sources) == 0 ||
		out.Modules[0].Sources[0].Error == nil || out.Modules[0].Sources[0].Error.Kind != "proxy" {
		t.Errorf("first source = %+v, want a proxy failure", out.Modules[0].Sources)
	}

	// An unparsable GOPROXY is reported with its password redacted.
	g.Set("GOPROXY", "https://user:badpass@x y")
	check("example.com/m@v1.0.0")
	check("-json", "example.com/m@v1.0.0")
}

func TestUsage(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	lookup := func(string) (string, bool) { return "", false }
	if code := run(context.Background(), []string{"-nosuchflag"}, lookup, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d for a bad flag, want 2", code)
	}
	if !strings.Contains(stderr.String(), "usage: doctor") {
		t.Errorf("stderr = %q, want usage", stderr.String())
	}
}
