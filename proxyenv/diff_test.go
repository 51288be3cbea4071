package proxyenv_test

// Differential tests: the go command's "go mod download -json M@V" against
// local logging module proxies, compared with a small driver built on
// Route and Walk that fetches .info, .mod and .zip the same way. The
// requests (server and path, in order), success or failure, the source of
// the reported error and, where both sides produce it, the exact error text
// must agree.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
)

var diffMods = []modproxy.Module{
	{Path: "example.com/m", Version: "v1.0.0"},
	{Path: "example.com/Upper/m", Version: "v1.2.3"},
	{Path: "corp.example/private/x", Version: "v0.1.0"},
	{Path: "golang.org/toolchain", Version: "v0.0.1-go1.99.0.linux-amd64"},
}

// server behaviours by name. targets maps server names to their URLs once
// all servers of a case have started (for redirects).
func serverOpts(kind string, targets *sync.Map) []modproxy.Option {
	redirectTo := func(name, path string) string {
		u, _ := targets.Load(name)
		s, _ := u.(string)
		return s + path
	}
	if target, ok := strings.CutPrefix(kind, "redirect:"); ok {
		return []modproxy.Option{modproxy.Handle(func(w http.ResponseWriter, r *http.Request) bool {
			http.Redirect(w, r, redirectTo(target, r.URL.Path), http.StatusFound)
			return true
		})}
	}
	if target, ok := strings.CutPrefix(kind, "tlsredirect:"); ok {
		return []modproxy.Option{modproxy.TLS(), modproxy.Handle(func(w http.ResponseWriter, r *http.Request) bool {
			http.Redirect(w, r, redirectTo(target, r.URL.Path), http.StatusFound)
			return true
		})}
	}
	switch kind {
	case "ok":
		return nil
	case "tls":
		return []modproxy.Option{modproxy.TLS()}
	case "tls404":
		return []modproxy.Option{modproxy.TLS(), modproxy.Status("", 404)}
	case "tls403":
		return []modproxy.Option{modproxy.TLS(), modproxy.Status("", 403)}
	case "401":
		return []modproxy.Option{modproxy.RequireBasic("u", "p")}
	case "text":
		return []modproxy.Option{modproxy.Respond("", modproxy.Response{Status: 503, Body: "maintenance\nback soon\n"})}
	case "text-ctrl-tail":
		// A control character after the 9th line still hides the detail.
		return []modproxy.Option{modproxy.Respond("", modproxy.Response{Status: 503, Body: strings.Repeat("line\n", 12) + "bad \x1b[31m escape\n"})}
	case "text-many-lines":
		return []modproxy.Option{modproxy.Respond("", modproxy.Response{Status: 503, Body: strings.Repeat("line\n", 12)})}
	case "html":
		return []modproxy.Option{modproxy.Respond("", modproxy.Response{Status: 404, Body: "<h1>nope</h1>", ContentType: "text/html"})}
	case "zip500":
		return []modproxy.Option{modproxy.Status("/example.com/m/@v/v1.0.0.zip", 500)}
	case "mod404":
		return []modproxy.Option{modproxy.Status("/example.com/m/@v/v1.0.0.mod", 404)}
	case "base":
		return []modproxy.Option{modproxy.Base("/go/proxy")}
	case "sumdb":
		return []modproxy.Option{modproxy.SumDB("sum.test")}
	case "sumdb-tls":
		return []modproxy.Option{modproxy.TLS(), modproxy.SumDB("sum.test")}
	case "sup404", "sup410", "sup503", "sup403":
		var code int
		fmt.Sscanf(kind[3:], "%d", &code)
		return []modproxy.Option{modproxy.Status("/sumdb/", code)}
	}
	var code int
	if _, err := fmt.Sscanf(kind, "%d", &code); err != nil {
		panic("unknown server kind " + kind)
	}
	return []modproxy.Option{modproxy.Status("", code)}
}

type diffCase struct {
	name    string
	servers []string // kinds; server i is named A, B, C... in GOPROXY as {A}, {B}...
	goproxy string
	env     map[string]string
	mod     string // path@version
	// wantOK is whether the download should succeed (checked on both).
	wantOK bool
	// goPanics marks inputs the go command crashes on; modnet must
	// return an error instead.
	goPanics bool
}

