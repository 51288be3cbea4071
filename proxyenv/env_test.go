package proxyenv

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
)

// goEnvNames are compared byte for byte with "go env -json" in every
// differential case.
var goEnvNames = []string{
	"GOPROXY", "GONOPROXY", "GOPRIVATE", "GONOSUMDB", "GOINSECURE", "GOSUMDB", "GOAUTH", "GOENV", "GOROOT",
	"GOFLAGS", "GOTOOLCHAIN", "GO111MODULE", "GOVCS", "GODEBUG",
	"NETRC", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "GOFOO", "GOproxy",
}

func ptr(s string) *string { return &s }

// envCase is one differential scenario. In env values, file contents and
// paths, $DIR is the oracle's temporary root and $FAKE a fake GOROOT
// directory holding only go.env.
type envCase struct {
	name  string
	env   map[string]string // set in the go command's environment (may be "")
	unset []string
	file  *string // user go env file (at the oracle's GOENV path); nil: absent
	// goEnv, if non-nil, is written to $FAKE/go.env.
	goEnv *string
	// extra files to create, path (with $DIR) -> content; content "/" makes a directory.
	extra map[string]string
	// want, if set, checks sources: name -> "source[:line]".
	want map[string]string
}

// defaults unsets the oracle's GOPROXY and GOSUMDB so the files apply.
var fileApply = []string{"GOPROXY", "GOSUMDB"}

