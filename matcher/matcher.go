// Package matcher is a placeholder; see doc.go once written.
package matcher

import "golang.org/x/mod/module"

// List is a compiled GOPRIVATE-style pattern list.
// TEMPORARY STUB: the matcher helper replaces this file.
type List struct{ globs string }

// Compile compiles a comma-separated list of glob patterns.
func Compile(globs string) *List { return &List{globs: globs} }

// Match reports whether path matches any pattern in the list, exactly like
// module.MatchPrefixPatterns.
func (l *List) Match(path string) bool {
	if l == nil {
		return false
	}
	return module.MatchPrefixPatterns(l.globs, path)
}
