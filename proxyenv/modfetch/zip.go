package modfetch

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/modnet/modnet/proxyenv"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// downloadZip fetches, checks and hashes the zip of d's version, and
// unpacks it with Extract set. With
// Dir set it works in the module cache like the go command: under the
// version's lock, a zip with its .ziphash already there is used as is;
// otherwise leftover temporary files are removed, the zip streams into a
// new temporary file beside its final name (size-limited while written),
// is checked and hashed from that file, the hash is verified and written
// to .ziphash, and only then is the zip renamed into place. Without Dir
// the zip streams to a temporary file in the system's temporary directory
// that is removed before downloadZip returns.
func (f *Fetcher) downloadZip(ctx context.Context, d *Download) error {
	if err := f.fetchZip(ctx, d); err != nil {
		return err
	}
	if f.Extract && d.Zip != "" {
		if err := f.extract(d); err != nil {
			return moduleErr(d.Path, d.Version, err)
		}
	}
	return nil
}

// fetchZip is downloadZip without the extraction.
func (f *Fetcher) fetchZip(ctx context.Context, d *Download) (err error) {
	route, mod, version := d.route, d.route.Module, d.Version
	mv := module.Version{Path: d.Path, Version: version}
	var zipFile, dir string
	if f.Dir != "" {
		if zipFile, err = f.cachePath(mod, version, "zip"); err != nil {
			return module.VersionError(mv, err)
		}
		dir = filepath.Dir(zipFile)
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return module.VersionError(mv, err)
		}
		unlock, err := f.lockVersion(mod, version)
		if err != nil {
			return module.VersionError(mv, err)
		}
		defer unlock()
		// A complete cache entry is a zip and its .ziphash; the go command
		// then downloads nothing.
		if done, err := f.cachedZip(ctx, d, zipFile); done || err != nil {
			return err
		}
		// Under the lock no other writer is active, so leftover temporary
		// files (from a killed run) can go, as the go command removes them.
		if old, err := filepath.Glob(filepath.Join(globQuote(dir), globQuote(filepath.Base(zipFile))+"*.tmp")); err == nil {
			for _, p := range old {
				os.Remove(p)
			}
		}
	} else {
		dir = os.TempDir()
	}
	prefix := filepath.Base(zipFile)
	if zipFile == "" {
		prefix = "modnet-zip-"
	}
	tmp, err := tempFile(ctx, dir, prefix)
	if err != nil {
		return module.VersionError(mv, err)
	}
	renamed := false
	defer func() {
		tmp.Close()
		if !renamed {
			os.Remove(tmp.Name())
		}
	}()
	if err := f.getZip(ctx, route, version, tmp); err != nil {
		return module.VersionError(mv, err)
	}
	// The go command reports a malformed zip without naming the module.
	if err := checkZipPrefix(tmp, mod, version); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return module.VersionError(mv, err)
	}
	sum, err := dirhash.HashZip(tmp.Name(), dirhash.Hash1)
	if err != nil {
		return module.VersionError(mv, err)
	}
	if d.SumDB, err = f.verifySum(ctx, route, mod, version, sum); err != nil {
		return err
	}
	d.Sum = sum
	checkName := tmp.Name()
	if zipFile != "" {
		// The go command writes .ziphash before renaming the zip into
		// place: a zip without one is rehashed, never trusted.
		if err := writeCacheFile(ctx, zipFile+"hash", []byte(sum)); err != nil {
			return module.VersionError(mv, err)
		}
		if err := os.Rename(tmp.Name(), zipFile); err != nil {
			return module.VersionError(mv, err)
		}
		renamed = true
		d.Zip, checkName = zipFile, zipFile
	}
	// The go command then unzips the module, which rejects file names and
	// sizes a module zip may not have (duplicates, case collisions, a
	// nested go.mod, ...); the zip and its hash stay reported.
	return checkModuleZip(mod, version, checkName, zipFile)
}

// cachedZip uses a zip already in the module cache with its .ziphash,
// verifying the recorded hash like the go command (a .ziphash that does
// not hold a hash is recomputed from the zip). It reports whether the
// cache had the zip.
func (f *Fetcher) cachedZip(ctx context.Context, d *Download, zipFile string) (bool, error) {
	mv := module.Version{Path: d.Path, Version: d.Version}
	if _, err := os.Stat(zipFile); err != nil {
		return false, nil
	}
	data, err := os.ReadFile(zipFile + "hash")
	if err != nil {
		return false, nil
	}
	sum := strings.TrimSpace(string(data))
	if !isValidSum(sum) {
		// The go command rehashes the zip when .ziphash is corrupt.
		if sum, err = dirhash.HashZip(zipFile, dirhash.Hash1); err != nil {
			return true, module.VersionError(mv, err)
		}
		if err := f.verifyZipSum(ctx, d, sum); err != nil {
			return true, err
		}
		if err := writeCacheFile(ctx, zipFile+"hash", []byte(sum)); err != nil {
			return true, module.VersionError(mv, err)
		}
	} else if err := f.verifyZipSum(ctx, d, sum); err != nil {
		return true, err
	}
	d.Zip, d.Sum = zipFile, sum
	return true, nil
}

