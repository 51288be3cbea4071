package netrcauth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// recordingServer is a TLS server recording Authorization and custom
// headers; status decides the answer per request.
type recordingServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newRecordingServer(t *testing.T, status func(r *http.Request, body string) int) *recordingServer {
	rs := &recordingServer{}
	rs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rs.mu.Lock()
		rs.seen = append(rs.seen, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization")+" tok="+r.Header.Get("Private-Token")+" body="+string(body))
		rs.mu.Unlock()
		code := http.StatusOK
		if status != nil {
			code = status(r, string(body))
		}
		if code >= 300 && code < 400 {
			return // handler set Location
		}
		w.WriteHeader(code)
	}))
	rs.Config.ErrorLog = log.New(io.Discard, "", 0)
	rs.StartTLS()
	t.Cleanup(rs.Close)
	return rs
}

func (rs *recordingServer) requests() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]string(nil), rs.seen...)
}

func (rs *recordingServer) host() string { return strings.TrimPrefix(rs.URL, "https://") }

func mustAuth(t *testing.T, c Config) *Auth {
	t.Helper()
	a, err := c.Build()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTransportBearerAndTokenFunc(t *testing.T) {
	t.Parallel()
	rs := newRecordingServer(t, nil)
	var calls atomic.Int32
	a := mustAuth(t, Config{GOAUTH: "off", Credentials: []Credential{
		Bearer(rs.URL+"/static/", NewSecret("tok-static")),
		TokenFunc(rs.host()+"/dynamic", func(ctx context.Context) (Secret, error) {
			calls.Add(1)
			return NewSecret("tok-dyn"), nil
		}),
		Bearer(rs.URL+"/static", NewSecret("ignored: first listed wins")),
	}})
	c := &http.Client{Transport: &Transport{Base: rs.Client().Transport, Auth: a}}
	for _, p := range []string{"/static/x", "/dynamic/y", "/dynamic", "/other", "/staticx"} {
		resp, err := c.Get(rs.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := []string{
		"GET /static/x auth=Bearer tok-static tok= body=",
		"GET /dynamic/y auth=Bearer tok-dyn tok= body=",
		"GET /dynamic auth=Bearer tok-dyn tok= body=",
		"GET /other auth= tok= body=",
		"GET /staticx auth= tok= body=",
	}
	if got := rs.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if calls.Load() != 2 {
		t.Errorf("token func called %d times, want 2", calls.Load())
	}
}

func TestTransportTokenFuncError(t *testing.T) {
	t.Parallel()
	rs := newRecordingServer(t, nil)
	boom := errors.New("token service down")
	a := mustAuth(t, Config{GOAUTH: "off", Credentials: []Credential{
		TokenFunc(rs.URL, func(context.Context) (Secret, error) { return Secret{}, boom }),
	}})
	c := &http.Client{Transport: &Transport{Base: rs.Client().Transport, Auth: a}}
	body := &closeTracker{Reader: strings.NewReader("x")}
	req, _ := http.NewRequest("POST", rs.URL+"/p", body)
	_, err := c.Do(req)
	var te *TokenError
	if !errors.As(err, &te) || !errors.Is(err, boom) {
		t.Fatalf("Do error = %v, want a *TokenError wrapping %v", err, boom)
	}
	if !body.closed.Load() {
		t.Error("request body not closed on error")
	}
	if n := len(rs.requests()); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

type closeTracker struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeTracker) Close() error { c.closed.Store(true); return nil }

func TestTransportRetryReplaysBody(t *testing.T) {
	t.Parallel()
	rs := newRecordingServer(t, func(r *http.Request, body string) int {
		if r.Header.Get("Authorization") == "" {
			return http.StatusUnauthorized
		}
		return http.StatusOK
	})
	dir := t.TempDir()
	script := writeScript(t, dir, "auth", "[ $# -gt 0 ] || exit 0\nprintf '"+rs.URL+"\\n\\nAuthorization: Bearer late\\n\\n'\n")
	a := mustAuth(t, Config{GOAUTH: script})
	c := &http.Client{Transport: &Transport{Base: rs.Client().Transport, Auth: a}}
	req, _ := http.NewRequest("POST", rs.URL+"/upload", strings.NewReader("payload"))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := a.Do(c, req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := "GET?"
	_ = want
	got := rs.requests()
	if len(got) != 2 || got[0] != "POST /upload auth= tok= body=payload" || got[1] != "POST /upload auth=Bearer late tok= body=payload" {
		t.Errorf("requests = %q", got)
	}
	// A body that cannot be replayed is not retried.
	req, _ = http.NewRequest("POST", rs.URL+"/once", io.NopCloser(strings.NewReader("x")))
	req.GetBody = nil
	off := mustAuth(t, Config{GOAUTH: "off"})
	resp, err = off.Do(&http.Client{Transport: &Transport{Base: rs.Client().Transport, Auth: off}}, req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(rs.requests()) != 3 {
		t.Errorf("non-replayable body: status %d, %d requests; want 401 and one request", resp.StatusCode, len(rs.requests())-2)
	}
}

func TestTransportSkipRerunOnNotFound(t *testing.T) {
	t.Parallel()
	rs := newRecordingServer(t, func(r *http.Request, _ string) int {
		if strings.HasSuffix(r.URL.Path, "gone") {
			return http.StatusGone
		}
		if strings.HasSuffix(r.URL.Path, "forbidden") {
			return http.StatusForbidden
		}
		return http.StatusNotFound
	})
	dir := t.TempDir()
	log := dir + "/log"
	script := writeScript(t, dir, "auth", "echo run \"$@\" >> "+log+"\n")
	for _, skip := range []bool{false, true} {
		a := mustAuth(t, Config{GOAUTH: script, SkipRerunOnNotFound: skip})
		c := &http.Client{Transport: &Transport{Base: rs.Client().Transport, Auth: a}}
		before := len(rs.requests())
		for _, p := range []string{"/missing", "/gone", "/forbidden"} {
			resp, err := a.Do(c, mustGet(t, rs.URL+p))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		n := len(rs.requests()) - before
		want := 6
		if skip {
			want = 4 // only the 403 is retried
		}
		if n != want {
			t.Errorf("SkipRerunOnNotFound=%v: %d requests, want %d", skip, n, want)
		}
	}
}

func TestTransportRedirects(t *testing.T) {
	t.Parallel()
	var other *recordingServer
	other = newRecordingServer(t, nil)
	rs := newRecordingServer(t, nil)
	rs.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		rs.seen = append(rs.seen, r.URL.Path+" auth="+r.Header.Get("Authorization")+" tok="+r.Header.Get("Private-Token"))
		rs.mu.Unlock()
		switch r.URL.Path {
		case "/cross":
			http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "example.com", 1)+"/landed", http.StatusFound)
		case "/same":
			http.Redirect(w, r, "/landed", http.StatusFound)
		case "/sub":
			http.Redirect(w, r, "/private/landed", http.StatusFound)
		case "/downgrade":
			http.Redirect(w, r, "http://"+rs.host()+"/plain", http.StatusFound)
		}
	})
	dir := t.TempDir()
	script := writeScript(t, dir, "auth", "printf '"+rs.URL+"\\n\\nPrivate-Token: tok-A\\nAuthorization: Bearer A\\n\\n"+rs.URL+"/private\\n\\nAuthorization: Bearer P\\n\\n'\n")
	a := mustAuth(t, Config{GOAUTH: script})
	// example.com is served by the other local server: a different host.
	base := rs.Client().Transport.(*http.Transport).Clone()
	base.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, _ := net.SplitHostPort(addr); host == "example.com" {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	c := &http.Client{Transport: &Transport{Base: base, Auth: a}}
	for _, p := range []string{"/cross", "/same", "/sub"} {
		resp, err := c.Get(rs.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := rs.requests()
	want := []string{
		"/cross auth=Bearer A tok=tok-A",
		"/same auth=Bearer A tok=tok-A",
		"/landed auth=Bearer A tok=tok-A",
		"/sub auth=Bearer A tok=tok-A",
		// Like the go command: the first request's credentials follow a
		// redirect on the same host, even into another prefix.
		"/private/landed auth=Bearer A tok=tok-A",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := other.requests(); len(got) != 1 || got[0] != "GET /landed auth= tok= body=" {
		t.Errorf("redirect target got %q, want no credentials", got)
	}
	// The go command's redirect policy refuses a downgrade to http.
	c.CheckRedirect = CheckRedirect
	_, err := c.Get(rs.URL + "/downgrade")
	var ie *InsecureURLError
	if !errors.As(err, &ie) || ie.From == "" {
		t.Fatalf("https to http redirect: error %v, want *InsecureURLError", err)
	}
	if !strings.Contains(err.Error(), "redirected from secure URL "+rs.URL+"/downgrade to insecure URL http://"+rs.host()+"/plain") {
		t.Errorf("error = %v", err)
	}
}

func TestTransportInsecureUserinfo(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request with credentials reached the http server: %v", r.URL)
	}))
	defer plain.Close()
	c := &http.Client{Transport: &Transport{}}
	u := strings.Replace(plain.URL, "http://", "http://alice:hunter2@", 1) + "/mod/@v/list"
	_, err := c.Get(u)
	var ie *InsecureURLError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v, want *InsecureURLError", err)
	}
	want := "refusing to pass credentials to insecure URL: http://alice:xxxxx@" + strings.TrimPrefix(plain.URL, "http://") + "/mod/@v/list"
	if ie.Error() != want {
		t.Errorf("error = %q, want %q", ie.Error(), want)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error leaks the password: %v", err)
	}
}

func TestTransportHTTPGetsNothing(t *testing.T) {
	t.Parallel()
	var got string
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization") + r.Header.Get("X-Token")
	}))
	defer plain.Close()
	host := strings.TrimPrefix(plain.URL, "http://")
	a := mustAuth(t, Config{GOAUTH: "off", Credentials: []Credential{
		Bearer(host, NewSecret("t")),
		{Prefix: "http://" + host, Header: SecretHeader{"X-Token": {NewSecret("t")}}},
	}})
	resp, err := (&http.Client{Transport: &Transport{Auth: a}}).Get(plain.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "" {
		t.Errorf("http request carried credentials %q", got)
	}
}

