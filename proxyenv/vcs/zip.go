package vcs

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/version"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// Zip writes the module zip of version (which must be canonical) to dst,
// made as the go command makes it: "git archive" of the module's
// directory (export-ignore and export-subst disabled, line endings as
// committed), the root LICENSE added to a module in a subdirectory that
// has none, and the x/mod/zip rules applied (vendor directories and
// nested modules dropped, size and name limits checked). The archive is
// spooled to a temporary file beside the repository's cache directory and
// removed afterwards. The module zip streams to dst as it is made; on
// error dst may hold part of it.
func (r *ModuleRepo) Zip(ctx context.Context, dst io.Writer, version string) error {
	if version != module.CanonicalVersion(version) {
		return &module.ModuleError{Path: r.modPath, Version: version, Err: fmt.Errorf("version %s is not canonical", version)}
	}
	if module.IsPseudoVersion(version) {
		// findDir uses only a pseudo-version's hash: check the rest first.
		if _, err := r.Stat(ctx, version); err != nil {
			return err
		}
	}
	rev, subdir, _, err := r.findDir(ctx, version)
	if err != nil {
		return err
	}
	gomod, err := r.code.ReadFile(ctx, rev, path.Join(subdir, "go.mod"), MaxGoMod)
	switch {
	case err == nil:
		// The go command refuses a module that needs a newer Go.
		if goVers := goModLine(gomod, "go"); r.goVersion != "" && goVers != "" && goVersionCompare(goVers, r.goVersion) > 0 {
			return &TooNewError{What: r.modPath + "@" + version, GoVersion: goVers, Local: r.goVersion, GOTOOLCHAIN: r.toolchain}
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}

	f, err := os.CreateTemp(filepath.Dir(r.code.dir), "modnet-zip-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := r.code.Archive(ctx, f, rev, subdir, MaxZipFile); err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return err
	}
	files, haveLICENSE, err := moduleFiles(zr, subdir)
	if err != nil {
		return err
	}
	if !haveLICENSE && subdir != "" {
		// The go command copies the repository's LICENSE into modules in
		// subdirectories that have none.
		if data, err := r.code.ReadFile(ctx, rev, "LICENSE", MaxLICENSE); err == nil {
			files = append(files, dataFile{name: "LICENSE", data: data})
		}
	}
	return modzip.Create(dst, module.Version{Path: r.modPath, Version: version}, files)
}

// moduleFiles lists the files of a "git archive" zip below subdir, with
// the archive's single top-level directory and subdir removed from their
// names, and reports whether one is LICENSE.
func moduleFiles(zr *zip.Reader, subdir string) (files []modzip.File, haveLICENSE bool, err error) {
	subdir = strings.Trim(subdir, "/")
	if subdir != "" {
		subdir += "/"
	}
	top := ""
	for _, zf := range zr.File {
		if top == "" {
			i := strings.Index(zf.Name, "/")
			if i < 0 {
				return nil, false, errors.New("missing top-level directory prefix")
			}
			top = zf.Name[:i+1]
		}
		name, ok := strings.CutPrefix(zf.Name, top)
		if !ok {
			return nil, false, errors.New("zip file contains more than one top-level directory")
		}
		if name, ok = strings.CutPrefix(name, subdir); !ok {
			continue
		}
		if name == "" || strings.HasSuffix(name, "/") {
			continue
		}
		files = append(files, zipFile{name: name, f: zf})
		haveLICENSE = haveLICENSE || name == "LICENSE"
	}
	return files, haveLICENSE, nil
}

// goModLine returns the value of the first line of gomod that starts with
// key and a space or tab, comments removed, as the go command looks up
// the go version without parsing the file.
func goModLine(gomod []byte, key string) string {
	for len(gomod) > 0 {
		var line []byte
		line, gomod, _ = bytes.Cut(gomod, []byte("\n"))
		s, ok := strings.CutPrefix(string(bytes.TrimSpace(line)), key)
		if !ok || s == "" || (s[0] != ' ' && s[0] != '\t') {
			continue
		}
		s, _, _ = strings.Cut(s, "//")
		return strings.TrimSpace(s)
	}
	return ""
}

// goVersionCompare compares Go versions written without the "go" prefix.
func goVersionCompare(x, y string) int { return version.Compare("go"+x, "go"+y) }

// A TooNewError reports a module whose go.mod needs a newer Go than the
// go command being matched ([Module.GoVersion]).
type TooNewError struct {
	What        string // module@version
	GoVersion   string // the go.mod's go line
	Local       string // Module.GoVersion
	GOTOOLCHAIN string // Module.GOTOOLCHAIN
}

// Error returns the go command's text (without what it adds about the
// main module's own go and toolchain lines).
func (e *TooNewError) Error() string {
	explain := ""
	if e.GOTOOLCHAIN != "" && e.GOTOOLCHAIN != "auto" {
		explain = "; GOTOOLCHAIN=" + e.GOTOOLCHAIN
	}
	return fmt.Sprintf("%v requires go >= %v (running go %v%v)", e.What, e.GoVersion, e.Local, explain)
}

type zipFile struct {
	name string
	f    *zip.File
}

func (f zipFile) Path() string                 { return f.name }
func (f zipFile) Lstat() (fs.FileInfo, error)  { return f.f.FileInfo(), nil }
func (f zipFile) Open() (io.ReadCloser, error) { return f.f.Open() }

type dataFile struct {
	name string
	data []byte
}

func (f dataFile) Path() string                 { return f.name }
func (f dataFile) Lstat() (fs.FileInfo, error)  { return dataFileInfo{f}, nil }
func (f dataFile) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(f.data)), nil }

type dataFileInfo struct{ f dataFile }

func (fi dataFileInfo) Name() string       { return path.Base(fi.f.name) }
func (fi dataFileInfo) Size() int64        { return int64(len(fi.f.data)) }
func (fi dataFileInfo) Mode() fs.FileMode  { return 0o644 }
func (fi dataFileInfo) ModTime() time.Time { return time.Time{} }
func (fi dataFileInfo) IsDir() bool        { return false }
func (fi dataFileInfo) Sys() any           { return nil }
