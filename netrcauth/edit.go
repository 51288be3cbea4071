package netrcauth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/jdxcode/netrc"
)

// Errors wrapped by an *[EditError].
var (
	// ErrUnsafeInput: the file has a shape the editing library
	// (github.com/jdxcode/netrc) would crash on, take very long to read, or
	// silently truncate.
	ErrUnsafeInput = errors.New("netrc file cannot be edited safely")
	// ErrInvalidValue: a machine, login or password the file format cannot
	// hold unambiguously.
	ErrInvalidValue = errors.New("invalid netrc value")
	// ErrNotEffective: the edit would not have the intended effect for the
	// go command, or would change other entries; nothing is written.
	ErrNotEffective = errors.New("edit would not take effect for the go command")
)

// Limits of what [SetMachine] and [RemoveMachine] accept. Inputs beyond
// them are refused with [ErrUnsafeInput] because github.com/jdxcode/netrc
// v1.0.0 silently drops everything after a token over 64 KiB and spends
// time quadratic in the number of '#' characters inside tokens.
const (
	MaxEditSize   = 1 << 20 // bytes in the file
	MaxTokenSize  = 16 << 10
	MaxInnerHash  = 64 // '#' characters inside tokens (not starting a comment)
	maxValueBytes = 4 << 10
)

// EditError reports a netrc edit that was refused. Nothing was written.
type EditError struct {
	// File is the file being edited, or "" for in-memory data.
	File string
	// Line is the 1-based line at fault, or 0.
	Line int
	// Err is [ErrUnsafeInput], [ErrInvalidValue] or [ErrNotEffective].
	Err error
	// Detail says what is wrong. It never holds a password.
	Detail string
}

func (e *EditError) Error() string {
	loc := e.File
	if e.Line > 0 {
		if loc == "" {
			loc = "netrc"
		}
		loc += fmt.Sprintf(":%d", e.Line)
	}
	if loc != "" {
		loc += ": "
	}
	return "netrcauth: " + loc + e.Err.Error() + ": " + e.Detail
}

func (e *EditError) Unwrap() error { return e.Err }

// SetMachine returns data with the credentials of machine set to login and
// password, keeping the rest of the file — comments and layout included —
// as it was: the first entry for machine is updated in place, or a new
// entry is appended. The edit is done with github.com/jdxcode/netrc, guarded:
// data is first checked to be within the limits above (so the library
// cannot panic, hang or truncate), a panic is turned into an error, and the
// result is parsed with the go command's grammar ([Parse]) to check that the
// go command will use exactly the new credentials for machine and unchanged
// ones for every other machine. Otherwise an *[EditError] explains why
// (for example an earlier "default" line or another entry for the same
// prefix shadowing it).
func SetMachine(data []byte, machine, login string, password Secret) ([]byte, error) {
	return setMachine("", data, machine, login, password)
}

// RemoveMachine returns data without the entries for machine (exact name),
// keeping the rest of the file. Comments and lines between a removed entry
// and the next machine belong to the removed entry and go with it. Like
// [SetMachine] it refuses unsafe input and checks the result: the go command
// must no longer find credentials for machine's prefix, and every other
// machine must keep its credentials.
func RemoveMachine(data []byte, machine string) ([]byte, error) {
	return removeMachine("", data, machine)
}

// SetMachineFile applies [SetMachine] to the file at path (a missing file
// is created) and writes the result with mode 0600, replacing the file
// atomically.
func SetMachineFile(path, machine, login string, password Secret) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	out, err := setMachine(path, data, machine, login, password)
	if err != nil {
		return err
	}
	return writeFile0600(path, out)
}

// RemoveMachineFile applies [RemoveMachine] to the file at path and writes
// the result with mode 0600, replacing the file atomically.
func RemoveMachineFile(path, machine string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := removeMachine(path, data, machine)
	if err != nil {
		return err
	}
	return writeFile0600(path, out)
}