func TestTransportDoesNotModifyRequest(t *testing.T) {
	t.Parallel()
	rs := newRecordingServer(t, nil)
	a := mustAuth(t, Config{GOAUTH: "off", Credentials: []Credential{Bearer(rs.URL, NewSecret("t"))}})
	tr := &Transport{Base: rs.Client().Transport, Auth: a}
	req, _ := http.NewRequest("GET", rs.URL+"/x", nil)
	req.Header.Set("Authorization", "caller")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.Header.Get("Authorization") != "caller" || len(req.Header) != 1 {
		t.Errorf("RoundTrip modified the request header: %v", req.Header)
	}
	if got := rs.requests(); got[0] != "GET /x auth=Bearer t tok= body=" {
		t.Errorf("sent %q", got)
	}
}

func TestTransportConcurrent(t *testing.T) {
	t.Parallel()
	rs := newRecordingServer(t, func(r *http.Request, _ string) int {
		if r.Header.Get("Authorization") != "Bearer x" {
			return http.StatusUnauthorized
		}
		return http.StatusOK
	})
	dir := t.TempDir()
	log := dir + "/log"
	script := writeScript(t, dir, "auth", "echo run >> "+log+"\nprintf '"+rs.URL+"\\n\\nAuthorization: Bearer x\\n\\n'\n")
	a := mustAuth(t, Config{GOAUTH: script})
	c := &http.Client{Transport: &Transport{Base: rs.Client().Transport, Auth: a}}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(rs.URL + "/x")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if n := len(rs.requests()); n != 16 {
		t.Errorf("%d requests, want 16", n)
	}
}

