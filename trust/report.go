package trust

import "fmt"

// A Report describes every trust source consulted while building a
// [Pool]: what was loaded, what was left out and why, and the warnings Go
// itself keeps silent. It is meant to be printed or encoded as JSON.
type Report struct {
	// GOOS is the platform whose rules were applied.
	GOOS string `json:"goos"`
	// Platform reports whether verification starts with the operating
	// system's verifier (macOS, iOS, Windows), whose roots are not counted.
	Platform bool `json:"platformVerifier"`
	// Sources lists the sources in the order they were consulted.
	Sources []*SourceReport `json:"sources"`
	// Total is the number of distinct roots in the pool, excluding the
	// platform verifier's.
	Total int `json:"total"`
	// Warnings lists problems that do not stop the pool from being built.
	Warnings []Warning `json:"warnings,omitempty"`
}

// A SourceKind says what a [SourceReport] describes.
type SourceKind string

// Source kinds in a [SourceReport].
const (
	SourceSystem     SourceKind = "system"           // the system roots as a whole (when disabled)
	SourcePlatform   SourceKind = "platform"         // the macOS/iOS/Windows verifier
	SourceSystemFile SourceKind = "system-file"      // a candidate bundle file (or SSL_CERT_FILE)
	SourceSystemDir  SourceKind = "system-dir"       // a certificate directory (or an SSL_CERT_DIR entry)
	SourceExtraFile  SourceKind = "extra-file"       // Source.Path naming a file
	SourceExtraDir   SourceKind = "extra-dir"        // Source.Path naming a directory
	SourceExtraPEM   SourceKind = "extra-pem"        // Source.PEM
	SourceExtraDER   SourceKind = "extra-der"        // Source.DER
	SourceMozilla    SourceKind = "mozilla-fallback" // the embedded Mozilla bundle
	SourceClientCert SourceKind = "client-cert"      // the client certificate
)

// A SourceStatus says what became of a source in a [SourceReport].
type SourceStatus string

// Source statuses in a [SourceReport].
const (
	StatusLoaded       SourceStatus = "loaded"
	StatusMissing      SourceStatus = "missing"
	StatusUnreadable   SourceStatus = "unreadable"
	StatusNotConsulted SourceStatus = "not-consulted" // e.g. a later candidate bundle file, or the fallback when system roots exist
	StatusDisabled     SourceStatus = "disabled"
	StatusError        SourceStatus = "error"
)

// A SourceReport describes one consulted source.
type SourceReport struct {
	Kind SourceKind `json:"kind"`
	// Name is the path, or the label of an in-memory source.
	Name string `json:"name"`
	// Variable names the environment variable the path came from, if any.
	Variable string       `json:"variable,omitempty"`
	Status   SourceStatus `json:"status"`
	// Error is the reason for a missing, unreadable or failed source.
	Error string `json:"error,omitempty"`
	// Files is the number of files read (directories and bundles).
	Files int `json:"files,omitempty"`
	// Loaded is the number of roots this source added to the pool.
	Loaded int `json:"loaded"`
	// Duplicates counts certificates already added by an earlier source.
	Duplicates int `json:"duplicates,omitempty"`
	// Hosts is the scope of the source's CAs, if limited.
	Hosts []string `json:"hosts,omitempty"`
	// Rejected lists blocks and files left out, with the reason.
	Rejected []Rejected `json:"rejected,omitempty"`
	// Certs summarises the certificates of extra sources and the client
	// certificate (system sources are not itemised).
	Certs []CertInfo `json:"certs,omitempty"`
}

// Rejected is a file, directory entry or PEM block left out of the pool.
type Rejected struct {
	// File is the file (or in-memory source name) it came from.
	File string `json:"file"`
	// Line is the 1-based line of a PEM block, or 0 for a whole file.
	Line int `json:"line,omitempty"`
	// Reason says why it was left out.
	Reason string `json:"reason"`
}

// A WarningCode identifies the kind of a [Warning]. The values are part
// of the API and of the JSON output.
type WarningCode string

// Warning codes.
const (
	WarnCertFileMissing   WarningCode = "ssl-cert-file-missing"    // SSL_CERT_FILE names a missing file
	WarnCertDirMissing    WarningCode = "ssl-cert-dir-missing"     // an SSL_CERT_DIR entry is missing
	WarnCertFileNoReplace WarningCode = "ssl-cert-file-no-replace" // SSL_CERT_FILE alone keeps the default directories
	WarnDERIgnored        WarningCode = "der-ignored"              // DER files where Go reads only PEM
	WarnEnvIgnored        WarningCode = "env-ignored"              // SSL_CERT_* set on macOS/iOS/Windows
	WarnExpiredRoot       WarningCode = "expired-root"
	WarnNotCA             WarningCode = "not-ca-root"
	WarnNoRoots           WarningCode = "no-roots"
	WarnFallbackUsed      WarningCode = "mozilla-fallback-used"
	WarnScopeMoot         WarningCode = "scope-moot"      // a scoped CA is also trusted unscoped
	WarnNoCertificates    WarningCode = "no-certificates" // a CA file Go reads holds no PEM certificate
	WarnUnreadable        WarningCode = "unreadable"      // a CA file or directory exists but cannot be read
)

// A Warning is a problem found while building a pool that did not stop it.
type Warning struct {
	Code    WarningCode `json:"code"`
	Message string      `json:"message"`
}

func (w Warning) String() string { return fmt.Sprintf("%s: %s", w.Code, w.Message) }

func (r *Report) warn(code WarningCode, msg string) {
	r.Warnings = append(r.Warnings, Warning{Code: code, Message: msg})
}

// sourceNames returns a short description of each consulted source that
// contributed roots or was meant to, for [Error.Sources].
func (r *Report) sourceNames() []string {
	if r == nil {
		return nil
	}
	var out []string
	for _, s := range r.Sources {
		switch s.Status {
		case StatusNotConsulted:
			continue
		case StatusLoaded:
			if s.Kind == SourcePlatform {
				out = append(out, "platform verifier")
				continue
			}
			out = append(out, fmt.Sprintf("%s %s (%d roots)", s.Kind, s.Name, s.Loaded))
		default:
			out = append(out, fmt.Sprintf("%s %s (%s)", s.Kind, s.Name, s.Status))
		}
	}
	return out
}
