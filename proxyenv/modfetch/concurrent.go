package modfetch

import (
	"context"
	"sync"

	"golang.org/x/mod/module"
)

// defaultWorkers is how many modules DownloadAll fetches at once when
// Fetcher.Workers is zero.
const defaultWorkers = 16

// A Result is the outcome of one module of [Fetcher.DownloadAll].
type Result struct {
	// Download is what was fetched. It may be non-nil together with Err:
	// a resolved version whose go.mod failed, or a zip that was
	// downloaded and hashed but breaks the module zip rules, as
	// [Fetcher.DownloadMod] and [Fetcher.DownloadZip] report them.
	Download *Download
	// Err is the module's error, in the go command's words.
	Err error
}

// DownloadAll downloads several module versions the way one
// "go mod download" run does: every module's .info and go.mod first, then
// the zips, with up to Workers modules in flight at once. Each element of
// mods is a module path and a version or query, as for [Fetcher.Download].
//
// The requests for one module are made in the go command's order: the
// elements naming the same module path are resolved one after another,
// in argument order, and elements naming the same path and version share
// one download. Different modules proceed concurrently, so the order of
// requests across modules varies. Set Run to remember each proxy's
// answers across the elements, as the go command does within a run.
//
// DownloadAll returns one Result per element, in argument order, and the
// first error among them in argument order (nil if all succeeded). Every
// element is attempted, as "go mod download" attempts every argument;
// when ctx is done, the elements not yet started fail with its error
// and those in flight stop with it.
func (f *Fetcher) DownloadAll(ctx context.Context, mods []module.Version) ([]Result, error) {
	results := make([]Result, len(mods))
	workers := f.Workers
	if workers <= 0 {
		workers = defaultWorkers
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	// run calls fn in a worker, or fails it with ctx's error once ctx is
	// done.
	run := func(fn func(), fail func(error)) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			fail(ctx.Err())
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := ctx.Err(); err != nil {
				fail(err)
				return
			}
			fn()
		}()
	}

	// Phase 1: .info and go.mod, one worker per module path, its
	// elements in argument order.
	var paths []string
	byPath := map[string][]int{}
	for i, m := range mods {
		if _, ok := byPath[m.Path]; !ok {
			paths = append(paths, m.Path)
		}
		byPath[m.Path] = append(byPath[m.Path], i)
	}
	for _, path := range paths {
		idx := byPath[path]
		run(func() {
			first := map[string]int{}
			for _, i := range idx {
				v := mods[i].Version
				if j, ok := first[v]; ok {
					results[i] = results[j]
					continue
				}
				first[v] = i
				if err := ctx.Err(); err != nil {
					results[i].Err = moduleErr(path, v, err)
					continue
				}
				results[i].Download, results[i].Err = f.DownloadMod(ctx, path, v)
			}
		}, func(err error) {
			for _, i := range idx {
				results[i].Err = moduleErr(path, mods[i].Version, err)
			}
		})
	}
	wg.Wait()

	// Phase 2: the zips of every module whose go.mod succeeded, each
	// Download once however many elements share it.
	var zipped []*Download
	zipErr := map[*Download]error{}
	var mu sync.Mutex
	for _, r := range results {
		d := r.Download
		if r.Err != nil || d == nil {
			continue
		}
		if _, ok := zipErr[d]; ok {
			continue
		}
		zipErr[d] = nil
		zipped = append(zipped, d)
	}
	for _, d := range zipped {
		run(func() {
			err := f.DownloadZip(ctx, d)
			mu.Lock()
			zipErr[d] = err
			mu.Unlock()
		}, func(err error) {
			mu.Lock()
			zipErr[d] = moduleErr(d.Path, d.Version, err)
			mu.Unlock()
		})
	}
	wg.Wait()

	var first error
	for i := range results {
		r := &results[i]
		if r.Err == nil && r.Download != nil {
			r.Err = zipErr[r.Download]
		}
		if first == nil {
			first = r.Err
		}
	}
	return results, first
}