var diffCases = []diffCase{
	{name: "single-ok", servers: []string{"ok"}, goproxy: "{A}", wantOK: true},
	{name: "text-detail-ctrl-after-line-9", servers: []string{"text-ctrl-tail"}, goproxy: "{A}"},
	{name: "text-detail-many-lines", servers: []string{"text-many-lines"}, goproxy: "{A}"},
	{name: "sumdb-explicit-url-no-scheme", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "{KEY} sum.test.example"}},
	{name: "single-404", servers: []string{"404"}, goproxy: "{A}"},
	{name: "single-410", servers: []string{"410"}, goproxy: "{A}"},
	{name: "single-500", servers: []string{"500"}, goproxy: "{A}"},
	{name: "single-403", servers: []string{"403"}, goproxy: "{A}"},
	{name: "single-401", servers: []string{"401"}, goproxy: "{A}"},
	{name: "404-comma-ok", servers: []string{"404", "ok"}, goproxy: "{A},{B}", wantOK: true},
	{name: "410-comma-ok", servers: []string{"410", "ok"}, goproxy: "{A},{B}", wantOK: true},
	{name: "500-comma-ok", servers: []string{"500", "ok"}, goproxy: "{A},{B}"},
	{name: "403-comma-ok", servers: []string{"403", "ok"}, goproxy: "{A},{B}"},
	{name: "401-comma-ok", servers: []string{"401", "ok"}, goproxy: "{A},{B}"},
	{name: "500-pipe-ok", servers: []string{"500", "ok"}, goproxy: "{A}|{B}", wantOK: true},
	{name: "403-pipe-ok", servers: []string{"403", "ok"}, goproxy: "{A}|{B}", wantOK: true},
	{name: "401-pipe-ok", servers: []string{"401", "ok"}, goproxy: "{A}|{B}", wantOK: true},
	{name: "404-pipe-ok", servers: []string{"404", "ok"}, goproxy: "{A}|{B}", wantOK: true},
	{name: "404-comma-410", servers: []string{"404", "410"}, goproxy: "{A},{B}"},
	{name: "410-comma-404", servers: []string{"410", "404"}, goproxy: "{A},{B}"},
	{name: "404-comma-500", servers: []string{"404", "500"}, goproxy: "{A},{B}"},
	{name: "500-pipe-404", servers: []string{"500", "404"}, goproxy: "{A}|{B}"},
	{name: "404-pipe-500", servers: []string{"404", "500"}, goproxy: "{A}|{B}"},
	{name: "500-pipe-403-comma-ok", servers: []string{"500", "403", "ok"}, goproxy: "{A}|{B},{C}"},
	{name: "500-pipe-403-pipe-ok", servers: []string{"500", "403", "ok"}, goproxy: "{A}|{B}|{C}", wantOK: true},
	{name: "500-comma-404-pipe-ok", servers: []string{"500", "404", "ok"}, goproxy: "{A},{B}|{C}"},
	{name: "404-404-404", servers: []string{"404", "404", "404"}, goproxy: "{A},{B},{C}"},
	{name: "404-pipe-500-comma-ok", servers: []string{"404", "500", "ok"}, goproxy: "{A}|{B},{C}"},
	{name: "ok-then-unused", servers: []string{"ok", "500"}, goproxy: "{A},{B}", wantOK: true},
	{name: "spaces-and-empties", servers: []string{"404", "ok"}, goproxy: " {A} ,, | {B} ,", wantOK: true},
	{name: "off", servers: []string{"ok"}, goproxy: "off"},
	{name: "404-then-off", servers: []string{"404"}, goproxy: "{A},off"},
	{name: "500-pipe-off", servers: []string{"500"}, goproxy: "{A}|off"},
	{name: "off-ends-list", servers: []string{"ok"}, goproxy: "off,{A}"},
	{name: "direct", servers: nil, goproxy: "direct"},
	{name: "404-then-direct", servers: []string{"404"}, goproxy: "{A},direct"},
	{name: "500-then-direct", servers: []string{"500"}, goproxy: "{A},direct"},
	{name: "500-pipe-direct", servers: []string{"500"}, goproxy: "{A}|direct"},
	{name: "direct-ends-list", servers: []string{"ok"}, goproxy: "direct,{A}"},
	{name: "text-detail", servers: []string{"text"}, goproxy: "{A}"},
	{name: "html-404-no-detail", servers: []string{"html", "ok"}, goproxy: "{A},{B}", wantOK: true},
	{name: "zip-500", servers: []string{"zip500", "ok"}, goproxy: "{A},{B}"},
	{name: "zip-500-pipe", servers: []string{"zip500", "ok"}, goproxy: "{A}|{B}", wantOK: true},
	{name: "mod-404-falls-through", servers: []string{"mod404", "ok"}, goproxy: "{A},{B}", wantOK: true},
	{name: "base-path", servers: []string{"base"}, goproxy: "{A}", wantOK: true},
	{name: "upper-escaped", servers: []string{"404", "ok"}, goproxy: "{A},{B}", mod: "example.com/Upper/m@v1.2.3", wantOK: true},
	{name: "unknown-module", servers: []string{"ok", "ok"}, goproxy: "{A},{B}", mod: "example.com/none@v1.0.0"},
	{name: "unknown-version", servers: []string{"ok"}, goproxy: "{A}", mod: "example.com/m@v9.9.9"},
	// TLS: the go command retries every 4xx answer over https once.
	{name: "tls-ok", servers: []string{"tls"}, goproxy: "{A}", wantOK: true},
	{name: "tls-404-comma-ok", servers: []string{"tls404", "ok"}, goproxy: "{A},{B}", wantOK: true},
	{name: "tls-403-pipe-ok", servers: []string{"tls403", "ok"}, goproxy: "{A}|{B}", wantOK: true},
	{name: "tls-403-comma-ok", servers: []string{"tls403", "ok"}, goproxy: "{A},{B}"},
	// GONOPROXY / GOPRIVATE.
	{name: "gonoproxy-match-skips-proxies", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GONOPROXY": "example.com"}},
	{name: "goprivate-match-skips-proxies", servers: []string{"ok"}, goproxy: "{A},direct", env: map[string]string{"GOPRIVATE": "example.com/*"}},
	{name: "gonoproxy-no-match", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GONOPROXY": "corp.example"}, wantOK: true},
	{name: "goprivate-no-match-404", servers: []string{"404"}, goproxy: "{A}", env: map[string]string{"GOPRIVATE": "corp.example"}},
	{name: "gonoproxy-none-overrides-goprivate", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GOPRIVATE": "example.com", "GONOPROXY": "none"}, wantOK: true},
	{name: "gonoproxy-space-no-match", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GONOPROXY": "corp.example, example.com"}, wantOK: true},
	{name: "gonoproxy-glob", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GONOPROXY": "*.example/private"}, mod: "corp.example/private/x@v0.1.0"},
	{name: "gonoproxy-direct-only", servers: nil, goproxy: "direct", env: map[string]string{"GONOPROXY": "example.com"}},
	{name: "off-with-gonoproxy-match", servers: nil, goproxy: "off", env: map[string]string{"GONOPROXY": "example.com"}},
	{name: "off-with-gonoproxy-no-match", servers: nil, goproxy: "off", env: map[string]string{"GONOPROXY": "corp.example"}},
	{name: "gonoproxy-match-500-pipe", servers: []string{"500"}, goproxy: "{A}|off", env: map[string]string{"GONOPROXY": "example.com"}},
	// GOINSECURE never affects proxies.
	{name: "goinsecure-proxy", servers: []string{"tls403", "ok"}, goproxy: "{A},{B}", env: map[string]string{"GOINSECURE": "example.com"}},
	// file:// proxies.
	{name: "file-ok", servers: []string{"file"}, goproxy: "{A}", wantOK: true},
	{name: "file-missing-comma-ok", servers: []string{"file", "ok"}, goproxy: "{A},{B}", mod: "example.com/Upper/m@v1.2.3", wantOK: true, env: map[string]string{"_EMPTYFILE": "1"}},
	{name: "file-missing", servers: []string{"file"}, goproxy: "{A}", env: map[string]string{"_EMPTYFILE": "1"}},
	// Invalid GOPROXY values: the go command's error text.
	{name: "invalid-word", goproxy: "goproxy"},
	{name: "invalid-noproxy-word", goproxy: "noproxy"},
	{name: "invalid-abs-path", goproxy: "/abs/path"},
	{name: "invalid-scheme", goproxy: "ftp://x.com"},
	{name: "invalid-file-host", goproxy: "file://host/path"},
	{name: "invalid-file-query", goproxy: "file:///tmp/p?x=1"},
	{name: "invalid-file-opaque", goproxy: "file:relative"},
	{name: "invalid-file-single-slash", goproxy: "file:/tmp/p"},
	{name: "invalid-escape", goproxy: "https://%zz"},
	{name: "invalid-after-404", servers: []string{"404"}, goproxy: "{A},ftp://x.com"},
	{name: "invalid-after-direct-ignored", goproxy: "direct,ftp://x.com"},
	{name: "invalid-userinfo-redacted", goproxy: "ftp://user:secret@x.com"},
	{name: "invalid-only-commas", goproxy: ","},
	{name: "invalid-only-space", goproxy: " "},
	{name: "invalid-only-pipes", goproxy: "| |"},
	{name: "invalid-only-noproxy", goproxy: ",", env: map[string]string{"GONOPROXY": "corp.example"}},
	{name: "uppercase-DIRECT-is-a-word", goproxy: "DIRECT"},
	{name: "https-empty-host", goproxy: "https://"},
	// Checksum database: found through the proxies' /sumdb/<name>/supported,
	// then directly; GONOSUMDB, GOPRIVATE and GOSUMDB=off turn it off.
	{name: "sumdb-via-proxy", servers: []string{"sumdb"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "{KEY}"}, wantOK: true},
	{name: "sumdb-via-proxy-tls", servers: []string{"sumdb-tls"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "{KEY}"}, wantOK: true},
	{name: "sumdb-404-comma-proxy", servers: []string{"sup404", "sumdb"}, goproxy: "{A},{B}", env: map[string]string{"GOSUMDB": "{KEY}"}, wantOK: true},
	{name: "sumdb-410-comma-proxy", servers: []string{"sup410", "sumdb"}, goproxy: "{A},{B}", env: map[string]string{"GOSUMDB": "{KEY}"}, wantOK: true},
	{name: "sumdb-503-comma-proxy", servers: []string{"sup503", "sumdb"}, goproxy: "{A},{B}", env: map[string]string{"GOSUMDB": "{KEY}"}},
	{name: "sumdb-503-pipe-proxy", servers: []string{"sup503", "sumdb"}, goproxy: "{A}|{B}", env: map[string]string{"GOSUMDB": "{KEY}"}, wantOK: true},
	{name: "sumdb-403-pipe-direct", servers: []string{"sup403"}, goproxy: "{A}|direct", env: map[string]string{"GOSUMDB": "{KEY}"}},
	{name: "sumdb-503-pipe-off", servers: []string{"sup503"}, goproxy: "{A}|off", env: map[string]string{"GOSUMDB": "{KEY}"}},
	{name: "sumdb-404-then-direct", servers: []string{"sup404"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "{KEY}"}},
	{name: "sumdb-404-404-503", servers: []string{"sup404", "sup404", "sup503"}, goproxy: "{A},{B},{C}", env: map[string]string{"GOSUMDB": "{KEY}"}},
	{name: "sumdb-explicit-url", servers: []string{"sup503", "sumdb"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "{KEY} {B}/sumdb/sum.test"}, wantOK: true},
	{name: "sumdb-gonosumdb", servers: []string{"sup503"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "{KEY}", "GONOSUMDB": "example.com"}, wantOK: true},
	{name: "sumdb-goprivate-nosumdb", servers: []string{"sup503"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "{KEY}", "GOPRIVATE": "example.com", "GONOPROXY": "none"}, wantOK: true},
	{name: "sumdb-off", servers: []string{"sup503"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "off"}, wantOK: true},
	{name: "sumdb-mod-fails-first", servers: []string{"mod404", "sumdb"}, goproxy: "{A},{B}", env: map[string]string{"GOSUMDB": "{KEY}"}, wantOK: true},
	{name: "sumdb-invalid-fields", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "a b c"}},
	{name: "sumdb-invalid-key", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "sum.test+bad"}},
	// A database name note accepts but url.Parse rejects crashes the go
	// command (nil pointer dereference in its GOSUMDB parsing).
	{name: "sumdb-name-unparsable", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "%zz+b46ea58e+AQQ4UkyF6mqkNJKmRLCM1oU2soZOp+MMlDa2iK90xMFh"}, goPanics: true},
	{name: "sumdb-name-trailing-slash", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "sum.test/+aea811f9+AeRLdl+XkA6ZVDkTjSfhX+3c8xtMY1Jv4/chJKD913W0"}},
	{name: "sumdb-name-userinfo", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "u@sum.test+948897a9+AYAwRHOlxk9uPr4+TT9PpxH+DP7zNDQqE8h8jqhZdrvP"}},
	{name: "sumdb-name-with-path", servers: []string{"sup404"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "sum.test/path+f01b072d+AVoGai2cmjJZrUpfD/H+z38O2PCx4k9yT9ymUEhn9Pg2"}},
	{name: "sumdb-unknown-name", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GOSUMDB": "sum.example.com"}},
	// Redirects are followed within one step; https to http is refused.
	{name: "redirect-cross-host", servers: []string{"redirect:B", "ok"}, goproxy: "{A}", wantOK: true},
	{name: "redirect-to-404-falls-through", servers: []string{"redirect:B", "404", "ok"}, goproxy: "{A},{C}", wantOK: true},
	{name: "redirect-https-to-http", servers: []string{"tlsredirect:B", "ok"}, goproxy: "{A}"},
	{name: "redirect-https-to-http-pipe", servers: []string{"tlsredirect:B", "ok"}, goproxy: "{A}|{B}", wantOK: true},
	{name: "redirect-loop", servers: []string{"redirect:A"}, goproxy: "{A}"},
	{name: "redirect-loop-pipe", servers: []string{"redirect:A", "ok"}, goproxy: "{A}|{B}", wantOK: true},
	// The go env file instead of the environment; empty variables fall
	// through to the file and to GOPRIVATE.
	{name: "envfile-404-comma-ok", servers: []string{"404", "ok"}, goproxy: "{A},{B}", env: map[string]string{"_INFILE": "1"}, wantOK: true},
	{name: "envfile-goprivate", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"_INFILE": "1", "GOPRIVATE": "example.com"}},
	{name: "empty-gonoproxy-falls-to-goprivate", servers: []string{"ok"}, goproxy: "{A}", env: map[string]string{"GOPRIVATE": "example.com", "GONOPROXY": ""}},
	// golang.org/toolchain is verified even with GOSUMDB=off or GONOSUMDB,
	// except from a single file:// GOPROXY.
	{name: "toolchain-sumdb-off", servers: []string{"ok"}, goproxy: "{A}", mod: "golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64", env: map[string]string{"GOSUMDB": "off"}},
	{name: "toolchain-gonosumdb", servers: []string{"sumdb"}, goproxy: "{A}", mod: "golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64", env: map[string]string{"GOSUMDB": "{KEY}", "GONOSUMDB": "golang.org"}, wantOK: true},
	{name: "toolchain-file-exempt", servers: []string{"file"}, goproxy: "{A}", mod: "golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64", env: map[string]string{"GOSUMDB": "off"}, wantOK: true},
	{name: "toolchain-file-list-not-exempt", servers: []string{"file", "ok"}, goproxy: "{A},{B}", mod: "golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64", env: map[string]string{"GOSUMDB": "off"}},
	// Scheme inference: host:port without scheme becomes https.
	{name: "inferred-https", servers: []string{"tls"}, goproxy: "{A-noscheme}", wantOK: true},
}

