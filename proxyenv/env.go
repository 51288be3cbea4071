package proxyenv

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/modnet/modnet/internal/diag"
)

// Env is the effective go environment relevant to fetching modules, one
// field per variable, holding the value the go command would use (after the
// process environment, the go env file, $GOROOT/go.env and built-in defaults
// have been consulted). Fields are plain strings exactly as `go env` prints
// them.
//
// Later changes to an Env do not affect values built from it. An Env
// returned by [Load] is not modified afterwards and is safe for concurrent
// use.
type Env struct {
	GOPROXY    string
	GONOPROXY  string
	GOPRIVATE  string
	GONOSUMDB  string
	GOINSECURE string
	GOSUMDB    string
	GOAUTH     string
	// GOENV is the user go env file, as "go env GOENV" prints it: the
	// path, or "" when GOENV=off or no user configuration directory is
	// known.
	GOENV  string
	GOROOT string
	// NETRC is the netrc file named by the process environment. The go
	// command's GOAUTH=netrc reads only the process environment for it,
	// never the go env files (though "go env NETRC" prints a value set in
	// a file; see [Env.GoEnv]). Empty means the default ~/.netrc.
	NETRC string

	// HTTP proxy variables as net/http in the go command reads them
	// (upper-case name first, then lower-case), from the process
	// environment only.
	HTTP_PROXY  string
	HTTPS_PROXY string
	NO_PROXY    string
	// REQUEST_METHOD is non-empty in a CGI environment (httpproxy.Config.CGI).
	REQUEST_METHOD string

	// GOVCS lists the version control systems allowed per module path
	// pattern (the go command's default "private:all,public:git|hg"
	// applies when it is empty).
	GOVCS string

	// Values from the process environment only, which the go command's
	// network code consults.
	//
	// GIT_HTTP_USER_AGENT naming proxy.golang.org exempts the toolchain
	// from the mandatory checksum check (the module mirror itself).
	GIT_HTTP_USER_AGENT string
	// SSL_CERT_FILE and SSL_CERT_DIR locate the system roots on Unix
	// systems other than macOS, as crypto/x509 reads them.
	SSL_CERT_FILE string
	SSL_CERT_DIR  string
	// HOME is the user's home directory, which holds the default netrc
	// file: $HOME ($USERPROFILE on Windows, $home on Plan 9).
	HOME string

	// Sources records, per variable name, where each value came from.
	// Load also records the other variables "go env" may print (GOFLAGS,
	// GOTOOLCHAIN, unknown names assigned in a go env file, ...).
	Sources map[string]Value

	// Files are the go env files Load read, the user file first, for
	// [Env.Lint] and [Env.GoEnv].
	Files []EnvFile

	// Problems are what Load observed that the values do not show, such as
	// an unreadable go env file or a GOROOT that is not a directory.
	// [Env.Lint] reports them with its own findings.
	Problems []Diagnostic
}

// An EnvFile is a go env file as [Load] read it.
type EnvFile struct {
	// Path is the file name.
	Path string
	// Source is [SourceFile] for the user go env file, [SourceGOROOT]
	// for $GOROOT/go.env, and [SourceRelease] for the defaults used when
	// no GOROOT is found (Path then names the release).
	Source Source
	// Lines are the file's lines, as [ParseEnvFile] returns them; nil for
	// a file that does not exist or could not be read.
	Lines []EnvLine
}

// assignment returns the line that sets key in f as the go command
// reads f: the last assignment in the user file, the first in go.env.
func (f *EnvFile) assignment(key string) (EnvLine, bool) {
	if f.Source == SourceGOROOT {
		for _, l := range f.Lines {
			if !l.Ignored && l.Key == key {
				return l, true
			}
		}
		return EnvLine{}, false
	}
	return LookupEnvLine(f.Lines, key)
}

// Source says where a variable's effective value came from.
type Source string

