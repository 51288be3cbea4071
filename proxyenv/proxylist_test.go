package proxyenv

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// entries renders a parsed list compactly: "noproxy", "direct", "off" or
// the URL, with "|" after entries that fall back on any error.
func entries(list []ProxyEntry) string {
	var s []string
	for _, e := range list {
		x := e.String()
		if e.FallBackOnError {
			x += "|"
		}
		s = append(s, x)
	}
	return strings.Join(s, " ")
}

func TestParseProxyList(t *testing.T) {
	tests := []struct {
		goproxy, gonoproxy string
		want               string // entries, or "" when an error is expected
		err                string // the go command's error text
	}{
		{"https://proxy.golang.org,direct", "", "https://proxy.golang.org direct", ""},
		{"direct", "", "direct", ""},
		{"off", "", "off", ""},
		{"direct", "corp.com", "direct", ""},
		// The implicit noproxy entry is added unless GOPROXY is exactly "direct".
		{" direct", "corp.com", "noproxy direct", ""},
		{"off", "corp.com", "noproxy off", ""},
		{"https://a.example|https://b.example,direct", "corp.com", "noproxy https://a.example| https://b.example direct", ""},
		// The separator after an entry decides its fall-through.
		{"https://a|https://b,https://c|direct", "", "https://a| https://b https://c| direct", ""},
		{"https://a|", "", "https://a|", ""},
		// Spaces and empty entries are ignored; direct and off end the list.
		{" https://a ,, | https://b ,", "", "https://a https://b", ""},
		{"direct,https://a", "", "direct", ""},
		{"off|ftp://ignored", "", "off", ""},
		{"https://a,off,direct", "", "https://a off", ""},
		// Scheme inference.
		{"proxy.corp", "", "https://proxy.corp", ""},
		{"localhost:8080", "", "https://localhost:8080", ""},
		{"10.0.0.1/go", "", "https://10.0.0.1/go", ""},
		{"proxy.corp/a/b", "", "https://proxy.corp/a/b", ""},
		{"http://proxy.corp", "", "http://proxy.corp", ""},
		{"file:///srv/proxy", "", "file:///srv/proxy", ""},
		{"https://", "", "https:", ""},
		// Userinfo is kept but redacted.
		{"https://u:secret@proxy.corp", "", "https://u:xxxxx@proxy.corp", ""},
		// Errors, with the go command's texts.
		{"", "", "", "GOPROXY list is not the empty string, but contains no entries"},
		{",", "", "", "GOPROXY list is not the empty string, but contains no entries"},
		{" | ", "", "", "GOPROXY list is not the empty string, but contains no entries"},
		{",", "corp.com", "", "GOPROXY list is not the empty string, but contains no entries"},
		{"goproxy", "", "", "invalid proxy URL missing scheme: goproxy"},
		{"noproxy", "", "", "invalid proxy URL missing scheme: noproxy"},
		{"DIRECT", "", "", "invalid proxy URL missing scheme: DIRECT"},
		{"/abs/path", "", "", "invalid proxy URL missing scheme: /abs/path"},
		{"ftp://x.com", "", "", "invalid proxy URL scheme (must be https, http, file): ftp://x.com"},
		{"ftp://u:secret@x.com", "", "", "invalid proxy URL scheme (must be https, http, file): ftp://u:xxxxx@x.com"},
		{"file://host/path", "", "", "invalid file:// proxy URL with non-path elements: file://host/path"},
		{"file:///p?q=1", "", "", "invalid file:// proxy URL with non-path elements: file:///p?q=1"},
		{"file:///p#frag", "", "", "invalid file:// proxy URL with non-path elements: file:///p#frag"},
		{"file://u:secret@/p", "", "", "invalid file:// proxy URL with non-path elements: file://u:xxxxx@/p"},
		// url.Parse sets OmitHost for "file:/p", so the go command rejects it.
		{"file:/srv/proxy", "", "", "invalid file:// proxy URL with non-path elements: file:/srv/proxy"},
		{"file:relative", "", "", `parse "https://file:relative": invalid port ":relative" after host`},
		{"https://%zz", "", "", `parse "https://%zz": invalid URL escape "%zz"`},
		{"https://u:secret@%zz", "", "", `parse "https://u:xxxxx@%zz": invalid URL escape "%zz"`},
		// The whole list is validated before use.
		{"https://ok,ftp://bad", "", "", "invalid proxy URL scheme (must be https, http, file): ftp://bad"},
	}
	for _, tt := range tests {
		list, err := ParseProxyList(tt.goproxy, tt.gonoproxy)
		if tt.err != "" {
			var pe *ProxyListError
			if !errors.As(err, &pe) {
				t.Errorf("ParseProxyList(%q, %q) error = %v, want *ProxyListError %q", tt.goproxy, tt.gonoproxy, err, tt.err)
				continue
			}
			if pe.Err.Error() != tt.err || pe.Var != "GOPROXY" {
				t.Errorf("ParseProxyList(%q, %q) error = %q, want %q", tt.goproxy, tt.gonoproxy, pe.Err, tt.err)
			}
			if want := "proxyenv: GOPROXY: " + tt.err; err.Error() != want {
				t.Errorf("ParseProxyList(%q, %q) error text = %q, want %q", tt.goproxy, tt.gonoproxy, err, want)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(pe.Entry, "secret") {
				t.Errorf("ParseProxyList(%q, %q) error leaks the password: %q (entry %q)", tt.goproxy, tt.gonoproxy, err, pe.Entry)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseProxyList(%q, %q) error = %v", tt.goproxy, tt.gonoproxy, err)
			continue
		}
		if got := entries(list); got != tt.want {
			t.Errorf("ParseProxyList(%q, %q) = %q, want %q", tt.goproxy, tt.gonoproxy, got, tt.want)
		}
	}
}

func TestParseProxyListNotFoundIs(t *testing.T) {
	_, err := ParseProxyList(",", "")
	if !errors.Is(err, ErrNoProxyEntries) {
		t.Errorf("ParseProxyList(\",\") error %v is not ErrNoProxyEntries", err)
	}
}

func TestProxyEntryJSON(t *testing.T) {
	list, err := ParseProxyList("https://u:secret@p.example/x|off", "corp")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"kind":"noproxy"},{"kind":"url","url":"https://u:xxxxx@p.example/x","fallBackOnError":true},{"kind":"off"}]`
	if string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
	var back []ProxyEntry
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := entries(back); got != "noproxy https://u:xxxxx@p.example/x| off" {
		t.Errorf("round trip = %q", got)
	}
}

func TestRedactRaw(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://u:p@h/x", "https://u:xxxxx@h/x"},
		{"https://u@h", "https://u@h"},
		{"https://h/a:b@c", "https://h/a:b@c"},
		{"noscheme:u:p@h", "noscheme:xxxxx@h"},
		{"https://u:p:q@h?x=@", "https://u:xxxxx@h?x=@"},
	}
	for _, tt := range tests {
		if got := redactRaw(tt.in); got != tt.want {
			t.Errorf("redactRaw(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseProxyList(f *testing.F) {
	for _, s := range []string{"https://proxy.golang.org,direct", "a|b,c", "off", " direct", ",", "file:///x", "file://h/x", "ftp://u:p@x", "https://%zz", "localhost:1", "/abs"} {
		f.Add(s, "")
		f.Add(s, "corp.com")
	}
	f.Fuzz(func(t *testing.T, goproxy, gonoproxy string) {
		list, err := ParseProxyList(goproxy, gonoproxy)
		if err != nil {
			var pe *ProxyListError
			if !errors.As(err, &pe) || pe.Var != "GOPROXY" || pe.Err == nil {
				t.Fatalf("ParseProxyList(%q, %q) error %#v is not a *ProxyListError", goproxy, gonoproxy, err)
			}
			if list != nil {
				t.Fatalf("ParseProxyList(%q, %q) returned entries with an error", goproxy, gonoproxy)
			}
			return
		}
		if len(list) == 0 || len(list) == 1 && list[0].Kind == ProxyNoproxy {
			t.Fatalf("ParseProxyList(%q, %q) = %v without an error", goproxy, gonoproxy, list)
		}
		if (list[0].Kind == ProxyNoproxy) != (gonoproxy != "" && goproxy != "direct") {
			t.Fatalf("ParseProxyList(%q, %q): implicit noproxy entry is %v", goproxy, gonoproxy, list[0].Kind == ProxyNoproxy)
		}
		for i, e := range list {
			switch e.Kind {
			case ProxyURL:
				if e.URL == nil {
					t.Fatalf("entry %d: URL kind without URL", i)
				}
				switch e.URL.Scheme {
				case "http", "https", "file":
				default:
					t.Fatalf("entry %d: scheme %q accepted", i, e.URL.Scheme)
				}
			case ProxyDirect, ProxyOff:
				if i != len(list)-1 {
					t.Fatalf("entry %d %v is not last", i, e.Kind)
				}
			case ProxyNoproxy:
				if i != 0 {
					t.Fatalf("noproxy at %d", i)
				}
			}
		}
		// A password never shows up in an error.
		if goproxy != "" && !strings.ContainsAny(goproxy, ",|@/:?# \t\n\r\v\f%[]") {
			pw := "PW" + goproxy
			_, err := ParseProxyList("ftp://user:"+pw+"@host", "")
			if err == nil || strings.Contains(err.Error(), pw) {
				t.Fatalf("password %q not redacted: %v", pw, err)
			}
			u := &url.URL{Scheme: "https", User: url.UserPassword("user", pw), Host: "h"}
			if l, err := ParseProxyList(u.String(), ""); err == nil && strings.Contains(l[0].String(), pw) {
				t.Fatalf("String() leaks password: %q", l[0].String())
			}
		}
	})
}