// TestDiffModDownload compares the go command with the Route/Walk driver.
func TestDiffModDownload(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	for _, tc := range diffCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runDiff(t, tc)
		})
	}
}

type diffEnv struct {
	log   *modproxy.Log
	roots *x509.CertPool
}

func runDiff(t *testing.T, tc diffCase) {
	g := gooracle.New(t)
	de := &diffEnv{log: modproxy.NewLog(), roots: x509.NewCertPool()}
	goproxy := tc.goproxy
	var caFiles [][]byte
	urls := map[string]string{}
	var targets sync.Map
	sumdbKey := testSumDBKey
	for i, kind := range tc.servers {
		name := string(rune('A' + i))
		var u string
		if kind == "file" {
			dir := filepath.Join(t.TempDir(), "proxy")
			src := modproxy.New(t, diffMods)
			if tc.env["_EMPTYFILE"] == "" {
				src.WriteDir(t, dir)
			} else if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			u = (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
		} else {
			s := modproxy.New(t, diffMods, append(serverOpts(kind, &targets), modproxy.Logged(de.log, name))...)
			u = s.URL
			if s.SumDBKey != "" {
				sumdbKey = s.SumDBKey
			}
			if s.CAPEM != nil {
				caFiles = append(caFiles, s.CAPEM)
				de.roots.AppendCertsFromPEM(s.CAPEM)
			}
		}
		urls[name] = u
		targets.Store(name, u)
		goproxy = strings.ReplaceAll(goproxy, "{"+name+"}", u)
		goproxy = strings.ReplaceAll(goproxy, "{"+name+"-noscheme}", strings.TrimPrefix(u, "https://"))
	}
	if len(caFiles) > 0 {
		f := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(f, slices.Concat(caFiles...), 0o644); err != nil {
			t.Fatal(err)
		}
		g.Set("SSL_CERT_FILE", f)
	}
	g.Set("GOPROXY", goproxy)
	var file strings.Builder
	inFile := tc.env["_INFILE"] != ""
	if inFile {
		// Everything from the user go env file instead of the process
		// environment.
		g.Unset("GOPROXY")
		g.Unset("GOSUMDB")
		fmt.Fprintf(&file, "GOPROXY=%s\nGOSUMDB=off\n", goproxy)
	}
	for k, v := range tc.env {
		if !strings.HasPrefix(k, "_") {
			for name, u := range urls {
				v = strings.ReplaceAll(v, "{"+name+"}", u)
			}
			v = strings.ReplaceAll(v, "{KEY}", sumdbKey)
			if inFile {
				fmt.Fprintf(&file, "%s=%s\n", k, v)
				continue
			}
			g.Set(k, v)
		}
	}
	if inFile {
		g.WriteEnvFile(t, file.String())
	}
	mod := tc.mod
	if mod == "" {
		mod = "example.com/m@v1.0.0"
	}
	path, vers, _ := strings.Cut(mod, "@")

	ds, stderr, err := g.ModDownload(context.Background(), mod)
	if tc.goPanics {
		if err == nil || !strings.Contains(err.Error(), "panic: runtime error") {
			t.Fatalf("go command did not crash as recorded: %v %+v", err, ds)
		}
		env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
		if err != nil {
			t.Fatal(err)
		}
		r, err := env.Route(path)
		var se *proxyenv.SumDBError
		if err != nil || !errors.As(r.SumDB.Err, &se) {
			t.Fatalf("Route(%q): %v, SumDB.Err %v; want a *SumDBError", path, err, r.SumDB.Err)
		}
		t.Logf("go command panics; modnet: %v", se)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 {
		t.Fatalf("go mod download: %d objects\n%s", len(ds), stderr)
	}
	goErr := ds[0].Error
	goReqs := de.log.Strings()
	goDirect := len(g.Sink.Targets()) > 0
	de.log.Reset()

	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if env.GOPROXY != goproxy {
		t.Fatalf("Load: GOPROXY = %q, want %q", env.GOPROXY, goproxy)
	}
	ourDirect, ourErr := de.download(t, env, path, vers)
	ourReqs := de.log.Strings()

	t.Logf("go: %q err=%q direct=%v sink=%q\nours: %q err=%v", goReqs, goErr, goDirect, g.Sink.Targets(), ourReqs, ourErr)
	if !slices.Equal(goReqs, ourReqs) {
		t.Errorf("requests differ\ngo command: %q\nRoute+Walk: %q", goReqs, ourReqs)
	}
	if goDirect != ourDirect {
		t.Errorf("direct attempted: go command %v (sink %q), Route+Walk %v", goDirect, g.Sink.Targets(), ourDirect)
	}
	if (goErr == "") != tc.wantOK {
		t.Errorf("go command: error %q, want success %v", goErr, tc.wantOK)
	}
	if (ourErr == nil) != tc.wantOK {
		t.Errorf("Route+Walk: error %v, want success %v", ourErr, tc.wantOK)
	}
	if ourErr != nil && goErr != "" {
		var se *proxyenv.StepError
		if errors.As(ourErr, &se) && se.Step.Action == proxyenv.ActionDirect || errors.Is(ourErr, errDirectUnsupported) {
			// The driver does not fetch from origins; the go command's
			// error must come from its direct attempt.
			if !goDirect {
				t.Errorf("our error is from direct, the go command's is not: %q", goErr)
			}
		} else if got := ourErr.Error(); got != goErr {
			t.Errorf("error text differs\ngo command: %q\nRoute+Walk: %q", goErr, got)
		}
	}

	// The public path must agree too: Env.Client and Fetcher, as
	// examples/fetch uses them. The sink proxy in the oracle's environment
	// catches a fall-through to a checksum database's own host.
	de.log.Reset()
	sinkBefore := len(g.Sink.Targets())
	fetchErr := fetchPublic(env, g, path, vers)
	fetchReqs := de.log.Strings()
	fetchDirect := len(g.Sink.Targets()) > sinkBefore
	if !slices.Equal(goReqs, fetchReqs) {
		t.Errorf("requests differ\ngo command: %q\nFetcher:    %q", goReqs, fetchReqs)
	}
	if goDirect != fetchDirect {
		t.Errorf("direct attempted: go command %v (sink %q), Fetcher %v (%v)", goDirect, g.Sink.Targets(), fetchDirect, fetchErr)
	}
	if (fetchErr == nil) != tc.wantOK {
		t.Errorf("Fetcher: error %v, want success %v", fetchErr, tc.wantOK)
	}
	if fetchErr != nil && goErr != "" && !fetchDirect {
		got := fetchErr.Error()
		// A transport failure carries modnet's classification around the
		// go command's own text; without it the texts must be equal.
		var te *trust.Error
		if errors.As(fetchErr, &te) {
			got = strings.Replace(got, te.Error(), te.Message, 1)
		}
		if got != goErr {
			t.Errorf("error text differs\ngo command: %q\nFetcher:    %q", goErr, got)
		}
	}
}

// fetchPublic downloads path@vers with the public client and Fetcher.
func fetchPublic(env *proxyenv.Env, g *gooracle.Go, path, vers string) error {
	c, err := env.Client(proxyenv.ClientOptions{CommandEnv: g.Environ()})
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()
	_, err = (&modfetch.Fetcher{Client: c}).Download(context.Background(), path, vers)
	return err
}

var errDirectUnsupported = &directError{}

type directError struct{}

func (*directError) Error() string { return "direct fetching not supported by the test driver" }

// Is makes a failed direct attempt not-found, like the go command's failed
// import path discovery.
func (*directError) Is(target error) bool { return target == fs.ErrNotExist }

// download is the driver: like the go command for an exact version, it
// walks the route once per file (.info, .mod, .zip).
func (de *diffEnv) download(t *testing.T, env *proxyenv.Env, path, vers string) (direct bool, err error) {
	ctx := context.Background()
	r, err := env.Route(path)
	if err != nil {
		var pe *proxyenv.ProxyListError
		if errors.As(err, &pe) {
			return false, &module.ModuleError{Path: path, Version: vers, Err: pe.Err}
		}
		return false, err
	}
	client := &http.Client{
		Transport: &http.Transport{TLSClientConfig: newTLSConfig(de.roots), Proxy: nil, DialContext: loopbackOnly},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirected from secure URL %s to insecure URL %s", via[len(via)-1].URL, req.URL)
			}
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		},
	}
	sv := &sumVerifier{client: client, route: r}
	for _, ext := range []string{"info", "mod", "zip"} {
		err := proxyenv.Walk(ctx, r, func(ctx context.Context, s proxyenv.Step) error {
			if s.Action == proxyenv.ActionDirect {
				direct = true
				return errDirectUnsupported
			}
			file, err := proxyenv.VersionFile(vers, ext)
			if err != nil {
				return err
			}
			u, err := proxyenv.ProxyFileURL(s.Entry.URL, r.Module, file)
			if err != nil {
				return err
			}
			if err := fetch(ctx, client, u); err != nil {
				return &module.ModuleError{Path: path, Version: vers, Err: err}
			}
			// The go command verifies go.mod with the checksum database
			// as part of fetching it from this source: a verification
			// failure is this step's error, and '|' moves on.
			if ext == "mod" && r.SumDB.Use {
				sumDirect, err := sv.verify(ctx, path, vers)
				direct = direct || sumDirect
				return err
			}
			return nil
		})
		if err != nil {
			var me *module.ModuleError
			if errors.As(err, &me) {
				return direct, err
			}
			return direct, &module.ModuleError{Path: path, Version: vers, Err: err}
		}
	}
	return direct, nil
}

