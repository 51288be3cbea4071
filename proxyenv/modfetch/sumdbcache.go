package modfetch

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The checksum database state on disk, as the go command keeps it: the
// signed tree head ("<name>/latest") under SumDBDir and tiles and lookups
// ("<name>/tile/...", "<name>/lookup/...") under the module cache, each
// read and written under a file lock.

// sumDBFile returns dir joined with the x/mod client's file name,
// refusing names that would leave dir.
func sumDBFile(dir, file string) (string, error) {
	if !filepath.IsLocal(filepath.FromSlash(file)) {
		return "", fmt.Errorf("modfetch: checksum database file %q outside its directory", file)
	}
	return filepath.Join(dir, filepath.FromSlash(file)), nil
}

// readConfigFile reads a signed tree head; a missing file is an empty
// one, which the x/mod client starts from, as in the go command.
func (o *sumOps) readConfigFile(file string) ([]byte, error) {
	name, err := sumDBFile(o.configDir, file)
	if err != nil {
		return nil, err
	}
	data, err := readLocked(name, maxSumDB)
	if isNotExist(err) {
		return []byte{}, nil
	}
	return data, err
}

// writeConfigFile replaces a signed tree head if it still is old.
func (o *sumOps) writeConfigFile(file string, old, new []byte) error {
	name, err := sumDBFile(o.configDir, file)
	if err != nil {
		return err
	}
	return editLocked(name, old, new)
}

// readCacheFile reads a cached tile or lookup. An empty file is one being
// written by another process, so it counts as missing, as in the go
// command.
func (o *sumOps) readCacheFile(file string) ([]byte, error) {
	name, err := sumDBFile(o.cacheDir, file)
	if err != nil {
		return nil, err
	}
	data, err := readLocked(name, maxSumDB)
	if err == nil && len(data) == 0 {
		err = &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return data, err
}

// writeCacheFile stores a tile or lookup; failures only cost a later
// fetch, so they are ignored, as in the go command.
func (o *sumOps) writeCacheFile(file string, data []byte) {
	name, err := sumDBFile(o.cacheDir, file)
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o777); err != nil {
		return
	}
	writeLocked(name, data)
}
