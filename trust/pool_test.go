package trust

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/certmint"
)

func write(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseCertificates(t *testing.T) {
	t.Parallel()
	a, b := certmint.NewCA(t, "A"), certmint.NewCA(t, "B")
	key := []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	bundle := append(append([]byte("# Issuer: A\n"), a.CertPEM...), append([]byte("\n# B\n"), b.CertPEM...)...)
	corrupt := append(append([]byte{}, a.CertPEM...), []byte("-----BEGIN CERTIFICATE-----\n!!!notbase64\n-----END CERTIFICATE-----\n")...)
	corrupt = append(corrupt, b.CertPEM...)
	lines := strings.Count(string(a.CertPEM), "\n")
	cases := []struct {
		name   string
		data   []byte
		n      int
		line   int
		reason string
	}{
		{"bundle-with-comments", bundle, 2, 0, ""},
		{"der", a.Cert.Raw, 1, 0, ""},
		{"concatenated-der", append(append([]byte{}, a.Cert.Raw...), b.Cert.Raw...), 2, 0, ""},
		{"empty", nil, 0, 0, "no certificate"},
		{"garbage", []byte("hello"), 0, 0, "neither PEM nor"},
		{"corrupt-second-block", corrupt, 0, lines + 1, "corrupt PEM block"},
		{"private-key", append(append([]byte{}, a.CertPEM...), key...), 0, lines + 1, "private key"},
		{"trusted-certificate", []byte(strings.ReplaceAll(string(a.CertPEM), "CERTIFICATE", "TRUSTED CERTIFICATE")), 0, 1, "TRUSTED CERTIFICATE"},
		{"pkcs7", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: []byte{1}}), 0, 1, "PKCS #7"},
		{"headers", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: a.Cert.Raw}), 0, 1, "headers"},
		{"bad-der-in-pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 1, 2, 3}}), 0, 1, "invalid certificate"},
		{"pem-no-cert", []byte("-----BEGIN nothing"), 0, 1, "corrupt PEM block"},
		{"trailing-whitespace", append(append([]byte{}, a.CertPEM...), " \n\t\r\n"...), 1, 0, ""},
		{"trailing-junk", append(append([]byte{}, a.CertPEM...), "\n  junk\n"...), 0, lines + 2, "trailing data"},
		{"trailing-junk-same-line", append(bytes.TrimSuffix(a.CertPEM, []byte("\n")), "xyz"...), 0, 1, "corrupt PEM block"},
		{"trailing-binary", append(append([]byte{}, b.CertPEM...), 0, 1, 2), 0, lines + 1, "trailing data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			certs, err := ParseCertificates("f.pem", c.data)
			if c.reason == "" {
				if err != nil || len(certs) != c.n {
					t.Fatalf("ParseCertificates = %d certs, %v; want %d", len(certs), err, c.n)
				}
				return
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("ParseCertificates error = %v (%T), want *LoadError", err, err)
			}
			if le.File != "f.pem" || le.Line != c.line || !strings.Contains(le.Reason, c.reason) {
				t.Errorf("LoadError = %+v, want line %d reason %q", le, c.line, c.reason)
			}
		})
	}
}

func TestExtraSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, c, d := certmint.NewCA(t, "A"), certmint.NewCA(t, "B"), certmint.NewCA(t, "C"), certmint.NewCA(t, "D")
	cadir := filepath.Join(dir, "cas")
	os.Mkdir(cadir, 0o755)
	write(t, filepath.Join(cadir, "a.pem"), a.CertPEM)
	write(t, filepath.Join(cadir, "b.cer"), b.Cert.Raw) // DER accepted in extra directories
	write(t, filepath.Join(cadir, "1a2b3c4d.0"), c.CertPEM)
	write(t, filepath.Join(cadir, "1a2b3c4d.r0"), []byte("a CRL, not loaded"))
	write(t, filepath.Join(cadir, "README"), []byte("not loaded"))
	os.Symlink("a.pem", filepath.Join(cadir, "deadbeef.0")) // c_rehash link: a duplicate
	derFile := write(t, filepath.Join(dir, "d.der"), d.Cert.Raw)

	cfg := &Config{NoSystemRoots: true, Extra: []Source{
		{Path: cadir},
		{Path: derFile},
		{PEM: a.CertPEM, Name: "inline"},
		{DER: d.Cert.Raw},
	}}
	p, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	rep := p.Report()
	if rep.Total != 4 {
		t.Errorf("Total = %d, want 4 distinct roots", rep.Total)
	}
	dirRep := rep.Sources[1]
	if dirRep.Kind != SourceExtraDir || dirRep.Loaded != 3 || dirRep.Duplicates != 1 || len(dirRep.Rejected) != 2 {
		t.Errorf("directory report = %+v", dirRep)
	}
	if s := rep.Sources[3]; s.Name != "inline" || s.Duplicates != 1 || s.Loaded != 0 {
		t.Errorf("inline report = %+v, want a duplicate", s)
	}
	for _, ca := range []*certmint.CA{a, b, c, d} {
		leaf := ca.Leaf(t, []string{"x.example"})
		if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: p.CertPool(), DNSName: "x.example"}); err != nil {
			t.Errorf("leaf from %s does not verify: %v", ca.Cert.Subject.CommonName, err)
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Error(err)
	}

	// Strict failures, each a *LoadError naming the file.
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	for name, src := range map[string]Source{
		filepath.Join(dir, "missing.pem"): {Path: filepath.Join(dir, "missing.pem")},
		empty:                             {Path: empty},
		"key.pem":                         {PEM: a.KeyPEM, Name: "key.pem"},
		"der[0]":                          {DER: []byte("nope")},
		"extra[0]":                        {},
		"scoped":                          {PEM: a.CertPEM, Name: "scoped", Hosts: []string{"foo*bar"}},
	} {
		_, err := (&Config{NoSystemRoots: true, Extra: []Source{src}}).Build()
		var le *LoadError
		if !errors.As(err, &le) || le.File != name {
			t.Errorf("Build(%s) = %v, want *LoadError for %s", name, err, name)
		}
	}
	_, err = (&Config{NoSystemRoots: true, Extra: []Source{{Path: filepath.Join(dir, "missing.pem")}}}).Build()
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file error %v does not wrap fs.ErrNotExist", err)
	}
}

