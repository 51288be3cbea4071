package trust

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// A Pool is an immutable, merged set of trusted roots built by
// [Config.Build], with the optional client certificate and the report of
// how it was built. It is safe for concurrent use. A nil *Pool stands for
// the system roots as crypto/tls uses them.
type Pool struct {
	roots    *x509.CertPool // what clients verify against
	system   *x509.CertPool // system part only (platform marker on macOS/Windows)
	extra    *x509.CertPool // extra sources only, unscoped (for diagnosis)
	platform bool
	client   *tls.Certificate
	report   *Report
	goos     string
	osRel    string
	now      func() time.Time
	watch    []string // paths whose changes should trigger a reload

	unscoped  []*x509.Certificate // every root added without a host scope
	subjects  map[string]bool     // RawSubject of every root added
	tlsConfig *tls.Config         // shared, never modified

	mozillaOnce sync.Once
	mozilla     *x509.CertPool
}

// Roots returns the roots of p that apply to every host, in the order they
// were added, for programs that must hand the same trust to another TLS
// stack (git's sslCAInfo, a PEM bundle). CAs scoped to some hosts are left
// out, and on macOS and Windows, where the platform verifier holds the
// system roots, so are those (crypto/x509 cannot list them). The slice is
// shared: callers must not modify it.
func (p *Pool) Roots() []*x509.Certificate {
	if p == nil {
		return nil
	}
	return p.unscoped
}

