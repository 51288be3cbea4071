package netrcauth

import (
	"errors"
	"io"
	"net/http"
	"strings"
)

// Transport is an [http.RoundTripper] that adds credentials from Auth to
// requests the way the go command does for its module downloads. Like
// x/oauth2's Transport it only adds headers: it never interprets a
// response and never retries. The go command's re-run of GOAUTH after a
// 4xx and its one retry are the client's job ([Auth.Do]).
//
// Because [http.Client] calls RoundTrip once per redirect hop, Transport
// works out for each hop which credentials the go command would send on it:
//
//   - Credentials are added only when the first request of the redirect
//     chain is https, from the longest prefix matching that first URL's
//     [Key] (see [Auth.Header]); the request is cloned first, the caller's
//     request is never modified.
//   - A redirect hop carries the first request's credentials while every
//     hop so far stayed on the first request's host or a subdomain of it
//     (net/http's rule for Authorization, which the go command relies on:
//     a port change alone keeps them); once a hop leaves, no later hop gets
//     them. Deviation: the go command, through net/http, also forwards
//     custom GOAUTH headers such as Private-Token to other hosts
//     (golang/go#77839); Transport never does.
//   - An http:// URL with userinfo fails with an *[InsecureURLError]
//     ("refusing to pass credentials to insecure URL"), as in the go
//     command: net/http would send the password in clear text.
//
// Header fields from credentials replace same-named fields of the request
// (so, as in the go command, a GOAUTH Authorization wins over URL userinfo).
// Transport is safe for concurrent use if Base is.
type Transport struct {
	// Base sends the requests. Nil means [http.DefaultTransport].
	Base http.RoundTripper
	// Auth provides the credentials. Nil means none (insecure userinfo is
	// still refused).
	Auth *Auth
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements [http.RoundTripper].
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base()
	if req.URL == nil {
		closeBody(req)
		return nil, &InsecureURLError{URL: "<nil URL>"}
	}
	if req.URL.Scheme != "https" {
		if req.URL.Scheme == "http" && req.URL.User != nil {
			closeBody(req)
			return nil, &InsecureURLError{URL: req.URL.Redacted()}
		}
		return base.RoundTrip(req)
	}
	a := t.Auth
	if a == nil {
		return base.RoundTrip(req)
	}
	credURL := req.URL
	if first, _ := redirectChain(req); first != nil {
		if first.URL.Scheme != "https" || leftFirstHost(req, first) {
			credURL = nil
		} else {
			credURL = first.URL
		}
	}
	var h SecretHeader
	if credURL != nil {
		var err error
		if h, err = a.Header(req.Context(), credURL, base); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	resp, err := base.RoundTrip(withHeader(req, h))
	return hide(resp, req), err
}

// Do sends req with client the way the go command sends its requests
// (web.get): when the response to an https request is a 4xx, it discards
// it, re-runs the GOAUTH methods with req's URL and the response
// ([Auth.Rerun]) and sends req once more, restarting the redirect chain
// from req's URL — also with GOAUTH=off, unless
// [Config.SkipRerunOnNotFound] applies to a 404 or 410. A request whose
// body cannot be replayed (Body set, GetBody nil) is not retried. This is
// the only place modnet retries a request.
//
// client's Transport should add a's credentials (a [Transport] with
// Auth a); the Base of such a Transport also carries the HEAD request that
// checks git credentials. Do does not modify req.
func (a *Auth) Do(client *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := client.Do(req)
	if err != nil || req.URL.Scheme != "https" || resp.StatusCode < 400 || resp.StatusCode > 499 {
		return resp, err
	}
	if a.cfg.SkipRerunOnNotFound && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone) {
		return resp, nil
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil // cannot replay the body
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	ctx := req.Context()
	var base http.RoundTripper
	if t, ok := client.Transport.(*Transport); ok {
		base = t.Base
	}
	a.Rerun(ctx, req.URL, resp, base)
	retry := req.Clone(ctx)
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return client.Do(retry)
}

// MaxRedirects is where the go command (like net/http) stops following
// redirects.
const MaxRedirects = 10

// ErrTooManyRedirects is the error of the redirect that would exceed
// [MaxRedirects].
var ErrTooManyRedirects = errors.New("stopped after 10 redirects")

// CheckRedirect is the go command's redirect policy, for
// [http.Client.CheckRedirect]: it refuses to leave https for another
// scheme once the first request of the chain was https (an
// *[InsecureURLError]), and stops at the eleventh request
// ([ErrTooManyRedirects]).
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > 0 && via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return &InsecureURLError{URL: req.URL.Redacted(), From: via[len(via)-1].URL.Redacted()}
	}
	if len(via) >= MaxRedirects {
		return ErrTooManyRedirects
	}
	return nil
}

// hide points resp.Request at the caller's request rather than the clone
// carrying credentials, so that code inspecting responses never sees them.
func hide(resp *http.Response, req *http.Request) *http.Response {
	if resp != nil {
		resp.Request = req
	}
	return resp
}

// withHeader returns req, or a clone of it carrying h.
func withHeader(req *http.Request, h SecretHeader) *http.Request {
	if len(h) == 0 {
		return req
	}
	r := req.Clone(req.Context())
	for k, vs := range h {
		r.Header.Del(k)
		for _, v := range vs {
			r.Header.Add(k, v.Reveal())
		}
	}
	return r
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// redirectChain returns the first and the latest earlier request of the
// redirect chain req belongs to, or nils for a request that is not a
// redirect.
func redirectChain(req *http.Request) (first, last *http.Request) {
	for r := req; r.Response != nil && r.Response.Request != nil && r.Response.Request.URL != nil; r = r.Response.Request {
		if last == nil {
			last = r.Response.Request
		}
		first = r.Response.Request
	}
	return first, last
}

// leftFirstHost reports whether some hop of req's redirect chain went to a
// host that is neither first's host nor a subdomain of it: net/http then
// stops copying Authorization for the rest of the chain.
func leftFirstHost(req, first *http.Request) bool {
	parent := strings.ToLower(first.URL.Hostname())
	for r := req; r != nil && r != first; {
		if r.URL.Host != first.URL.Host && !isDomainOrSubdomain(strings.ToLower(r.URL.Hostname()), parent) {
			return true
		}
		if r.Response == nil {
			break
		}
		r = r.Response.Request
	}
	return false
}

// isDomainOrSubdomain reports whether sub is parent or a subdomain of it,
// as net/http decides it for redirects (IPv6 literals only match exactly).
func isDomainOrSubdomain(sub, parent string) bool {
	if sub == parent {
		return true
	}
	if strings.ContainsAny(sub, ":%") {
		return false
	}
	return strings.HasSuffix(sub, "."+parent)
}
