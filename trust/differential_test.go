package trust

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/certmint"
)

// TestHelperX509Pool is not a test: run by TestSystemVariablesMatchGo in
// a child process with SSL_CERT_FILE and SSL_CERT_DIR set, it prints the
// subjects of what crypto/x509 itself trusts.
func TestHelperX509Pool(t *testing.T) {
	if os.Getenv("MODNET_X509_HELPER") != "1" {
		t.Skip("helper process only")
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		fmt.Println("error", err)
		return
	}
	for _, s := range subjectsOf(pool) {
		fmt.Println("subject", s)
	}
}

func subjectsOf(p *x509.CertPool) []string {
	var out []string
	//lint:ignore SA1019 the pools compared here are not platform pools
	for _, s := range p.Subjects() {
		out = append(out, hex.EncodeToString(s))
	}
	slices.Sort(out)
	return out
}

// TestSystemVariablesMatchGo checks, against crypto/x509 in a child
// process with the variables really set, that the lenient reading of
// SSL_CERT_FILE and SSL_CERT_DIR keeps exactly what Go keeps — from DER,
// garbage, mixed and broken files — while the report says what was left
// out.
func TestSystemVariablesMatchGo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, c, d := certmint.NewCA(t, "A"), certmint.NewCA(t, "B"), certmint.NewCA(t, "C"), certmint.NewCA(t, "D")
	key := []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	corrupt := []byte("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")
	file := func(name string, parts ...[]byte) string {
		return write(t, filepath.Join(dir, name), slices.Concat(parts...))
	}
	der := file("der.crt", a.Cert.Raw)
	junk := file("junk.pem", []byte("\x00\x01 not PEM\n"))
	mixed := file("mixed.pem", []byte("# comment\n"), a.CertPEM, key, corrupt, []byte("text "), b.CertPEM, c.CertPEM, []byte("trailing junk\n"))
	runOn := file("runon.pem", []byte(strings.TrimSuffix(string(a.CertPEM), "\n")), b.CertPEM, d.CertPEM)
	certDir := filepath.Join(dir, "certs")
	os.Mkdir(certDir, 0o755)
	write(t, filepath.Join(certDir, "c.pem"), c.CertPEM)
	write(t, filepath.Join(certDir, "d.der"), d.Cert.Raw)
	write(t, filepath.Join(certDir, "junk"), []byte("junk"))
	os.Symlink(filepath.Join(dir, "gone"), filepath.Join(certDir, "dangling.pem"))
	os.Symlink("c.pem", filepath.Join(certDir, "hash.0"))
	os.Mkdir(filepath.Join(certDir, "sub"), 0o755)
	emptyDir := filepath.Join(dir, "empty")
	os.Mkdir(emptyDir, 0o755)

	cases := []struct{ name, file, dir string }{
		{"der-file", der, emptyDir},
		{"junk-file", junk, certDir},
		{"mixed-file", mixed, emptyDir},
		{"run-on-blocks", runOn, emptyDir},
		{"missing-file", filepath.Join(dir, "missing.pem"), certDir + ":" + emptyDir},
		{"file-is-dir", certDir, certDir},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperX509Pool$", "-test.v")
			cmd.Env = append(os.Environ(), "MODNET_X509_HELPER=1", "SSL_CERT_FILE="+tc.file, "SSL_CERT_DIR="+tc.dir)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			var want []string
			for _, line := range strings.Split(string(out), "\n") {
				if s, ok := strings.CutPrefix(line, "subject "); ok {
					want = append(want, s)
				}
			}
			p, err := (&Config{GOOS: "linux", SSLCertFile: tc.file, SSLCertDir: tc.dir}).Build()
			if err != nil {
				t.Fatal(err)
			}
			if got := subjectsOf(p.CertPool()); !slices.Equal(got, want) {
				t.Errorf("pool holds %d roots, crypto/x509 %d:\n got %q\nwant %q", len(got), len(want), got, want)
			}
			t.Logf("%d roots; warnings: %v", len(want), p.Report().Warnings)
		})
	}
}
