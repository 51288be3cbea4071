package vcs

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// noNetwork is a Doer that fails the test if used.
type noNetwork struct{ t *testing.T }

func (n noNetwork) Do(r *http.Request) (*http.Response, error) {
	n.t.Errorf("unexpected request %s", r.URL)
	return nil, errors.New("no network in tests")
}

// recordingPing answers ok for the schemes in ok and records the calls.
type recordingPing struct {
	mu    sync.Mutex
	ok    map[string]bool
	calls []string
}

func (p *recordingPing) ping(_ context.Context, vcs, scheme, repo string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, vcs+" "+scheme+"://"+repo)
	if p.ok[scheme] {
		return nil
	}
	return errors.New("ping failed")
}

func TestStaticHosts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, root, vcs, repo string
		wantErr               string
	}{
		{path: "github.com/a/b", root: "github.com/a/b", vcs: "git", repo: "https://github.com/a/b"},
		{path: "github.com/a/b/c/d", root: "github.com/a/b", vcs: "git", repo: "https://github.com/a/b"},
		{path: "github.com/a", wantErr: `invalid github.com import path "github.com/a"`},
		{path: "github.com/a/b.git", wantErr: "invalid version control suffix in github.com/ path"},
		{path: "github.com/a/b~c", wantErr: `invalid github.com import path`},
		{path: "bitbucket.org/a/b/c", root: "bitbucket.org/a/b", vcs: "git", repo: "https://bitbucket.org/a/b"},
		{path: "hub.jazz.net/git/user1/p/q", root: "hub.jazz.net/git/user1/p", vcs: "git", repo: "https://hub.jazz.net/git/user1/p"},
		{path: "hub.jazz.net/git/User/p", wantErr: `invalid hub.jazz.net/git import path`},
		{path: "git.apache.org/x.git/y", root: "git.apache.org/x.git", vcs: "git", repo: "https://git.apache.org/x.git"},
		{path: "git.openstack.org/a/b.git/c", root: "git.openstack.org/a/b.git", vcs: "git", repo: "https://git.openstack.org/a/b.git"},
		{path: "chiselapp.com/user/u/repository/r", wantErr: "GOVCS disallows using fossil for public chiselapp.com/user/u/repository/r; see 'go help vcs'"},
		{path: "https://a.b/c", wantErr: `"https://" not allowed in import path`},
		{path: "example.net/x", wantErr: "no modules on example.net"},
		{path: "rsc.io", wantErr: "rsc.io is not a module"},
	}
	for _, tt := range tests {
		d, err := New(Config{Client: noNetwork{t}})
		if err != nil {
			t.Fatal(err)
		}
		rr, err := d.RepoRoot(context.Background(), tt.path)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr && !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("RepoRoot(%q) error = %v, want %q", tt.path, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("RepoRoot(%q): %v", tt.path, err)
			continue
		}
		if rr.Root != tt.root || rr.VCS != tt.vcs || rr.RepoURL != tt.repo || rr.Custom || !strings.HasPrefix(rr.Meta, "static:") {
			t.Errorf("RepoRoot(%q) = %+v, want root %s vcs %s repo %s", tt.path, rr, tt.root, tt.vcs, tt.repo)
		}
	}
}

