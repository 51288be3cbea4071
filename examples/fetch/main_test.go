package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gitserver"
	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
)

func TestFetchOutputMatchesGo(t *testing.T) {
	gooracle.Required(t)
	mods := []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}
	s := modproxy.New(t, mods, modproxy.TLS(), modproxy.RequireBasic("u", "fetch-secret"))
	g := gooracle.New(t)
	g.Set("SSL_CERT_FILE", s.CAFile)
	g.Set("GOPROXY", s.URL)
	home, _ := g.Get("HOME")
	host := strings.TrimPrefix(s.URL, "https://")
	if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte("machine "+host+" login u password fetch-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0", "example.com/m@v9.9.9")
	if err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	dir := t.TempDir()
	code := run(context.Background(), []string{"-x", "-modcacherw", "-dir", dir, "example.com/m@v1.0.0", "example.com/m@v9.9.9"}, g.Getenv, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code %d, want 1 (one module fails)\nstderr:\n%s", code, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	for i, w := range want {
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("decoding result %d: %v\n%s", i, err, stdout.String())
		}
		if r.Path != w.Path || r.Version != w.Version || (r.Error == "") != (w.Error == "") || r.Sum != w.Sum || r.GoModSum != w.GoModSum {
			t.Errorf("result %d = %+v\nwant (go mod download) %+v", i, r, w)
		}
		if r.Error != w.Error {
			t.Errorf("result %d error %q, go command %q", i, r.Error, w.Error)
		}
		if w.Error == "" {
			got, err := os.ReadFile(r.GoMod)
			if err != nil {
				t.Fatal(err)
			}
			wantMod, _ := os.ReadFile(w.GoMod)
			if !bytes.Equal(got, wantMod) {
				t.Errorf("go.mod %q, go command %q", got, wantMod)
			}
		}
	}
	if !strings.Contains(stderr.String(), "# get "+s.URL+"/example.com/m/@v/v1.0.0.info") {
		t.Errorf("-x output lacks the .info request:\n%s", stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), "fetch-secret") {
		t.Errorf("output contains the netrc password")
	}
}

// TestFetchOrderMatchesGo checks the request order for several modules:
// the go command fetches every .info and .mod, then the zips; fetch makes
// each module's requests in the go command's order, several modules at
// once, each zip right after its module's go.mod.
func TestFetchOrderMatchesGo(t *testing.T) {
	gooracle.Required(t)
	mods := []modproxy.Module{
		{Path: "example.com/a", Version: "v1.0.0"},
		{Path: "example.com/b", Version: "v1.1.0"},
		{Path: "example.com/c", Version: "v0.2.0"},
	}
	s := modproxy.New(t, mods)
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	args := []string{"example.com/a@v1.0.0", "example.com/missing@v1.0.0", "example.com/b@v1.1.0", "example.com/c@v0.2.0"}
	if _, _, err := g.ModDownload(context.Background(), args...); err != nil {
		t.Fatal(err)
	}
	goPaths := s.Paths()
	s.Reset()
	var stdout, stderr bytes.Buffer
	run(context.Background(), append([]string{"-modcacherw", "-dir", t.TempDir()}, args...), g.Getenv, &stdout, &stderr)
	ourPaths := s.Paths()

	// fetch downloads modules concurrently: each module's requests must
	// be the go command's, in its order.
	samePerModule(t, goPaths, ourPaths)
}

// samePerModule fails the test unless each module's requests (paths
// "/<module>/@...") are the same, in the same order, in both lists.
func samePerModule(t *testing.T, goPaths, ourPaths []string) {
	t.Helper()
	byModule := func(paths []string) map[string][]string {
		m := map[string][]string{}
		for _, p := range paths {
			mod, _, _ := strings.Cut(p, "/@")
			m[mod] = append(m[mod], p)
		}
		return m
	}
	goMods, ourMods := byModule(goPaths), byModule(ourPaths)
	if len(goMods) != len(ourMods) {
		t.Errorf("requests differ\ngo command: %q\nfetch:      %q", goPaths, ourPaths)
	}
	for mod, want := range goMods {
		if got := ourMods[mod]; !slices.Equal(got, want) {
			t.Errorf("requests for %s differ\ngo command: %q\nfetch:      %q", mod, want, got)
		}
	}
}

