package trust

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// A LoadError reports a certificate source that could not be used: a
// missing or unreadable file, a file without certificates, a corrupt PEM
// block, or a block that is not a certificate where one was expected. It
// wraps the underlying error, if any (for example an [fs.PathError] or an
// x509 parse error).
type LoadError struct {
	// File is the file, directory or in-memory source name.
	File string `json:"file"`
	// Line is the 1-based line where the offending PEM block starts, or 0
	// when the problem concerns the whole source.
	Line int `json:"line,omitempty"`
	// Reason says what is wrong, in lower case.
	Reason string `json:"reason"`
	// Err is the underlying error, or nil.
	Err error `json:"-"`
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("trust: ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *LoadError) Unwrap() error { return e.Err }

// blockReasons explains PEM block types that are not certificates but are
// often found where certificates are expected.
var blockReasons = map[string]string{
	"TRUSTED CERTIFICATE":     "OpenSSL TRUSTED CERTIFICATE block is not supported (convert it with: openssl x509 -in FILE -out FILE.pem)",
	"PKCS7":                   "PKCS #7 block is not a certificate (extract with: openssl pkcs7 -print_certs -in FILE)",
	"CERTIFICATE REQUEST":     "certificate request (CSR) is not a certificate",
	"NEW CERTIFICATE REQUEST": "certificate request (CSR) is not a certificate",
	"X509 CRL":                "certificate revocation list is not a certificate",
}

func blockReason(typ string) string {
	if r, ok := blockReasons[typ]; ok {
		return r
	}
	if strings.Contains(typ, "PRIVATE KEY") {
		return "private key (" + typ + ") where a certificate was expected"
	}
	return fmt.Sprintf("unexpected PEM block %q where a certificate was expected", typ)
}

var pemBegin = []byte("-----BEGIN")

// ParseCertificates parses data as PEM (one or more CERTIFICATE blocks,
// with any text between blocks ignored) or, if it contains no PEM
// armour, as one or more concatenated DER certificates. name is used in
// errors. It is strict: a corrupt block, a block of another type, a PEM
// block with headers, or data without any certificate is an error, and
// every error is a *[LoadError] naming name and, for PEM, the line where
// the offending block starts.
func ParseCertificates(name string, data []byte) ([]*x509.Certificate, error) {
	if !bytes.Contains(data, pemBegin) {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, &LoadError{File: name, Reason: "no certificate found (empty)"}
		}
		certs, err := x509.ParseCertificates(data)
		if err != nil {
			return nil, &LoadError{File: name, Reason: "neither PEM nor a DER certificate", Err: err}
		}
		if len(certs) == 0 {
			return nil, &LoadError{File: name, Reason: "no certificate found"}
		}
		return certs, nil
	}
	var certs []*x509.Certificate
	sc := pemScanner{data: data, line: 1}
	for {
		block, line, ok := sc.next()
		if !ok {
			break
		}
		if block == nil {
			return nil, &LoadError{File: name, Line: line, Reason: "corrupt PEM block"}
		}
		if block.Type != "CERTIFICATE" {
			return nil, &LoadError{File: name, Line: line, Reason: blockReason(block.Type)}
		}
		if len(block.Headers) > 0 {
			return nil, &LoadError{File: name, Line: line, Reason: "CERTIFICATE block has PEM headers (crypto/x509 ignores such blocks)"}
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, &LoadError{File: name, Line: line, Reason: "invalid certificate", Err: err}
		}
		certs = append(certs, c)
	}
	if line, ok := sc.trailing(); ok {
		return nil, &LoadError{File: name, Line: line, Reason: "trailing data after the last PEM block is not a certificate"}
	}
	if len(certs) == 0 {
		return nil, &LoadError{File: name, Reason: "no certificate found"}
	}
	return certs, nil
}

// hashName matches OpenSSL c_rehash certificate names (HHHHHHHH.N); the
// ".rN" names are revocation lists and are not certificates.
var hashName = regexp.MustCompile(`^[0-9a-fA-F]{8}\.[0-9]+$`)

// isCertFileName reports whether a directory entry name is one this
// package loads from an extra directory.
func isCertFileName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pem", ".crt", ".cer":
		return true
	}
	return hashName.MatchString(name)
}

// loadedFile is the result of reading one file of a source.
type loadedFile struct {
	path  string
	certs []*x509.Certificate
}

// readPath strictly loads a file or a directory. readFile and readDir are
// the file system.
func readPath(fsys fileSystem, path string) ([]loadedFile, []skipped, error) {
	fi, err := fsys.Stat(path)
	if err != nil {
		return nil, nil, &LoadError{File: path, Reason: "cannot read", Err: err}
	}
	if !fi.IsDir() {
		certs, err := readCertFile(fsys, path)
		if err != nil {
			return nil, nil, err
		}
		return []loadedFile{{path, certs}}, nil, nil
	}
	entries, err := fsys.ReadDir(path)
	if err != nil {
		return nil, nil, &LoadError{File: path, Reason: "cannot read directory", Err: err}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var files []loadedFile
	var skips []skipped
	for _, e := range entries {
		p := filepath.Join(path, e.Name())
		if !isCertFileName(e.Name()) {
			skips = append(skips, skipped{File: p, Reason: "name is not *.pem, *.crt, *.cer or an OpenSSL hash name"})
			continue
		}
		if e.IsDir() {
			skips = append(skips, skipped{File: p, Reason: "directory (not searched recursively)"})
			continue
		}
		certs, err := readCertFile(fsys, p)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, loadedFile{p, certs})
	}
	if len(files) == 0 {
		return nil, skips, &LoadError{File: path, Reason: "directory holds no certificate files (*.pem, *.crt, *.cer, OpenSSL hash names)"}
	}
	return files, skips, nil
}

