package matcher

import (
	"strings"
	"testing"

	"golang.org/x/mod/module"
)

// fuzzSeeds are pattern lists and paths that exercise every part of the
// path.Match syntax and of the go command's list handling.
var fuzzSeeds = []struct{ globs, path string }{
	{"*", ""},
	{"*", "a/b"},
	{"**", "corp.com/x"},
	{"?", "é"},
	{"?", "\xff"},
	{"corp.co?", "corp.com/x"},
	{"[a-c]orp.com", "corp.com/x"},
	{"[^a]", "/"},
	{"[^a]orp.com", "corp.com"},
	{"[a-]", "a"},
	{"[-a]", "-"},
	{"[]", ""},
	{"[^]", "x"},
	{"[", "corp.com"},
	{"[,corp.com", "corp.com/x"},
	{"[a", "a"},
	{`[\]]x`, "]x"},
	{`[\`, `\`},
	{"[*]", "*"},
	{"a[/]b", "a/b"},
	{"a[.-0]b/c", "a/b/c"},
	{"[à-ÿ].com", "é.com/x"},
	{`corp.com/\*`, "corp.com/*"},
	{`corp.com\`, `corp.com\`},
	{`corp.com\/`, "corp.com/"},
	{`a\/b`, "a/b/c"},
	{`a\\b`, `a\b`},
	{",,corp.com,,", "corp.com/x"},
	{"a.com, corp.com", "corp.com/x"},
	{" corp.com", " corp.com"},
	{"corp.com ", "corp.com /x"},
	{"例え.jp", "例え.jp/x"},
	{"*.jp", "例え.jp"},
	{"corp.com/", "corp.com/x"},
	{"corp.com//", "corp.com//x"},
	{"corp.com", "corp.com/"},
	{"corp.com", "corp.com//x"},
	{"/", ""},
	{"/x", "/x/y"},
	{"a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t"},
	{"*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u"},
	{"*.corp.example.com,github.com/acme,gitlab.acme.io/platform/*", "gitlab.acme.io/platform/api"},
	{"corp.*,*.com,c*m", "corp.com"},
	{"*x*y", "axbxy"},
	{"https://corp.com", "https://corp.com"},
	{"corp.com:8443", "corp.com:8443/x"},
	{"Corp.com", "Corp.com"},
}

func FuzzMatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.globs, s.path)
	}
	for _, tt := range matchTests {
		f.Add(tt.globs, tt.path)
	}
	f.Fuzz(func(t *testing.T, globs, path string) {
		l := Compile(globs)
		got := l.Match(path)
		if want := module.MatchPrefixPatterns(globs, path); got != want {
			t.Fatalf("Match(%q, %q) = %v, want %v", globs, path, got, want)
		}
		pattern, index, ok := l.MatchPattern(path)
		if ok != got {
			t.Fatalf("MatchPattern(%q, %q) ok = %v, but Match = %v", globs, path, ok, got)
		}
		if !ok {
			if pattern != "" || index != -1 {
				t.Fatalf("MatchPattern(%q, %q) = %q, %d, false, want \"\", -1, false", globs, path, pattern, index)
			}
			return
		}
		// The reported pattern is the first element that matches on its own.
		elems := strings.Split(globs, ",")
		if index < 0 || index >= len(elems) || strings.TrimSuffix(elems[index], "/") != pattern {
			t.Fatalf("MatchPattern(%q, %q) = %q, %d: not element %d of the list", globs, path, pattern, index, index)
		}
		for i := range index + 1 {
			if m := module.MatchPrefixPatterns(elems[i], path); m != (i == index) {
				t.Fatalf("MatchPattern(%q, %q) = %q, %d, but element %d %q matches: %v",
					globs, path, pattern, index, i, elems[i], m)
			}
		}
	})
}

// tokens is the alphabet FuzzMatchTokens and TestMatchRandom build
// patterns and paths from: every byte the path.Match syntax gives meaning
// to, plus a few literals, so that generated pairs often match.
var tokens = []string{"a", "b", ".", "/", "*", "?", "[", "]", "^", "-", `\`, ",", " ", "é", "/", "a", "c.com"}

// fromTokens turns each byte of data into a token; the byte 0xff splits
// the result into the list and the path.
func fromTokens(data []byte) (globs, path string) {
	var b strings.Builder
	for i, c := range data {
		if c == 0xff {
			globs = b.String()
			b.Reset()
			// Bias the path towards the list so that pairs often match.
			if len(data[i+1:])%2 == 0 {
				b.WriteString(strings.Map(func(r rune) rune {
					switch r {
					case '*', '?', '[', ']', '^', '\\', ',':
						return 'a'
					}
					return r
				}, globs))
			}
			continue
		}
		b.WriteString(tokens[int(c)%len(tokens)])
	}
	if globs == "" {
		return b.String(), ""
	}
	return globs, b.String()
}

// FuzzMatchTokens is FuzzMatch over lists and paths built from tokens of
// the pattern syntax, which reaches interesting pairs much faster than
// arbitrary strings.
func FuzzMatchTokens(f *testing.F) {
	f.Add([]byte{0, 4, 1, 0xff, 0, 3, 1})
	f.Add([]byte{6, 0, 9, 2, 7, 3, 0xff, 0, 3})
	f.Add([]byte{10, 4, 11, 0, 3, 0xff})
	f.Add([]byte{6, 8, 0, 7, 11, 16, 0xff, 16, 3, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		globs, path := fromTokens(data)
		l := Compile(globs)
		if got, want := l.Match(path), module.MatchPrefixPatterns(globs, path); got != want {
			t.Fatalf("Match(%q, %q) = %v, want %v", globs, path, got, want)
		}
		checkFirst(t, globs, path)
	})
}