// The sources of a value, in the order the go command consults them.
const (
	SourceEnv     Source = "env"     // the process environment (non-empty value)
	SourceFile    Source = "file"    // the user's go env file ($GOENV or the default path)
	SourceGOROOT  Source = "goroot"  // $GOROOT/go.env
	SourceDefault Source = "default" // the go command's built-in default

	// GOROOT only: found from the location of the go binary on PATH
	// (Value.File names the binary), or the GOROOT the running program
	// was built with.
	SourceGoBinary Source = "go-binary"
	SourceRuntime  Source = "runtime"

	// SourceRelease marks the defaults of the go release this program
	// was built with ($GOROOT/go.env of that release: GOPROXY, GOSUMDB and
	// GOTOOLCHAIN), used when no GOROOT is found at all, such as for a
	// program built with -trimpath running where Go is not installed.
	// Value.Via names the release.
	SourceRelease Source = "release"
)

// Value is one variable's effective value and its provenance.
type Value struct {
	// Name is the variable. For HTTP_PROXY, HTTPS_PROXY and NO_PROXY it
	// is the spelling actually read ("https_proxy" when only the
	// lower-case form was set).
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source Source `json:"source"`
	File   string `json:"file,omitempty"` // for SourceFile and SourceGOROOT
	Line   int    `json:"line,omitempty"` // 1-based line in File
	// Via names the variable a default was taken from ("GOPRIVATE" for
	// the default GONOPROXY and GONOSUMDB).
	Via string `json:"via,omitempty"`
	// EmptyInEnv reports that the process environment sets the variable
	// to the empty string, which the go command treats as unset.
	EmptyInEnv bool `json:"emptyInEnv,omitempty"`
}

// String returns "NAME=value (source)" with credentials in proxy URLs
// redacted.
func (v Value) String() string {
	s := v.Name + "=" + redactVar(v.Name, v.Value) + " (" + string(v.Source)
	if v.File != "" {
		s += " " + v.File
		if v.Line > 0 {
			s += ":" + strconv.Itoa(v.Line)
		}
	}
	if v.Via != "" {
		s += " via " + v.Via
	}
	return s + ")"
}

// LoadOptions configures [Load]. Every field is optional; a zero field
// means the operating system's behaviour, derived from Getenv where the
// operating system would consult the environment.
type LoadOptions struct {
	// Getenv returns a process environment variable. If nil, os.Getenv.
	Getenv func(key string) string
	// LookupEnv reports whether a process environment variable is set,
	// so that [Env.Lint] can point out variables set to the empty string.
	// If nil and Getenv is nil, os.LookupEnv; if nil and Getenv is set,
	// set-but-empty variables are indistinguishable from unset ones.
	LookupEnv func(key string) (string, bool)
	// UserConfigDir returns the directory holding go/env when GOENV is
	// not set. If nil, the rules of os.UserConfigDir applied to Getenv and
	// GOOS ($XDG_CONFIG_HOME or $HOME/.config on Unix, $HOME/Library/
	// Application Support on macOS, %AppData% on Windows).
	UserConfigDir func() (string, error)
	// ReadFile reads a file. If nil, os.ReadFile.
	ReadFile func(name string) ([]byte, error)
	// Stat describes a file, to recognise a GOROOT (it holds pkg/tool)
	// and executables on PATH. If nil, os.Stat.
	Stat func(name string) (fs.FileInfo, error)
	// EvalSymlinks resolves symbolic links in the go binary's path. If
	// nil, filepath.EvalSymlinks.
	EvalSymlinks func(path string) (string, error)
	// LookPath finds an executable. If nil, the directories of
	// Getenv("PATH") are searched.
	LookPath func(file string) (string, error)
	// Executable is the go binary whose installation supplies GOROOT
	// when neither the environment nor the user go env file set it. If
	// empty, "go" is looked up with LookPath.
	Executable string
	// BuildGOROOT returns the last-resort GOROOT, used when no go binary
	// is found. If nil, runtime.GOROOT (the GOROOT the running program
	// was built with; empty for binaries built with -trimpath).
	BuildGOROOT func() string
	// GOOS is the operating system whose conventions apply. If empty,
	// runtime.GOOS.
	GOOS string
}

