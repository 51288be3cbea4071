// Package redact hides secrets in URL-like strings and in the values of
// go environment variables, for errors, logs and display. Every package
// of modnet redacts through it.
package redact

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

// URL returns raw with the secret URLSecret finds replaced by
// "xxxxx", as url.URL.Redacted does for a valid URL, also for strings that
// do not parse. Strings without userinfo are returned unchanged.
func URL(raw string) string {
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

// Var returns the value v of the go environment variable name with its
// credentials hidden: userinfo passwords in HTTP_PROXY, HTTPS_PROXY and
// ALL_PROXY URLs, in GOPROXY entries and in GOSUMDB fields after the key
// become "xxxxx". Other variables are returned unchanged.
func Var(name, v string) string {
	switch strings.ToUpper(name) {
	case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY":
		return ConfigURL(v)
	case "GOPROXY":
		var b strings.Builder
		for v != "" {
			i := strings.IndexAny(v, ",|")
			if i < 0 {
				b.WriteString(ConfigURL(v))
				break
			}
			b.WriteString(ConfigURL(v[:i]))
			b.WriteByte(v[i])
			v = v[i+1:]
		}
		return b.String()
	case "GOSUMDB":
		// Every field after the key may be a URL (the go command rejects
		// more than one, but the value is shown as written).
		f := strings.Fields(v)
		var b strings.Builder
		for i, field := range f {
			j := strings.Index(v, field)
			b.WriteString(v[:j])
			if i == 0 {
				b.WriteString(field)
			} else {
				b.WriteString(ConfigURL(field))
			}
			v = v[j+len(field):]
		}
		b.WriteString(v)
		return b.String()
	}
	return v
}

// ConfigURL redacts a URL taken from a configuration variable. Such
// a URL names a server, so an '@' after its "host" can only end userinfo
// that url.Parse misread as host, port and path (a password starting with
// digits and holding '/', '?' or '#': "https://u:2024/pw@host"); module
// paths in a request ("/@v/", "m@v1.2.3") never occur in it.
func ConfigURL(v string) string {
	red := URL(v)
	if red != v {
		return red
	}
	i := strings.Index(v, "://")
	if i < 0 {
		return v
	}
	start := i + 3
	rest := v[start:]
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return v
	}
	ui := rest[:at]
	colon := strings.IndexByte(ui, ':')
	if colon < 0 || strings.ContainsAny(ui[:colon], "/?#") {
		return v
	}
	return v[:start+colon+1] + "xxxxx" + v[start+at:]
}
