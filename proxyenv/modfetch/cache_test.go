package modfetch_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
)

// newFetcher returns a Fetcher using g's environment and the module cache
// dir.
func newFetcher(t *testing.T, g *gooracle.Go, dir string) *modfetch.Fetcher {
	t.Helper()
	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: g.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.Client(proxyenv.ClientOptions{CommandEnv: g.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Wait)
	return &modfetch.Fetcher{Client: c, Dir: dir, Run: true}
}

// cacheEntry is one file of a module's @v directory: its name, mode and,
// for the files whose content is deterministic, the content.
type cacheEntry struct {
	name string
	mode fs.FileMode
	data string
}

// cacheListing lists dir/cache/download/<mod>/@v.
func cacheListing(t *testing.T, dir, mod string) []cacheEntry {
	t.Helper()
	vdir := filepath.Join(dir, "cache", "download", filepath.FromSlash(mod), "@v")
	entries, err := os.ReadDir(vdir)
	if err != nil {
		t.Fatal(err)
	}
	var out []cacheEntry
	// The directories' modes too (0777 before the umask).
	for _, d := range []string{filepath.Dir(vdir), vdir} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, cacheEntry{name: filepath.Base(d) + "/", mode: fi.Mode()})
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		ce := cacheEntry{name: e.Name(), mode: fi.Mode()}
		if !strings.HasSuffix(e.Name(), ".zip") && !strings.HasSuffix(e.Name(), ".lock") {
			data, err := os.ReadFile(filepath.Join(vdir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			ce.data = string(data)
		}
		out = append(out, ce)
	}
	return out
}

var cacheMods = []modproxy.Module{
	{Path: "example.com/m", Version: "v1.0.0"},
	{Path: "example.com/m", Version: "v1.1.0"},
}

// TestCacheWrittenLikeGo checks that a Fetcher writes a module cache entry
// the go command's way (the same files, modes and contents, @v/list and
// .ziphash included), that the go command then uses it with GOPROXY=off,
// and that the cache serves as a file:// GOPROXY for @latest.
func TestCacheWrittenLikeGo(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	s := modproxy.New(t, cacheMods)
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	g.Set("GOFLAGS", "-mod=mod -modcacherw")
	args := []string{"example.com/m@v1.0.0", "example.com/m@v1.1.0"}
	want, _, err := g.ModDownload(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	goCache, _ := g.Get("GOMODCACHE")
	goList := cacheListing(t, goCache, "example.com/m")

	ours := t.TempDir()
	f := newFetcher(t, g, ours)
	for i, arg := range args {
		path, v, _ := strings.Cut(arg, "@")
		d, err := f.Download(context.Background(), path, v)
		if err != nil {
			t.Fatalf("Download(%s): %v", arg, err)
		}
		if d.Sum != want[i].Sum || d.GoModSum != want[i].GoModSum {
			t.Errorf("Download(%s) sums %s %s, go command %s %s", arg, d.Sum, d.GoModSum, want[i].Sum, want[i].GoModSum)
		}
		if rel(t, ours, d.Info) != rel(t, goCache, want[i].Info) || rel(t, ours, d.Zip) != rel(t, goCache, want[i].Zip) {
			t.Errorf("Download(%s) files %s %s, go command %s %s", arg, d.Info, d.Zip, want[i].Info, want[i].Zip)
		}
	}
	ourList := cacheListing(t, ours, "example.com/m")
	if !slices.Equal(goList, ourList) {
		t.Errorf("module cache @v directory\ngo command: %+v\nFetcher:    %+v", goList, ourList)
	}

	// The go command uses the Fetcher's cache without the network.
	g.Set("GOMODCACHE", ours)
	g.Set("GOPROXY", "off")
	s.Reset()
	got, stderr, err := g.ModDownload(context.Background(), args...)
	if err != nil || len(got) != 2 {
		t.Fatalf("go mod download over the Fetcher's cache: %v %v\n%s", got, err, stderr)
	}
	for i := range got {
		if got[i].Error != "" || got[i].Sum != want[i].Sum {
			t.Errorf("go mod download %s over the Fetcher's cache: %+v", args[i], got[i])
		}
	}

	// The cache as a file:// GOPROXY answers @latest from @v/list.
	g.Set("GOMODCACHE", filepath.Join(t.TempDir(), "mod"))
	g.Set("GOPROXY", "file://"+filepath.ToSlash(filepath.Join(ours, "cache", "download")))
	got, stderr, err = g.ModDownload(context.Background(), "example.com/m@latest")
	if err != nil || len(got) != 1 || got[0].Error != "" || got[0].Version != "v1.1.0" {
		t.Errorf("go mod download m@latest from the Fetcher's cache as file:// GOPROXY: %+v %v\n%s", got, err, stderr)
	}
	if n := len(s.Paths()); n != 0 {
		t.Errorf("the go command made %d requests to the proxy: %q", n, s.Paths())
	}
}

// rel returns name relative to dir.
func rel(t *testing.T, dir, name string) string {
	t.Helper()
	r, err := filepath.Rel(dir, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCacheReadLikeGo checks that a Fetcher uses a module cache the go
// command wrote: exact versions with no request at all, with GOPROXY=off
// too, and queries with the go command's requests.
func TestCacheReadLikeGo(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	s := modproxy.New(t, cacheMods)
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	g.Set("GOFLAGS", "-mod=mod -modcacherw")
	want, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil || want[0].Error != "" {
		t.Fatal(want, err)
	}
	goCache, _ := g.Get("GOMODCACHE")

	for _, proxy := range []string{"off", s.URL} {
		g.Set("GOPROXY", proxy)
		s.Reset()
		f := newFetcher(t, g, goCache)
		d, err := f.Download(context.Background(), "example.com/m", "v1.0.0")
		if err != nil {
			t.Fatalf("GOPROXY=%s: Download from the go command's cache: %v", proxy, err)
		}
		if d.Sum != want[0].Sum || d.GoModSum != want[0].GoModSum || d.Zip != want[0].Zip || d.Info != want[0].Info || d.GoMod != want[0].GoMod {
			t.Errorf("GOPROXY=%s: Download = %+v\ngo command: %+v", proxy, d, want[0])
		}
		if p := s.Paths(); len(p) != 0 {
			t.Errorf("GOPROXY=%s: Fetcher made requests for a cached version: %q", proxy, p)
		}
	}

	// A query lists versions; the cached ones are not fetched again, the
	// others are, as the go command does.
	g.Set("GOPROXY", s.URL)
	s.Reset()
	if _, _, err := g.ModDownload(context.Background(), "example.com/m@v1"); err != nil {
		t.Fatal(err)
	}
	goPaths := s.Paths()
	s.Reset()
	// A second copy of the cache as it was before that run.
	g2 := gooracle.New(t)
	g2.Set("GOPROXY", s.URL)
	g2.Set("GOFLAGS", "-mod=mod -modcacherw")
	if _, _, err := g2.ModDownload(context.Background(), "example.com/m@v1.0.0"); err != nil {
		t.Fatal(err)
	}
	s.Reset()
	cache2, _ := g2.Get("GOMODCACHE")
	if _, err := newFetcher(t, g2, cache2).Download(context.Background(), "example.com/m", "v1"); err != nil {
		t.Fatal(err)
	}
	if ours := s.Paths(); !slices.Equal(goPaths, ours) {
		t.Errorf("query over a cache: requests differ\ngo command: %q\nFetcher:    %q", goPaths, ours)
	}
}

// TestCacheCorruptZipNotTrusted checks that a zip without its .ziphash
// (a download the go command or a Fetcher did not finish) is fetched
// again, and that a leftover temporary file is removed.
func TestCacheCorruptZipNotTrusted(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, cacheMods)
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	dir := t.TempDir()
	vdir := filepath.Join(dir, "cache", "download", "example.com", "m", "@v")
	if err := os.MkdirAll(vdir, 0o777); err != nil {
		t.Fatal(err)
	}
	leftover := filepath.Join(vdir, "v1.0.0.zip12345.tmp")
	for name, data := range map[string]string{"v1.0.0.zip": "garbage", leftover: "partial"} {
		if err := os.WriteFile(filepath.Join(vdir, filepath.Base(name)), []byte(data), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	d, err := newFetcher(t, g, dir).Download(context.Background(), "example.com/m", "v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	z, _ := os.ReadFile(d.Zip)
	if !bytes.Equal(z, s.Zip("example.com/m", "v1.0.0")) {
		t.Errorf("zip not downloaded again over an unhashed one")
	}
	if _, err := os.Stat(leftover); err == nil {
		t.Errorf("leftover temporary file %s not removed", leftover)
	}
}

// TestExtractLikeGo checks that Extract unpacks a module as
// "go mod download" does (the same files and modes, read-only
// directories), that the go command then uses the directory as it is, and
// that a directory left with its .partial marker is unpacked again.
func TestExtractLikeGo(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	mods := []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0", Files: map[string]string{"m.go": "package m\n", "sub/s.go": "package sub\n"}}}
	s := modproxy.New(t, mods)
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	want, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil || want[0].Error != "" {
		t.Fatal(want, err)
	}
	ours := t.TempDir()
	t.Cleanup(func() { makeWritable(ours) })
	goCache, _ := g.Get("GOMODCACHE")
	t.Cleanup(func() { makeWritable(goCache) })
	f := newFetcher(t, g, ours)
	f.Extract = true
	d, err := f.Download(context.Background(), "example.com/m", "v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if rel(t, ours, d.Dir) != rel(t, goCache, want[0].Dir) {
		t.Errorf("Dir = %s, go command %s", d.Dir, want[0].Dir)
	}
	if goTree, ourTree := modeTree(t, want[0].Dir), modeTree(t, d.Dir); !slices.Equal(goTree, ourTree) {
		t.Errorf("extracted tree\ngo command: %q\nFetcher:    %q", goTree, ourTree)
	}

	// A .partial marker means unfinished: unpacked again.
	marker := filepath.Join(ours, "cache", "download", "example.com", "m", "@v", "v1.0.0.partial")
	os.WriteFile(marker, nil, 0o666)
	makeWritable(d.Dir)
	os.Remove(filepath.Join(d.Dir, "m.go"))
	if _, err := newFetcher(t, g, ours).Download(context.Background(), "example.com/m", "v1.0.0"); err != nil {
		t.Fatal(err)
	}
	f2 := newFetcher(t, g, ours)
	f2.Extract = true
	if _, err := f2.Download(context.Background(), "example.com/m", "v1.0.0"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d.Dir, "m.go")); err != nil {
		t.Errorf("partial directory not unpacked again: %v", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf(".partial marker left")
	}

	// The go command uses the directory without the network.
	g.Set("GOMODCACHE", ours)
	g.Set("GOPROXY", "off")
	got, stderr, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil || got[0].Error != "" || got[0].Dir != d.Dir {
		t.Errorf("go mod download over the Fetcher's cache: %+v %v\n%s", got, err, stderr)
	}
}

// modeTree lists the files and directories under dir with their modes.
func modeTree(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fi, _ := e.Info()
		r, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(r)+" "+fi.Mode().String())
		return nil
	})
	return out
}

// makeWritable makes the directories under dir writable again, so the
// test's temporary directory can be removed.
func makeWritable(dir string) {
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}