// TestSystemMatchesGo checks that with the platform defaults the pool
// holds exactly what x509.SystemCertPool holds.
func TestSystemMatchesGo(t *testing.T) {
	t.Parallel()
	cfg := FromEnvironment(nil) // read-only use of the process environment
	p, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	sys, err := x509.SystemCertPool()
	if err != nil {
		t.Skip("no system roots:", err)
	}
	if !p.CertPool().Equal(sys) {
		t.Errorf("pool differs from x509.SystemCertPool() (%d roots loaded)", p.Report().Total)
	}
	// Merging keeps every system root.
	extra := certmint.NewCA(t, "Corp")
	cfg.Extra = []Source{{PEM: extra.CertPEM}}
	p2, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	sys.AddCert(extra.Cert)
	if !p2.CertPool().Equal(sys) {
		t.Errorf("merged pool is not system roots + the extra CA")
	}
}

func TestSystemVariables(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, c := certmint.NewCA(t, "Bundle CA"), certmint.NewCA(t, "Dir CA"), certmint.NewCA(t, "Env CA")
	bundleFile := write(t, filepath.Join(dir, "bundle.crt"), a.CertPEM)
	certDir := filepath.Join(dir, "certs")
	os.Mkdir(certDir, 0o755)
	write(t, filepath.Join(certDir, "dir.pem"), b.CertPEM)
	write(t, filepath.Join(certDir, "der.crt"), a.Cert.Raw)
	envFile := write(t, filepath.Join(dir, "env.pem"), c.CertPEM)
	derFile := write(t, filepath.Join(dir, "der.cer"), c.Cert.Raw)
	junkFile := write(t, filepath.Join(dir, "junk.pem"), []byte("\x00\x01not a certificate\n"))
	emptyDir := filepath.Join(dir, "empty")
	os.Mkdir(emptyDir, 0o755)
	linkDir := filepath.Join(dir, "links")
	os.Mkdir(linkDir, 0o755)
	write(t, filepath.Join(linkDir, "ok.pem"), b.CertPEM)
	if err := os.Symlink(filepath.Join(dir, "gone.pem"), filepath.Join(linkDir, "dangling.pem")); err != nil {
		t.Fatal(err)
	}
	base := Config{GOOS: "linux", SystemFiles: []string{filepath.Join(dir, "nope.crt"), bundleFile}, SystemDirs: []string{certDir}}

	codes := func(r *Report) WarningCode {
		var s []string
		for _, w := range r.Warnings {
			s = append(s, string(w.Code))
		}
		return WarningCode(strings.Join(s, ","))
	}
	cases := []struct {
		name     string
		file     string
		dir      string
		goos     string
		total    int
		warnings WarningCode
	}{
		{"defaults", "", "", "", 2, WarnDERIgnored},
		{"cert-file-keeps-dirs", envFile, "", "", 2, WarnCertFileNoReplace + "," + WarnDERIgnored},
		{"cert-file-and-dir", envFile, filepath.Join(dir, "nodir"), "", 1, WarnCertDirMissing},
		{"cert-file-missing", filepath.Join(dir, "typo.pem"), filepath.Join(dir, "nodir"), "", 0,
			WarnCertFileMissing + "," + WarnCertDirMissing + "," + WarnNoRoots},
		{"cert-dir-list", "", certDir + ":" + dir, "", 3, WarnDERIgnored + "," + WarnDERIgnored + "," + WarnNoCertificates},
		{"darwin-ignores", envFile, certDir, "darwin", -1, WarnEnvIgnored + "," + WarnEnvIgnored},
		{"cert-file-der", derFile, emptyDir, "", 0, WarnDERIgnored + "," + WarnNoRoots},
		{"cert-file-garbage", junkFile, emptyDir, "", 0, WarnNoCertificates + "," + WarnNoRoots},
		{"cert-file-is-dir", emptyDir, emptyDir, "", 0, WarnUnreadable + "," + WarnNoRoots},
		{"cert-dir-dangling-link", envFile, linkDir, "", 2, WarnUnreadable},
		{"cert-dir-garbage", envFile, dir + ":" + emptyDir, "", 2, WarnDERIgnored + "," + WarnNoCertificates},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			cfg.SSLCertFile, cfg.SSLCertDir = tc.file, tc.dir
			if tc.goos != "" {
				cfg.GOOS = tc.goos
			}
			p, err := cfg.Build()
			if err != nil {
				t.Fatal(err)
			}
			r := p.Report()
			if tc.total >= 0 && r.Total != tc.total {
				t.Errorf("Total = %d, want %d; sources %+v", r.Total, tc.total, r.Sources)
			}
			if got := codes(r); got != tc.warnings {
				t.Errorf("warnings = %s, want %s (%v)", got, tc.warnings, r.Warnings)
			}
			// A file or directory from which nothing could be used is
			// never reported as loaded.
			for _, s := range r.Sources {
				if s.Kind == SourceSystemFile && s.Status == StatusLoaded && s.Loaded == 0 && s.Duplicates == 0 {
					t.Errorf("source %s %s: status loaded with nothing loaded (%+v)", s.Kind, s.Name, s)
				}
				if s.Status == StatusError && len(s.Rejected) == 0 {
					t.Errorf("source %s %s: status error without a rejected entry", s.Kind, s.Name)
				}
			}
		})
	}
}