// verifyZipSum verifies a cached zip's hash like a downloaded one's.
func (f *Fetcher) verifyZipSum(ctx context.Context, d *Download, sum string) error {
	db, err := f.verifySum(ctx, d.route, d.route.Module, d.Version, sum)
	if err != nil {
		return err
	}
	d.SumDB = db
	return nil
}

// verifySum verifies the hash h of mod@version (version ends in "/go.mod"
// for a go.mod hash) as the go command does: a hash GoSum lists is
// trusted, a different one GoSum lists is a *GoSumMismatchError whatever
// the route says, and otherwise the checksum database is consulted when
// the route says to and the verified hash recorded in GoSum. It returns
// the name of the database that verified h, or "".
func (f *Fetcher) verifySum(ctx context.Context, route *proxyenv.Route, mod, version, h string) (string, error) {
	if f.GoSum != nil {
		ok, err := f.GoSum.check(mod, version, h)
		if err != nil || ok {
			return "", err
		}
	}
	db := ""
	if route.SumDB.Use {
		var err error
		if db, err = f.checkSum(ctx, route, mod, version, h); err != nil {
			return "", err
		}
	}
	if f.GoSum != nil {
		f.GoSum.add(mod, version, h)
	}
	return db, nil
}

// isValidSum reports whether s looks like a go.sum hash ("h1:" and 44
// base64 characters), as the go command checks a .ziphash file.
func isValidSum(s string) bool {
	return len(s) == len("h1:")+44 && strings.HasPrefix(s, "h1:")
}

// getZip walks route for the zip of version, streaming each source's
// answer into tmp (emptied again when a source fails part way, as the go
// command does before trying the next).
func (f *Fetcher) getZip(ctx context.Context, route *proxyenv.Route, version string, tmp *os.File) error {
	file, err := proxyenv.VersionFile(version, "zip")
	if err != nil {
		return err
	}
	mv := module.Version{Path: route.Module, Version: version}
	var fatal error
	return proxyenv.Walk(ctx, route, func(ctx context.Context, s proxyenv.Step) error {
		if fatal != nil {
			return fatal
		}
		var err error
		if s.Action == proxyenv.ActionDirect {
			err = f.directZip(ctx, route.Module, version, writeErr{tmp})
		} else {
			var u *url.URL
			if u, err = proxyenv.ProxyFileURL(s.Entry.URL, route.Module, file); err != nil {
				return module.VersionError(mv, err)
			}
			err = f.copyBody(ctx, u, writeErr{tmp}, "zip", maxZipFile)
		}
		if err != nil {
			if _, serr := tmp.Seek(0, io.SeekStart); serr != nil {
				fatal = serr
			} else if terr := tmp.Truncate(0); terr != nil {
				fatal = terr
			}
			return module.VersionError(mv, err)
		}
		return nil
	})
}

// checkZipPrefix checks that every file of a module zip lies under
// "<path>@<version>/", as the go command does before hashing it.
func checkZipPrefix(fh *os.File, path, version string) error {
	fi, err := fh.Stat()
	if err != nil {
		return err
	}
	z, err := zip.NewReader(fh, fi.Size())
	if err != nil {
		return err
	}
	prefix := path + "@" + version + "/"
	for _, zf := range z.File {
		if !strings.HasPrefix(zf.Name, prefix) {
			return fmt.Errorf("zip for %s has unexpected file %s", prefix[:len(prefix)-1], zf.Name)
		}
	}
	return nil
}

// checkModuleZip applies golang.org/x/mod/zip's module zip rules to the
// zip in file, as the go command's unzip does; name is how the error
// names it ("" for "<path>@<version>.zip").
func checkModuleZip(mod, version, file, name string) error {
	if _, err := modzip.CheckZip(module.Version{Path: mod, Version: version}, file); err != nil {
		if name == "" {
			name = mod + "@" + version + ".zip"
		}
		return fmt.Errorf("unzip %s: %w", name, err)
	}
	return nil
}

// globQuote escapes the glob metacharacters in s.
func globQuote(s string) string {
	if !strings.ContainsAny(s, `*?[\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