// FromEnvironment is Load(LoadOptions{Getenv: getenv}): the go
// environment of the current user with the process environment read
// through getenv (nil means [os.Getenv]).
func FromEnvironment(getenv func(string) string) (*Env, error) {
	return Load(LoadOptions{Getenv: getenv})
}

type loadState struct {
	opts   LoadOptions
	goos   string
	getenv func(string) string
	// userFile is the user go env file, for positions.
	userFile string
}

func (s *loadState) stat(name string) (fs.FileInfo, error) {
	if s.opts.Stat != nil {
		return s.opts.Stat(name)
	}
	return os.Stat(name)
}

func (s *loadState) evalSymlinks(name string) (string, error) {
	if s.opts.EvalSymlinks != nil {
		return s.opts.EvalSymlinks(name)
	}
	return filepath.EvalSymlinks(name)
}

func (s *loadState) lookPath(file string) (string, error) {
	if s.opts.LookPath != nil {
		return s.opts.LookPath(file)
	}
	return s.lookPathIn(file, s.getenv("PATH"))
}

func (s *loadState) readFile(name string) ([]byte, error) {
	if s.opts.ReadFile != nil {
		return s.opts.ReadFile(name)
	}
	return os.ReadFile(name)
}

func sameFile(a, b fs.FileInfo) bool { return os.SameFile(a, b) }

func runtimeGOROOT() string {
	//lint:ignore SA1019 the go command itself falls back to the GOROOT it was built with.
	return runtime.GOROOT() //nolint:staticcheck
}

// userConfigDir applies os.UserConfigDir's rules to the injected
// environment.
func (s *loadState) userConfigDir() (string, error) {
	if s.opts.UserConfigDir != nil {
		return s.opts.UserConfigDir()
	}
	switch s.goos {
	case "windows":
		if d := s.getenv("AppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%AppData% is not defined")
	case "darwin", "ios":
		if d := s.getenv("HOME"); d != "" {
			return d + "/Library/Application Support", nil
		}
		return "", errors.New("$HOME is not defined")
	case "plan9":
		if d := s.getenv("home"); d != "" {
			return d + "/lib", nil
		}
		return "", errors.New("$home is not defined")
	}
	if d := s.getenv("XDG_CONFIG_HOME"); d != "" {
		if !strings.HasPrefix(d, "/") {
			return "", errors.New("path in $XDG_CONFIG_HOME is relative")
		}
		return d, nil
	}
	if d := s.getenv("HOME"); d != "" {
		return d + "/.config", nil
	}
	return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME are defined")
}

// envFilePath mirrors the go command's choice of user go env file: $GOENV
// unless empty; GOENV=off disables the file; otherwise go/env in the user
// configuration directory. It returns the path ("" for none) and its
// source.
func (s *loadState) envFilePath() (string, Source) {
	if f := s.getenv("GOENV"); f != "" {
		if f == "off" {
			return "", SourceEnv
		}
		return f, SourceEnv
	}
	dir, err := s.userConfigDir()
	if err != nil || dir == "" {
		return "", SourceDefault
	}
	return filepath.Join(dir, "go", "env"), SourceDefault
}

// modeled lists the variables Env resolves through the go env files, with
// the go command's built-in defaults.
var modeledVars = [...]string{"GOPROXY", "GONOPROXY", "GOPRIVATE", "GONOSUMDB", "GOINSECURE", "GOSUMDB", "GOAUTH"}

