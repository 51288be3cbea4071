package matcher

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/module"
)

// matchTests are checked against both List.Match and
// module.MatchPrefixPatterns, so a wrong want fails loudly.
var matchTests = []struct {
	name  string
	globs string
	path  string
	want  bool
}{
	// The go command's behaviour as run in the research notes (b6).
	{"leading space", " corp.com", "corp.com/x", false},
	{"space after comma", "a.com, corp.com", "corp.com/x", false},
	{"empty elements", ",,corp.com,,", "corp.com/x", true},
	{"one trailing slash", "corp.com/", "corp.com/x", true},
	{"two trailing slashes", "corp.com//", "corp.com/x", false},
	{"star dot needs a subdomain", "*.corp.com", "corp.com/x", false},
	{"star dot subdomain", "*.corp.com", "a.b.corp.com/x", true},
	{"star element needs an element", "corp.com/*", "corp.com", false},
	{"longer pattern than path", "corp.com/team", "corp.com", false},
	{"star matches empty path", "*", "", true},
	{"double star is star", "**", "corp.com/x", true},
	{"double star is not recursive", "corp.com/**", "corp.com/a/b", true},
	{"lone bracket", "[", "corp.com/x", false},
	{"bad pattern then good", "[,corp.com", "corp.com/x", true},
	{"port", "corp.com:8443", "corp.com/x", false},
	{"scheme", "https://corp.com", "corp.com/x", false},
	{"upper case", "Corp.com", "corp.com/x", false},
	{"prefix of deep path", "gitlab.corp.com/group", "gitlab.corp.com/group/sub/repo", true},
	{"escaped star", `corp.com/\*`, "corp.com/*", true},
	{"escaped star is literal", `corp.com/\*`, "corp.com/x", false},

	// Element boundaries.
	{"exact", "corp.com", "corp.com", true},
	{"element prefix is not enough", "corp.com", "corp.common/x", false},
	{"name prefix is not enough", "corp.com/a", "corp.com/ab", false},
	{"path with trailing slash", "corp.com", "corp.com/", true},
	{"pattern slash vs path trailing slash", "corp.com/x", "corp.com/x/", true},
	{"double slash in path", "corp.com", "corp.com//x", true},
	{"double slash pattern", "corp.com//x", "corp.com//x", true},
	{"trimmed double slash matches empty element", "corp.com//", "corp.com//x", true},
	{"empty path", "corp.com", "", false},
	{"empty path, slash-only pattern", "/", "", false},
	{"leading slash", "/x", "/x/y", true},
	{"star does not cross slash", "corp*", "corp.com/x", true},
	{"star does not cross slash 2", "*x", "a/x", false},
	{"question mark", "corp.co?", "corp.com/x", true},
	{"question mark not slash", "corp.com?x", "corp.com/x", false},
	{"question mark multibyte", "?.com", "é.com", true},

	// Character classes.
	{"class", "[a-c]orp.com", "corp.com/x", true},
	{"class miss", "[a-b]orp.com", "corp.com/x", false},
	{"negated class", "[^a]orp.com", "corp.com", true},
	{"negated class miss", "[^c]orp.com", "corp.com", false},
	{"class can match slash", "a[/]b", "a/b", true},
	{"range covering slash", "a[.-0]b/c", "a/b/c", false},
	{"negated class slash", "a[^x]b", "a/b", false},
	{"class with escaped bracket", `[\]]x`, "]x", true},
	{"class with star", "[*]", "*", true},
	{"unicode class", "[é]", "é", true},
	{"unicode range", "[à-ÿ].com", "é.com/x", true},
	{"empty class", "[]", "", false},
	{"unterminated class", "[a", "a", false},
	{"dash at end of class", "[a-]", "a", false},
	{"dash at start of class", "[-a]", "-", false},
	{"caret only class", "[^]", "x", false},
	{"malformed after match", "corp.com/[", "corp.com/x", false},
	{"malformed after star", "*[", "corp.com", false},
	{"malformed keeps list going", "a[,b\\,c.com", "c.com", true},

	// Escapes.
	{"trailing backslash", `corp.com\`, `corp.com\`, false},
	{"escaped slash trimmed to bad pattern", `corp.com\/`, "corp.com/", false},
	{"escaped slash", `a\/b`, "a/b/c", true},
	{"escaped letter", `\corp.com`, "corp.com", true},
	{"escaped backslash", `a\\b`, `a\b`, true},

	// Unicode and odd bytes.
	{"unicode exact", "例え.jp", "例え.jp/x", true},
	{"unicode star", "*.jp", "例え.jp", true},
	{"invalid utf8", "\xff", "\xff/x", true},
	{"invalid utf8 question", "?", "\xff", true},

	// Many slashes.
	{"deep", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t", true},
	{"deep miss", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r", false},
	{"deep star", "*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u", true},
	{"deep wildcard", "a/*/c/*/e/*/g/*/i/*/k/*/m/*/o/*/q/*/s", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s", true},

	// Lists.
	{"empty list", "", "corp.com", false},
	{"commas only", ",,,", "corp.com", false},
	{"second matches", "a.com,corp.com", "corp.com/x", true},
	{"corporate", "*.corp.example.com,github.com/acme,gitlab.acme.io/platform/*", "gitlab.acme.io/platform/api/v2", true},
	{"corporate miss", "*.corp.example.com,github.com/acme,gitlab.acme.io/platform/*", "gitlab.acme.io/platform", false},
	{"corporate subdomain", "*.corp.example.com,github.com/acme,gitlab.acme.io/platform/*", "git.corp.example.com/x", true},
	{"case sensitive", "github.com/acme", "github.com/Acme/x", false},
}

func TestMatch(t *testing.T) {
	for _, tt := range matchTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := module.MatchPrefixPatterns(tt.globs, tt.path); got != tt.want {
				t.Fatalf("bad test: module.MatchPrefixPatterns(%q, %q) = %v, want %v", tt.globs, tt.path, got, tt.want)
			}
			l := Compile(tt.globs)
			if got := l.Match(tt.path); got != tt.want {
				t.Errorf("Compile(%q).Match(%q) = %v, want %v", tt.globs, tt.path, got, tt.want)
			}
			_, _, ok := l.MatchPattern(tt.path)
			if ok != tt.want {
				t.Errorf("Compile(%q).MatchPattern(%q) ok = %v, want %v", tt.globs, tt.path, ok, tt.want)
			}
		})
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		globs       string
		path        string
		wantPattern string
		wantIndex   int
		wantOK      bool
	}{
		{"a.com,corp.com", "corp.com/x", "corp.com", 1, true},
		{",,corp.com/,", "corp.com/x", "corp.com", 2, true},
		{"*,corp.com", "corp.com/x", "*", 0, true},
		{"corp.com,*", "corp.com/x", "corp.com", 0, true},
		{"corp.com/x,corp.com", "corp.com/x", "corp.com/x", 0, true},
		{"corp.com,corp.com/x", "corp.com/x", "corp.com", 0, true},
		{"*.com,corp.*,corp.com", "corp.com/x", "*.com", 0, true},
		{"corp.*,*.com", "corp.com/x", "corp.*", 0, true},
		{"[,corp.com", "corp.com/x", "corp.com", 1, true},
		{"a.com", "corp.com", "", -1, false},
		{"", "corp.com", "", -1, false},
		{"c*,corp.com/*,*/x", "corp.com/x", "c*", 0, true},
		{"*/x,corp.com/*,c*", "corp.com/x", "*/x", 0, true},
		{"corp.com/*,*/x,c*", "corp.com/x", "corp.com/*", 0, true},
	}
	for _, tt := range tests {
		pattern, index, ok := Compile(tt.globs).MatchPattern(tt.path)
		if pattern != tt.wantPattern || index != tt.wantIndex || ok != tt.wantOK {
			t.Errorf("MatchPattern(%q, %q) = %q, %d, %v, want %q, %d, %v",
				tt.globs, tt.path, pattern, index, ok, tt.wantPattern, tt.wantIndex, tt.wantOK)
		}
	}
}

func TestNilList(t *testing.T) {
	var l *List
	if l.Match("") || l.Match("corp.com") {
		t.Errorf("(*List)(nil).Match = true, want false")
	}
	if p, i, ok := l.MatchPattern("corp.com"); p != "" || i != -1 || ok {
		t.Errorf("(*List)(nil).MatchPattern = %q, %d, %v, want \"\", -1, false", p, i, ok)
	}
	if s := l.String(); s != "" {
		t.Errorf("(*List)(nil).String() = %q, want \"\"", s)
	}
	if p := l.Patterns(); p != nil {
		t.Errorf("(*List)(nil).Patterns() = %q, want nil", p)
	}
	var zero List
	if zero.Match("corp.com") {
		t.Errorf("List{}.Match = true, want false")
	}
}

func TestStringAndPatterns(t *testing.T) {
	const globs = ",a.com/, b.com,[,c.com//"
	l := Compile(globs)
	if got := l.String(); got != globs {
		t.Errorf("Compile(%q).String() = %q", globs, got)
	}
	want := []string{"a.com", " b.com", "[", "c.com/"}
	got := l.Patterns()
	if !slices.Equal(got, want) {
		t.Errorf("Compile(%q).Patterns() = %q, want %q", globs, got, want)
	}
	got[0] = "changed"
	if l.Patterns()[0] != "a.com" {
		t.Errorf("Patterns result aliases the List")
	}
}

func TestConcurrent(t *testing.T) {
	l := Compile(corporate)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := benchPaths[(g+i)%len(benchPaths)]
				if got, want := l.Match(p), module.MatchPrefixPatterns(corporate, p); got != want {
					t.Errorf("Match(%q, %q) = %v, want %v", corporate, p, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestManyPatterns checks the index with large generated lists.
func TestManyPatterns(t *testing.T) {
	globs := manyPatterns(1000)
	l := Compile(globs)
	paths := append(slices.Clone(benchPaths), manyPaths(2000)...)
	for _, p := range paths {
		if got, want := l.Match(p), module.MatchPrefixPatterns(globs, p); got != want {
			t.Errorf("Match(manyPatterns(1000), %q) = %v, want %v", p, got, want)
		}
		checkFirst(t, globs, p)
	}
}

// checkFirst checks MatchPattern against a pattern-by-pattern search of the
// list with module.MatchPrefixPatterns.
func checkFirst(t *testing.T, globs, path string) {
	t.Helper()
	pattern, index, ok := Compile(globs).MatchPattern(path)
	wantPattern, wantIndex, wantOK := "", -1, false
	for i, elem := range strings.Split(globs, ",") {
		if module.MatchPrefixPatterns(elem, path) {
			wantPattern, wantIndex, wantOK = strings.TrimSuffix(elem, "/"), i, true
			break
		}
	}
	if pattern != wantPattern || index != wantIndex || ok != wantOK {
		t.Errorf("MatchPattern(%q, %q) = %q, %d, %v, want %q, %d, %v",
			globs, path, pattern, index, ok, wantPattern, wantIndex, wantOK)
	}
}