// TestFetchPartialResultsMatchGo checks the fields reported when a module's
// go.mod fails after its .info was fetched, for an exact version and for
// latest.
func TestFetchPartialResultsMatchGo(t *testing.T) {
	gooracle.Required(t)
	mods := []modproxy.Module{{Path: "example.com/a", Version: "v1.0.0"}, {Path: "example.com/b", Version: "v1.0.0"}, {Path: "example.com/b", Version: "v1.1.0"}}
	s := modproxy.New(t, mods, modproxy.Status("/example.com/a/@v/v1.0.0.mod", 404), modproxy.Status("/example.com/b/@v/v1.1.0.mod", 500))
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	args := []string{"example.com/a@v1.0.0", "example.com/b@latest"}
	want, _, err := g.ModDownload(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	goPaths := s.Paths()
	s.Reset()
	var stdout, stderr bytes.Buffer
	run(context.Background(), append([]string{"-modcacherw", "-dir", t.TempDir()}, args...), g.Getenv, &stdout, &stderr)
	samePerModule(t, goPaths, s.Paths())
	dec := json.NewDecoder(&stdout)
	for i, w := range want {
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("result %d: %v", i, err)
		}
		if r.Version != w.Version || r.Query != w.Query || r.Error != w.Error || (r.Info == "") != (w.Info == "") || (r.GoMod == "") != (w.GoMod == "") {
			t.Errorf("result %d = %+v\ngo mod download: %+v", i, r, w)
		}
	}
}

// TestFetchDuplicateArgsMatchGo checks that one run fetches each module
// version once, however often the arguments name it.
func TestFetchDuplicateArgsMatchGo(t *testing.T) {
	gooracle.Required(t)
	s := modproxy.New(t, []modproxy.Module{{Path: "example.com/a", Version: "v1.0.0"}, {Path: "example.com/a", Version: "v1.1.0"}})
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	args := []string{"example.com/a@v1.0.0", "example.com/a@v1.0.0", "example.com/a@latest", "example.com/a@v1.1.0", "example.com/missing@v1.0.0", "example.com/missing@v1.0.0"}
	want, _, err := g.ModDownload(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	goPaths := slices.Sorted(slices.Values(s.Paths()))
	s.Reset()
	var stdout, stderr bytes.Buffer
	run(context.Background(), append([]string{"-modcacherw", "-dir", t.TempDir()}, args...), g.Getenv, &stdout, &stderr)
	if ours := slices.Sorted(slices.Values(s.Paths())); !slices.Equal(goPaths, ours) {
		t.Errorf("requests differ\ngo command: %q\nfetch:      %q", goPaths, ours)
	}
	dec := json.NewDecoder(&stdout)
	for i, w := range want {
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("result %d: %v", i, err)
		}
		if r.Path != w.Path || r.Version != w.Version || r.Query != w.Query || r.Error != w.Error || r.Sum != w.Sum {
			t.Errorf("result %d = %+v\ngo mod download: %+v", i, r, w)
		}
	}
}

// TestFetchOffQueryErrorMatchesGo checks that a failed query is reported
// against the query as written.
func TestFetchOffQueryErrorMatchesGo(t *testing.T) {
	gooracle.Required(t)
	g := gooracle.New(t)
	g.Set("GOPROXY", "off")
	args := []string{"example.com/m@latest", "example.com/m@upgrade", "example.com/m@v1", "example.com/m@>=v1.0.0", "example.com/m@v1.0.0"}
	want, _, err := g.ModDownload(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), append([]string{"-modcacherw", "-dir", t.TempDir()}, args...), g.Getenv, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	dec := json.NewDecoder(&stdout)
	for i, w := range want {
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		if r.Error != w.Error || r.Version != w.Version {
			t.Errorf("result %d: %q %q, go command %q %q", i, r.Version, r.Error, w.Version, w.Error)
		}
	}
}

