package modproxy_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
)

var mods = []modproxy.Module{
	{Path: "example.com/m", Version: "v1.0.0"},
	{Path: "example.com/m", Version: "v1.1.0"},
	{Path: "example.com/Upper", Version: "v0.1.0"},
}

func get(t *testing.T, c *http.Client, url string, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServe(t *testing.T) {
	t.Parallel()
	s := modproxy.New(t, mods, modproxy.Latest(), modproxy.Status("/example.com/gone/", 410))
	c := s.HTTP.Client()
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/example.com/m/@v/list", 200, "v1.0.0\nv1.1.0\n"},
		{"/example.com/m/@v/v1.0.0.info", 200, `{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}` + "\n"},
		{"/example.com/m/@v/v1.0.0.mod", 200, "module example.com/m\n"},
		{"/example.com/m/@latest", 200, `{"Version":"v1.1.0","Time":"2024-01-02T03:04:05Z"}` + "\n"},
		{"/example.com/!upper/@v/v0.1.0.mod", 200, "module example.com/Upper\n"},
		{"/example.com/m/@v/v9.0.0.info", 404, ""},
		{"/example.com/gone/@v/list", 410, "modproxy: 410 Gone\n"},
	}
	for _, tt := range tests {
		code, body := get(t, c, s.URL+tt.path)
		if code != tt.status || tt.body != "" && body != tt.body {
			t.Errorf("GET %s = %d %q, want %d %q", tt.path, code, body, tt.status, tt.body)
		}
	}
	if code, body := get(t, c, s.URL+"/example.com/m/@v/v1.0.0.zip"); code != 200 || !strings.HasPrefix(body, "PK") {
		t.Errorf("zip = %d %.10q", code, body)
	}
	got := s.Paths()
	if len(got) != len(tests)+1 || got[4] != "/example.com/!upper/@v/v0.1.0.mod" {
		t.Errorf("Paths() = %q", got)
	}
	s.Reset()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("after Reset, %d requests", n)
	}
}

func TestCredentialsAndRedirect(t *testing.T) {
	t.Parallel()
	target := modproxy.New(t, mods)
	s := modproxy.New(t, mods, modproxy.RequireBasic("u", "p"), modproxy.Redirect("/example.com/m/", target.URL+"/example.com/m/"))
	c := &http.Client{}
	if code, _ := get(t, c, s.URL+"/example.com/m/@v/list"); code != 401 {
		t.Errorf("without credentials: %d, want 401", code)
	}
	if r := s.Requests()[0]; r.Status != 401 {
		t.Errorf("recorded status %d", r.Status)
	}
	code, body := get(t, c, s.URL+"/example.com/m/@v/list", "Authorization", modproxy.BasicAuth("u", "p"))
	if code != 200 || body != "v1.0.0\nv1.1.0\n" {
		t.Errorf("with credentials via redirect: %d %q", code, body)
	}
	if got := target.Paths(); !slices.Equal(got, []string{"/example.com/m/@v/list"}) {
		t.Errorf("target paths %q", got)
	}
	h := modproxy.New(t, mods, modproxy.RequireHeader("Private-Token", "tok"))
	if code, _ := get(t, c, h.URL+"/example.com/m/@v/list", "Private-Token", "tok"); code != 200 {
		t.Errorf("header credentials: %d", code)
	}
}

// TestGoCommand checks that the go command downloads and verifies modules
// through the proxy and its checksum database, over TLS.
func TestGoCommand(t *testing.T) {
	t.Parallel()
	g := gooracle.New(t)
	s := modproxy.New(t, mods, modproxy.TLS(), modproxy.SumDB("sum.test"))
	g.Set("GOPROXY", s.URL)
	g.Set("GOSUMDB", s.SumDBKey)
	g.Set("SSL_CERT_FILE", s.CAFile)
	ds, stderr, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0", "example.com/Upper@v0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Error != "" || d.Zip == "" {
			t.Errorf("go mod download %s@%s: %+v\n%s", d.Path, d.Version, d, stderr)
		}
	}
	paths := s.Paths()
	want := []string{
		"/example.com/m/@v/v1.0.0.info",
		"/example.com/m/@v/v1.0.0.mod",
		"/sumdb/sum.test/supported",
	}
	if len(paths) < 3 || !slices.Equal(paths[:3], want) {
		t.Errorf("requests = %q, want prefix %q", paths, want)
	}
	if !slices.Contains(paths, "/example.com/!upper/@v/v0.1.0.zip") {
		t.Errorf("requests = %q, want the escaped zip path", paths)
	}
	// The go command escapes '!' once more on the wire.
	for _, r := range s.Requests() {
		if !strings.HasPrefix(r.Path, "/sumdb/") && strings.Contains(r.Path, "!upper") && !strings.Contains(r.RawPath, "%21upper") {
			t.Errorf("RawPath %q for Path %q", r.RawPath, r.Path)
		}
	}
	t.Logf("requests: %q", paths)
}
