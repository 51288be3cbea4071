package proxyenv_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
)

// This is the README's quick start. It is compiled, not run: it would
// reach the network.
func ExampleFetcher_Download() {
	ctx := context.Background()
	env, err := proxyenv.FromEnvironment(nil) // GOPROXY & co. exactly as `go env` resolves them
	if err != nil {
		log.Fatal(err)
	}
	client, err := env.Client(proxyenv.ClientOptions{}) // trust, HTTP proxy, netrc/GOAUTH credentials
	if err != nil {
		log.Fatal(err)
	}
	d, err := (&modfetch.Fetcher{Client: client, Dir: "modcache"}).Download(ctx, "golang.org/x/mod", "latest")
	if te := new(trust.Error); errors.As(err, &te) {
		log.Fatalf("%s: %s", te.Kind, te.Hint) // why TLS failed and what to do about it
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Version, d.Zip, d.Sum)
}

// Route explains, without any I/O, what the go command would do for a
// module path.
func ExampleEnv_Route_privateProxy() {
	env := &proxyenv.Env{
		GOPROXY:   "https://goproxy.corp.example|https://proxy.golang.org,direct",
		GOPRIVATE: "*.corp.example,corp.example",
		GONOPROXY: "none",
		GOSUMDB:   "sum.golang.org",
	}
	r, err := env.Route("corp.example/platform/hello")
	if err != nil {
		log.Fatal(err)
	}
	// GONOPROXY=none keeps the private proxy in the route (GOPRIVATE alone
	// would send the module direct); as with any non-empty GONOPROXY, the
	// go command puts an implicit "noproxy" entry first.
	for _, s := range r.Steps {
		fmt.Println(s.Action, s.Entry.String(), s.FallThrough)
	}
	fmt.Println("checksum database:", r.SumDB.Use)
	// Output:
	// skip noproxy not-found
	// proxy https://goproxy.corp.example any-error
	// proxy https://proxy.golang.org not-found
	// direct direct not-found
	// checksum database: false
}
