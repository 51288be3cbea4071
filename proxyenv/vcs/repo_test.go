package vcs_test

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/proxyenv/vcs"
)

// goDownloadAll runs "go mod download -json" once for all args
// (MODULE@QUERY) against the fixture with a fresh module cache, through
// direct mode only, and returns the results by argument.
func goDownloadAll(t *testing.T, f *fixture, args []string) map[string]result {
	t.Helper()
	g := gooracle.New(t)
	for _, kv := range f.srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		g.Set(k, v)
	}
	g.Set("GOPRIVATE", "example.com")
	g.Set("GOPROXY", "direct")
	ds, stderr, err := g.ModDownload(context.Background(), args...)
	if err != nil || len(ds) != len(args) {
		t.Fatalf("go mod download %s: %v %+v\n%s", args, err, ds, stderr)
	}
	out := map[string]result{}
	for _, d := range ds {
		key := d.Path + "@" + d.Version
		if d.Query != "" {
			key = d.Path + "@" + d.Query
		}
		res := result{Version: d.Version, Sum: d.Sum, GoModSum: d.GoModSum, Error: d.Error}
		if d.Info != "" {
			var info struct{ Time string }
			data, err := os.ReadFile(d.Info)
			if err == nil && json.Unmarshal(data, &info) == nil {
				res.Time = info.Time
			}
		}
		out[key] = res
	}
	return out
}

// TestDifferential compares the module layer with "go mod download" for
// each case: same version, time, zip hash, go.mod hash, error text.
func TestDifferential(t *testing.T) {
	f := diffFixture(t)
	h := f.hash
	cases := []struct {
		name, root, mod, query string
	}{
		{"semver tag", "example.com/basic", "example.com/basic", "v1.0.0"},
		{"annotated tag", "example.com/basic", "example.com/basic", "v1.1.0"},
		{"latest with tags", "example.com/basic", "example.com/basic", "latest"},
		{"branch main after tag", "example.com/basic", "example.com/basic", "main"},
		{"branch feature", "example.com/basic", "example.com/basic", "feature"},
		{"prerelease tag", "example.com/basic", "example.com/basic", "v1.2.0-rc"},
		{"hash of tagged commit", "example.com/basic", "example.com/basic", h["basic/v1.0.0"][:12]},
		{"full hash after tag", "example.com/basic", "example.com/basic", h["basic/main"]},
		{"short hash prefix", "example.com/basic", "example.com/basic", h["basic/feature"][:7]},
		{"HEAD", "example.com/basic", "example.com/basic", "HEAD"},
		{"unknown version", "example.com/basic", "example.com/basic", "v9.9.9"},
		{"unknown branch", "example.com/basic", "example.com/basic", "nosuchbranch"},
		{"wrong major", "example.com/basic", "example.com/basic", "v2.0.0"},
		{"valid pseudo-version", "example.com/basic", "example.com/basic", "v1.1.1-0.20200102060405-" + h["basic/main"][:12]},
		{"pseudo-version wrong time", "example.com/basic", "example.com/basic", "v1.1.1-0.20200102090405-" + h["basic/main"][:12]},
		{"pseudo-version wrong base", "example.com/basic", "example.com/basic", "v1.5.1-0.20200102060405-" + h["basic/main"][:12]},
		{"pseudo-version no base v0", "example.com/basic", "example.com/basic", "v0.0.0-20200102060405-" + h["basic/main"][:12]},
		{"latest without tags", "example.com/notags", "example.com/notags", "latest"},
		{"hash without tags", "example.com/notags", "example.com/notags", h["notags/first"][:12]},
		{"no go.mod v1", "example.com/nogomod", "example.com/nogomod", "v1.0.0"},
		{"+incompatible", "example.com/nogomod", "example.com/nogomod", "v2.0.0"},
		{"+incompatible explicit", "example.com/nogomod", "example.com/nogomod", "v3.0.0+incompatible"},
		{"latest +incompatible", "example.com/nogomod", "example.com/nogomod", "latest"},
		{"pseudo after +incompatible", "example.com/nogomod", "example.com/nogomod", "main"},
		{"subdir prefixed tag", "example.com/mono", "example.com/mono/tools", "v1.2.0"},
		{"subdir latest", "example.com/mono", "example.com/mono/tools", "latest"},
		{"subdir branch", "example.com/mono", "example.com/mono/tools", "main"},
		{"subdir unknown", "example.com/mono", "example.com/mono/tools", "v1.0.0"},
		{"root drops nested module", "example.com/mono", "example.com/mono", "v1.0.0"},
		{"v2 subdirectory", "example.com/major", "example.com/major/v2", "v2.0.0"},
		{"v2 subdirectory latest", "example.com/major", "example.com/major/v2", "latest"},
		{"v2 subdirectory branch", "example.com/major", "example.com/major/v2", "main"},
		{"v1 of major repo", "example.com/major", "example.com/major", "latest"},
		{"v2 tag for v1 path", "example.com/major", "example.com/major", "v2.0.0"},
		{"/v2 at root", "example.com/rootv2", "example.com/rootv2/v2", "v2.1.0"},
		{"/v2 at root branch", "example.com/rootv2", "example.com/rootv2/v2", "main"},
		{"/v2 at root for v1 path", "example.com/rootv2", "example.com/rootv2", "v2.1.0"},
		{"vendor, export-ignore, CRLF", "example.com/files", "example.com/files", "v1.0.0"},
		{"retracted base skipped", "example.com/retract", "example.com/retract", h["retract/untagged"][:12]},
		{"retract latest", "example.com/retract", "example.com/retract", "latest"},
		{"go-import subdirectory", "example.com/subdirmod", "example.com/subdirmod", "v1.0.0"},
		{"go-import subdirectory latest", "example.com/subdirmod", "example.com/subdirmod", "latest"},
		{"go-import subdirectory branch", "example.com/subdirmod", "example.com/subdirmod", "main"},
		{"go-import subdirectory root tag", "example.com/subdirmod", "example.com/subdirmod", "v1.5.0"},
		{"non-canonical tag as written", "example.com/noncanon", "example.com/noncanon", "v1.4.0+build"},
		{"non-semver tag", "example.com/noncanon", "example.com/noncanon", "release-1"},
		{"pseudo-version-like tag", "example.com/noncanon", "example.com/noncanon", "v1.6.0-0.20200101000000-abcdefabcdef"},
		{"noncanon latest", "example.com/noncanon", "example.com/noncanon", "latest"},
		{"noncanon branch", "example.com/noncanon", "example.com/noncanon", "main"},
		{"go.mod too new", "example.com/toonew", "example.com/toonew", "v1.0.0"},
		{"missing repository version", "example.com/ghost", "example.com/ghost", "v1.0.0"},
		{"missing repository latest", "example.com/ghost", "example.com/ghost", "latest"},
		{"empty repository", "example.com/empty", "example.com/empty", "latest"},
		{"no such repository", "example.com/basic", "example.com/basic/nosuch", "latest"},
	}
	// One go command run for all cases (it downloads its arguments in
	// parallel) and, on modnet's side, one GitRepo per repository, as a
	// program fetching several versions would have.
	var args []string
	byRoot := map[string]bool{}
	var roots []string
	for _, tc := range cases {
		if !byRoot[tc.root] {
			byRoot[tc.root] = true
			roots = append(roots, tc.root)
		}
		args = append(args, tc.mod+"@"+tc.query)
	}
	want := goDownloadAll(t, f, args)
	for _, root := range roots {
		t.Run(root, func(t *testing.T) {
			t.Parallel()
			// One GitRepo per repository, shared by its modules, as the go
			// command shares one per run.
			code, err := vcs.OpenGit(context.Background(), f.config(t, "", nil), "https://"+root)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range cases {
				if tc.root != root {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					ctx := context.Background()
					subdir := ""
					if tc.root == "example.com/subdirmod" {
						subdir = "sub"
					}
					m, err := vcs.NewModuleRepo(code, vcs.Module{Path: tc.mod, Root: tc.root, Subdir: subdir, GoVersion: "1.26.8", GOTOOLCHAIN: "local"})
					if err != nil {
						t.Fatal(err)
					}
					got := download(ctx, m, tc.query)
					if w := want[tc.mod+"@"+tc.query]; normalize(got) != normalize(w) {
						t.Errorf("%s@%s:\nmodnet: %+v\ngo:     %+v", tc.mod, tc.query, got, w)
					}
				})
			}
		})
	}
}

