package netrcauth

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
)

// Credential is a set of header fields to send with requests whose URL
// starts with Prefix.
type Credential struct {
	// Prefix is the URL prefix without scheme: host[:port][/path], as
	// produced by [NormalizePrefix]. It is compared with [Key] of a request
	// URL, walking up the path one segment at a time; the longest prefix
	// wins.
	Prefix string
	// Header holds the fields to set. An empty Header (with a nil Func)
	// provides nothing.
	Header SecretHeader
	// Func, if non-nil, is called for every request matching Prefix and
	// its result is used instead of Header. An error fails the request.
	// Func must be safe for concurrent use.
	Func func(ctx context.Context) (SecretHeader, error)
}

// Bearer returns a Credential sending "Authorization: Bearer <token>" to
// URLs under prefix (normalized by [NormalizePrefix]).
func Bearer(prefix string, token Secret) Credential {
	return Credential{Prefix: NormalizePrefix(prefix), Header: bearerHeader(token)}
}

// TokenFunc returns a Credential that calls token for every request under
// prefix and sends "Authorization: Bearer <token>". token can read an
// environment variable or refresh a token; it must be safe for concurrent
// use and should cache what it fetches. An error from token fails the
// request (wrapped in a *[TokenError]).
func TokenFunc(prefix string, token func(ctx context.Context) (Secret, error)) Credential {
	return Credential{Prefix: NormalizePrefix(prefix), Func: func(ctx context.Context) (SecretHeader, error) {
		t, err := token(ctx)
		if err != nil {
			return nil, err
		}
		return bearerHeader(t), nil
	}}
}

// Basic returns a Credential sending HTTP Basic authentication for login and
// password to URLs under prefix, as a netrc entry would.
func Basic(prefix, login string, password Secret) Credential {
	return Credential{Prefix: NormalizePrefix(prefix), Header: basicHeader(login, password)}
}

func bearerHeader(token Secret) SecretHeader {
	return SecretHeader{"Authorization": {NewSecret("Bearer " + token.Reveal())}}
}

func basicHeader(login string, password Secret) SecretHeader {
	v := base64.StdEncoding.EncodeToString([]byte(login + ":" + password.Reveal()))
	return SecretHeader{"Authorization": {NewSecret("Basic " + v)}}
}

// NormalizePrefix turns a URL or prefix into the form credentials are stored
// under, as the go command does: a leading "https://" and one trailing "/"
// are removed. Other schemes are kept, so such prefixes never match.
func NormalizePrefix(prefix string) string {
	prefix = strings.TrimPrefix(prefix, "https://")
	return strings.TrimSuffix(prefix, "/")
}

// Key returns the string the go command (1.26) looks credentials up with for
// a request to u: u.String() without "https://" and without one trailing
// "/". Note that it keeps userinfo and the query: a request to
// "https://user:pw@host/p" never matches a "host" entry, and "?go-get=1"
// is part of the last path segment.
func Key(u *url.URL) string {
	return NormalizePrefix(u.String())
}

// walkPrefixes calls f with key and then each shorter prefix obtained by
// cutting at the last '/', until f returns true or no '/' is left.
func walkPrefixes(key string, f func(prefix string) bool) bool {
	for {
		if f(key) {
			return true
		}
		i := strings.LastIndexByte(key, '/')
		if i < 0 {
			return false
		}
		key = key[:i]
	}
}

// portlessKey returns Key(u) with the port removed from the host, and
// whether u had a port.
func portlessKey(u *url.URL) (string, bool) {
	if u.Port() == "" {
		return "", false
	}
	v := *u
	v.Host = strings.TrimSuffix(u.Host, ":"+u.Port())
	return Key(&v), true
}

// MatchOptions relaxes [Match] and [Config] matching beyond the go
// command's rules. The zero value is the go command's behaviour.
type MatchOptions struct {
	// AnyPort makes an entry without a port (host or host/path) also match
	// requests to that host on any port, as the go command did before Go
	// 1.24 for netrc entries (golang/go#81253). Entries with a port still
	// win over port-less ones.
	AnyPort bool
}

// Match returns the netrc entry the go command would use for a request to
// u: the first entry (in file order) of the longest prefix of [Key](u)
// equal to an entry's normalized machine. It reports false when none
// matches. Match does not check the scheme; the go command sends netrc
// credentials only over https.
func Match(entries []Entry, u *url.URL, opts MatchOptions) (Entry, bool) {
	byPrefix := make(map[string]int, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		// Later duplicates are overwritten: the first entry wins.
		byPrefix[NormalizePrefix(entries[i].Machine)] = i
	}
	var found Entry
	ok := walkPrefixes(Key(u), func(p string) bool {
		i, ok := byPrefix[p]
		if ok {
			found = entries[i]
		}
		return ok
	})
	if !ok && opts.AnyPort {
		if k, hasPort := portlessKey(u); hasPort {
			ok = walkPrefixes(k, func(p string) bool {
				i, ok := byPrefix[p]
				if ok {
					found = entries[i]
				}
				return ok
			})
		}
	}
	return found, ok
}
