package netrcauth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
)

func TestParseGOAUTH(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string // methods as kind:text|... or "off"
		wantErr error
	}{
		{"", "netrc:netrc", nil},
		{"netrc", "netrc:netrc", nil},
		{"off", "off", nil},
		{"off extra", "off", nil},
		{" off ", "off", nil},
		{"off;netrc", "", ErrOffCombined},
		{"netrc;off", "", ErrOffCombined},
		{"off;", "", ErrEmptyCommand},
		{";", "", ErrEmptyCommand},
		{" ", "", ErrEmptyCommand},
		{"netrc;;netrc", "", ErrEmptyCommand},
		{"netrc x", "netrc:netrc x", nil},
		{"git /abs", "git:git /abs", nil},
		{"git", "", ErrGitDir},
		{"git rel", "", ErrGitDir},
		{"git /a /b", "", ErrGitDir},
		{"/bin/helper --flag 'a b'; netrc", "command:/bin/helper --flag 'a b'|netrc:netrc", nil},
		{"'netrc'", "command:'netrc'", nil},
		{"helper 'unterminated", "command:helper 'unterminated", nil},
	}
	for _, tt := range tests {
		ms, off, err := ParseGOAUTH(tt.in)
		if tt.wantErr != nil {
			var ge *GOAUTHError
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &ge) || ge.Value == "" {
				t.Errorf("ParseGOAUTH(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseGOAUTH(%q) error = %v", tt.in, err)
			continue
		}
		var parts []string
		for _, m := range ms {
			parts = append(parts, m.Kind.String()+":"+m.Text)
		}
		got := strings.Join(parts, "|")
		if off {
			got = "off"
		}
		if got != tt.want {
			t.Errorf("ParseGOAUTH(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if err := ValidateGOAUTH("helper 'x"); err == nil || err.Error() != "netrcauth: cannot parse GOAUTH command helper 'x: unterminated ' string" {
		t.Errorf("ValidateGOAUTH = %v", err)
	}
	var qe *QuoteError
	if err := ValidateGOAUTH("netrc;h \"x"); !errors.As(err, &qe) || qe.Quote != '"' {
		t.Errorf("ValidateGOAUTH error %v does not wrap a *QuoteError", err)
	}
}

// TestOracleGOAUTHErrors compares the messages for GOAUTH values the go
// command refuses with the go binary's.
func TestOracleGOAUTHErrors(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	srv := modproxy.New(t, oracleModules, modproxy.TLS())
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	values := []string{
		";", " ", "netrc;", ";netrc", "off;netrc", "netrc; off", "off; ", "off;off",
		"git", "git a b", "git relative", "git " + file, "git /nonexistent/dir",
		"git /nonexistent/dir; ", " ;git /nonexistent/dir", "off;git relative",
	}
	for _, v := range values {
		t.Run(v, func(t *testing.T) {
			g := gooracle.New(t)
			g.Set("GOPROXY", srv.URL)
			g.Set("SSL_CERT_FILE", srv.CAFile)
			g.Set("GOAUTH", v)
			_, stderr, err := g.Run(context.Background(), "mod", "download", "example.com/m@v1.0.0")
			if err == nil {
				t.Fatalf("go command accepted GOAUTH=%q", v)
			}
			goMsg := strings.TrimSpace(string(stderr))
			_, ourErr := Config{GOAUTH: v}.Build()
			if ourErr == nil {
				t.Fatalf("Config{GOAUTH: %q}.Build() accepted it; go command: %s", v, goMsg)
			}
			ours := "go: " + strings.TrimPrefix(ourErr.Error(), "netrcauth: ")
			if ours != goMsg {
				t.Errorf("GOAUTH=%q\ngo command: %s\nnetrcauth:  %s", v, goMsg, ours)
			}
		})
	}
}

func TestSplitQuoted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		err  string
	}{
		{"", "[]", ""},
		{"a b  c", "[a b c]", ""},
		{"  a\t\nb\r ", "[a b]", ""},
		{`'a b' "c d"`, "[a b c d]", ""},
		{`a'b c'`, "[a'b c']", ""},
		{`''`, "[]", ""},
		{`'x"y' "x'y"`, `[x"y x'y]`, ""},
		{`'abc`, "", "unterminated ' string"},
		{`a "b`, "", `unterminated " string`},
		{"a\u00a0b", "[a\u00a0b]", ""},
		{"'a'b", "[a b]", ""},
	}
	for _, tt := range tests {
		got, err := SplitQuoted(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("SplitQuoted(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if s := fmt.Sprint(got); err != nil || s != tt.want {
			t.Errorf("SplitQuoted(%q) = %q, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	// '' yields one empty word, as in cmd/internal/quoted.
	if got, _ := SplitQuoted("''"); len(got) != 1 || got[0] != "" {
		t.Errorf(`SplitQuoted("''") = %q, want [""]`, got)
	}
}

func FuzzSplitQuoted(f *testing.F) {
	for _, s := range []string{"a 'b c' \"d\"", "'x", "a\tb\r\nc", `'a'b"c"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitQuoted(s)
		if err != nil {
			var qe *QuoteError
			if !errors.As(err, &qe) {
				t.Fatalf("SplitQuoted(%q) error %v is not a *QuoteError", s, err)
			}
			return
		}
		// Words without spaces or quotes survive a join and re-split.
		plain := true
		for _, w := range words {
			if w == "" || strings.ContainsAny(w, " \t\r\n'\"") {
				plain = false
			}
		}
		if plain {
			again, err := SplitQuoted(strings.Join(words, " "))
			if err != nil || fmt.Sprint(again) != fmt.Sprint(words) {
				t.Fatalf("SplitQuoted(%q) = %q but re-split gives %q, %v", s, words, again, err)
			}
		}
		if len(strings.Join(words, "")) > len(s) {
			t.Fatalf("SplitQuoted(%q) = %q longer than input", s, words)
		}
	})
}

func FuzzParseGOAUTH(f *testing.F) {
	for _, s := range []string{"", "off", "netrc", "off;netrc", "git /x", "git rel", "a 'b c';netrc", ";", "helper 'x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, off, err := ParseGOAUTH(s)
		if err != nil {
			var ge *GOAUTHError
			if !errors.As(err, &ge) || !strings.HasPrefix(err.Error(), "netrcauth: GOAUTH") {
				t.Fatalf("ParseGOAUTH(%q) error %v is not a *GOAUTHError", s, err)
			}
			if !errors.Is(err, ErrEmptyCommand) && !errors.Is(err, ErrOffCombined) && !errors.Is(err, ErrGitDir) {
				t.Fatalf("ParseGOAUTH(%q) error %v wraps no sentinel", s, err)
			}
			return
		}
		if off && len(ms) != 0 {
			t.Fatalf("ParseGOAUTH(%q): off with methods", s)
		}
		if !off && len(ms) == 0 {
			t.Fatalf("ParseGOAUTH(%q): no methods and not off", s)
		}
		for _, m := range ms {
			if m.Text == "" || m.Kind < Netrc || m.Kind > Command {
				t.Fatalf("ParseGOAUTH(%q): bad method %+v", s, m)
			}
			if m.Kind == Command && m.Err == nil && len(m.Args) == 0 {
				t.Fatalf("ParseGOAUTH(%q): command without words %+v", s, m)
			}
		}
	})
}

func TestParseCommandOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		wantErr        error
		line           int
	}{
		{"empty", "", "", nil, 0},
		{"one", "https://a.example\n\nAuthorization: Basic x\n\n", "a.example{Authorization=x1}", nil, 0},
		{"trailing slash and path", "https://a.example/p/\n\nX-Token: t\n\n", "a.example/p{X-Token=x1}", nil, 0},
		{"multi", "https://a\nhttps://b/\n\nA: 1\nA: 2\nb-c: 3\n\nhttps://c\n\nD: 4\n\n", "a{A=x2 B-C=x1} b{A=x2 B-C=x1} c{D=x1}", nil, 0},
		{"later block wins", "https://a\n\nA: 1\n\nhttps://a\n\nB: 2\n\n", "a{B=x1}", nil, 0},
		{"empty headers", "https://a\n\n\n", "a{}", nil, 0},
		{"http kept", "http://a\n\nA: 1\n\n", "http://a{A=x1}", nil, 0},
		{"value trimmed", "https://a\n\nA:   v  \n\n", "a{A=x1}", nil, 0},
		{"no blank after URLs", "https://a\n", "", ErrMissingEmptyLineAfterURLs, 2},
		{"no final blank", "https://a\n\nA: 1\n", "", ErrMissingEmptyLineAfterHeaders, 4},
		{"no colon space", "https://a\n\nA:1\n\n", "", ErrInvalidHeaderLine, 3},
		{"bad name", "https://a\n\nA B: 1\n\n", "", ErrInvalidHeaderLine, 3},
		{"bad value", "https://a\n\nA: \x01\n\n", "", ErrInvalidHeaderLine, 3},
		{"relative URL", "a.example\n\nA: 1\n\n", "", nil, 1},
		{"CRLF", "https://a\r\n\r\nA: 1\r\n\r\n", "", nil, 1},
		// "A: 1" is a valid request URI (scheme "A"), as for the go command.
		{"header where URL expected", "A: 1\n\n", "", ErrMissingEmptyLineAfterHeaders, 3},
	}
	for _, tt := range tests {
		creds, err := ParseCommandOutput(tt.in)
		if tt.want == "" && (err != nil || tt.wantErr != nil || tt.line != 0) {
			var oe *OutputError
			if !errors.As(err, &oe) || oe.Line != tt.line || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("%s: ParseCommandOutput error = %v, want line %d %v", tt.name, err, tt.line, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: error %v", tt.name, err)
			continue
		}
		var parts []string
		for _, c := range creds {
			var hs []string
			for _, k := range sortedKeys(c.Header) {
				hs = append(hs, fmt.Sprintf("%s=x%d", k, len(c.Header[k])))
			}
			parts = append(parts, c.Prefix+"{"+strings.Join(hs, " ")+"}")
		}
		if got := strings.Join(parts, " "); got != tt.want {
			t.Errorf("%s: ParseCommandOutput = %q, want %q", tt.name, got, tt.want)
		}
	}
	_, err := ParseCommandOutput("https://user:hunter2@a b\n\n")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("URL error %v must not reveal the URL", err)
	}
}

func sortedKeys(h SecretHeader) []string {
	var ks []string
	for k := range h {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func FuzzParseCommandOutput(f *testing.F) {
	for _, s := range []string{"", "https://a\n\nA: 1\n\n", "https://a\n", "https://a\n\nA:1\n\n", "https://a\nhttps://b\n\nA: 1\nB: 2\n\nhttps://c\n\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		creds, err := ParseCommandOutput(s)
		if err != nil {
			var oe *OutputError
			if !errors.As(err, &oe) || oe.Line < 1 {
				t.Fatalf("ParseCommandOutput(%q) error %v is not an *OutputError with a line", s, err)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range creds {
			if seen[c.Prefix] {
				t.Fatalf("ParseCommandOutput(%q): duplicate prefix %q", s, c.Prefix)
			}
			seen[c.Prefix] = true
			if strings.ContainsAny(c.Prefix, "\r\n") {
				t.Fatalf("ParseCommandOutput(%q): prefix %q has a newline", s, c.Prefix)
			}
			for k, vs := range c.Header {
				for _, v := range vs {
					if strings.ContainsAny(k+v.Reveal(), "\r\n") {
						t.Fatalf("ParseCommandOutput(%q): header %q=%q has a newline", s, k, v.Reveal())
					}
				}
			}
		}
	})
}
