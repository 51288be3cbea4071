package netrcauth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// Errors wrapped by an *[OutputError].
var (
	ErrMissingEmptyLineAfterURLs    = errors.New("invalid format: missing empty line after URLs")
	ErrMissingEmptyLineAfterHeaders = errors.New("invalid format: missing empty line after headers")
	ErrInvalidHeaderLine            = errors.New("invalid format: invalid header line")
)

// OutputError reports GOAUTH command output that does not follow the
// format of 'go help goauth'. Err is one of [ErrMissingEmptyLineAfterURLs],
// [ErrMissingEmptyLineAfterHeaders], [ErrInvalidHeaderLine] or, for a line
// that is not a URL, the URL parser's reason (without the line itself, which
// may hold credentials — the go command prints it).
type OutputError struct {
	// Line is the 1-based line of the output at fault.
	Line int
	// Err is the reason.
	Err error
}

func (e *OutputError) Error() string {
	if errors.Is(e.Err, ErrMissingEmptyLineAfterURLs) || errors.Is(e.Err, ErrMissingEmptyLineAfterHeaders) || errors.Is(e.Err, ErrInvalidHeaderLine) {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: could not parse URL: %v", e.Line, e.Err)
}

func (e *OutputError) Unwrap() error { return e.Err }

// SecretHeader is a set of HTTP header fields whose values are secrets,
// keyed by canonical header name like [http.Header].
type SecretHeader map[string][]Secret

// Add appends value to the values of the canonical form of name.
func (h SecretHeader) Add(name string, value Secret) {
	k := http.CanonicalHeaderKey(name)
	h[k] = append(h[k], value)
}

// Clone returns a copy of h.
func (h SecretHeader) Clone() SecretHeader {
	if h == nil {
		return nil
	}
	c := make(SecretHeader, len(h))
	for k, v := range h {
		c[k] = append([]Secret(nil), v...)
	}
	return c
}

// ParseCommandOutput parses the output of a GOAUTH command with the go
// command's rules: one or more blocks, each made of URL lines (parsed with
// [url.ParseRequestURI]), an empty line, "Name: value" header lines (a
// valid header name, ": ", a valid value after trimming space), and an
// empty line. Every URL of a block maps to that block's headers; a later
// block replaces an earlier one for the same prefix. Prefixes are
// normalized as by [NormalizePrefix] ("https://" and one trailing "/"
// removed); an "http://" URL is kept as written and so never matches a
// request. A block with no header lines maps its URLs to an empty
// header, which makes the go command forget what it had for them. Empty
// output means no credentials.
//
// Errors are *[OutputError]s naming the line; the go command rejects the
// whole output on any error, and so does ParseCommandOutput.
func ParseCommandOutput(out string) ([]Credential, error) {
	var creds []Credential
	index := map[string]int{}
	lineNo := 0
	next := func() (string, bool) {
		line, rest, ok := strings.Cut(out, "\n")
		if ok {
			out = rest
			lineNo++
		}
		return line, ok
	}
	for out != "" {
		var prefixes []string
		for {
			line, ok := next()
			if !ok {
				return nil, &OutputError{Line: lineNo + 1, Err: ErrMissingEmptyLineAfterURLs}
			}
			if line == "" {
				break
			}
			u, err := url.ParseRequestURI(line)
			if err != nil {
				var ue *url.Error
				if errors.As(err, &ue) {
					err = ue.Err
				}
				return nil, &OutputError{Line: lineNo, Err: err}
			}
			prefixes = append(prefixes, NormalizePrefix(u.String()))
		}
		header := SecretHeader{}
		for {
			line, ok := next()
			if !ok {
				return nil, &OutputError{Line: lineNo + 1, Err: ErrMissingEmptyLineAfterHeaders}
			}
			if line == "" {
				break
			}
			name, value, ok := strings.Cut(line, ": ")
			value = strings.TrimSpace(value)
			if !ok || !httpguts.ValidHeaderFieldName(name) || !httpguts.ValidHeaderFieldValue(value) {
				return nil, &OutputError{Line: lineNo, Err: ErrInvalidHeaderLine}
			}
			header.Add(name, NewSecret(value))
		}
		for _, p := range prefixes {
			c := Credential{Prefix: p, Header: header.Clone()}
			if i, ok := index[p]; ok {
				creds[i] = c
				continue
			}
			index[p] = len(creds)
			creds = append(creds, c)
		}
	}
	return creds, nil
}
