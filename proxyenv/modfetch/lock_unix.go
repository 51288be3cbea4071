//go:build unix

package modfetch

import (
	"io/fs"
	"os"
	"syscall"
)

// openLocked opens name and locks it, shared when opened read-only and
// exclusive otherwise, until the file is closed. It is flock(2), which is
// what the go command's lockedfile package uses on these systems, so a
// Fetcher and the go command sharing a module cache exclude each other.
func openLocked(name string, flag int, perm fs.FileMode) (*os.File, error) {
	fh, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_EX
	if flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		how = syscall.LOCK_SH
	}
	for {
		err = syscall.Flock(int(fh.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		fh.Close()
		return nil, &os.PathError{Op: "flock", Path: name, Err: err}
	}
	return fh, nil
}

// lockFile takes an exclusive lock on the file name, creating it, and
// returns the function that releases it.
func lockFile(name string) (unlock func(), err error) {
	fh, err := openLocked(name, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	return func() { fh.Close() }, nil
}