func TestVCSSuffix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		path      string
		cfg       Config
		ok        map[string]bool
		wantRepo  string
		wantCalls []string
		wantErr   string
	}{
		{name: "secure picks https", path: "a.b/x.git/sub", ok: map[string]bool{"https": true},
			wantRepo: "https://a.b/x", wantCalls: []string{"git https://a.b/x"}},
		{name: "secure tries ssh next", path: "a.b/x.git", ok: map[string]bool{"ssh": true},
			wantRepo: "ssh://a.b/x", wantCalls: []string{"git https://a.b/x", "git git+ssh://a.b/x", "git ssh://a.b/x"}},
		{name: "insecure tries git first", path: "a.b/x.git", cfg: Config{GOINSECURE: "a.b"}, ok: map[string]bool{"http": true},
			wantRepo: "http://a.b/x", wantCalls: []string{"git git://a.b/x", "git https://a.b/x", "git http://a.b/x"}},
		{name: "none", path: "a.b/x.git", wantErr: "no secure protocol found for repository",
			wantCalls: []string{"git https://a.b/x", "git git+ssh://a.b/x", "git ssh://a.b/x"}},
		{name: "GIT_ALLOW_PROTOCOL", path: "a.b/x.git", cfg: Config{GIT_ALLOW_PROTOCOL: "http:file"}, ok: map[string]bool{"http": true},
			wantRepo: "http://a.b/x", wantCalls: []string{"git http://a.b/x"}},
		{name: "port and tilde", path: "a.b:8443/~u/x.git/y", ok: map[string]bool{"https": true},
			wantRepo: "https://a.b:8443/~u/x", wantCalls: []string{"git https://a.b:8443/~u/x"}},
		{name: "hg public", path: "a.b/x.hg", ok: map[string]bool{"https": true},
			wantRepo: "https://a.b/x", wantCalls: []string{"hg https://a.b/x"}},
		{name: "svn public", path: "a.b/x.svn", wantErr: "GOVCS disallows using svn for public a.b/x.svn; see 'go help vcs'"},
		{name: "svn private", path: "a.b/x.svn", cfg: Config{GOPRIVATE: "a.b"}, ok: map[string]bool{"https": true},
			wantRepo: "https://a.b/x", wantCalls: []string{"svn https://a.b/x"}},
	}
	for _, tt := range tests {
		p := &recordingPing{ok: tt.ok}
		cfg := tt.cfg
		cfg.Client = noNetwork{t}
		cfg.Ping = p.ping
		d, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rr, err := d.RepoRoot(context.Background(), tt.path)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: RepoRoot(%q) error = %v, want %q", tt.name, tt.path, err, tt.wantErr)
			}
		} else if err != nil || rr.RepoURL != tt.wantRepo {
			t.Errorf("%s: RepoRoot(%q) = %+v, %v, want repo %s", tt.name, tt.path, rr, err, tt.wantRepo)
		}
		if strings.Join(p.calls, ",") != strings.Join(tt.wantCalls, ",") {
			t.Errorf("%s: pings %q, want %q", tt.name, p.calls, tt.wantCalls)
		}
	}

	// Without Ping the candidates are returned for the caller to probe.
	d, _ := New(Config{Client: noNetwork{t}})
	rr, err := d.RepoRoot(context.Background(), "a.b/x.git")
	if err != nil || rr.RepoURL != "" || strings.Join(rr.Schemes, ",") != "https,git+ssh,ssh" || rr.Root != "a.b/x.git" {
		t.Errorf("RepoRoot without Ping = %+v, %v", rr, err)
	}
}

// canned answers GETs from a map of URL to status.
type canned struct {
	mu     sync.Mutex
	status map[string]int
	got    []string
}

func (c *canned) Do(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, r.URL.String())
	code := c.status[r.URL.String()]
	if code == 0 {
		code = 404
	}
	return &http.Response{StatusCode: code, Status: http.StatusText(code), Body: http.NoBody, Header: http.Header{}, Request: r}, nil
}

func TestLaunchpad(t *testing.T) {
	t.Parallel()
	c := &canned{status: map[string]int{
		"https://code.launchpad.net/proj/series/.bzr/branch-format": 200,
	}}
	d, _ := New(Config{Client: c, GOPRIVATE: "launchpad.net"})
	rr, err := d.RepoRoot(context.Background(), "launchpad.net/proj/series/pkg")
	if err != nil || rr.Root != "launchpad.net/proj/series" || rr.VCS != "bzr" || rr.RepoURL != "https://launchpad.net/proj/series" {
		t.Errorf("RepoRoot(launchpad series) = %+v, %v", rr, err)
	}
	rr, err = d.RepoRoot(context.Background(), "launchpad.net/proj/dir")
	if err != nil || rr.Root != "launchpad.net/proj" || rr.RepoURL != "https://launchpad.net/proj" {
		t.Errorf("RepoRoot(launchpad dir) = %+v, %v", rr, err)
	}
	// dynamic discovery ran first for each path
	want := []string{
		"https://launchpad.net/proj/series/pkg?go-get=1",
		"https://code.launchpad.net/proj/series/.bzr/branch-format",
		"https://launchpad.net/proj/dir?go-get=1",
		"https://code.launchpad.net/proj/dir/.bzr/branch-format",
	}
	if strings.Join(c.got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(c.got, "\n"), strings.Join(want, "\n"))
	}
	// public launchpad paths fall to GOVCS (bzr is not allowed)
	d2, _ := New(Config{Client: &canned{}})
	if _, err := d2.RepoRoot(context.Background(), "launchpad.net/proj"); err == nil || !strings.Contains(err.Error(), `unrecognized import path "launchpad.net/proj"`) {
		t.Errorf("public launchpad: %v, want the dynamic error", err)
	}
}