// TestVersionsDifferential compares Versions with "go list -m -versions
// -retracted" (the raw tag list the go command derives for each module).
func TestVersionsDifferential(t *testing.T) {
	f := diffFixture(t)
	mods := []struct{ root, subdir, mod string }{
		{"example.com/basic", "", "example.com/basic"},
		{"example.com/notags", "", "example.com/notags"},
		{"example.com/nogomod", "", "example.com/nogomod"},
		{"example.com/nogomod", "", "example.com/nogomod/v2"},
		{"example.com/mono", "", "example.com/mono"},
		{"example.com/mono", "", "example.com/mono/tools"},
		{"example.com/major", "", "example.com/major"},
		{"example.com/major", "", "example.com/major/v2"},
		{"example.com/rootv2", "", "example.com/rootv2"},
		{"example.com/rootv2", "", "example.com/rootv2/v2"},
		{"example.com/retract", "", "example.com/retract"},
		{"example.com/subdirmod", "sub", "example.com/subdirmod"},
		{"example.com/files", "", "example.com/files"},
	}
	g := gooracle.New(t)
	for _, kv := range f.srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		g.Set(k, v)
	}
	g.Set("GOPRIVATE", "example.com")
	g.Set("GOPROXY", "direct")
	args := []string{"list", "-m", "-versions", "-retracted", "-e", "-json"}
	for _, m := range mods {
		args = append(args, m.mod)
	}
	out, stderr, err := g.Run(context.Background(), args...)
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	want := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var m struct {
			Path     string
			Versions []string
			Error    *struct{ Err string }
		}
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		if m.Error != nil {
			t.Fatalf("go list %s: %s", m.Path, m.Error.Err)
		}
		want[m.Path] = m.Versions
	}
	ctx := context.Background()
	codes := map[string]*vcs.GitRepo{}
	for _, m := range mods {
		code := codes[m.root]
		if code == nil {
			code, err = vcs.OpenGit(ctx, f.config(t, "", nil), "https://"+m.root)
			if err != nil {
				t.Fatal(err)
			}
			codes[m.root] = code
		}
		r, err := vcs.NewModuleRepo(code, vcs.Module{Path: m.mod, Root: m.root, Subdir: m.subdir})
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Versions(ctx, "")
		if err != nil {
			t.Errorf("Versions(%s): %v", m.mod, err)
			continue
		}
		if strings.Join(got, " ") != strings.Join(want[m.mod], " ") {
			t.Errorf("Versions(%s) = %v, go list -m -versions: %v", m.mod, got, want[m.mod])
		}
	}
}

// normalize drops the Version of a failed download: the go command
// reports the query as written there, or the version it had resolved.
// It also replaces the module cache directory in git error messages.
func normalize(r result) result {
	if r.Error != "" {
		r.Version = ""
	}
	r.Error = vcsDir.ReplaceAllString(r.Error, "$$GOMODCACHE/$1")
	return r
}

var vcsDir = regexp.MustCompile(`/\S*/(cache/vcs/[0-9a-f]{64})`)
