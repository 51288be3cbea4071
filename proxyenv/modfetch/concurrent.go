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

// DownloadAll downloads several module versions as one "go mod download"
// run does, with up to Workers modules in flight at once. Each element of
// mods is a module path and a version or query, as for [Fetcher.Download].
//
// The requests for one module are made in the go command's order: the
// elements naming the same module path are handled one after another, in
// argument order, each .info and go.mod before its zip, and elements
// naming the same version share one download. Different modules proceed
// concurrently, and each module's zip follows its go.mod at once, so
// unlike the go command, which fetches every .info and go.mod before any
// zip, requests for different modules interleave (measured faster:
// network waits overlap with hashing and unpacking). Set Run to remember
// each proxy's answers across the elements, as the go command does within
// a run, so that a query resolving to a version already fetched does not
// fetch its zip again.
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

	// One worker per module path: its elements in argument order, each
	// zip right after its go.mod.
	var paths []string
	byPath := map[string][]int{}
	for i, m := range mods {
		if _, ok := byPath[m.Path]; !ok {
			paths = append(paths, m.Path)
		}
		byPath[m.Path] = append(byPath[m.Path], i)
	}
	zipErr := map[*Download]error{}
	var mu sync.Mutex
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
				d, err := f.DownloadMod(ctx, path, v)
				results[i].Download, results[i].Err = d, err
				if err == nil {
					zerr := f.DownloadZip(ctx, d)
					mu.Lock()
					zipErr[d] = zerr
					mu.Unlock()
				}
			}
		}, func(err error) {
			for _, i := range idx {
				results[i].Err = moduleErr(path, mods[i].Version, err)
			}
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
