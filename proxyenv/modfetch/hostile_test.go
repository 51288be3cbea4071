package modfetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
	"golang.org/x/mod/module"
)

// hostileProxy serves example.com/m with fixed go.mod and zip answers and
// whatever the test stores for the other paths (nil: 404).
type hostileProxy struct {
	*httptest.Server
	answers map[string]*atomic.Pointer[answer]

	once      sync.Once
	client    *proxyenv.Client
	clientErr error
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func newHostileProxy(t testing.TB) *hostileProxy {
	h := &hostileProxy{answers: map[string]*atomic.Pointer[answer]{}}
	for _, p := range []string{"@v/list", "@latest", "@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip"} {
		h.answers["/example.com/m/"+p] = new(atomic.Pointer[answer])
	}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := h.answers[r.URL.Path]
		if a == nil || a.Load() == nil {
			http.NotFound(w, r)
			return
		}
		ans := a.Load()
		for k, v := range ans.header {
			w.Header()[k] = v
		}
		w.WriteHeader(ans.status)
		w.Write(ans.body)
	}))
	t.Cleanup(h.Close)
	h.set("@v/v1.0.0.mod", 200, "module example.com/m\n")
	h.set("@v/v1.0.0.info", 200, `{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}`)
	h.set("@v/list", 200, "v1.0.0\n")
	return h
}

func (h *hostileProxy) set(p string, status int, body string) {
	h.answers["/example.com/m/"+p].Store(&answer{status: status, body: []byte(body)})
}

// fetcher returns a Fetcher using only h, without a checksum database;
// the Fetchers of one hostileProxy share a client.
func (h *hostileProxy) fetcher(t testing.TB, dir string) *modfetch.Fetcher {
	h.once.Do(func() {
		vars := map[string]string{"GOPROXY": h.URL, "GOSUMDB": "off"}
		env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: func(k string) string { return vars[k] }})
		if err == nil {
			h.client, err = env.Client(proxyenv.ClientOptions{})
		}
		h.clientErr = err
	})
	if h.clientErr != nil {
		t.Fatal(h.clientErr)
	}
	return &modfetch.Fetcher{Client: h.client, Dir: dir}
}

// checkOutcome checks what every download from a hostile proxy must
// hold: an error is a *module.ModuleError without control characters
// beyond newline and tab, nothing but semantic versions is written, and a
// written .info is the canonical JSON of a RevInfo.
func checkOutcome(t *testing.T, dir string, d *modfetch.Download, err error) {
	t.Helper()
	if err != nil {
		var me *module.ModuleError
		if !errors.As(err, &me) && !strings.HasPrefix(err.Error(), "zip for ") {
			t.Errorf("error %v (%T) is not a *module.ModuleError", err, err)
		}
		if strings.ContainsFunc(err.Error(), func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
			t.Errorf("error %q has control characters", err)
		}
	}
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		base := filepath.Base(p)
		if base == "list" {
			return nil
		}
		v := base[:strings.LastIndex(base, ".")]
		if module.CanonicalVersion(v) != v && !strings.HasSuffix(base, ".tmp") {
			t.Errorf("wrote %s, not a semantic version's file", p)
		}
		if strings.HasSuffix(base, ".tmp") {
			t.Errorf("left temporary file %s", p)
		}
		if strings.HasSuffix(base, ".info") {
			data, _ := os.ReadFile(p)
			var ri proxyenv.RevInfo
			if err := jsonUnmarshalStrict(data, &ri); err != nil || len(data) > 1<<20 {
				t.Errorf("wrote .info %q: %v", data, err)
			}
		}
		return nil
	})
}

func TestGzipInfoBombRefused(t *testing.T) {
	t.Parallel()
	h := newHostileProxy(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, `{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z","X":"`)
	io.CopyN(zw, zeroReader{}, 16<<20)
	io.WriteString(zw, `"}`)
	zw.Close()
	h.answers["/example.com/m/@v/v1.0.0.info"].Store(&answer{status: 200, header: http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {"application/json"}}, body: buf.Bytes()})
	dir := t.TempDir()
	d, err := h.fetcher(t, dir).DownloadMod(context.Background(), "example.com/m", "v1.0.0")
	if !errors.Is(err, modfetch.ErrTooLarge) {
		t.Errorf("DownloadMod with a .info inflating to 16 MiB: %v, want ErrTooLarge", err)
	}
	checkOutcome(t, dir, d, err)
	if _, err := os.Stat(filepath.Join(dir, "cache", "download", "example.com", "m", "@v", "v1.0.0.info")); err == nil {
		t.Errorf(".info written")
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestInfoWrittenCanonical(t *testing.T) {
	t.Parallel()
	h := newHostileProxy(t)
	h.set("@v/v1.0.0.info", 200, `{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z","Junk":"`+strings.Repeat("x", 1000)+`","Name":"abc"}`)
	dir := t.TempDir()
	d, err := h.fetcher(t, dir).DownloadMod(context.Background(), "example.com/m", "v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(d.Info)
	if want := `{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}`; string(data) != want {
		t.Errorf(".info file %s, want the canonical %s", data, want)
	}
}

func TestLatestNotSemverRefused(t *testing.T) {
	t.Parallel()
	h := newHostileProxy(t)
	h.set("@v/list", 200, "")
	h.set("@latest", 200, `{"Version":"master","Time":"2024-01-02T03:04:05Z"}`)
	dir := t.TempDir()
	d, err := h.fetcher(t, dir).DownloadMod(context.Background(), "example.com/m", "latest")
	// The go command: "go: internal error: example.com/m@master: unexpected
	// invalid semantic version", before fetching or writing anything.
	if err == nil || err.Error() != "example.com/m@master: unexpected invalid semantic version" {
		t.Errorf("DownloadMod(latest) with @latest naming master: %v", err)
	}
	checkOutcome(t, dir, d, err)
}

func TestZipTooLarge(t *testing.T) {
	t.Parallel()
	h := newHostileProxy(t)
	// Never sent: the Content-Length alone does not decide, the body does.
	h.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".zip") {
			io.CopyN(w, zeroReader{}, 500<<20+1)
			return
		}
		a := h.answers[r.URL.Path]
		if a == nil || a.Load() == nil {
			http.NotFound(w, r)
			return
		}
		w.Write(a.Load().body)
	})
	if testing.Short() {
		t.Skip("sends 500 MiB")
	}
	dir := t.TempDir()
	d, err := h.fetcher(t, dir).Download(context.Background(), "example.com/m", "v1.0.0")
	if !errors.Is(err, modfetch.ErrTooLarge) || !strings.Contains(err.Error(), "downloaded zip file too large") {
		t.Errorf("Download of a zip over 500 MiB: %v, want ErrTooLarge in the go command's words", err)
	}
	checkOutcome(t, dir, d, err)
}

