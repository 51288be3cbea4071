package modfetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/modnet/modnet/proxyenv"
)

// Size limits on what a proxy may send. The zip limit is the go
// command's (codehost.MaxZipFile). The go command reads go.mod files,
// .info files, version lists and @latest answers from a proxy without a
// limit (its codehost.MaxGoMod of 16 MiB applies to version control only,
// and the differential test large-go-mod shows it accepting 17 MiB), which
// modnet does not copy: a hostile proxy cannot make a Fetcher hold more
// than these in memory.
const (
	maxZipFile = 500 << 20 // the go command's codehost.MaxZipFile
	maxGoMod   = 64 << 20  // modnet's limit, above what the go command is seen to accept
	maxInfo    = 1 << 20   // .info and @latest answers (modnet's limit)
	maxList    = 16 << 20  // @v/list answers (modnet's limit)
	maxSumDB   = 1 << 20   // checksum database answers (tiles are 8 KiB)
)

// ErrTooLarge is reported (errors.Is) when a proxy or checksum database
// sends more than a Fetcher accepts: a zip over 500 MiB, as in the go
// command, or a go.mod (64 MiB), .info or @latest answer (1 MiB), version
// list (16 MiB) or checksum database answer (1 MiB) over modnet's own
// limits.
var ErrTooLarge = errors.New("modfetch: response too large")

// tooLargeError is an over-limit body, in the go command's words for a
// zip; it matches [ErrTooLarge].
type tooLargeError struct {
	what  string
	limit int64
}

func (e *tooLargeError) Error() string {
	if e.what == "zip" {
		// The go command's text.
		return "downloaded zip file too large"
	}
	return fmt.Sprintf("downloaded %s too large (limit %d bytes)", e.what, e.limit)
}

func (e *tooLargeError) Is(target error) bool { return target == ErrTooLarge }

// open fetches u with the client (or from the file system for file://
// URLs, as the go command does) and returns the body of a 200 response.
// The caller closes it.
func (f *Fetcher) open(ctx context.Context, u *url.URL) (io.ReadCloser, error) {
	switch u.Scheme {
	case "file":
		return openFileURL(u)
	case "http", "https":
	default:
		return nil, fmt.Errorf("unsupported scheme: %s", u.Redacted())
	}
	start := time.Now()
	f.trace("# get %s", u.Redacted())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		f.trace("# get %s: %v", u.Redacted(), err)
		return nil, err
	}
	f.trace("# get %s: %s (%.3fs)", u.Redacted(), resp.Status, time.Since(start).Seconds())
	if err := proxyenv.CheckResponse(resp); err != nil {
		resp.Body.Close()
		// The go command names the URL it asked for, not where a
		// redirect led.
		var se *proxyenv.StatusError
		if errors.As(err, &se) {
			se.URL = u.Redacted()
		}
		return nil, err
	}
	return resp.Body, nil
}

// read is open followed by a read of at most limit bytes; more is a
// tooLargeError naming what. A failed read is a *url.Error{Op: "read"}
// keeping the cause, as in the go command.
func (f *Fetcher) read(ctx context.Context, u *url.URL, what string, limit int64) ([]byte, error) {
	body, err := f.open(ctx, u)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		// net/http does not say which body failed; the go command adds it.
		return nil, &url.Error{Op: "read", URL: u.Redacted(), Err: err}
	}
	if int64(len(data)) > limit {
		return nil, &tooLargeError{what: what, limit: limit}
	}
	return data, nil
}

// copyBody streams the body of u into w, at most limit bytes.
func (f *Fetcher) copyBody(ctx context.Context, u *url.URL, w io.Writer, what string, limit int64) error {
	body, err := f.open(ctx, u)
	if err != nil {
		return err
	}
	defer body.Close()
	// The go command copies through an io.LimitedReader of the limit + 1.
	lr := &io.LimitedReader{R: body, N: limit + 1}
	if _, err := io.Copy(w, lr); err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return err
		}
		if !errors.Is(err, errWrite) {
			err = &url.Error{Op: "read", URL: u.Redacted(), Err: err}
		}
		return err
	}
	if lr.N <= 0 {
		return &tooLargeError{what: what, limit: limit}
	}
	return nil
}

// errWrite marks a failure writing a download to its destination (as
// opposed to reading it from the network).
var errWrite = errors.New("modfetch: write")

// writeErr tags write errors with errWrite.
type writeErr struct{ w io.Writer }

func (w writeErr) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil {
		err = fmt.Errorf("%w: %w", errWrite, err)
	}
	return n, err
}

// openFileURL opens a file:// proxy file; a missing file is a 404 and a
// forbidden one a 403, as in the go command.
func openFileURL(u *url.URL) (io.ReadCloser, error) {
	p := filepath.FromSlash(u.Path)
	fh, err := os.Open(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &proxyenv.StatusError{URL: u.Redacted(), Status: http.StatusText(http.StatusNotFound), StatusCode: http.StatusNotFound, Err: err}
	case errors.Is(err, fs.ErrPermission):
		return nil, &proxyenv.StatusError{URL: u.Redacted(), Status: http.StatusText(http.StatusForbidden), StatusCode: http.StatusForbidden, Err: err}
	case err != nil:
		return nil, err
	}
	return fh, nil
}
