// Package certmint mints certificate authorities, intermediates and leaf
// certificates for real TLS servers in tests.
//
// Every key is ECDSA P-256 and every certificate is freshly generated, so
// tests never share or commit key material. All functions take a
// [testing.TB] and fail the test on error; none returns an error.
//
// A typical test:
//
//	root := certmint.NewCA(t, "Test Root CA")
//	inter := root.Intermediate(t, "Test Intermediate CA")
//	leaf := inter.Leaf(t, []string{"localhost", "127.0.0.1"})
//	srv := certmint.TLSServer(t, handler, leaf)
//	// trust root.CertPEM (or root.Cert) in the client and dial srv.URL.
package certmint

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"
)

// A CA is a certificate authority: a self-signed root made by [NewCA] or an
// intermediate made by [CA.Intermediate].
type CA struct {
	// Cert is the CA certificate.
	Cert *x509.Certificate
	// Key is the CA's private key (an *ecdsa.PrivateKey).
	Key crypto.Signer
	// CertPEM is Cert in PEM form.
	CertPEM []byte
	// KeyPEM is Key in PKCS #8 PEM form.
	KeyPEM []byte

	// parents holds the CA certificates above this one up to, but
	// excluding, the root, nearest first. Empty for a root.
	parents []*x509.Certificate
	root    bool
}

// A Leaf is an end-entity certificate with its key.
type Leaf struct {
	// Cert is the leaf certificate.
	Cert *x509.Certificate
	// Key is the leaf's private key (an *ecdsa.PrivateKey).
	Key crypto.Signer
	// Chain is the leaf followed by the intermediates that issued it,
	// nearest first, excluding the root.
	Chain []*x509.Certificate
	// CertPEM is Cert in PEM form (the leaf alone).
	CertPEM []byte
	// ChainPEM is Chain in PEM form.
	ChainPEM []byte
	// KeyPEM is Key in PKCS #8 PEM form.
	KeyPEM []byte
}

// An Option adjusts a certificate before it is signed.
type Option func(*template)

type template struct {
	notBefore, notAfter time.Time
	org                 string
	cn                  string
	notCA               bool
	aia                 []string
	eku                 []x509.ExtKeyUsage
	maxPathLen          int
	hasPathLen          bool
}

// WithValidity sets the certificate's validity window.
func WithValidity(notBefore, notAfter time.Time) Option {
	return func(t *template) { t.notBefore, t.notAfter = notBefore, notAfter }
}

// WithOrganization sets the subject's organization (O=).
func WithOrganization(org string) Option {
	return func(t *template) { t.org = org }
}

// WithCommonName sets the subject's common name of a leaf (by default the
// first host).
func WithCommonName(cn string) Option {
	return func(t *template) { t.cn = cn }
}

// WithNotCA makes [NewCA] produce a self-signed certificate without the CA
// basic constraint (a "root" that is not a CA).
func WithNotCA() Option {
	return func(t *template) { t.notCA = true }
}

// WithAIA sets the Authority Information Access "CA Issuers" URLs.
func WithAIA(urls ...string) Option {
	return func(t *template) { t.aia = urls }
}

// WithExtKeyUsage replaces a leaf's extended key usages (server auth by
// default).
func WithExtKeyUsage(eku ...x509.ExtKeyUsage) Option {
	return func(t *template) { t.eku = eku }
}

// WithClientAuth makes a leaf usable as a TLS client certificate (client
// auth extended key usage).
func WithClientAuth() Option {
	return WithExtKeyUsage(x509.ExtKeyUsageClientAuth)
}

// WithMaxPathLen sets a CA's path length constraint.
func WithMaxPathLen(n int) Option {
	return func(t *template) { t.maxPathLen, t.hasPathLen = n, true }
}

func newTemplate(opts []Option) *template {
	return newTemplateValid(opts, time.Hour, 24*time.Hour)
}

func newCATemplate(opts []Option) *template {
	return newTemplateValid(opts, 7*24*time.Hour, 365*24*time.Hour)
}

func newTemplateValid(opts []Option, before, after time.Duration) *template {
	now := time.Now()
	t := &template{notBefore: now.Add(-before), notAfter: now.Add(after)}
	for _, o := range opts {
		o(t)
	}
	return t
}

func newKey(t testing.TB) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("certmint: generating key: %v", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("certmint: marshaling key: %v", err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatalf("certmint: serial: %v", err)
	}
	return n.Add(n, big.NewInt(1))
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, []byte) {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("certmint: creating certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("certmint: parsing certificate: %v", err)
	}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func subject(cn, org string) pkix.Name {
	n := pkix.Name{CommonName: cn}
	if org != "" {
		n.Organization = []string{org}
	}
	return n
}

func caTemplate(t testing.TB, cn string, o *template) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               subject(cn, o.org),
		NotBefore:             o.notBefore,
		NotAfter:              o.notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  !o.notCA,
		IssuingCertificateURL: o.aia,
	}
	if o.notCA {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if o.hasPathLen {
		tmpl.MaxPathLen = o.maxPathLen
		tmpl.MaxPathLenZero = o.maxPathLen == 0
	}
	return tmpl
}