func TestHugeHeadersNotConnect(t *testing.T) {
	t.Parallel()
	h := newHostileProxy(t)
	h.answers["/example.com/m/@v/v1.0.0.info"].Store(&answer{status: 200, header: http.Header{"X-Big": {strings.Repeat("x", 11<<20)}}, body: []byte(`{"Version":"v1.0.0"}`)})
	dir := t.TempDir()
	d, err := h.fetcher(t, dir).DownloadMod(context.Background(), "example.com/m", "v1.0.0")
	if err == nil {
		t.Fatal("no error for headers over net/http's limit")
	}
	var te *trust.Error
	if errors.As(err, &te) && te.Kind == trust.KindConnect {
		t.Errorf("headers over the limit classified as %q: %v", te.Kind, err)
	}
	checkOutcome(t, dir, d, err)
}

func TestReadErrorKeepsChain(t *testing.T) {
	t.Parallel()
	for _, cut := range []string{"cancel", "close"} {
		t.Run(cut, func(t *testing.T) {
			t.Parallel()
			h := newHostileProxy(t)
			h.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, ".zip") {
					w.Header().Set("Content-Length", "1000000")
					w.Write(make([]byte, 1000))
					w.(http.Flusher).Flush()
					if cut == "close" {
						conn, _, _ := w.(http.Hijacker).Hijack()
						conn.Close()
						return
					}
					<-r.Context().Done()
					return
				}
				a := h.answers[r.URL.Path]
				if a == nil || a.Load() == nil {
					http.NotFound(w, r)
					return
				}
				w.Write(a.Load().body)
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dir := t.TempDir()
			f := h.fetcher(t, dir)
			// Cancel once the zip's response headers are in: the error
			// comes from reading the body.
			f.Trace = func(line string) {
				if cut == "cancel" && strings.Contains(line, ".zip: 200") {
					cancel()
				}
			}
			d, err := f.Download(ctx, "example.com/m", "v1.0.0")
			want := error(io.ErrUnexpectedEOF)
			if cut == "cancel" {
				want = context.Canceled
			}
			if !errors.Is(err, want) {
				t.Errorf("Download: %v, want errors.Is %v", err, want)
			}
			if err == nil || !strings.Contains(err.Error(), `read "`+h.URL+"/example.com/m/@v/v1.0.0.zip") {
				t.Errorf("error %q does not name the read URL", err)
			}
			checkOutcome(t, dir, d, err)
		})
	}
}

// jsonUnmarshalStrict decodes data into v, refusing unknown fields and
// trailing data.
func jsonUnmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// TestLatestNotCanonicalMatchesGo sends @latest answers that are
// semantic versions but not canonical ones: the go command refuses a
// complete one and resolves an incomplete one again as a query.
func TestLatestNotCanonicalMatchesGo(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	for _, v := range []string{"v0", "v1.2", "v1.0.0+meta"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			opts := []modproxy.Option{
				modproxy.Respond("/example.com/m/@latest", modproxy.Response{Status: 200, Body: `{"Version":"` + v + `","Time":"2024-01-02T03:04:05Z"}`}),
				modproxy.Respond("/example.com/m/@v/list", modproxy.Response{Status: 200, Body: ""}),
			}
			s := modproxy.New(t, nil, opts...)
			g := gooracle.New(t)
			g.Set("GOPROXY", s.URL)
			ds, stderr, err := g.ModDownload(context.Background(), "example.com/m@latest")
			if err != nil || len(ds) != 1 || ds[0].Error == "" {
				t.Fatalf("go mod download: %+v %v\n%s", ds, err, stderr)
			}
			goPaths := s.Paths()
			s.Reset()
			dir := t.TempDir()
			d, ourErr := newFetcher(t, g, dir).DownloadMod(context.Background(), "example.com/m", "latest")
			if ourErr == nil || !strings.Contains(ourErr.Error(), ds[0].Error) {
				t.Errorf("DownloadMod error %v, want the go command's %q", ourErr, ds[0].Error)
			}
			if d == nil || d.Version != ds[0].Version || d.Query != ds[0].Query {
				t.Errorf("DownloadMod = %+v, go command %+v", d, ds[0])
			}
			if ours := s.Paths(); !slices.Equal(goPaths, ours) {
				t.Errorf("requests differ\ngo command: %q\nFetcher:    %q", goPaths, ours)
			}
			checkOutcome(t, dir, d, ourErr)
		})
	}
}
