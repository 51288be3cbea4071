package modfetch_test

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
)

// TestMain lets the test binary run as a helper process that downloads
// one module (see fetchHelper), so tests can measure its memory or kill
// it part way through.
func TestMain(m *testing.M) {
	if os.Getenv("MODNET_FETCH_HELPER") == "1" {
		os.Exit(fetchHelper())
	}
	os.Exit(m.Run())
}

// fetchHelper downloads $HELPER_MODULE@v1.0.0 from $HELPER_GOPROXY into the
// module cache $HELPER_DIR and prints a JSON helperResult.
func fetchHelper() int {
	vars := map[string]string{
		"GOPROXY": os.Getenv("HELPER_GOPROXY"),
		"GOSUMDB": "off",
		"HOME":    os.Getenv("HELPER_DIR"),
	}
	env, err := proxyenv.Load(proxyenv.LoadOptions{Getenv: func(k string) string { return vars[k] }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	before := vmHWM()
	f := &modfetch.Fetcher{Client: c, Dir: os.Getenv("HELPER_DIR")}
	d, err := f.Download(context.Background(), os.Getenv("HELPER_MODULE"), "v1.0.0")
	r := helperResult{HWMBefore: before, HWMAfter: vmHWM()}
	if err != nil {
		r.Error = err.Error()
	} else {
		r.Sum = d.Sum
	}
	json.NewEncoder(os.Stdout).Encode(r)
	return 0
}

type helperResult struct {
	HWMBefore, HWMAfter int64 // peak resident set size (VmHWM), bytes
	Sum, Error          string
}

// vmHWM returns the process's peak resident set size from
// /proc/self/status, or -1.
func vmHWM() int64 {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return -1
}

// writeBigZip writes a module zip for path@v1.0.0 holding a go.mod and
// size bytes of incompressible data, stored uncompressed.
func writeBigZip(t *testing.T, name, path string, size int64) {
	t.Helper()
	fh, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zw := zip.NewWriter(fh)
	w, err := zw.Create(path + "@v1.0.0/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "module "+path+"\n")
	w, err = zw.CreateHeader(&zip.FileHeader{Name: path + "@v1.0.0/data.bin", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.NewChaCha8([32]byte{1})
	if _, err := io.CopyN(w, rng, size); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// bigZipProxy serves path@v1.0.0 with the zip in file; each zip write of
// 256 KiB waits *delay and counts into *sent.
func bigZipProxy(t *testing.T, path, file string, delay *atomic.Int64, sent *atomic.Int64) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/" + path + "/@v/v1.0.0.info":
			io.WriteString(w, `{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}`)
		case "/" + path + "/@v/v1.0.0.mod":
			io.WriteString(w, "module "+path+"\n")
		case "/" + path + "/@v/v1.0.0.zip":
			fh, err := os.Open(file)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			defer fh.Close()
			fi, _ := fh.Stat()
			w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
			buf := make([]byte, 256<<10)
			for {
				n, err := fh.Read(buf)
				if n > 0 {
					if _, werr := w.Write(buf[:n]); werr != nil {
						return
					}
					sent.Add(int64(n))
					if d := delay.Load(); d > 0 {
						w.(http.Flusher).Flush()
						time.Sleep(time.Duration(d))
					}
				}
				if err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// helperCmd returns the command running fetchHelper.
func helperCmd(t *testing.T, proxy, dir, path string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MODNET_FETCH_HELPER=1", "HELPER_GOPROXY="+proxy, "HELPER_DIR="+dir, "HELPER_MODULE="+path)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestBigZipMemory downloads a 200 MiB module zip in a helper process and
// checks that its peak resident set grows by at most 64 MiB (the zip
// streams to disk), next to the go command's peak for the same download.
func TestBigZipMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads 200 MiB twice")
	}
	bin := gooracle.Required(t)
	const path = "example.com/big"
	zipFile := filepath.Join(t.TempDir(), "big.zip")
	writeBigZip(t, zipFile, path, 200<<20)
	var delay, sent atomic.Int64
	s := bigZipProxy(t, path, zipFile, &delay, &sent)

	cmd := helperCmd(t, s.URL, t.TempDir(), path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	var r helperResult
	if err := json.Unmarshal(out, &r); err != nil || r.Error != "" {
		t.Fatalf("helper: %s %v", out, err)
	}
	growth := r.HWMAfter - r.HWMBefore

	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	g.Set("GOFLAGS", "-mod=mod -modcacherw")
	goCmd := exec.Command(bin, "mod", "download", "-json", path+"@v1.0.0")
	goCmd.Env, goCmd.Dir = g.Environ(), g.WorkDir
	goOut, err := goCmd.Output()
	if err != nil {
		t.Fatalf("go mod download: %v\n%s", err, goOut)
	}
	var goD gooracle.Download
	json.Unmarshal(goOut, &goD)
	goPeak := int64(goCmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10
	t.Logf("200 MiB zip: Fetcher peak RSS %d MiB (growth %d MiB during Download); go mod download peak RSS %d MiB",
		r.HWMAfter>>20, growth>>20, goPeak>>20)
	if goD.Sum != r.Sum {
		t.Errorf("Sum %s, go command %s", r.Sum, goD.Sum)
	}
	if growth > 64<<20 {
		t.Errorf("peak RSS grew by %d MiB downloading a 200 MiB zip, want at most 64 MiB", growth>>20)
	}
}

// TestKilledDownloadNotTrusted kills a helper process part way through a
// zip download and checks that the module cache it leaves behind holds no
// zip anyone would trust, that the next download succeeds and verifies
// (removing the leftover temporary file), and that the go command then
// accepts the cache.
func TestKilledDownloadNotTrusted(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	const path = "example.com/slow"
	zipFile := filepath.Join(t.TempDir(), "slow.zip")
	writeBigZip(t, zipFile, path, 8<<20)
	var delay, sent atomic.Int64
	delay.Store(int64(50 * time.Millisecond))
	s := bigZipProxy(t, path, zipFile, &delay, &sent)

	dir := t.TempDir()
	cmd := helperCmd(t, s.URL, dir, path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	vdir := filepath.Join(dir, "cache", "download", path, "@v")
	deadline := time.Now().Add(10 * time.Second)
	for {
		tmps, _ := filepath.Glob(filepath.Join(vdir, "v1.0.0.zip*.tmp"))
		if len(tmps) > 0 && sent.Load() >= 1<<20 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper did not start the zip download")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	for _, name := range []string{"v1.0.0.zip", "v1.0.0.ziphash"} {
		if _, err := os.Stat(filepath.Join(vdir, name)); err == nil {
			t.Errorf("killed download left %s", name)
		}
	}

	delay.Store(0)
	g := gooracle.New(t)
	g.Set("GOPROXY", s.URL)
	d, err := newFetcher(t, g, dir).Download(context.Background(), path, "v1.0.0")
	if err != nil {
		t.Fatalf("download after a killed one: %v", err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(vdir, "*.tmp")); len(tmps) != 0 {
		t.Errorf("temporary files left: %q", tmps)
	}
	g.Set("GOMODCACHE", dir)
	g.Set("GOPROXY", "off")
	g.Set("GOFLAGS", "-mod=mod -modcacherw")
	ds, stderr, err := g.ModDownload(context.Background(), path+"@v1.0.0")
	if err != nil || len(ds) != 1 || ds[0].Error != "" || ds[0].Sum != d.Sum {
		t.Errorf("go mod download over the cache: %+v %v\n%s", ds, err, stderr)
	}
}

// TestConcurrentProcessesShareCache runs three helper processes that
// download the same module into one module cache at the same time: all
// succeed with the same hash, the zip is downloaded once, and the cache
// holds one complete entry that the go command accepts.
func TestConcurrentProcessesShareCache(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	const path = "example.com/shared"
	zipFile := filepath.Join(t.TempDir(), "shared.zip")
	writeBigZip(t, zipFile, path, 4<<20)
	var delay, sent atomic.Int64
	delay.Store(int64(5 * time.Millisecond))
	s := bigZipProxy(t, path, zipFile, &delay, &sent)
	dir := t.TempDir()
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for range 3 {
		cmd := helperCmd(t, s.URL, dir, path)
		out := new(strings.Builder)
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	sums := map[string]bool{}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v", i, err)
		}
		var r helperResult
		if err := json.Unmarshal([]byte(outs[i].String()), &r); err != nil || r.Error != "" {
			t.Fatalf("helper %d: %s %v", i, outs[i], err)
		}
		sums[r.Sum] = true
	}
	if len(sums) != 1 {
		t.Errorf("helpers disagree on the hash: %v", sums)
	}
	// The version lock makes the later helpers find the zip cached.
	if n := sent.Load(); n > 5<<20 {
		t.Errorf("the zip was sent %d bytes in all, want it downloaded once", n)
	}
	vdir := filepath.Join(dir, "cache", "download", path, "@v")
	if tmps, _ := filepath.Glob(filepath.Join(vdir, "*.tmp")); len(tmps) != 0 {
		t.Errorf("temporary files left: %q", tmps)
	}
	g := gooracle.New(t)
	g.Set("GOMODCACHE", dir)
	g.Set("GOPROXY", "off")
	g.Set("GOFLAGS", "-mod=mod -modcacherw")
	ds, stderr, err := g.ModDownload(context.Background(), path+"@v1.0.0")
	if err != nil || len(ds) != 1 || ds[0].Error != "" || !sums[ds[0].Sum] {
		t.Errorf("go mod download over the shared cache: %+v %v\n%s", ds, err, stderr)
	}
}
