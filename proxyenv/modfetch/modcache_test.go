package modfetch_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
)

// TestModCacheDirMatchesGoEnv compares ModCacheDir and GOPATH with
// "go env GOMODCACHE GOPATH".
func TestModCacheDirMatchesGoEnv(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	for _, tc := range []struct {
		name       string
		vars       map[string]string // "" unsets
		goEnvFile  string
		wantErrVar string
	}{
		{name: "gomodcache", vars: map[string]string{"GOMODCACHE": "/x/modcache"}},
		{name: "gopath-list", vars: map[string]string{"GOMODCACHE": "", "GOPATH": "/a/first" + string(filepath.ListSeparator) + "/b/second"}},
		{name: "default", vars: map[string]string{"GOMODCACHE": "", "GOPATH": ""}},
		{name: "env-file", vars: map[string]string{"GOMODCACHE": "", "GOPATH": ""}, goEnvFile: "GOPATH=/from/file\n"},
		{name: "relative-gomodcache", vars: map[string]string{"GOMODCACHE": "rel/cache"}, wantErrVar: "GOMODCACHE"},
		{name: "relative-gopath", vars: map[string]string{"GOMODCACHE": "", "GOPATH": "rel/path"}, wantErrVar: "GOPATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := gooracle.New(t)
			for k, v := range tc.vars {
				if v == "" {
					g.Unset(k)
				} else {
					g.Set(k, v)
				}
			}
			if tc.goEnvFile != "" {
				g.WriteEnvFile(t, tc.goEnvFile)
			}
			env, err := loadEnv(g)
			if err != nil {
				t.Fatal(err)
			}
			lookup := func(name string) string { return env.Lookup(name).Value }
			home, _ := g.Get("HOME")
			dir, err := modfetch.ModCacheDir(lookup, home)
			if tc.wantErrVar != "" {
				var ce *modfetch.CacheDirError
				if !errors.As(err, &ce) || ce.Var != tc.wantErrVar {
					t.Errorf("ModCacheDir error %v, want a *CacheDirError for %s", err, tc.wantErrVar)
				}
				// "go env" prints a relative GOMODCACHE, but the go command
				// refuses it when it uses the cache ("GOMODCACHE entry is
				// relative; must be absolute path"), and a relative GOPATH
				// outright.
				return
			}
			want := g.EnvJSON(t, "GOMODCACHE", "GOPATH")
			if err != nil || dir != want["GOMODCACHE"] {
				t.Errorf("ModCacheDir = %q, %v; go env GOMODCACHE = %q", dir, err, want["GOMODCACHE"])
			}
			gopath, err := modfetch.GOPATH(lookup, home)
			if first := filepath.SplitList(want["GOPATH"])[0]; err != nil || gopath != first {
				t.Errorf("GOPATH = %q, %v; go env GOPATH's first entry %q", gopath, err, first)
			}
		})
	}
}

// loadEnv loads g's go environment as modnet sees it.
func loadEnv(g *gooracle.Go) (*proxyenv.Env, error) {
	return proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
}
