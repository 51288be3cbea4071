// Package vcs is modnet's direct mode: fetching modules from version
// control the way the go command does when GOPROXY says "direct" or
// GONOPROXY/GOPRIVATE matches.
//
// This file set covers the first half, finding the repository, and the
// environment git needs to reach it. (The git and module layers live in
// the same package.)
//
// # Finding the repository
//
// A [Discoverer] maps a module path to a [RepoRoot] exactly as the go
// command's direct mode does, in the same order:
//
//  1. The built-in table of hosting sites (github.com, bitbucket.org,
//     hub.jazz.net/git, git.apache.org, git.openstack.org, chiselapp.com)
//     and paths naming their VCS by suffix (host/x.git/...), without HTTP.
//     For a suffixed path the scheme is chosen by asking the VCS
//     ([Config.Ping], see [GitPing]): https and ssh, plus git and http
//     when GOINSECURE matches, in the go command's order.
//  2. The go-get page https://<path>?go-get=1 through [Config.Client].
//     Under GOINSECURE (matched against the module path) the https
//     attempt uses [Config.InsecureClient], and any failure falls back to
//     http:// through [Config.PlainClient], which carries no credentials.
//     A page counts whatever its status if it holds go-import tags; tags
//     are read by [ParseMeta] and chosen by [MatchMeta] ("mod" tags
//     first). A tag for a shorter prefix is confirmed by the prefix's own
//     page, cached for the Discoverer's lifetime.
//  3. launchpad.net, only after the go-get page failed.
//
// GOVCS ([ParseGOVCS]) then decides whether the VCS may be used; "private"
// means a GOPRIVATE match on the repository root, and "mod" is always
// allowed. A RepoRoot with VCS "mod" names a GOPROXY-protocol server.
//
// Errors have the go command's text (compare them with its "go mod
// download -json" Error field after the "path@version: " prefix) and are
// typed: [ImportPathError], [FetchError] (unwrapping to the client's
// error, so a *trust.Error from a *proxyenv.Client is found with
// errors.As), [HTTPError], [MetaError], [DisallowedError], [GOVCSError],
// [StaticPathError], [NoProtocolError]. The go command treats every
// discovery failure as "not found" when walking GOPROXY.
//
// # Giving git the same trust
//
// The go command runs git with its own process environment and nothing
// more, so git does not see SSL_CERT_FILE, SSL_CERT_DIR or extra CAs
// (its http.sslCAInfo replaces its bundle instead of adding to it), a
// NETRC other than ~/.netrc, GOAUTH credentials, or an HTTP_PROXY written
// only in upper case. The go-get page then loads while "git ls-remote"
// fails with "server certificate verification failed" or "could not read
// Username".
//
// [NewGitEnv] builds the environment that closes this gap for one
// repository: git configuration passed in GIT_CONFIG_COUNT,
// GIT_CONFIG_KEY_n and GIT_CONFIG_VALUE_n (appended to any already there,
// never on a command line), scoped to the repository's origin with
// http.<url>.sslCAInfo (a bundle of all the roots Go trusts),
// http.<url>.proxy, and credentials from a credential helper or extra
// header kept in a private file (directory 0700, files 0600) that the
// environment includes by path. Secrets never appear in the environment,
// in argv or in GIT_TRACE output. It never disables verification.
//
// Users of the go command itself, Athens or goproxy (which run the go
// binary) can do the same by hand, in the environment of the go process:
//
//	# a bundle of the system roots plus the corporate CA
//	cat /etc/ssl/certs/ca-certificates.crt corp-ca.pem > ~/.config/git-roots.pem
//	export GIT_CONFIG_COUNT=2
//	export GIT_CONFIG_KEY_0=http.https://git.corp.example/.sslCAInfo
//	export GIT_CONFIG_VALUE_0=$HOME/.config/git-roots.pem
//	export GIT_CONFIG_KEY_1=http.https://git.corp.example/.proxy
//	export GIT_CONFIG_VALUE_1=http://proxy.corp.example:3128
//
// and, for credentials, a credential helper configured for the host (such
// as the platform's keychain helper), or ~/.netrc itself, rather than a
// NETRC path git will not read.
//
// # Deviations and leniencies
//
//   - A go-get page is read up to [Config.MaxBodyBytes] (4 MiB by default);
//     the go command reads it whole.
//   - A malformed GOVCS fails lookups that need a VCS with the go
//     command's message, as the go command does; [ParseGOVCS] reports it
//     up front.
//   - Errors never show a password from a go-import tag's repository URL
//     (the go command prints the URL as written); [RepoRoot.RepoURL]
//     keeps it.
//   - Transport errors carry whatever the client returns: with a
//     *proxyenv.Client, its classified *trust.Error, whose text adds a
//     diagnosis to the go command's.
//   - A context cancelled during a prefix re-check is not cached.
//
// # What it promises
//
// The differential tests run the real go binary (go mod download with
// GOPROXY=direct) and a Discoverer against the same local HTTPS and HTTP
// servers, reached under invented host names through a loopback proxy,
// and require the same ?go-get=1 requests in the same order (with or
// without credentials), the same error text, and, when discovery
// succeeds, that the go command went on to the same repository. Nothing
// in the package reads the process environment: every variable is a
// [Config] or [GitEnvOptions] field.
package vcs