// sumVerifier finds the checksum database once, like the go command, and
// looks modules up in it with x/mod's client.
type sumVerifier struct {
	client *http.Client
	route  *proxyenv.Route
	found  bool
	base   *url.URL
	err    error
	db     *sumdb.Client
}

func (v *sumVerifier) verify(ctx context.Context, path, vers string) (direct bool, err error) {
	r := v.route
	wrap := func(err error) error {
		return &module.ModuleError{Path: path, Version: vers, Err: fmt.Errorf("verifying go.mod: %w", err)}
	}
	if r.SumDB.Err != nil {
		var se *proxyenv.SumDBError
		if errors.As(r.SumDB.Err, &se) {
			return false, wrap(se.Err)
		}
		return false, wrap(r.SumDB.Err)
	}
	if !v.found {
		v.found = true
		v.base, v.err = proxyenv.FindSumDB(ctx, r, func(ctx context.Context, u *url.URL) error {
			return fetch(ctx, v.client, u)
		})
		if v.err == nil {
			v.db = sumdb.NewClient(&sumOps{ctx: ctx, client: v.client, base: v.base, key: r.SumDB.DB.Key, config: map[string][]byte{}})
		}
	}
	if v.err != nil {
		return false, wrap(fmt.Errorf("%s@%s/go.mod: %v", path, vers, v.err))
	}
	if h := v.base.Hostname(); v.base.String() == r.SumDB.DB.DirectURL().String() || h != "127.0.0.1" && h != "localhost" {
		// The direct database is not on this machine; the go command's
		// attempt ends at the sink proxy.
		return true, wrap(errDirectUnsupported)
	}
	_, err = v.db.Lookup(path, vers+"/go.mod")
	if err != nil {
		return false, wrap(err)
	}
	return false, nil
}

