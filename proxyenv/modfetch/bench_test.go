package modfetch_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"golang.org/x/mod/module"
)

// BenchmarkFetch100 downloads 100 modules from a local HTTPS module proxy
// that waits 30 ms before each answer, into a fresh module cache each
// time: "go mod download" (the baseline) and Fetcher.DownloadAll with its
// default 16 workers. The x-limit metric is the time over the physical
// limit, round trips × modules × latency / workers (3 × 100 × 30 ms / 16).
//
//	go test -run '^$' -bench Fetch100 -benchtime 1x ./proxyenv/modfetch/
func BenchmarkFetch100(b *testing.B) {
	gooracle.Required(b)
	const n, latency = 100, 30 * time.Millisecond
	var mods []modproxy.Module
	var args []string
	var versions []module.Version
	for i := range n {
		p := fmt.Sprintf("example.com/m%03d", i)
		mods = append(mods, modproxy.Module{Path: p, Version: "v1.0.0"})
		args = append(args, p+"@v1.0.0")
		versions = append(versions, module.Version{Path: p, Version: "v1.0.0"})
	}
	s := modproxy.New(b, mods, modproxy.TLS(), modproxy.Handle(func(http.ResponseWriter, *http.Request) bool {
		time.Sleep(latency)
		return false
	}))
	g := gooracle.New(b)
	g.Set("GOPROXY", s.URL)
	g.Set("SSL_CERT_FILE", s.CAFile)
	g.Set("GOFLAGS", "-mod=mod -modcacherw")
	limit := time.Duration(3*n) * latency / 16

	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			g.Set("GOMODCACHE", filepath.Join(b.TempDir(), "mod"))
			b.StartTimer()
			ds, stderr, err := g.ModDownload(context.Background(), args...)
			if err != nil || len(ds) != n || ds[n-1].Error != "" {
				b.Fatalf("go mod download: %v\n%s", err, stderr)
			}
		}
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(limit), "x-limit")
	})
	b.Run("modnet", func(b *testing.B) {
		env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
		if err != nil {
			b.Fatal(err)
		}
		// As many idle connections per host as workers, so that
		// concurrent downloads reuse their TLS connections.
		base := http.DefaultTransport.(*http.Transport).Clone()
		base.MaxIdleConnsPerHost = 16
		c, err := env.Client(proxyenv.ClientOptions{Base: base})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Wait()
		for b.Loop() {
			b.StopTimer()
			// The go command's work: unpack too (it runs with -modcacherw).
			f := &modfetch.Fetcher{Client: c, Dir: filepath.Join(b.TempDir(), "mod"), Run: true, Extract: true, ExtractWritable: true}
			b.StartTimer()
			if _, err := f.DownloadAll(context.Background(), versions); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(limit), "x-limit")
	})
}
