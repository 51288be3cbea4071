package certmint

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

func clientFor(roots *x509.CertPool) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestChainServes(t *testing.T) {
	root := NewCA(t, "Certmint Root", WithOrganization("Certmint"))
	inter := root.Intermediate(t, "Certmint Intermediate")
	leaf := inter.Leaf(t, []string{"localhost", "127.0.0.1"})
	if len(leaf.Chain) != 2 || leaf.Chain[1] != inter.Cert {
		t.Fatalf("leaf.Chain = %d certs, want leaf + intermediate", len(leaf.Chain))
	}
	if leaf.Cert.Subject.CommonName != "localhost" || len(leaf.Cert.IPAddresses) != 1 {
		t.Errorf("leaf subject/SANs wrong: %v %v", leaf.Cert.Subject, leaf.Cert.IPAddresses)
	}
	srv := TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}), leaf, func(c *tls.Config) { c.NextProtos = []string{"h2", "http/1.1"} })

	pool := x509.NewCertPool()
	pool.AddCert(root.Cert)
	resp, err := clientFor(pool).Get(srv.URL)
	if err != nil {
		t.Fatalf("Get(%s) with root trusted: %v", srv.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "HTTP/2.0" {
		t.Errorf("protocol = %q, want HTTP/2.0", body)
	}

	_, err = clientFor(x509.NewCertPool()).Get(srv.URL)
	var uae x509.UnknownAuthorityError
	if !errors.As(err, &uae) {
		t.Errorf("Get with empty pool: %v, want UnknownAuthorityError", err)
	}

	path := filepath.Join(t.TempDir(), "root.pem")
	root.WriteCertPEM(t, path)
}

func TestLeafOnlyAndValidity(t *testing.T) {
	root := NewCA(t, "Root")
	inter := root.Intermediate(t, "Inter")
	past := time.Now().Add(-48 * time.Hour)
	leaf := inter.Leaf(t, []string{"localhost"}, WithValidity(past, past.Add(time.Hour)))
	if !leaf.Cert.NotAfter.Before(time.Now()) {
		t.Errorf("NotAfter = %v, want in the past", leaf.Cert.NotAfter)
	}
	if got := len(leaf.TLSCertificateLeafOnly().Certificate); got != 1 {
		t.Errorf("TLSCertificateLeafOnly has %d certs, want 1", got)
	}
	if got := len(leaf.TLSCertificate().Certificate); got != 2 {
		t.Errorf("TLSCertificate has %d certs, want 2", got)
	}
	ss := SelfSigned(t, []string{"localhost"})
	if err := ss.Cert.CheckSignature(ss.Cert.SignatureAlgorithm, ss.Cert.RawTBSCertificate, ss.Cert.Signature); err != nil {
		t.Errorf("self-signed leaf does not verify itself: %v", err)
	}
	notCA := NewCA(t, "Not a CA", WithNotCA())
	if notCA.Cert.IsCA {
		t.Errorf("WithNotCA: IsCA = true")
	}
	client := root.Leaf(t, []string{"client"}, WithClientAuth(), WithAIA("http://127.0.0.1/ca.crt"))
	if client.Cert.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth || client.Cert.IssuingCertificateURL[0] == "" {
		t.Errorf("client leaf EKU/AIA wrong")
	}
}