// Load resolves the go environment as the go command does, without running
// it. For each variable it consults, in order, the process environment (an
// empty value counts as unset), the user go env file, $GOROOT/go.env and
// the go command's built-in default: GONOPROXY and GONOSUMDB default to
// GOPRIVATE, GOAUTH to "netrc", and every other variable to "". The user
// go env file is $GOENV, none if GOENV=off, or go/env in the user
// configuration directory. GOROOT is the GOROOT variable, else the user go
// env file's GOROOT, else the installation of the go binary on PATH, else
// the GOROOT this program was built with.
//
// HTTP_PROXY, HTTPS_PROXY, NO_PROXY (upper-case spelling first, like
// net/http in Go 1.26), REQUEST_METHOD and NETRC come from the process
// environment only, as in the go command.
//
// Load is lenient where the go command is: unreadable or malformed env
// files are ignored. [Env.Lint] reports such problems. The error is
// reserved for failures of the injected functions the go command would
// not tolerate; Load currently reports none.
func Load(opts LoadOptions) (*Env, error) {
	s := &loadState{opts: opts, goos: opts.GOOS, getenv: opts.Getenv}
	if s.goos == "" {
		s.goos = runtime.GOOS
	}
	lookupEnv := opts.LookupEnv
	if s.getenv == nil {
		s.getenv = os.Getenv
		if lookupEnv == nil {
			lookupEnv = os.LookupEnv
		}
	}
	e := &Env{Sources: make(map[string]Value)}

	// GOENV: the go command prints the file it reads, or "" for none.
	file, fileSrc := s.envFilePath()
	s.userFile = file
	e.GOENV = file
	e.Sources["GOENV"] = Value{Name: "GOENV", Value: file, Source: fileSrc}
	var user, goenv *EnvFile
	if file != "" {
		user = &EnvFile{Path: file, Source: SourceFile}
		data, err := s.readFile(file)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				e.Problems = append(e.Problems, Diagnostic{Kind: KindUnreadableFile, Severity: diag.Warning, Var: "GOENV", File: file, Message: "cannot read the go env file; the go command ignores it: " + err.Error()})
			}
		} else {
			user.Lines = ParseEnvFile(data)
		}
		e.Files = append(e.Files, *user)
		user = &e.Files[len(e.Files)-1]
	}

	// GOROOT, then $GOROOT/go.env.
	var fileGOROOT *EnvLine
	if user != nil {
		if l, ok := user.assignment("GOROOT"); ok {
			fileGOROOT = &l
		}
	}
	found := s.findGOROOT(fileGOROOT)
	if found.dir != "" {
		name := filepath.Join(found.dir, "go.env")
		f := EnvFile{Path: name, Source: SourceGOROOT}
		data, err := s.readFile(name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				e.Problems = append(e.Problems, Diagnostic{Kind: KindUnreadableFile, Severity: diag.Warning, Var: "GOROOT", File: name, Message: "cannot read $GOROOT/go.env; the go command ignores it: " + err.Error()})
			}
		} else {
			f.Lines = ParseEnvFile(data)
		}
		e.Files = append(e.Files, f)
		goenv = &e.Files[len(e.Files)-1]
		if user != nil {
			user = &e.Files[0] // the append may have moved it
		}
		if len(f.Lines) == 0 && err == nil || errors.Is(err, fs.ErrNotExist) {
			e.Problems = append(e.Problems, Diagnostic{Kind: KindNoGoEnv, Severity: diag.Warning, Var: "GOROOT", File: name, Message: "no go.env in GOROOT " + strconv.Quote(found.dir) + " (missing or empty); GOPROXY and GOSUMDB have no defaults from it"})
		}
	}
	// The printed GOROOT is the process environment's value verbatim when
	// set; otherwise the cleaned result of the search above.
	if v := s.getenv("GOROOT"); v != "" {
		e.GOROOT = v
		e.Sources["GOROOT"] = Value{Name: "GOROOT", Value: v, Source: SourceEnv}
	} else {
		e.GOROOT = found.dir
		src := found.src
		if src == "" {
			src = SourceDefault
		}
		e.Sources["GOROOT"] = Value{Name: "GOROOT", Value: found.dir, Source: src, File: found.file, Line: found.line}
	}
	if e.GOROOT == "" {
		e.Problems = append(e.Problems, Diagnostic{Kind: KindNoGOROOT, Severity: diag.Warning, Var: "GOROOT", Message: "no GOROOT found (no go binary on PATH, GOROOT unset); the go command would not run here, so GOPROXY, GOSUMDB and GOTOOLCHAIN default to the values of " + releaseVersion() + "'s go.env"})
	} else if !s.isDir(e.GOROOT) {
		v := e.Sources["GOROOT"]
		e.Problems = append(e.Problems, Diagnostic{Kind: KindGOROOTNotDir, Severity: diag.Error, Var: "GOROOT", File: v.File, Line: v.Line, Message: "not a directory; the go command stops with \"go: cannot find GOROOT directory: " + e.GOROOT + "\""})
	}

	if e.GOROOT == "" {
		// Without any GOROOT the go command would not run at all; a
		// program that embeds modnet still needs the defaults its users'
		// go command has, so take those of the release it was built with.
		e.Files = append(e.Files, releaseGoEnv())
		goenv = &e.Files[len(e.Files)-1]
		if user != nil {
			user = &e.Files[0]
		}
	}
	get := func(name string) Value {
		v := lookupFiles(s.getenv, name, user, goenv)
		if lookupEnv != nil {
			if x, ok := lookupEnv(name); ok && x == "" {
				v.EmptyInEnv = true
			}
		}
		return v
	}
	e.GOPRIVATE, e.Sources["GOPRIVATE"] = resolved(get("GOPRIVATE"), "", "")
	e.GONOPROXY, e.Sources["GONOPROXY"] = resolved(get("GONOPROXY"), e.GOPRIVATE, "GOPRIVATE")
	e.GONOSUMDB, e.Sources["GONOSUMDB"] = resolved(get("GONOSUMDB"), e.GOPRIVATE, "GOPRIVATE")
	e.GOINSECURE, e.Sources["GOINSECURE"] = resolved(get("GOINSECURE"), "", "")
	e.GOPROXY, e.Sources["GOPROXY"] = resolved(get("GOPROXY"), "", "")
	e.GOSUMDB, e.Sources["GOSUMDB"] = resolved(get("GOSUMDB"), "", "")
	e.GOAUTH, e.Sources["GOAUTH"] = resolved(get("GOAUTH"), "netrc", "")
	e.GOVCS, e.Sources["GOVCS"] = resolved(get("GOVCS"), "", "")
	// The other plainly configured variables "go env" prints.
	// GOPATH and GOMODCACHE are recorded as set (environment, then go env
	// files) for callers that resolve the module cache; the go command's
	// computed defaults for them are not modelled.
	for _, name := range [...]string{"GO111MODULE", "GOBIN", "GOFLAGS", "GOTMPDIR", "GOTOOLCHAIN", "GOPATH", "GOMODCACHE"} {
		e.Sources[name] = get(name)
	}
	// GODEBUG can only be set in the process environment.
	e.Sources["GODEBUG"] = envOnly("GODEBUG", s.getenv("GODEBUG"))

	// The go command's GOAUTH=netrc reads NETRC with os.Getenv.
	e.NETRC = s.getenv("NETRC")
	e.Sources["NETRC"] = envOnly("NETRC", e.NETRC)

	// net/http in Go 1.26 (its vendored httpproxy) prefers the upper-case
	// spelling; an empty value counts as unset.
	for _, p := range [...]struct {
		dst          *string
		upper, lower string
	}{
		{&e.HTTP_PROXY, "HTTP_PROXY", "http_proxy"},
		{&e.HTTPS_PROXY, "HTTPS_PROXY", "https_proxy"},
		{&e.NO_PROXY, "NO_PROXY", "no_proxy"},
	} {
		v := Value{Name: p.upper, Source: SourceDefault}
		if x := s.getenv(p.upper); x != "" {
			v = Value{Name: p.upper, Value: x, Source: SourceEnv}
		} else if x := s.getenv(p.lower); x != "" {
			v = Value{Name: p.lower, Value: x, Source: SourceEnv}
		}
		*p.dst = v.Value
		e.Sources[p.upper] = v
	}
	for _, p := range [...]struct {
		dst  *string
		name string
	}{
		{&e.REQUEST_METHOD, "REQUEST_METHOD"},
		{&e.GIT_HTTP_USER_AGENT, "GIT_HTTP_USER_AGENT"},
		{&e.SSL_CERT_FILE, "SSL_CERT_FILE"},
		{&e.SSL_CERT_DIR, "SSL_CERT_DIR"},
	} {
		*p.dst = s.getenv(p.name)
		e.Sources[p.name] = envOnly(p.name, *p.dst)
	}
	e.HOME = s.homeDir()

	// Unknown names assigned in a go env file, which "go env" prints
	// (preferring the process environment).
	for _, f := range e.Files {
		for _, l := range f.Lines {
			if _, done := e.Sources[l.Key]; !l.Ignored && !done {
				e.Sources[l.Key] = lookupFiles(s.getenv, l.Key, user, goenv)
			}
		}
	}
	return e, nil
}