// TestFetchTLSFailureKeepsGoTextAndDiagnoses checks that a TLS failure is
// reported in the go command's words, with modnet's diagnosis beside it.
func TestFetchTLSFailureKeepsGoTextAndDiagnoses(t *testing.T) {
	gooracle.Required(t)
	s := modproxy.New(t, []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}, modproxy.TLS())
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL) // its CA is not trusted
	want, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil || len(want) != 1 || want[0].Error == "" {
		t.Fatalf("go mod download: %+v %v, want a TLS error", want, err)
	}
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"-modcacherw", "-dir", t.TempDir(), "example.com/m@v1.0.0"}, g.Getenv, &stdout, &stderr)
	var r struct {
		result
		Diagnosis struct {
			Kind string `json:"kind"`
			Hint string `json:"hint"`
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if r.Error != want[0].Error {
		t.Errorf("Error %q\ngo command %q", r.Error, want[0].Error)
	}
	if r.Diagnosis.Kind != "unknown-authority" || r.Diagnosis.Hint == "" {
		t.Errorf("Diagnosis = %+v, want kind unknown-authority with a hint", r.Diagnosis)
	}
}

// TestFetchSameVersionTwiceMatchesGo checks that queries naming the same
// module reuse what one run already asked, as the go command does.
func TestFetchSameVersionTwiceMatchesGo(t *testing.T) {
	gooracle.Required(t)
	mods := []modproxy.Module{{Path: "example.com/a", Version: "v1.0.0"}, {Path: "example.com/a", Version: "v1.1.0"}}
	for _, args := range [][]string{
		{"example.com/a@v1.1.0", "example.com/a@latest"},
		{"example.com/a@latest", "example.com/a@upgrade"},
		{"example.com/a@latest", "example.com/a@v1", "example.com/a@<v1.1.0", "example.com/a@upgrade"},
	} {
		s := modproxy.New(t, mods)
		g := gooracle.New(t)
		g.Set("GOPROXY", s.URL)
		if _, _, err := g.ModDownload(context.Background(), args...); err != nil {
			t.Fatal(err)
		}
		goPaths := slices.Sorted(slices.Values(s.Paths()))
		s.Reset()
		var stdout, stderr bytes.Buffer
		run(context.Background(), append([]string{"-modcacherw", "-dir", t.TempDir()}, args...), g.Getenv, &stdout, &stderr)
		if ours := slices.Sorted(slices.Values(s.Paths())); !slices.Equal(goPaths, ours) {
			t.Errorf("%q: requests differ\ngo:    %q\nfetch: %q", args, goPaths, ours)
		}
	}
}

// TestFetchDirectBeyondGit fetches a private module from a git server that
// needs credentials and presents a certificate from a private CA, with the
// CA only in SSL_CERT_FILE and the credentials only in a netrc file named
// by NETRC: the go command's git trusts neither, so "go mod download"
// fails at git, while fetch gives git what Go trusts and succeeds with
// the hashes the go command computes once git is configured by hand.
func TestFetchDirectBeyondGit(t *testing.T) {
	gooracle.Required(t)
	gitserver.Required(t)
	t.Parallel()
	srv := gitserver.Start(t, gitserver.Options{User: "alice", Password: "git-s3cret"})
	r := gitserver.NewRepo(t, filepath.Join(srv.Root, "corp.example/lib"))
	r.Write("go.mod", "module corp.example/lib\n", "lib.go", "package lib\n")
	r.Commit("first")
	r.Tag("v1.0.0")
	srv.GoGet("corp.example/lib", "corp.example/lib git https://corp.example/lib")

	g := gooracle.New(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if k != "GIT_SSL_CAINFO" { // git is not told about the CA
			g.Set(k, v)
		}
	}
	g.Set("GOPRIVATE", "corp.example")
	g.Set("GOPROXY", "off")
	netrc := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(netrc, []byte("machine corp.example login alice password git-s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g.Set("NETRC", netrc)

	goRes, _, err := g.ModDownload(context.Background(), "corp.example/lib@v1.0.0")
	if err != nil || len(goRes) != 1 {
		t.Fatal(err)
	}
	if goRes[0].Error == "" {
		t.Fatalf("go mod download succeeded; the test expects git to fail without the CA: %+v", goRes[0])
	}

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-x", "-modcacherw", "-dir", t.TempDir(), "corp.example/lib@v1.0.0"}, g.Getenv, &stdout, &stderr)
	var res result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil || code != 0 || res.Error != "" {
		t.Fatalf("fetch: exit %d, %+v, %v\nstderr:\n%s", code, res, err, stderr.String())
	}

	// The go command, with git configured by hand, agrees on the hashes.
	g.Set("GIT_SSL_CAINFO", srv.CAFile)
	home, _ := g.Get("HOME")
	if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte("machine corp.example login alice password git-s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	goRes, _, err = g.ModDownload(context.Background(), "corp.example/lib@v1.0.0")
	if err != nil || len(goRes) != 1 || goRes[0].Error != "" {
		t.Fatalf("go mod download with git configured: %v %+v", err, goRes)
	}
	if res.Version != goRes[0].Version || res.Sum != goRes[0].Sum || res.GoModSum != goRes[0].GoModSum {
		t.Errorf("fetch %s %s %s, go %s %s %s", res.Version, res.Sum, res.GoModSum, goRes[0].Version, goRes[0].Sum, goRes[0].GoModSum)
	}
	out := stdout.String() + stderr.String()
	if !strings.Contains(out, "corp.example/lib?go-get=1") || !strings.Contains(out, "git") {
		t.Errorf("-x output lacks the discovery request or git commands:\n%s", stderr.String())
	}
	if strings.Contains(out, "git-s3cret") {
		t.Errorf("output contains the password:\n%s", out)
	}
	if !strings.Contains(stderr.String(), "# get https://corp.example/lib?go-get=1: 200 OK") {
		t.Errorf("-x lacks the go command's style line for the go-get page:\n%s", stderr.String())
	}
}

// TestFetchCA checks -ca: a proxy certified by a private CA fails with a
// classified unknown-authority without it and succeeds with it.
func TestFetchCA(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	s := modproxy.New(t, []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}, modproxy.TLS())
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, 1},
		{[]string{"-ca", s.CAFile}, 0},
	} {
		var stdout, stderr bytes.Buffer
		args := append(append([]string{"-modcacherw", "-dir", t.TempDir()}, tc.args...), "example.com/m@v1.0.0")
		code := run(context.Background(), args, g.Getenv, &stdout, &stderr)
		if code != tc.code {
			t.Errorf("fetch %v: exit %d, want %d\n%s%s", tc.args, code, tc.code, stdout.String(), stderr.String())
		}
		if tc.code == 1 && !strings.Contains(stdout.String(), "unknown-authority") {
			t.Errorf("fetch without -ca: no unknown-authority diagnosis:\n%s", stdout.String())
		}
	}
}

// TestFetchPrivateHints checks the Hint for failures the private-module
// settings explain: a GOPRIVATE typo that leaves the path public, and a
// private path the checksum database does not know.
func TestFetchPrivateHints(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	mods := []modproxy.Module{{Path: "corp.example/m", Version: "v1.0.0"}}
	s := modproxy.New(t, mods, modproxy.TLS(), modproxy.SumDB("sum.example"), modproxy.Status("/sumdb/sum.example/lookup/", 404))
	for _, tc := range []struct {
		name, goprivate, want string
	}{
		{"typo", "other.example, corp.example", `GOPRIVATE: pattern " corp.example" does not match corp.example/m (stray-space)`},
		{"sumdb", "", "the checksum database sum.example does not know corp.example/m: if it is a private module, add it to GOPRIVATE"},
	} {
		g := gooracle.New(t)
		g.Set("SSL_CERT_FILE", s.CAFile)
		g.Set("GOPROXY", s.URL)
		g.Set("GOSUMDB", s.SumDBKey)
		if tc.goprivate != "" {
			g.Set("GOPRIVATE", tc.goprivate)
		}
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"-modcacherw", "-dir", t.TempDir(), "corp.example/m@v1.0.0"}, g.Getenv, &stdout, &stderr)
		var r result
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil || code != 1 {
			t.Fatalf("%s: exit %d, %v\n%s%s", tc.name, code, err, stdout.String(), stderr.String())
		}
		if !strings.Contains(r.Hint, tc.want) {
			t.Errorf("%s: Hint = %q, want it to contain %q (error %q)", tc.name, r.Hint, tc.want, r.Error)
		}
	}
}

