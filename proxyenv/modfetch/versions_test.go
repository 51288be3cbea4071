package modfetch_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"golang.org/x/mod/semver"
)

// TestVersionsMatchesGoList compares Fetcher.Versions with
// "go list -m -versions -json path@latest" (and -retracted): the versions,
// the retracted ones, the deprecation notice (go list -m -u), and the
// requests.
func TestVersionsMatchesGoList(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	const latestMod = "// Deprecated: use example.com/n instead.\nmodule example.com/m\n\nretract (\n\tv1.1.0 // broken build\n\tv1.3.0 // published by mistake\n)\n"
	mods := []modproxy.Module{
		{Path: "example.com/m", Version: "v1.0.0"},
		{Path: "example.com/m", Version: "v1.1.0"},
		{Path: "example.com/m", Version: "v1.2.0-pre"},
		{Path: "example.com/m", Version: "v1.2.0", GoMod: latestMod},
		{Path: "example.com/m", Version: "v1.3.0", GoMod: latestMod},
		{Path: "example.com/plain", Version: "v0.1.0"},
		{Path: "example.com/plain", Version: "v0.2.0"},
	}
	for _, path := range []string{"example.com/m", "example.com/plain", "example.com/missing"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			s := modproxy.New(t, mods)
			g := gooracle.New(t)
			g.Set("GOPROXY", s.URL)
			type listed struct {
				Path, Version, Deprecated string
				Versions                  []string
				Error                     *struct{ Err string }
			}
			goList := func(args ...string) listed {
				out, stderr, err := g.Run(context.Background(), append([]string{"list", "-m", "-e", "-json"}, args...)...)
				var l listed
				if jerr := json.Unmarshal(out, &l); jerr != nil {
					t.Fatalf("go list %q: %v %v\n%s", args, jerr, err, stderr)
				}
				return l
			}
			want := goList("-versions", path+"@latest")
			goPaths := s.Paths()
			all := goList("-versions", "-retracted", path+"@latest")
			// The go command reports deprecation with -u.
			want.Deprecated = goList("-u", path+"@latest").Deprecated

			s.Reset()
			f := newFetcher(t, g, t.TempDir())
			vl, err := f.Versions(context.Background(), path)
			if want.Error != nil {
				if err == nil {
					t.Fatalf("Versions(%s) succeeded; go list: %s", path, want.Error.Err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Versions(%s): %v", path, err)
			}
			if vl.Latest != want.Version || !slices.Equal(vl.Versions, want.Versions) || vl.Deprecated != want.Deprecated {
				t.Errorf("Versions(%s) = %+v\ngo list: %+v", path, vl, want)
			}
			var withRetracted []string
			withRetracted = append(withRetracted, vl.Versions...)
			for _, r := range vl.Retracted {
				withRetracted = append(withRetracted, r.Version)
			}
			slices.SortFunc(withRetracted, compareSemver)
			if !slices.Equal(withRetracted, all.Versions) {
				t.Errorf("Versions(%s) with retracted = %q, go list -retracted %q", path, withRetracted, all.Versions)
			}
			if ours := s.Paths(); !slices.Equal(goPaths, ours) {
				t.Errorf("requests differ\ngo command: %q\nFetcher:    %q", goPaths, ours)
			}
			if path == "example.com/m" && (len(vl.Retracted) != 2 || vl.Retracted[0].Rationale != "broken build") {
				t.Errorf("Retracted = %+v", vl.Retracted)
			}
		})
	}
}

func compareSemver(a, b string) int { return semver.Compare(a, b) }
