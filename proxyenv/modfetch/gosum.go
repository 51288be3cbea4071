package modfetch

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/module"
)

// A GoSum is a go.sum file that downloads are checked against, as the go
// command checks them: a hash the file lists for a module version is
// trusted without asking the checksum database, a different one is a
// SECURITY ERROR even for modules the checksum database is not consulted
// for (GONOSUMDB, GOPRIVATE), and a version the file does not list is
// verified as usual and recorded as a line to add (see [GoSum.Added]).
//
// A GoSum is safe for concurrent use. Set it as Fetcher.GoSum.
type GoSum struct {
	name string

	mu    sync.Mutex
	sums  map[module.Version][]string
	added map[module.Version]string
}

// emptyGoModHash is the hash of an empty go.mod that an old go command
// bug wrote into go.sum files; the go command drops such lines.
const emptyGoModHash = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY="

// ParseGoSum parses data, the content of the go.sum file name (used in
// messages), the way the go command reads go.sum: blank lines are skipped,
// lines naming the hash of an empty go.mod are dropped, and any other line
// must have three fields (module path, version, hash) — otherwise a
// *GoSumSyntaxError. Like the go command, it does not check the fields'
// syntax: lines for versions never downloaded are never consulted.
func ParseGoSum(name string, data []byte) (*GoSum, error) {
	s := &GoSum{name: name, sums: map[module.Version][]string{}, added: map[module.Version]string{}}
	for lineno := 1; len(data) > 0; lineno++ {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte("\n"))
		f := strings.Fields(string(line))
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, &GoSumSyntaxError{File: name, Line: lineno, Fields: len(f)}
		}
		if f[2] == emptyGoModHash {
			continue
		}
		mv := module.Version{Path: f[0], Version: f[1]}
		s.sums[mv] = append(s.sums[mv], f[2])
	}
	return s, nil
}

// A GoSumSyntaxError reports a go.sum line without exactly three fields.
type GoSumSyntaxError struct {
	File   string
	Line   int
	Fields int
}

func (e *GoSumSyntaxError) Error() string {
	return fmt.Sprintf("modfetch: malformed go.sum: %s:%d: wrong number of fields %d", e.File, e.Line, e.Fields)
}

// A GoSumMismatchError reports a download whose hash differs from the one
// go.sum records. Its text is the go command's, SECURITY ERROR included.
type GoSumMismatchError struct {
	Path       string
	Version    string // ends in "/go.mod" for a go.mod hash
	Downloaded string // the hash of what was downloaded
	File       string // the go.sum file's name
	Want       string // the hash go.sum records
}

func (e *GoSumMismatchError) Error() string {
	return fmt.Sprintf("verifying %s@%s: checksum mismatch\n\tdownloaded: %v\n\t%s:     %v\n\nSECURITY ERROR\n"+
		"This download does NOT match an earlier download recorded in go.sum.\n"+
		"The bits may have been replaced on the origin server, or an attacker may\n"+
		"have intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n",
		e.Path, e.Version, e.Downloaded, e.File, e.Want)
}

// check reports whether go.sum lists h for path@version (version ends
// in "/go.mod" for a go.mod hash), or a *GoSumMismatchError when it lists
// another h1: hash.
func (s *GoSum) check(path, version, h string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mv := module.Version{Path: path, Version: version}
	for _, have := range s.sums[mv] {
		if have == h {
			return true, nil
		}
		// The go command compares hashes of the algorithm it knows.
		if strings.HasPrefix(have, "h1:") {
			file := "go.sum"
			if strings.HasSuffix(s.name, "go.work.sum") {
				file = "go.work.sum"
			}
			return false, &GoSumMismatchError{Path: path, Version: version, Downloaded: h, File: file, Want: have}
		}
	}
	return false, nil
}

// add records a verified hash go.sum lacks.
func (s *GoSum) add(path, version, h string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.added[module.Version{Path: path, Version: version}] = h
}

// Added returns the lines ("path version hash") for the hashes that
// downloads verified and the go.sum file lacks, sorted as the go command
// sorts go.sum.
func (s *GoSum) Added() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	mods := make([]module.Version, 0, len(s.added))
	for mv := range s.added {
		mods = append(mods, mv)
	}
	module.Sort(mods)
	lines := make([]string, 0, len(mods))
	for _, mv := range mods {
		lines = append(lines, mv.Path+" "+mv.Version+" "+s.added[mv])
	}
	return slices.Clip(lines)
}
