package trust

import (
	"fmt"
	"strings"
)

// trustCAHints says how to trust the CA certificate described by what
// (for example `the root "CN=Corp Root"`): for a person (user), in the
// terms of the platform Go runs on — SSL_CERT_DIR and SSL_CERT_FILE where
// crypto/x509 reads them, the system store where the platform verifier
// decides — and for a program (api), with [Config.Extra].
func trustCAHints(p *Pool, what string) (user, api string) {
	api = fmt.Sprintf("add %s to Config.Extra (trust.Source{Path: \"/path/ca.pem\"}), which merges it with the system roots", what)
	goos := defaultGOOS()
	if p != nil && p.goos != "" {
		goos = p.goos
	}
	if platformVerifier(goos) {
		// crypto/x509 ignores SSL_CERT_FILE and SSL_CERT_DIR here.
		return fmt.Sprintf("save %s as ca.crt and add it to the system store: %s", what, systemStoreCommand(p)), api
	}
	dirs, bundle := systemLocations(p, goos)
	var b strings.Builder
	fmt.Fprintf(&b, "save %s as a PEM file in a directory of its own and run with SSL_CERT_DIR=/path/dir", what)
	if len(dirs) > 0 {
		fmt.Fprintf(&b, ":%s (listing the system directories too keeps their roots)", strings.Join(dirs, ":"))
	}
	if bundle != "" {
		fmt.Fprintf(&b, ", or append it to a copy of %s and set SSL_CERT_FILE=/path/ca.pem to that copy", bundle)
	} else {
		b.WriteString(", or set SSL_CERT_FILE=/path/ca.pem to a bundle holding it and the public roots")
	}
	if cmd := systemStoreCommand(p); cmd != "" {
		fmt.Fprintf(&b, "; to trust it system-wide: %s", cmd)
	}
	return b.String(), api
}

// systemLocations returns the certificate directories and the bundle file
// Go read for p (or would read by default on goos).
func systemLocations(p *Pool, goos string) (dirs []string, bundle string) {
	if p != nil && p.report != nil {
		for _, s := range p.report.Sources {
			switch {
			case s.Kind == SourceSystemDir && s.Status == StatusLoaded:
				dirs = append(dirs, s.Name)
			case s.Kind == SourceSystemFile && s.Status == StatusLoaded && bundle == "":
				bundle = s.Name
			}
		}
		if len(dirs) > 0 || bundle != "" {
			return dirs, bundle
		}
	}
	files, dirs := defaultLocations(goos)
	if len(files) > 0 {
		bundle = files[0]
	}
	return dirs, bundle
}

// proxyNote names the proxy a connection went through, if any, for a
// hint: " (http://proxy:3128)".
func proxyNote(proxy string) string {
	if proxy == "" {
		return ""
	}
	return " (" + proxy + ")"
}

// systemStoreCommand returns the command that adds ca.crt to the system
// store of p's platform, or "" if it is not known.
func systemStoreCommand(p *Pool) string {
	cmd, ok := strings.CutPrefix(installHint(p), "system store: ")
	if !ok {
		return ""
	}
	return cmd
}
