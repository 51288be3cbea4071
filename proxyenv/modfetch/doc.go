// Package modfetch downloads module versions the way "go mod download"
// does, with a [proxyenv.Client]'s trust, HTTP proxy and credentials.
//
// # Where to start
//
// A [Fetcher] resolves a query (a version, latest, upgrade, a prefix such
// as v1.2, a range such as >=v1.2.0, or a revision) and downloads the
// module's .info, go.mod and zip, walking the module's route per file
// with the go command's fall-through: a module proxy's list and @latest
// answers, the retraction and +incompatible rules, the newest
// pseudo-version and the @latest fallback, in the go command's order.
// [Fetcher.DownloadMod] and [Fetcher.DownloadZip] split the work as "go mod
// download" does for several modules: every .info and go.mod first, then
// the zips.
//
// # What it promises
//
// The go.mod and zip hashes are verified against the checksum database
// when the route says to consult it; module zips are checked with the
// module zip rules of golang.org/x/mod/zip. Errors carry the go command's
// texts, wrapped in [module.ModuleError] values, and TLS failures keep
// their *trust.Error classification (errors.As). Routes that reach
// "direct" fail with [ErrDirectUnsupported].
//
// # Tested against the go command
//
// The differential tests in this package run "go mod download -json"
// against local logging module proxies, HTTP proxies (Debian's tinyproxy
// and a TLS-inspecting proxy) and checksum databases, and require the
// Fetcher to make the same requests, with the same Authorization and
// Proxy-Authorization headers, in the same order, succeed or fail alike,
// and report the same error text.
package modfetch
