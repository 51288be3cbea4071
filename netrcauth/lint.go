package netrcauth

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/modnet/modnet/internal/diag"
)

// Kind classifies a [Diagnostic].
type Kind = diag.Kind

// The kinds of problems [Lint] reports.
const (
	// KindSplitPair: a key at the end of a line; the go command does not
	// look for its value on the next line.
	KindSplitPair Kind = "split-pair"
	// KindIncomplete: an entry without login or password, which the go
	// command drops.
	KindIncomplete Kind = "incomplete"
	// KindDefault: a "default" entry, which the go command ignores; a lone
	// "default" also stops it reading the rest of the file.
	KindDefault Kind = "default"
	// KindComment: a line starting with '#' that the go command reads as
	// netrc tokens (it has no comments).
	KindComment Kind = "comment"
	// KindMacro: a macdef whose body never ends (no exactly-empty line),
	// hiding the rest of the file.
	KindMacro Kind = "macdef"
	// KindDuplicate: a machine listed again; the go command uses the first.
	KindDuplicate Kind = "duplicate"
	// KindPort: an entry that the go command does not use for a URL given
	// in [LintOptions.URLs] because of the port (golang/go#81253) or URL
	// userinfo.
	KindPort Kind = "port"
	// KindScheme: a machine with a scheme other than https, which never
	// matches.
	KindScheme Kind = "scheme"
	// KindPermissions: a file readable by group or others that holds
	// passwords.
	KindPermissions Kind = "permissions"
	// KindNotText: a file holding NUL bytes or invalid UTF-8, such as
	// binary data or a UTF-16 file, which the go command reads as text
	// anyway.
	KindNotText Kind = "not-text"
	// KindNoEntries: a file with content but no netrc keyword at all, in
	// which the go command finds no credentials.
	KindNoEntries Kind = "no-entries"
	// KindUnreadable: a netrc path that names a directory or a file that
	// cannot be read; the go command uses no netrc credentials then.
	KindUnreadable Kind = "unreadable"
)

// Diagnostic is the one diagnostic type of modnet's lints, shared with
// matcher and proxyenv. [Lint] fills Kind, Severity (warning), File (for
// [LintFile]), Line (1-based; 0 for the whole file), Subject (the machine
// concerned, if any) and Message, which never holds a password.
type Diagnostic = diag.Diagnostic

// LintOptions configures [Lint].
type LintOptions struct {
	// URLs are the request URLs (or https URL prefixes such as a GOPROXY
	// entry) the file is meant for. For each, Lint reports entries that
	// look meant for it but that the go command does not use. Without
	// URLs, Lint reports nothing it cannot know from the file alone.
	URLs []string
}

// Lint reports, with line numbers, what the go command reads differently
// from what the author of a netrc file probably meant (see [Parse] for the
// grammar): keys split from their values across lines, login-only or
// password-only entries, "default" (ignored, and a lone "default" ends the
// file), comment lines that are live credentials, macdef bodies that swallow
// the rest of the file, duplicates, machines with a scheme, data that is
// not netrc text at all (NUL bytes, invalid UTF-8, no netrc keyword) and —
// for the URLs in opts — entries that do not match because of a port.
// Diagnostics are sorted by line. Lint never reports a password. Its
// memory use is proportional to the entries found, not to the size of
// data.
func Lint(data []byte, opts LintOptions) []Diagnostic {
	l := &linter{firstLine: map[string]int{}}
	var entries []Entry
	scanNetrc(data, func(e Entry) { entries = append(entries, e) }, l)
	l.checkText(data, len(entries))
	for _, e := range entries {
		m := e.Machine
		if i := strings.Index(m, "://"); i >= 0 && !strings.HasPrefix(m, "https://") {
			l.add(e.Line, KindScheme, m, fmt.Sprintf("machine %s has scheme %q: the go command sends credentials only over https and this entry never matches", m, m[:i]))
		}
	}
	for _, raw := range opts.URLs {
		l.checkURL(raw, entries)
	}
	slices.SortStableFunc(l.diags, func(a, b Diagnostic) int { return a.Line - b.Line })
	return l.diags
}

// LintFile reads and lints the netrc file at path, and also reports a file
// holding passwords that group or others can read, and a path that names
// a directory or an unreadable file (as a [KindUnreadable] diagnostic: the
// go command then quietly uses no netrc credentials). Diagnostics carry
// path as File. A missing file is an error wrapping [fs.ErrNotExist].
func LintFile(path string, opts LintOptions) ([]Diagnostic, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return []Diagnostic{unreadable(path, err)}, nil
	}
	if fi.IsDir() {
		return []Diagnostic{{File: path, Kind: KindUnreadable, Severity: diag.Warning,
			Message: "the netrc path names a directory: the go command cannot read it and uses no netrc credentials"}}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return []Diagnostic{unreadable(path, err)}, nil
	}
	diags := Lint(data, opts)
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && len(Parse(data)) > 0 {
		diags = append([]Diagnostic{{Line: 0, Kind: KindPermissions, Severity: diag.Warning,
			Message: fmt.Sprintf("file mode %#o lets group or others read its passwords; run chmod 600 %s", perm, path)}}, diags...)
	}
	for i := range diags {
		diags[i].File = path
	}
	return diags, nil
}

func unreadable(path string, err error) Diagnostic {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return Diagnostic{File: path, Kind: KindUnreadable, Severity: diag.Warning,
		Message: fmt.Sprintf("the netrc file cannot be read (%v): the go command uses no netrc credentials", err)}
}

