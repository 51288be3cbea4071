package trust_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/modnet/modnet/trust"
)

// Build a pool that adds a corporate CA, limited to the corporation's
// hosts, to what the system trusts, and a client using it.
func ExampleConfig_Build() {
	getenv := func(string) string { return "" } // e.g. from the go environment
	cfg := trust.FromEnvironment(getenv)
	cfg.NoSystemRoots = true // keep the example's output independent of this machine
	cfg.Extra = []trust.Source{{Path: "testdata/corp-root.pem", Hosts: []string{"*.corp.example"}}}
	pool, err := cfg.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range pool.Report().Sources {
		fmt.Println(s.Kind, s.Name, s.Status, s.Loaded, s.Hosts)
	}
	client := &http.Client{Transport: trust.NewTransport(pool, nil)}
	_ = client
	// Output:
	// system system roots disabled 0 []
	// extra-file testdata/corp-root.pem loaded 1 [*.corp.example]
}

// Strict loading names the file and line of a block that is not a
// certificate.
func ExampleLoadError() {
	_, err := (&trust.Config{Extra: []trust.Source{{Path: "testdata/mixed.pem"}}}).Build()
	var le *trust.LoadError
	if errors.As(err, &le) {
		fmt.Println(le.File, le.Line)
		fmt.Println(le.Reason)
	}
	// Output:
	// testdata/mixed.pem 13
	// private key (RSA PRIVATE KEY) where a certificate was expected
}

// Classify turns any dial or request error into a kind and a hint.
func ExampleClassify() {
	err := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Name: "goproxy.corp.example", Err: "no such host", IsNotFound: true}}
	e := trust.Classify(err)
	fmt.Println(e.Kind)
	fmt.Println(e.Hint)
	// Output:
	// dns
	// the name goproxy.corp.example does not resolve: check its spelling, your DNS settings, or whether it is reachable only through a proxy (HTTPS_PROXY)
}
