package proxyenv_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"

	"github.com/modnet/modnet/proxyenv"
)

func ExampleParseProxyList() {
	list, err := proxyenv.ParseProxyList("proxy.corp.example|https://u:secret@mirror.example,direct,ignored", "*.corp.example")
	if err != nil {
		panic(err)
	}
	for _, e := range list {
		fmt.Printf("%-8s %-40s fall back on any error: %v\n", e.Kind, e, e.FallBackOnError)
	}

	_, err = proxyenv.ParseProxyList("ftp://mirror.example", "")
	fmt.Println(err)
	// Output:
	// noproxy  noproxy                                  fall back on any error: false
	// url      https://proxy.corp.example               fall back on any error: true
	// url      https://u:xxxxx@mirror.example           fall back on any error: false
	// direct   direct                                   fall back on any error: false
	// proxyenv: GOPROXY: invalid proxy URL scheme (must be https, http, file): ftp://mirror.example
}

func ExampleParseSumDB() {
	for _, v := range []string{"sum.golang.org", "sum.golang.google.cn", "off", "sum.example.com"} {
		db, err := proxyenv.ParseSumDB(v)
		switch {
		case err != nil:
			fmt.Printf("%s: %v\n", v, err)
		case db.Off:
			fmt.Printf("%s: disabled\n", v)
		case db.URL != nil:
			fmt.Printf("%s: database %s at %s\n", v, db.Name, db.URL)
		default:
			fmt.Printf("%s: database %s, found through the proxies or at %s\n", v, db.Name, db.DirectURL())
		}
	}
	// Output:
	// sum.golang.org: database sum.golang.org, found through the proxies or at https://sum.golang.org
	// sum.golang.google.cn: database sum.golang.org at https://sum.golang.google.cn
	// off: disabled
	// sum.example.com: proxyenv: GOSUMDB: invalid GOSUMDB: malformed verifier id
}

func ExampleEnv_Route() {
	env := &proxyenv.Env{
		GOPROXY:    "https://proxy.golang.org,direct",
		GOSUMDB:    "sum.golang.org",
		GOPRIVATE:  "*.corp.example",
		GOINSECURE: "git.corp.example",
	}
	for _, path := range []string{"golang.org/x/text", "git.corp.example/team/tool"} {
		r, err := env.Route(path)
		if err != nil {
			panic(err)
		}
		fmt.Println(path)
		for _, s := range r.Steps {
			fmt.Printf("  %-6s %s\n", s.Action, s.Reason)
		}
		fmt.Println("  sumdb:", r.SumDB.Reason)
	}
	// Output:
	// golang.org/x/text
	//   skip   implicit noproxy entry: path does not match GOPRIVATE/GONOPROXY (GONOPROXY (from GOPRIVATE)="*.corp.example"), so the proxies are used
	//   proxy  GOPROXY entry https://proxy.golang.org: module proxy
	//   direct GOPROXY entry direct: fetched from the origin
	//   sumdb: GOSUMDB=sum.golang.org; no GONOSUMDB (from GOPRIVATE) pattern matches: verified with the checksum database
	// git.corp.example/team/tool
	//   direct GONOPROXY (from GOPRIVATE) pattern "*.corp.example" matched: fetched directly from the origin; GOINSECURE pattern "git.corp.example" matched
	//   skip   GONOPROXY (from GOPRIVATE) pattern "*.corp.example" matched: proxies skipped (module lookup disabled by GOPRIVATE/GONOPROXY)
	//   direct GONOPROXY (from GOPRIVATE) pattern "*.corp.example" matched: fetched directly from the origin; GOINSECURE pattern "git.corp.example" matched
	//   sumdb: GONOSUMDB (from GOPRIVATE) pattern "*.corp.example" matched: checksum database not consulted
}

func ExampleWalk() {
	env := &proxyenv.Env{GOPROXY: "https://a.example,https://b.example|https://c.example,direct"}
	r, err := env.Route("example.com/m")
	if err != nil {
		panic(err)
	}
	// A fake fetch: a.example does not have the module, b.example fails,
	// c.example has it.
	answers := map[string]int{"a.example": 404, "b.example": 502, "c.example": 200}
	err = proxyenv.Walk(context.Background(), r, func(ctx context.Context, s proxyenv.Step) error {
		if s.Action == proxyenv.ActionDirect {
			return errors.New("not reached")
		}
		u, err := proxyenv.ProxyFileURL(s.Entry.URL, r.Module, "@v/list")
		if err != nil {
			return err
		}
		code := answers[u.Host]
		fmt.Println("GET", u, code)
		if code != http.StatusOK {
			return &proxyenv.StatusError{URL: u.String(), Status: fmt.Sprint(code, " ", http.StatusText(code)), StatusCode: code}
		}
		return nil
	})
	fmt.Println("error:", err)

	// With ',' after b.example, its 502 would have ended the walk.
	answers["c.example"] = 410
	err = proxyenv.Walk(context.Background(), r, func(ctx context.Context, s proxyenv.Step) error {
		if s.Action == proxyenv.ActionDirect {
			return fmt.Errorf("no origin for %s: %w", r.Module, fs.ErrNotExist)
		}
		code := answers[s.Entry.URL.Host]
		return &proxyenv.StatusError{URL: s.Entry.URL.String(), Status: fmt.Sprint(code, " ", http.StatusText(code)), StatusCode: code}
	})
	var se *proxyenv.StepError
	if errors.As(err, &se) {
		fmt.Printf("error from step %d (%s): %v\n", se.Step.Index, se.Step.Action, se.Err)
	}
	// Output:
	// GET https://a.example/example.com/m/@v/list 404
	// GET https://b.example/example.com/m/@v/list 502
	// GET https://c.example/example.com/m/@v/list 200
	// error: <nil>
	// error from step 3 (direct): no origin for example.com/m: file does not exist
}

func ExampleFindSumDB() {
	env := &proxyenv.Env{GOPROXY: "https://a.example,https://b.example", GOSUMDB: "sum.golang.org"}
	r, err := env.Route("example.com/m")
	if err != nil {
		panic(err)
	}
	base, err := proxyenv.FindSumDB(context.Background(), r, func(ctx context.Context, supported *url.URL) error {
		fmt.Println("GET", supported)
		if supported.Host == "a.example" {
			return &proxyenv.StatusError{URL: supported.String(), Status: "404 Not Found", StatusCode: 404}
		}
		return nil
	})
	fmt.Println(base, err)
	// Output:
	// GET https://a.example/sumdb/sum.golang.org/supported
	// GET https://b.example/sumdb/sum.golang.org/supported
	// https://b.example/sumdb/sum.golang.org <nil>
}