func TestMozillaFallback(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := &Config{GOOS: "linux", SystemFiles: []string{filepath.Join(dir, "none")}, SystemDirs: []string{dir}, MozillaFallback: true}
	p, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	if p.Report().Total < 100 {
		t.Errorf("fallback loaded %d roots, want the Mozilla bundle", p.Report().Total)
	}
	// Not used when the system has roots.
	write(t, filepath.Join(dir, "a.pem"), certmint.NewCA(t, "A").CertPEM)
	if p, err = cfg.Build(); err != nil || p.Report().Total != 1 {
		t.Errorf("with a system root: Total = %d, %v; want 1", p.Report().Total, err)
	}
}

func TestRootWarningsAndClientCert(t *testing.T) {
	t.Parallel()
	notCA := certmint.NewCA(t, "Pinned", certmint.WithNotCA())
	p, err := (&Config{NoSystemRoots: true, Extra: []Source{{PEM: notCA.CertPEM}}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Report().Warnings; len(w) != 1 || w[0].Code != WarnNotCA {
		t.Errorf("warnings = %v, want %s", w, WarnNotCA)
	}
	leaf := notCA.Leaf(t, []string{"c"})
	other := certmint.NewCA(t, "O").Leaf(t, []string{"c"})
	_, err = (&Config{ClientCertPEM: leaf.CertPEM, ClientKeyPEM: other.KeyPEM, NoSystemRoots: true}).Build()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Errorf("mismatched client key: %v, want *LoadError", err)
	}
	_, err = (&Config{ClientCertFile: "/nonexistent/c.pem", NoSystemRoots: true}).Build()
	if !errors.As(err, &le) {
		t.Errorf("client cert without key: %v, want *LoadError", err)
	}
}

func TestHostPatterns(t *testing.T) {
	t.Parallel()
	ca := certmint.NewCA(t, "Scoped")
	check, err := hostConstraint("s", []string{"*.corp.example", "build.local", "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	for hosts, want := range map[string]bool{
		"a.corp.example":     true,
		"a.b.corp.example":   true,
		"*.x.corp.example":   true,
		"corp.example":       false,
		"evilcorp.example":   false,
		"build.local":        true,
		"10.0.0.1":           true,
		"10.0.0.2":           false,
		"a.corp.example,x.y": false,
	} {
		leaf := ca.Leaf(t, strings.Split(hosts, ","))
		if got := check([]*x509.Certificate{leaf.Cert, ca.Cert}) == nil; got != want {
			t.Errorf("constraint(%s) allowed = %v, want %v", hosts, got, want)
		}
	}
	_ = net.ParseIP
}

// TestExtraMergesWithEnvironment checks that extra CA sources are added
// to what SSL_CERT_FILE and SSL_CERT_DIR (read through the injected
// getenv) make Go trust, and that only NoSystemRoots replaces those.
func TestExtraMergesWithEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	envCA, dirCA, extraCA := certmint.NewCA(t, "Env File CA"), certmint.NewCA(t, "Env Dir CA"), certmint.NewCA(t, "Extra CA")
	certDir := filepath.Join(dir, "certs")
	os.Mkdir(certDir, 0o755)
	write(t, filepath.Join(certDir, "dir.pem"), dirCA.CertPEM)
	env := map[string]string{
		"SSL_CERT_FILE": write(t, filepath.Join(dir, "env.pem"), envCA.CertPEM),
		"SSL_CERT_DIR":  certDir,
	}
	getenv := func(k string) string { return env[k] }
	extra := []Source{{PEM: extraCA.CertPEM, Name: "extra"}}

	trusts := func(p *Pool, ca *certmint.CA) bool {
		leaf := ca.Leaf(t, []string{"host.example"})
		_, err := leaf.Cert.Verify(x509.VerifyOptions{DNSName: "host.example", Roots: p.CertPool()})
		return err == nil
	}
	cases := []struct {
		name                string
		cfg                 *Config
		envFile, envDir, ex bool
	}{
		{"from-environment", func() *Config { c := FromEnvironment(getenv); c.Extra = extra; return c }(), true, true, true},
		{"getenv-field", &Config{Getenv: getenv, Extra: extra}, true, true, true},
		{"field-wins", &Config{Getenv: getenv, SSLCertFile: filepath.Join(dir, "none.pem"), Extra: extra}, false, true, true},
		{"replace-explicitly", &Config{Getenv: getenv, NoSystemRoots: true, Extra: extra}, false, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.GOOS = "linux"
			p, err := c.cfg.Build()
			if err != nil {
				t.Fatal(err)
			}
			if got := trusts(p, envCA); got != c.envFile {
				t.Errorf("trusts the SSL_CERT_FILE CA = %v, want %v (%+v)", got, c.envFile, p.Report().Sources)
			}
			if got := trusts(p, dirCA); got != c.envDir {
				t.Errorf("trusts the SSL_CERT_DIR CA = %v, want %v", got, c.envDir)
			}
			if got := trusts(p, extraCA); got != c.ex {
				t.Errorf("trusts the extra CA = %v, want %v", got, c.ex)
			}
		})
	}
}