// Build loads every source in c and returns the merged pool. System
// sources are read leniently, exactly as crypto/x509 reads them (what Go
// would silently skip is listed in the report instead); Extra sources and
// client certificate files are strict: any problem is returned as a
// *[LoadError] (several are joined with errors.Join), and no pool is
// built.
func (c *Config) Build() (*Pool, error) {
	p, errs := c.build()
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// Report reads every source of c as [Config.Build] does and returns the
// report of what it found — also when Build would fail, in which case the
// failing sources have status error and say why. Like Build, it makes no
// network connection: the warnings (a missing SSL_CERT_FILE, unreadable
// or unusable CA files, expired roots, ...) are known from the files
// alone.
func (c *Config) Report() *Report {
	p, _ := c.build()
	return p.report
}

// build loads every source; the pool is complete even when errs is not
// empty, for the report's sake.
func (c *Config) build() (*Pool, []error) {
	p := &Pool{goos: c.goos(), osRel: c.OSRelease, now: c.Now}
	if p.now == nil {
		p.now = time.Now
	}
	b := &builder{cfg: c, p: p, fsys: osFS{}, seen: map[[32]byte]string{}}
	rep := &Report{GOOS: p.goos}
	p.report = rep
	b.rep = rep

	b.loadSystem()
	var errs []error
	for i, s := range c.Extra {
		if err := b.loadExtra(i, s); err != nil {
			errs = append(errs, err)
		}
	}
	b.loadFallback()
	if err := b.loadClientCert(); err != nil {
		errs = append(errs, err)
		name := c.ClientCertFile
		if c.ClientCertPEM != nil || c.ClientKeyPEM != nil || name == "" {
			name = "ClientCertPEM"
		}
		rep.Sources = append(rep.Sources, &SourceReport{Kind: SourceClientCert, Name: name, Status: StatusError, Error: err.Error()})
	}
	if p.roots == nil {
		p.roots = x509.NewCertPool()
	}
	p.tlsConfig = &tls.Config{
		RootCAs:              p.roots,
		MinVersion:           tls.VersionTLS12,
		GetClientCertificate: p.getClientCertificate,
	}
	rep.Platform = p.platform
	rep.Total = b.total
	if rep.Total == 0 && !p.platform {
		rep.warn(WarnNoRoots, "no trusted roots were loaded: every TLS connection will fail with unknown-authority; install your distribution's ca-certificates package, add a CA source, or enable the Mozilla fallback")
	}
	return p, errs
}

type builder struct {
	cfg   *Config
	p     *Pool
	rep   *Report
	fsys  fileSystem
	seen  map[[32]byte]string // SHA-256 of every root added → source
	total int
	sys   int // certificates from system sources
}

func (b *builder) addRoot(c *x509.Certificate, src string, sr *SourceReport, constraint func([]*x509.Certificate) error) {
	sum := sha256.Sum256(c.Raw)
	if prev, ok := b.seen[sum]; ok {
		sr.Duplicates++
		if constraint != nil && prev != src {
			b.rep.warn(WarnScopeMoot, fmt.Sprintf("%s: CA %q is scoped here but already trusted without limits from %s", src, c.Subject.String(), prev))
		}
		return
	}
	b.seen[sum] = src
	if b.p.subjects == nil {
		b.p.subjects = map[string]bool{}
	}
	b.p.subjects[string(c.RawSubject)] = true
	sr.Loaded++
	b.total++
	if b.p.roots == nil {
		b.p.roots = x509.NewCertPool()
	}
	if constraint != nil {
		b.p.roots.AddCertWithConstraint(c, constraint)
	} else {
		b.p.roots.AddCert(c)
		b.p.unscoped = append(b.p.unscoped, c)
	}
	now := b.cfg.now()
	if now.After(c.NotAfter) {
		b.rep.warn(WarnExpiredRoot, fmt.Sprintf("%s: root %q expired on %s", src, c.Subject.String(), c.NotAfter.UTC().Format(time.DateOnly)))
	}
	if !c.IsCA || !c.BasicConstraintsValid {
		b.rep.warn(WarnNotCA, fmt.Sprintf("%s: %q is not a CA certificate: it can vouch only for itself", src, c.Subject.String()))
	}
}

// loadSystem adds the system roots.
func (b *builder) loadSystem() {
	c, p := b.cfg, b.p
	sslCertFile, sslCertDir := c.sslCertFile(), c.sslCertDir()
	if c.NoSystemRoots {
		b.rep.Sources = append(b.rep.Sources, &SourceReport{Kind: SourceSystem, Name: "system roots", Status: StatusDisabled})
		return
	}
	if platformVerifier(p.goos) {
		for _, v := range [][2]string{{"SSL_CERT_FILE", sslCertFile}, {"SSL_CERT_DIR", sslCertDir}} {
			if v[1] != "" {
				b.rep.warn(WarnEnvIgnored, fmt.Sprintf("%s is set but Go ignores it on %s: the platform verifier decides; add the CA to the system store or as an extra source", v[0], p.goos))
			}
		}
		sp, err := x509.SystemCertPool()
		sr := &SourceReport{Kind: SourcePlatform, Name: "platform verifier", Status: StatusLoaded}
		if err != nil {
			sr.Status, sr.Error = StatusError, err.Error()
			sp = x509.NewCertPool()
		} else {
			p.platform = true
		}
		b.rep.Sources = append(b.rep.Sources, sr)
		p.roots = sp.Clone()
		p.system = sp
		return
	}
	files, dirs := defaultLocations(p.goos)
	if c.SystemFiles != nil {
		files = c.SystemFiles
	}
	if c.SystemDirs != nil {
		dirs = c.SystemDirs
	}
	fileVar, dirVar := "", ""
	if sslCertFile != "" {
		files, fileVar = []string{sslCertFile}, "SSL_CERT_FILE"
	}
	if sslCertDir != "" {
		dirs, dirVar = strings.Split(sslCertDir, ":"), "SSL_CERT_DIR"
	}
	p.system = x509.NewCertPool()
	add := func(certs []*x509.Certificate, src string, sr *SourceReport) {
		for _, cert := range certs {
			before := sr.Loaded
			b.addRoot(cert, src, sr, nil)
			if sr.Loaded > before {
				p.system.AddCert(cert)
				b.sys++
			}
		}
	}
	// crypto/x509 reads the first readable bundle file and stops.
	found := false
	for _, f := range files {
		b.p.watch = append(b.p.watch, f)
		sr := &SourceReport{Kind: SourceSystemFile, Name: f, Variable: fileVar}
		b.rep.Sources = append(b.rep.Sources, sr)
		if found {
			sr.Status = StatusNotConsulted
			continue
		}
		data, err := b.fsys.ReadFile(f)
		if err != nil {
			sr.Status, sr.Error = statusFor(err), err.Error()
			switch {
			case fileVar != "" && errors.Is(err, fs.ErrNotExist):
				b.rep.warn(WarnCertFileMissing, fmt.Sprintf("SSL_CERT_FILE names %s, which does not exist: Go silently trusts nothing from it (and no default bundle file)", f))
			case !errors.Is(err, fs.ErrNotExist):
				b.rep.warn(WarnUnreadable, fmt.Sprintf("%s%s cannot be read (%v): Go silently skips it", f, via(fileVar), errText(err)))
			}
			continue
		}
		// crypto/x509 stops at the first file it can read, even one
		// holding nothing it can use.
		found = true
		sr.Status = StatusLoaded
		certs, skips := lenientPEM(f, data)
		sr.Rejected = append(sr.Rejected, skips...)
		add(certs, f, sr)
		if len(certs) == 0 {
			code, reason := emptyFileReason(data)
			sr.Status, sr.Error = StatusError, "no certificate Go can use: "+reason
			sr.Rejected = append(sr.Rejected, skipped{File: f, Reason: reason + " (ignored by Go)"})
			b.rep.warn(code, fmt.Sprintf("%s%s holds no PEM certificate (%s): Go reads it, stops looking for other bundle files and trusts nothing from it; convert or replace it (for a DER certificate: openssl x509 -inform der -in FILE -out FILE.pem)", f, via(fileVar), reason))
		}
	}
	if fileVar != "" && dirVar == "" {
		b.rep.warn(WarnCertFileNoReplace, fmt.Sprintf("SSL_CERT_FILE=%s replaces only the default bundle file; Go still reads the default directories %s; set SSL_CERT_DIR too for an exclusive set", sslCertFile, strings.Join(dirs, ":")))
	}
	for _, d := range dirs {
		b.p.watch = append(b.p.watch, d)
		sr := &SourceReport{Kind: SourceSystemDir, Name: d, Variable: dirVar}
		b.rep.Sources = append(b.rep.Sources, sr)
		entries, err := b.fsys.ReadDir(d)
		if err != nil {
			sr.Status, sr.Error = statusFor(err), err.Error()
			switch {
			case dirVar != "" && errors.Is(err, fs.ErrNotExist):
				b.rep.warn(WarnCertDirMissing, fmt.Sprintf("SSL_CERT_DIR names %s, which does not exist", d))
			case !errors.Is(err, fs.ErrNotExist):
				b.rep.warn(WarnUnreadable, fmt.Sprintf("directory %s%s cannot be read (%v): Go silently skips it", d, via(dirVar), errText(err)))
			}
			continue
		}
		sr.Status = StatusLoaded
		der, junk, unreadable := 0, 0, 0
		for _, e := range entries {
			// crypto/x509 skips symlinks to files in the same directory
			// (c_rehash links), which would only repeat certificates.
			if e.Type()&fs.ModeSymlink != 0 {
				if t, err := b.fsys.Readlink(d + "/" + e.Name()); err == nil && !strings.Contains(t, "/") {
					continue
				}
			}
			name := d + "/" + e.Name()
			data, err := b.fsys.ReadFile(name)
			if err != nil {
				// crypto/x509 skips unreadable entries (and
				// subdirectories) without a word.
				if fi, serr := b.fsys.Stat(name); serr == nil && fi.IsDir() {
					continue
				}
				unreadable++
				sr.Rejected = append(sr.Rejected, skipped{File: name, Reason: "cannot be read (ignored by Go): " + errText(err)})
				continue
			}
			sr.Files++
			certs, skips := lenientPEM(name, data)
			sr.Rejected = append(sr.Rejected, skips...)
			if len(certs) == 0 && len(skips) == 0 {
				code, reason := emptyFileReason(data)
				if code == WarnDERIgnored {
					der++
				} else {
					junk++
				}
				sr.Rejected = append(sr.Rejected, skipped{File: name, Reason: reason + " (ignored by Go in certificate directories)"})
			}
			add(certs, name, sr)
		}
		if der > 0 {
			b.rep.warn(WarnDERIgnored, fmt.Sprintf("%s holds %d DER certificate file(s) that Go ignores (it reads only PEM there); convert them with: openssl x509 -inform der -in FILE -out FILE.pem", d, der))
		}
		if junk > 0 {
			b.rep.warn(WarnNoCertificates, fmt.Sprintf("%s holds %d file(s) without any PEM certificate, which Go ignores", d, junk))
		}
		if unreadable > 0 {
			b.rep.warn(WarnUnreadable, fmt.Sprintf("%s holds %d file(s) that cannot be read (broken links or permissions), which Go silently skips", d, unreadable))
		}
	}
}

// emptyFileReason says why data, a file without a usable PEM
// certificate, holds nothing Go reads, and which warning that is.
func emptyFileReason(data []byte) (WarningCode, string) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return WarnNoCertificates, "empty file"
	case bytes.Contains(data, pemBegin):
		return WarnNoCertificates, "no valid CERTIFICATE block"
	}
	if certs, err := x509.ParseCertificates(data); err == nil && len(certs) > 0 {
		return WarnDERIgnored, "DER certificate (Go reads only PEM here)"
	}
	return WarnNoCertificates, "neither PEM nor a certificate"
}

