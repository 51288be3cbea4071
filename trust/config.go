package trust

import (
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"time"
)

// Config lists the sources of trust a [Pool] is built from. It is a plain
// value: build one literally in tests, or with [FromEnvironment]. A Config
// is read only by [Config.Build]; later edits do not affect pools already
// built from it.
//
// The zero Config means "what Go itself trusts" with SSL_CERT_FILE and
// SSL_CERT_DIR unset: the system roots. Extra sources are always merged
// with the system roots, including what SSL_CERT_FILE and SSL_CERT_DIR
// make Go trust when they are given (in the fields, through Getenv, or by
// [FromEnvironment]); only NoSystemRoots replaces them.
type Config struct {
	// SSLCertFile is the value of SSL_CERT_FILE. When non-empty it
	// replaces the platform's list of candidate bundle files — but not its
	// certificate directories — exactly as crypto/x509 does on Unix
	// systems other than macOS. It is ignored (with a warning) on macOS,
	// iOS and Windows.
	SSLCertFile string
	// SSLCertDir is the value of SSL_CERT_DIR: a colon-separated list of
	// directories replacing the platform's certificate directories, as in
	// crypto/x509. Ignored (with a warning) on macOS, iOS and Windows.
	SSLCertDir string

	// Getenv, if non-nil, supplies SSL_CERT_FILE and SSL_CERT_DIR when
	// SSLCertFile and SSLCertDir are empty, so that a Config written
	// for its extra sources still honours the variables, as Go does.
	// Build calls it once per variable. The package never reads the
	// process environment on its own: pass os.Getenv for that.
	Getenv func(string) string

	// NoSystemRoots leaves the system roots out, so only Extra (and the
	// fallback, if enabled) are trusted.
	NoSystemRoots bool

	// MozillaFallback adds the Mozilla root bundle embedded from
	// golang.org/x/crypto/x509roots/fallback/bundle when the system roots
	// are empty (as in scratch or distroless images). It never affects
	// the process: no x509.SetFallbackRoots, no GODEBUG.
	MozillaFallback bool

	// Extra lists additional CA sources merged with the system roots.
	// They are loaded strictly: any problem makes Build fail.
	Extra []Source

	// ClientCertFile and ClientKeyFile name a PEM certificate (chain) and
	// private key presented when a server (typically a private proxy)
	// requests a client certificate. ClientCertPEM and ClientKeyPEM give
	// the same in memory and take precedence.
	ClientCertFile, ClientKeyFile string
	ClientCertPEM, ClientKeyPEM   []byte

	// GOOS selects the platform rules (default runtime.GOOS).
	GOOS string
	// SystemFiles and SystemDirs replace the platform's default bundle
	// files and certificate directories (the lists crypto/x509 uses).
	// Nil means the platform defaults; they matter only on Unix systems
	// other than macOS.
	SystemFiles, SystemDirs []string
	// OSRelease is the os-release file used to tailor install hints
	// (default /etc/os-release).
	OSRelease string

	// Now returns the current time, used to flag expired roots and to
	// diagnose validity errors. Nil means time.Now.
	Now func() time.Time
}

// A Source is one extra CA source. Exactly one of Path, PEM and DER is
// set.
type Source struct {
	// Path is a PEM bundle file, a DER certificate file, or a directory
	// whose *.pem, *.crt, *.cer and OpenSSL hash-named (HHHHHHHH.N) files
	// are loaded (not recursively).
	Path string `json:"path,omitempty"`
	// PEM holds PEM-encoded certificates.
	PEM []byte `json:"-"`
	// DER holds one or more concatenated DER-encoded certificates.
	DER []byte `json:"-"`
	// Name labels an in-memory source in reports and errors
	// (default "pem[i]" or "der[i]").
	Name string `json:"name,omitempty"`
	// Hosts, if non-empty, limits the CAs of this source to servers whose
	// certificate names only these hosts: exact host names or IP
	// addresses, or "*.suffix" for any name below suffix (at any depth).
	// A scoped CA cannot vouch for anything else, such as a public module
	// proxy.
	Hosts []string `json:"hosts,omitempty"`
}

// FromEnvironment returns a Config with SSLCertFile and SSLCertDir read
// through getenv. If getenv is nil it reads the process environment with
// os.Getenv; this is the only place the package consults it.
func FromEnvironment(getenv func(string) string) *Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &Config{
		SSLCertFile: getenv("SSL_CERT_FILE"),
		SSLCertDir:  getenv("SSL_CERT_DIR"),
	}
}

