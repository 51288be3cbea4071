package modfetch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv/modfetch"
)

// TestGoSumMatchesGo runs "go mod download" in a module whose go.sum lists
// hashes for the download, and a Fetcher with the same go.sum: the same
// requests (a listed hash skips the checksum database), the same
// SECURITY ERROR text for a mismatch even for GONOSUMDB modules, and the
// lines the go command adds to go.sum.
func TestGoSumMatchesGo(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	const (
		bad    = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
		modSum = "h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k="
		zipSum = "h1:fCHMqo5ggHEQvwcrsN81zr5orRk5lClR36KRHpfUjKg="
	)
	for _, tc := range []struct {
		name, gosum, nosumdb string
	}{
		{name: "empty"},
		{name: "listed", gosum: "example.com/m v1.0.0 " + zipSum + "\nexample.com/m v1.0.0/go.mod " + modSum + "\n"},
		{name: "go.mod-mismatch-nosumdb", gosum: "example.com/m v1.0.0/go.mod " + bad + "\n", nosumdb: "example.com"},
		{name: "zip-mismatch-nosumdb", gosum: "example.com/m v1.0.0 " + bad + "\n", nosumdb: "example.com"},
		{name: "zip-mismatch", gosum: "example.com/m v1.0.0 " + bad + "\n"},
		{name: "other-algorithm", gosum: "example.com/m v1.0.0 h9:xyz\n"},
		{name: "empty-go.mod-hash-dropped", gosum: "example.com/m v1.0.0/go.mod h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := modproxy.New(t, sumMods, modproxy.SumDB("sum.test"))
			g := gooracle.New(t)
			g.Set("GOPROXY", s.URL)
			g.Set("GOSUMDB", s.SumDBKey)
			g.Set("GOFLAGS", "-mod=mod -modcacherw")
			if tc.nosumdb != "" {
				g.Set("GONOSUMDB", tc.nosumdb)
			}
			// The main module requires m, so the go command records its
			// sums in go.sum.
			if err := os.WriteFile(filepath.Join(g.WorkDir, "go.mod"), []byte("module example.com/oracle\n\ngo 1.22\n\nrequire example.com/m v1.0.0\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			goSumFile := filepath.Join(g.WorkDir, "go.sum")
			if err := os.WriteFile(goSumFile, []byte(tc.gosum), 0o644); err != nil {
				t.Fatal(err)
			}
			ds, stderr, _ := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
			goPaths := s.Paths()
			goErr := ""
			// A mismatch stops the go command (no JSON); a warning does not.
			if i := strings.Index(stderr, "verifying "); i >= 0 && len(ds) == 0 {
				goErr = stderr[i:]
				if j := strings.Index(goErr, "module-auth'.\n"); j >= 0 {
					goErr = goErr[:j+len("module-auth'.\n")]
				}
			} else if len(ds) == 1 {
				goErr = ds[0].Error
			}
			after, _ := os.ReadFile(goSumFile)

			// A second, identical server for the Fetcher: the checksum
			// database grows as the first one did.
			s2 := modproxy.New(t, sumMods, modproxy.SumDB("sum.test"))
			g.Set("GOPROXY", s2.URL)
			g.Set("GOSUMDB", s2.SumDBKey)
			gs, err := modfetch.ParseGoSum(goSumFile, []byte(tc.gosum))
			if err != nil {
				t.Fatal(err)
			}
			f := newFetcher(t, g, t.TempDir())
			f.GoSum = gs
			_, ourErr := f.Download(context.Background(), "example.com/m", "v1.0.0")
			ours := ""
			if ourErr != nil {
				ours = ourErr.Error()
			}
			if ours != goErr {
				t.Errorf("error\ngo command: %q\nFetcher:    %q", goErr, ours)
			}
			if strings.Contains(goErr, "go.sum:") {
				var me *modfetch.GoSumMismatchError
				if !errors.As(ourErr, &me) {
					t.Errorf("error %T is not a *GoSumMismatchError", ourErr)
				}
			}
			if !slices.Equal(goPaths, s2.Paths()) {
				t.Errorf("requests differ\ngo command: %q\nFetcher:    %q", goPaths, s2.Paths())
			}
			if goErr == "" {
				// The go command wrote the lines it added; the Fetcher
				// reports them.
				var wantAdded []string
				for _, line := range strings.Split(strings.TrimSpace(string(after)), "\n") {
					if line != "" && !strings.Contains(tc.gosum, line) {
						wantAdded = append(wantAdded, line)
					}
				}
				if got := gs.Added(); !slices.Equal(got, wantAdded) {
					t.Errorf("Added() = %q, go command added %q", got, wantAdded)
				}
			}
		})
	}
}

func TestParseGoSum(t *testing.T) {
	t.Parallel()
	if _, err := modfetch.ParseGoSum("go.sum", []byte("a v1.0.0 h1:x\n\n  \nb v1.0.0\n")); err == nil {
		t.Errorf("ParseGoSum accepted a line with two fields")
	} else {
		var se *modfetch.GoSumSyntaxError
		if !errors.As(err, &se) || se.Line != 4 || se.Fields != 2 {
			t.Errorf("ParseGoSum error %#v", err)
		}
	}
}

func FuzzParseGoSum(f *testing.F) {
	f.Add([]byte("example.com/m v1.0.0 h1:abc=\nexample.com/m v1.0.0/go.mod h1:def=\n"))
	f.Add([]byte("\n\n"))
	f.Add([]byte("a b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		gs, err := modfetch.ParseGoSum("go.sum", data)
		if err != nil {
			var se *modfetch.GoSumSyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseGoSum error %T, want *GoSumSyntaxError", err)
			}
			return
		}
		if len(gs.Added()) != 0 {
			t.Errorf("a parsed go.sum has added lines")
		}
	})
}