func readCertFile(fsys fileSystem, path string) ([]*x509.Certificate, error) {
	data, err := fsys.ReadFile(path)
	if err != nil {
		return nil, &LoadError{File: path, Reason: "cannot read", Err: err}
	}
	return ParseCertificates(path, data)
}

// skipped is a directory entry or PEM block left out, with the reason.
type skipped = Rejected

// A fileSystem is the file access this package needs; the default uses
// package os.
type fileSystem interface {
	Stat(name string) (fs.FileInfo, error)
	ReadFile(name string) ([]byte, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Lstat(name string) (fs.FileInfo, error)
	Readlink(name string) (string, error)
}

type osFS struct{}

func (osFS) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (osFS) Lstat(name string) (fs.FileInfo, error)     { return os.Lstat(name) }
func (osFS) ReadFile(name string) ([]byte, error)       { return os.ReadFile(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (osFS) Readlink(name string) (string, error)       { return os.Readlink(name) }

// lenientPEM mirrors crypto/x509's AppendCertsFromPEM: it keeps every
// parsable CERTIFICATE block without headers and reports, rather than
// fails on, everything else. It is used for the system sources, where Go
// itself is lenient. Blocks are found with pem.Decode itself, as
// crypto/x509 finds them, so the certificates kept are exactly Go's.
func lenientPEM(name string, data []byte) ([]*x509.Certificate, []skipped) {
	var certs []*x509.Certificate
	var skips []skipped
	off, line := 0, 1 // line is the line number at off
	// ignored reports the "-----BEGIN" markers in data[from:to], which
	// pem.Decode passed over, and advances the line count to to.
	ignored := func(from, to int) {
		for from < to {
			i := bytes.Index(data[from:to], pemBegin)
			if i < 0 {
				break
			}
			line += bytes.Count(data[from:from+i], newline)
			skips = append(skips, skipped{File: name, Line: line, Reason: "corrupt PEM block (ignored by Go)"})
			from += i + len(pemBegin)
		}
		line += bytes.Count(data[from:to], newline)
	}
	for off < len(data) {
		block, rest := pem.Decode(data[off:])
		if block == nil {
			ignored(off, len(data))
			break
		}
		end := len(data) - len(rest)
		// The block's own BEGIN line is the last one before its end.
		begin := off + bytes.LastIndex(data[off:end], pemBegin)
		ignored(off, begin)
		blockLine := line
		line += bytes.Count(data[begin:end], newline)
		off = end
		switch {
		case block.Type != "CERTIFICATE":
			skips = append(skips, skipped{File: name, Line: blockLine, Reason: blockReason(block.Type) + " (ignored by Go)"})
			continue
		case len(block.Headers) > 0:
			skips = append(skips, skipped{File: name, Line: blockLine, Reason: "CERTIFICATE block with PEM headers (ignored by Go)"})
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			skips = append(skips, skipped{File: name, Line: blockLine, Reason: "invalid certificate (ignored by Go): " + err.Error()})
			continue
		}
		certs = append(certs, c)
	}
	return certs, skips
}

// A pemScanner walks the PEM blocks of data in order, keeping the line
// number of its position as it goes, so a bundle of any size is scanned
// in linear time.
type pemScanner struct {
	data []byte
	off  int // start of the part not yet scanned
	line int // 1-based line number at off
}

// next returns the next block and the line where it starts. A malformed
// block is returned as a nil block (the scan resumes after its BEGIN
// marker). ok is false when no "-----BEGIN" is left.
func (s *pemScanner) next() (block *pem.Block, line int, ok bool) {
	i := bytes.Index(s.data[s.off:], pemBegin)
	if i < 0 {
		return nil, 0, false
	}
	start := s.off + i
	s.line += bytes.Count(s.data[s.off:start], newline)
	line = s.line
	var after []byte
	// pem.Decode takes a block only where "-----BEGIN" starts a line.
	if start == 0 || s.data[start-1] == '\n' {
		block, after = decodeFirst(s.data[start:])
	}
	if block == nil {
		s.off = start + len(pemBegin) // no newline in the marker
		return nil, line, true
	}
	end := len(s.data) - len(after)
	s.line += bytes.Count(s.data[start:end], newline)
	s.off = end
	return block, line, true
}

// trailing reports whether non-space bytes follow the last block, and the
// line where they start.
func (s *pemScanner) trailing() (line int, ok bool) {
	rest := s.data[s.off:]
	j := bytes.IndexFunc(rest, func(r rune) bool { return !unicode.IsSpace(r) })
	if j < 0 {
		return 0, false
	}
	return s.line + bytes.Count(rest[:j], newline), true
}

var newline = []byte("\n")

// decodeFirst decodes the PEM block that starts at the beginning of seg.
// Unlike pem.Decode, which silently skips a malformed block and returns
// the next good one, it returns nil when the first block is malformed.
func decodeFirst(seg []byte) (*pem.Block, []byte) {
	// Decode only up to the next block that starts a line, so that a
	// malformed block costs no more than its own length (pem.Decode
	// would search the rest of the data for a good one).
	limit := seg
	if j := bytes.Index(seg[len(pemBegin):], pemBegin); j >= 0 {
		j += len(pemBegin)
		if seg[j-1] == '\n' {
			limit = seg[:j]
		}
	}
	block, after := pem.Decode(limit)
	if block == nil {
		return nil, nil
	}
	if j := bytes.Index(seg[len(pemBegin):], pemBegin); j >= 0 && len(limit)-len(after) > j+len(pemBegin) {
		return nil, nil
	}
	return block, seg[len(limit)-len(after):]
}