// homeDir applies os.UserHomeDir's rules to the injected environment.
func (s *loadState) homeDir() string {
	switch s.goos {
	case "windows":
		return s.getenv("USERPROFILE")
	case "plan9":
		return s.getenv("home")
	}
	return s.getenv("HOME")
}

func envOnly(name, v string) Value {
	if v == "" {
		return Value{Name: name, Source: SourceDefault}
	}
	return Value{Name: name, Value: v, Source: SourceEnv}
}

// resolved applies a built-in default to a looked-up value: the go command
// uses the default whenever the value is empty, whichever source gave it.
func resolved(v Value, def, via string) (string, Value) {
	if v.Value == "" && (def != "" || v.Source == SourceDefault) {
		v = Value{Name: v.Name, Value: def, Source: SourceDefault, Via: via, EmptyInEnv: v.EmptyInEnv}
	}
	return v.Value, v
}

// lookupFiles mirrors the go command's lookup of a configuration key: the
// process environment if non-empty, else the user go env file, else
// $GOROOT/go.env. A key present in the user file (even with an empty
// value) hides go.env. Either file may be nil.
func lookupFiles(getenv func(string) string, name string, user, goenv *EnvFile) Value {
	if getenv != nil {
		if v := getenv(name); v != "" {
			return Value{Name: name, Value: v, Source: SourceEnv}
		}
	}
	for _, f := range [...]*EnvFile{user, goenv} {
		if f == nil {
			continue
		}
		if l, ok := f.assignment(name); ok {
			if f.Source == SourceRelease {
				return Value{Name: name, Value: l.Value, Source: SourceRelease, Via: f.Path}
			}
			return Value{Name: name, Value: l.Value, Source: f.Source, File: f.Path, Line: l.Line}
		}
	}
	return Value{Name: name, Source: SourceDefault}
}

