// Package netrcauth adds credentials to module-fetching HTTP requests
// exactly the way the go command does — from netrc files, from GOAUTH
// methods (netrc, git, custom commands) and from bearer tokens — while
// being stricter than the go command wherever it leaks.
//
// # Why
//
// The go command's netrc grammar, credential matching and GOAUTH protocol
// differ from every other netrc parser and HTTP client: key/value pairs are
// read only within a line, there are no comments, a lone "default" ends the
// file, entries are keyed by host:port and path prefix, and GOAUTH commands
// are re-run with the URL after any 4xx response. Tools that fetch modules
// for users must send the same credentials to the same places, or they fail
// where the go command succeeds (and vice versa). This package reproduces
// those rules, proven by differential tests against the go binary.
//
// # Where to start
//
//   - [FromEnvironment] and [Config] describe where credentials come from
//     (GOAUTH, the netrc file, extra [Bearer]/[TokenFunc]/[Basic]
//     credentials); [Config.Build] validates GOAUTH and returns an [Auth].
//   - [Transport] wraps an [http.RoundTripper] and adds the credentials of an
//     [Auth] to each request, re-running GOAUTH and retrying once after a
//     4xx response, like the go command.
//   - [Parse], [Match], [Key] and [Path] are the netrc building blocks;
//     [Lint] and [LintFile] report what the go command reads differently
//     from what a file's author probably meant; [SetMachine] and
//     [RemoveMachine] edit netrc files safely.
//   - [ParseGOAUTH], [SplitQuoted] and [ParseCommandOutput] parse GOAUTH
//     values and command output with the go command's rules and messages.
//
// # What it promises
//
// Matching follows go 1.26: the lookup key of a request is its URL without
// "https://" and one trailing "/" ([Key]) — so a host-only netrc entry does
// not match host:8443 (golang/go#81253; see [MatchOptions] for the old
// behaviour), and a URL with userinfo matches no netrc entry (the userinfo
// itself then authenticates). The longest prefix wins; for the same prefix
// the first listed GOAUTH method and the first netrc entry win.
//
// Secrets are [Secret] values that never print: not in errors, logs,
// String/GoString/%v/%+v/%#v output, JSON, slog or panics. URLs in errors
// are redacted. Credentials are sent only over https and only to URLs under
// their prefix.
//
// # Deviations from the go command
//
// Each is safer and documented where it applies:
//
//   - Credentials are decided per request, so per redirect hop: a redirect
//     never carries the first URL's credentials to another host or prefix —
//     custom GOAUTH headers such as Private-Token included, which the go
//     command forwards (golang/go#77839). The new URL gets its own
//     credentials, if any.
//   - A GOAUTH command re-run with a URL gets it without userinfo (the go
//     command puts passwords on the command line); "git credential approve"
//     and "reject" run in the git directory, not the current one.
//   - Errors never include a command's standard error or an unparsable
//     URL (available as [CommandError.Stderr], a [Secret]).
//   - GOAUTH methods are run one run at a time per [Auth]; [Auth.Wait] waits
//     for the background git credential checks.
//   - Optionally, [Config.SkipRerunOnNotFound] avoids re-running GOAUTH and
//     retrying after 404/410 answers from proxies that lack a module.
package netrcauth
