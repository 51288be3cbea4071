package trust

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
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

// bundleOf returns n distinct CA certificates in one PEM bundle, each
// preceded by a comment line as in distribution bundles. They share one
// key to keep minting cheap.
func bundleOf(b *testing.B, n int) []byte {
	b.Helper()
	root := certmint.NewCA(b, "Bundle Root")
	var out bytes.Buffer
	for i := range n {
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(int64(i + 1)),
			Subject:               pkix.Name{CommonName: fmt.Sprintf("Bundle CA %d", i)},
			NotBefore:             root.Cert.NotBefore,
			NotAfter:              root.Cert.NotAfter,
			KeyUsage:              x509.KeyUsageCertSign,
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, root.Key.Public(), root.Key)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&out, "# Bundle CA %d\n", i)
		pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	return out.Bytes()
}

// BenchmarkLoadPEM compares parsing a large PEM bundle with
// x509.CertPool.AppendCertsFromPEM (x509), [ParseCertificates] (modnet),
// the lenient reader of system bundle files (modnet-system) and a whole [Config.Build] of the bundle as an extra source
// (modnet-build), which also de-duplicates and summarises every root.
func BenchmarkLoadPEM(b *testing.B) {
	for _, n := range []int{20000} {
		data := bundleOf(b, n)
		b.Run(fmt.Sprintf("%d/x509", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if !x509.NewCertPool().AppendCertsFromPEM(data) {
					b.Fatal("no certificates")
				}
			}
		})
		b.Run(fmt.Sprintf("%d/modnet", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				certs, err := ParseCertificates("bundle", data)
				if err != nil || len(certs) != n {
					b.Fatalf("ParseCertificates: %d certificates, %v", len(certs), err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d/modnet-system", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if certs, _ := lenientPEM("bundle", data); len(certs) != n {
					b.Fatalf("lenientPEM: %d certificates", len(certs))
				}
			}
		})
		b.Run(fmt.Sprintf("%d/modnet-build", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := (&Config{NoSystemRoots: true, Extra: []Source{{PEM: data}}}).Build(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
