package matcher

import (
	"errors"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/module"
)

// kinds summarises problems for comparison: one "index:kind" or
// "index:kind!" (no effect) entry per problem, index counting elements
// from 0.
func kinds(globs string, probs []Diagnostic) []string {
	var out []string
	for _, p := range probs {
		s := string(p.Kind)
		if p.NoEffect {
			s += "!"
		}
		out = append(out, strings.Join([]string{string(rune('0' + elemIndex(globs, p))), s}, ":"))
	}
	return out
}

// elemIndex returns the 0-based index of the element p is about.
func elemIndex(globs string, p Diagnostic) int {
	return strings.Count(globs[:p.Column-1], ",")
}

func TestLint(t *testing.T) {
	tests := []struct {
		globs string
		want  []string
	}{
		{"", []string{"0:empty-pattern!"}},
		{"corp.com", nil},
		{"*.corp.example.com,github.com/acme,gitlab.acme.io/platform/*", nil},
		{"github.com/BurntSushi", nil}, // later elements may be upper case
		{"a.com,,b.com", []string{"1:empty-pattern!"}},
		{"a.com,", []string{"1:empty-pattern!"}},
		{"/", []string{"0:empty-pattern!"}},
		{"a.com, b.com", []string{"1:stray-space!"}},
		{"a.com ,b.com", []string{"0:stray-space!"}},
		{"\ta.com\n", []string{"0:stray-space!"}},
		{"a.com /", []string{"0:stray-space!", "0:trailing-slash"}},
		{"[", []string{"0:malformed-pattern!"}},
		{"[a-]", []string{"0:malformed-pattern!"}},
		{`a\`, []string{"0:malformed-pattern!"}},
		{`a\/`, []string{"0:malformed-pattern!"}},
		{" [", []string{"0:stray-space!", "0:malformed-pattern!"}},
		{"https://corp.com", []string{"0:scheme!"}},
		{"https://corp.com/", []string{"0:trailing-slash", "0:scheme!"}},
		{"corp.com:8443", []string{"0:port!"}},
		{"corp.com:8443/x", []string{"0:port!"}},
		{"corp.com:x", []string{"0:invalid-character!"}},
		{"corp.com/", []string{"0:trailing-slash"}},
		{"corp.com//", []string{"0:trailing-slash!"}},
		{"corp.com///", []string{"0:trailing-slash!"}},
		{"/corp.com", []string{"0:bad-slash!"}},
		{"corp.com//x", []string{"0:bad-slash!"}},
		{"Corp.com", []string{"0:upper-case-host!"}},
		{"*.Corp.com", []string{"0:upper-case-host!"}},
		{"[C]orp.com", nil},    // character classes are not analysed
		{"corp.com/Team", nil}, // upper case is fine after the first element
		{"a[/]B.com", nil},     // the class may be the first slash
		{"a b.com", []string{"0:invalid-character!"}},
		{"é.com", []string{"0:invalid-character!"}},
		{"a+b.com", []string{"0:invalid-character!"}},
		{`corp.com/\*`, []string{"0:invalid-character!"}},
		{"corp.com/[*]", nil},
		{" https://Corp.com:8443//", []string{"0:stray-space!", "0:trailing-slash!", "0:scheme!"}},
	}
	for _, tt := range tests {
		got := kinds(tt.globs, Lint(tt.globs))
		if !slices.Equal(got, tt.want) {
			t.Errorf("Lint(%q) = %q, want %q", tt.globs, got, tt.want)
			for _, p := range Lint(tt.globs) {
				t.Logf("\t%v", p)
			}
		}
	}
}

func TestLintPosition(t *testing.T) {
	const globs = "a.com,, b.com,c.com//"
	probs := Lint(globs)
	want := []Diagnostic{
		{Subject: "", Column: 7, Kind: EmptyPattern},
		{Subject: " b.com", Column: 8, Kind: StraySpace},
		{Subject: "c.com//", Column: 15, Kind: TrailingSlash},
	}
	if len(probs) != len(want) {
		t.Fatalf("Lint(%q) = %v, want %d problems", globs, probs, len(want))
	}
	for i, p := range probs {
		w := want[i]
		if p.Subject != w.Subject || p.Column != w.Column || p.Kind != w.Kind || p.Severity != "warning" {
			t.Errorf("Lint(%q)[%d] = %q, %d, %v, %v; want %q, %d, %v, warning",
				globs, i, p.Subject, p.Column, p.Kind, p.Severity, w.Subject, w.Column, w.Kind)
		}
	}
}

func TestLintMessages(t *testing.T) {
	p := Lint("a.com, b.com")[0]
	if want := `pattern 2 " b.com": leading white space: the go command does not trim spaces, so this pattern never matches "b.com"; write "b.com"`; p.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", p.Error(), want)
	}
	if p.String() != p.Error() {
		t.Errorf("String() = %q, want Error() %q", p.String(), p.Error())
	}
	var err error = Lint("[")[0]
	if !errors.Is(err, path.ErrBadPattern) {
		t.Errorf("errors.Is(Lint(%q)[0], path.ErrBadPattern) = false, want true", "[")
	}
	var d Diagnostic
	if !errors.As(err, &d) || d.Kind != Malformed {
		t.Errorf("errors.As(Lint(%q)[0], *Diagnostic) = %v, kind %v; want Malformed", "[", d, d.Kind)
	}
}

// checkLint checks the promises of Lint for globs, using path to test the
// claim of every dead problem.
func checkLint(t *testing.T, globs, p string) {
	t.Helper()
	probs := Lint(globs)
	elems := strings.Split(globs, ",")
	malformed := make(map[int]bool)
	for _, pr := range probs {
		off := pr.Column - 1
		if off < 0 || off+len(pr.Subject) > len(globs) || globs[off:off+len(pr.Subject)] != pr.Subject {
			t.Fatalf("Lint(%q): problem %v: column %d does not hold the pattern", globs, pr, pr.Column)
		}
		index := elemIndex(globs, pr)
		if index >= len(elems) || elems[index] != pr.Subject {
			t.Fatalf("Lint(%q): problem %v: element %d is not %q", globs, pr, index, pr.Subject)
		}
		if pr.Kind == "" || pr.Message == "" {
			t.Fatalf("Lint(%q): problem %#v has no kind or message", globs, pr)
		}
		if pr.Kind == Malformed {
			malformed[index] = true
		}
		if pr.NoEffect && module.CheckPath(p) == nil && module.MatchPrefixPatterns(pr.Subject, p) {
			t.Fatalf("Lint(%q) says %q never matches a valid module path (%v), but it matches %q", globs, pr.Subject, pr.Kind, p)
		}
	}
	for i, elem := range elems {
		glob := strings.TrimSuffix(elem, "/")
		if glob == "" {
			continue
		}
		_, err := path.Match(glob, "")
		if (err != nil) != malformed[i] {
			t.Fatalf("Lint(%q): element %d %q: malformed reported %v, path.Match error %v", globs, i, elem, malformed[i], err)
		}
	}
}

func FuzzLint(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.globs, s.path)
	}
	f.Add("Corp.com", "corp.com")
	f.Add("*.Corp.com", "a.corp.com")
	f.Add("https://corp.com", "corp.com")
	f.Add("corp.com:8443", "corp.com")
	f.Add("a.com, b.com", "b.com")
	f.Add("corp.com//", "corp.com/x")
	f.Fuzz(func(t *testing.T, globs, path string) {
		checkLint(t, globs, path)
	})
}

// TestLintRandom tests the dead claims of Lint on valid module paths made
// from the patterns themselves.
func TestLintRandom(t *testing.T) {
	alphabet := []string{"a", "B", ".com", "/", "*", "?", "[a-z]", "[^x]", `\`, ",", " ", ":", "8", "//", "x", "https://", "é", "-"}
	r := rand.New(rand.NewPCG(3, 4))
	n := 30000
	if testing.Short() {
		n = 3000
	}
	checked := 0
	for range n {
		var b strings.Builder
		for range r.IntN(10) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		globs := b.String()
		elems := strings.Split(globs, ",")
		// Fill in the wildcards of one element with valid path bytes, and
		// lower-case it half the time, to get paths it might match.
		p := strings.Map(func(c rune) rune {
			switch c {
			case '*', '?', '[', ']', '^', '\\':
				return 'a'
			}
			if r.IntN(2) == 0 && 'A' <= c && c <= 'Z' {
				return c + 'a' - 'A'
			}
			return c
		}, elems[r.IntN(len(elems))])
		if r.IntN(2) == 0 {
			p += "/y"
		}
		if r.IntN(2) == 0 {
			p = sanitize(p)
		}
		if module.CheckPath(p) == nil {
			checked++
		}
		checkLint(t, globs, p)
	}
	t.Logf("%d of %d paths were valid module paths", checked, n)
}

func TestLintFix(t *testing.T) {
	tests := []struct{ globs, want string }{
		{" https://Corp.com:8443//", "corp.com"},
		{"https://corp.com/team/", "corp.com/team"},
		{"Corp.com/Team", "corp.com/Team"},
		{"corp.com:8443/x", "corp.com/x"},
		{"corp.com//", "corp.com"},
		{" b.com", "b.com"},
		{"corp.com/", ""},
		{"[", ""},
	}
	for _, tt := range tests {
		probs := Lint(tt.globs)
		if len(probs) == 0 {
			t.Errorf("Lint(%q) = no problems, want a fix %q", tt.globs, tt.want)
			continue
		}
		for _, p := range probs {
			if p.Fix != tt.want {
				t.Errorf("Lint(%q): %v: Fix = %q, want %q", tt.globs, p.Kind, p.Fix, tt.want)
			}
		}
	}
}

// sanitize turns p into something close to a valid module path.
func sanitize(p string) string {
	p = strings.Map(func(c rune) rune {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '-', c == '/':
			return c
		case 'A' <= c && c <= 'Z':
			return c + 'a' - 'A'
		}
		return 'a'
	}, p)
	var elems []string
	for _, e := range strings.Split(p, "/") {
		e = strings.Trim(e, ".-")
		if e != "" {
			elems = append(elems, e)
		}
	}
	if len(elems) == 0 {
		return "x.com"
	}
	if !strings.Contains(elems[0], ".") {
		elems[0] += ".com"
	}
	return strings.Join(elems, "/")
}
