package matcher

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/modnet/modnet/internal/diag"
)

// Diagnostic is the one diagnostic type of modnet's lints (see [Lint]).
type Diagnostic = diag.Diagnostic

// Kind classifies a [Diagnostic].
type Kind = diag.Kind

// The kinds of problems [Lint] reports.
const (
	// EmptyPattern is an empty element, such as the one between two
	// adjacent commas, or a lone "/". The go command skips it.
	EmptyPattern Kind = "empty-pattern"

	// StraySpace is a pattern that begins or ends with white space.
	// The go command does not trim spaces, so "a.com, b.com" never
	// matches b.com.
	StraySpace Kind = "stray-space"

	// Malformed is a pattern that [path.Match] rejects. The go command
	// ignores it and goes on with the rest of the list.
	Malformed Kind = "malformed-pattern"

	// HasScheme is a pattern written as a URL, like "https://corp.com".
	// Patterns match module paths, which have no scheme.
	HasScheme Kind = "scheme"

	// HasPort is a pattern whose first element ends in a port, like
	// "corp.com:8443". Module paths have no port.
	HasPort Kind = "port"

	// TrailingSlash is a pattern that ends in a slash. The go command
	// removes one trailing slash; a pattern ending in two or more can
	// never match.
	TrailingSlash Kind = "trailing-slash"

	// BadSlash is a pattern that starts with a slash or contains an empty
	// path element ("//"), which no module path does.
	BadSlash Kind = "bad-slash"

	// UpperCaseHost is a pattern whose first element contains an upper-case
	// letter. The first element of a module path is lower case and the
	// match is case-sensitive.
	UpperCaseHost Kind = "upper-case-host"

	// InvalidChar is a pattern containing, outside any wildcard, a
	// character that module paths never contain.
	InvalidChar Kind = "invalid-character"
)

// Lint reports the elements of globs that the go command silently ignores
// or that can never match a valid module path, in list order. Several
// problems may be reported for one element. Lint returns nil if it finds
// nothing to report.
//
// Each diagnostic has Severity warning; Subject is the element exactly as
// written and Column its 1-based byte offset in globs; Message starts with
// "pattern N" (N counts the comma-separated elements from 1); Fix is
// Lint's best guess at what the element was meant to be (spaces, scheme,
// port, extra slashes and upper case in the first element removed), or "";
// NoEffect reports that the element can never match a valid module path
// (one accepted by module.CheckPath); Err is path.ErrBadPattern for
// Malformed. Var is left for the caller to set.
//
// Lint does not change what a list matches: [Compile] and the go command
// still use every element as written.
func Lint(globs string) []Diagnostic {
	var probs []Diagnostic
	offset := 0
	for index, elem := range strings.Split(globs, ",") {
		probs = lintElem(probs, elem, index, offset)
		offset += len(elem) + 1
	}
	return probs
}

