package netrcauth

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func entriesString(es []Entry) string {
	var parts []string
	for _, e := range es {
		parts = append(parts, fmt.Sprintf("%s/%s/%s@%d", e.Machine, e.Login, e.Password.Reveal(), e.Line))
	}
	return strings.Join(parts, " ")
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"one line", "machine a login b password c", "a/b/c@1"},
		{"pairs over lines", "machine a\nlogin b\npassword c\n", "a/b/c@1"},
		{"key value split", "machine\na\nlogin\nb\npassword\nc\n", ""},
		{"login only dropped", "machine a login b\nmachine d login e password f", "d/e/f@2"},
		{"password before login", "machine a password c login b", "a/b/c@1"},
		{"duplicates kept in order", "machine a login b password c\nmachine a login x password y", "a/b/c@1 a/x/y@2"},
		{"reset after emit", "machine a login b password c login x password y", "a/b/c@1"},
		{"lone default stops", "machine a login b password c\ndefault\nmachine d login e password f", "a/b/c@1"},
		{"default pair", "default login x password y\nmachine a login b password c", "a/b/c@2"},
		{"default odd stops", "login x default\nmachine a login b password c", ""},
		{"default keeps entry", "machine a default x login b password c", "a/b/c@1"},
		{"machine default", "machine a login default password p", "a/default/p@1"},
		{"comment live", "# old: machine evil login x password y", "evil/x/y@1"},
		{"comment misaligned", "# machine evil login x password y", ""},
		{"macdef", "macdef m\ncmd\nmachine evil login x password y\n\nmachine a login b password c", "a/b/c@5"},
		{"macdef same line", "macdef m machine a login b password c\nmachine x login y password z\n", "a/b/c@1"},
		{"macdef CRLF", "macdef m\r\ncmd\r\n\r\nmachine a login b password c\r\n", ""},
		{"macdef spaces line", "macdef m\ncmd\n \nmachine a login b password c\n", ""},
		{"CRLF", "machine a login b password c\r\n", "a/b/c@1"},
		{"tabs", "machine\ta\tlogin\tb\tpassword\tc", "a/b/c@1"},
		{"unicode space", "machine a login b\u00a0password c", "a/b/c@1"},
		{"hash password", "machine a login b password #c", "a/b/#c@1"},
		{"quotes kept", `machine a login "b c" password d`, ""},
		{"quoted token", `machine a login "b" password d`, `a/"b"/d@1`},
		{"account ignored", "machine a account x login b password c", "a/b/c@1"},
		{"password machine", "machine a login b password machine\nmachine d login e password f", "a/b/machine@1 d/e/f@2"},
		{"machine resets", "machine a login b\nmachine d password f login e", "d/e/f@2"},
		{"no machine", "login b password c", ""},
		{"odd trailing key", "machine a login b password", ""},
		{"odd trailing key then value", "machine a login b password\nc", ""},
	}
	for _, tt := range tests {
		if got := entriesString(Parse([]byte(tt.in))); got != tt.want {
			t.Errorf("%s: Parse(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"machine a login b password c", "macdef x\n\nmachine a login b password c", "default\n", "# old: machine a login b password c\n", "machine\n", "machine a login b password c\nmachine"} {
		f.Add([]byte(s))
	}
	f.Add([]byte("machine\u00a0a login\u2028b password\xffc\x85d"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es := Parse(data)
		if got, want := entriesString(es), entriesString(referenceParse(string(data))); got != want {
			t.Fatalf("Parse(%q) = %q, reference (strings.Fields) = %q", data, got, want)
		}
		for _, e := range es {
			if e.Machine == "" || e.Login == "" || e.Password.IsZero() || e.Line < 1 {
				t.Fatalf("Parse(%q) returned an incomplete entry %+v", data, e)
			}
			if strings.ContainsAny(e.Machine+e.Login+e.Password.Reveal(), " \t\n") {
				t.Fatalf("Parse(%q): field with white space in %v", data, e)
			}
		}
		for _, d := range Lint(data, LintOptions{URLs: []string{"https://a:1/x"}}) {
			for _, e := range es {
				if len(e.Password.Reveal()) > 3 && strings.Contains(d.Message, e.Password.Reveal()) && !strings.Contains(e.Machine+e.Login, e.Password.Reveal()) {
					t.Fatalf("Lint(%q) message %q reveals a password", data, d.Message)
				}
			}
		}
	})
}

func TestLint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		urls []string
		want []string // "line kind machine"
	}{
		{"clean", "machine a login b password c\n", nil, nil},
		{"split key", "machine\na\nlogin b password c\n", nil, []string{"1 split-pair "}},
		{"login only", "machine a login b\n", nil, []string{"1 incomplete a"}},
		{"password only", "machine a\npassword p\nmachine d login e password f", nil, []string{"1 incomplete a"}},
		{"default pair", "default login x password y\n", nil, []string{"1 default "}},
		{"lone default", "machine a login b password c\ndefault\n", nil, []string{"2 default "}},
		{"live comment", "# old: machine evil login x password y\n", nil, []string{"1 comment evil"}},
		{"changing comment", "machine a\n# x login y\npassword z\n", nil, []string{"2 comment "}},
		{"harmless comment", "# machine evil login x password y\n", nil, nil},
		{"macdef CRLF", "macdef x\r\nfoo\r\n\r\nmachine a login b password c\r\n", nil, []string{"1 macdef "}},
		{"macdef ok", "macdef x\nfoo\n\nmachine a login b password c\n", nil, nil},
		{"duplicate", "machine a login b password c\nmachine a login d password e\n", nil, []string{"2 duplicate a"}},
		{"duplicate normalized", "machine a login b password c\nmachine https://a/ login d password e\n", nil, []string{"2 duplicate https://a/"}},
		{"http scheme", "machine http://a login b password c\n", nil, []string{"1 scheme http://a"}},
		{"port", "machine a.example login b password c\n", []string{"https://a.example:8443/mod"}, []string{"1 port a.example"}},
		{"port ok", "machine a.example:8443 login b password c\n", []string{"https://a.example:8443/mod"}, nil},
		{"port bare host url", "machine a.example login b password c\n", []string{"a.example:8443"}, []string{"1 port a.example"}},
		{"userinfo", "machine a.example login b password c\n", []string{"https://u:pw@a.example/mod"}, []string{"1 port a.example"}},
		{"unrelated url", "machine a.example login b password c\n", []string{"https://b.example:8443/"}, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, d := range Lint([]byte(tt.in), LintOptions{URLs: tt.urls}) {
			got = append(got, fmt.Sprintf("%d %s %s", d.Line, d.Kind, d.Subject))
			if strings.Contains(d.Message, "password c") || strings.Contains(d.String(), "pw@") {
				t.Errorf("%s: diagnostic %q reveals a secret", tt.name, d)
			}
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: Lint(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestLintFilePermissions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "netrc")
	os.WriteFile(p, []byte("machine a login b password c\n"), 0o644)
	os.Chmod(p, 0o644)
	ds, err := LintFile(p, LintOptions{})
	if err != nil || len(ds) != 1 || ds[0].Kind != KindPermissions || ds[0].File != p {
		t.Fatalf("LintFile(0644) = %v, %v; want one permissions diagnostic", ds, err)
	}
	if !strings.HasPrefix(ds[0].String(), p+": file mode 0644") {
		t.Errorf("diagnostic = %q", ds[0])
	}
	os.Chmod(p, 0o600)
	if ds, err := LintFile(p, LintOptions{}); err != nil || len(ds) != 0 {
		t.Errorf("LintFile(0600) = %v, %v; want nothing", ds, err)
	}
	if _, err := LintFile(filepath.Join(dir, "missing"), LintOptions{}); !os.IsNotExist(err) {
		t.Errorf("LintFile(missing) error = %v, want not-exist", err)
	}
}

type fakeInfo struct{ dir bool }

func (f fakeInfo) Name() string       { return "x" }
func (f fakeInfo) Size() int64        { return 0 }
func (f fakeInfo) Mode() fs.FileMode  { return 0 }
func (f fakeInfo) ModTime() time.Time { return time.Time{} }
func (f fakeInfo) IsDir() bool        { return f.dir }
func (f fakeInfo) Sys() any           { return nil }

func TestPath(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	exists := func(string) (fs.FileInfo, error) { return fakeInfo{}, nil }
	missing := func(name string) (fs.FileInfo, error) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	broken := func(name string) (fs.FileInfo, error) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrPermission}
	}
	tests := []struct {
		name    string
		getenv  func(string) string
		goos    string
		stat    func(string) (fs.FileInfo, error)
		want    string
		wantErr string
	}{
		{"NETRC", env("NETRC", "/x/netrc", "HOME", "/h"), "linux", nil, "/x/netrc", ""},
		{"home", env("HOME", "/h"), "linux", nil, "/h/.netrc", ""},
		{"home slash", env("HOME", "/h/"), "darwin", nil, "/h/.netrc", ""},
		{"no home", env(), "linux", nil, "", "$HOME is not defined"},
		{"windows _netrc", env("USERPROFILE", `C:\u`), "windows", exists, `C:\u\_netrc`, ""},
		{"windows .netrc", env("USERPROFILE", `C:\u`), "windows", missing, `C:\u\.netrc`, ""},
		{"windows stat error", env("USERPROFILE", `C:\u`), "windows", broken, "", `stat C:\u\_netrc: permission denied`},
		{"windows no home", env("HOME", "/h"), "windows", missing, "", "%userprofile% is not defined"},
		{"plan9", env("home", "/usr/g"), "plan9", nil, "/usr/g/.netrc", ""},
		{"plan9 no home", env("HOME", "/h"), "plan9", nil, "", "$home is not defined"},
		{"ios", env(), "ios", nil, "/.netrc", ""},
		{"android", env(), "android", nil, "/sdcard/.netrc", ""},
	}
	for _, tt := range tests {
		got, err := Path(tt.getenv, tt.goos, tt.stat)
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		if got != tt.want || errText != tt.wantErr {
			t.Errorf("%s: Path() = %q, %q; want %q, %q", tt.name, got, errText, tt.want, tt.wantErr)
		}
	}
}