// via names the variable a path came from, for warnings.
func via(variable string) string {
	if variable == "" {
		return ""
	}
	return " (from " + variable + ")"
}

// errText is err's message without the path, which the warnings already
// name.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func statusFor(err error) SourceStatus {
	if errors.Is(err, fs.ErrNotExist) {
		return StatusMissing
	}
	return StatusUnreadable
}

func (b *builder) loadExtra(i int, s Source) error {
	set := 0
	for _, ok := range []bool{s.Path != "", s.PEM != nil, s.DER != nil} {
		if ok {
			set++
		}
	}
	name := s.Name
	kind := SourceExtraFile
	switch {
	case s.Path != "":
		if name == "" {
			name = s.Path
		}
	case s.PEM != nil:
		kind = SourceExtraPEM
		if name == "" {
			name = fmt.Sprintf("pem[%d]", i)
		}
	case s.DER != nil:
		kind = SourceExtraDER
		if name == "" {
			name = fmt.Sprintf("der[%d]", i)
		}
	default:
		name = fmt.Sprintf("extra[%d]", i)
	}
	if set != 1 {
		return &LoadError{File: name, Reason: "source must set exactly one of Path, PEM and DER"}
	}
	sr := &SourceReport{Kind: kind, Name: name, Hosts: s.Hosts}
	b.rep.Sources = append(b.rep.Sources, sr)
	var constraint func([]*x509.Certificate) error
	if len(s.Hosts) > 0 {
		var err error
		if constraint, err = hostConstraint(name, s.Hosts); err != nil {
			sr.Status, sr.Error = StatusError, err.Error()
			return err
		}
	}
	var files []loadedFile
	switch {
	case s.Path != "":
		b.p.watch = append(b.p.watch, s.Path)
		if fi, err := b.fsys.Stat(s.Path); err == nil && fi.IsDir() {
			sr.Kind = SourceExtraDir
		}
		var skips []skipped
		var err error
		files, skips, err = readPath(b.fsys, s.Path)
		sr.Rejected = append(sr.Rejected, skips...)
		if err != nil {
			sr.Status, sr.Error = StatusError, err.Error()
			return err
		}
	case s.PEM != nil:
		if !strings.Contains(string(s.PEM), string(pemBegin)) {
			err := &LoadError{File: name, Reason: "no PEM certificate found"}
			sr.Status, sr.Error = StatusError, err.Error()
			return err
		}
		certs, err := ParseCertificates(name, s.PEM)
		if err != nil {
			sr.Status, sr.Error = StatusError, err.Error()
			return err
		}
		files = []loadedFile{{name, certs}}
	case s.DER != nil:
		certs, err := x509.ParseCertificates(s.DER)
		if err != nil || len(certs) == 0 {
			err := &LoadError{File: name, Reason: "invalid DER certificate", Err: err}
			sr.Status, sr.Error = StatusError, err.Error()
			return err
		}
		files = []loadedFile{{name, certs}}
	}
	sr.Status = StatusLoaded
	if b.p.extra == nil {
		b.p.extra = x509.NewCertPool()
	}
	for _, f := range files {
		sr.Files++
		for _, c := range f.certs {
			b.addRoot(c, name, sr, constraint)
			b.p.extra.AddCert(c)
			sr.Certs = append(sr.Certs, summarizeRoot(c))
		}
	}
	return nil
}