// file returns e's go env file of the given source, or nil.
func (e *Env) file(src Source) *EnvFile {
	for i := range e.Files {
		if e.Files[i].Source == src {
			return &e.Files[i]
		}
	}
	return nil
}

// Lookup returns a variable's effective value and source: the recorded
// [Value] for the variables Load recorded in Sources; for any other name
// the value a go env file assigns (the user file, then $GOROOT/go.env), or
// "" with [SourceDefault]. Lookup does not consult the process
// environment.
func (e *Env) Lookup(name string) Value {
	if v, ok := e.Sources[name]; ok {
		return v
	}
	return lookupFiles(nil, name, e.file(SourceFile), e.file(SourceGOROOT))
}

// GoEnv returns what "go env NAME" prints for name, and reports whether
// Env models that variable. It is exact for the variables Env has fields
// for, for the plainly configured GO111MODULE, GOBIN, GODEBUG, GOFLAGS,
// GOTMPDIR, GOTOOLCHAIN and GOVCS, and for names unknown to the go command.
// Variables the go command computes (GOPATH, GOMODCACHE, GOCACHE, GOOS,
// CC, ...) are not modelled: GoEnv returns "", false.
//
// GoEnv differs from the fields for NETRC and the HTTP proxy variables:
// the go command does not know these names, so "go env" prints them only
// when a go env file assigns them, and then prefers the process
// environment, even though the go command's HTTP client and netrc reader
// ignore the files.
func (e *Env) GoEnv(name string) (string, bool) {
	switch name {
	case "GOPROXY", "GONOPROXY", "GOPRIVATE", "GONOSUMDB", "GOINSECURE", "GOSUMDB", "GOAUTH", "GOENV", "GOROOT",
		"GO111MODULE", "GOBIN", "GODEBUG", "GOFLAGS", "GOTMPDIR", "GOTOOLCHAIN", "GOVCS":
		return e.Lookup(name).Value, true
	}
	if strings.Contains(knownEnv, "\n"+name+"\n") {
		return "", false
	}
	// An unknown name is printed only if a go env file assigns it.
	user, goenv := e.file(SourceFile), e.file(SourceGOROOT)
	inFile := false
	for _, f := range [...]*EnvFile{user, goenv} {
		if f != nil {
			if _, ok := f.assignment(name); ok {
				inFile = true
			}
		}
	}
	if !inFile {
		return "", true
	}
	// The process environment wins: Sources holds the exact name's
	// process value when Load saw one.
	if v, ok := e.Sources[name]; ok && v.Source == SourceEnv && v.Name == name {
		return v.Value, true
	}
	return lookupFiles(nil, name, user, goenv).Value, true
}

