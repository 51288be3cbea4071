package vcs

import (
	"fmt"
	"strings"

	"github.com/modnet/modnet/matcher"
)

// A GOVCSRule is one entry of GOVCS, such as "private:hg|svn".
type GOVCSRule struct {
	// Pattern is "private", "public", or a GOPRIVATE-style glob list
	// of one pattern matched against the repository root path.
	Pattern string
	// Allowed lists the allowed version control commands; "all" allows
	// every one.
	Allowed []string

	glob *matcher.List
}

// A GOVCS is a compiled GOVCS policy: the rules of the variable followed by
// the go command's defaults (private:all,public:git|hg). It is immutable
// and safe for concurrent use.
type GOVCS struct {
	rules []GOVCSRule
	value string
}

// defaultGOVCS holds the rules the go command appends after the user's:
// every VCS for private paths, only git and hg for public ones.
var defaultGOVCS = []GOVCSRule{
	{Pattern: "private", Allowed: []string{"all"}},
	{Pattern: "public", Allowed: []string{"git", "hg"}},
}

// A GOVCSError reports a malformed GOVCS value. Its text is the go
// command's.
type GOVCSError struct {
	Value string // the whole GOVCS value
	Msg   string // the go command's message, such as `empty entry in GOVCS`
}

func (e *GOVCSError) Error() string { return e.Msg }

// ParseGOVCS compiles the value of GOVCS. Like the go command it trims
// spaces around entries, patterns and names, and rejects empty entries,
// entries without a colon, empty patterns, lists or names, relative
// patterns and repeated patterns, with the go command's messages (as a
// *[GOVCSError]). An empty or blank value gives the defaults alone.
func ParseGOVCS(value string) (*GOVCS, error) {
	g := &GOVCS{value: value}
	s := strings.TrimSpace(value)
	if s != "" {
		seen := map[string]string{}
		for item := range strings.SplitSeq(s, ",") {
			item = strings.TrimSpace(item)
			fail := func(format string, args ...any) (*GOVCS, error) {
				return nil, &GOVCSError{Value: value, Msg: fmt.Sprintf(format, args...)}
			}
			if item == "" {
				return fail("empty entry in GOVCS")
			}
			pattern, list, ok := strings.Cut(item, ":")
			if !ok {
				return fail("malformed entry in GOVCS (missing colon): %q", item)
			}
			pattern, list = strings.TrimSpace(pattern), strings.TrimSpace(list)
			if pattern == "" {
				return fail("empty pattern in GOVCS: %q", item)
			}
			if list == "" {
				return fail("empty VCS list in GOVCS: %q", item)
			}
			if isRelativePath(pattern) {
				return fail("relative pattern not allowed in GOVCS: %q", pattern)
			}
			if prev, dup := seen[pattern]; dup {
				return fail("unreachable pattern in GOVCS: %q after %q", item, prev)
			}
			seen[pattern] = item
			allowed := strings.Split(list, "|")
			for i, a := range allowed {
				a = strings.TrimSpace(a)
				if a == "" {
					return fail("empty VCS name in GOVCS: %q", item)
				}
				allowed[i] = a
			}
			g.rules = append(g.rules, GOVCSRule{Pattern: pattern, Allowed: allowed})
		}
	}
	g.rules = append(g.rules, defaultGOVCS...)
	for i := range g.rules {
		if p := g.rules[i].Pattern; p != "private" && p != "public" {
			g.rules[i].glob = matcher.Compile(p)
		}
	}
	return g, nil
}

// isRelativePath reports whether pattern is ".", ".." or starts with
// "./" or "../", which the go command refuses as a GOVCS pattern.
func isRelativePath(pattern string) bool {
	return strings.HasPrefix(pattern, "./") || strings.HasPrefix(pattern, "../") || pattern == "." || pattern == ".."
}

// Rules returns the rules in the order they are tried, the defaults last.
// The caller must not modify them.
func (g *GOVCS) Rules() []GOVCSRule { return g.rules }

// String returns the GOVCS value g was parsed from.
func (g *GOVCS) String() string { return g.value }

// Allow reports whether the first rule matching root (private says whether
// root matches GOPRIVATE) allows the version control command vcs. When no
// rule matches, nothing is allowed. The "mod" protocol is always allowed.
// It also returns the matching rule, or nil.
func (g *GOVCS) Allow(root string, private bool, vcs string) (bool, *GOVCSRule) {
	if vcs == "mod" {
		return true, nil // the go command never restricts the mod protocol
	}
	for i := range g.rules {
		r := &g.rules[i]
		var match bool
		switch r.Pattern {
		case "private":
			match = private
		case "public":
			match = !private
		default:
			match = r.glob.Match(root)
		}
		if !match {
			continue
		}
		for _, a := range r.Allowed {
			if a == vcs || a == "all" {
				return true, r
			}
		}
		return false, r // the first matching rule decides
	}
	return false, nil
}

// A DisallowedError reports a repository GOVCS does not allow. Its text is
// the go command's.
type DisallowedError struct {
	VCS     string // the version control command
	Root    string // the repository root path
	Private bool   // whether Root matches GOPRIVATE
	// Rule is the GOVCS rule that refused, or nil when none matched.
	Rule *GOVCSRule
}

func (e *DisallowedError) Error() string {
	what := "public"
	if e.Private {
		what = "private"
	}
	return fmt.Sprintf("GOVCS disallows using %s for %s %s; see 'go help vcs'", e.VCS, what, e.Root)
}
