package vcs

import (
	"bytes"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxDetailLines = 8
	maxDetailBytes = maxDetailLines * 81
)

// detailReader passes reads through and keeps what the go command keeps
// of an error body: each read up to its 8th remaining line break while
// fewer than 9 lines are kept.
type detailReader struct {
	r     io.Reader
	kept  []byte
	lines int
}

func (b *detailReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if b.lines <= maxDetailLines {
		for _, piece := range bytes.SplitAfterN(p[:n], []byte("\n"), maxDetailLines-b.lines) {
			b.kept = append(b.kept, piece...)
			if len(piece) > 0 && piece[len(piece)-1] == '\n' {
				if b.lines++; b.lines > maxDetailLines {
					break
				}
			}
		}
	}
	return n, err
}

// errorDetail shortens the kept start of an error body as the go command
// does: printable UTF-8 only, up to the first blank line, at most 8 lines
// and about 650 bytes.
func errorDetail(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) {
		return ""
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			return ""
		}
	}
	var d strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		if i > 0 {
			d.WriteString("\n\t")
		}
		if i >= maxDetailLines {
			d.WriteString("[Truncated: too many lines.]")
			break
		}
		if d.Len()+len(line) > maxDetailBytes {
			d.WriteString("[Truncated: too long.]")
			break
		}
		d.WriteString(line)
	}
	return d.String()
}
