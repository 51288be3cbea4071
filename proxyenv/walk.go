package proxyenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/module"
)

// A StepError is the error of one step of a walk: the error the step
// failed with and the step it came from. Its text is the underlying
// error's, unchanged.
type StepError struct {
	Step Step
	Err  error
}

func (e *StepError) Error() string { return e.Err.Error() }

// Unwrap returns e.Err.
func (e *StepError) Unwrap() error { return e.Err }

// Walk tries the steps of r in order the way the go command tries its
// GOPROXY list, calling fetch for every step that makes a request
// (ActionProxy and ActionDirect). Steps with ActionSkip fail with their
// Step.Err without calling fetch.
//
// Walk returns nil as soon as fetch succeeds. After a failure it moves on
// to the next step if the error is a not-found error (errors.Is(err,
// fs.ErrNotExist), such as a [*StatusError] for 404 or 410) or the step's
// FallThrough is FallThroughAnyError; otherwise it stops. When every step
// tried has failed it returns the most useful error, ranked as the go
// command ranks them: the error of a direct fetch over any proxy error
// other than not-found, and those over not-found errors (the last
// not-found error wins among equals; a later direct error replaces an
// earlier one). The returned error is a [*StepError].
//
// fetch should return errors that satisfy errors.Is(err, fs.ErrNotExist)
// exactly when the source does not have what was asked; [CheckResponse]
// does that for HTTP responses. Walk stops with ctx.Err() if ctx is done
// before a step.
func Walk(ctx context.Context, r *Route, fetch func(ctx context.Context, s Step) error) error {
	if r == nil || len(r.Steps) == 0 {
		return errors.New("proxyenv: Walk: route has no steps")
	}
	return walkSteps(ctx, r.Steps, func(ctx context.Context, s Step) (error, bool) {
		if s.Action == ActionSkip {
			return s.Err, false
		}
		return fetch(ctx, s), s.Action == ActionDirect
	})
}

// walkSteps is the go command's list walk with its error ranking. try
// returns a step's error and whether it counts as a direct error.
func walkSteps(ctx context.Context, steps []Step, try func(context.Context, Step) (error, bool)) error {
	const (
		rankNotFound = iota
		rankProxy
		rankDirect
	)
	var best error
	rank := rankNotFound
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		err, direct := try(ctx, s)
		if err == nil {
			return nil
		}
		notFound := isNotFound(err)
		se := &StepError{Step: s, Err: err}
		switch {
		case direct:
			// Errors from the origin say the most about the module.
			best, rank = se, rankDirect
		case rank <= rankProxy && !notFound:
			best, rank = se, rankProxy
		case rank == rankNotFound:
			best = se
		}
		// After ',' only a not-found answer lets the walk go on.
		if !s.Entry.FallBackOnError && !notFound {
			break
		}
	}
	return best
}

// A StatusError reports a non-200 answer from a module proxy or checksum
// database. It is equivalent to fs.ErrNotExist for 404 and 410 only, as in
// the go command. Its text is the go command's.
type StatusError struct {
	URL        string // redacted
	Status     string // such as "404 Not Found"
	StatusCode int
	// Detail is the start of a text/plain error body (at most 8 lines),
	// or "" when the body was absent, not plain UTF-8 text, or held
	// control characters.
	Detail string
	// Err is an underlying error, such as the file system error of a
	// file:// proxy, or nil.
	Err error
}

func (e *StatusError) Error() string {
	if e.Detail != "" {
		sep := " "
		if strings.Contains(e.Detail, "\n") {
			sep = "\n\t"
		}
		return fmt.Sprintf("reading %s: %v\n\tserver response:%s%s", e.URL, e.Status, sep, e.Detail)
	}
	if e.Err != nil {
		err := e.Err
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Sprintf("reading %s: %v", e.URL, err)
	}
	return fmt.Sprintf("reading %s: %v", e.URL, e.Status)
}

