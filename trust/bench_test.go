package trust

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"testing"

	"github.com/modnet/modnet/internal/certmint"
)

// BenchmarkPool compares what the TLS trust of a further client costs.
// naive is the usual per-client x509.SystemCertPool() + AppendCertsFromPEM
// into a new tls.Config; trust takes a further client's configuration
// from a pool built once from the same sources and shared.
func BenchmarkPool(b *testing.B) {
	for _, n := range []int{1, 200} {
		var bundle []byte
		for i := range n {
			bundle = append(bundle, certmint.NewCA(b, fmt.Sprintf("Bench CA %d", i)).CertPEM...)
		}
		name := fmt.Sprintf("%dca", n)
		if n > 1 {
			name = fmt.Sprintf("%dcas", n)
		}
		b.Run(name+"/naive", func(b *testing.B) {
			var cfg *tls.Config
			for b.Loop() {
				roots, err := x509.SystemCertPool()
				if err != nil {
					b.Fatal(err)
				}
				if !roots.AppendCertsFromPEM(bundle) {
					b.Fatal("no certificates appended")
				}
				cfg = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
			}
			_ = cfg
		})
		b.Run(name+"/trust", func(b *testing.B) {
			pool, err := (&Config{Extra: []Source{{PEM: bundle}}}).Build()
			if err != nil {
				b.Fatal(err)
			}
			var cfg *tls.Config
			b.ResetTimer()
			for b.Loop() {
				cfg = pool.TLSConfig()
			}
			if cfg.RootCAs == nil {
				b.Fatal("no roots")
			}
		})
		// For comparison: a further client that needs its own, mutable
		// configuration clones the shared one.
		b.Run(name+"/trust-clone", func(b *testing.B) {
			pool, err := (&Config{Extra: []Source{{PEM: bundle}}}).Build()
			if err != nil {
				b.Fatal(err)
			}
			var cfg *tls.Config
			b.ResetTimer()
			for b.Loop() {
				cfg = pool.TLSConfig().Clone()
			}
			if cfg.RootCAs == nil {
				b.Fatal("no roots")
			}
		})
	}
}
