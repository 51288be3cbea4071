package matcher

import (
	"path"
	"strings"
)

// A pattern is one non-empty element of a list, as the go command uses it.
type pattern struct {
	glob    string // the element with one trailing slash removed
	index   int    // element index in the comma-separated list
	offset  int    // byte offset of the element in the list text
	slashes int    // number of '/' bytes in glob; the target is cut to as many elements plus one
	valid   bool   // path.Match accepts glob
	exact   bool   // glob has no wildcards: it matches only lit
	lit     string // literal bytes glob must match first, escapes removed
}

// An op is one single-character operator of a well-formed path.Match
// pattern: a literal byte (after removing a backslash escape), '*', '?',
// or a whole character class.
type op struct {
	kind  byte // opLit, opStar, opAny or opClass
	b     byte // the literal byte, for opLit
	start int  // offset of the operator in the pattern
	end   int  // offset just past the operator
}

const (
	opLit = iota
	opStar
	opAny
	opClass
)

// ops splits a well-formed path.Match pattern into its operators.
// The result is meaningless for malformed patterns.
func ops(glob string, yield func(op) bool) {
	for i := 0; i < len(glob); {
		switch c := glob[i]; c {
		case '*':
			if !yield(op{opStar, 0, i, i + 1}) {
				return
			}
			i++
		case '?':
			if !yield(op{opAny, 0, i, i + 1}) {
				return
			}
			i++
		case '[':
			// In a well-formed class the first unescaped ']' after at
			// least one character ends it; escapes hide one byte.
			j := i + 1
			if j < len(glob) && glob[j] == '^' {
				j++
			}
			k := j
			for k < len(glob) {
				if glob[k] == '\\' {
					k += 2
					continue
				}
				if glob[k] == ']' && k > j {
					break
				}
				k++
			}
			end := min(k+1, len(glob))
			if !yield(op{opClass, 0, i, end}) {
				return
			}
			i = end
		case '\\':
			if i+1 >= len(glob) {
				return
			}
			if !yield(op{opLit, glob[i+1], i, i + 2}) {
				return
			}
			i += 2
		default:
			if !yield(op{opLit, c, i, i + 1}) {
				return
			}
			i++
		}
	}
}

// newPattern analyses one non-empty, slash-trimmed element.
func newPattern(glob string, index, offset int) pattern {
	p := pattern{
		glob:    glob,
		index:   index,
		offset:  offset,
		slashes: strings.Count(glob, "/"),
	}
	// path.Match checks the whole pattern whatever the name, so a pattern
	// it rejects once it rejects for every name: such patterns never match.
	_, err := path.Match(glob, "")
	p.valid = err == nil
	if !p.valid {
		return p
	}
	var lit []byte
	p.exact = true
	ops(glob, func(o op) bool {
		if o.kind != opLit {
			p.exact = false
			return false
		}
		lit = append(lit, o.b)
		return true
	})
	p.lit = string(lit)
	return p
}

// firstSuffix returns the literal bytes that end the first path element of
// every name p can match, or "" if there is no such constraint this package
// can rely on. It applies only when the first element of p contains no
// character class: '*' and '?' never match '/', so such an element lines up
// with the first element of the name.
func (p *pattern) firstSuffix() string {
	var suf []byte
	ok := true
	ops(p.glob, func(o op) bool {
		switch o.kind {
		case opClass:
			ok = false
			return false
		case opStar, opAny:
			suf = suf[:0]
		case opLit:
			if o.b == '/' {
				return false
			}
			suf = append(suf, o.b)
		}
		return true
	})
	if !ok {
		return ""
	}
	// A first element ending in '*' leaves suf empty, as it should.
	return string(suf)
}

// cutPrefix returns the leading part of target that a pattern containing n
// slashes is matched against: target up to, not including, its (n+1)th
// slash, or all of target if it has exactly n slashes. It reports false if
// target has fewer than n slashes; the go command skips the pattern then.
func cutPrefix(target string, n int) (string, bool) {
	for i := 0; i < len(target); i++ {
		if target[i] == '/' {
			if n == 0 {
				return target[:i], true
			}
			n--
		}
	}
	return target, n == 0
}