func TestPoolRoots(t *testing.T) {
	t.Parallel()
	a := certmint.NewCA(t, "Roots A")
	b := certmint.NewCA(t, "Roots B (scoped)")
	p, err := (&Config{NoSystemRoots: true, Extra: []Source{
		{PEM: a.CertPEM},
		{PEM: b.CertPEM, Hosts: []string{"git.corp.example"}},
	}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	roots := p.Roots()
	if len(roots) != 1 || !roots[0].Equal(a.Cert) {
		var names []string
		for _, c := range roots {
			names = append(names, c.Subject.CommonName)
		}
		t.Errorf("Roots() = %q, want only %q (scoped CAs left out)", names, a.Cert.Subject.CommonName)
	}
	if (*Pool)(nil).Roots() != nil {
		t.Error("nil Pool: Roots() != nil")
	}
}

// TestConfigReport checks that the report, warnings included, is
// available without a network and even when Build fails.
func TestConfigReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := &Config{GOOS: "linux", SSLCertFile: filepath.Join(dir, "typo.pem"), SSLCertDir: dir,
		Extra:          []Source{{Path: filepath.Join(dir, "missing-extra.pem")}},
		ClientCertFile: filepath.Join(dir, "client.pem"), ClientKeyFile: filepath.Join(dir, "client.key")}
	if _, err := cfg.Build(); err == nil {
		t.Fatal("Build succeeded with a missing extra source")
	}
	r := cfg.Report()
	var codes []WarningCode
	for _, w := range r.Warnings {
		codes = append(codes, w.Code)
	}
	if !slices.Contains(codes, WarnCertFileMissing) || !slices.Contains(codes, WarnNoRoots) {
		t.Errorf("warnings = %v, want %s and %s", codes, WarnCertFileMissing, WarnNoRoots)
	}
	failed := map[SourceKind]bool{}
	for _, s := range r.Sources {
		if s.Status == StatusError && s.Error != "" {
			failed[s.Kind] = true
		}
	}
	if !failed[SourceExtraFile] || !failed[SourceClientCert] {
		t.Errorf("sources %+v, want the extra file and the client certificate with status error", r.Sources)
	}
}
