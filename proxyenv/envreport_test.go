package proxyenv_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/modnet/modnet/proxyenv"
)

func loadLiteral(t testing.TB, environ, files map[string]string) *proxyenv.Env {
	env, err := proxyenv.Load(proxyenv.LoadOptions{
		Getenv: func(key string) string { return environ[key] },
		ReadFile: func(name string) ([]byte, error) {
			if s, ok := files[name]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		},
		Stat:     func(string) (fs.FileInfo, error) { return nil, errors.New("not needed here") },
		GOOS:     "linux",
		LookPath: func(string) (string, error) { return "", errors.New("no go binary") },
	})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestEnvReport(t *testing.T) {
	t.Parallel()
	env := loadLiteral(t, map[string]string{
		"HOME":          "/home/gopher",
		"GOROOT":        "/usr/local/go",
		"https_proxy":   "http://lower.example:3128",
		"SSL_CERT_FILE": "/etc/ca.pem",
	}, map[string]string{
		"/home/gopher/.config/go/env": "GOPRIVATE=*.corp.example\nNETRC=/file/netrc\nHTTPS_PROXY=http://file.example:3128\n",
		"/usr/local/go/go.env":        "GOPROXY=https://proxy.golang.org,direct\n",
	})
	got := map[string]proxyenv.EnvVar{}
	for _, v := range env.Report() {
		got[v.Name] = v
	}
	if len(got) != len(proxyenv.ReportedVars) {
		t.Errorf("Report() has %d variables, want %d", len(got), len(proxyenv.ReportedVars))
	}
	tests := []struct {
		name, value string
		source      proxyenv.Source
		line        int
		used        string // "name=value (source)" or ""
	}{
		{"GOPROXY", "https://proxy.golang.org,direct", proxyenv.SourceGOROOT, 1, ""},
		{"GOPRIVATE", "*.corp.example", proxyenv.SourceFile, 1, ""},
		{"GONOPROXY", "*.corp.example", proxyenv.SourceDefault, 0, ""},
		{"NETRC", "/file/netrc", proxyenv.SourceFile, 2, "NETRC="}, // the default, ~/.netrc, is netrcauth.Path's to find,
		{"HTTPS_PROXY", "http://file.example:3128", proxyenv.SourceFile, 3, "https_proxy=http://lower.example:3128"},
		{"SSL_CERT_FILE", "", proxyenv.SourceDefault, 0, "SSL_CERT_FILE=/etc/ca.pem"}, // "go env" prints it only from a file
		{"SSL_CERT_DIR", "", proxyenv.SourceDefault, 0, ""},
	}
	for _, tt := range tests {
		v := got[tt.name]
		used := ""
		if v.Used != nil {
			used = v.Used.Name + "=" + v.Used.Value
		}
		if v.Value.Value != tt.value || v.Source != tt.source || v.Line != tt.line || used != tt.used {
			t.Errorf("Report()[%s] = %+v (used %q), want %q from %s line %d (used %q)", tt.name, v.Value, used, tt.value, tt.source, tt.line, tt.used)
		}
	}
}

func ExampleEnv_Report() {
	env, _ := proxyenv.Load(proxyenv.LoadOptions{
		Getenv: func(key string) string {
			return map[string]string{"HOME": "/home/gopher", "GOROOT": "/go", "GOPRIVATE": "*.corp.example"}[key]
		},
		ReadFile: func(string) ([]byte, error) { return nil, fs.ErrNotExist },
		GOOS:     "linux",
		LookPath: func(string) (string, error) { return "", errors.New("no go binary") },
	})
	for _, v := range env.Report("GOPRIVATE", "GONOSUMDB", "GOAUTH") {
		fmt.Println(v.Value)
	}
	// Output:
	// GOPRIVATE=*.corp.example (env)
	// GONOSUMDB=*.corp.example (default via GOPRIVATE)
	// GOAUTH=netrc (default)
}
