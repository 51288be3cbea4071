package netrcauth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jdxcode/netrc"
)

func benchNetrc(n int) string {
	var b strings.Builder
	b.WriteString("# generated\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "machine host%d.example:8443\n\tlogin user%d\n\tpassword pw%d\n", i, i, i)
	}
	return b.String()
}

// BenchmarkParse compares the go-command grammar parser with
// github.com/jdxcode/netrc's on the same files.
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{10, 1000} {
		data := benchNetrc(n)
		b.Run(fmt.Sprintf("entries=%d/jdxcode", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for range b.N {
				if _, err := netrc.ParseString(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("entries=%d/netrcauth", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for range b.N {
				if len(Parse([]byte(data))) != n {
					b.Fatal("wrong count")
				}
			}
		})
	}
}

// BenchmarkHeader compares a credential lookup per request (baseline: the
// request construction it is added to).
func BenchmarkHeader(b *testing.B) {
	a, err := Config{GOAUTH: "off", Credentials: []Credential{Bearer("proxy.example/go", NewSecret("t"))}}.Build()
	if err != nil {
		b.Fatal(err)
	}
	const u = "https://proxy.example/go/example.com/m/@v/v1.0.0.info"
	b.Run("match/newrequest", func(b *testing.B) {
		for range b.N {
			if _, err := http.NewRequest("GET", u, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("match/newrequest+header", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			req, _ := http.NewRequest("GET", u, nil)
			h, _ := a.Header(ctx, req.URL, nil)
			withHeader(req, h)
		}
	})
}