func (b *builder) loadFallback() {
	if !b.cfg.MozillaFallback {
		return
	}
	sr := &SourceReport{Kind: SourceMozilla, Name: "golang.org/x/crypto/x509roots/fallback/bundle"}
	b.rep.Sources = append(b.rep.Sources, sr)
	if b.p.platform || b.sys > 0 {
		sr.Status = StatusNotConsulted
		return
	}
	sr.Status = StatusLoaded
	for r := range bundle.Roots() {
		c, err := x509.ParseCertificate(r.Certificate)
		if err != nil {
			sr.Rejected = append(sr.Rejected, skipped{File: sr.Name, Reason: err.Error()})
			continue
		}
		b.addRoot(c, sr.Name, sr, r.Constraint)
	}
	b.rep.warn(WarnFallbackUsed, "the system has no root certificates; trusting the embedded Mozilla bundle instead")
}

func (b *builder) loadClientCert() error {
	c := b.cfg
	certPEM, keyPEM := c.ClientCertPEM, c.ClientKeyPEM
	certName, keyName := "ClientCertPEM", "ClientKeyPEM"
	if certPEM == nil && keyPEM == nil {
		if c.ClientCertFile == "" && c.ClientKeyFile == "" {
			return nil
		}
		if c.ClientCertFile == "" || c.ClientKeyFile == "" {
			return &LoadError{File: c.ClientCertFile + c.ClientKeyFile, Reason: "client certificate needs both a certificate and a key file"}
		}
		certName, keyName = c.ClientCertFile, c.ClientKeyFile
		var err error
		if certPEM, err = b.fsys.ReadFile(certName); err != nil {
			return &LoadError{File: certName, Reason: "cannot read client certificate", Err: err}
		}
		if keyPEM, err = b.fsys.ReadFile(keyName); err != nil {
			return &LoadError{File: keyName, Reason: "cannot read client key", Err: err}
		}
		b.p.watch = append(b.p.watch, certName, keyName)
	}
	if _, err := ParseCertificates(certName, certPEM); err != nil {
		return err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return &LoadError{File: keyName, Reason: "client key does not match the certificate or cannot be parsed", Err: err}
	}
	b.p.client = &cert
	b.rep.Sources = append(b.rep.Sources, &SourceReport{Kind: SourceClientCert, Name: certName, Status: StatusLoaded, Loaded: 1, Certs: []CertInfo{summarize(cert.Leaf)}})
	return nil
}

