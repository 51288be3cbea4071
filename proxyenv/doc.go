// Package proxyenv resolves the go environment the way the go command does
// and turns it into routes and HTTP clients for reaching module servers.
//
// # The go environment
//
// [Load] (or [FromEnvironment] for the current process) resolves GOPROXY,
// GONOPROXY, GOPRIVATE, GONOSUMDB, GOINSECURE, GOSUMDB, GOAUTH, GOENV,
// GOROOT and NETRC into an [Env] whose fields hold exactly what "go env"
// prints, and records in Env.Sources where each value came from. The order
// is the go command's: a non-empty process variable, then the user go env
// file ($GOENV, none when GOENV=off, else go/env under the user
// configuration directory), then $GOROOT/go.env, then the built-in default
// (GONOPROXY and GONOSUMDB default to GOPRIVATE, GOAUTH to "netrc"). A
// variable set to the empty string counts as unset, so GONOPROXY="" cannot
// undo GOPRIVATE; GONOPROXY=none can.
//
// GOROOT is found without running the go command: the GOROOT variable,
// else GOROOT in the user go env file, else the installation holding the
// go binary on PATH (the directory above bin that has pkg/tool, following
// symbolic links), else the GOROOT this program was built with. Note that
// $GOROOT/go.env is located through the user file's GOROOT first, even when
// the process environment sets another GOROOT, as in the go command.
//
// Go env files are read as leniently as the go command reads them
// ([ParseEnvFile]): values are verbatim, so quotes and the carriage
// returns of a CRLF file become part of the value; lines that do not start
// with an upper-case letter are ignored; in the user file the last
// assignment of a key wins, in $GOROOT/go.env the first. [Env.Lint] and
// [LintEnvFile] report these surprises with file and line.
//
// HTTP_PROXY, HTTPS_PROXY and NO_PROXY come from the process environment
// only, upper-case spelling first as in Go 1.26's net/http (the lower-case
// first order of httpproxy.FromEnvironment in golang.org/x/net differs).
// [Env.HTTPProxyConfig] returns them as an httpproxy.Config and
// [Env.ValidateHTTPProxy] reports the values httpproxy would silently misread.
// Passwords in proxy URLs are redacted in every error, String and lint
// message.
//
// Everything Load reads comes through [LoadOptions], so tests and tools can
// resolve an environment other than the process's own.
//
// # Routes
//
// [Env.Route] applies the environment to one module path and returns the
// [Route] the go command would take: one [Step] per entry of the parsed
// GOPROXY list ([ParseProxyList]), each saying whether it fetches from a
// module proxy, from the origin (direct) or is skipped, when the walk moves
// on after it fails (',' only after a 404 or 410, '|' after any error),
// and why, naming the GONOPROXY pattern that decided it. A path matching
// GONOPROXY (GOPRIVATE by default) is fetched from the origin at the
// implicit noproxy entry and at direct, and every proxy, "off" included,
// is skipped; so GOPROXY=off with GONOPROXY set still fetches matching
// modules directly. The paths "go" and "toolchain" are looked up as
// golang.org/toolchain. The route also records whether the checksum
// database is consulted (GOSUMDB, parsed by [ParseSumDB]; GONOSUMDB;
// golang.org/toolchain always, except from a single file:// GOPROXY) and
// how it is found, and whether GOINSECURE applies (to direct fetches only,
// never to proxies or the checksum database). A Route marshals to JSON with
// passwords redacted.
//
// [Walk] tries a route's steps with the go command's fall-through and
// reports the error it would report: an error from the origin over a
// proxy's error other than not-found, and those over not-found errors.
// Callers supply the fetch; [ProxyFileURL], [VersionFile] and
// [CheckResponse] build the proxy protocol URLs and turn answers into
// [StatusError]s that are fs.ErrNotExist for 404 and 410 only, with the go
// command's texts. [FindSumDB] finds the checksum database the same way,
// probing <proxy>/sumdb/<name>/supported along the list before going to
// https://<name>.
//
// # Clients and downloads
//
// [Env.Client] turns an environment into a [Client]: the roots to trust
// (the system's merged with extra CA sources, see package trust), the HTTP
// proxy, the credentials of netrc, GOAUTH and bearer tokens (package
// netrcauth), and the go command's redirect rules. [Client.Do] sends a
// request the way the go command does, re-running GOAUTH and restarting
// the redirect chain after a 4xx; its errors hold a *trust.Error that says
// why a TLS connection failed and how to fix it.
//
// Package [github.com/modnet/modnet/proxyenv/modfetch] downloads module
// versions with a Client, as "go mod download" does.
//
// # Tested against the go command
//
// The differential tests in this package run "go env -json" and "go mod
// download -json" against local logging module proxies, HTTP proxies
// (Debian's tinyproxy and a TLS-inspecting proxy) and checksum databases,
// and require Load to print the same values and Route, Walk and the
// modfetch Fetcher to make the same requests, with the same Authorization and
// Proxy-Authorization headers, in the same order, succeed or fail alike,
// and report the same error text.
package proxyenv
