package modfetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/modnet/modnet/proxyenv"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// errNotCached reports a module cache miss.
var errNotCached = errors.New("not cached")

// cachePath returns the name of a version file (suffix "info", "mod",
// "zip", "ziphash", "lock") in the module cache's download layout,
// Dir/cache/download/<escaped path>/@v/<escaped version>.<suffix>.
func (f *Fetcher) cachePath(mod, version, suffix string) (string, error) {
	// The go command caches semantic versions only (and modnet canonical
	// ones only: nothing it writes names a version two ways).
	if !semver.IsValid(version) {
		return "", fmt.Errorf("non-semver module version %q", version)
	}
	if module.CanonicalVersion(version) != version {
		return "", fmt.Errorf("non-canonical module version %q", version)
	}
	encPath, err := module.EscapePath(mod)
	if err != nil {
		return "", err
	}
	encVer, err := module.EscapeVersion(version)
	if err != nil {
		return "", err
	}
	return filepath.Join(f.Dir, "cache", "download", filepath.FromSlash(encPath), "@v", encVer+"."+suffix), nil
}

// readCache returns a version file from the module cache, or errNotCached.
func (f *Fetcher) readCache(mod, version, suffix string) (file string, data []byte, err error) {
	if f.Dir == "" {
		return "", nil, errNotCached
	}
	file, err = f.cachePath(mod, version, suffix)
	if err != nil {
		return "", nil, errNotCached
	}
	data, err = os.ReadFile(file)
	if err != nil {
		return file, nil, errNotCached
	}
	return file, data, nil
}

// readCachedInfo returns the cached .info of version, as the go command
// reads it before asking any proxy: a file that does not decode is a miss.
func (f *Fetcher) readCachedInfo(mod, version string) (string, []byte, error) {
	file, data, err := f.readCache(mod, version, "info")
	if err != nil {
		return file, nil, err
	}
	canon, err := canonicalInfo(data)
	if err != nil {
		return file, nil, errNotCached
	}
	return file, canon, nil
}

// oldVgoPrefix starts go.mod files synthesized by pre-release module
// support; the go command ignores cached go.mod files that have it.
var oldVgoPrefix = []byte("//vgo 0.0.")

// readCachedGoMod returns the cached go.mod of version.
func (f *Fetcher) readCachedGoMod(mod, version string) (string, []byte, error) {
	file, data, err := f.readCache(mod, version, "mod")
	if err == nil && bytes.HasPrefix(data, oldVgoPrefix) {
		// The go command treats an old synthesized go.mod as absent.
		return file, nil, errNotCached
	}
	return file, data, err
}

// canonicalInfo decodes a .info file and encodes it again the way the
// go command writes it to the module cache (fields it does not know
// dropped, Origin cleaned of what does not matter for a fixed version).
func canonicalInfo(data []byte) ([]byte, error) {
	var ri proxyenv.RevInfo
	if err := json.Unmarshal(data, &ri); err != nil {
		return nil, err
	}
	if ri.Origin != nil {
		// The go command drops tag and repository checksums from a cached
		// .info, and the ref for a pseudo-version.
		o := *ri.Origin
		o.TagSum, o.TagPrefix, o.RepoSum = "", "", ""
		if module.IsPseudoVersion(ri.Version) {
			o.Ref = ""
		}
		ri.Origin = &o
	}
	return json.Marshal(&ri)
}

// writeInfo stores the canonical form of a .info file for version in the
// module cache (a no-op without Dir) and returns the file's name.
func (f *Fetcher) writeInfo(ctx context.Context, mod, version string, info []byte) (string, error) {
	if f.Dir == "" {
		return "", nil
	}
	canon, err := canonicalInfo(info)
	if err != nil {
		return "", err
	}
	file, err := f.cachePath(mod, version, "info")
	if err != nil {
		return "", err
	}
	return file, writeCacheFile(ctx, file, canon)
}

// writeGoMod stores a go.mod file in the module cache and updates the
// module's @v/list, like the go command.
func (f *Fetcher) writeGoMod(ctx context.Context, mod, version string, data []byte) (string, error) {
	if f.Dir == "" {
		return "", nil
	}
	file, err := f.cachePath(mod, version, "mod")
	if err != nil {
		return "", err
	}
	if err := writeCacheFile(ctx, file, data); err != nil {
		return "", err
	}
	// The go command lists a version once its go.mod is cached, so the
	// cache serves as a file:// GOPROXY.
	return file, rewriteVersionList(filepath.Dir(file))
}

// writeCacheFile writes data to a temporary file beside file and renames
// it into place, with the go command's modes (0666 and 0777 before the
// umask), so a reader never sees a partial file.
func writeCacheFile(ctx context.Context, file string, data []byte) (err error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o777); err != nil {
		return err
	}
	tmp, err := tempFile(ctx, filepath.Dir(file), filepath.Base(file))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// tempFile creates a new file named prefix + random digits + ".tmp" in
// dir with mode 0666 before the umask: the go command's temporary file
// names, which it (and a Fetcher) removes under the version lock before
// downloading a zip again.
func tempFile(ctx context.Context, dir, prefix string) (*os.File, error) {
	var err error
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.Itoa(rand.IntN(1000000000))+".tmp")
		var fh *os.File
		fh, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		return fh, err
	}
	return nil, err
}

// rewriteVersionList rewrites dir/list (dir is a module's @v directory)
// to name every canonical version that has a cached go.mod, sorted, as
// the go command does after writing a go.mod: under a lock on the list
// file, reserving the final size first so an interrupted write leaves
// trailing NUL bytes rather than a plausible short list.
func rewriteVersionList(dir string) (err error) {
	listFile := filepath.Join(dir, "list")
	unlock, err := lockFile(listFile)
	if err != nil {
		return err
	}
	defer unlock()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var list []string
	for _, e := range entries {
		// Versions without a go.mod are unusable, so not listed; a zip is
		// not needed.
		if v, ok := strings.CutSuffix(e.Name(), ".mod"); ok && v != "" && module.CanonicalVersion(v) == v {
			list = append(list, v)
		}
	}
	semver.Sort(list)
	var buf bytes.Buffer
	for _, v := range list {
		buf.WriteString(v)
		buf.WriteByte('\n')
	}
	fh, err := os.OpenFile(listFile, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
	}()
	old, err := io.ReadAll(io.LimitReader(fh, int64(buf.Len())+1))
	if err == nil && bytes.Equal(old, buf.Bytes()) {
		return nil
	}
	if err := fh.Truncate(0); err != nil {
		return err
	}
	if err := fh.Truncate(int64(buf.Len())); err != nil {
		return err
	}
	if _, err := fh.WriteAt(buf.Bytes(), 0); err != nil {
		fh.Truncate(0)
		return err
	}
	return nil
}

// lockVersion takes the module cache's lock for one module version (the
// go command's <version>.lock file, guarding the zip download).
func (f *Fetcher) lockVersion(mod, version string) (unlock func(), err error) {
	file, err := f.cachePath(mod, version, "lock")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o777); err != nil {
		return nil, err
	}
	return lockFile(file)
}