// CertPool returns the merged root pool. The caller must not modify it;
// it may be shared by many clients. On a nil Pool it returns nil, which
// crypto/tls takes to mean the system roots.
func (p *Pool) CertPool() *x509.CertPool {
	if p == nil {
		return nil
	}
	return p.roots
}

// Report returns how the pool was built. The caller must not modify it.
func (p *Pool) Report() *Report {
	if p == nil {
		return &Report{GOOS: "", Sources: nil}
	}
	return p.report
}

// Current returns p itself, so a *Pool is a [PoolSource] that never
// changes.
func (p *Pool) Current() *Pool { return p }

// mozillaPool returns the Mozilla bundle as a pool, built on first use.
// On a nil Pool it builds a new one each time.
func (p *Pool) mozillaPool() *x509.CertPool {
	if p == nil {
		return buildMozilla()
	}
	p.mozillaOnce.Do(func() { p.mozilla = buildMozilla() })
	return p.mozilla
}

func buildMozilla() *x509.CertPool {
	pool := x509.NewCertPool()
	for r := range bundle.Roots() {
		if c, err := x509.ParseCertificate(r.Certificate); err == nil {
			pool.AddCertWithConstraint(c, r.Constraint)
		}
	}
	return pool
}

func defaultGOOS() string { return runtime.GOOS }

// readFileLimited reads a small file (at most 64 KiB).
func readFileLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 64<<10))
}

// fileStamp is what the reloader compares to notice a changed source.
type fileStamp struct {
	size    int64
	modTime time.Time
	mode    fs.FileMode
	missing bool
}

// stamps returns the state of every watched path, and of every entry of
// watched directories.
func stamps(paths []string) map[string]fileStamp {
	m := make(map[string]fileStamp, len(paths))
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			m[path] = fileStamp{missing: true}
			continue
		}
		m[path] = fileStamp{size: fi.Size(), modTime: fi.ModTime(), mode: fi.Mode()}
		if fi.IsDir() {
			entries, _ := os.ReadDir(path)
			for _, e := range entries {
				if info, err := os.Stat(path + "/" + e.Name()); err == nil {
					m[path+"/"+e.Name()] = fileStamp{size: info.Size(), modTime: info.ModTime(), mode: info.Mode()}
				}
			}
		}
	}
	return m
}
