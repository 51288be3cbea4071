package modfetch

import (
	"errors"
	"fmt"
	"path/filepath"
)

// ModCacheDir returns the module cache directory the go command would
// use, resolved as it resolves "go env GOMODCACHE": GOMODCACHE if set,
// else the first entry of GOPATH followed by pkg/mod, where GOPATH
// defaults to $HOME/go. lookup returns a variable's value (from the
// process environment or a go env file, as [proxyenv.Env.Lookup] reads
// them); home is the user's home directory (os.UserHomeDir), used only
// when GOPATH is unset.
//
// Like the go command, it rejects a relative GOMODCACHE or GOPATH entry.
func ModCacheDir(lookup func(name string) string, home string) (string, error) {
	// The go command takes GOMODCACHE as is, if absolute.
	if dir := lookup("GOMODCACHE"); dir != "" {
		if !filepath.IsAbs(dir) {
			return "", &CacheDirError{Var: "GOMODCACHE", Value: dir, Err: errRelative}
		}
		return dir, nil
	}
	gopath, err := GOPATH(lookup, home)
	if err != nil {
		return "", err
	}
	return filepath.Join(gopath, "pkg", "mod"), nil
}

// GOPATH returns the first GOPATH entry, the directory under which the go
// command keeps its checksum database state (pkg/sumdb) and, by default,
// its module cache (pkg/mod): the first entry of GOPATH, or
// $HOME/go when GOPATH is unset.
func GOPATH(lookup func(name string) string, home string) (string, error) {
	if v := lookup("GOPATH"); v != "" {
		// The go command uses the first entry only, and none if it is empty.
		p := filepath.SplitList(v)[0]
		if p == "" {
			return "", &CacheDirError{Var: "GOPATH", Value: v, Err: errors.New("first entry is empty")}
		}
		// The go command refuses relative GOPATH entries.
		if !filepath.IsAbs(p) {
			return "", &CacheDirError{Var: "GOPATH", Value: p, Err: errRelative}
		}
		return p, nil
	}
	// The go command's default GOPATH is $HOME/go.
	if home == "" {
		return "", &CacheDirError{Var: "GOPATH", Err: errors.New("neither GOPATH nor the home directory is set")}
	}
	return filepath.Join(home, "go"), nil
}

var errRelative = errors.New("entry is relative; must be absolute path")

// A CacheDirError reports a GOMODCACHE or GOPATH value the go command
// would refuse.
type CacheDirError struct {
	Var   string // "GOMODCACHE" or "GOPATH"
	Value string // the offending entry
	Err   error
}

func (e *CacheDirError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("modfetch: %s: %v", e.Var, e.Err)
	}
	return fmt.Sprintf("modfetch: %s entry %q: %v", e.Var, e.Value, e.Err)
}

func (e *CacheDirError) Unwrap() error { return e.Err }