func writeFile0600(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".netrc-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// CheckEditable reports whether data can be handed to
// github.com/jdxcode/netrc v1.0.0 safely: within [MaxEditSize],
// [MaxTokenSize] and [MaxInnerHash], and with at least two tokens after
// every "machine" token (the library indexes past the end otherwise). It
// runs in time linear in len(data). Errors are *[EditError]s wrapping
// [ErrUnsafeInput] with the line.
func CheckEditable(data []byte) error { return checkEditable("", data) }

func checkEditable(file string, data []byte) error {
	fail := func(line int, format string, args ...any) error {
		return &EditError{File: file, Line: line, Err: ErrUnsafeInput, Detail: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxEditSize {
		return fail(0, "file is larger than %d bytes", MaxEditSize)
	}
	toks := lexJDX(string(data))
	hashes := 0
	for i, tk := range toks {
		if len(tk.text) > MaxTokenSize {
			return fail(tk.line, "a token or comment is longer than %d bytes", MaxTokenSize)
		}
		if !tk.comment {
			hashes += strings.Count(tk.text, "#")
			if hashes > MaxInnerHash {
				return fail(tk.line, "more than %d '#' characters inside tokens", MaxInnerHash)
			}
		}
		if tk.text == "machine" && i+2 >= len(toks) {
			return fail(tk.line, "\"machine\" without a name after it")
		}
	}
	return nil
}

// jdxToken is a token as github.com/jdxcode/netrc v1.0.0 lexes it: runs of
// white space (per unicode.IsSpace of each byte), runs of other bytes, and
// comments.
type jdxToken struct {
	text    string
	line    int
	comment bool
}

// lexJDX reproduces jdxcode/netrc's tokenizer in linear time, to predict
// what it will do with data.
func lexJDX(s string) []jdxToken {
	isSpace := func(b byte) bool { return unicode.IsSpace(rune(b)) }
	// reSpace is the regexp \s class the library uses to find comments.
	reSpace := func(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' }
	var toks []jdxToken
	line := 1
	for p := 0; p < len(s); {
		q := p
		comment := false
		switch {
		case s[p] == '#':
			comment = true
		case isSpace(s[p]):
			allRE := true
			for q < len(s) && isSpace(s[q]) {
				allRE = allRE && reSpace(s[q])
				q++
			}
			// White space directly followed by '#' is part of the comment
			// when the regexp's \s covers all of it.
			comment = q < len(s) && s[q] == '#' && allRE
		default:
			for q < len(s) && !isSpace(s[q]) {
				q++
			}
		}
		if comment {
			// A comment runs to the first newline and takes the white
			// space after it.
			q = len(s)
			if i := strings.IndexByte(s[p:], '\n'); i >= 0 {
				q = p + i
			}
			for q < len(s) && isSpace(s[q]) {
				q++
			}
		}
		toks = append(toks, jdxToken{text: s[p:q], line: line, comment: comment})
		line += strings.Count(s[p:q], "\n")
		p = q
	}
	return toks
}

// checkValue rejects values the two parsers would read differently.
func checkValue(file, what, v string) error {
	bad := func(detail string) error {
		return &EditError{File: file, Err: ErrInvalidValue, Detail: what + " " + detail}
	}
	switch {
	case v == "":
		return bad("is empty")
	case len(v) > maxValueBytes:
		return bad(fmt.Sprintf("is longer than %d bytes", maxValueBytes))
	case v == "machine" || v == "default":
		return bad(fmt.Sprintf("is the keyword %q", v))
	case v[0] == '#':
		return bad("starts with '#' (a comment for other netrc parsers)")
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		return bad("contains white space")
	}
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < 0x20 || b == 0x7f || unicode.IsSpace(rune(b)) {
			return bad("contains a control or white-space byte")
		}
	}
	return nil
}

// parseJDX runs the library's parser, converting a panic into an error.
func parseJDX(file, data string) (n *netrc.Netrc, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, &EditError{File: file, Err: ErrUnsafeInput, Detail: "the netrc editing library failed on this file"}
		}
	}()
	n, err = netrc.ParseString(data)
	if err != nil {
		return nil, &EditError{File: file, Err: ErrUnsafeInput, Detail: "the netrc editing library cannot read this file"}
	}
	if n.Render() != data {
		return nil, &EditError{File: file, Err: ErrUnsafeInput, Detail: "the netrc editing library would not preserve this file"}
	}
	return n, nil
}

// guard runs f, converting a panic into an error.
func guard(file string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &EditError{File: file, Err: ErrUnsafeInput, Detail: "the netrc editing library failed on this file"}
		}
	}()
	f()
	return nil
}

