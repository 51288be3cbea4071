package proxyenv

import "bytes"

// An EnvLine is one line of a go env file, as [ParseEnvFile] returns it.
type EnvLine struct {
	// Line is the 1-based line number.
	Line int
	// Text is the line without its terminating newline. A trailing
	// carriage return (from a file with CRLF line endings) is kept.
	Text string
	// Key and Value are the parts before and after the first '=' of an
	// assignment the go command accepts. Both are verbatim: no space is
	// trimmed and no quotes are removed. They are empty for ignored lines.
	Key, Value string
	// Ignored reports whether the go command ignores the line: it holds no
	// '=' or does not start with an upper-case ASCII letter (comments,
	// blank lines, indented or lower-case assignments).
	Ignored bool
}

// ParseEnvFile parses data in the format of a go env file (the file that
// "go env -w" writes, and $GOROOT/go.env) and returns every line.
//
// It is as lenient as the go command: lines are separated by '\n' only;
// a line is an assignment if it contains '=' and its first byte is an
// ASCII upper-case letter, and every other line is returned with Ignored
// set. Keys and values are taken verbatim, so `GOPROXY="x"` has a value
// with quotes, a CRLF file leaves '\r' at the end of each value, and
// `GOPROXY = x` assigns the key "GOPROXY " (which nothing reads). When a
// key is assigned more than once, the go command uses the last assignment;
// see [LookupEnvLine]. [LintEnvFile] reports these surprises.
//
// ParseEnvFile never fails and does not retain data.
func ParseEnvFile(data []byte) []EnvLine {
	var lines []EnvLine
	n := 0
	// The go command stops at the end of data, so a final '\n' does not
	// start an extra empty line.
	for len(data) > 0 {
		n++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		l := EnvLine{Line: n, Text: string(line)}
		// The go command skips lines without '=' and lines whose first
		// byte is not in 'A'..'Z'.
		eq := bytes.IndexByte(line, '=')
		if eq < 0 || line[0] < 'A' || line[0] > 'Z' {
			l.Ignored = true
		} else {
			l.Key, l.Value = l.Text[:eq], l.Text[eq+1:]
		}
		lines = append(lines, l)
	}
	return lines
}

// LookupEnvLine returns the assignment of key that the go command uses
// from lines parsed by [ParseEnvFile]: the last one. It reports false if
// key is not assigned.
func LookupEnvLine(lines []EnvLine, key string) (EnvLine, bool) {
	for i := len(lines) - 1; i >= 0; i-- {
		if !lines[i].Ignored && lines[i].Key == key {
			return lines[i], true
		}
	}
	return EnvLine{}, false
}
