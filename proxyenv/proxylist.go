package proxyenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/modnet/modnet/internal/redact"
)

// ProxyKind says what a GOPROXY list entry is.
type ProxyKind int

// The kinds of GOPROXY list entries.
const (
	// ProxyURL is a module proxy reached over http, https or file.
	ProxyURL ProxyKind = iota
	// ProxyDirect is the keyword "direct": fetch from the origin.
	ProxyDirect
	// ProxyOff is the keyword "off": every lookup fails.
	ProxyOff
	// ProxyNoproxy is the implicit first entry the go command adds when
	// GONOPROXY is set: paths matching GONOPROXY are fetched directly,
	// all other paths move on to the next entry.
	ProxyNoproxy
)

var proxyKindNames = [...]string{ProxyURL: "url", ProxyDirect: "direct", ProxyOff: "off", ProxyNoproxy: "noproxy"}

// String returns "url", "direct", "off" or "noproxy".
func (k ProxyKind) String() string {
	if k >= 0 && int(k) < len(proxyKindNames) {
		return proxyKindNames[k]
	}
	return fmt.Sprintf("ProxyKind(%d)", int(k))
}

// MarshalText encodes k as its String form.
func (k ProxyKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes the String form of a ProxyKind.
func (k *ProxyKind) UnmarshalText(b []byte) error {
	for i, n := range proxyKindNames {
		if string(b) == n {
			*k = ProxyKind(i)
			return nil
		}
	}
	return fmt.Errorf("proxyenv: unknown proxy kind %q", b)
}

// A ProxyEntry is one element of a parsed GOPROXY list.
type ProxyEntry struct {
	Kind ProxyKind
	// URL is the proxy's base URL for Kind ProxyURL and nil otherwise. It
	// may hold userinfo; String and MarshalJSON redact it.
	URL *url.URL
	// FallBackOnError reports whether the separator after this entry was
	// '|': the next entry is then tried after any error, not only after a
	// not-found (404 or 410) answer.
	FallBackOnError bool
}

// String returns the entry as it would appear in GOPROXY, with any
// password in the URL replaced by "xxxxx".
func (e ProxyEntry) String() string {
	if e.Kind == ProxyURL {
		if e.URL == nil {
			return ""
		}
		return e.URL.Redacted()
	}
	return e.Kind.String()
}

type proxyEntryJSON struct {
	Kind            ProxyKind `json:"kind"`
	URL             string    `json:"url,omitempty"`
	FallBackOnError bool      `json:"fallBackOnError,omitempty"`
}

// MarshalJSON encodes the entry with its URL redacted.
func (e ProxyEntry) MarshalJSON() ([]byte, error) {
	j := proxyEntryJSON{Kind: e.Kind, FallBackOnError: e.FallBackOnError}
	if e.Kind == ProxyURL && e.URL != nil {
		j.URL = e.URL.Redacted()
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes an entry written by MarshalJSON. A redacted
// password stays redacted.
func (e *ProxyEntry) UnmarshalJSON(b []byte) error {
	var j proxyEntryJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = ProxyEntry{Kind: j.Kind, FallBackOnError: j.FallBackOnError}
	if j.URL != "" {
		u, err := url.Parse(j.URL)
		if err != nil {
			return err
		}
		e.URL = u
	}
	return nil
}

// ErrNoProxyEntries is the error (wrapped in a [*ProxyListError]) for a
// GOPROXY value that holds no entries, such as "", "," or " ". The text is
// the go command's, even for the empty string.
var ErrNoProxyEntries = errors.New("GOPROXY list is not the empty string, but contains no entries")

// A ProxyListError reports an invalid GOPROXY value. Err's text is what the
// go command prints for the same value (after "go: module@version: "),
// with passwords in URLs redacted.
type ProxyListError struct {
	Var   string // the variable, "GOPROXY"
	Entry string // the offending entry (redacted), or "" for the whole list
	Err   error  // ErrNoProxyEntries, a *url.Error, or a message naming the entry
	// File and Line locate the value when a go env file set it (filled
	// in by [Env.Router]); the error text stays the go command's.
	File string
	Line int
}

func (e *ProxyListError) Error() string { return "proxyenv: " + e.Var + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *ProxyListError) Unwrap() error { return e.Err }

// ParseProxyList parses a GOPROXY value the way the go command does, given
// the effective GONOPROXY (which defaults to GOPRIVATE; see [Env]).
//
// Entries are separated by ',' (the next entry is tried only after a
// not-found answer) or '|' (the next entry is tried after any error);
// spaces around entries and empty entries are ignored. The keywords
// "direct" and "off" end the list: entries after them are ignored, as the
// go command ignores them. When gonoproxy is not empty and goproxy is not
// exactly "direct", an implicit [ProxyNoproxy] entry comes first.
//
// An entry that contains '.', ':' or '/' but neither ":/" nor is an
// absolute path gets "https://" prepended, so "proxy.corp" means
// "https://proxy.corp". URLs must use http, https or file, and file URLs
// may only have a path.
//
// Any error is a [*ProxyListError].
func ParseProxyList(goproxy, gonoproxy string) ([]ProxyEntry, error) {
	var list []ProxyEntry
	// The go command compares the raw value with "direct" here, so
	// " direct" still gets the implicit noproxy entry.
	if gonoproxy != "" && goproxy != "direct" {
		list = append(list, ProxyEntry{Kind: ProxyNoproxy})
	}
	rest := goproxy
	for rest != "" {
		var entry string
		fallBack := false
		if i := strings.IndexAny(rest, ",|"); i >= 0 {
			entry, fallBack, rest = rest[:i], rest[i] == '|', rest[i+1:]
		} else {
			entry, rest = rest, ""
		}
		entry = strings.TrimSpace(entry)
		switch entry {
		case "":
			continue
		case "off":
			// "off" fails every lookup, so nothing after it can matter.
			return append(list, ProxyEntry{Kind: ProxyOff}), nil
		case "direct":
			// The go command ignores entries after "direct" (reserved for
			// future fallback rules).
			return append(list, ProxyEntry{Kind: ProxyDirect}), nil
		}
		u, err := parseProxyURL(entry)
		if err != nil {
			return nil, &ProxyListError{Var: "GOPROXY", Entry: redactRaw(entry), Err: err}
		}
		list = append(list, ProxyEntry{Kind: ProxyURL, URL: u, FallBackOnError: fallBack})
	}
	if len(list) == 0 || len(list) == 1 && list[0].Kind == ProxyNoproxy {
		return nil, &ProxyListError{Var: "GOPROXY", Err: ErrNoProxyEntries}
	}
	return list, nil
}

// inferScheme applies the go command's rule for scheme-less entries:
// single words stay keywords (and later fail), anything with ":/" or an
// absolute path must already be a full URL, everything else is https.
func inferScheme(entry string) string {
	if strings.ContainsAny(entry, ".:/") && !strings.Contains(entry, ":/") && !filepath.IsAbs(entry) && !path.IsAbs(entry) {
		return "https://" + entry
	}
	return entry
}

// parseProxyURL validates one non-keyword entry like the go command's
// proxy constructor.
func parseProxyURL(entry string) (*url.URL, error) {
	raw := inferScheme(entry)
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error quotes the input verbatim, password included.
			return nil, &url.Error{Op: ue.Op, URL: redactRaw(ue.URL), Err: ue.Err}
		}
		return nil, err
	}
	switch u.Scheme {
	case "http", "https":
	case "file":
		if *u != (url.URL{Scheme: u.Scheme, Path: u.Path, RawPath: u.RawPath}) {
			return nil, fmt.Errorf("invalid file:// proxy URL with non-path elements: %s", u.Redacted())
		}
	case "":
		return nil, fmt.Errorf("invalid proxy URL missing scheme: %s", u.Redacted())
	default:
		return nil, fmt.Errorf("invalid proxy URL scheme (must be https, http, file): %s", u.Redacted())
	}
	return u, nil
}

// redactRaw hides the password of a URL-like string that may not parse:
// "scheme://user:pass@host" becomes "scheme://user:xxxxx@host".
func redactRaw(s string) string { return redact.URL(s) }
