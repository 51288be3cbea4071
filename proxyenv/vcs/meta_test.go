package vcs

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseMeta(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		html    string
		want    []MetaImport
		wantErr string
	}{
		{"simple", `<meta name="go-import" content="a.b/c git https://a.b/c">`,
			[]MetaImport{{"a.b/c", "git", "https://a.b/c", ""}}, ""},
		{"subdir", `<meta name="go-import" content="a.b/c git https://a.b/r sub">`,
			[]MetaImport{{"a.b/c", "git", "https://a.b/r", "sub"}}, ""},
		{"two fields ignored", `<meta name="go-import" content="a.b/c git">`, nil, ""},
		{"five fields ignored", `<meta name="go-import" content="a b c d e">`, nil, ""},
		{"extra spaces", `<meta name="go-import" content="  a.b/c   git	https://x  ">`,
			[]MetaImport{{"a.b/c", "git", "https://x", ""}}, ""},
		{"go-source ignored", `<meta name="go-source" content="a.b/c x y z">`, nil, ""},
		{"name case matters", `<meta name="GO-IMPORT" content="a.b/c git https://x">`, nil, ""},
		{"attr case does not", `<META NAME="go-import" CONTENT="a.b/c git https://x">`,
			[]MetaImport{{"a.b/c", "git", "https://x", ""}}, ""},
		{"mod first", `<meta name="go-import" content="a.b git https://g"><meta name="go-import" content="a.b/c hg https://h"><meta name="go-import" content="a.b mod https://m">`,
			[]MetaImport{{"a.b", "mod", "https://m", ""}, {"a.b/c", "hg", "https://h", ""}}, ""},
		{"stops at body", `<head></head><body><meta name="go-import" content="a.b git https://g">`, nil, ""},
		{"stops at body without head", `<BODY><meta name="go-import" content="a.b git https://g">`, nil, ""},
		{"stops at end of head", `<head></HEAD><meta name="go-import" content="a.b git https://g">`, nil, ""},
		{"unclosed tags", `<html><head><meta name="go-import" content="a.b git https://g"><link rel=x>`,
			[]MetaImport{{"a.b", "git", "https://g", ""}}, ""},
		{"syntax error first", `<meta name="go-import" content="a.b git https://g`, nil, "XML syntax error"},
		{"syntax error after tag", `<meta name="go-import" content="a.b git https://g"><meta name="x`,
			[]MetaImport{{"a.b", "git", "https://g", ""}}, ""},
		{"latin1", `<?xml version="1.0" encoding="ISO-8859-1"?><meta name="go-import" content="a.b git https://g">`,
			nil, `can't decode XML document using charset "ISO-8859-1"`},
		{"ascii", `<?xml version="1.0" encoding="ascii"?><meta name="go-import" content="a.b git https://g">`,
			[]MetaImport{{"a.b", "git", "https://g", ""}}, ""},
		{"entities", `<meta name="go-import" content="a.b git https://g?x=1&amp;y=2">`,
			[]MetaImport{{"a.b", "git", "https://g?x=1&y=2", ""}}, ""},
		{"empty", ``, nil, ""},
	}
	for _, tt := range tests {
		got, err := ParseMeta(strings.NewReader(tt.html))
		if tt.wantErr != "" {
			var pe *MetaParseError
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &pe) {
				t.Errorf("%s: ParseMeta(%q) error = %v, want *MetaParseError containing %q", tt.name, tt.html, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: ParseMeta(%q): %v", tt.name, tt.html, err)
			continue
		}
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseMeta(%q) = %v, want %v", tt.name, tt.html, got, tt.want)
		}
	}
}

func TestMatchMeta(t *testing.T) {
	t.Parallel()
	git := func(p string) MetaImport { return MetaImport{p, "git", "https://" + p, ""} }
	mod := func(p string) MetaImport { return MetaImport{p, "mod", "https://m/" + p, ""} }
	tests := []struct {
		name    string
		imports []MetaImport
		path    string
		want    MetaImport
		wantErr string
	}{
		{"exact", []MetaImport{git("a.b/c")}, "a.b/c", git("a.b/c"), ""},
		{"prefix", []MetaImport{git("a.b/c")}, "a.b/c/d", git("a.b/c"), ""},
		{"not a path prefix", []MetaImport{git("a.b/c")}, "a.b/cd", MetaImport{}, "meta tag a.b/c did not match import path a.b/cd"},
		{"none", nil, "a.b/c", MetaImport{}, ""},
		{"two", []MetaImport{git("a.b"), git("a.b/c")}, "a.b/c", MetaImport{}, `multiple meta tags match import path "a.b/c"`},
		{"mod hides", []MetaImport{mod("a.b"), git("a.b/c")}, "a.b/c", mod("a.b"), ""},
		{"two mods", []MetaImport{mod("a.b"), mod("a.b/c")}, "a.b/c", MetaImport{}, "multiple"},
		{"mismatch then match", []MetaImport{git("x.y"), git("a.b")}, "a.b/c", git("a.b"), ""},
	}
	for _, tt := range tests {
		got, err := MatchMeta(tt.imports, tt.path)
		if tt.name == "none" {
			var me *MismatchError
			if !errors.As(err, &me) || err.Error() != "" {
				t.Errorf("MatchMeta(nil) error = %#v, want empty *MismatchError", err)
			}
			continue
		}
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: MatchMeta(%v, %q) error = %v, want %q", tt.name, tt.imports, tt.path, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: MatchMeta(%v, %q) = %v, %v, want %v", tt.name, tt.imports, tt.path, got, err, tt.want)
		}
	}
}

func FuzzParseMeta(f *testing.F) {
	f.Add(`<meta name="go-import" content="a.b/c git https://a.b/c">`)
	f.Add(`<?xml version="1.0" encoding="latin1"?><META name="go-import" content="a mod b c">`)
	f.Add(`<head><meta name="go-import" content="a.b git https://g"></head><body>`)
	f.Add(`<meta name="go-import" content="a.b git https://g`)
	f.Fuzz(func(t *testing.T, html string) {
		got, err := ParseMeta(strings.NewReader(html))
		if err != nil {
			var pe *MetaParseError
			if !errors.As(err, &pe) || got != nil {
				t.Fatalf("ParseMeta error %T %v with %d tags", err, err, len(got))
			}
			return
		}
		seenNonMod := false
		mods := map[string]bool{}
		for _, m := range got {
			if m.Prefix == "" || m.VCS == "" || m.RepoRoot == "" || strings.ContainsAny(m.Prefix+m.VCS+m.RepoRoot+m.SubDir, " \t\n") {
				t.Fatalf("ParseMeta gave malformed tag %#v", m)
			}
			if m.VCS == "mod" {
				if seenNonMod {
					t.Fatalf("mod tag after a non-mod tag: %v", got)
				}
				mods[m.Prefix] = true
			} else {
				seenNonMod = true
				if mods[m.Prefix] {
					t.Fatalf("non-mod tag %v not hidden by mod tag", m)
				}
			}
		}
		for _, m := range got {
			if _, err := MatchMeta(got, m.Prefix); err != nil {
				var mm *MultipleMatchError
				if !errors.As(err, &mm) {
					t.Fatalf("MatchMeta(%v, %q): %v", got, m.Prefix, err)
				}
			}
		}
	})
}
