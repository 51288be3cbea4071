//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package vcs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

// lockFile is the fallback for systems without flock(2): it holds the lock
// by creating path+".excl" exclusively and removing it on unlock. Unlike
// flock it does not interoperate with the go command's own lock, and a
// process that dies holding it leaves the file behind (remove it by hand).
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	excl := path + ".excl"
	wait := time.Millisecond
	for {
		f, err := os.OpenFile(excl, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			f.Close()
			return func() { os.Remove(excl) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, &LockError{Path: path, Err: err}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &LockError{Path: path, Err: ctx.Err()}
		case <-t.C:
		}
		if wait < 20*time.Millisecond {
			wait *= 2
		}
	}
}
