package vcs

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/modnet/modnet/internal/redact"
)

// A MetaImport is one <meta name="go-import" content="prefix vcs repo
// [subdir]"> tag.
type MetaImport struct {
	Prefix   string // import path prefix the tag claims
	VCS      string // "git", "hg", "svn", "bzr", "fossil" or "mod"
	RepoRoot string // repository URL, with scheme
	SubDir   string // module directory inside the repository, or ""
}

// String returns the tag's content attribute, with any password in
// RepoRoot redacted.
func (m MetaImport) String() string {
	s := m.Prefix + " " + m.VCS + " " + redact.URL(m.RepoRoot)
	if m.SubDir != "" {
		s += " " + m.SubDir
	}
	return s
}

// A MetaParseError reports an HTML page whose head could not be read as
// (lenient) XML before any go-import tag was found. Err is the
// encoding/xml error or the charset error.
type MetaParseError struct {
	Err error
}

func (e *MetaParseError) Error() string { return e.Err.Error() }

// Unwrap returns e.Err.
func (e *MetaParseError) Unwrap() error { return e.Err }

// ParseMeta returns the go-import tags of the HTML page read from r, in
// the order the go command considers them in module mode: every "mod" tag
// first, then the other tags whose prefix no "mod" tag claims.
//
// It reads like the go command: a non-strict XML tokenizer that stops at
// <body> or </head>, attribute names compared without case but the name
// "go-import" compared exactly, only contents of 3 or 4 fields kept, and
// only the utf-8 and ascii charsets accepted. A syntax error ends the
// scan; it is returned, as a *[MetaParseError], only when no tag was found
// before it.
func ParseMeta(r io.Reader) ([]MetaImport, error) {
	d := xml.NewDecoder(r)
	d.Strict = false // the go command reads real-world HTML leniently
	d.CharsetReader = metaCharset
	var found []MetaImport
	for {
		tok, err := d.RawToken()
		if err != nil {
			// the go command reports a parse error only if no tag came first
			if err != io.EOF && len(found) == 0 {
				return nil, &MetaParseError{Err: err}
			}
			break
		}
		if start, ok := tok.(xml.StartElement); ok {
			if strings.EqualFold(start.Name.Local, "body") {
				break // the go command stops at <body>
			}
			if !strings.EqualFold(start.Name.Local, "meta") || attr(start.Attr, "name") != "go-import" {
				continue
			}
			// the go command keeps only 3-field and 4-field (subdirectory) tags
			f := strings.Fields(attr(start.Attr, "content"))
			if len(f) != 3 && len(f) != 4 {
				continue
			}
			m := MetaImport{Prefix: f[0], VCS: f[1], RepoRoot: f[2]}
			if len(f) == 4 {
				m.SubDir = f[3]
			}
			found = append(found, m)
		} else if end, ok := tok.(xml.EndElement); ok && strings.EqualFold(end.Name.Local, "head") {
			break // the go command stops at </head>
		}
	}
	// In module mode the go command lists mod tags first and drops other
	// tags with the same prefix.
	list := make([]MetaImport, 0, len(found))
	modPrefix := map[string]bool{}
	for _, m := range found {
		if m.VCS == "mod" {
			modPrefix[m.Prefix] = true
			list = append(list, m)
		}
	}
	for _, m := range found {
		if m.VCS != "mod" && !modPrefix[m.Prefix] {
			list = append(list, m)
		}
	}
	return list, nil
}

// metaCharset accepts what the go command accepts: utf-8 and ascii (bytes
// above 0x7f pass through unchecked).
func metaCharset(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("can't decode XML document using charset %q", charset)
}

// attr returns the value of the first attribute whose name equals name
// without regard to case, or "".
func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return a.Value
		}
	}
	return ""
}

// A MismatchError reports a page whose go-import tags all claim prefixes
// of other paths.
type MismatchError struct {
	Path     string   // the path looked up
	Prefixes []string // the prefixes of the tags, in page order
}

func (e *MismatchError) Error() string {
	parts := make([]string, len(e.Prefixes))
	for i, p := range e.Prefixes {
		parts[i] = "meta tag " + p + " did not match import path " + e.Path
	}
	return strings.Join(parts, ", ")
}

// A MultipleMatchError reports a page with more than one go-import tag
// for a path, none of them a "mod" tag listed first.
type MultipleMatchError struct {
	Path string
}

func (e *MultipleMatchError) Error() string {
	return fmt.Sprintf("multiple meta tags match import path %q", e.Path)
}

// MatchMeta returns the tag of imports (as [ParseMeta] orders them) that
// applies to path: the one whose prefix is path or a path prefix of it.
// Like the go command, it fails with a *[MultipleMatchError] when two tags
// apply, unless the first is a "mod" tag and the second is not, and with
// a *[MismatchError] when none applies.
func MatchMeta(imports []MetaImport, path string) (MetaImport, error) {
	match := -1
	var mismatch []string
	for i, m := range imports {
		if !pathHasPrefix(path, m.Prefix) {
			mismatch = append(mismatch, m.Prefix)
			continue
		}
		if match >= 0 {
			// a mod tag hides the non-mod tags after it, matching or not
			if imports[match].VCS == "mod" && m.VCS != "mod" {
				break
			}
			return MetaImport{}, &MultipleMatchError{Path: path}
		}
		match = i
	}
	if match < 0 {
		return MetaImport{}, &MismatchError{Path: path, Prefixes: mismatch}
	}
	return imports[match], nil
}

// pathHasPrefix reports whether prefix is s or a slash-separated prefix
// of s.
func pathHasPrefix(s, prefix string) bool {
	if len(s) == len(prefix) {
		return s == prefix
	}
	if prefix == "" {
		return true
	}
	if len(s) > len(prefix) {
		if prefix[len(prefix)-1] == '/' {
			return strings.HasPrefix(s, prefix)
		}
		return s[len(prefix)] == '/' && s[:len(prefix)] == prefix
	}
	return false
}
