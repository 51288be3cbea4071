package proxyenv_test

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/module"

	"github.com/modnet/modnet/proxyenv"
)

// BenchmarkRoute compares a compiled Router's Route with the decisions
// x/mod alone gives: the three module.MatchPrefixPatterns calls the go
// command makes for a module (GONOPROXY, GONOSUMDB, GOINSECURE). Route
// also returns the steps, the checksum database decision and their
// reasons.
func BenchmarkRoute(b *testing.B) {
	for _, n := range []int{10, 1000} {
		var pats []string
		for i := range n {
			pats = append(pats, fmt.Sprintf("corp%d.example.com/team%d", i, i))
		}
		private := strings.Join(pats, ",")
		env := &proxyenv.Env{GOPROXY: "https://proxy.golang.org,direct", GOSUMDB: "sum.golang.org", GOPRIVATE: private}
		// A public path that matches no pattern: every pattern is tried.
		const path = "github.com/someone/module"
		b.Run(fmt.Sprintf("%dpatterns/xmod", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = module.MatchPrefixPatterns(env.GOPRIVATE, path) // GONOPROXY (from GOPRIVATE)
				_ = module.MatchPrefixPatterns(env.GOPRIVATE, path) // GONOSUMDB (from GOPRIVATE)
				_ = module.MatchPrefixPatterns(env.GOINSECURE, path)
			}
		})
		r := env.Router()
		b.Run(fmt.Sprintf("%dpatterns/modnet", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Route(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRouteUncompiled measures Env.Route, which compiles the
// environment on every call.
func BenchmarkRouteUncompiled(b *testing.B) {
	env := &proxyenv.Env{GOPROXY: "https://proxy.golang.org,direct", GOSUMDB: "sum.golang.org", GOPRIVATE: "corp.example.com,*.internal"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.Route("github.com/someone/module"); err != nil {
			b.Fatal(err)
		}
	}
}