// NewCA returns a new self-signed root CA named cn, valid from a week ago
// for a year unless [WithValidity] says otherwise.
func NewCA(t testing.TB, cn string, opts ...Option) *CA {
	t.Helper()
	o := newCATemplate(opts)
	key, keyPEM := newKey(t)
	tmpl := caTemplate(t, cn, o)
	cert, certPEM := sign(t, tmpl, tmpl, key.Public(), key)
	return &CA{Cert: cert, Key: key, CertPEM: certPEM, KeyPEM: keyPEM, root: true}
}

// Intermediate returns a new intermediate CA named cn issued by ca, valid
// from a week ago for a year unless [WithValidity] says otherwise.
func (ca *CA) Intermediate(t testing.TB, cn string, opts ...Option) *CA {
	t.Helper()
	o := newCATemplate(opts)
	key, keyPEM := newKey(t)
	cert, certPEM := sign(t, caTemplate(t, cn, o), ca.Cert, key.Public(), ca.Key)
	parents := ca.parents
	if !ca.root {
		parents = append([]*x509.Certificate{ca.Cert}, ca.parents...)
	}
	return &CA{Cert: cert, Key: key, CertPEM: certPEM, KeyPEM: keyPEM, parents: slices.Clip(parents)}
}

// WriteCertPEM writes ca.CertPEM to path.
func (ca *CA) WriteCertPEM(t testing.TB, path string) {
	t.Helper()
	if err := os.WriteFile(path, ca.CertPEM, 0o644); err != nil {
		t.Fatalf("certmint: %v", err)
	}
}

func leafTemplate(t testing.TB, hosts []string, o *template) *x509.Certificate {
	cn := o.cn
	if cn == "" && len(hosts) > 0 {
		cn = hosts[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               subject(cn, o.org),
		NotBefore:             o.notBefore,
		NotAfter:              o.notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IssuingCertificateURL: o.aia,
	}
	if o.eku != nil {
		tmpl.ExtKeyUsage = o.eku
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return tmpl
}

// Leaf returns a new leaf certificate issued by ca for hosts, each a DNS
// name (wildcards allowed) or an IP literal, which become its subject
// alternative names. It is valid from an hour ago for a day unless
// [WithValidity] says otherwise.
func (ca *CA) Leaf(t testing.TB, hosts []string, opts ...Option) *Leaf {
	t.Helper()
	o := newTemplate(opts)
	key, keyPEM := newKey(t)
	cert, certPEM := sign(t, leafTemplate(t, hosts, o), ca.Cert, key.Public(), ca.Key)
	chain := []*x509.Certificate{cert}
	if !ca.root {
		chain = append(chain, ca.Cert)
		chain = append(chain, ca.parents...)
	}
	return newLeaf(cert, key, certPEM, keyPEM, chain)
}

// SelfSigned returns a self-signed leaf certificate for hosts (not a CA).
func SelfSigned(t testing.TB, hosts []string, opts ...Option) *Leaf {
	t.Helper()
	o := newTemplate(opts)
	key, keyPEM := newKey(t)
	tmpl := leafTemplate(t, hosts, o)
	cert, certPEM := sign(t, tmpl, tmpl, key.Public(), key)
	return newLeaf(cert, key, certPEM, keyPEM, []*x509.Certificate{cert})
}

func newLeaf(cert *x509.Certificate, key crypto.Signer, certPEM, keyPEM []byte, chain []*x509.Certificate) *Leaf {
	var chainPEM []byte
	for _, c := range chain {
		chainPEM = append(chainPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return &Leaf{Cert: cert, Key: key, Chain: chain, CertPEM: certPEM, ChainPEM: chainPEM, KeyPEM: keyPEM}
}

// TLSCertificate returns the leaf as a [tls.Certificate] whose chain holds
// the leaf and its intermediates, excluding the root.
func (l *Leaf) TLSCertificate() tls.Certificate {
	c := tls.Certificate{PrivateKey: l.Key, Leaf: l.Cert}
	for _, x := range l.Chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}

// TLSCertificateLeafOnly is like TLSCertificate but omits the
// intermediates, as a misconfigured server that does not send its
// intermediate would.
func (l *Leaf) TLSCertificateLeafOnly() tls.Certificate {
	return tls.Certificate{PrivateKey: l.Key, Leaf: l.Cert, Certificate: [][]byte{l.Cert.Raw}}
}

// TLSServer starts an HTTPS server on 127.0.0.1 presenting leaf (with its
// intermediates) and closes it when the test ends. The configure functions
// may adjust the server's tls.Config before it starts (for example to
// require client certificates, limit versions, or present
// [Leaf.TLSCertificateLeafOnly]); if they put "h2" in NextProtos, HTTP/2
// is enabled. The server's own Client() trusts only the leaf; tests
// usually build their own client.
func TLSServer(t testing.TB, handler http.Handler, leaf *Leaf, configure ...func(*tls.Config)) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(handler)
	// Failed handshakes are what many tests provoke; keep them out of the log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	cfg := &tls.Config{}
	if leaf != nil {
		cfg.Certificates = []tls.Certificate{leaf.TLSCertificate()}
	}
	for _, f := range configure {
		f(cfg)
	}
	if slices.Contains(cfg.NextProtos, "h2") {
		srv.EnableHTTP2 = true
	}
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// PoolOf returns a pool holding the certificates of pemData, failing the
// test if there are none.
func PoolOf(t testing.TB, pemData []byte) *x509.CertPool {
	t.Helper()
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pemData) {
		t.Fatal("certmint: no certificate in PEM")
	}
	return p
}
