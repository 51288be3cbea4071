package proxyenv

import (
	"errors"
	"testing"
)

const testKey = "sum.test+b852dcc5+AQwixJGQz48oHrWGwSMUNLZnEz8npNPY7tOAOvKvgYCp"

func TestParseSumDB(t *testing.T) {
	tests := []struct {
		in                 string
		name, key, url     string
		off                bool
		alias, direct, err string
	}{
		{in: "off", off: true},
		{in: "sum.golang.org", name: "sum.golang.org", key: SumGolangOrgKey, direct: "https://sum.golang.org"},
		{in: "  sum.golang.org  ", name: "sum.golang.org", key: SumGolangOrgKey, direct: "https://sum.golang.org"},
		{in: "sum.golang.google.cn", name: "sum.golang.org", key: SumGolangOrgKey, url: "https://sum.golang.google.cn", alias: "sum.golang.google.cn", direct: "https://sum.golang.org"},
		{in: "sum.golang.org https://mirror.example/sumdb", name: "sum.golang.org", key: SumGolangOrgKey, url: "https://mirror.example/sumdb", direct: "https://sum.golang.org"},
		{in: testKey, name: "sum.test", key: testKey, direct: "https://sum.test"},
		{in: testKey + " http://127.0.0.1:1/x", name: "sum.test", key: testKey, url: "http://127.0.0.1:1/x", direct: "https://sum.test"},
		// A user name on the alias is not recognised: the go command
		// compares the whole value.
		{in: " sum.golang.google.cn", err: "invalid GOSUMDB: malformed verifier id"},
		{in: "", err: "missing GOSUMDB"},
		{in: "   ", err: "missing GOSUMDB"},
		{in: "a b c", err: "invalid GOSUMDB: too many fields"},
		{in: "sum.golang.org a b", err: "invalid GOSUMDB: too many fields"},
		{in: "sum.example.com", err: "invalid GOSUMDB: malformed verifier id"},
		{in: "OFF", err: "invalid GOSUMDB: malformed verifier id"},
		{in: "sum.test+bad", err: "invalid GOSUMDB: malformed verifier id"},
		{in: testKey + " https://%zz", err: `invalid GOSUMDB URL: parse "https://%zz": invalid URL escape "%zz"`},
	}
	for _, tt := range tests {
		db, err := ParseSumDB(tt.in)
		if tt.err != "" {
			var se *SumDBError
			if !errors.As(err, &se) || se.Err.Error() != tt.err || se.Var != "GOSUMDB" {
				t.Errorf("ParseSumDB(%q) error = %v, want *SumDBError %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSumDB(%q) error = %v", tt.in, err)
			continue
		}
		gotURL := ""
		if db.URL != nil {
			gotURL = db.URL.String()
		}
		gotDirect := ""
		if u := db.DirectURL(); u != nil {
			gotDirect = u.String()
		}
		if db.Off != tt.off || db.Name != tt.name || db.Key != tt.key || gotURL != tt.url || db.Alias != tt.alias || gotDirect != tt.direct {
			t.Errorf("ParseSumDB(%q) = {Off:%v Name:%q Key:%q URL:%q Alias:%q Direct:%q}, want {%v %q %q %q %q %q}",
				tt.in, db.Off, db.Name, db.Key, gotURL, db.Alias, gotDirect, tt.off, tt.name, tt.key, tt.url, tt.alias, tt.direct)
		}
		if !db.Off && (db.Verifier == nil || db.Verifier.Name() != db.Name) {
			t.Errorf("ParseSumDB(%q): verifier %v", tt.in, db.Verifier)
		}
	}
}

// TestParseSumDBBadName covers names note.NewVerifier accepts but the go
// command refuses as a database host; the texts were taken from the go
// command (see the sumdb-name-* differential cases). For "%zz" the go
// command crashes; ParseSumDB reports the same error with an empty URL.
func TestParseSumDBBadName(t *testing.T) {
	tests := []struct{ key, err string }{
		{"sum.test/+aea811f9+AeRLdl+XkA6ZVDkTjSfhX+3c8xtMY1Jv4/chJKD913W0",
			"invalid sumdb name (must be host[/path]): sum.test/ {Scheme:https Opaque: User: Host:sum.test Path:/ Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}"},
		{"u@sum.test+948897a9+AYAwRHOlxk9uPr4+TT9PpxH+DP7zNDQqE8h8jqhZdrvP",
			"invalid sumdb name (must be host[/path]): u@sum.test {Scheme:https Opaque: User:u Host:sum.test Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}"},
		{"%zz+b46ea58e+AQQ4UkyF6mqkNJKmRLCM1oU2soZOp+MMlDa2iK90xMFh",
			"invalid sumdb name (must be host[/path]): %zz {Scheme: Opaque: User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}"},
	}
	for _, tt := range tests {
		_, err := ParseSumDB(tt.key)
		var se *SumDBError
		if !errors.As(err, &se) || se.Err.Error() != tt.err {
			t.Errorf("ParseSumDB(%q) = %v, want %q", tt.key, err, tt.err)
		}
	}
	db, err := ParseSumDB("sum.test/path+f01b072d+AVoGai2cmjJZrUpfD/H+z38O2PCx4k9yT9ymUEhn9Pg2")
	if err != nil || db.Name != "sum.test/path" || db.DirectURL().String() != "https://sum.test/path" {
		t.Errorf("ParseSumDB(host/path key) = %+v, %v", db, err)
	}
}

func FuzzParseSumDB(f *testing.F) {
	for _, s := range []string{"off", "sum.golang.org", "sum.golang.google.cn", testKey, testKey + " https://x", "a b c", "", "sum.test+bad"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		db, err := ParseSumDB(s)
		if err != nil {
			var se *SumDBError
			if !errors.As(err, &se) || se.Err == nil || db != nil {
				t.Fatalf("ParseSumDB(%q) = %v, %#v: want nil and a *SumDBError", s, db, err)
			}
			return
		}
		if db.Off {
			if s != "off" {
				t.Fatalf("ParseSumDB(%q) is off", s)
			}
			return
		}
		if db.Name == "" || db.Verifier == nil || db.DirectURL() == nil || db.DirectURL().Host == "" {
			t.Fatalf("ParseSumDB(%q) = %+v: incomplete", s, db)
		}
	})
}
