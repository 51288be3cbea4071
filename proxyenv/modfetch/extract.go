package modfetch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// extract unpacks d's zip into Dir/<escaped path>@<escaped version> the
// way the go command does: under the version's lock; an existing
// directory without a .partial marker (and with its .ziphash) is complete
// and kept; otherwise a partial one is removed, the .partial marker
// written, the zip unpacked with golang.org/x/mod/zip's rules, the marker
// removed, and the directories made read-only unless ExtractWritable (the
// go command's -modcacherw).
func (f *Fetcher) extract(d *Download) (err error) {
	mod, version := d.route.Module, d.Version
	mv := module.Version{Path: mod, Version: version}
	encPath, err := module.EscapePath(mod)
	if err != nil {
		return err
	}
	encVer, err := module.EscapeVersion(version)
	if err != nil {
		return err
	}
	dir := filepath.Join(f.Dir, filepath.FromSlash(encPath)+"@"+encVer)
	partial, err := f.cachePath(mod, version, "partial")
	if err != nil {
		return err
	}
	unlock, err := f.lockVersion(mod, version)
	if err != nil {
		return err
	}
	defer unlock()
	fi, statErr := os.Stat(dir)
	_, partialErr := os.Stat(partial)
	if statErr == nil && fi.IsDir() && errors.Is(partialErr, fs.ErrNotExist) {
		d.Dir = dir
		return nil
	}
	// Left by a run that did not finish: the lock says it is gone.
	if statErr == nil {
		if err := removeAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o777); err != nil {
		return err
	}
	if err := os.WriteFile(partial, nil, 0o666); err != nil {
		return err
	}
	if err := modzip.Unzip(dir, mv, d.Zip); err != nil {
		if rmErr := removeAll(dir); rmErr == nil {
			os.Remove(partial)
		}
		return err
	}
	if err := os.Remove(partial); err != nil {
		return err
	}
	if !f.ExtractWritable {
		makeDirsReadOnly(dir)
	}
	d.Dir = dir
	return nil
}

// makeDirsReadOnly removes the write permission of dir and the
// directories below it (the files are unpacked read-only), as the go
// command does to discourage edits to the module cache.
func makeDirsReadOnly(dir string) {
	var dirs []string
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	// Children before parents.
	for i := len(dirs) - 1; i >= 0; i-- {
		if fi, err := os.Stat(dirs[i]); err == nil && fi.Mode()&0o222 != 0 {
			os.Chmod(dirs[i], fi.Mode()&^0o222)
		}
	}
}

// removeAll removes dir after making its directories writable again.
func removeAll(dir string) error {
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			os.Chmod(p, 0o777)
		}
		return nil
	})
	return os.RemoveAll(dir)
}