// Is reports whether target is fs.ErrNotExist and the status is 404 or 410.
func (e *StatusError) Is(target error) bool {
	return target == fs.ErrNotExist && (e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone)
}

// Unwrap returns e.Err.
func (e *StatusError) Unwrap() error { return e.Err }

const (
	maxDetailLines = 8
	maxDetailBytes = maxDetailLines * 81
)

// CheckResponse returns nil for a 200 response and a [*StatusError]
// otherwise, with the detail of a text/plain body as the go command shows
// it. It reads (part of) the body of a failed response but does not close
// it.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	u := ""
	if resp.Request != nil && resp.Request.URL != nil {
		u = resp.Request.URL.Redacted()
	}
	e := &StatusError{URL: u, Status: resp.Status, StatusCode: resp.StatusCode}
	if mt, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/plain" && resp.Body != nil {
		switch strings.ToLower(params["charset"]) {
		case "", "utf-8", "us-ascii":
			e.Detail = ErrorDetail(collectDetail(resp.Body))
		}
	}
	return e
}

// collectDetail reads an error body and keeps the part the go command
// inspects: it reads in 8 KiB chunks and, while fewer than 9 lines are
// kept, keeps each chunk whole up to its 8th remaining line break, the
// rest of the chunk included. (So a control character late in the first
// chunk still suppresses the detail, as in the go command.) At most 1 MiB
// is read.
func collectDetail(body io.Reader) []byte {
	var kept []byte
	lines := 0
	buf := make([]byte, 8<<10)
	for total := 0; total < 1<<20; {
		n, err := body.Read(buf)
		total += n
		if lines <= maxDetailLines {
			for _, piece := range bytes.SplitAfterN(buf[:n], []byte("\n"), maxDetailLines-lines) {
				kept = append(kept, piece...)
				if len(piece) > 0 && piece[len(piece)-1] == '\n' {
					if lines++; lines > maxDetailLines {
						break
					}
				}
			}
		}
		if err != nil {
			break
		}
	}
	return kept
}

// ErrorDetail shortens the start of an error body the way the go command
// does before showing it after "server response:": valid UTF-8 and
// printable only (else ""), up to the first blank line, at most 8 lines
// and about 650 bytes, continuation lines indented with a tab. b is what
// the go command keeps of the body: whole reads up to the 8th line break
// of at most 1 MiB.
func ErrorDetail(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) {
		return ""
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			return ""
		}
	}
	var d strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		if i > 0 {
			d.WriteString("\n\t")
		}
		if i >= maxDetailLines {
			d.WriteString("[Truncated: too many lines.]")
			break
		}
		if d.Len()+len(line) > maxDetailBytes {
			d.WriteString("[Truncated: too long.]")
			break
		}
		d.WriteString(line)
	}
	return d.String()
}

// escapeSegments escapes s for a URL path, keeping its slashes.
func escapeSegments(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "%2F", "/")
}

// joinURL appends a slash-separated path to u's path, raw path included
// verbatim, as the go command joins checksum database URLs.
func joinURL(u *url.URL, p string) *url.URL {
	j := *u
	j.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(p, "/")
	j.RawPath = strings.TrimSuffix(u.RawPath, "/") + "/" + strings.TrimPrefix(p, "/")
	return &j
}

// ProxyFileURL returns the URL of a module proxy protocol file for
// modulePath under the proxy base URL: base/<escaped module path>/<file>,
// where file is "@v/list", "@latest" or a [VersionFile] result. The module
// path is escaped as the protocol requires (upper-case letters become '!'
// and the lower-case letter), and the URL's raw path is set so the request
// goes out byte for byte as the go command sends it ('!' as %21).
func ProxyFileURL(base *url.URL, modulePath, file string) (*url.URL, error) {
	enc, err := module.EscapePath(modulePath)
	if err != nil {
		return nil, err
	}
	u := *base
	u.Path = path.Join(strings.TrimSuffix(base.Path, "/")+"/"+enc, file)
	u.RawPath = path.Join(strings.TrimSuffix(base.RawPath, "/")+"/"+escapeSegments(enc), escapeSegments(file))
	return &u, nil
}

