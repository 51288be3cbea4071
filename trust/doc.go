// Package trust builds the certificate trust a Go module client needs and
// explains TLS failures.
//
// # Why
//
// Adding a corporate CA with x509.NewCertPool drops the public roots;
// SSL_CERT_FILE silently trusts nothing when it names a missing file; and
// "x509: certificate signed by unknown authority" does not say whether
// the network intercepts TLS, the server forgot its intermediate, or the
// clock is wrong. This package merges extra CAs into the system roots,
// reports every source it consulted, and turns failures into an [*Error]
// with a [Kind], the presented chain and a hint naming the fix — never
// "disable verification".
//
// # Where to start
//
// Describe the sources in a [Config] (or start from [FromEnvironment]),
// call [Config.Build] once, and share the resulting [*Pool]:
//
//	cfg := trust.FromEnvironment(getenv)
//	cfg.Extra = []trust.Source{{Path: "/etc/corp/ca.pem", Hosts: []string{"*.corp.example"}}}
//	pool, err := cfg.Build()
//	client := &http.Client{Transport: trust.NewTransport(pool, nil)}
//
// [Pool.TLSConfig] and [Pool.Transport] give plain crypto/tls and net/http
// values; [NewTransport] adds classified errors; a [*Reloader] follows CA
// files that are rotated while clients run. [Config.Report] lists what
// every source held and what is wrong with it, without a network and even
// when Build fails. [Classify] converts any TLS or HTTP error; [Probe]
// dials a URL like a real request and returns a JSON-friendly
// [ProbeResult]. [Error.Hint] names the fix for a person at a command line
// (SSL_CERT_DIR, SSL_CERT_FILE, the system store), [Error.APIHint] for a
// program using this package; [Error.ChainPEM] saves the presented chain.
//
// # What it promises
//
//   - System roots are what Go itself trusts: on macOS, iOS and Windows the
//     pool starts from x509.SystemCertPool (keeping the platform verifier);
//     on other Unix systems the same files crypto/x509 reads are read,
//     honouring SSL_CERT_FILE and SSL_CERT_DIR as given in the Config, so
//     each file can be reported.
//   - Extra sources are merged, never replacing the system roots (only
//     NoSystemRoots does), loaded strictly (a *[LoadError] names the file
//     and line; trailing data after the last PEM block is an error), and
//     de-duplicated. System files are read as leniently as crypto/x509
//     reads them — the same blocks are kept — and what Go silently skips
//     is reported.
//   - Bundles are scanned in linear time: 20,000 certificates load about
//     as fast as with x509.CertPool.AppendCertsFromPEM.
//   - Nothing touches process-wide state: no x509.SetFallbackRoots, no
//     environment reads outside [FromEnvironment] with a nil getenv, no
//     package-level caches. Pools are immutable and safe for concurrent
//     use; TLS 1.2 is the minimum; HTTP/2 and proxy settings are kept;
//     InsecureSkipVerify is never set.
//   - Classification uses typed errors, the presented chain re-verified
//     offline one change at a time, and what the handshake did (for
//     instance whether the server asked for a client certificate) — not
//     error strings.
package trust
