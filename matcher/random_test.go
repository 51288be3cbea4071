package matcher

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/mod/module"
)

// TestMatchRandom compares List with module.MatchPrefixPatterns on many
// pseudo-random pairs built from the pattern syntax, so that plain
// `go test` (and CI) covers more than the fuzz seed corpus. Paths are
// mostly made from an element of the list with its wildcards filled in,
// so that a good share of the pairs match.
func TestMatchRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 100000
	if testing.Short() {
		n = 10000
	}
	matched := 0
	for range n {
		var b strings.Builder
		for range r.IntN(20) {
			b.WriteString(tokens[r.IntN(len(tokens))])
		}
		globs := b.String()
		var path string
		if r.IntN(4) == 0 {
			b.Reset()
			for range r.IntN(12) {
				b.WriteString(tokens[r.IntN(len(tokens))])
			}
			path = b.String()
		} else {
			elems := strings.Split(globs, ",")
			path = strings.Map(func(c rune) rune {
				switch c {
				case '*', '?', '[', ']', '^', '\\':
					if r.IntN(2) == 0 {
						return -1
					}
					return 'a'
				}
				return c
			}, elems[r.IntN(len(elems))])
			switch r.IntN(4) {
			case 0:
				path += "/b"
			case 1:
				path += "/"
			}
		}
		want := module.MatchPrefixPatterns(globs, path)
		if want {
			matched++
		}
		if got := Compile(globs).Match(path); got != want {
			t.Fatalf("Match(%q, %q) = %v, want %v", globs, path, got, want)
		}
		checkFirst(t, globs, path)
	}
	t.Logf("%d of %d random pairs match", matched, n)
	if matched < n/10 {
		t.Errorf("only %d of %d random pairs match; the generator needs work", matched, n)
	}
}