// VersionFile returns the proxy protocol file name "@v/<escaped
// version>.<ext>" for ext "info", "mod" or "zip".
func VersionFile(version, ext string) (string, error) {
	enc, err := module.EscapeVersion(version)
	if err != nil {
		return "", err
	}
	return "@v/" + enc + "." + ext, nil
}

// sumDBSupportedURL returns <proxy>/sumdb/<name>/supported.
func sumDBSupportedURL(p ProxyEntry, name string) *url.URL {
	return joinURL(p.URL, "sumdb/"+name+"/supported")
}

// FindSumDB finds the base URL of the checksum database for r the way
// the go command does before its first database read.
//
// With an explicit URL in GOSUMDB it returns that URL without any request.
// Otherwise it walks the GOPROXY list like [Walk], calling get with
// <proxy>/sumdb/<name>/supported for each proxy entry (the noproxy, direct
// and off entries count as not-found). A nil error from get means the
// proxy serves the database: the base is <proxy>/sumdb/<name>, and the
// go command never goes direct afterwards. If the walk ends with a
// not-found error the base is https://<name>. Any other error means the
// database is unavailable, and FindSumDB returns it (a [*StepError]).
//
// FindSumDB fails if r.SumDB.Use is false or r.SumDB.Err is set.
func FindSumDB(ctx context.Context, r *Route, get func(ctx context.Context, supported *url.URL) error) (*url.URL, error) {
	d := &r.SumDB
	switch {
	case !d.Use:
		return nil, fmt.Errorf("proxyenv: checksum database not used for %s: %s", r.Module, d.Reason)
	case d.Err != nil:
		return nil, d.Err
	case d.DB == nil:
		return nil, errors.New("proxyenv: FindSumDB: route has no checksum database")
	case d.DB.URL != nil:
		u := *d.DB.URL
		if u.Scheme == "" {
			// The go command fetches a scheme-less URL over https, its
			// first path element becoming the host.
			if v, err := url.Parse("https://" + strings.TrimPrefix(u.String(), "//")); err == nil {
				return v, nil
			}
		}
		return &u, nil
	}
	var base *url.URL
	err := walkSteps(ctx, r.Steps, func(ctx context.Context, s Step) (error, bool) {
		if s.Entry.Kind != ProxyURL {
			if s.Entry.Kind == ProxyNoproxy {
				return ErrUseProxy, false
			}
			// direct and off end the probing; the go command ranks the
			// direct entry's error first, so it reaches the database
			// directly even after an earlier proxy error with '|'.
			return ErrProxyOff, s.Entry.Kind == ProxyDirect
		}
		if err := get(ctx, sumDBSupportedURL(s.Entry, d.DB.Name)); err != nil {
			return err, false
		}
		base = joinURL(s.Entry.URL, "sumdb/"+d.DB.Name)
		return nil, false
	})
	if err == nil {
		return base, nil
	}
	if isNotFound(err) {
		return d.DB.DirectURL(), nil
	}
	return nil, err
}

// RevInfo is the content of a module proxy's .info file and @latest
// answer, decoded as strictly as the go command decodes it (a Time that
// is not RFC 3339 is an error).
type RevInfo struct {
	Version string
	Time    time.Time
	Origin  *Origin `json:",omitempty"`
}

// Origin describes where a proxy says a version came from.
type Origin struct {
	VCS       string `json:",omitempty"`
	URL       string `json:",omitempty"`
	Subdir    string `json:",omitempty"`
	Hash      string `json:",omitempty"`
	TagPrefix string `json:",omitempty"`
	TagSum    string `json:",omitempty"`
	Ref       string `json:",omitempty"`
	RepoSum   string `json:",omitempty"`
}
