package netrcauth

import (
	"net/url"
	"strings"
)

// URLSecret returns the secret in the userinfo of a URL-like string, as
// written, and reports whether there is one: the password of
// "scheme://user:password@host/...", or, for a string that does not parse
// as a URL, a lone user name too (tokens are often passed that way).
// It finds userinfo even where url.Parse gives up, such as a password
// holding '/' ("https://u:pa/ss@host").
func URLSecret(raw string) (secret string, ok bool) {
	ui, _, found := userinfoSpan(raw)
	if !found {
		return "", false
	}
	user, pass, hasPass := strings.Cut(ui, ":")
	if hasPass {
		return pass, pass != ""
	}
	if u, err := url.Parse(raw); err == nil && u.Opaque == "" {
		// url.URL.Redacted keeps a user name; so do we for a valid URL.
		return "", false
	}
	return user, user != ""
}

// RedactURL returns raw with the secret URLSecret finds replaced by
// "xxxxx", as url.URL.Redacted does for a valid URL, also for strings that
// do not parse. Strings without userinfo are returned unchanged.
func RedactURL(raw string) string {
	ui, start, found := userinfoSpan(raw)
	if !found {
		return raw
	}
	if i := strings.IndexByte(ui, ':'); i >= 0 {
		if i+1 == len(ui) {
			return raw
		}
		return raw[:start+i+1] + "xxxxx" + raw[start+len(ui):]
	}
	if u, err := url.Parse(raw); err == nil && u.Opaque == "" {
		return raw
	}
	return raw[:start] + "xxxxx" + raw[start+len(ui):]
}

// userinfoSpan finds the userinfo of a URL-like string and its offset.
// For a string that parses, it is the parsed URL's userinfo. Otherwise it
// is the part of the authority (after "scheme://", if any) before its
// last '@'; and when the authority as cut at the first '/', '?' or '#'
// holds no '@', a later '@' still ends userinfo if what comes before the
// first '/' looks like "user:password" rather than "host:port".
func userinfoSpan(raw string) (ui string, start int, ok bool) {
	// A scheme-less "user:pass@host" parses as an opaque URL; treat it as
	// an authority like the unparsable strings below.
	if u, err := url.Parse(raw); err == nil && u.Opaque == "" {
		if u.User == nil {
			return "", 0, false
		}
		i := strings.Index(raw, "://")
		if i < 0 {
			return "", 0, false
		}
		start = i + 3
		rest := raw[start:]
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			rest = rest[:j]
		}
		at := strings.LastIndexByte(rest, '@')
		if at < 0 {
			return "", 0, false
		}
		return rest[:at], start, true
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + 3
	}
	rest := raw[start:]
	auth := rest
	if j := strings.IndexAny(auth, "/?#"); j >= 0 {
		auth = auth[:j]
	}
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		return auth[:at], start, true
	}
	at := strings.IndexByte(rest, '@')
	if at < 0 || len(auth) == len(rest) {
		return "", 0, false
	}
	host, port, hasColon := strings.Cut(auth, ":")
	if !hasColon || host == "" || allDigits(port) {
		return "", 0, false
	}
	return rest[:at], start, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
