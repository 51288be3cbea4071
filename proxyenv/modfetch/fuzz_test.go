package modfetch_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode"
)

// The fuzz targets drive a Fetcher end to end against an in-process proxy
// answering with the fuzzed body, and check checkOutcome's promises: typed
// errors, no control characters, nothing but canonical files written.

func FuzzInfoResponse(f *testing.F) {
	f.Add([]byte(`{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}`))
	f.Add([]byte(`{"Version":"v1.0.1"}`))
	f.Add([]byte(`{"Version":"v1.0.0","Time":"yesterday"}`))
	f.Add([]byte(`{"Version":"v1.0.0","Origin":{"VCS":"git","TagSum":"t1:x","Ref":"refs/tags/v1.0.0"}}`))
	f.Add([]byte("\x00\x01"))
	f.Add([]byte(`[]`))
	h := newHostileProxy(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		h.answers["/example.com/m/@v/v1.0.0.info"].Store(&answer{status: 200, body: body})
		dir := t.TempDir()
		d, err := h.fetcher(t, dir).DownloadMod(context.Background(), "example.com/m", "v1.0.0")
		checkOutcome(t, dir, d, err)
		if err == nil && d.Version != "v1.0.0" {
			t.Errorf("DownloadMod(v1.0.0) resolved %s", d.Version)
		}
	})
}

func FuzzListResponse(f *testing.F) {
	f.Add([]byte("v1.0.0\n"), "latest")
	f.Add([]byte("v1.0.0 2024-01-02T03:04:05Z\nv1.1.0\nmaster\n"), "v1")
	f.Add([]byte("v0.0.0-20240102030405-abcdefabcdef\n"), "latest")
	f.Add([]byte("v2.0.0+incompatible\nv1.0.0\n"), ">=v1.0.0")
	f.Add([]byte("\n\n \t\r\n"), "upgrade")
	h := newHostileProxy(f)
	f.Fuzz(func(t *testing.T, body []byte, query string) {
		if strings.ContainsFunc(query, unicode.IsControl) {
			return // the query is the caller's; errors quote it as the go command does
		}
		h.answers["/example.com/m/@v/list"].Store(&answer{status: 200, body: body})
		dir := t.TempDir()
		d, err := h.fetcher(t, dir).DownloadMod(context.Background(), "example.com/m", query)
		checkOutcome(t, dir, d, err)
	})
}

func FuzzLatestResponse(f *testing.F) {
	f.Add([]byte(`{"Version":"v1.0.0"}`))
	f.Add([]byte(`{"Version":"master"}`))
	f.Add([]byte(`{"Version":"v1.0.0+incompatible"}`))
	f.Add([]byte(`{"Version":""}`))
	f.Add([]byte(`not json`))
	h := newHostileProxy(f)
	h.set("@v/list", 200, "")
	f.Fuzz(func(t *testing.T, body []byte) {
		h.answers["/example.com/m/@latest"].Store(&answer{status: 200, body: body})
		dir := t.TempDir()
		d, err := h.fetcher(t, dir).DownloadMod(context.Background(), "example.com/m", "latest")
		checkOutcome(t, dir, d, err)
	})
}

func FuzzErrorBody(f *testing.F) {
	f.Add(404, []byte("not found: example.com/m@v1.0.0\n"), "text/plain; charset=utf-8")
	f.Add(410, []byte("gone\x1b[31m red\n"), "text/plain")
	f.Add(500, []byte(strings.Repeat("line\n", 20)), "text/plain")
	f.Add(403, []byte("<html>forbidden</html>"), "text/html")
	h := newHostileProxy(f)
	f.Fuzz(func(t *testing.T, status int, body []byte, contentType string) {
		if status < 400 || status > 599 {
			return
		}
		h.answers["/example.com/m/@v/v1.0.0.info"].Store(&answer{status: status, header: http.Header{"Content-Type": {contentType}}, body: body})
		dir := t.TempDir()
		d, err := h.fetcher(t, dir).DownloadMod(context.Background(), "example.com/m", "v1.0.0")
		if err == nil {
			t.Fatalf("status %d: no error", status)
		}
		checkOutcome(t, dir, d, err)
	})
}