// TestLintNotNetrc checks that the lint names files that are not netrc
// text at all — binary data, invalid UTF-8, no netrc keyword, a
// directory — which the go command silently reads as no credentials.
func TestLintNotNetrc(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string][]byte{
		"nul":     []byte("machine a login b password c\n\x00\x00\x01\x02"),
		"utf16":   []byte("\xff\xfem\x00a\x00c\x00h\x00i\x00n\x00e\x00"),
		"latin1":  []byte("machine a login b password caf\xe9\n"),
		"notes":   []byte("remember to rotate the token\nsee the wiki\n"),
		"ok":      []byte("machine a login b password c\n"),
		"empty":   nil,
		"spaces":  []byte(" \n\t\n"),
		"default": []byte("default login x password y\n"),
	}
	want := map[string]Kind{"nul": KindNotText, "utf16": KindNotText, "latin1": KindNotText, "notes": KindNoEntries, "default": KindDefault}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		ds, err := LintFile(p, LintOptions{})
		if err != nil {
			t.Fatalf("LintFile(%s): %v", name, err)
		}
		var kinds []Kind
		for _, d := range ds {
			kinds = append(kinds, d.Kind)
			if d.File != p {
				t.Errorf("LintFile(%s): diagnostic %q does not name the file", name, d)
			}
		}
		if k, ok := want[name]; ok != slices.Contains(kinds, k) {
			t.Errorf("LintFile(%s) kinds = %v, want %q: %v", name, kinds, k, ds)
		}
		if _, ok := want[name]; !ok && len(ds) > 0 {
			t.Errorf("LintFile(%s) = %v, want nothing", name, ds)
		}
		if name == "nul" || name == "latin1" {
			// Parsing stays as lenient as the go command.
			if es := Parse(data); len(es) != 1 || es[0].Machine != "a" {
				t.Errorf("Parse(%s) = %v, want the one entry the go command reads", name, es)
			}
		}
	}

	// NETRC naming a directory.
	ds, err := LintFile(dir, LintOptions{})
	if err != nil || len(ds) != 1 || ds[0].Kind != KindUnreadable || ds[0].File != dir {
		t.Errorf("LintFile(directory) = %v, %v; want one %s diagnostic naming it", ds, err, KindUnreadable)
	}
}

// referenceParse is the go command's netrc grammar written the obvious
// way, with strings.Split and strings.Fields, to check [Parse]'s
// allocation-free field scanning against.
func referenceParse(data string) []Entry {
	var out []Entry
	var cur Entry
	var password string
	inMacro := false
	for i, line := range strings.Split(data, "\n") {
		if inMacro {
			if line == "" {
				inMacro = false
			}
			continue
		}
		f := strings.Fields(line)
		j := 0
		for ; j+1 < len(f); j += 2 {
			switch f[j] {
			case "machine":
				cur, password = Entry{Machine: f[j+1], Line: i + 1}, ""
			case "login":
				cur.Login = f[j+1]
			case "password":
				password = f[j+1]
			case "macdef":
				inMacro = true
			}
			if cur.Machine != "" && cur.Login != "" && password != "" {
				cur.Password = NewSecret(password)
				out = append(out, cur)
				cur, password = Entry{}, ""
			}
		}
		if j < len(f) && f[j] == "default" {
			return out
		}
	}
	return out
}