// checkText reports data that is not netrc text: NUL bytes or invalid
// UTF-8, or content without a single netrc keyword. entries is the number
// of entries the go command reads from it.
func (l *linter) checkText(data []byte, entries int) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		l.add(lineAt(data, i), KindNotText, "", fmt.Sprintf("the file holds NUL bytes (binary data, or UTF-16 text): the go command reads it as text and finds %d credential(s) in it", entries))
		return
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		l.add(lineAt(data, i), KindNotText, "", fmt.Sprintf("the file is not valid UTF-8 (byte %#x): the go command sends such bytes as they are, which servers may decode differently", data[i]))
		return
	}
	if entries == 0 && !l.sawKey && len(bytes.TrimSpace(data)) > 0 && !hasKeyword(data) {
		l.add(0, KindNoEntries, "", "the file holds no netrc keyword (machine, login, password, default): the go command finds no credentials in it")
	}
}

// hasKeyword reports whether any field of data is a netrc keyword.
func hasKeyword(data []byte) bool {
	f := fieldScanner{s: data}
	for {
		w, ok := f.next()
		if !ok {
			return false
		}
		if netrcKeys[string(w)] || string(w) == "default" {
			return true
		}
	}
}

// lineAt returns the 1-based line of data[i].
func lineAt(data []byte, i int) int { return 1 + bytes.Count(data[:i], []byte("\n")) }

type linter struct {
	sawKey    bool // a netrc keyword was read
	diags     []Diagnostic
	firstLine map[string]int
	commented map[int]bool // lines starting with '#' whose tokens were used
}

func (l *linter) add(line int, k Kind, machine, msg string) {
	l.diags = append(l.diags, Diagnostic{Line: line, Kind: k, Severity: diag.Warning, Subject: machine, Message: msg})
}

var netrcKeys = map[string]bool{"machine": true, "login": true, "password": true, "macdef": true, "account": true, "port": true}

func (l *linter) pair(line int, firstField, keyField []byte) {
	if netrcKeys[string(keyField)] || string(keyField) == "default" {
		l.sawKey = true
	}
	if string(keyField) != "default" && !bytes.HasPrefix(firstField, []byte("#")) {
		return // nothing more to check, and nothing to allocate
	}
	first, key := string(firstField), string(keyField)
	if key == "default" {
		l.add(line, KindDefault, "", "the go command ignores \"default\" entries")
	}
	if strings.HasPrefix(first, "#") && (key == "machine" || key == "login" || key == "password" || key == "macdef") {
		if l.commented == nil {
			l.commented = map[int]bool{}
		}
		if !l.commented[line] {
			l.commented[line] = true
			l.add(line, KindComment, "", fmt.Sprintf("the go command has no comments: it reads %q on this line as a netrc key", key))
		}
	}
}

func (l *linter) odd(line int, fieldBytes []byte) {
	field := string(fieldBytes)
	if netrcKeys[field] {
		l.sawKey = true
		l.add(line, KindSplitPair, "", fmt.Sprintf("%q ends the line: the go command reads a key and its value only from the same line, so its value is lost", field))
	}
}

func (l *linter) stop(line int) {
	l.sawKey = true
	l.add(line, KindDefault, "", "a lone \"default\" makes the go command stop reading: the rest of the file is ignored")
}

func (l *linter) macro(line, end int) {
	if end == 0 {
		l.add(line, KindMacro, "", "macdef body never ends (the go command needs an exactly empty line; \"\\r\" or spaces do not count): the rest of the file is ignored")
	}
}

func (l *linter) drop(cur Entry, login, password bool, line int) {
	what := "login and password"
	switch {
	case login:
		what = "password"
	case password:
		what = "login"
	}
	l.add(cur.Line, KindIncomplete, cur.Machine, fmt.Sprintf("machine %s has no %s: the go command ignores it", cur.Machine, what))
}

func (l *linter) emit(e Entry, line int) {
	if l.commented[line] {
		// Replace the generic comment diagnostic by the precise one.
		for i := range l.diags {
			if l.diags[i].Line == line && l.diags[i].Kind == KindComment {
				l.diags[i].Subject = e.Machine
				l.diags[i].Message = fmt.Sprintf("comment line is a live credential for the go command (machine %s)", e.Machine)
			}
		}
	}
	p := NormalizePrefix(e.Machine)
	if first, dup := l.firstLine[p]; dup {
		l.add(e.Line, KindDuplicate, e.Machine, fmt.Sprintf("machine %s is ignored: the go command uses the first entry for it (line %d)", e.Machine, first))
	} else {
		l.firstLine[p] = e.Line
	}
}

func (l *linter) checkURL(raw string, entries []Entry) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		u, err = url.Parse("https://" + raw)
		if err != nil {
			return
		}
	}
	if u.Scheme != "https" {
		return
	}
	if _, ok := Match(entries, u, MatchOptions{}); ok {
		return
	}
	if u.User != nil {
		v := *u
		v.User = nil
		if e, ok := Match(entries, &v, MatchOptions{AnyPort: true}); ok {
			l.add(e.Line, KindPort, e.Machine, fmt.Sprintf("machine %s is not used for %s: the go command looks credentials up with the URL's userinfo, which then replaces them", e.Machine, u.Redacted()))
		}
		return
	}
	if e, ok := Match(entries, u, MatchOptions{AnyPort: true}); ok {
		l.add(e.Line, KindPort, e.Machine, fmt.Sprintf("machine %s is not used for %s: since Go 1.24 the go command matches the port too; write \"machine %s\"", e.Machine, u.Redacted(), u.Host))
	}
}
