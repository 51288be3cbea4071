package netrcauth

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSetMachine(t *testing.T) {
	t.Parallel()
	pw := NewSecret("newpw")
	tests := []struct {
		name, in, machine, want string
	}{
		{"empty", "", "a.example", "machine a.example\n  login alice\n  password newpw\n"},
		{"append keeps comments", "# my hosts\nmachine b.example login bob password bpw\n", "a.example",
			"# my hosts\nmachine b.example login bob password bpw\nmachine a.example\n  login alice\n  password newpw\n"},
		{"no final newline", "machine b.example login bob password bpw", "a.example",
			"machine b.example login bob password bpw\nmachine a.example\n  login alice\n  password newpw\n"},
		{"update in place", "# top\nmachine a.example login old password oldpw # note\nmachine b.example login bob password bpw\n", "a.example",
			"# top\nmachine a.example login alice password newpw # note\nmachine b.example login bob password bpw\n"},
		{"update multi-line", "machine a.example\n\tlogin old\n\tpassword oldpw\n\nmachine b.example login bob password bpw\n", "a.example",
			"machine a.example\n\tlogin alice\n\tpassword newpw\n\nmachine b.example login bob password bpw\n"},
		{"update first duplicate", "machine a.example login x password y\nmachine a.example login z password w\n", "a.example",
			"machine a.example login alice password newpw\nmachine a.example login z password w\n"},
	}
	for _, tt := range tests {
		out, err := SetMachine([]byte(tt.in), tt.machine, "alice", pw)
		if err != nil {
			t.Errorf("%s: SetMachine error: %v", tt.name, err)
			continue
		}
		if string(out) != tt.want {
			t.Errorf("%s: SetMachine(%q) =\n%q\nwant\n%q", tt.name, tt.in, out, tt.want)
		}
		if e, ok := Match(Parse(out), mustURL(t, "https://"+tt.machine+"/x"), MatchOptions{}); !ok || e.Login != "alice" || e.Password.Reveal() != "newpw" {
			t.Errorf("%s: the go command would not use the new entry: %v %v", tt.name, e, ok)
		}
	}
}

func TestRemoveMachine(t *testing.T) {
	t.Parallel()
	in := "# hosts\nmachine a.example login x password y\nmachine b.example login bob password bpw\n"
	out, err := RemoveMachine([]byte(in), "a.example")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# hosts\nmachine b.example login bob password bpw\n"; string(out) != want {
		t.Errorf("RemoveMachine = %q, want %q", out, want)
	}
	// A live credential hidden in a comment cannot be removed by the
	// library: refuse instead of pretending.
	in = "machine b.example login bob password bpw\n# old: machine a.example login x password y\n"
	if _, err := RemoveMachine([]byte(in), "a.example"); !errors.Is(err, ErrNotEffective) {
		t.Errorf("RemoveMachine(comment credential) error = %v, want ErrNotEffective", err)
	}
}

func TestEditRefusals(t *testing.T) {
	t.Parallel()
	pw := NewSecret("hunter2")
	tests := []struct {
		name    string
		in      string
		machine string
		want    error
		line    int
	}{
		// Inputs that make github.com/jdxcode/netrc v1.0.0 panic.
		{"lone machine", "machine", "a", ErrUnsafeInput, 1},
		{"machine newline", "machine\n", "a", ErrUnsafeInput, 1},
		{"machine space", "machine ", "a", ErrUnsafeInput, 1},
		{"machine comment", "machine #", "a", ErrUnsafeInput, 1},
		{"trailing machine", "machine a login b password c\nmachine", "x", ErrUnsafeInput, 2},
		{"password machine", "machine a login b password machine", "x", ErrUnsafeInput, 1},
		{"odd bytes", "machine\x85\r\xa0", "x", ErrUnsafeInput, 1},
		// Inputs it would truncate or be very slow on.
		{"long token", "machine a login b password " + strings.Repeat("p", 70<<10) + "\nmachine z login y password x\n", "q", ErrUnsafeInput, 1},
		{"hashes", "machine a login b password " + strings.Repeat("a#", 16<<10) + "\n", "q", ErrUnsafeInput, 1},
		{"too large", strings.Repeat("# filler line\n", MaxEditSize/10), "q", ErrUnsafeInput, 0},
		// Edits the go command would not see.
		{"after lone default", "default\n", "a", ErrNotEffective, 0},
		{"in unterminated macdef", "macdef x\r\nfoo\r\n", "a", ErrNotEffective, 0},
		{"shadowed by prefix", "machine https://a/ login x password y\n", "a", ErrNotEffective, 1},
		// Bad values.
		{"space in machine", "", "a b", ErrInvalidValue, 0},
		{"keyword machine", "", "default", ErrInvalidValue, 0},
		{"hash machine", "", "#a", ErrInvalidValue, 0},
		{"empty machine", "", "", ErrInvalidValue, 0},
		{"nbsp machine", "", "a\u00a0b", ErrInvalidValue, 0},
	}
	for _, tt := range tests {
		start := time.Now()
		_, err := SetMachine([]byte(tt.in), tt.machine, "alice", pw)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: SetMachine took %v", tt.name, d)
		}
		var ee *EditError
		if !errors.Is(err, tt.want) || !errors.As(err, &ee) {
			t.Errorf("%s: SetMachine error = %v, want %v", tt.name, err, tt.want)
			continue
		}
		if ee.Line != tt.line {
			t.Errorf("%s: error line = %d, want %d (%v)", tt.name, ee.Line, tt.line, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error reveals the password: %v", tt.name, err)
		}
	}
	for _, bad := range []string{"", "a b", "machine", "#x"} {
		if _, err := SetMachine(nil, "a", "alice", NewSecret(bad)); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("SetMachine(password %q) error = %v, want ErrInvalidValue", bad, err)
		}
	}
}

func TestEditFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), ".netrc")
	if err := SetMachineFile(p, "a.example", "alice", NewSecret("pw1")); err != nil {
		t.Fatal(err)
	}
	if err := SetMachineFile(p, "b.example", "bob", NewSecret("pw2")); err != nil {
		t.Fatal(err)
	}
	if err := RemoveMachineFile(p, "a.example"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(p)
	if got := entriesString(Parse(data)); got != "b.example/bob/pw2@1" {
		t.Errorf("file entries = %q", got)
	}
	os.WriteFile(p, []byte("machine"), 0o600)
	err = SetMachineFile(p, "c", "d", NewSecret("e"))
	var ee *EditError
	if !errors.As(err, &ee) || ee.File != p || !strings.HasPrefix(err.Error(), "netrcauth: "+p+":1: ") {
		t.Errorf("SetMachineFile(broken) error = %v, want an *EditError naming the file and line", err)
	}
	if data, _ := os.ReadFile(p); string(data) != "machine" {
		t.Errorf("refused edit changed the file to %q", data)
	}
}

// FuzzEdit checks that editing never panics, hangs or silently drops data:
// every outcome is a typed error or a file in which the go command finds the
// new credentials and every other entry unchanged.
func FuzzEdit(f *testing.F) {
	f.Add([]byte("machine a login b password c\n"), "a", "l", "p")
	f.Add([]byte("# c\nmachine a login b password c # x\nmachine d\n login e\n password f\n"), "d", "l", "p")
	f.Add([]byte("machine"), "x", "l", "p")
	f.Add([]byte("machine a login b password machine"), "x", "l", "p")
	f.Add([]byte("default\nmachine a login b password c"), "a", "l", "p")
	f.Add([]byte("macdef x\r\n\r\nmachine a login b password c\r\n"), "a", "l", "p")
	f.Fuzz(func(t *testing.T, data []byte, machine, login, password string) {
		if len(data) > 64<<10 {
			return // keep iterations short; size limits are tested above
		}
		done := make(chan struct{})
		var out []byte
		var err error
		go func() {
			defer close(done)
			out, err = SetMachine(data, machine, login, NewSecret(password))
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("SetMachine(%q) did not finish in 5s", data)
		}
		if err != nil {
			var ee *EditError
			if !errors.As(err, &ee) {
				t.Fatalf("SetMachine(%q) error %v is not an *EditError", data, err)
			}
			if len(password) > 3 && strings.Contains(err.Error(), password) && !strings.Contains(string(data)+machine+login, password) {
				t.Fatalf("error %q reveals the password", err)
			}
			return
		}
		eff := effective(string(out))
		if e, ok := eff[NormalizePrefix(machine)]; !ok || e.Login != login || e.Password.Reveal() != password {
			t.Fatalf("SetMachine(%q, %q) = %q: the go command reads %v", data, machine, out, e)
		}
		before := effective(string(data) + "\n")
		for p, e := range before {
			if p == NormalizePrefix(machine) {
				continue
			}
			if a, ok := eff[p]; !ok || !sameEntry(a, e) {
				t.Fatalf("SetMachine(%q, %q) = %q changed machine %s", data, machine, out, e.Machine)
			}
		}
		if _, err := RemoveMachine(out, machine); err != nil {
			var ee *EditError
			if !errors.As(err, &ee) {
				t.Fatalf("RemoveMachine error %v is not an *EditError", err)
			}
		}
	})
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
