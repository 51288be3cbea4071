package modfetch_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"

	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"golang.org/x/mod/module"
)

// DownloadAll fills the go command's own module cache, many modules at
// once. It is compiled, not run: it would reach the network.
func ExampleFetcher_DownloadAll() {
	env, err := proxyenv.FromEnvironment(nil)
	if err != nil {
		log.Fatal(err)
	}
	// One idle connection per worker keeps concurrent downloads on their
	// TLS connections.
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 16
	client, err := env.Client(proxyenv.ClientOptions{Base: base})
	if err != nil {
		log.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	lookup := func(name string) string { return env.Lookup(name).Value }
	modcache, err := modfetch.ModCacheDir(lookup, home) // "go env GOMODCACHE"
	if err != nil {
		log.Fatal(err)
	}
	gopath, err := modfetch.GOPATH(lookup, home)
	if err != nil {
		log.Fatal(err)
	}
	f := &modfetch.Fetcher{
		Client:   client,
		Dir:      modcache,
		SumDBDir: filepath.Join(gopath, "pkg", "sumdb"),
		Run:      true,
		Extract:  true,
	}
	results, err := f.DownloadAll(context.Background(), []module.Version{
		{Path: "golang.org/x/mod", Version: "latest"},
		{Path: "golang.org/x/text", Version: "v0.14.0"},
	})
	for _, r := range results {
		if r.Err == nil {
			fmt.Println(r.Download.Path, r.Download.Version, r.Download.Dir)
		}
	}
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleModCacheDir() {
	vars := map[string]string{"GOPATH": "/home/gopher/go:/opt/go"}
	dir, err := modfetch.ModCacheDir(func(name string) string { return vars[name] }, "/home/gopher")
	fmt.Println(dir, err)
	// Output: /home/gopher/go/pkg/mod <nil>
}
