package proxyenv

import (
	"errors"
	"github.com/modnet/modnet/netrcauth"
	"net"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// ProxyConfig returns the HTTP proxy configuration the go command's HTTP
// client uses: net/http's ProxyFromEnvironment in Go 1.26 reads HTTP_PROXY,
// HTTPS_PROXY and NO_PROXY upper-case first (unlike
// httpproxy.FromEnvironment in golang.org/x/net, which prefers the
// lower-case names), and treats a non-empty REQUEST_METHOD as CGI.
//
// The result is a new Config on each call. httpproxy silently ignores or
// rewrites values it cannot parse; [Env.ValidateProxy] reports them.
func (e *Env) ProxyConfig() *httpproxy.Config {
	return &httpproxy.Config{
		HTTPProxy:  e.HTTP_PROXY,
		HTTPSProxy: e.HTTPS_PROXY,
		NoProxy:    e.NO_PROXY,
		CGI:        e.REQUEST_METHOD != "",
	}
}

// A ProxyError reports an HTTP proxy variable whose value
// golang.org/x/net/http/httpproxy would silently ignore or misread.
// Value has any password redacted.
type ProxyError struct {
	Name  string // the variable as spelled in the environment ("https_proxy")
	Value string // the value, redacted
	Err   error  // one of ErrProxyUnparsable, ErrProxyScheme, ErrProxyNoHost, ErrProxyCGI, ErrNoProxyEntry
	// Detail is extra explanation, such as the URL httpproxy would use
	// instead (redacted).
	Detail string
}

// Errors wrapped by [ProxyError].
var (
	ErrProxyUnparsable = errors.New("not a valid URL")
	ErrProxyScheme     = errors.New("unsupported proxy scheme (net/http supports http, https, socks5, socks5h)")
	ErrProxyNoHost     = errors.New("proxy URL has no host")
	ErrProxyCGI        = errors.New("ignored for http:// URLs in a CGI environment (REQUEST_METHOD is set)")
	ErrNoProxyEntry    = errors.New("NO_PROXY entry can never match")
)

func (e *ProxyError) Error() string {
	s := "proxyenv: " + e.Name + "=" + quote(e.Value) + ": " + e.Err.Error()
	if e.Detail != "" {
		s += "; " + e.Detail
	}
	return s
}

// Unwrap returns e.Err.
func (e *ProxyError) Unwrap() error { return e.Err }

// ValidateProxy reports HTTP_PROXY, HTTPS_PROXY and NO_PROXY values that
// the go command's HTTP client would silently ignore or misread: a proxy
// that does not parse as a URL (httpproxy then retries with "http://"
// prepended, so "http://[bad" becomes "http://http://[bad"), a proxy with
// an unsupported scheme or no host, HTTP_PROXY in a CGI environment, and
// NO_PROXY entries that can never match. It returns nil or the errors
// joined; each is a *[ProxyError] naming the variable, with credentials
// redacted.
func (e *Env) ValidateProxy() error {
	var errs []error
	for _, key := range [...]string{"HTTP_PROXY", "HTTPS_PROXY"} {
		v := e.Sources[key]
		if v.Value == "" {
			continue
		}
		if err := validateProxyURL(v.Name, v.Value); err != nil {
			errs = append(errs, err)
		}
		if key == "HTTP_PROXY" && e.REQUEST_METHOD != "" {
			errs = append(errs, &ProxyError{Name: v.Name, Value: redactURLString(v.Value), Err: ErrProxyCGI})
		}
	}
	if v := e.Sources["NO_PROXY"]; v.Value != "" {
		for _, p := range strings.Split(v.Value, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if why := noProxyEntryProblem(p); why != "" {
				errs = append(errs, &ProxyError{Name: v.Name, Value: p, Err: ErrNoProxyEntry, Detail: why})
			}
		}
	}
	return errors.Join(errs...)
}

// validateProxyURL mirrors httpproxy's parsing of a proxy value: parse it
// as a URL; if that fails or yields no scheme or host, parse it again with
// "http://" prepended and use that if it parses.
func validateProxyURL(name, raw string) *ProxyError {
	red := redactURLString(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		u2, err2 := url.Parse("http://" + raw)
		switch {
		case err2 != nil && err != nil:
			return &ProxyError{Name: name, Value: red, Err: ErrProxyUnparsable,
				Detail: "net/http ignores it and connects directly (" + scrub(urlErrText(err), raw) + ")"}
		case err2 != nil:
			// Parsed but without scheme or host; httpproxy then uses it as is.
			return &ProxyError{Name: name, Value: red, Err: ErrProxyNoHost}
		case err != nil:
			return &ProxyError{Name: name, Value: red, Err: ErrProxyUnparsable,
				Detail: "httpproxy uses " + quote("http://"+red) + " instead (" + scrub(urlErrText(err), raw) + ")"}
		}
		if strings.Contains(raw, "://") {
			// A URL with a scheme but no host: the retry misreads it.
			return &ProxyError{Name: name, Value: red, Err: ErrProxyNoHost,
				Detail: "httpproxy uses " + quote("http://"+red) + " instead"}
		}
		u = u2
	}
	if u.Hostname() == "" {
		return &ProxyError{Name: name, Value: red, Err: ErrProxyNoHost}
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return &ProxyError{Name: name, Value: red, Err: ErrProxyScheme, Detail: "scheme " + quote(u.Scheme)}
	}
	return nil
}

// noProxyEntryProblem explains why a NO_PROXY entry can never match a
// host, or returns "".
func noProxyEntryProblem(p string) string {
	if p == "*" {
		return ""
	}
	if strings.Contains(p, "://") {
		return "entries are host names, domains, IP addresses or CIDR ranges, not URLs"
	}
	if _, _, err := net.ParseCIDR(p); err == nil {
		return ""
	}
	if strings.Contains(p, "/") {
		return "only CIDR ranges may contain '/'"
	}
	if h, _, err := net.SplitHostPort(p); err == nil && h == "" {
		return "no host before the port"
	}
	return ""
}

func urlErrText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// scrub removes the password of raw's userinfo from msg.
func scrub(msg, raw string) string {
	if secret, ok := netrcauth.URLSecret(raw); ok {
		msg = strings.ReplaceAll(msg, secret, "xxxxx")
	}
	return msg
}

// redactURLString replaces the password in a URL-like string with
// "xxxxx", as url.URL.Redacted does, also for strings that do not parse.
func redactURLString(raw string) string { return netrcauth.RedactURL(raw) }

// Redact returns the value of the go environment variable name with its
// credentials hidden, for display: the password of userinfo in
// HTTP_PROXY, HTTPS_PROXY and ALL_PROXY URLs, in GOPROXY entries and in a
// GOSUMDB URL becomes "xxxxx", as in url.URL.Redacted. Other values are
// returned unchanged.
func Redact(name, value string) string { return redactVar(name, value) }

// redactVar redacts credentials in a variable's value for display:
// userinfo passwords in proxy URLs, GOPROXY entries and a GOSUMDB URL.
func redactVar(name, v string) string {
	switch strings.ToUpper(name) {
	case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY":
		return redactConfigURL(v)
	case "GOPROXY":
		var b strings.Builder
		for v != "" {
			i := strings.IndexAny(v, ",|")
			if i < 0 {
				b.WriteString(redactConfigURL(v))
				break
			}
			b.WriteString(redactConfigURL(v[:i]))
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
				b.WriteString(redactConfigURL(field))
			}
			v = v[j+len(field):]
		}
		b.WriteString(v)
		return b.String()
	}
	return v
}

// redactConfigURL redacts a URL taken from a configuration variable. Such
// a URL names a server, so an '@' after its "host" can only end userinfo
// that url.Parse misread as host, port and path (a password starting with
// digits and holding '/', '?' or '#': "https://u:2024/pw@host"); module
// paths in a request ("/@v/", "m@v1.2.3") never occur in it.
func redactConfigURL(v string) string {
	red := netrcauth.RedactURL(v)
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
func quote(s string) string { return strconv.Quote(s) }
