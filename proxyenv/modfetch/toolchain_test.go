package modfetch_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
)

// TestToolchainMatchesGo resolves go@ and toolchain@ queries with the go
// command and with DownloadMod against the same proxy: the same version,
// query and error (the go command resolves the release from
// golang.org/toolchain, then refuses to download it as a module), and the
// same requests.
func TestToolchainMatchesGo(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	plat := "." + runtime.GOOS + "-" + runtime.GOARCH
	other := ".plan9-386"
	if plat == other {
		other = ".aix-ppc64"
	}
	mods := []modproxy.Module{
		{Path: "golang.org/toolchain", Version: "v0.0.1-go1.21.0" + plat},
		{Path: "golang.org/toolchain", Version: "v0.0.1-go1.22.0" + plat},
		{Path: "golang.org/toolchain", Version: "v0.0.1-go1.22.1" + other},
		{Path: "golang.org/toolchain", Version: "v0.0.1-go1.23rc1" + plat},
		{Path: "golang.org/toolchain", Version: "v0.0.1-go1.99.0" + plat},
	}
	local := runtime.Version()
	for _, arg := range []string{
		"toolchain@go1.21.0", "go@1.21.0", "toolchain@latest", "go@latest", "go@upgrade",
		"toolchain@go1.22", "go@1.22", "go@1.23", "toolchain@go1.98.0", "go@1.50",
		"toolchain@go1.99.0", "go@1.99.0", "toolchain@" + local, "go@1.21", "toolchain@go1.23rc1",
		"go@1.22.1", "toolchain@1.21.0", "go@go1.21.0", "toolchain@banana",
	} {
		t.Run(arg, func(t *testing.T) {
			t.Parallel()
			s := modproxy.New(t, mods)
			g := gooracle.New(t)
			g.Set("GOPROXY", s.URL)
			g.Set("GOSUMDB", "off")
			ds, stderr, err := g.ModDownload(context.Background(), arg)
			if err != nil || len(ds) != 1 {
				t.Fatalf("go mod download %s: %v %v\n%s", arg, ds, err, stderr)
			}
			goReqs := proxyPaths(s)
			s.Reset()
			env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
			if err != nil {
				t.Fatal(err)
			}
			c, err := env.Client(proxyenv.ClientOptions{})
			if err != nil {
				t.Fatal(err)
			}
			path, query := arg[:len(arg)-len(ds[0].Version)-1], ""
			for i := range arg {
				if arg[i] == '@' {
					path, query = arg[:i], arg[i+1:]
					break
				}
			}
			d, ourErr := (&modfetch.Fetcher{Client: c, Dir: t.TempDir()}).DownloadMod(context.Background(), path, query)
			var gotV, gotQ string
			if d != nil {
				gotV, gotQ = d.Version, d.Query
			}
			goErr := ds[0].Error
			if ours := proxyPaths(s); !slices.Equal(goReqs, ours) {
				t.Errorf("requests: go %q, modnet %q", goReqs, ours)
			}
			if ourErr == nil || ourErr.Error() != goErr {
				t.Errorf("error: go %q, modnet %v", goErr, ourErr)
			}
			if goErr == modfetch.ErrToolchainModule.Error() {
				if !errors.Is(ourErr, modfetch.ErrToolchainModule) {
					t.Errorf("error %v is not ErrToolchainModule", ourErr)
				}
				if gotV != ds[0].Version || gotQ != ds[0].Query {
					t.Errorf("go %s (query %q), modnet %s (query %q)", ds[0].Version, ds[0].Query, gotV, gotQ)
				}
			}
		})
	}
}
