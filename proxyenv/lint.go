package proxyenv

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modnet/modnet/matcher"
	"github.com/modnet/modnet/netrcauth"
)

// A Diagnostic is a problem in the go environment that the go command
// tolerates silently but that probably does not do what its author meant.
type Diagnostic struct {
	// Name is the variable concerned, if any.
	Name string `json:"name,omitempty"`
	// File and Line locate the problem in a go env file; both are zero
	// for problems in the process environment.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Message explains the problem and what the go command does instead.
	// Credentials in proxy URLs are redacted.
	Message string `json:"message"`
}

// String formats d as "file:line: NAME: message", leaving out the parts d
// does not have.
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			b.WriteString(":" + strconv.Itoa(d.Line))
		}
		b.WriteString(": ")
	}
	if d.Name != "" {
		b.WriteString(d.Name + ": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// patternVars are the variables holding comma-separated module path
// patterns.
var patternVars = map[string]bool{"GOPRIVATE": true, "GONOPROXY": true, "GONOSUMDB": true, "GOINSECURE": true}

// fileIgnoredVars are variables a go env file may hold that the go
// command's network code reads from the process environment only.
var fileIgnoredVars = map[string]string{
	"NETRC":       "the go command's netrc lookup reads NETRC from the process environment only",
	"HTTP_PROXY":  "net/http reads proxy settings from the process environment only",
	"HTTPS_PROXY": "net/http reads proxy settings from the process environment only",
	"NO_PROXY":    "net/http reads proxy settings from the process environment only",
	"GOENV":       "GOENV can only be set in the process environment",
	"GODEBUG":     "GODEBUG can only be set in the process environment",
}

// LintEnvFile reports the surprises in a go env file that the go command
// reads without complaint: quoted values (the quotes are kept), values
// ending in '\r' (a file with CRLF line endings), keys assigned more than
// once (which line wins), lines the go command ignores although they look
// like assignments (leading space, lower-case name, "export X=..."),
// "KEY = value" spacing (which assigns the key "KEY "), and variables the
// go command does not read from the file. name is used for positions only.
//
// For $GOROOT/go.env pass goroot true: there the first assignment of a key
// wins, and comments are expected.
func LintEnvFile(name string, data []byte, goroot bool) []Diagnostic {
	return lintEnvLines(name, ParseEnvFile(data), goroot)
}

func lintEnvLines(file string, lines []EnvLine, goroot bool) []Diagnostic {
	var ds []Diagnostic
	add := func(l EnvLine, name, msg string) {
		ds = append(ds, Diagnostic{Name: name, File: file, Line: l.Line, Message: msg})
	}
	seen := map[string][]int{} // key -> line numbers
	for _, l := range lines {
		if i, ok := binaryAt(l.Text); ok {
			add(l, strings.TrimRight(l.Key, " \t"), fmt.Sprintf("binary content (byte %#02x at column %d): not a text go env file; the go command reads it as text anyway", l.Text[i], i+1))
		}
		if l.Ignored {
			if k, how, ok := looksLikeAssignment(l.Text); ok {
				add(l, k, "line ignored by the go command: "+how)
			} else if t := strings.TrimSuffix(l.Text, "\r"); isEnvName(t) && t[0] >= 'A' && t[0] <= 'Z' {
				add(l, t, "line ignored by the go command: it has no '='; write "+t+"=value")
			}
			continue
		}
		seen[l.Key] = append(seen[l.Key], l.Line)
		k := strings.TrimRight(l.Key, " \t")
		switch {
		case k != l.Key:
			add(l, k, "space before '=': the go command assigns the variable "+strconv.Quote(l.Key)+", so this line has no effect on "+k)
		case strings.ContainsAny(l.Key, " \t"):
			add(l, "", "key "+strconv.Quote(l.Key)+" contains a space; no variable of that name exists")
		}
		v := l.Value
		if strings.HasSuffix(v, "\r") {
			add(l, k, "value ends in a carriage return (CRLF line endings); the go command keeps it as part of the value")
			v = strings.TrimSuffix(v, "\r")
		}
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			add(l, k, "value is quoted; the go command keeps the quotes as part of the value: "+redactVar(k, v))
		}
		if k == l.Key && v != strings.TrimLeft(v, " \t") {
			add(l, k, "value starts with a space, which the go command keeps")
		}
		if why, ok := fileIgnoredVars[k]; ok && !goroot {
			add(l, k, "set in a go env file, but "+why+" (\"go env "+k+"\" still prints it)")
		}
		if patternVars[k] && k == l.Key && v != "" {
			for _, m := range patternProblems(v) {
				add(l, k, m)
			}
		}
	}
	// Duplicates, reported once per key at the losing lines.
	for _, l := range lines {
		if l.Ignored {
			continue
		}
		ns := seen[l.Key]
		if len(ns) < 2 {
			continue
		}
		win := ns[len(ns)-1]
		rule := "the last assignment wins"
		if goroot {
			win, rule = ns[0], "in $GOROOT/go.env the first assignment wins"
		}
		if l.Line != win {
			add(l, strings.TrimRight(l.Key, " \t"), "assigned again; "+rule+" (line "+strconv.Itoa(win)+")")
		}
	}
	return ds
}

// looksLikeAssignment reports whether an ignored line was probably meant
// as an assignment, returning the variable and why it is ignored.
func looksLikeAssignment(text string) (name, how string, ok bool) {
	t := strings.TrimSuffix(text, "\r")
	if strings.HasPrefix(strings.TrimLeft(t, " \t"), "#") {
		return "", "", false
	}
	trimmed := strings.TrimLeft(t, " \t")
	leading := trimmed != t
	exported := false
	if rest, ok := strings.CutPrefix(trimmed, "export "); ok {
		trimmed, exported = strings.TrimLeft(rest, " \t"), true
	}
	eq := strings.IndexByte(trimmed, '=')
	if eq <= 0 {
		return "", "", false
	}
	key := strings.TrimRight(trimmed[:eq], " \t")
	if !isEnvName(key) {
		return "", "", false
	}
	switch {
	case exported:
		how = "shell syntax (\"export\") is not understood; write " + key + "=value"
	case leading:
		how = "it starts with a space"
	case key[0] < 'A' || key[0] > 'Z':
		how = "it does not start with an upper-case letter (names are case-sensitive)"
	default:
		return "", "", false
	}
	return key, how, true
}

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// patternProblems reports what the go command silently ignores or can
// never match in a comma-separated module path pattern list, as
// [matcher.Lint] finds it.
func patternProblems(list string) []string {
	var ms []string
	for _, p := range matcher.Lint(list) {
		ms = append(ms, "pattern "+strconv.Itoa(p.Index+1)+" "+strconv.Quote(p.Pattern)+": "+p.Msg)
	}
	return ms
}

// Lint reports problems in the environment e was loaded from that the go
// command tolerates silently: the surprises [LintEnvFile] finds in the
// user go env file and $GOROOT/go.env, unreadable env files, process
// variables set to the empty string (which fall through to the files
// rather than clearing a value), GONOPROXY or GONOSUMDB set empty while
// GOPRIVATE is set (use "none" to clear them), pattern lists with stray
// spaces, a GOROOT the go command cannot use, and the proxy problems
// [Env.ValidateHTTPProxy] finds. Credentials are redacted.
func (e *Env) Lint() []Diagnostic {
	ds := append([]Diagnostic(nil), e.Problems...)
	for _, f := range e.Files {
		if f.Source != SourceRelease {
			ds = append(ds, lintEnvLines(f.Path, f.Lines, f.Source == SourceGOROOT)...)
		}
	}
	for _, name := range modeledVars {
		v := e.Sources[name]
		if !v.EmptyInEnv {
			continue
		}
		switch {
		case (name == "GONOPROXY" || name == "GONOSUMDB") && e.GOPRIVATE != "":
			ds = append(ds, Diagnostic{Name: name, Message: "set to the empty string, which cannot clear the default taken from GOPRIVATE (" + strconv.Quote(e.GOPRIVATE) + "); set " + name + "=none to match no module"})
		case v.Source != SourceDefault || v.Value != "":
			ds = append(ds, Diagnostic{Name: name, Message: "set to the empty string in the environment, so the go command uses " + strconv.Quote(redactVar(name, v.Value)) + " from " + sourceText(v)})
		}
	}
	for _, name := range []string{"GONOPROXY", "GONOSUMDB"} {
		v := e.Sources[name]
		if v.Source == SourceDefault && v.Via == "GOPRIVATE" && e.GOPRIVATE != "" && !v.EmptyInEnv {
			if f := e.file(SourceFile); f != nil {
				if l, ok := f.assignment(name); ok && l.Value == "" {
					ds = append(ds, Diagnostic{Name: name, File: f.Path, Line: l.Line, Message: "empty value cannot clear the default taken from GOPRIVATE; write " + name + "=none to match no module"})
				}
			}
		}
	}
	for _, name := range []string{"GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE"} {
		v := e.Sources[name]
		if v.Source != SourceEnv {
			continue // file values are linted with their file
		}
		for _, m := range patternProblems(v.Value) {
			ds = append(ds, Diagnostic{Name: name, Message: m})
		}
	}
	// Values the go command rejects when it fetches, located in their file.
	at := func(name string) (string, int) {
		v := e.Sources[name]
		return v.File, v.Line
	}
	if _, err := ParseProxyList(e.GOPROXY, ""); err != nil {
		f, l := at("GOPROXY")
		ds = append(ds, Diagnostic{Name: "GOPROXY", File: f, Line: l, Message: "invalid; the go command fails every download with: " + strings.TrimPrefix(err.Error(), "proxyenv: ")})
	}
	if _, err := ParseSumDB(e.GOSUMDB); err != nil && e.GOSUMDB != "" {
		f, l := at("GOSUMDB")
		ds = append(ds, Diagnostic{Name: "GOSUMDB", File: f, Line: l, Message: "invalid; the go command fails checksum verification with: " + strings.TrimPrefix(err.Error(), "proxyenv: ")})
	}
	if _, _, err := netrcauth.ParseGOAUTH(e.GOAUTH); err != nil {
		f, l := at("GOAUTH")
		ds = append(ds, Diagnostic{Name: "GOAUTH", File: f, Line: l, Message: "invalid; the go command stops with: " + strings.TrimPrefix(err.Error(), "netrcauth: ")})
	}
	if err := e.ValidateHTTPProxy(); err != nil {
		for _, err := range unjoin(err) {
			var pe *HTTPProxyError
			if errors.As(err, &pe) {
				msg := strings.TrimPrefix(pe.Error(), "proxyenv: "+pe.Name+"=")
				ds = append(ds, Diagnostic{Name: pe.Name, Message: "value " + msg})
			}
		}
	}
	return ds
}

func sourceText(v Value) string {
	switch v.Source {
	case SourceFile, SourceGOROOT:
		return v.File + ":" + strconv.Itoa(v.Line)
	case SourceDefault:
		return "the built-in default"
	}
	return string(v.Source)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// binaryAt reports the first byte of text that a text file would not
// hold: a control character other than tab and a final carriage return,
// or invalid UTF-8.
func binaryAt(text string) (int, bool) {
	text = strings.TrimSuffix(text, "\r")
	for i, r := range text {
		if r == utf8.RuneError || r < 0x20 && r != '\t' || r == 0x7f {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(text[i:]); size > 1 {
					continue // a literal U+FFFD
				}
			}
			return i, true
		}
	}
	return 0, false
}
