package modfetch_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
)

// This is the README's quick start, run against a local module proxy: a
// real program passes nil to FromEnvironment, reading the process
// environment (and the go env files) like "go env".
func ExampleFetcher_Download() {
	srv := httptest.NewServer(helloProxy())
	defer srv.Close()
	getenv := map[string]string{"GOPROXY": srv.URL, "GOSUMDB": "off", "GOENV": "off"}
	dir, _ := os.MkdirTemp("", "modcache")
	defer os.RemoveAll(dir)

	ctx := context.Background()
	env, err := proxyenv.FromEnvironment(func(k string) string { return getenv[k] }) // GOPROXY & co. as `go env` resolves them
	if err != nil {
		log.Fatal(err)
	}
	client, err := env.Client(proxyenv.ClientOptions{}) // trust, HTTP proxy, netrc/GOAUTH credentials
	if err != nil {
		log.Fatal(err)
	}
	f := &modfetch.Fetcher{Client: client, Dir: dir}
	defer f.Close()
	d, err := f.Download(ctx, "example.com/hello", "latest")
	if te := new(trust.Error); errors.As(err, &te) {
		log.Fatalf("%s: %s", te.Kind, te.Hint) // why TLS failed and what to do about it
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Version, d.Sum)
	// Output:
	// v1.0.0 h1:v/u/g2S1hZaWZImyAVXAGG42N1pWX/UTgAYidytBT84=
}

// helloProxy serves example.com/hello v1.0.0 in the module proxy protocol.
func helloProxy() http.Handler {
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, content := range map[string]string{
		"go.mod":   "module example.com/hello\n",
		"hello.go": "package hello\n",
	} {
		w, _ := zw.Create("example.com/hello@v1.0.0/" + name)
		w.Write([]byte(content))
	}
	zw.Close()
	files := map[string]string{
		"/example.com/hello/@v/list":        "v1.0.0\n",
		"/example.com/hello/@latest":        `{"Version":"v1.0.0","Time":"2026-01-02T03:04:05Z"}`,
		"/example.com/hello/@v/v1.0.0.info": `{"Version":"v1.0.0","Time":"2026-01-02T03:04:05Z"}`,
		"/example.com/hello/@v/v1.0.0.mod":  "module example.com/hello\n",
		"/example.com/hello/@v/v1.0.0.zip":  zbuf.String(),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	})
}
