package modfetch_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
)

var sumMods = []modproxy.Module{
	{Path: "example.com/m", Version: "v1.0.0"},
	{Path: "example.com/n", Version: "v1.0.0"},
}

// TestSumDBStateAcrossRunsLikeGo runs two downloads as separate runs
// sharing GOPATH and GOMODCACHE, once with the go command and once with
// two Fetchers: the second run must make the go command's requests (no
// tile fetched again, the signed tree head read from
// $GOPATH/pkg/sumdb/<name>/latest), and the files must be the go
// command's (the database text signed, the tiles and records cached).
func TestSumDBStateAcrossRunsLikeGo(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	s := modproxy.New(t, sumMods, modproxy.SumDB("sum.test"))
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	g.Set("GOSUMDB", s.SumDBKey)
	g.Set("GOFLAGS", "-mod=mod -modcacherw")
	var goRuns [][]string
	// The third run downloads m again: everything is cached, the
	// checksum database's answers too, so nothing is requested.
	for _, m := range []string{"example.com/m@v1.0.0", "example.com/n@v1.0.0", "example.com/m@v1.0.0"} {
		s.Reset()
		ds, stderr, err := g.ModDownload(context.Background(), m)
		if err != nil || ds[0].Error != "" {
			t.Fatalf("go mod download %s: %v %v\n%s", m, ds, err, stderr)
		}
		goRuns = append(goRuns, s.Paths())
	}
	gopath, _ := g.Get("GOPATH")
	goLatest, err := os.ReadFile(filepath.Join(gopath, "pkg", "sumdb", "sum.test", "latest"))
	if err != nil {
		t.Fatal(err)
	}

	// A second, identical server: its checksum database grows as the first
	// one did (records are added when first looked up).
	s = modproxy.New(t, sumMods, modproxy.SumDB("sum.test"))
	g.Set("GOPROXY", s.URL)
	g.Set("GOSUMDB", s.SumDBKey)
	dir := t.TempDir()
	sumdbDir := filepath.Join(t.TempDir(), "sumdb")
	for i, m := range []string{"example.com/m", "example.com/n", "example.com/m"} {
		s.Reset()
		f := newFetcher(t, g, dir)
		f.SumDBDir = sumdbDir
		d, err := f.Download(context.Background(), m, "v1.0.0")
		if err != nil {
			t.Fatalf("run %d: Download(%s): %v", i+1, m, err)
		}
		if i < 2 && d.SumDB != "sum.test" {
			t.Errorf("run %d: SumDB = %q", i+1, d.SumDB)
		}
		if ours := s.Paths(); !slices.Equal(goRuns[i], ours) {
			t.Errorf("run %d: requests differ\ngo command: %q\nFetcher:    %q", i+1, goRuns[i], ours)
		}
	}
	ourLatest, err := os.ReadFile(filepath.Join(sumdbDir, "sum.test", "latest"))
	if err != nil {
		t.Fatal(err)
	}
	// The signatures differ (two servers, two keys); the signed text not.
	text := func(b []byte) string { t, _, _ := strings.Cut(string(b), "\n\n"); return t }
	if text(ourLatest) != text(goLatest) {
		t.Errorf("signed tree head\ngo command: %q\nFetcher:    %q", goLatest, ourLatest)
	}
	goCache, _ := g.Get("GOMODCACHE")
	if goTiles, ourTiles := tree(t, filepath.Join(goCache, "cache", "download", "sumdb")), tree(t, filepath.Join(dir, "cache", "download", "sumdb")); !slices.Equal(goTiles, ourTiles) {
		t.Errorf("checksum database cache\ngo command: %q\nFetcher:    %q", goTiles, ourTiles)
	}
}

// tree lists the files under dir, relative to it.
func tree(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			r, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(r))
		}
		return nil
	})
	return out
}

// TestSumDBTransientFailureNotKept checks that a long-lived Fetcher (not
// Run) asks again after a 503 from the checksum database's /supported
// endpoint, where a run of the go command would give up for the run.
func TestSumDBTransientFailureNotKept(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	fail.Store(true)
	s := modproxy.New(t, sumMods, modproxy.SumDB("sum.test"), modproxy.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/supported") && fail.Load() {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return true
		}
		return false
	}))
	env := &proxyenv.Env{GOPROXY: s.URL, GOSUMDB: s.SumDBKey, GOAUTH: "off"}
	c, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &modfetch.Fetcher{Client: c}
	if _, err := f.Download(context.Background(), "example.com/m", "v1.0.0"); err == nil {
		t.Fatal("Download succeeded while the checksum database answered 503")
	}
	fail.Store(false)
	if _, err := f.Download(context.Background(), "example.com/n", "v1.0.0"); err != nil {
		t.Errorf("Download after the checksum database recovered: %v", err)
	}
}