// testSumDBKey is a valid verifier key for sum.test that no server holds.
const testSumDBKey = "sum.test+b852dcc5+AQwixJGQz48oHrWGwSMUNLZnEz8npNPY7tOAOvKvgYCp"

// sumOps is a sumdb.ClientOps over the test client with in-memory state.
type sumOps struct {
	ctx    context.Context
	client *http.Client
	base   *url.URL
	key    string
	config map[string][]byte
}

func (o *sumOps) ReadRemote(p string) ([]byte, error) {
	u := *o.base
	u.Path = strings.TrimSuffix(u.Path, "/") + p
	u.RawPath = ""
	var b []byte
	err := fetchBody(o.ctx, o.client, &u, &b)
	return b, err
}

func (o *sumOps) ReadConfig(file string) ([]byte, error) {
	if file == "key" {
		return []byte(o.key), nil
	}
	return o.config[file], nil
}

func (o *sumOps) WriteConfig(file string, old, new []byte) error {
	o.config[file] = new
	return nil
}
func (o *sumOps) ReadCache(file string) ([]byte, error) { return nil, fs.ErrNotExist }
func (o *sumOps) WriteCache(file string, data []byte)   {}
func (o *sumOps) Log(msg string)                        {}
func (o *sumOps) SecurityError(msg string)              { panic(msg) }

