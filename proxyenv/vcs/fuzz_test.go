package vcs

import (
	"strings"
	"testing"
)

func TestParseRefs(t *testing.T) {
	out := "aaa\tHEAD\n" +
		"bbb\trefs/heads/main\n" +
		"ccc\trefs/tags/v1.0.0\n" +
		"ddd\trefs/tags/v1.1.0\n" +
		"eee\trefs/tags/v1.1.0^{}\n" +
		"fff\trefs/pull/1/head\n" +
		"garbage line with words\n"
	got := parseRefs([]byte(out))
	want := map[string]string{"HEAD": "aaa", "refs/heads/main": "bbb", "refs/tags/v1.0.0": "ccc", "refs/tags/v1.1.0": "eee"}
	if len(got) != len(want) {
		t.Fatalf("parseRefs = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("parseRefs[%q] = %q, want %q", k, got[k], v)
		}
	}
}

func FuzzParseRefs(f *testing.F) {
	f.Add("aaa\tHEAD\nbbb\trefs/tags/v1^{}\nccc\trefs/tags/v1\n")
	f.Add("x refs/heads/a b\n\n\t\n")
	f.Fuzz(func(t *testing.T, out string) {
		refs := parseRefs([]byte(out))
		for ref, hash := range refs {
			if strings.HasSuffix(ref, "^{}") {
				t.Errorf("peeled ref %q kept as a name", ref)
			}
			if ref != "HEAD" && !strings.HasPrefix(ref, "refs/heads/") && !strings.HasPrefix(ref, "refs/tags/") {
				t.Errorf("unexpected ref %q", ref)
			}
			if hash == "" || strings.ContainsAny(hash, " \t\n") {
				t.Errorf("bad hash %q for %q", hash, ref)
			}
		}
	})
}

func TestGoModLine(t *testing.T) {
	cases := []struct{ gomod, want string }{
		{"module m\n\ngo 1.21\n", "1.21"},
		{"module m\ngo\t1.22.1 // comment\n", "1.22.1"},
		{"module m\ngopher 1\n", ""},
		{"module m\n  go 1.30rc1\r\n", "1.30rc1"},
		{"go 1.1\ngo 1.2\n", "1.1"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := goModLine([]byte(tc.gomod), "go"); got != tc.want {
			t.Errorf("goModLine(%q) = %q, want %q", tc.gomod, got, tc.want)
		}
	}
}

func FuzzGoModLine(f *testing.F) {
	f.Add([]byte("module m\ngo 1.21 // x\n"))
	f.Fuzz(func(t *testing.T, gomod []byte) {
		v := goModLine(gomod, "go")
		if strings.Contains(v, "\n") || strings.Contains(v, "//") || strings.TrimSpace(v) != v {
			t.Errorf("goModLine(%q) = %q", gomod, v)
		}
	})
}

func TestWorkDirKey(t *testing.T) {
	// The go command's directory for https://example.com/basic, as
	// sha256("git3:https://example.com/basic").
	dir, lock := WorkDir("/c", "https://example.com/basic")
	if !strings.HasPrefix(dir, "/c/cache/vcs/") || len(dir) != len("/c/cache/vcs/")+64 || lock != dir+".lock" {
		t.Errorf("WorkDir = %s, %s", dir, lock)
	}
}