// effective maps each normalized prefix to the entry the go command uses.
func effective(data string) map[string]Entry {
	m := map[string]Entry{}
	for _, e := range Parse([]byte(data)) {
		p := NormalizePrefix(e.Machine)
		if _, ok := m[p]; !ok {
			m[p] = e
		}
	}
	return m
}

func sameEntry(a, b Entry) bool {
	return a.Machine == b.Machine && a.Login == b.Login && a.Password.Reveal() == b.Password.Reveal()
}

// verify checks that out gives every prefix of before its entry except
// target, which must map to want (or be absent when want is nil).
func verify(file string, before map[string]Entry, out string, target string, want *Entry) error {
	after := effective(out)
	notEffective := func(line int, detail string) error {
		return &EditError{File: file, Line: line, Err: ErrNotEffective, Detail: detail}
	}
	for p, e := range before {
		if p == target {
			continue
		}
		if a, ok := after[p]; !ok || !sameEntry(a, e) {
			return notEffective(e.Line, fmt.Sprintf("the edit would change what the go command reads for machine %s", e.Machine))
		}
	}
	got, ok := after[target]
	if want == nil {
		if ok {
			return notEffective(got.Line, fmt.Sprintf("machine %s would still provide credentials for %s", got.Machine, target))
		}
	} else if !ok || !sameEntry(got, *want) {
		if ok {
			return notEffective(got.Line, fmt.Sprintf("machine %s comes first and would still be used for %s", got.Machine, target))
		}
		return notEffective(0, fmt.Sprintf("the go command would not read the new entry for %s (a lone \"default\" or an unterminated macdef ends the file for it)", target))
	}
	for p, a := range after {
		if _, ok := before[p]; !ok && p != target {
			return notEffective(a.Line, fmt.Sprintf("the edit would add credentials for machine %s", a.Machine))
		}
	}
	return nil
}

func prepare(file string, data []byte) (string, error) {
	s := string(data)
	if s != "" && !strings.HasSuffix(s, "\n") {
		// Appending to a last line without a newline would glue the new
		// entry to it.
		s += "\n"
	}
	if err := checkEditable(file, []byte(s)); err != nil {
		return "", err
	}
	return s, nil
}

func setMachine(file string, data []byte, machine, login string, password Secret) ([]byte, error) {
	for _, v := range []struct{ what, v string }{{"machine", machine}, {"login", login}, {"password", password.Reveal()}} {
		if err := checkValue(file, v.what, v.v); err != nil {
			return nil, err
		}
	}
	s, err := prepare(file, data)
	if err != nil {
		return nil, err
	}
	before := effective(s)
	target := NormalizePrefix(machine)
	want := &Entry{Machine: machine, Login: login, Password: password}
	// First try to update the existing entry in place; if the library's
	// view of its layout is off, rewrite the entry.
	for _, inPlace := range []bool{true, false} {
		n, err := parseJDX(file, s)
		if err != nil {
			return nil, err
		}
		var out string
		err = guard(file, func() {
			if m := n.Machine(machine); m != nil && inPlace {
				m.Set("login", login)
				m.Set("password", password.Reveal())
			} else {
				n.AddMachine(machine, login, password.Reveal())
			}
			out = n.Render()
		})
		if err != nil {
			return nil, err
		}
		err = verify(file, before, out, target, want)
		if err == nil {
			return []byte(out), nil
		}
		if !inPlace || n.Machine(machine) == nil {
			return nil, err
		}
	}
	panic("unreachable")
}

func removeMachine(file string, data []byte, machine string) ([]byte, error) {
	if err := checkValue(file, "machine", machine); err != nil {
		return nil, err
	}
	s, err := prepare(file, data)
	if err != nil {
		return nil, err
	}
	before := effective(s)
	n, err := parseJDX(file, s)
	if err != nil {
		return nil, err
	}
	var out string
	if err := guard(file, func() {
		n.RemoveMachine(machine)
		out = n.Render()
	}); err != nil {
		return nil, err
	}
	if err := verify(file, before, out, NormalizePrefix(machine), nil); err != nil {
		return nil, err
	}
	return []byte(out), nil
}
