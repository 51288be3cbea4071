//go:build unix

package modfetch

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on the file name, creating it, and
// returns the function that releases it. It is flock(2), which is what
// the go command's lockedfile package uses on these systems, so a Fetcher
// and the go command sharing a module cache exclude each other.
func lockFile(name string) (unlock func(), err error) {
	fh, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(fh.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		fh.Close()
		return nil, &os.PathError{Op: "flock", Path: name, Err: err}
	}
	return func() {
		syscall.Flock(int(fh.Fd()), syscall.LOCK_UN)
		fh.Close()
	}, nil
}
