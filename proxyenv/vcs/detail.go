package vcs

import (
	"bytes"
	"io"

	"github.com/modnet/modnet/proxyenv"
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
// does (see proxyenv.ErrorDetail).
func errorDetail(b []byte) string { return proxyenv.ErrorDetail(b) }
