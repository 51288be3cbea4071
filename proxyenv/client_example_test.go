package proxyenv_test

import (
	"fmt"
	"log"

	"github.com/modnet/modnet/proxyenv"
)

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
