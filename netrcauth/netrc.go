package netrcauth

import (
	"strings"
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
// as lenient as the go command. Use [Lint] to find what it ignored.
func Parse(data []byte) []Entry {
	var out []Entry
	scanNetrc(string(data), func(e Entry) { out = append(out, e) }, nil)
	return out
}

// netrcEvents receives what the lint needs to know while scanning.
type netrcEvents interface {
	// pair is called for every key/value pair taken from line.
	pair(line int, fields []string, i int)
	// odd is called for a field left without a value at the end of line.
	odd(line int, field string)
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
// to ev when it is non-nil.
func scanNetrc(data string, emit func(Entry), ev netrcEvents) {
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
		line, after, more := strings.Cut(rest, "\n")
		rest = after
		lineNo++
		if inMacro {
			// A macro body ends at the first line that is exactly empty.
			if line == "" {
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
		f := strings.Fields(line)
		i := 0
		for ; i+1 < len(f); i += 2 {
			if ev != nil {
				ev.pair(lineNo, f, i)
			}
			switch f[i] {
			case "machine":
				// Every "machine" starts over, discarding a partial entry.
				abandon(lineNo)
				cur, password = Entry{Machine: f[i+1], Line: lineNo}, ""
			case "login":
				cur.Login = f[i+1]
			case "password":
				password = f[i+1]
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
		if i < len(f) {
			if f[i] == "default" {
				// A lone trailing "default" ends the file for the go command.
				if ev != nil {
					ev.stop(lineNo)
				}
				abandon(lineNo)
				return
			}
			if ev != nil {
				ev.odd(lineNo, f[i])
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
