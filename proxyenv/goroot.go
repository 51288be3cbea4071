package proxyenv

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
)

// gorootFinding is where the GOROOT that locates go.env came from.
type gorootFinding struct {
	dir  string // cleaned directory, or "" if none was found
	src  Source
	file string // env file, or the go binary for SourceGoBinary
	line int
}

// findGOROOT mirrors the go command's search for its GOROOT when it reads
// $GOROOT/go.env: a GOROOT in the user's go env file comes first, then the
// process environment, then the installation holding the go binary, then the
// GOROOT the running program was built with.
func (s *loadState) findGOROOT(fileLine *EnvLine) gorootFinding {
	// The go command passes the user file's GOROOT to its search and only
	// consults the process environment when that is empty.
	if fileLine != nil && fileLine.Value != "" {
		return gorootFinding{dir: filepath.Clean(fileLine.Value), src: SourceFile, file: s.userFile, line: fileLine.Line}
	}
	if v := s.getenv("GOROOT"); v != "" {
		return gorootFinding{dir: filepath.Clean(v), src: SourceEnv}
	}
	def := ""
	if s.opts.BuildGOROOT != nil {
		def = s.opts.BuildGOROOT()
	} else {
		def = runtimeGOROOT()
	}
	if def != "" {
		def = filepath.Clean(def)
	}
	exe := s.opts.Executable
	if exe == "" {
		if p, err := s.lookPath("go"); err == nil {
			exe = p
		}
	}
	if exe != "" {
		if dir, ok := s.gorootOfBinary(exe, def); ok {
			return gorootFinding{dir: dir, src: SourceGoBinary, file: exe}
		}
	}
	if def != "" {
		return gorootFinding{dir: def, src: SourceRuntime}
	}
	return gorootFinding{}
}

// gorootOfBinary finds the installation a go binary belongs to, as the go
// command does for itself: GOROOT/bin/go or GOROOT/bin/GOOS_GOARCH/go,
// first as given, then with symbolic links resolved. A directory counts as
// a GOROOT if it holds pkg/tool. When the result is the same directory as
// def, def's spelling is returned.
func (s *loadState) gorootOfBinary(exe, def string) (string, bool) {
	if !filepath.IsAbs(exe) {
		abs, err := filepath.Abs(exe)
		if err != nil {
			return "", false
		}
		exe = abs
	}
	// On Linux the go command learns its own path from /proc/self/exe,
	// which has its symbolic links already resolved.
	if s.goos == "linux" || s.goos == "android" {
		if r, err := s.evalSymlinks(exe); err == nil {
			exe = r
		}
	}
	try := func(exe string) (string, bool) {
		for _, up := range []string{"../..", "../../.."} {
			dir := filepath.Join(exe, up)
			if s.isDir(filepath.Join(dir, "pkg", "tool")) {
				if def != "" && s.sameDir(def, dir) {
					return def, true
				}
				return dir, true
			}
		}
		return "", false
	}
	if dir, ok := try(exe); ok {
		return dir, true
	}
	if r, err := s.evalSymlinks(exe); err == nil && r != exe {
		return try(r)
	}
	return "", false
}

func (s *loadState) isDir(name string) bool {
	fi, err := s.stat(name)
	return err == nil && fi.IsDir()
}

func (s *loadState) sameDir(a, b string) bool {
	if a == b {
		return true
	}
	fa, err1 := s.stat(a)
	fb, err2 := s.stat(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if s.opts.Stat == nil {
		return sameFile(fa, fb)
	}
	// Injected file systems are compared by their resolved names.
	ra, err1 := s.evalSymlinks(a)
	rb, err2 := s.evalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}

// lookPathIn searches the directories of path (a PATH value) for an
// executable named file, the way a shell would. On Windows ".exe" is
// appended.
func (s *loadState) lookPathIn(file, path string) (string, error) {
	if s.goos == "windows" && !strings.HasSuffix(strings.ToLower(file), ".exe") {
		file += ".exe"
	}
	sep := ":"
	switch s.goos {
	case "windows":
		sep = ";"
	case "plan9":
		sep = "\000"
	}
	for _, dir := range strings.Split(path, sep) {
		if dir == "" {
			// An empty PATH element means the current directory, which
			// exec.LookPath refuses to use implicitly; so do we.
			continue
		}
		p := filepath.Join(dir, file)
		fi, err := s.stat(p)
		if err != nil || fi.IsDir() {
			continue
		}
		if s.goos != "windows" && fi.Mode()&0o111 == 0 {
			continue
		}
		if !filepath.IsAbs(p) {
			continue
		}
		return p, nil
	}
	return "", &fs.PathError{Op: "lookpath", Path: file, Err: errNotOnPath}
}

var errNotOnPath = errors.New("executable file not found in $PATH")
