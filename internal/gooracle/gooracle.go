// Package gooracle runs the real go binary, isolated from the machine's own
// configuration, so tests can compare modnet's decisions with the go
// command's. It never lets the go command reach the network: GOPROXY is off
// unless a test sets it, and every cache and config path lives in a fresh
// temporary directory.
package gooracle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// Go is an isolated go command environment. The zero value is not usable;
// create one with [New].
type Go struct {
	// Bin is the go binary.
	Bin string
	// Dir is the temporary root holding GOPATH, HOME, the go env file and
	// the working directory.
	Dir string
	// WorkDir is where commands run (a directory holding a go.mod for
	// module "example.com/oracle" so "go mod download" has a main module).
	WorkDir string
	// EnvFile is the path GOENV points at (the user go env file); it does
	// not exist until a test writes it.
	EnvFile string
	// Sink is the refusing HTTP proxy that HTTP_PROXY and HTTPS_PROXY point
	// at unless a test changes them.
	Sink *Sink

	vars map[string]string
}

// Required returns the path of the go binary, or ends the test: a skip
// locally, a failure under CI=true.
func Required(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(goroot(), "bin", "go")
	if _, err := os.Stat(bin); err != nil {
		if p, err2 := exec.LookPath("go"); err2 == nil {
			bin = p
		} else {
			missing(t, "the go binary is not on PATH (install Go from https://go.dev/dl)")
		}
	}
	return bin
}

func goroot() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err == nil {
		return strings.TrimSpace(string(out))
	}
	return "/usr/local/go"
}

// missing reports a missing real component: a failure under CI=true, a
// skip otherwise.
func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required component missing under CI=true: %s", why)
	}
	t.Skip(why)
}

// New returns an isolated go environment rooted in t.TempDir(). Every
// variable the go command reads from the process environment that could
// change its module-fetching decisions is either set to an isolated value
// or cleared; tests add their own with [Go.Set].
func New(t testing.TB) *Go {
	t.Helper()
	bin := Required(t)
	dir := t.TempDir()
	g := &Go{
		Bin:     bin,
		Dir:     dir,
		WorkDir: filepath.Join(dir, "work"),
		EnvFile: filepath.Join(dir, "config", "go", "env"),
		vars:    map[string]string{},
		Sink:    newSink(t),
	}
	for _, d := range []string{g.WorkDir, filepath.Join(dir, "home"), filepath.Join(dir, "config", "go"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(g.WorkDir, "go.mod"), []byte("module example.com/oracle\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	// Telemetry off in both possible config dirs: otherwise the go command
	// forks a telemetry child that keeps writing into dir after the go
	// command exits, racing t.TempDir's cleanup ("directory not empty").
	for _, cfg := range []string{filepath.Join(dir, "config"), filepath.Join(home, ".config")} {
		tdir := filepath.Join(cfg, "go", "telemetry")
		if err := os.MkdirAll(tdir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tdir, "mode"), []byte("off"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g.vars = map[string]string{
		"PATH":            os.Getenv("PATH"),
		"HOME":            home,
		"USERPROFILE":     home,
		"XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"XDG_CACHE_HOME":  filepath.Join(dir, "cache"),
		"GOENV":           g.EnvFile,
		"GOPATH":          filepath.Join(dir, "gopath"),
		"GOMODCACHE":      filepath.Join(dir, "gopath", "pkg", "mod"),
		"GOCACHE":         gocache(),
		"GOTOOLCHAIN":     "local",
		"GOFLAGS":         "-mod=mod",
		"GOPROXY":         "off",
		"GOSUMDB":         "off",
		"TMPDIR":          filepath.Join(dir, "tmp"),
		"HTTP_PROXY":      g.Sink.URL,
		"HTTPS_PROXY":     g.Sink.URL,
		// git must never prompt or read the machine's configuration.
		"GIT_TERMINAL_PROMPT": "0",
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_CONFIG_GLOBAL":   filepath.Join(home, ".gitconfig"),
	}
	return g
}

// gocache shares the machine's build cache so go invocations stay fast; it
// holds no module-fetching state.
func gocache() string {
	if c := os.Getenv("GOCACHE"); c != "" {
		return c
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "go-build")
	}
	return ""
}

// Set sets (or with an empty value, sets to empty) a variable in the go
// command's environment.
func (g *Go) Set(key, value string) { g.vars[key] = value }

// Unset removes a variable from the go command's environment.
func (g *Go) Unset(key string) { delete(g.vars, key) }

// Get returns the value Set for key and whether it is set.
func (g *Go) Get(key string) (string, bool) {
	v, ok := g.vars[key]
	return v, ok
}

// Environ returns the environment the go command runs with, sorted.
func (g *Go) Environ() []string {
	env := make([]string, 0, len(g.vars))
	for k, v := range g.vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// Getenv looks a variable up in the go command's environment, as a
// getenv function for modnet's loaders.
func (g *Go) Getenv(key string) string { return g.vars[key] }

// WriteEnvFile writes the user go env file (the file GOENV names).
func (g *Go) WriteEnvFile(t testing.TB, content string) {
	t.Helper()
	if err := os.WriteFile(g.EnvFile, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Run runs the go command with args in WorkDir and returns its standard
// output and standard error. err is non-nil if it exited non-zero.
func (g *Go) Run(ctx context.Context, args ...string) (stdout, stderr []byte, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.Bin, args...)
	cmd.Dir = g.WorkDir
	cmd.Env = g.Environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}

// EnvJSON runs "go env -json" for the named variables and returns the
// values the go command reports.
func (g *Go) EnvJSON(t testing.TB, names ...string) map[string]string {
	t.Helper()
	out, stderr, err := g.Run(context.Background(), append([]string{"env", "-json"}, names...)...)
	if err != nil {
		t.Fatalf("go env -json %s: %v\n%s", strings.Join(names, " "), err, stderr)
	}
	m := map[string]string{}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("go env -json: bad output %q: %v", out, err)
	}
	return m
}

// Download is one object of "go mod download -json" output.
type Download struct {
	Path     string
	Version  string
	Query    string `json:",omitempty"`
	Error    string `json:",omitempty"`
	Info     string `json:",omitempty"`
	GoMod    string `json:",omitempty"`
	Zip      string `json:",omitempty"`
	Dir      string `json:",omitempty"`
	Sum      string `json:",omitempty"`
	GoModSum string `json:",omitempty"`
}

// ModDownload runs "go mod download -json args..." and decodes its
// objects. The go command exits non-zero when any module fails; that is
// reported through each object's Error, and err is non-nil only when the
// output could not be decoded. stderr is returned for diagnostics.
func (g *Go) ModDownload(ctx context.Context, args ...string) (ds []Download, stderr string, err error) {
	out, errb, runErr := g.Run(ctx, append([]string{"mod", "download", "-json"}, args...)...)
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var d Download
		if err := dec.Decode(&d); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return ds, string(errb), fmt.Errorf("decoding go mod download output %q: %v (run error: %v)", out, err, runErr)
		}
		ds = append(ds, d)
	}
	if runErr != nil && len(ds) == 0 {
		return nil, string(errb), fmt.Errorf("go mod download: %v\n%s", runErr, errb)
	}
	return ds, string(errb), nil
}
