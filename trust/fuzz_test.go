package trust

import (
	"bytes"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	for _, name := range []string{"corp-root.pem", "mixed.pem", "key-not-cert.pem"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN TRUSTED CERTIFICATE-----\nAAAA\n-----END TRUSTED CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0x01, 0x00})
	f.Add([]byte(""))
}

// FuzzParseCertificates checks that the parser never panics, that every
// error is a *LoadError naming the source, and that success means at
// least one certificate.
func FuzzParseCertificates(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseCertificates("fuzz.pem", data)
		if err != nil {
			le, ok := err.(*LoadError)
			if !ok {
				t.Fatalf("error %T %v is not a *LoadError", err, err)
			}
			if le.File != "fuzz.pem" || le.Reason == "" || le.Line < 0 || le.Line > strings.Count(string(data), "\n")+1 {
				t.Fatalf("bad LoadError %+v", le)
			}
			if certs != nil {
				t.Fatalf("certificates returned with an error")
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("no error and no certificates")
		}
	})
}

// FuzzLoadDirectory loads fuzzed data as a file of an extra directory and
// as an extra file: Build either succeeds or fails with *LoadErrors only,
// and the lenient system loader never panics on the same data.
func FuzzLoadDirectory(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.crt"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, src := range []Source{{Path: dir}, {Path: filepath.Join(dir, "a.crt")}, {PEM: data}, {DER: data}} {
			_, err := (&Config{NoSystemRoots: true, Extra: []Source{src}}).Build()
			if err == nil {
				continue
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Build error %T %v holds no *LoadError", err, err)
			}
		}
		_, err := (&Config{GOOS: "linux", SystemFiles: []string{filepath.Join(dir, "a.crt")}, SystemDirs: []string{dir}}).Build()
		if err != nil {
			t.Fatalf("system sources must be lenient, got %v", err)
		}
	})
}

// FuzzLenientPEM checks the lenient loader of system files against
// crypto/x509 itself: it keeps exactly the certificates
// x509.CertPool.AppendCertsFromPEM keeps.
func FuzzLenientPEM(f *testing.F) {
	fuzzSeeds(f)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----xyz\n-----BEGIN CERTIFICATE-----\n"))
	root, err := os.ReadFile(filepath.Join("testdata", "corp-root.pem"))
	if err != nil {
		f.Fatal(err)
	}
	// Good blocks around a corrupt one, a block starting mid-line, and a
	// block whose END line runs into the next BEGIN.
	corrupt := []byte("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")
	f.Add(append(append(append([]byte{}, root...), corrupt...), root...))
	f.Add(append(append([]byte("junk "), root...), append([]byte("text "), root...)...))
	f.Add(append(bytes.TrimSuffix(root, []byte("\n")), root...))
	f.Add(append(append([]byte{}, root[:len(root)/2]...), root...))
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, _ := lenientPEM("fuzz.pem", data)
		want := x509.NewCertPool()
		want.AppendCertsFromPEM(data)
		got := x509.NewCertPool()
		for _, c := range certs {
			got.AddCert(c)
		}
		if !got.Equal(want) {
			t.Fatalf("lenientPEM kept %d certificates, crypto/x509 a different set", len(certs))
		}
	})
}
