//go:build !unix

package modfetch

import (
	"io/fs"
	"os"
)

// openLocked opens name but takes no lock: on systems without flock(2)
// modnet does not yet lock the module cache, and relies on atomic renames
// alone (a file is complete or absent).
func openLocked(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}

// lockFile creates the lock file name but takes no lock (see openLocked).
func lockFile(name string) (unlock func(), err error) {
	fh, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	return func() { fh.Close() }, nil
}