// knownEnv lists the variables the go command knows (cmd/go's KnownEnv).
const knownEnv = `
AR
CC
CGO_CFLAGS
CGO_CFLAGS_ALLOW
CGO_CFLAGS_DISALLOW
CGO_CPPFLAGS
CGO_CPPFLAGS_ALLOW
CGO_CPPFLAGS_DISALLOW
CGO_CXXFLAGS
CGO_CXXFLAGS_ALLOW
CGO_CXXFLAGS_DISALLOW
CGO_ENABLED
CGO_FFLAGS
CGO_FFLAGS_ALLOW
CGO_FFLAGS_DISALLOW
CGO_LDFLAGS
CGO_LDFLAGS_ALLOW
CGO_LDFLAGS_DISALLOW
CXX
FC
GCCGO
GO111MODULE
GO386
GOAMD64
GOARCH
GOARM
GOARM64
GOAUTH
GOBIN
GOCACHE
GOCACHEPROG
GOENV
GOEXE
GOEXPERIMENT
GOFIPS140
GOFLAGS
GOGCCFLAGS
GOHOSTARCH
GOHOSTOS
GOINSECURE
GOMIPS
GOMIPS64
GOMODCACHE
GONOPROXY
GONOSUMDB
GOOS
GOPATH
GOPPC64
GOPRIVATE
GOPROXY
GORISCV64
GOROOT
GOSUMDB
GOTMPDIR
GOTOOLCHAIN
GOTOOLDIR
GOVCS
GOWASM
GOWORK
GO_EXTLINK_ENABLED
PKG_CONFIG
GOMOD
GOVERSION
GOTELEMETRY
GOTELEMETRYDIR
GODEBUG
`

// releaseGoEnv is $GOROOT/go.env as the go releases since Go 1.21 ship
// it, standing for the go.env of the release this program was built with.
func releaseGoEnv() EnvFile {
	return EnvFile{Path: releaseVersion(), Source: SourceRelease, Lines: ParseEnvFile([]byte(
		"GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=auto\n"))}
}

// releaseVersion names the go release this program was built with.
func releaseVersion() string {
	if v := runtime.Version(); strings.HasPrefix(v, "go") {
		return v
	}
	return "the go release this program was built with"
}