// TestFetchToolchainMatchesGo checks go@ and toolchain@ arguments: the go
// command resolves the release and then reports its internal error, with
// the version in the output.
func TestFetchToolchainMatchesGo(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	mods := []modproxy.Module{{Path: "golang.org/toolchain", Version: "v0.0.1-go1.99.0.linux-amd64"}}
	s := modproxy.New(t, mods)
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	g.Set("GOSUMDB", "off")
	args := []string{"toolchain@latest", "go@1.21.0", "toolchain@go1.99.0"}
	want, _, err := g.ModDownload(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	run(context.Background(), append([]string{"-modcacherw", "-dir", t.TempDir()}, args...), g.Getenv, &stdout, &stderr)
	dec := json.NewDecoder(&stdout)
	for i, w := range want {
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("result %d: %v\n%s", i, err, stdout.String())
		}
		if r.Path != w.Path || r.Version != w.Version || r.Query != w.Query || r.Error != w.Error {
			t.Errorf("%s: fetch %+v\ngo %+v", args[i], r, w)
		}
	}
}

// TestFetchPlainGitHint runs git as the go command does (-plaingit), with
// the process environment, where git cannot verify the server: the hint
// says that Go's TLS verifies where git's does not. Not parallel: git
// reads the process environment.
func TestFetchPlainGitHint(t *testing.T) {
	gooracle.Required(t)
	gitserver.Required(t)
	srv := gitserver.Start(t, gitserver.Options{})
	r := gitserver.NewRepo(t, filepath.Join(srv.Root, "corp.example/lib"))
	r.Write("go.mod", "module corp.example/lib\n")
	r.Commit("first")
	r.Tag("v1.0.0")
	srv.GoGet("corp.example/lib", "corp.example/lib git https://corp.example/lib")
	g := gooracle.New(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if k != "GIT_SSL_CAINFO" {
			g.Set(k, v)
		}
	}
	g.Set("GOPRIVATE", "corp.example")
	g.Set("GOPROXY", "off")
	// git gets the proxy from the process environment, as under the go
	// command, but not the CA.
	t.Setenv("https_proxy", srv.ProxyURL)
	t.Setenv("GIT_SSL_CAINFO", "") // restored after the test
	os.Unsetenv("GIT_SSL_CAINFO")
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"-plaingit", "-modcacherw", "-dir", t.TempDir(), "corp.example/lib@v1.0.0"}, g.Getenv, &stdout, &stderr)
	var res result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil || res.Error == "" {
		t.Fatalf("fetch -plaingit: %+v, %v\n%s", res, err, stderr.String())
	}
	if !strings.Contains(res.Hint, "Go's TLS to corp.example verifies, but git's does not") {
		t.Errorf("Hint = %q, error %q", res.Hint, res.Error)
	}
}
