package netrcauth

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// Errors wrapped by a *[GOAUTHError] (test with [errors.Is]).
var (
	ErrEmptyCommand = errors.New("GOAUTH encountered an empty command")
	ErrOffCombined  = errors.New("GOAUTH=off cannot be combined with other authentication commands")
	ErrGitDir       = errors.New("GOAUTH=git dir method requires an absolute path to the git working directory")
)

// GOAUTHError reports a GOAUTH value the go command refuses (it stops with
// "go: <message>"). The message is the go command's, prefixed with
// "netrcauth: ". It wraps one of [ErrEmptyCommand], [ErrOffCombined] or
// [ErrGitDir], and for a git directory that cannot be examined also the
// *[fs.PathError].
type GOAUTHError struct {
	// Value is the GOAUTH value.
	Value string
	// Method is the ';'-separated entry at fault, trimmed.
	Method string
	// Err is the sentinel describing the failure.
	Err error
	// Cause is the underlying error, if any (a stat failure).
	Cause error

	msg string
}

func (e *GOAUTHError) Error() string { return "netrcauth: " + e.msg }

// Unwrap returns Err and, when set, Cause.
func (e *GOAUTHError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// MethodKind is the kind of a GOAUTH method.
type MethodKind int

const (
	// Netrc is the "netrc" method: Basic credentials from the netrc file.
	Netrc MethodKind = iota + 1
	// Git is the "git DIR" method: "git credential fill" run in DIR.
	Git
	// Command is any other entry: a command whose output lists credentials.
	Command
)

func (k MethodKind) String() string {
	switch k {
	case Netrc:
		return "netrc"
	case Git:
		return "git"
	case Command:
		return "command"
	}
	return fmt.Sprintf("MethodKind(%d)", int(k))
}

// Method is one authentication method listed in GOAUTH.
type Method struct {
	// Kind is the method's kind.
	Kind MethodKind
	// Text is the entry as written, trimmed of surrounding white space.
	Text string
	// Dir is the git working directory of a [Git] method.
	Dir string
	// Args are the words of a [Command] method, split by [SplitQuoted].
	Args []string
	// Err is set for a [Command] whose quoting is broken. The go command
	// accepts such a GOAUTH and only fails that command (silently, unless
	// run with -x) each time it would run it; so does [Config.Build]. Use
	// [ValidateGOAUTH] to reject it.
	Err error
}

// ParseGOAUTH parses a GOAUTH value the way the go command does: entries are
// separated by ';' and trimmed; "off" (the first word) disables
// authentication and must be the only entry; "netrc" reads the netrc file;
// "git DIR" needs exactly one absolute DIR; anything else is a command line
// split by [SplitQuoted]. The empty string means the go command's default,
// "netrc".
//
// It returns the methods in the order listed (the first listed wins for the
// same URL prefix), and off reports GOAUTH=off (methods is then nil). Errors
// are *[GOAUTHError]s with the go command's messages; as in the go command,
// entries are checked from last to first, so the last faulty entry is the
// one reported. ParseGOAUTH does no I/O: it does not check that a git
// directory exists ([Config.Build] does).
func ParseGOAUTH(value string) (methods []Method, off bool, err error) {
	return parseGOAUTH(value, nil)
}

// ValidateGOAUTH is [ParseGOAUTH] made strict: it also rejects commands the
// go command would accept but never manage to run (broken quoting), as
// *[GOAUTHError]s wrapping the *[QuoteError].
func ValidateGOAUTH(value string) error {
	methods, _, err := parseGOAUTH(value, nil)
	if err != nil {
		return err
	}
	for _, m := range methods {
		if m.Err != nil {
			return &GOAUTHError{Value: value, Method: m.Text, Err: m.Err,
				msg: fmt.Sprintf("cannot parse GOAUTH command %s: %v", m.Text, m.Err)}
		}
	}
	return nil
}

// parseGOAUTH parses value; stat, when non-nil, checks git directories in
// the order the go command does.
func parseGOAUTH(value string, stat func(string) (fs.FileInfo, error)) ([]Method, bool, error) {
	if value == "" {
		// The go command's default for an unset or empty GOAUTH.
		value = "netrc"
	}
	entries := strings.Split(value, ";")
	methods := make([]Method, len(entries))
	fail := func(text string, sentinel, cause error, msg string) ([]Method, bool, error) {
		return nil, false, &GOAUTHError{Value: value, Method: text, Err: sentinel, Cause: cause, msg: msg}
	}
	// The go command walks the entries from last to first (so that earlier
	// entries overwrite later ones) and stops at the first bad one it meets.
	for i := len(entries) - 1; i >= 0; i-- {
		text := strings.TrimSpace(entries[i])
		words := strings.Fields(text)
		if len(words) == 0 {
			return fail(text, ErrEmptyCommand, nil, fmt.Sprintf("GOAUTH encountered an empty command (GOAUTH=%s)", value))
		}
		switch words[0] {
		case "off":
			// Only the first word counts: "off x" alone is off.
			if len(entries) != 1 {
				return fail(text, ErrOffCombined, nil, fmt.Sprintf("GOAUTH=off cannot be combined with other authentication commands (GOAUTH=%s)", value))
			}
			return nil, true, nil
		case "netrc":
			// Extra words after "netrc" are ignored, as by the go command.
			methods[i] = Method{Kind: Netrc, Text: text}
		case "git":
			if len(words) != 2 {
				return fail(text, ErrGitDir, nil, ErrGitDir.Error())
			}
			dir := words[1]
			if !filepath.IsAbs(dir) {
				return fail(text, ErrGitDir, nil, ErrGitDir.Error()+", dir is not absolute")
			}
			if stat != nil {
				fi, err := stat(dir)
				if err != nil {
					return fail(text, ErrGitDir, err, fmt.Sprintf("GOAUTH=git encountered an error; cannot stat %s: %v", dir, err))
				}
				if !fi.IsDir() {
					return fail(text, ErrGitDir, nil, ErrGitDir.Error()+", dir is not a directory")
				}
			}
			methods[i] = Method{Kind: Git, Text: text, Dir: dir}
		default:
			args, err := SplitQuoted(text)
			methods[i] = Method{Kind: Command, Text: text, Args: args, Err: err}
		}
	}
	return slices.Clip(methods), false, nil
}
