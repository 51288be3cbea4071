package vcs_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/modnet/modnet/netrcauth"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/vcs"
)

// pages is a Doer serving canned go-get pages, standing in for
// *proxyenv.Client.
type pages map[string]string

func (p pages) Do(r *http.Request) (*http.Response, error) {
	body, ok := p[r.URL.String()]
	code := http.StatusOK
	if !ok {
		code = http.StatusNotFound
	}
	return &http.Response{StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Header: http.Header{"Content-Type": {"text/html"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func ExampleDiscoverer_RepoRoot() {
	web := pages{
		"https://go.corp.example/lib/sub?go-get=1": `<html><head>
			<meta name="go-import" content="go.corp.example/lib git https://git.corp.example/lib.git">
			</head></html>`,
		"https://go.corp.example/lib?go-get=1": `<meta name="go-import" content="go.corp.example/lib git https://git.corp.example/lib.git">`,
	}
	var asked []string
	d, err := vcs.New(vcs.Config{
		Client:    web, // in real use: a *proxyenv.Client
		GOPRIVATE: "*.corp.example",
		Trace:     func(ev vcs.TraceEvent) { asked = append(asked, ev.URL+" "+ev.Status) },
	})
	if err != nil {
		panic(err)
	}
	rr, err := d.RepoRoot(context.Background(), "go.corp.example/lib/sub")
	if err != nil {
		panic(err)
	}
	fmt.Println(rr.Root, rr.VCS, rr.RepoURL, rr.Private)
	fmt.Println(strings.Join(asked, "\n"))

	_, err = d.RepoRoot(context.Background(), "go.corp.example/missing")
	fmt.Println(err)
	// Output:
	// go.corp.example/lib git https://git.corp.example/lib.git true
	// https://go.corp.example/lib/sub?go-get=1 200 OK
	// https://go.corp.example/lib?go-get=1 200 OK
	// unrecognized import path "go.corp.example/missing": reading https://go.corp.example/missing?go-get=1: 404 Not Found
}

func ExampleParseMeta() {
	tags, err := vcs.ParseMeta(strings.NewReader(`<html><head>
		<meta name="go-import" content="example.com/m git https://example.com/m.git">
		<meta name="go-import" content="example.com/m mod https://proxy.example.com">
		<meta name="go-import" content="example.com/m/v2 git https://example.com/m.git v2">
		</head><body><meta name="go-import" content="ignored after body">`))
	if err != nil {
		panic(err)
	}
	for _, t := range tags {
		fmt.Println(t)
	}
	m, _ := vcs.MatchMeta(tags, "example.com/m/pkg")
	fmt.Println("match:", m.VCS, m.RepoRoot)
	// Output:
	// example.com/m mod https://proxy.example.com
	// example.com/m/v2 git https://example.com/m.git v2
	// match: mod https://proxy.example.com
}

func ExampleParseGOVCS() {
	g, err := vcs.ParseGOVCS("evil.example:off,*.corp.example:git|svn")
	if err != nil {
		panic(err)
	}
	for _, c := range []struct {
		root    string
		private bool
		vcs     string
	}{
		{"evil.example/x", false, "git"},
		{"svn.corp.example/x", true, "svn"},
		{"github.com/a/b", false, "git"},
		{"github.com/a/b", false, "svn"},
		{"anything.example", false, "mod"},
	} {
		ok, _ := g.Allow(c.root, c.private, c.vcs)
		fmt.Println(c.root, c.vcs, ok)
	}
	_, err = vcs.ParseGOVCS("private:all,private:git")
	fmt.Println(err)
	// Output:
	// evil.example/x git false
	// svn.corp.example/x svn true
	// github.com/a/b git true
	// github.com/a/b svn false
	// anything.example mod true
	// unreachable pattern in GOVCS: "private:git" after "private:all"
}

func ExampleNewGitEnv() {
	proxy, _ := url.Parse("http://proxy.corp.example:3128")
	g, err := vcs.NewGitEnv(context.Background(), "https://git.corp.example/team/lib.git", vcs.GitEnvOptions{
		Env:   []string{"PATH=/usr/bin", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=core.askPass", "GIT_CONFIG_VALUE_0="},
		Proxy: func(*url.URL) (*url.URL, error) { return proxy, nil }, // in real use: (*proxyenv.Client).Proxy
		Header: func(ctx context.Context, u *url.URL) (netrcauth.SecretHeader, error) {
			h := netrcauth.SecretHeader{}
			h.Add("Authorization", netrcauth.NewSecret("Bearer not-in-the-environment"))
			return h, nil
		},
	})
	if err != nil {
		panic(err)
	}
	defer g.Close()
	for _, kv := range g.Env {
		if strings.HasPrefix(kv, "GIT_CONFIG_VALUE_2=") {
			kv = "GIT_CONFIG_VALUE_2=<private dir>/config"
		}
		fmt.Println(kv)
	}
	// Output:
	// PATH=/usr/bin
	// GIT_CONFIG_KEY_0=core.askPass
	// GIT_CONFIG_VALUE_0=
	// GIT_TERMINAL_PROMPT=0
	// GCM_INTERACTIVE=never
	// GIT_CONFIG_KEY_1=http.https://git.corp.example/.proxy
	// GIT_CONFIG_VALUE_1=http://proxy.corp.example:3128
	// GIT_CONFIG_KEY_2=include.path
	// GIT_CONFIG_VALUE_2=<private dir>/config
	// GIT_CONFIG_COUNT=3
}

// This is README's example: git gets what modnet's client trusts, uses and
// presents for one repository. It is compiled, not run: it would reach the
// network.
func ExampleNewGitEnv_client() {
	ctx := context.Background()
	env, err := proxyenv.FromEnvironment(nil)
	if err != nil {
		log.Fatal(err)
	}
	client, err := env.Client(proxyenv.ClientOptions{})
	if err != nil {
		log.Fatal(err)
	}
	ge, err := vcs.NewGitEnv(ctx, "https://git.corp.example/team/repo", vcs.GitEnvOptions{
		Env:    os.Environ(),
		Roots:  client.Trust().Current().Roots(), // system roots + SSL_CERT_FILE/SSL_CERT_DIR + extra CAs
		Proxy:  client.HTTPProxy,
		Header: client.Header, // netrc, GOAUTH, bearer tokens
	})
	if err != nil {
		log.Fatal(err)
	}
	defer ge.Close()
	cmd := exec.Command("git", "ls-remote", "https://git.corp.example/team/repo")
	cmd.Env = ge.Env // GIT_CONFIG_COUNT/KEY_n/VALUE_n: http.<url>.sslCAInfo, http.<url>.proxy, a credential helper
	out, err := cmd.Output()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s", out)
}
