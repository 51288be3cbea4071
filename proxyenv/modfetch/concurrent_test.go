package modfetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"golang.org/x/mod/module"
)

func TestDownloadAll(t *testing.T) {
	t.Parallel()
	var mods []modproxy.Module
	var args []module.Version
	for i := range 12 {
		p := fmt.Sprintf("example.com/m%02d", i)
		mods = append(mods, modproxy.Module{Path: p, Version: "v1.0.0"})
		args = append(args, module.Version{Path: p, Version: "v1.0.0"})
	}
	// A missing module, a duplicate and a query for a listed version.
	args = append(args, module.Version{Path: "example.com/missing", Version: "v1.0.0"},
		module.Version{Path: "example.com/m00", Version: "v1.0.0"},
		module.Version{Path: "example.com/m01", Version: "latest"})
	var inFlight, peak atomic.Int64
	s := modproxy.New(t, mods, modproxy.Handle(func(http.ResponseWriter, *http.Request) bool {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
		return false
	}))
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	f := newFetcher(t, g, t.TempDir())
	f.Workers = 3
	results, err := f.DownloadAll(context.Background(), args)
	if len(results) != len(args) {
		t.Fatalf("DownloadAll returned %d results for %d modules", len(results), len(args))
	}
	var me *module.ModuleError
	if !errors.As(err, &me) || me.Path != "example.com/missing" {
		t.Errorf("DownloadAll error = %v, want the missing module's", err)
	}
	for i, r := range results {
		switch {
		case args[i].Path == "example.com/missing":
			if r.Err == nil {
				t.Errorf("result %d: no error for a missing module", i)
			}
		case r.Err != nil || r.Download == nil || r.Download.Path != args[i].Path || r.Download.Sum == "" || r.Download.Zip == "":
			t.Errorf("result %d (%v) = %+v, %v", i, args[i], r.Download, r.Err)
		}
	}
	if results[13].Download != results[0].Download {
		t.Errorf("a duplicate argument did not share its download")
	}
	if p := peak.Load(); p > 3 {
		t.Errorf("%d requests at once with Workers = 3", p)
	}
	zips := 0
	for _, p := range s.Paths() {
		if p == "/example.com/m01/@v/v1.0.0.zip" {
			zips++
		}
	}
	if zips != 1 {
		t.Errorf("m01's zip fetched %d times for m01@v1.0.0 and m01@latest, want once", zips)
	}
}

func TestDownloadAllCanceled(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, []modproxy.Module{{Path: "example.com/a", Version: "v1.0.0"}, {Path: "example.com/b", Version: "v1.0.0"}},
		modproxy.Handle(func(w http.ResponseWriter, r *http.Request) bool {
			<-r.Context().Done()
			return true
		}))
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	f := newFetcher(t, g, t.TempDir())
	f.Workers = 1
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	results, err := f.DownloadAll(ctx, []module.Version{{Path: "example.com/a", Version: "v1.0.0"}, {Path: "example.com/b", Version: "v1.0.0"}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("DownloadAll error = %v, want context.DeadlineExceeded", err)
	}
	for i, r := range results {
		if !errors.Is(r.Err, context.DeadlineExceeded) {
			t.Errorf("result %d error = %v, want context.DeadlineExceeded", i, r.Err)
		}
	}
}
