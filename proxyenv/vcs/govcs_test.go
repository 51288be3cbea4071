package vcs

import (
	"errors"
	"strings"
	"testing"
)

func TestParseGOVCS(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		",":                             "empty entry in GOVCS",
		"a.b:git,,c.d:hg":               "empty entry in GOVCS",
		"a.b":                           `malformed entry in GOVCS (missing colon): "a.b"`,
		":git":                          `empty pattern in GOVCS: ":git"`,
		"a.b:":                          `empty VCS list in GOVCS: "a.b:"`,
		"./x:git":                       `relative pattern not allowed in GOVCS: "./x"`,
		"..:git":                        `relative pattern not allowed in GOVCS: ".."`,
		"a.b:git,a.b:hg":                `unreachable pattern in GOVCS: "a.b:hg" after "a.b:git"`,
		"a.b:git||hg":                   `empty VCS name in GOVCS: "a.b:git||hg"`,
		" a.b : git | ":                 `empty VCS name in GOVCS: "a.b : git |"`,
		"private:all,x:git,private:off": `unreachable pattern in GOVCS: "private:off" after "private:all"`,
	}
	for in, want := range bad {
		_, err := ParseGOVCS(in)
		var ge *GOVCSError
		if !errors.As(err, &ge) || err.Error() != want {
			t.Errorf("ParseGOVCS(%q) error = %v, want *GOVCSError %q", in, err, want)
		}
	}
	for _, in := range []string{"", "  ", " a.b : git | hg , private:all", "*:off", "public:git,private:svn"} {
		if _, err := ParseGOVCS(in); err != nil {
			t.Errorf("ParseGOVCS(%q): %v", in, err)
		}
	}
}

func TestGOVCSAllow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		govcs   string
		root    string
		private bool
		vcs     string
		want    bool
	}{
		{"", "a.b/c", false, "git", true},
		{"", "a.b/c", false, "hg", true},
		{"", "a.b/c", false, "svn", false},
		{"", "a.b/c", true, "svn", true},
		{"", "a.b/c", true, "fossil", true},
		{"", "a.b/c", false, "mod", true},
		{"*:off", "a.b/c", false, "git", false},
		{"*:off", "a.b/c", false, "mod", true},
		{"a.b:svn", "a.b/c", false, "svn", true},
		{"a.b:svn", "a.b/c", false, "git", false}, // first matching rule decides
		{"a.b:svn", "x.y/c", false, "git", true},
		{"private:git", "a.b/c", true, "svn", false},
		{"public:all", "a.b/c", false, "bzr", true},
		{"*.b:hg", "a.b/c", false, "hg", true},
	}
	for _, tt := range tests {
		g, err := ParseGOVCS(tt.govcs)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := g.Allow(tt.root, tt.private, tt.vcs); got != tt.want {
			t.Errorf("ParseGOVCS(%q).Allow(%q, %v, %q) = %v, want %v", tt.govcs, tt.root, tt.private, tt.vcs, got, tt.want)
		}
	}
	e := &DisallowedError{VCS: "git", Root: "example.com/x", Private: true}
	if want := "GOVCS disallows using git for private example.com/x; see 'go help vcs'"; e.Error() != want {
		t.Errorf("DisallowedError = %q, want %q", e.Error(), want)
	}
}

func FuzzParseGOVCS(f *testing.F) {
	for _, s := range []string{"", "a.b:git|hg,private:all", "x", ":", "a:b,a:c", " ./x : y "} {
		f.Add(s, "a.b/c", "git")
	}
	f.Fuzz(func(t *testing.T, value, root, vcs string) {
		g, err := ParseGOVCS(value)
		if err != nil {
			var ge *GOVCSError
			if !errors.As(err, &ge) || g != nil || !strings.Contains(err.Error(), "GOVCS") {
				t.Fatalf("ParseGOVCS(%q) = %v, %T %v", value, g, err, err)
			}
			return
		}
		rules := g.Rules()
		if len(rules) < 2 || rules[len(rules)-1].Pattern != "public" {
			t.Fatalf("ParseGOVCS(%q) lost the default rules: %v", value, rules)
		}
		for _, r := range rules {
			for _, a := range r.Allowed {
				if a == "" || strings.TrimSpace(a) != a {
					t.Fatalf("ParseGOVCS(%q): bad VCS name %q", value, a)
				}
			}
		}
		if ok, _ := g.Allow(root, false, "mod"); !ok {
			t.Fatalf("mod disallowed by %q", value)
		}
		g.Allow(root, true, vcs)
	})
}
