package matcher

import (
	"path"
	"slices"
	"strings"
)

// A List is a compiled comma-separated list of glob patterns, such as the
// value of GOPRIVATE, GONOPROXY, GONOSUMDB or GOINSECURE.
//
// A List is immutable and safe for concurrent use by multiple goroutines.
// A nil *List is an empty list: it matches nothing.
type List struct {
	text string
	pats []pattern // the non-empty elements, in list order

	// The index. Each valid pattern is in exactly one of the four groups
	// below; a group only narrows down which patterns need to be checked.
	// Candidate slices hold indexes into pats in increasing order.

	// aligned holds patterns that start with a literal that fills whole
	// path elements: the key is those elements, and a name can match only
	// if its first depth+1 elements (depth = slashes in key) equal the key.
	// An exact pattern is keyed by its whole literal.
	aligned       map[string][]int32
	alignedDepths []int // distinct depths of keys in aligned, increasing

	// leading holds patterns that start with a literal part of the first
	// element: the name's first element must start with the key.
	leading     map[string][]int32
	leadingLens []int // distinct key lengths, increasing

	// trailing holds patterns whose first element starts with a wildcard
	// and ends in a literal: the name's first element must end with the key.
	trailing     map[string][]int32
	trailingLens []int // distinct key lengths, increasing

	// rest holds the patterns that have none of these literal anchors
	// (for example "*" or "*/internal"); they are always checked.
	rest []int32

	maxCut int // cut positions worth precomputing for a name
}

// maxCuts bounds the slash positions of a name recorded on the stack;
// patterns with more slashes fall back to scanning the name.
const maxCuts = 16

// Compile compiles globs, a comma-separated list of glob patterns in the
// syntax of [path.Match], into a List that matches exactly the module paths
// that [module.MatchPrefixPatterns] reports for the same list.
//
// Compile never fails. Like the go command, it splits globs at every comma
// without trimming spaces, removes one trailing slash from each pattern,
// and ignores empty and malformed patterns; use [Lint] to find them.
//
// [module.MatchPrefixPatterns]: https://pkg.go.dev/golang.org/x/mod/module#MatchPrefixPatterns
func Compile(globs string) *List {
	l := &List{text: globs}
	offset := 0
	for index, elem := range strings.Split(globs, ",") {
		// The go command removes one trailing slash and skips what is left
		// empty.
		if glob := strings.TrimSuffix(elem, "/"); glob != "" {
			l.pats = append(l.pats, newPattern(glob, index, offset))
		}
		offset += len(elem) + 1
	}
	for i := range l.pats {
		l.add(int32(i))
	}
	return l
}

// add puts pattern i into the index.
func (l *List) add(i int32) {
	p := &l.pats[i]
	if !p.valid {
		return // path.Match never matches a malformed pattern
	}
	l.maxCut = max(l.maxCut, min(p.slashes+1, maxCuts))
	switch slash := strings.LastIndexByte(p.lit, '/'); {
	case p.exact:
		// The name's first slashes+1 elements must equal the literal.
		l.aligned, l.alignedDepths = insert(l.aligned, l.alignedDepths, p.lit, p.slashes, i)
	case slash >= 0:
		key := p.lit[:slash]
		l.aligned, l.alignedDepths = insert(l.aligned, l.alignedDepths, key, strings.Count(key, "/"), i)
	default:
		suf := p.firstSuffix()
		switch {
		case p.lit != "" && len(p.lit) >= len(suf):
			l.leading, l.leadingLens = insert(l.leading, l.leadingLens, p.lit, len(p.lit), i)
		case suf != "":
			l.trailing, l.trailingLens = insert(l.trailing, l.trailingLens, suf, len(suf), i)
		default:
			l.rest = append(l.rest, i)
		}
	}
}

// insert appends i to m[key] and records n in the sorted set ns.
func insert(m map[string][]int32, ns []int, key string, n int, i int32) (map[string][]int32, []int) {
	if m == nil {
		m = make(map[string][]int32)
	}
	m[key] = append(m[key], i)
	if j, found := slices.BinarySearch(ns, n); !found {
		ns = slices.Insert(ns, j, n)
	}
	return m, ns
}

