package proxyenv

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modnet/modnet/internal/diag"
	"github.com/modnet/modnet/matcher"
	"github.com/modnet/modnet/netrcauth"
	"golang.org/x/mod/module"
)

// Diagnostic is the one diagnostic type of modnet's lints, shared with
// matcher and netrcauth. [Env.Lint] and [LintEnvFile] fill Var with the
// variable concerned, File and Line for problems in a go env file, and
// Kind with one of the kinds below or a [matcher] kind for pattern lists.
type Diagnostic = diag.Diagnostic

// Kind classifies a [Diagnostic].
type Kind = diag.Kind

// The kinds of problems [Env.Lint] and [LintEnvFile] report, besides the
// pattern-list kinds of [matcher.Lint].
const (
	KindUnreadableFile   Kind = "unreadable-file"      // a go env file exists but cannot be read
	KindNoGoEnv          Kind = "no-go-env"            // GOROOT has no go.env
	KindNoGOROOT         Kind = "no-goroot"            // no GOROOT at all
	KindGOROOTNotDir     Kind = "goroot-not-directory" // the go command stops
	KindBinaryContent    Kind = "binary-content"       // a go env file line holds control bytes or invalid UTF-8
	KindIgnoredLine      Kind = "ignored-line"         // a line meant as an assignment that the go command ignores
	KindSpaceInKey       Kind = "space-in-key"         // "KEY = value" assigns "KEY "
	KindCRLF             Kind = "crlf"                 // a value ending in '\r'
	KindQuotedValue      Kind = "quoted-value"         // quotes kept as part of the value
	KindLeadingSpace     Kind = "leading-space"        // a value starting with a space
	KindNotReadFromFile  Kind = "not-read-from-file"   // a variable the go command reads from the process only
	KindDuplicate        Kind = "duplicate"            // a key assigned more than once
	KindEmptyInEnv       Kind = "empty-in-env"         // a process variable set to "" falls through
	KindEmptyCannotClear Kind = "empty-cannot-clear"   // GONOPROXY/GONOSUMDB="" keeps GOPRIVATE's default
	KindInvalidValue     Kind = "invalid-value"        // GOPROXY, GOSUMDB or GOAUTH the go command rejects
	KindHTTPProxy        Kind = "http-proxy-misread"   // an HTTP proxy value net/http silently misreads
)

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
	add := func(l EnvLine, kind Kind, name, msg string) {
		ds = append(ds, Diagnostic{Kind: kind, Severity: diag.Warning, Var: name, File: file, Line: l.Line, Message: msg, NoEffect: l.Ignored})
	}
	seen := map[string][]int{} // key -> line numbers
	for _, l := range lines {
		if i, ok := binaryAt(l.Text); ok {
			add(l, KindBinaryContent, strings.TrimRight(l.Key, " \t"), fmt.Sprintf("binary content (byte %#02x at column %d): not a text go env file; the go command reads it as text anyway", l.Text[i], i+1))
		}
		if l.Ignored {
			if k, how, ok := looksLikeAssignment(l.Text); ok {
				add(l, KindIgnoredLine, k, "line ignored by the go command: "+how)
			} else if t := strings.TrimSuffix(l.Text, "\r"); isEnvName(t) && t[0] >= 'A' && t[0] <= 'Z' {
				add(l, KindIgnoredLine, t, "line ignored by the go command: it has no '='; write "+t+"=value")
			}
			continue
		}
		seen[l.Key] = append(seen[l.Key], l.Line)
		k := strings.TrimRight(l.Key, " \t")
		switch {
		case k != l.Key:
			add(l, KindSpaceInKey, k, "space before '=': the go command assigns the variable "+strconv.Quote(l.Key)+", so this line has no effect on "+k)
		case strings.ContainsAny(l.Key, " \t"):
			add(l, KindSpaceInKey, "", "key "+strconv.Quote(l.Key)+" contains a space; no variable of that name exists")
		}
		v := l.Value
		if strings.HasSuffix(v, "\r") {
			add(l, KindCRLF, k, "value ends in a carriage return (CRLF line endings); the go command keeps it as part of the value")
			v = strings.TrimSuffix(v, "\r")
		}
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			add(l, KindQuotedValue, k, "value is quoted; the go command keeps the quotes as part of the value: "+redactVar(k, v))
		}
		if k == l.Key && v != strings.TrimLeft(v, " \t") {
			add(l, KindLeadingSpace, k, "value starts with a space, which the go command keeps")
		}
		if why, ok := fileIgnoredVars[k]; ok && !goroot {
			add(l, KindNotReadFromFile, k, "set in a go env file, but "+why+" (\"go env "+k+"\" still prints it)")
		}
		if patternVars[k] && k == l.Key && v != "" {
			for _, d := range patternProblems(k, v) {
				// Columns count in the line: after "KEY=".
				d.File, d.Line, d.Column = file, l.Line, d.Column+len(l.Key)+1
				ds = append(ds, d)
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
			add(l, KindDuplicate, strings.TrimRight(l.Key, " \t"), "assigned again; "+rule+" (line "+strconv.Itoa(win)+")")
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

// patternProblems lints a comma-separated module path pattern list with
// [matcher.Lint], for the variable name.
func patternProblems(name, list string) []Diagnostic {
	ds := matcher.Lint(list)
	for i := range ds {
		ds[i].Var = name
	}
	return ds
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
			ds = append(ds, Diagnostic{Kind: KindEmptyCannotClear, Severity: diag.Warning, Var: name, Message: "set to the empty string, which cannot clear the default taken from GOPRIVATE (" + strconv.Quote(e.GOPRIVATE) + "); set " + name + "=none to match no module"})
		case v.Source != SourceDefault || v.Value != "":
			ds = append(ds, Diagnostic{Kind: KindEmptyInEnv, Severity: diag.Warning, Var: name, Message: "set to the empty string in the environment, so the go command uses " + strconv.Quote(redactVar(name, v.Value)) + " from " + sourceText(v)})
		}
	}
	for _, name := range []string{"GONOPROXY", "GONOSUMDB"} {
		v := e.Sources[name]
		if v.Source == SourceDefault && v.Via == "GOPRIVATE" && e.GOPRIVATE != "" && !v.EmptyInEnv {
			if f := e.file(SourceFile); f != nil {
				if l, ok := f.assignment(name); ok && l.Value == "" {
					ds = append(ds, Diagnostic{Kind: KindEmptyCannotClear, Severity: diag.Warning, Var: name, File: f.Path, Line: l.Line, Message: "empty value cannot clear the default taken from GOPRIVATE; write " + name + "=none to match no module"})
				}
			}
		}
	}
	for _, name := range []string{"GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE"} {
		v := e.Sources[name]
		if v.Source != SourceEnv {
			continue // file values are linted with their file
		}
		ds = append(ds, patternProblems(name, v.Value)...)
	}
	// Values the go command rejects when it fetches, located in their file.
	at := func(name string) (string, int) {
		v := e.Sources[name]
		return v.File, v.Line
	}
	if _, err := ParseProxyList(e.GOPROXY, ""); err != nil {
		f, l := at("GOPROXY")
		ds = append(ds, Diagnostic{Kind: KindInvalidValue, Severity: diag.Error, Var: "GOPROXY", File: f, Line: l, Message: "invalid; the go command fails every download with: " + strings.TrimPrefix(err.Error(), "proxyenv: ")})
	}
	if _, err := ParseSumDB(e.GOSUMDB); err != nil && e.GOSUMDB != "" {
		f, l := at("GOSUMDB")
		ds = append(ds, Diagnostic{Kind: KindInvalidValue, Severity: diag.Error, Var: "GOSUMDB", File: f, Line: l, Message: "invalid; the go command fails checksum verification with: " + strings.TrimPrefix(err.Error(), "proxyenv: ")})
	}
	if _, _, err := netrcauth.ParseGOAUTH(e.GOAUTH); err != nil {
		f, l := at("GOAUTH")
		ds = append(ds, Diagnostic{Kind: KindInvalidValue, Severity: diag.Error, Var: "GOAUTH", File: f, Line: l, Message: "invalid; the go command stops with: " + strings.TrimPrefix(err.Error(), "netrcauth: ")})
	}
	if err := e.ValidateHTTPProxy(); err != nil {
		for _, err := range unjoin(err) {
			var pe *HTTPProxyError
			if errors.As(err, &pe) {
				msg := strings.TrimPrefix(pe.Error(), "proxyenv: "+pe.Name+"=")
				ds = append(ds, Diagnostic{Kind: KindHTTPProxy, Severity: diag.Warning, Var: pe.Name, Subject: pe.Value, Message: "value " + msg})
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

// KindNearMiss is a GOPRIVATE, GONOPROXY or GONOSUMDB pattern that does
// not match a module path only because of a mistake [matcher.Lint] finds
// (a stray space, a scheme, a port, upper case, ...).
const KindNearMiss Kind = "near-miss"

// NearMiss reports the GOPRIVATE, GONOPROXY and GONOSUMDB patterns that
// were probably meant to match modulePath: patterns that do not match it
// as written, while the fix [matcher.Lint] suggests for them would. Such a
// typo leaves a private module public: fetched through the public proxy
// and checked against the public checksum database. Each diagnostic names
// the variable (with its file and line when a go env file set it), the
// pattern as Subject and the corrected pattern as Fix.
func (e *Env) NearMiss(modulePath string) []Diagnostic {
	var ds []Diagnostic
	for _, name := range [...]string{"GOPRIVATE", "GONOPROXY", "GONOSUMDB"} {
		v := e.Sources[name]
		value := v.Value
		if v.Name == "" {
			value = map[string]string{"GOPRIVATE": e.GOPRIVATE, "GONOPROXY": e.GONOPROXY, "GONOSUMDB": e.GONOSUMDB}[name]
		}
		if value == "" || v.Via != "" || module.MatchPrefixPatterns(value, modulePath) {
			continue
		}
		for _, d := range matcher.Lint(value) {
			if d.Fix == "" || !module.MatchPrefixPatterns(d.Fix, modulePath) {
				continue
			}
			ds = append(ds, Diagnostic{
				Kind: KindNearMiss, Severity: diag.Warning, Var: name, File: v.File, Line: v.Line,
				Subject: d.Subject, Fix: d.Fix,
				Message: fmt.Sprintf("pattern %q does not match %s (%s), so the go command treats it as public; %q would match", d.Subject, modulePath, d.Kind, d.Fix),
			})
		}
	}
	return ds
}