func fetch(ctx context.Context, client *http.Client, u *url.URL) error {
	return fetchBody(ctx, client, u, nil)
}

func fetchBody(ctx context.Context, client *http.Client, u *url.URL, body *[]byte) error {
	if u.Scheme == "file" {
		f, err := os.Open(filepath.FromSlash(u.Path))
		if errors.Is(err, fs.ErrNotExist) {
			return &proxyenv.StatusError{URL: u.Redacted(), Status: "Not Found", StatusCode: 404, Err: err}
		}
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(io.Discard, f)
		return err
	}
	get := func() (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
		if err != nil {
			return nil, err
		}
		return client.Do(req)
	}
	resp, err := get()
	// The go command asks again once after any 4xx over https (to re-run
	// GOAUTH with the response).
	if err == nil && u.Scheme == "https" && resp.StatusCode >= 400 && resp.StatusCode < 500 {
		resp.Body.Close()
		resp, err = get()
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := proxyenv.CheckResponse(resp); err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	if body != nil {
		*body = b
	}
	return err
}

// loopbackOnly dials 127.0.0.1 only, so a driver bug cannot reach the
// network (not even DNS).
func loopbackOnly(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return nil, fmt.Errorf("test driver refuses to dial %s", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func newTLSConfig(roots *x509.CertPool) *tls.Config { return &tls.Config{RootCAs: roots} }

// TestDiffGOINSECURE checks Route's GOINSECURE decision against what the
// go command does at direct: with a matching pattern it also tries plain
// http for import path discovery (seen by the sink proxy as an http://
// URL), without one it tries https only, and proxies are never affected.
func TestDiffGOINSECURE(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	tests := []struct {
		name, goproxy, goinsecure, gonoproxy string
	}{
		{"match-direct", "direct", "example.com", ""},
		{"glob-match-direct", "direct", "*.com", ""},
		{"no-match-direct", "direct", "corp.example", ""},
		{"match-noproxy", "off", "example.com/m", "example.com"},
		{"match-proxy-only", "{A}", "example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := gooracle.New(t)
			s := modproxy.New(t, nil, modproxy.TLS(), modproxy.Status("", 404))
			g.Set("SSL_CERT_FILE", s.CAFile)
			goproxy := strings.ReplaceAll(tt.goproxy, "{A}", s.URL)
			g.Set("GOPROXY", goproxy)
			g.Set("GOINSECURE", tt.goinsecure)
			if tt.gonoproxy != "" {
				g.Set("GONOPROXY", tt.gonoproxy)
			}
			if _, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0"); err != nil {
				t.Fatal(err)
			}
			plainHTTP := false
			for _, target := range g.Sink.Targets() {
				plainHTTP = plainHTTP || strings.HasPrefix(target, "http://")
			}
			t.Logf("sink targets: %q", g.Sink.Targets())
			env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
			if err != nil {
				t.Fatal(err)
			}
			r, err := env.Route("example.com/m")
			if err != nil {
				t.Fatal(err)
			}
			if r.Insecure.Applies != plainHTTP {
				t.Errorf("Route: GOINSECURE applies = %v (%s); go command tried plain http: %v (sink %q)", r.Insecure.Applies, r.Insecure.Reason, plainHTTP, g.Sink.Targets())
			}
			for _, req := range s.Requests() {
				if req.Status != 404 {
					t.Errorf("proxy request %s answered %d", req.Path, req.Status)
				}
			}
		})
	}
}