// Match reports whether some leading path elements of path match one of the
// patterns in l, with the same result as
// module.MatchPrefixPatterns(l.String(), path) for every path.
// Match reports false for a nil List.
func (l *List) Match(path string) bool {
	return l.find(path, false) >= 0
}

// MatchPattern is like [List.Match] but also reports which pattern matched:
// the first one in list order, which is where module.MatchPrefixPatterns
// stops. The pattern is returned as the go command uses it, with one
// trailing slash removed; index is its position among the comma-separated
// elements of the list text, counting empty elements, starting at 0.
// If no pattern matches, MatchPattern returns "", -1, false.
func (l *List) MatchPattern(path string) (pattern string, index int, ok bool) {
	i := l.find(path, true)
	if i < 0 {
		return "", -1, false
	}
	p := &l.pats[i]
	return p.glob, p.index, true
}

// String returns the text l was compiled from. It returns "" for a nil List.
func (l *List) String() string {
	if l == nil {
		return ""
	}
	return l.text
}

// Patterns returns the patterns of l in list order, as the go command uses
// them: empty elements are left out and one trailing slash is removed from
// each. Malformed patterns, which never match, are included.
// The caller owns the returned slice.
func (l *List) Patterns() []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l.pats))
	for i := range l.pats {
		out[i] = l.pats[i].glob
	}
	return out
}

// cuts records where the first slashes of a name are.
type cuts struct {
	name string
	pos  [maxCuts]int
	n    int  // number of positions recorded
	all  bool // name has exactly n slashes
}

func (c *cuts) init(name string, limit int) {
	c.name = name
	i := 0
	for c.n < limit {
		j := strings.IndexByte(name[i:], '/')
		if j < 0 {
			c.all = true
			return
		}
		c.pos[c.n] = i + j
		c.n++
		i += j + 1
	}
}

// prefix is cutPrefix(c.name, n).
func (c *cuts) prefix(n int) (string, bool) {
	switch {
	case n < c.n:
		return c.name[:c.pos[n]], true
	case c.all:
		return c.name, n == c.n
	}
	return cutPrefix(c.name, n)
}

// check reports whether pattern i matches name, given that it was found in
// the index under a key the name has.
func (l *List) check(i int32, c *cuts) bool {
	p := &l.pats[i]
	if p.exact {
		// The index key is the whole literal, compared at the right depth.
		return true
	}
	prefix, ok := c.prefix(p.slashes)
	if !ok {
		return false
	}
	matched, _ := path.Match(p.glob, prefix)
	return matched
}

// find returns the index in l.pats of a pattern matching name, or -1.
// If first is set it returns the first matching pattern in list order;
// otherwise any matching one.
func (l *List) find(name string, first bool) int {
	if l == nil || len(l.pats) == 0 {
		return -1
	}
	var c cuts
	c.init(name, l.maxCut)
	best := int32(len(l.pats)) // the best match so far; len(l.pats) means none

	// scan checks the candidates in cands that could improve on best and
	// reports whether to stop looking.
	scan := func(cands []int32) bool {
		for _, i := range cands {
			if i >= best {
				break
			}
			if l.check(i, &c) {
				best = i
				return !first
			}
		}
		return false
	}

	for _, d := range l.alignedDepths {
		key, ok := c.prefix(d)
		if !ok {
			break // deeper keys need even more slashes
		}
		if scan(l.aligned[key]) {
			return int(best)
		}
	}
	elem := name
	if c.n > 0 {
		elem = name[:c.pos[0]]
	} else if !c.all {
		elem, _ = cutPrefix(name, 0)
	}
	for _, n := range l.leadingLens {
		if n > len(elem) {
			break
		}
		if scan(l.leading[elem[:n]]) {
			return int(best)
		}
	}
	for _, n := range l.trailingLens {
		if n > len(elem) {
			break
		}
		if scan(l.trailing[elem[len(elem)-n:]]) {
			return int(best)
		}
	}
	scan(l.rest)
	if best == int32(len(l.pats)) {
		return -1
	}
	return int(best)
}
