package redact

import (
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://proxy.example", "https://proxy.example"},
		{"https://u:pw@proxy.example/x", "https://u:xxxxx@proxy.example/x"},
		{"https://u@proxy.example/x", "https://u@proxy.example/x"},
		{"https://u:pa/ss@host", "https://u:xxxxx@host"},
		{"https://u:pa?ss@host", "https://u:xxxxx@host"},
		{"https://u:pw@%zz", "https://u:xxxxx@%zz"},
		{"https://tok3n@host:bad", "https://xxxxx@host:bad"},
		{"https://u:pw@host:bad", "https://u:xxxxx@host:bad"},
		{"https://host:8080/m/@v/list", "https://host:8080/m/@v/list"},
		{"https://host/m/@v/list", "https://host/m/@v/list"},
		{"noscheme:u:p@h", "noscheme:xxxxx@h"},
		{"u:pw@proxy:3128", "u:xxxxx@proxy:3128"},
		{"tok@proxy:3128", "xxxxx@proxy:3128"},
		{"mailto:user@example.com", "mailto:xxxxx@example.com"},
		{"http://[bad", "http://[bad"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzURL checks that a password placed in userinfo never survives
// redaction, whatever surrounds it, and that valid URLs redact like
// url.URL.Redacted.
func FuzzURL(f *testing.F) {
	for _, s := range []string{"https://", "https://host", "http://[", "x:", "https://h/p?q#f", "%zz"} {
		f.Add("u", s)
	}
	f.Fuzz(func(t *testing.T, user, rest string) {
		const secret = "S3CRETpw"
		if strings.ContainsAny(user, ":@/?#") || strings.Contains(rest, secret) || strings.Contains(user, secret) {
			return
		}
		for _, scheme := range []string{"https://", "http://", "socks5://"} {
			raw := scheme + user + ":" + secret + "@" + rest
			got := URL(raw)
			if strings.Contains(got, secret) {
				t.Errorf("URL(%q) = %q, keeps the password", raw, got)
			}
			if u, err := url.Parse(raw); err == nil && u.User != nil && got != u.Redacted() && u.String() == raw {
				t.Errorf("URL(%q) = %q, url.Redacted gives %q", raw, got, u.Redacted())
			}
		}
	})
}