var envCases = []envCase{
	{name: "oracle-baseline"},
	{name: "goroot-go.env-defaults", unset: fileApply,
		want: map[string]string{"GOPROXY": "goroot", "GOSUMDB": "goroot", "GOAUTH": "default", "GOROOT": "go-binary", "GOENV": "env"}},
	{name: "file-beats-go.env", unset: fileApply, file: ptr("GOPROXY=https://file.example\nGOSUMDB=sum.file.example\n"),
		want: map[string]string{"GOPROXY": "file:1", "GOSUMDB": "file:2"}},
	{name: "env-beats-file", env: map[string]string{"GOPROXY": "https://env.example", "GOSUMDB": "off"}, file: ptr("GOPROXY=https://file.example\n"),
		want: map[string]string{"GOPROXY": "env"}},
	{name: "empty-env-falls-through", env: map[string]string{"GOPROXY": "", "GOPRIVATE": "", "GOSUMDB": ""}, file: ptr("GOPROXY=https://file.example\nGOPRIVATE=corp.example\n"),
		want: map[string]string{"GOPROXY": "file:1", "GOPRIVATE": "file:2", "GONOPROXY": "default", "GOSUMDB": "goroot"}},
	{name: "quoted-values", unset: fileApply, file: ptr("GOPROXY=\"https://q.example\"\nGOPRIVATE='corp.example'\n")},
	{name: "crlf", unset: fileApply, file: ptr("GOPROXY=https://crlf.example\r\nGOPRIVATE=corp.example\r\nGOFLAGS=-mod=mod\r\n")},
	{name: "duplicates-last-wins", unset: fileApply, file: ptr("GOPROXY=https://a.example\nGOPRIVATE=x\nGOPROXY=https://b.example\n"),
		want: map[string]string{"GOPROXY": "file:3"}},
	{name: "comments-lowercase-indented", unset: fileApply, file: ptr("# GOPROXY=https://c.example\ngoproxy=https://d.example\n GOPROXY=https://e.example\n\tGOSUMDB=off\nexport GOPRIVATE=x\n=y\n\n"),
		want: map[string]string{"GOPROXY": "goroot"}},
	{name: "key-with-space", unset: fileApply, file: ptr("GOPROXY = https://spaced.example\nGOINSECURE =x\nGOPRIVATE= lead.example\n")},
	{name: "mixed-case-key-is-distinct", unset: fileApply, file: ptr("GOproxy=https://mixed.example\nGOFOO=bar\n")},
	{name: "no-trailing-newline", unset: fileApply, file: ptr("GOPRIVATE=a.example\nGOPROXY=https://last.example")},
	{name: "goprivate-defaults", file: ptr("GOPRIVATE=*.corp.example,corp2.example/x\n"),
		want: map[string]string{"GONOPROXY": "default", "GONOSUMDB": "default", "GOPRIVATE": "file:1"}},
	{name: "goprivate-env-gonoproxy-file", env: map[string]string{"GOPRIVATE": "env.example"}, file: ptr("GONOPROXY=file.example\n"),
		want: map[string]string{"GONOPROXY": "file:1", "GONOSUMDB": "default"}},
	{name: "gonoproxy-empty-in-file", env: map[string]string{"GOPRIVATE": "p.example"}, file: ptr("GONOPROXY=\nGONOSUMDB=\n"),
		want: map[string]string{"GONOPROXY": "default"}},
	{name: "gonoproxy-empty-in-env", env: map[string]string{"GOPRIVATE": "p.example", "GONOPROXY": "", "GONOSUMDB": "none"},
		want: map[string]string{"GONOSUMDB": "env"}},
	{name: "goauth-from-file", file: ptr("GOAUTH=off\n"), want: map[string]string{"GOAUTH": "file:1"}},
	{name: "goauth-env", env: map[string]string{"GOAUTH": "netrc;git /tmp"}},
	{name: "goinsecure", env: map[string]string{"GOINSECURE": "a.example"}, file: ptr("GOINSECURE=b.example\nGOVCS=private:all\nGO111MODULE=on\n")},
	{name: "user-file-empty-value-hides-go.env", unset: fileApply, file: ptr("GOPROXY=\nGOSUMDB=\n"),
		want: map[string]string{"GOPROXY": "file:1", "GOSUMDB": "file:2"}},
	{name: "goenv-off", env: map[string]string{"GOENV": "off"}, unset: fileApply, file: ptr("GOPROXY=https://ignored.example\n"),
		want: map[string]string{"GOPROXY": "goroot", "GOENV": "env"}},
	{name: "goenv-custom", env: map[string]string{"GOENV": "$DIR/custom.env"}, unset: fileApply,
		file:  ptr("GOPROXY=https://ignored.example\n"),
		extra: map[string]string{"$DIR/custom.env": "GOPROXY=https://custom.example\n"},
		want:  map[string]string{"GOPROXY": "file:1"}},
	{name: "goenv-missing-file", env: map[string]string{"GOENV": "$DIR/nonexistent/env"}, unset: fileApply},
	{name: "goenv-is-directory", env: map[string]string{"GOENV": "$DIR/adir"}, unset: fileApply, extra: map[string]string{"$DIR/adir": "/"}},
	{name: "goenv-unset-xdg", unset: append([]string{"GOENV"}, fileApply...), file: ptr("GOPROXY=https://xdg.example\n"),
		want: map[string]string{"GOENV": "default", "GOPROXY": "file:1"}},
	{name: "goenv-empty-xdg", env: map[string]string{"GOENV": ""}, file: ptr("GOPRIVATE=xdg.example\n")},
	{name: "goenv-unset-home", unset: []string{"GOENV", "XDG_CONFIG_HOME"},
		extra: map[string]string{"$DIR/home/.config/go/env": "GOPRIVATE=home.example\n"},
		want:  map[string]string{"GOPRIVATE": "file:1"}},
	{name: "goenv-unset-xdg-relative", env: map[string]string{"XDG_CONFIG_HOME": "rel/config"}, unset: []string{"GOENV"}},
	{name: "goenv-unset-no-home", unset: []string{"GOENV", "XDG_CONFIG_HOME", "HOME"}},
	{name: "fake-goroot-env", env: map[string]string{"GOROOT": "$FAKE"}, unset: fileApply,
		goEnv: ptr("# comment\nGOPROXY=https://fake.example|direct\nGOSUMDB=sum.golang.google.cn\nGOAUTH=off\nGOPRIVATE=fake.example\nGOTOOLCHAIN=local\n"),
		want:  map[string]string{"GOPROXY": "goroot:2", "GOAUTH": "goroot:4", "GONOPROXY": "default", "GOROOT": "env"}},
	{name: "fake-goroot-user-file-wins", env: map[string]string{"GOROOT": "$FAKE"}, unset: fileApply,
		file:  ptr("GOPROXY=https://user.example\nGOAUTH=\n"),
		goEnv: ptr("GOPROXY=https://fake.example\nGOSUMDB=fake.sum\nGOAUTH=off\n"),
		want:  map[string]string{"GOPROXY": "file:1", "GOSUMDB": "goroot:2", "GOAUTH": "default"}},
	{name: "fake-goroot-duplicates-first-wins", env: map[string]string{"GOROOT": "$FAKE"}, unset: fileApply,
		goEnv: ptr("GOPROXY=https://first.example\nGOPROXY=https://second.example\n"),
		want:  map[string]string{"GOPROXY": "goroot:1"}},
	{name: "fake-goroot-crlf-and-goroot-line", env: map[string]string{"GOROOT": "$FAKE"}, unset: fileApply,
		goEnv: ptr("GOPROXY=https://crlf.example\r\nGOROOT=/elsewhere\r\nGOFOO=fromgoroot\r\n")},
	{name: "fake-goroot-from-user-file", unset: fileApply, file: ptr("GOROOT=$FAKE/\nGOPRIVATE=u.example\n"),
		goEnv: ptr("GOPROXY=https://viafile.example\n"),
		want:  map[string]string{"GOROOT": "file:1", "GOPROXY": "goroot:1"}},
	{name: "goroot-env-and-file-differ", env: map[string]string{"GOROOT": "/usr/local/go/"}, unset: fileApply, file: ptr("GOROOT=$FAKE\n"),
		goEnv: ptr("GOPROXY=https://file-goroot.example\n"),
		want:  map[string]string{"GOROOT": "env", "GOPROXY": "goroot:1"}},
	{name: "fake-goroot-without-go.env", env: map[string]string{"GOROOT": "$FAKE"}, unset: fileApply, goEnv: ptr(""),
		want: map[string]string{"GOPROXY": "default", "GOSUMDB": "default"}},
	{name: "netrc-env-only", env: map[string]string{"NETRC": "/env/netrc"}},
	{name: "netrc-file", file: ptr("NETRC=/file/netrc\nHTTP_PROXY=http://file-proxy:3128\n")},
	{name: "netrc-env-and-file", env: map[string]string{"NETRC": "/env/netrc", "HTTPS_PROXY": "http://env-proxy:1"}, file: ptr("NETRC=/file/netrc\nHTTPS_PROXY=http://file-proxy:2\n")},
	{name: "unknown-key-env-only", env: map[string]string{"GOFOO": "envonly"}},
	{name: "unknown-key-env-and-file", env: map[string]string{"GOFOO": "env"}, file: ptr("GOFOO=file\n")},
	{name: "godebug-file-ignored", env: map[string]string{"GODEBUG": "http2client=0"}, file: ptr("GODEBUG=x=1\n")},
	{name: "gotoolchain-from-go.env", unset: []string{"GOTOOLCHAIN"}},
	{name: "goflags-file", unset: []string{"GOFLAGS"}, file: ptr("GOFLAGS=-mod=mod -modcacherw\n")},
	{name: "goenv-off-hides-file-goroot", env: map[string]string{"GOENV": "off"}, unset: fileApply, file: ptr("GOROOT=$FAKE\n"),
		goEnv: ptr("GOPROXY=https://never.example\n"), want: map[string]string{"GOROOT": "go-binary", "GOPROXY": "goroot"}},
	{name: "goproxy-off-gonoproxy-none", env: map[string]string{"GOPROXY": "off", "GOPRIVATE": "corp.example", "GONOPROXY": "none"}},
	{name: "goauth-empty-env-file-off", env: map[string]string{"GOAUTH": ""}, file: ptr("GOAUTH=off\n"), want: map[string]string{"GOAUTH": "file:1"}},
	{name: "user-empty-goprivate-hides-go.env", env: map[string]string{"GOROOT": "$FAKE"}, unset: fileApply, file: ptr("GOPRIVATE=\n"),
		goEnv: ptr("GOPRIVATE=goroot.example\nGONOSUMDB=nosum.example\n"),
		want:  map[string]string{"GOPRIVATE": "file:1", "GONOPROXY": "default", "GONOSUMDB": "goroot:2"}},
	{name: "unicode-and-tabs", unset: fileApply, file: ptr("GOPRIVATE=\tcörp.example/é,*\nGOPROXY=https://pröxy.example\t\n")},
	{name: "gosumdb-variants", unset: fileApply, file: ptr("GOSUMDB=sum.golang.google.cn\nGOSUMDB=sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 https://sum.example\n")},
	{name: "weird-bytes", unset: fileApply, file: ptr("Z=1\nGOPRIVATE=a.example,,b.example/\nGOPROXY=https://u:p@proxy.example,direct\n\x00GOSUMDB=off\nGOSUMDB=sum.golang.org https://alt.example\n")},
}

