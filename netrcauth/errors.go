package netrcauth

import (
	"fmt"
)

// CommandError reports a GOAUTH method that failed while fetching
// credentials: a command that could not run or exited non-zero, output
// that does not parse (Err is then an *[OutputError]), a failing
// "git credential fill", or an unreadable netrc file. The go command ignores
// such failures (printing them only with -x) and continues without those
// credentials; so does [Auth], reporting them through [Config.Logf].
type CommandError struct {
	// Method is the GOAUTH entry as written ("netrc", "git /dir", a
	// command line).
	Method string
	// Op says what failed, e.g. "could not run command",
	// "cannot parse output of GOAUTH command",
	// "'git credential fill' failed".
	Op string
	// URL is the request URL the method ran for, redacted, or "" for the
	// initial run.
	URL string
	// Err is the cause.
	Err error
	// Stderr is what the command wrote to its standard error. It is kept
	// as a Secret because helpers may print tokens there; it never appears
	// in Error.
	Stderr Secret
}

func (e *CommandError) Error() string {
	s := "netrcauth: GOAUTH=" + e.Method
	if e.Op != "" {
		s += ": " + e.Op
	}
	if e.URL != "" {
		s += " (url=" + e.URL + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *CommandError) Unwrap() error { return e.Err }

// TokenError reports that a [Credential.Func] (for example from
// [TokenFunc]) failed for a request.
type TokenError struct {
	// Prefix is the credential's prefix.
	Prefix string
	// Err is what the function returned.
	Err error
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("netrcauth: token for %s: %v", e.Prefix, e.Err)
}

func (e *TokenError) Unwrap() error { return e.Err }

// InsecureURLError reports a request the go command refuses: credentials in
// the userinfo of an http:// URL ("refusing to pass credentials to insecure
// URL"), or a redirect from https to another scheme ("redirected from
// secure URL ... to insecure URL ..."). URLs are redacted. Its text is the
// go command's, without a package prefix.
type InsecureURLError struct {
	// URL is the refused URL, redacted.
	URL string
	// From is the https URL that redirected to URL, redacted, or "".
	From string
}

func (e *InsecureURLError) Error() string {
	if e.From != "" {
		return fmt.Sprintf("redirected from secure URL %s to insecure URL %s", e.From, e.URL)
	}
	return "refusing to pass credentials to insecure URL: " + e.URL
}
