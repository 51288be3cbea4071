// Package modfetch downloads module versions the way "go mod download"
// does, with a [proxyenv.Client]'s trust, HTTP proxy and credentials, into
// (and from) the go command's module cache.
//
// # Where to start
//
// A [Fetcher] resolves a query (a version, latest, upgrade, a prefix such
// as v1.2, a range such as >=v1.2.0, or a revision) and downloads the
// module's .info, go.mod and zip, walking the module's route per file
// with the go command's fall-through: a module proxy's list and @latest
// answers, the retraction and +incompatible rules, the newest
// pseudo-version and the @latest fallback, in the go command's order.
// [Fetcher.DownloadAll] downloads many modules at once (Workers, 16 by
// default), each module's requests in the go command's order.
// [Fetcher.Versions] lists a module's versions like "go list -m -versions",
// with retractions and the deprecation notice. [ModCacheDir] and [GOPATH]
// find the go command's module cache and checksum database directory.
//
// # The module cache
//
// With Fetcher.Dir set to a module cache (GOMODCACHE), a Fetcher reads it
// before the network — a cached exact version needs no request, also with
// GOPROXY=off — and writes it as the go command does: canonical .info
// files, .mod, .zip and .ziphash, @v/list, lock files, the go command's
// file modes, temporary files renamed into place, and with Extract the
// unpacked, read-only module directory. The go command uses what a
// Fetcher wrote and the reverse, and the cache serves as a file://
// GOPROXY. Zips stream to disk (memory does not grow with their size) and
// a download killed part way leaves nothing a later run trusts. With
// SumDBDir, the checksum database's signed tree head persists across runs
// as in $GOPATH/pkg/sumdb, and its tiles are cached in the module cache.
//
// # What it promises
//
// The go.mod and zip hashes are verified against a go.sum file ([GoSum])
// and the checksum database as the go command verifies them; module zips
// are checked with the module zip rules of golang.org/x/mod/zip. Every
// answer is read within a size limit ([ErrTooLarge]); read errors keep
// their cause (a *url.Error with Op "read", so errors.Is sees
// context.Canceled). Errors carry the go command's texts, wrapped in
// [module.ModuleError] values, and TLS failures keep their *trust.Error
// classification (errors.As).
//
// # Direct mode
//
// A route step "direct" (GOPROXY=direct, the tail of the default list, or
// a GONOPROXY/GOPRIVATE match) fetches from the module's origin as the go
// command does, with package [github.com/modnet/modnet/proxyenv/vcs]:
// go-get discovery through the client (a failure there is "not found",
// so ',' moves on), GOVCS, a "mod" server used as a module proxy, and git
// with a bare repository per remote in Dir/cache/vcs, the go command's
// layout. Versions, pseudo-versions, go.mod files and zips are the go
// command's, so Sum and GoModSum match. By default git gets the roots,
// HTTP proxy and credentials of the client, scoped to the repository
// ([vcs.NewGitEnv]); [Fetcher.PlainGit] runs it with GitEnv alone, like
// the go command. Call [Fetcher.Close] to remove the private files this
// leaves outside Dir.
//
// # Tested against the go command
//
// The differential tests in this package run "go mod download -json" and
// "go list -m" against local logging module proxies, HTTP proxies
// (Debian's tinyproxy and a TLS-inspecting proxy) and checksum databases,
// and require the Fetcher to make the same requests, with the same
// Authorization and Proxy-Authorization headers, in the same order,
// succeed or fail alike, report the same error text, and leave the same
// files in the module cache.
package modfetch
