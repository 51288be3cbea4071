package matcher

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/module"
)

// corporate is a realistic GOPRIVATE of ten patterns.
const corporate = "*.corp.example.com,github.com/acme,github.com/acme-labs,gitlab.acme.io/platform/*," +
	"gitlab.acme.io/infra,go.acme.dev,git.internal.acme.net,bitbucket.org/acmecorp," +
	"*.svc.acme.cloud/*,dev.azure.com/acme"

// benchPaths is a mix of private (matching) and public module paths.
var benchPaths = []string{
	"github.com/acme/widgets",
	"github.com/stretchr/testify",
	"golang.org/x/net",
	"gitlab.acme.io/platform/api/v2",
	"build.corp.example.com/tools/lint",
	"example.com/foo",
	"go.acme.dev/sdk",
	"google.golang.org/grpc",
	"k8s.io/client-go",
	"dev.azure.com/acme/repo/_git/x",
	"github.com/acme-labs/x",
	"gopkg.in/yaml.v3",
}

// manyPatterns returns the corporate list followed by generated patterns,
// n in all.
func manyPatterns(n int) string {
	pats := strings.Split(corporate, ",")
	for i := 0; len(pats) < n; i++ {
		var p string
		switch i % 6 {
		case 0:
			p = fmt.Sprintf("github.com/org%d", i)
		case 1:
			p = fmt.Sprintf("*.team%d.corp.example.net", i)
		case 2:
			p = fmt.Sprintf("gitlab.example%d.com/group/*", i)
		case 3:
			p = fmt.Sprintf("go%d.acme.dev", i)
		case 4:
			p = fmt.Sprintf("git.example.com/team%d/*", i)
		case 5:
			p = fmt.Sprintf("svc%d-*.example.org", i)
		}
		pats = append(pats, p)
	}
	return strings.Join(pats[:n], ",")
}

// manyPaths returns n paths, some of which match manyPatterns.
func manyPaths(n int) []string {
	var paths []string
	for i := 0; len(paths) < n; i++ {
		switch i % 8 {
		case 0:
			paths = append(paths, fmt.Sprintf("github.com/org%d/repo", i%1200))
		case 1:
			paths = append(paths, fmt.Sprintf("x.team%d.corp.example.net/y", i%1200))
		case 2:
			paths = append(paths, fmt.Sprintf("gitlab.example%d.com/group/p/q", i%1200))
		case 3:
			paths = append(paths, fmt.Sprintf("go%d.acme.dev", i%1200))
		case 4:
			paths = append(paths, fmt.Sprintf("git.example.com/team%d/r/s", i%1200))
		case 5:
			paths = append(paths, fmt.Sprintf("svc%d-api.example.org/v2", i%1200))
		case 6:
			paths = append(paths, fmt.Sprintf("svc%d.example.org/v2", i%1200))
		case 7:
			paths = append(paths, fmt.Sprintf("team%d.corp.example.net", i%1200))
		}
	}
	return paths
}

var sink bool

// BenchmarkMatch compares List.Match with module.MatchPrefixPatterns, the
// function the go command uses. Each op matches one path of a mix of
// matching and non-matching module paths.
func BenchmarkMatch(b *testing.B) {
	cases := []struct {
		name  string
		globs string
	}{
		{"1pattern", "github.com/acme"},
		{"10patterns", corporate},
		{"1000patterns", manyPatterns(1000)},
	}
	for _, c := range cases {
		b.Run(c.name+"/xmod", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sink = module.MatchPrefixPatterns(c.globs, benchPaths[i%len(benchPaths)])
				i++
			}
		})
		b.Run(c.name+"/matcher", func(b *testing.B) {
			l := Compile(c.globs)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sink = l.Match(benchPaths[i%len(benchPaths)])
				i++
			}
		})
	}
}

// BenchmarkCompile measures the one-time cost of compiling a list.
func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{10, 1000} {
		globs := manyPatterns(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Compile(globs)
			}
		})
	}
}
