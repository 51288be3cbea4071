package netrcauth

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
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

// netrcOfSize returns about size bytes of netrc text in one of three
// shapes: entries on lines of their own, one line of tokens, or binary
// garbage.
func netrcOfSize(shape string, size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 64)
	switch shape {
	case "entries":
		for i := 0; b.Len() < size; i++ {
			fmt.Fprintf(&b, "machine host%d.example login user%d password pw%d\n", i, i, i)
		}
	case "oneline":
		for b.Len() < size {
			b.WriteString("a b ")
		}
	case "binary":
		x := uint32(1)
		for b.Len() < size {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			b.WriteByte(byte(x))
		}
	}
	return b.Bytes()
}

// BenchmarkParseLarge parses 50 MB netrc files with [Parse] (modnet) and
// lints them (modnet-lint). The baseline for entries is
// github.com/jdxcode/netrc (jdxcode); for the pathological shapes, where
// jdxcode takes minutes, it is the one copy of the input as a string that
// a string-based parser starts with (copy). B/op is what a parse
// allocates in all; heap-B/B is the live heap after the parse, with its
// result still referenced, per byte of input.
func BenchmarkParseLarge(b *testing.B) {
	for _, shape := range []string{"entries", "oneline", "binary"} {
		data := netrcOfSize(shape, 50<<20)
		if shape == "entries" {
			b.Run("50MB-"+shape+"/jdxcode", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, err := netrc.ParseString(string(data)); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(liveHeapPerByte(len(data), func() any { n, _ := netrc.ParseString(string(data)); return n }), "heap-B/B")
			})
		} else {
			b.Run("50MB-"+shape+"/copy", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				var s string
				for b.Loop() {
					s = string(data)
				}
				_ = s
				b.ReportMetric(liveHeapPerByte(len(data), func() any { return string(data) }), "heap-B/B")
			})
		}
		b.Run("50MB-"+shape+"/modnet", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				Parse(data)
			}
			b.ReportMetric(liveHeapPerByte(len(data), func() any { return Parse(data) }), "heap-B/B")
		})
		b.Run("50MB-"+shape+"/modnet-lint", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				Lint(data, LintOptions{})
			}
		})
	}
}

// liveHeapPerByte returns how much the live heap grows, per input byte,
// while the result of f is kept.
func liveHeapPerByte(n int, f func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(r)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}
