package modfetch

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb"
)

// readLocked reads the file name under a shared lock, at most limit
// bytes, as the go command's lockedfile.Read does (without the limit).
func readLocked(name string, limit int64) ([]byte, error) {
	fh, err := openLocked(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = &tooLargeError{what: filepath.Base(name), limit: limit}
	}
	return data, err
}

// writeLocked replaces the content of the file name under an exclusive
// lock, creating it with mode 0666 before the umask, as the go command's
// lockedfile.Write does.
func writeLocked(name string, data []byte) error {
	fh, err := openLocked(name, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	if err := fh.Truncate(0); err != nil {
		fh.Close()
		return err
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// editLocked replaces the content of name with new under an exclusive
// lock if it still holds old (or is empty), else it reports
// sumdb.ErrWriteConflict: the go command's update of a checksum
// database's signed tree head.
func editLocked(name string, old, new []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o777); err != nil {
		return err
	}
	fh, err := openLocked(name, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxSumDB+1))
	if err != nil {
		return err
	}
	if len(data) > 0 && !bytes.Equal(data, old) {
		return sumdb.ErrWriteConflict
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := fh.Truncate(0); err != nil {
		return err
	}
	if _, err := fh.Write(new); err != nil {
		return err
	}
	return fh.Close()
}

// isNotExist reports whether err means a missing file.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
