package proxyenv

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/modnet/modnet/internal/redact"
	"golang.org/x/net/http/httpproxy"
)

// HTTPProxyConfig returns the HTTP proxy configuration the go command's HTTP
// client uses: net/http's ProxyFromEnvironment in Go 1.26 reads HTTP_PROXY,
// HTTPS_PROXY and NO_PROXY upper-case first (unlike
// httpproxy.FromEnvironment in golang.org/x/net, which prefers the
// lower-case names), and treats a non-empty REQUEST_METHOD as CGI.
//
// The result is a new Config on each call. httpproxy silently ignores or
// rewrites values it cannot parse; [Env.ValidateHTTPProxy] reports them.
func (e *Env) HTTPProxyConfig() *httpproxy.Config {
	return &httpproxy.Config{
		HTTPProxy:  e.HTTP_PROXY,
		HTTPSProxy: e.HTTPS_PROXY,
		NoProxy:    e.NO_PROXY,
		CGI:        e.REQUEST_METHOD != "",
	}
}

// A HTTPProxyError reports an HTTP proxy variable whose value
// golang.org/x/net/http/httpproxy would silently ignore or misread.
// Value has any password redacted.
type HTTPProxyError struct {
	Name  string // the variable as spelled in the environment ("https_proxy")
	Value string // the value, redacted
	Err   error  // one of ErrHTTPProxyUnparsable, ErrHTTPProxyScheme, ErrHTTPProxyNoHost, ErrHTTPProxyCGI, ErrNoProxyEntry
	// Detail is extra explanation, such as the URL httpproxy would use
	// instead (redacted).
	Detail string
}

// Errors wrapped by [HTTPProxyError].
var (
	ErrHTTPProxyUnparsable = errors.New("not a valid URL")
	ErrHTTPProxyScheme     = errors.New("unsupported proxy scheme (net/http supports http, https, socks5, socks5h)")
	ErrHTTPProxyNoHost     = errors.New("proxy URL has no host")
	ErrHTTPProxyCGI        = errors.New("ignored for http:// URLs in a CGI environment (REQUEST_METHOD is set)")
	ErrNoProxyEntry        = errors.New("NO_PROXY entry can never match")
)

func (e *HTTPProxyError) Error() string {
	s := "proxyenv: " + e.Name + "=" + quote(e.Value) + ": " + e.Err.Error()
	if e.Detail != "" {
		s += "; " + e.Detail
	}
	return s
}

// Unwrap returns e.Err.
func (e *HTTPProxyError) Unwrap() error { return e.Err }

// ValidateHTTPProxy reports HTTP_PROXY, HTTPS_PROXY and NO_PROXY values that
// the go command's HTTP client would silently ignore or misread: a proxy
// that does not parse as a URL (httpproxy then retries with "http://"
// prepended, so "http://[bad" becomes "http://http://[bad"), a proxy with
// an unsupported scheme or no host, HTTP_PROXY in a CGI environment, and
// NO_PROXY entries that can never match. It returns nil or the errors
// joined; each is a *[HTTPProxyError] naming the variable, with credentials
// redacted.
func (e *Env) ValidateHTTPProxy() error {
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
			errs = append(errs, &HTTPProxyError{Name: v.Name, Value: redactURLString(v.Value), Err: ErrHTTPProxyCGI})
		}
	}
	if v := e.Sources["NO_PROXY"]; v.Value != "" {
		for _, p := range strings.Split(v.Value, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if why := noProxyEntryProblem(p); why != "" {
				errs = append(errs, &HTTPProxyError{Name: v.Name, Value: p, Err: ErrNoProxyEntry, Detail: why})
			}
		}
	}
	return errors.Join(errs...)
}

// validateProxyURL mirrors httpproxy's parsing of a proxy value: parse it
// as a URL; if that fails or yields no scheme or host, parse it again with
// "http://" prepended and use that if it parses.
func validateProxyURL(name, raw string) *HTTPProxyError {
	red := redactURLString(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		u2, err2 := url.Parse("http://" + raw)
		switch {
		case err2 != nil && err != nil:
			return &HTTPProxyError{Name: name, Value: red, Err: ErrHTTPProxyUnparsable,
				Detail: "net/http ignores it and connects directly (" + scrub(urlErrText(err), raw) + ")"}
		case err2 != nil:
			// Parsed but without scheme or host; httpproxy then uses it as is.
			return &HTTPProxyError{Name: name, Value: red, Err: ErrHTTPProxyNoHost}
		case err != nil:
			return &HTTPProxyError{Name: name, Value: red, Err: ErrHTTPProxyUnparsable,
				Detail: "httpproxy uses " + quote("http://"+red) + " instead (" + scrub(urlErrText(err), raw) + ")"}
		}
		if strings.Contains(raw, "://") {
			// A URL with a scheme but no host: the retry misreads it.
			return &HTTPProxyError{Name: name, Value: red, Err: ErrHTTPProxyNoHost,
				Detail: "httpproxy uses " + quote("http://"+red) + " instead"}
		}
		u = u2
	}
	if u.Hostname() == "" {
		return &HTTPProxyError{Name: name, Value: red, Err: ErrHTTPProxyNoHost}
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return &HTTPProxyError{Name: name, Value: red, Err: ErrHTTPProxyScheme, Detail: "scheme " + quote(u.Scheme)}
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
	if secret, ok := redact.URLSecret(raw); ok {
		msg = strings.ReplaceAll(msg, secret, "xxxxx")
	}
	return msg
}

// redactURLString replaces the password in a URL-like string with
// "xxxxx", as url.URL.Redacted does, also for strings that do not parse.
func redactURLString(raw string) string { return redact.URL(raw) }

// Redact returns the value of the go environment variable name with its
// credentials hidden, for display: the password of userinfo in
// HTTP_PROXY, HTTPS_PROXY and ALL_PROXY URLs, in GOPROXY entries and in a
// GOSUMDB URL becomes "xxxxx", as in url.URL.Redacted. Other values are
// returned unchanged.
func Redact(name, value string) string { return redact.Var(name, value) }

// redactVar redacts credentials in a variable's value for display.
func redactVar(name, v string) string { return redact.Var(name, v) }

func quote(s string) string { return strconv.Quote(s) }

// Scrubber returns a function that replaces, in any text, the password of
// every URL in e's GOPROXY, GOSUMDB and HTTP proxy values (and in the
// extra values, such as lower-case proxy variables a program printed) by
// "xxxxx", also where the text holds it percent-decoded. It is a safety
// net for programs that print errors from other code; values formatted by
// modnet are already redacted.
func (e *Env) Scrubber(extra ...string) func(string) string {
	values := append([]string{e.GOPROXY, e.GOSUMDB, e.HTTP_PROXY, e.HTTPS_PROXY}, extra...)
	for _, name := range []string{"GOPROXY", "GOSUMDB", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"} {
		if v, ok := e.GoEnv(name); ok {
			values = append(values, v)
		}
	}
	var pairs []string
	for _, v := range values {
		for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '|' || unicode.IsSpace(r) }) {
			pass, ok := redact.URLSecret(tok)
			if !ok {
				continue
			}
			pairs = append(pairs, ":"+pass+"@", ":xxxxx@")
			if dec, err := url.PathUnescape(pass); err == nil && dec != pass {
				pairs = append(pairs, ":"+dec+"@", ":xxxxx@")
			}
		}
	}
	if len(pairs) == 0 {
		return func(s string) string { return s }
	}
	return strings.NewReplacer(pairs...).Replace
}
