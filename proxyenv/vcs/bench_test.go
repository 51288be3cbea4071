package vcs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
)

// BenchmarkDirect fetches five versions of one repository (two tags, a
// pre-release tag, two branches) with "go mod download" and with this
// package against the same local git server. "cold" starts from an empty
// module cache every time; "warm" keeps the VCS cache (cache/vcs) and
// only drops the go command's download cache, so both sides go back to
// git for versions they already have. gitreqs/op counts the git server's
// smart-HTTP requests per iteration.
func BenchmarkDirect(b *testing.B) {
	f := diffFixture(b)
	queries := []string{"v1.0.0", "v1.1.0", "v1.2.0-rc", "main", "feature"}
	args := make([]string, len(queries))
	for i, q := range queries {
		args[i] = "example.com/basic@" + q
	}
	ctx := context.Background()

	goRun := func(b *testing.B, g *gooracle.Go) {
		ds, stderr, err := g.ModDownload(ctx, args...)
		if err != nil || len(ds) != len(args) {
			b.Fatalf("go mod download: %v %+v\n%s", err, ds, stderr)
		}
		for _, d := range ds {
			if d.Error != "" {
				b.Fatal(d.Error)
			}
		}
	}
	newGo := func(b *testing.B) *gooracle.Go {
		g := gooracle.New(b)
		for _, kv := range f.srv.Env() {
			k, v, _ := strings.Cut(kv, "=")
			g.Set(k, v)
		}
		g.Set("GOPRIVATE", "example.com")
		g.Set("GOPROXY", "direct")
		return g
	}
	// modnet downloads the versions concurrently through one ModuleRepo,
	// as the go command downloads its arguments in parallel.
	modnetRun := func(b *testing.B, cache string) {
		m := moduleRepo(b, ctx, f.config(b, cache, nil), "example.com/basic", "example.com/basic")
		res := make([]result, len(queries))
		var wg sync.WaitGroup
		for i, q := range queries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i] = download(ctx, m, q)
			}()
		}
		wg.Wait()
		for _, r := range res {
			if r.Error != "" {
				b.Fatal(r.Error)
			}
		}
	}
	report := func(b *testing.B, before int) {
		b.ReportMetric(float64(f.srv.GitRequests()-before)/float64(b.N), "gitreqs/op")
	}

	b.Run("5versions/go", func(b *testing.B) {
		before := f.srv.GitRequests()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			g := newGo(b)
			b.StartTimer()
			goRun(b, g)
		}
		report(b, before)
	})
	b.Run("5versions/modnet", func(b *testing.B) {
		before := f.srv.GitRequests()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			cache := b.TempDir()
			b.StartTimer()
			modnetRun(b, cache)
		}
		report(b, before)
	})
	b.Run("5versions-warm/go", func(b *testing.B) {
		g := newGo(b)
		goRun(b, g)
		cache, _ := g.Get("GOMODCACHE")
		before := f.srv.GitRequests()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			if err := os.RemoveAll(filepath.Join(cache, "cache", "download")); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			goRun(b, g)
		}
		b.StopTimer()
		report(b, before)
	})
	b.Run("5versions-warm/modnet", func(b *testing.B) {
		cache := b.TempDir()
		modnetRun(b, cache)
		before := f.srv.GitRequests()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			modnetRun(b, cache)
		}
		b.StopTimer()
		report(b, before)
	})
}
