package matcher

import (
	"context"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
)

// TestGoCommand asks the real go command which module paths a list
// matches, and checks that List agrees. With GOPROXY=off and GONOPROXY set,
// the go command refuses a path that GONOPROXY does not match ("module
// lookup disabled by GOPROXY=off") and tries to fetch a matching one
// directly, which fails differently: the oracle's HTTP proxy refuses every
// connection, so nothing reaches the network.
func TestGoCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	paths := []string{
		"corp.example.com/x",
		"a.b.corp.example.com/x",
		"b.example.com/x",
		"gitlab.acme.io/platform/api",
		"gitlab.acme.io/platform",
		"acme.io/team/repo",
		"acme.io/teamx/repo",
		"x.acme.io/c/d",
	}
	lists := []string{
		"corp.example.com",
		"*.corp.example.com",
		"a.example.com, b.example.com",
		",,b.example.com/,",
		"corp.example.com//",
		"[,acme.io/team",
		"gitlab.acme.io/platform/*",
		"*.acme.io/[a-c]/d",
		"acme.io/team\\",
		"https://corp.example.com,corp.example.com:443,Corp.example.com",
		"*/*/*",
		"*",
	}
	for _, globs := range lists {
		t.Run(globs, func(t *testing.T) {
			t.Parallel()
			g := gooracle.New(t)
			g.Set("GOPROXY", "off")
			g.Set("GONOPROXY", globs)
			args := make([]string, len(paths))
			for i, p := range paths {
				args[i] = p + "@v1.0.0"
			}
			ds, stderr, err := g.ModDownload(context.Background(), args...)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != len(paths) {
				t.Fatalf("go mod download: %d results for %d paths\n%s", len(ds), len(paths), stderr)
			}
			l := Compile(globs)
			for _, d := range ds {
				goMatch := !strings.Contains(d.Error, "module lookup disabled by GOPROXY=off")
				if d.Error == "" {
					t.Fatalf("go mod download %s succeeded, want an error", d.Path)
				}
				if got := l.Match(d.Path); got != goMatch {
					t.Errorf("Match(%q, %q) = %v, but the go command says %v (%s)", globs, d.Path, got, goMatch, d.Error)
				}
			}
		})
	}
}