func TestLoadMatchesGoEnv(t *testing.T) {
	gooracle.Required(t)
	for _, tc := range envCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := gooracle.New(t)
			fake := filepath.Join(g.Dir, "fakeroot")
			expand := func(s string) string {
				s = strings.ReplaceAll(s, "$FAKE", fake)
				return strings.ReplaceAll(s, "$DIR", g.Dir)
			}
			if tc.goEnv != nil {
				mustWrite(t, filepath.Join(fake, "go.env"), *tc.goEnv)
			}
			for k, v := range tc.env {
				g.Set(k, expand(v))
			}
			for _, k := range tc.unset {
				g.Unset(k)
			}
			if tc.file != nil {
				g.WriteEnvFile(t, expand(*tc.file))
			}
			for p, content := range tc.extra {
				p = expand(p)
				if content == "/" {
					if err := os.MkdirAll(p, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				mustWrite(t, p, expand(content))
			}
			want := g.EnvJSON(t, goEnvNames...)
			e, err := Load(LoadOptions{Getenv: g.Getenv, LookupEnv: g.Get})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for _, name := range goEnvNames {
				got, ok := e.GoEnv(name)
				if !ok {
					t.Errorf("GoEnv(%q) not modelled", name)
					continue
				}
				if got != want[name] {
					t.Errorf("GoEnv(%q) = %q, go env -json says %q (source %v)", name, got, want[name], e.Lookup(name))
				}
			}
			fields := map[string]string{
				"GOPROXY": e.GOPROXY, "GONOPROXY": e.GONOPROXY, "GOPRIVATE": e.GOPRIVATE, "GONOSUMDB": e.GONOSUMDB,
				"GOINSECURE": e.GOINSECURE, "GOSUMDB": e.GOSUMDB, "GOAUTH": e.GOAUTH, "GOENV": e.GOENV, "GOROOT": e.GOROOT,
			}
			for name, got := range fields {
				if got != want[name] {
					t.Errorf("Env.%s = %q, go env -json says %q", name, got, want[name])
				}
				if v := e.Sources[name]; v.Value != got || v.Name != name {
					t.Errorf("Sources[%q] = %+v, want Name %q and Value %q", name, v, name, got)
				}
			}
			for name, w := range tc.want {
				v := e.Sources[name]
				got := string(v.Source)
				if strings.Contains(w, ":") {
					got += ":" + strconv.Itoa(v.Line)
				}
				if got != w {
					t.Errorf("Sources[%q] = %v, want source %s", name, v, w)
				}
			}
		})
	}
}

func mustWrite(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