func lintElem(probs []Diagnostic, elem string, index, offset int) []Diagnostic {
	fix := guessFix(elem)
	report := func(k Kind, dead bool, err error, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if fix != "" && k != Malformed {
			msg += fmt.Sprintf("; write %q", fix)
		}
		probs = append(probs, Diagnostic{
			Kind: k, Severity: diag.Warning, Subject: elem, Column: offset + 1, NoEffect: dead,
			Message: fmt.Sprintf("pattern %d %q: %s", index+1, elem, msg), Fix: fix, Err: err,
		})
	}

	// The go command removes one trailing slash, then skips empty elements.
	glob := strings.TrimSuffix(elem, "/")
	switch {
	case elem == "":
		report(EmptyPattern, true, nil, "empty element (stray comma); the go command skips it")
		return probs
	case glob == "":
		report(EmptyPattern, true, nil, `"/" is empty once the go command removes the trailing slash; the go command skips it`)
		return probs
	}

	// White space is literal: nothing in a module path can match it.
	first, _ := utf8.DecodeRuneInString(glob)
	last, _ := utf8.DecodeLastRuneInString(glob)
	lead, trail := unicode.IsSpace(first), unicode.IsSpace(last)
	if lead || trail {
		where := "leading"
		switch {
		case lead && trail:
			where = "leading and trailing"
		case trail:
			where = "trailing"
		}
		report(StraySpace, true, nil,
			"%s white space: the go command does not trim spaces, so this pattern never matches %q",
			where, strings.TrimSpace(glob))
	}

	if _, err := path.Match(glob, ""); err != nil {
		msg := "path.Match rejects this pattern (%v) and the go command ignores it"
		if glob != elem {
			msg = "once the go command removes the trailing slash, path.Match rejects this pattern (%v) and the go command ignores it"
		}
		if hint := badPatternHint(glob); hint != "" {
			msg += ": " + hint
		}
		report(Malformed, true, err, msg, err)
		return probs
	}

	if glob != elem {
		if strings.HasSuffix(glob, "/") {
			report(TrailingSlash, true, nil,
				"the go command removes only one trailing slash, and no module path ends in a slash, so this pattern never matches")
		} else {
			report(TrailingSlash, false, nil, "the go command removes one trailing slash and uses %q; other tools may not", glob)
		}
	}

	// The remaining checks look at the literal bytes of the pattern, the
	// ones outside wildcards and character classes: each of them must
	// appear in any path the pattern matches.
	var toks []op
	ops(glob, func(o op) bool { toks = append(toks, o); return true })
	isLit := func(i int, b byte) bool {
		return i >= 0 && i < len(toks) && toks[i].kind == opLit && toks[i].b == b
	}

	scheme, port := false, false
	for i := range toks {
		if !isLit(i, ':') {
			continue
		}
		if isLit(i+1, '/') && isLit(i+2, '/') {
			scheme = true
			report(HasScheme, true, nil,
				"patterns match module paths, not URLs, so this pattern with a scheme never matches")
			break
		}
		j := i + 1
		for j < len(toks) && toks[j].kind == opLit && '0' <= toks[j].b && toks[j].b <= '9' {
			j++
		}
		if j > i+1 && (j == len(toks) || isLit(j, '/')) && !port {
			port = true
			report(HasPort, true, nil, "module paths have no port, so this pattern never matches")
		}
	}

	for i := range toks {
		if scheme {
			break // the scheme's "//" was reported above
		}
		if isLit(i, '/') && (i == 0 || isLit(i-1, '/')) && i != len(toks)-1 {
			if i == 0 {
				report(BadSlash, true, nil, "no module path starts with a slash, so this pattern never matches")
			} else {
				report(BadSlash, true, nil, "no module path contains an empty element (//), so this pattern never matches")
			}
			break
		}
	}

	// The operators before the first literal slash, up to any character
	// class (which may match a slash), lie in the first element of the
	// path. With a scheme, that element is the scheme, reported above.
	for _, o := range toks {
		if scheme || o.kind == opClass || o.kind == opLit && o.b == '/' {
			break
		}
		if o.kind == opLit && 'A' <= o.b && o.b <= 'Z' {
			report(UpperCaseHost, true, nil,
				"the first element of a module path is lower case and matching is case-sensitive, so this pattern never matches")
			break
		}
	}

	// Stray spaces at either end were reported above.
	spaceEnd := len(glob) - len(strings.TrimLeftFunc(glob, unicode.IsSpace))
	spaceStart := len(strings.TrimRightFunc(glob, unicode.IsSpace))
	for _, o := range toks {
		if o.kind != opLit || modPathByte(o.b) || o.start < spaceEnd || o.start >= spaceStart {
			continue
		}
		if o.b == ':' && (scheme || port) {
			continue
		}
		r, _ := utf8.DecodeRuneInString(glob[o.start:])
		if o.end-o.start == 2 { // an escaped byte
			r, _ = utf8.DecodeRuneInString(glob[o.start+1:])
		}
		report(InvalidChar, true, nil, "module paths never contain %q (byte %d of the pattern), so this pattern never matches", r, o.start)
		break
	}
	return probs
}

// modPathByte reports whether b may appear in a module path.
func modPathByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		b == '-' || b == '.' || b == '_' || b == '~' || b == '/'
}

// badPatternHint guesses what makes a malformed pattern malformed.
func badPatternHint(glob string) string {
	n := len(glob) - len(strings.TrimRight(glob, `\`))
	switch {
	case n%2 == 1:
		return `it ends in an unescaped backslash`
	case strings.Contains(glob, "["):
		return `check its character classes: "[" needs a closing "]", a class needs at least one character, and "-" and "]" inside one must be escaped with "\"`
	}
	return ""
}

// guessFix returns what elem was probably meant to be, or "" if Lint has no
// better suggestion than elem itself.
func guessFix(elem string) string {
	s := strings.TrimSpace(elem)
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], "*?[\\/") {
		s = s[i+len("://"):]
	}
	s = strings.TrimRight(s, "/")
	host, rest, found := strings.Cut(s, "/")
	if i := strings.LastIndexByte(host, ':'); i >= 0 && i+1 < len(host) &&
		strings.Trim(host[i+1:], "0123456789") == "" {
		host = host[:i]
	}
	if !strings.ContainsAny(host, "[\\") {
		host = strings.ToLower(host)
	}
	s = host
	if found {
		s += "/" + rest
	}
	if s == elem || s == strings.TrimSuffix(elem, "/") {
		return ""
	}
	return s
}
