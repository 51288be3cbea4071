package vcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// htmlWeb serves canned pages and counts requests; safe for concurrent use.
type htmlWeb struct {
	mu    sync.Mutex
	pages map[string]string
	hits  map[string]int
}

func (h *htmlWeb) Do(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	u := r.URL.String()
	h.hits[u]++
	body, ok := h.pages[u]
	code := 200
	if !ok {
		code = 404
	}
	return &http.Response{StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func TestPrefixRecheckCached(t *testing.T) {
	t.Parallel()
	tagA := `<meta name="go-import" content="h.example/a git https://h.example/a.git">`
	w := &htmlWeb{hits: map[string]int{}, pages: map[string]string{"https://h.example/a?go-get=1": tagA}}
	for i := range 8 {
		w.pages[fmt.Sprintf("https://h.example/a/p%d?go-get=1", i)] = tagA
	}
	d, err := New(Config{Client: w})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr, err := d.RepoRoot(context.Background(), fmt.Sprintf("h.example/a/p%d", i))
			if err != nil || rr.Root != "h.example/a" || rr.RepoURL != "https://h.example/a.git" {
				t.Errorf("RepoRoot(p%d) = %+v, %v", i, rr, err)
			}
		}()
	}
	wg.Wait()
	if n := w.hits["https://h.example/a?go-get=1"]; n != 1 {
		t.Errorf("prefix page fetched %d times, want 1 (cached like the go command)", n)
	}
	// A new Discoverer has its own cache.
	d2, _ := New(Config{Client: w})
	d2.RepoRoot(context.Background(), "h.example/a/p0")
	if n := w.hits["https://h.example/a?go-get=1"]; n != 2 {
		t.Errorf("prefix page fetched %d times after a second Discoverer, want 2", n)
	}
}

func TestErrorTypes(t *testing.T) {
	t.Parallel()
	w := &htmlWeb{hits: map[string]int{}, pages: map[string]string{
		"https://h.example/svn?go-get=1": `<meta name="go-import" content="h.example/svn svn https://h.example/svn">`,
		"https://h.example/two?go-get=1": `<meta name="go-import" content="h.example/two git https://a"><meta name="go-import" content="h.example/two git https://b">`,
	}}
	d, _ := New(Config{Client: w})
	ctx := context.Background()

	_, err := d.RepoRoot(ctx, "h.example/missing")
	var ip *ImportPathError
	var he *HTTPError
	if !errors.As(err, &ip) || !errors.As(err, &he) || !errors.Is(err, fs.ErrNotExist) || he.StatusCode != 404 {
		t.Errorf("404: %T %v; want *ImportPathError holding a *HTTPError that Is fs.ErrNotExist", err, err)
	}
	_, err = d.RepoRoot(ctx, "h.example/svn")
	var de *DisallowedError
	if !errors.As(err, &de) || de.VCS != "svn" || de.Private {
		t.Errorf("svn: %v; want *DisallowedError", err)
	}
	_, err = d.RepoRoot(ctx, "h.example/two")
	var me *MetaError
	var mm *MultipleMatchError
	if !errors.As(err, &me) || !errors.As(err, &mm) {
		t.Errorf("two tags: %v; want *MetaError holding *MultipleMatchError", err)
	}
	_, err = d.RepoRoot(ctx, "nodot/x")
	if err == nil || err.Error() != `unrecognized import path "nodot/x": import path does not begin with hostname` {
		t.Errorf("nodot: %v", err)
	}
	failing := doerFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("boom") })
	d3, _ := New(Config{Client: failing, GOVCS: "bad"})
	_, err = d3.RepoRoot(ctx, "h.example/x")
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Insecure || err.Error() != `unrecognized import path "h.example/x": https fetch: boom` {
		t.Errorf("fetch failure: %v", err)
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without a Client succeeded")
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func TestRepoURLPasswordRedacted(t *testing.T) {
	t.Parallel()
	w := &htmlWeb{hits: map[string]int{}, pages: map[string]string{
		"https://h.example/ok?go-get=1":  `<meta name="go-import" content="h.example/ok git https://u:hunter2@h.example/ok.git">`,
		"https://h.example/bad?go-get=1": `<meta name="go-import" content="h.example/bad git file://u:hunter2@h.example/bad">`,
	}}
	d, _ := New(Config{Client: w})
	rr, err := d.RepoRoot(context.Background(), "h.example/ok")
	if err != nil {
		t.Fatal(err)
	}
	if rr.RepoURL != "https://u:hunter2@h.example/ok.git" {
		t.Errorf("RepoURL = %q, want it as written", rr.RepoURL)
	}
	if s := fmt.Sprintf("%v %+v %s", rr, rr, rr.Meta); strings.Contains(s, "hunter2") {
		t.Errorf("password printed: %s", s)
	}
	_, err = d.RepoRoot(context.Background(), "h.example/bad")
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "file scheme disallowed") {
		t.Errorf("bad repo root error = %v", err)
	}
}