// sslCertFile returns SSL_CERT_FILE as the Config gives it.
func (c *Config) sslCertFile() string {
	if c.SSLCertFile == "" && c.Getenv != nil {
		return c.Getenv("SSL_CERT_FILE")
	}
	return c.SSLCertFile
}

// sslCertDir returns SSL_CERT_DIR as the Config gives it.
func (c *Config) sslCertDir() string {
	if c.SSLCertDir == "" && c.Getenv != nil {
		return c.Getenv("SSL_CERT_DIR")
	}
	return c.SSLCertDir
}

func (c *Config) goos() string {
	if c.GOOS != "" {
		return c.GOOS
	}
	return runtime.GOOS
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// platformVerifier reports whether goos verifies with the operating
// system (and ignores SSL_CERT_FILE / SSL_CERT_DIR).
func platformVerifier(goos string) bool {
	switch goos {
	case "darwin", "ios", "windows":
		return true
	}
	return false
}

// defaultLocations returns crypto/x509's candidate bundle files ("stop
// after finding one") and certificate directories ("all are read") for
// goos.
func defaultLocations(goos string) (files, dirs []string) {
	switch goos {
	case "linux", "android":
		files = []string{
			"/etc/ssl/certs/ca-certificates.crt",
			"/etc/pki/tls/certs/ca-bundle.crt",
			"/etc/ssl/ca-bundle.pem",
			"/etc/pki/tls/cacert.pem",
			"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
			"/etc/ssl/cert.pem",
		}
		dirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}
		if goos == "android" {
			dirs = append(dirs, "/system/etc/security/cacerts", "/data/misc/keychain/certs-added")
		}
	case "freebsd", "openbsd", "netbsd", "dragonfly":
		files = []string{
			"/usr/local/etc/ssl/cert.pem",
			"/etc/ssl/cert.pem",
			"/usr/local/share/certs/ca-root-nss.crt",
			"/etc/openssl/certs/ca-certificates.crt",
		}
		dirs = []string{"/etc/ssl/certs", "/usr/local/share/certs", "/etc/openssl/certs"}
	case "solaris", "illumos":
		files = []string{"/etc/certs/ca-certificates.crt", "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cacert.pem"}
		dirs = []string{"/etc/certs/CA"}
	case "aix":
		files = []string{"/var/ssl/certs/ca-bundle.crt"}
		dirs = []string{"/var/ssl/certs"}
	}
	return files, dirs
}

// hostConstraint compiles a Source's Hosts into a chain constraint for
// x509.CertPool.AddCertWithConstraint: every DNS and IP name in the leaf
// must be allowed. A leaf with no names at all is rejected.
func hostConstraint(source string, hosts []string) (func(chain []*x509.Certificate) error, error) {
	var exact = map[string]bool{}
	var suffixes []string
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		switch {
		case strings.HasPrefix(h, "*.") && len(h) > 2 && !strings.Contains(h[2:], "*"):
			suffixes = append(suffixes, h[1:]) // keep the leading dot
		case h != "" && !strings.Contains(h, "*") && !strings.ContainsAny(h, "/ :@") || net.ParseIP(h) != nil:
			exact[h] = true
		default:
			return nil, &LoadError{File: source, Reason: fmt.Sprintf("invalid host pattern %q (want a host name, an IP address or *.suffix)", h)}
		}
	}
	allowed := func(name string) bool {
		name = strings.ToLower(strings.TrimSuffix(name, "."))
		if exact[name] {
			return true
		}
		// A wildcard SAN "*.a.corp.example" is allowed by "*.corp.example"
		// because every name it covers is.
		for _, s := range suffixes {
			if strings.HasSuffix(name, s) && len(name) > len(s) {
				return true
			}
		}
		return false
	}
	return func(chain []*x509.Certificate) error {
		leaf := chain[0]
		n := 0
		for _, d := range leaf.DNSNames {
			n++
			if !allowed(d) {
				return fmt.Errorf("trust: CA from %s is limited to %s; certificate names %q", source, strings.Join(hosts, ", "), d)
			}
		}
		for _, ip := range leaf.IPAddresses {
			n++
			if !allowed(ip.String()) {
				return fmt.Errorf("trust: CA from %s is limited to %s; certificate names %s", source, strings.Join(hosts, ", "), ip)
			}
		}
		if n == 0 {
			return fmt.Errorf("trust: CA from %s is limited to %s; certificate has no DNS or IP names", source, strings.Join(hosts, ", "))
		}
		return nil
	}, nil
}
