package proxyenv

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
)

func TestFindGOROOT(t *testing.T) {
	inst := memFS{
		"/opt/go/bin/go":                   "#!go",
		"/opt/go/pkg/tool/linux_amd64/vet": "",
		"/opt/go/go.env":                   "GOPROXY=https://opt.example\n",
		"/cross/bin/linux_arm64/go":        "#!go",
		"/cross/pkg/tool/x":                "",
		"/usr/bin/go":                      "#!link",
		"/notgoroot/bin/go":                "#!go",
		"/win/go/bin/go.exe":               "#!go",
		"/win/go/pkg/tool/x":               "",
	}
	links := map[string]string{"/usr/bin/go": "/opt/go/bin/go"}
	tests := []struct {
		name     string
		env      map[string]string
		exe      string
		build    string
		goos     string
		want     string
		wantSrc  Source
		wantFile string
	}{
		{name: "path", env: map[string]string{"PATH": "/opt/go/bin"}, want: "/opt/go", wantSrc: SourceGoBinary, wantFile: "/opt/go/bin/go"},
		{name: "path-order", env: map[string]string{"PATH": "/nowhere::/opt/go/bin:/cross/bin/linux_arm64"}, want: "/opt/go", wantSrc: SourceGoBinary},
		{name: "cross-compiled-layout", env: map[string]string{"PATH": "/cross/bin/linux_arm64"}, want: "/cross", wantSrc: SourceGoBinary},
		{name: "symlinked-binary", env: map[string]string{"PATH": "/usr/bin"}, want: "/opt/go", wantSrc: SourceGoBinary, wantFile: "/usr/bin/go"},
		{name: "symlinked-binary-darwin", env: map[string]string{"PATH": "/usr/bin"}, goos: "darwin", want: "/opt/go", wantSrc: SourceGoBinary},
		{name: "binary-outside-goroot-falls-back", env: map[string]string{"PATH": "/notgoroot/bin"}, build: "/built/go", want: "/built/go", wantSrc: SourceRuntime},
		{name: "no-go-no-fallback", env: map[string]string{"PATH": "/nowhere"}, want: "", wantSrc: SourceDefault},
		{name: "executable-option", env: map[string]string{"PATH": "/nowhere"}, exe: "/cross/bin/linux_arm64/go", want: "/cross", wantSrc: SourceGoBinary},
		{name: "env-wins", env: map[string]string{"PATH": "/opt/go/bin", "GOROOT": "/cross/"}, want: "/cross/", wantSrc: SourceEnv},
		{name: "windows-exe", env: map[string]string{"PATH": `/win/go/bin`}, goos: "windows", want: "/win/go", wantSrc: SourceGoBinary},
		{name: "canonical-spelling-of-build-goroot", env: map[string]string{"PATH": "/opt/go/bin"}, build: "/opt/go/", want: "/opt/go", wantSrc: SourceGoBinary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goos := tt.goos
			if goos == "" {
				goos = "linux"
			}
			e, err := Load(LoadOptions{
				Getenv:   func(k string) string { return tt.env[k] },
				ReadFile: inst.ReadFile,
				Stat:     inst.Stat,
				EvalSymlinks: func(p string) (string, error) {
					if r, ok := links[p]; ok {
						return r, nil
					}
					return p, nil
				},
				Executable:  tt.exe,
				BuildGOROOT: func() string { return tt.build },
				GOOS:        goos,
			})
			if err != nil {
				t.Fatal(err)
			}
			v := e.Sources["GOROOT"]
			if e.GOROOT != tt.want || v.Source != tt.wantSrc || (tt.wantFile != "" && v.File != tt.wantFile) {
				t.Errorf("GOROOT = %q from %v, want %q from %s %s", e.GOROOT, v, tt.want, tt.wantSrc, tt.wantFile)
			}
			if tt.want == "/opt/go" && e.GOPROXY != "https://opt.example" {
				t.Errorf("GOPROXY = %q, want the value from /opt/go/go.env", e.GOPROXY)
			}
		})
	}
}

// TestGoBinaryInstallationMatchesGo copies the go binary into a fake
// installation (bin/go, pkg/tool and its own go.env), reaches it through a
// symbolic link on PATH, and checks that Load finds the same GOROOT and
// go.env values as that binary reports.
func TestGoBinaryInstallationMatchesGo(t *testing.T) {
	gooracle.Required(t)
	g := gooracle.New(t)
	inst := filepath.Join(g.Dir, "inst")
	bin := filepath.Join(inst, "bin", "go")
	mustWrite(t, filepath.Join(inst, "go.env"), "GOPROXY=https://installed.example,direct\nGOSUMDB=sum.installed.example\nGOTOOLCHAIN=local\n")
	if err := os.MkdirAll(filepath.Join(inst, "pkg", "tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, g.Bin, bin)
	link := filepath.Join(g.Dir, "pathbin", "go")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, link); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	g.Unset("GOPROXY")
	g.Unset("GOSUMDB")
	g.Set("PATH", filepath.Dir(link)+string(os.PathListSeparator)+g.Getenv("PATH"))

	cmd := exec.Command("go", "env", "-json", "GOROOT", "GOPROXY", "GOSUMDB")
	cmd.Path = link // run through the symbolic link, as a shell would
	cmd.Env = g.Environ()
	cmd.Dir = g.WorkDir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	var want map[string]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if want["GOROOT"] != inst {
		t.Fatalf("the copied go binary reports GOROOT %q, want %q (test setup)", want["GOROOT"], inst)
	}
	e, err := Load(LoadOptions{Getenv: g.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"GOROOT": e.GOROOT, "GOPROXY": e.GOPROXY, "GOSUMDB": e.GOSUMDB}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, go env -json says %q", k, got[k], w)
		}
	}
	if v := e.Sources["GOROOT"]; v.Source != SourceGoBinary || v.File != link {
		t.Errorf("Sources[GOROOT] = %v, want go-binary %s", v, link)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(from, to); err == nil {
		return
	}
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestGOROOTWithCarriageReturnFailsGo confirms the failure Lint predicts
// for a GOROOT written with CRLF line endings.
func TestGOROOTWithCarriageReturnFailsGo(t *testing.T) {
	gooracle.Required(t)
	g := gooracle.New(t)
	g.WriteEnvFile(t, "GOROOT="+filepath.Dir(filepath.Dir(g.Bin))+"\r\n")
	_, stderr, err := g.Run(context.Background(), "env", "GOROOT")
	if err == nil || !strings.Contains(string(stderr), "cannot find GOROOT directory") {
		t.Fatalf("go env with a CRLF GOROOT: err %v, stderr %q; want cannot find GOROOT directory", err, stderr)
	}
	e, _ := Load(LoadOptions{Getenv: g.Getenv})
	found := false
	for _, d := range e.Lint() {
		if d.Var == "GOROOT" && strings.Contains(d.Message, "cannot find GOROOT directory") {
			found = true
		}
	}
	if !found {
		t.Errorf("Lint() = %v, want the GOROOT failure", e.Lint())
	}
}
