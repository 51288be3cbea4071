// Package matcher matches module paths against GOPRIVATE-style pattern
// lists exactly as the go command does, only faster, and explains which
// pattern matched and which patterns can never match.
//
// # Why
//
// The go command decides with four comma-separated lists of glob patterns
// which modules are private (GOPRIVATE), fetched directly (GONOPROXY),
// not checked against the checksum database (GONOSUMDB), or fetched
// without TLS verification (GOINSECURE). It matches them with
// module.MatchPrefixPatterns from golang.org/x/mod/module, which parses the
// whole list again for every module path and cannot say which pattern
// decided. A program that wants the go command's answer for many module
// paths, or wants to explain it, needs the same answers from a list parsed
// once.
//
// # Where to start
//
// Call [Compile] once per list and [List.Match] for each module path.
// Use [List.MatchPattern] to learn which pattern matched, and [Lint] to
// report the patterns the go command ignores without a word.
//
// # What it promises
//
// For every list and every path, Compile(globs).Match(path) equals
// module.MatchPrefixPatterns(globs, path); a differential fuzz test checks
// this. That is, a pattern with N slashes is matched, with [path.Match],
// against the path cut just before its (N+1)th slash, and never against a
// path with fewer than N slashes; '*' and '?' do not match a slash, but a
// character class such as "[^a]" may; matching is case-sensitive.
//
// A [List] is immutable and safe for concurrent use. Matching does not
// allocate, and its cost depends on how many patterns share a literal
// start or end with the path, not on the length of the list: patterns are
// indexed by their literal leading path elements, their literal prefix or
// the literal suffix of their first element. Only patterns with no such
// anchor, like "*" or "*/internal", are tried for every path.
//
// # Leniency
//
// Like the go command, Compile never fails. It splits the list at every
// comma and trims nothing: the list "a.com, b.com" holds the pattern
// " b.com", which matches no module path, so b.com is not private. It
// removes one trailing slash from each pattern ("corp.com/" means
// "corp.com", but "corp.com//" never matches a module path), skips empty
// patterns, and ignores patterns that [path.Match] rejects as malformed
// while still trying the rest of the list. [Lint] reports each of these,
// and patterns written as URLs, with ports or with upper-case host names,
// which are accepted but can never match. Other tools that read these
// variables sometimes trim spaces and so disagree with the go command;
// this package does not.
package matcher
