package proxyenv

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// SumGolangOrgKey is the verifier key the go command knows for
// sum.golang.org, used when GOSUMDB names that database without a key.
const SumGolangOrgKey = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"

// knownSumDBKey returns the built-in key for a bare database name, as the
// go command's table of known checksum databases does (it has one entry).
func knownSumDBKey(name string) string {
	if name == "sum.golang.org" {
		return SumGolangOrgKey
	}
	return ""
}

// A SumDB is a parsed GOSUMDB value: the checksum database to consult and
// how to reach it.
type SumDB struct {
	// Off reports whether GOSUMDB is "off". All other fields are then zero.
	Off bool `json:"off,omitempty"`
	// Name is the database name from the key, host[/path], such as
	// "sum.golang.org".
	Name string `json:"name,omitempty"`
	// Key is the full verifier key (name+hash+key), with a known name
	// expanded to its key.
	Key string `json:"key,omitempty"`
	// URL is the explicit database URL given after the key, or nil. An
	// explicit URL bypasses the GOPROXY list: the go command never asks
	// proxies for /sumdb/<name>/supported then.
	URL *url.URL `json:"-"`
	// Alias is set when GOSUMDB was an alias the go command rewrites, such
	// as "sum.golang.google.cn"; it holds the original value.
	Alias string `json:"alias,omitempty"`

	// Verifier checks notes signed by the database.
	Verifier note.Verifier `json:"-"`
}

// String returns the database's key and URL, with any URL password
// redacted.
func (s *SumDB) String() string {
	switch {
	case s == nil:
		return "<nil>"
	case s.Off:
		return "off"
	case s.URL != nil:
		return s.Key + " " + s.URL.Redacted()
	}
	return s.Key
}

// DirectURL returns the URL the go command uses when no proxy serves the
// database: https://<name>. It is nil when s is off.
func (s *SumDB) DirectURL() *url.URL {
	if s == nil || s.Off || s.Name == "" {
		return nil
	}
	u, _ := url.Parse("https://" + s.Name)
	return u
}

// A SumDBError reports an invalid GOSUMDB value. Err's text is the go
// command's message for the same value.
type SumDBError struct {
	Var   string // the variable, "GOSUMDB"
	Value string // the value as given, with any URL password redacted
	Err   error
	// File and Line locate the value when a go env file set it (filled
	// in by [Env.Router]); the error text stays the go command's.
	File string
	Line int
}

func (e *SumDBError) Error() string { return "proxyenv: " + e.Var + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *SumDBError) Unwrap() error { return e.Err }

// ErrSumDBOff is the error the go command reports when it needs the
// checksum database and GOSUMDB is "off".
var ErrSumDBOff = errors.New("checksum database disabled by GOSUMDB=off")

// ParseSumDB parses a GOSUMDB value the way the go command does.
//
// The value is "off", a database name the go command knows a key for
// ("sum.golang.org"), a verifier key "name+hash+key", or either of the
// latter followed by a URL to reach the database at. The exact value
// "sum.golang.google.cn" is an alias for
// "sum.golang.org https://sum.golang.google.cn". An empty value is an
// error ("missing GOSUMDB"), as it is for the go command when it needs the
// database.
//
// For "off" it returns a SumDB with Off set and no error. Any error is a
// [*SumDBError].
func ParseSumDB(gosumdb string) (*SumDB, error) {
	fail := func(err error) (*SumDB, error) {
		return nil, &SumDBError{Var: "GOSUMDB", Value: redactVar("GOSUMDB", gosumdb), Err: err}
	}
	s := &SumDB{}
	value := gosumdb
	// The go command rewrites this one alias, compared byte for byte.
	if value == "sum.golang.google.cn" {
		s.Alias = value
		value = "sum.golang.org https://sum.golang.google.cn"
	}
	if value == "off" {
		return &SumDB{Off: true}, nil
	}
	f := strings.Fields(value)
	if len(f) == 0 {
		return fail(errors.New("missing GOSUMDB"))
	}
	if k := knownSumDBKey(f[0]); k != "" {
		f[0] = k
	}
	if len(f) > 2 {
		return fail(errors.New("invalid GOSUMDB: too many fields"))
	}
	v, err := note.NewVerifier(f[0])
	if err != nil {
		return fail(fmt.Errorf("invalid GOSUMDB: %v", err))
	}
	name := v.Name()
	// The name must be a plain host[/path]: it becomes https://<name>.
	direct, err := url.Parse("https://" + name)
	if err != nil || strings.HasSuffix(name, "/") || direct.Host == "" || direct.RawPath != "" ||
		*direct != (url.URL{Scheme: "https", Host: direct.Host, Path: direct.Path, RawPath: direct.RawPath}) {
		var shown url.URL
		if direct != nil {
			shown = *direct
		}
		// The go command prints the parsed URL struct after the name.
		return fail(fmt.Errorf("invalid sumdb name (must be host[/path]): %s %+v", name, shown))
	}
	s.Name, s.Key, s.Verifier = name, f[0], v
	if len(f) == 2 {
		u, err := url.Parse(f[1])
		if err != nil {
			// url.Parse quotes the whole URL, password included.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = &url.Error{Op: ue.Op, URL: redactURLString(ue.URL), Err: ue.Err}
			}
			return fail(fmt.Errorf("invalid GOSUMDB URL: %v", err))
		}
		s.URL = u
	}
	return s, nil
}