func TestAnyPort(t *testing.T) {
	t.Parallel()
	entries := Parse([]byte("machine example.com login a password b\nmachine example.com:8443/p login c password d\n"))
	u, _ := url.Parse("https://example.com:8443/q/r")
	if _, ok := Match(entries, u, MatchOptions{}); ok {
		t.Errorf("Match(%v) matched a host-only entry with the go command's rules", u)
	}
	if e, ok := Match(entries, u, MatchOptions{AnyPort: true}); !ok || e.Login != "a" {
		t.Errorf("Match(%v, AnyPort) = %v, %v; want login a", u, e, ok)
	}
	u2, _ := url.Parse("https://example.com:8443/p/x")
	if e, ok := Match(entries, u2, MatchOptions{AnyPort: true}); !ok || e.Login != "c" {
		t.Errorf("Match(%v, AnyPort) = %v, %v; want login c (entries with a port win)", u2, e, ok)
	}
}

// TestHomeUndefined checks that an undefined home directory leaves the
// netrc method without credentials and is reported like the go command's
// -x log ("GOAUTH=netrc: $HOME is not defined").
func TestHomeUndefined(t *testing.T) {
	t.Parallel()
	rs := newRecordingServer(t, func(*http.Request, string) int { return http.StatusUnauthorized })
	cfg := FromEnvironment(func(string) string { return "" })
	var logs []string
	cfg.Logf = func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }
	var he *HomeDirError
	if !errors.As(cfg.NetrcErr, &he) || he.Var != "HOME" {
		t.Fatalf("FromEnvironment without HOME: NetrcErr = %v", cfg.NetrcErr)
	}
	a := mustAuth(t, *cfg)
	resp, err := a.Do(&http.Client{Transport: &Transport{Base: rs.Client().Transport, Auth: a}}, mustGet(t, rs.URL+"/x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []string{"GOAUTH encountered errors for " + rs.URL + "/x:", "  netrcauth: GOAUTH=netrc: $HOME is not defined"}
	if strings.Join(logs, "\n") != strings.Join(want, "\n") {
		t.Errorf("logs = %q, want %q", logs, want)
	}
}

func TestKeyAndWalk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want []string
	}{
		{"https://h.example/a/b", []string{"h.example/a/b", "h.example/a", "h.example"}},
		{"https://h.example:8443/a/", []string{"h.example:8443/a", "h.example:8443"}},
		{"https://h.example", []string{"h.example"}},
		// go 1.26 keys on the whole URL: query and userinfo included.
		{"https://h.example/a/b?go-get=1", []string{"h.example/a/b?go-get=1", "h.example/a", "h.example"}},
		{"https://h.example/a?x=c/d", []string{"h.example/a?x=c/d", "h.example/a?x=c", "h.example"}},
		{"https://u:p@h.example/a", []string{"u:p@h.example/a", "u:p@h.example"}},
		{"http://h.example/a", []string{"http://h.example/a", "http://h.example", "http:/", "http:"}},
	}
	for _, tt := range tests {
		var got []string
		walkPrefixes(Key(mustURL(t, tt.url)), func(p string) bool { got = append(got, p); return false })
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("prefixes of Key(%s) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

// mustGet returns a GET request for u.
func mustGet(t testing.TB, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestRerunDoesNotRestoreNetrc checks that re-running GOAUTH after a 4xx
// costs what changed, not the size of the netrc file: with 20000 entries,
// a re-run allocates a handful of objects, and a command's credential for
// a netrc machine is overridden again by netrc (listed first) on every run.
func TestRerunDoesNotRestoreNetrc(t *testing.T) {
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "machine host%d.example login u%d password p%d\n", i, i, i)
	}
	dir := t.TempDir()
	netrc := filepath.Join(dir, "netrc")
	if err := os.WriteFile(netrc, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	a := mustAuth(t, Config{GOAUTH: "netrc", NetrcFile: netrc})
	ctx := context.Background()
	u := mustURL(t, "https://host7.example/x")
	resp := &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}}
	a.Rerun(ctx, u, resp, nil) // the initial run and a first re-run
	allocs := testing.AllocsPerRun(20, func() { a.Rerun(ctx, u, resp, nil) })
	if allocs > 50 {
		t.Errorf("Rerun with a 20000-entry netrc: %.0f allocations, want a handful", allocs)
	}
	h, err := a.Header(ctx, u, nil)
	if err != nil || h == nil || h["Authorization"][0].Reveal() != "Basic "+base64.StdEncoding.EncodeToString([]byte("u7:p7")) {
		t.Errorf("Header after reruns = %v, %v; want u7's Basic credential", h, err)
	}
}
