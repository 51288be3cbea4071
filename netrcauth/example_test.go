package netrcauth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/modnet/modnet/netrcauth"
)

func ExampleParse() {
	data := []byte(`machine proxy.corp.example:8443 login alice password s3cret
# old: machine evil.example login x password y
machine git.corp.example login bob
default login anon password anon
`)
	for _, e := range netrcauth.Parse(data) {
		fmt.Printf("line %d: %s %s %v\n", e.Line, e.Machine, e.Login, e.Password)
	}
	// Output:
	// line 1: proxy.corp.example:8443 alice [redacted]
	// line 2: evil.example x [redacted]
}

func ExampleMatch() {
	entries := netrcauth.Parse([]byte("machine corp.example login alice password s3cret\n"))
	for _, raw := range []string{"https://corp.example/mod/@v/list", "https://corp.example:8443/mod/@v/list"} {
		u, _ := url.Parse(raw)
		_, goCommand := netrcauth.Match(entries, u, netrcauth.MatchOptions{})
		_, anyPort := netrcauth.Match(entries, u, netrcauth.MatchOptions{AnyPort: true})
		fmt.Printf("%s: go command %v, AnyPort %v\n", netrcauth.Key(u), goCommand, anyPort)
	}
	// Output:
	// corp.example/mod/@v/list: go command true, AnyPort true
	// corp.example:8443/mod/@v/list: go command false, AnyPort true
}

func ExampleLint() {
	data := []byte(`machine corp.example
login alice
password
  s3cret
# old: machine evil.example login x password y
default
`)
	for _, d := range netrcauth.Lint(data, netrcauth.LintOptions{}) {
		fmt.Println(d.Kind, d)
	}
	// Output:
	// incomplete line 1: machine corp.example has no password: the go command ignores it
	// split-pair line 3: "password" ends the line: the go command reads a key and its value only from the same line, so its value is lost
	// comment line 5: comment line is a live credential for the go command (machine evil.example)
	// default line 6: a lone "default" makes the go command stop reading: the rest of the file is ignored
}

func ExampleSetMachine() {
	in := []byte("# work\nmachine corp.example login old password oldpw # rotated yearly\n")
	out, err := netrcauth.SetMachine(in, "corp.example", "alice", netrcauth.NewSecret("n3w"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	_, err = netrcauth.SetMachine([]byte("machine"), "corp.example", "alice", netrcauth.NewSecret("n3w"))
	fmt.Println(err)
	// Output:
	// # work
	// machine corp.example login alice password n3w # rotated yearly
	// netrcauth: netrc:1: netrc file cannot be edited safely: "machine" without a name after it
}

func ExampleParseGOAUTH() {
	methods, off, err := netrcauth.ParseGOAUTH(`netrc; git /srv/creds; /usr/local/bin/token-helper --scope "read write"`)
	fmt.Println(off, err)
	for _, m := range methods {
		fmt.Printf("%v %q %q\n", m.Kind, m.Dir, m.Args)
	}
	_, _, err = netrcauth.ParseGOAUTH("off; netrc")
	fmt.Println(err)
	// Output:
	// false <nil>
	// netrc "" []
	// git "/srv/creds" []
	// command "" ["/usr/local/bin/token-helper" "--scope" "read write"]
	// netrcauth: GOAUTH=off cannot be combined with other authentication commands (GOAUTH=off; netrc)
}

func ExampleParseCommandOutput() {
	out := "https://corp.example/go/\n\nPrivate-Token: glpat-123\n\n"
	creds, err := netrcauth.ParseCommandOutput(out)
	fmt.Println(err)
	for _, c := range creds {
		fmt.Println(c.Prefix, c.Header)
	}
	// Output:
	// <nil>
	// corp.example/go map[Private-Token:[[redacted]]]
}

func ExampleSecret() {
	s := netrcauth.NewSecret("hunter2")
	fmt.Printf("%v %s %q %#v\n", s, s, s, s)
	fmt.Println(len(s.Reveal()))
	// Output:
	// [redacted] [redacted] "[redacted]" netrcauth.Secret{[redacted]}
	// 7
}

func ExampleTransport() {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Header.Get("Authorization"))
	}))
	defer srv.Close()

	auth, err := netrcauth.Config{
		GOAUTH: "off", // no netrc or commands in this example
		Credentials: []netrcauth.Credential{
			netrcauth.Bearer(srv.URL+"/private", netrcauth.NewSecret("tok")),
			netrcauth.TokenFunc(srv.URL+"/refreshed", func(ctx context.Context) (netrcauth.Secret, error) {
				return netrcauth.NewSecret("fresh"), nil
			}),
		},
	}.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	client := &http.Client{Transport: &netrcauth.Transport{Base: srv.Client().Transport, Auth: auth}}
	for _, p := range []string{"/private/mod/@v/list", "/refreshed/x", "/public/x"} {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s -> %q\n", p, body)
	}
	// Output:
	// /private/mod/@v/list -> "Bearer tok"
	// /refreshed/x -> "Bearer fresh"
	// /public/x -> ""
}
