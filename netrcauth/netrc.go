package netrcauth

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// Entry is one credential of a netrc file as the go command reads it.
type Entry struct {
	// Machine is the value after "machine": a host, host:port or
	// host[:port]/path prefix (see [Match]).
	Machine string
	// Login is the user name.
	Login string
	// Password is the password.
	Password Secret
	// Line is the 1-based line holding the "machine" token.
	Line int
}

// Parse parses a netrc file with the go command's grammar, which differs from
// other netrc parsers (curl, git, jdxcode/netrc):
//
//   - The data is split at '\n' and each line into fields at white space;
//     fields are taken in pairs within one line ("login x"). A key at the end
//     of a line loses its value on the next line.
//   - "machine" starts a new entry. An entry is complete, and returned, as
//     soon as it has a machine, a login and a password; entries without a
//     password (or login) are dropped.
//   - "default" pairs are ignored, and a line with an odd number of fields
//     whose last field is "default" (a lone "default") stops parsing.
//   - "macdef" skips the following lines up to the first line that is
//     exactly empty, so in a CRLF file it swallows the rest of the file.
//   - Other keys ("account", "port", ...) are ignored; there are no comments,
//     quotes or escapes: "#" is an ordinary field, so
//     "# old: machine a login b password c" defines an entry.
//
// Entries are returned in file order, duplicates included; the go command
// uses the first entry for a machine (see [Match]). Parse never fails: it is
// as lenient as the go command, also with binary data. Use [Lint] to find
// what it ignored. Parse copies only the values it returns: its memory use
// is proportional to the entries found, not to the size of data.
func Parse(data []byte) []Entry {
	var out []Entry
	scanNetrc(data, func(e Entry) { out = append(out, e) }, nil)
	return out
}

// netrcEvents receives what the lint needs to know while scanning. The
// byte slices alias the data being scanned and are valid only during the
// call.
type netrcEvents interface {
	// pair is called for every key/value pair taken from line, with the
	// line's first field.
	pair(line int, first, key []byte)
	// odd is called for a field left without a value at the end of line.
	odd(line int, field []byte)
	// stop is called when a lone "default" stops parsing.
	stop(line int)
	// macro is called when a macdef body starts on line and ends at end
	// (0 if it runs to the end of the file).
	macro(line, end int)
	// drop is called when an incomplete entry is abandoned.
	drop(cur Entry, login, password bool, line int)
	// emit is called when an entry is complete.
	emit(e Entry, line int)
}

// scanNetrc implements the go command's netrc grammar (cmd/go/internal/auth
// parseNetrc), calling emit for each complete entry and reporting details
// to ev when it is non-nil. It works on data in place: only the values
// kept in entries are copied, so memory stays proportional to what is
// returned, whatever the shape of the input.
func scanNetrc(data []byte, emit func(Entry), ev netrcEvents) {
	var cur Entry
	var password string
	inMacro, macroLine := false, 0
	lineNo := 0
	abandon := func(line int) {
		if ev != nil && cur.Machine != "" {
			ev.drop(cur, cur.Login != "", password != "", line)
		}
	}
	for rest := data; ; {
		line, after, more := bytes.Cut(rest, newline)
		rest = after
		lineNo++
		if inMacro {
			// A macro body ends at the first line that is exactly empty.
			if len(line) == 0 {
				inMacro = false
				if ev != nil {
					end := lineNo
					if !more {
						end = 0 // only the end of the file ended it
					}
					ev.macro(macroLine, end)
				}
			}
			if !more {
				break
			}
			continue
		}
		// The go command splits each line with strings.Fields and takes
		// the fields in pairs.
		fields := fieldScanner{s: line}
		var first []byte
		for {
			key, ok := fields.next()
			if !ok {
				break
			}
			if first == nil {
				first = key
			}
			val, ok := fields.next()
			if !ok {
				if string(key) == "default" {
					// A lone trailing "default" ends the file for the go
					// command.
					if ev != nil {
						ev.stop(lineNo)
					}
					abandon(lineNo)
					return
				}
				if ev != nil {
					ev.odd(lineNo, key)
				}
				break
			}
			if ev != nil {
				ev.pair(lineNo, first, key)
			}
			switch string(key) {
			case "machine":
				// Every "machine" starts over, discarding a partial entry.
				abandon(lineNo)
				cur, password = Entry{Machine: string(val), Line: lineNo}, ""
			case "login":
				cur.Login = string(val)
			case "password":
				password = string(val)
			case "macdef":
				// The rest of this line is still read; the body starts on
				// the next line.
				inMacro, macroLine = true, lineNo
			}
			if cur.Machine != "" && cur.Login != "" && password != "" {
				cur.Password = NewSecret(password)
				emit(cur)
				if ev != nil {
					ev.emit(cur, lineNo)
				}
				cur, password = Entry{}, ""
			}
		}
		if !more {
			break
		}
	}
	if inMacro && ev != nil {
		ev.macro(macroLine, 0)
	}
	abandon(0)
}

var newline = []byte("\n")

// A fieldScanner returns the fields of a line one at a time, splitting
// exactly where strings.Fields splits (at Unicode white space; invalid
// UTF-8 is not white space), without allocating.
type fieldScanner struct {
	s []byte
}

func (f *fieldScanner) next() ([]byte, bool) {
	s := f.s
	i := 0
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if asciiSpace[c] == 0 {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	if i == len(s) {
		f.s = nil
		return nil, false
	}
	j := i
	for j < len(s) {
		if c := s[j]; c < utf8.RuneSelf {
			if asciiSpace[c] != 0 {
				break
			}
			j++
			continue
		}
		r, n := utf8.DecodeRune(s[j:])
		if unicode.IsSpace(r) {
			break
		}
		j += n
	}
	f.s = s[j:]
	return s[i:j], true
}

// asciiSpace marks the ASCII white space characters, as strings.Fields
// has them.
var asciiSpace = [utf8.RuneSelf]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}
