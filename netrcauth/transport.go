package netrcauth

import (
	"io"
	"net/http"
)

// Transport is an [http.RoundTripper] that adds credentials from Auth to
// requests, the way the go command does for its module downloads, but
// decided anew for every request it sees — and so for every redirect hop,
// since [http.Client] calls RoundTrip once per hop:
//
//   - Credentials are added only to https requests, only from the longest
//     prefix matching the request's [Key] (see [Auth.Header]); the request
//     is cloned first, the caller's request is never modified.
//   - A redirect to another host or prefix gets that URL's credentials, or
//     none: the first URL's credentials, including custom GOAUTH headers
//     such as Private-Token, never follow it. (Deviation: the go command
//     keeps its first request's headers on redirects, and net/http forwards
//     custom headers even to other hosts, golang/go#77839.)
//   - A redirect from https to http fails with an *[InsecureURLError], as in
//     the go command; an http:// URL with userinfo fails with
//     "refusing to pass credentials to insecure URL".
//   - A 4xx response to an https request makes Auth re-run the GOAUTH
//     methods with the URL and the response ([Auth.Rerun]) and the request
//     is sent once more, as the go command does (also with GOAUTH=off),
//     unless [Config.SkipRerunOnNotFound] applies. A request whose body
//     cannot be replayed (Body set, GetBody nil) is not retried.
//
// Header fields from credentials replace same-named fields of the request
// (so, as in the go command, a GOAUTH Authorization wins over URL userinfo).
// Transport is safe for concurrent use if Base is.
type Transport struct {
	// Base sends the requests. Nil means [http.DefaultTransport].
	Base http.RoundTripper
	// Auth provides the credentials. Nil means none (insecure userinfo and
	// https-to-http redirects are still refused, and nothing is retried).
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
		if first, last := redirectChain(req); first != nil && first.URL.Scheme == "https" && req.URL.Scheme == "http" {
			// The go command refuses a redirect to http once the first
			// request of the chain was https (whatever the hops between).
			closeBody(req)
			return nil, &InsecureURLError{URL: req.URL.Redacted(), From: last.URL.Redacted()}
		}
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
	ctx := req.Context()
	h, err := a.Header(ctx, req.URL, base)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := base.RoundTrip(withHeader(req, h))
	if err != nil || resp.StatusCode < 400 || resp.StatusCode > 499 {
		return hide(resp, req), err
	}
	if a.cfg.SkipRerunOnNotFound && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone) {
		return hide(resp, req), nil
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return hide(resp, req), nil // cannot replay the body
	}
	// The go command discards a 4xx response, asks GOAUTH again with the
	// URL and the response, and retries once.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	a.Rerun(ctx, req.URL, resp, base)
	retry := req.Clone(ctx)
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		retry.Body = body
	}
	h, err = a.lookup(ctx, req.URL)
	if err != nil {
		closeBody(retry)
		return nil, err
	}
	resp, err = base.RoundTrip(withHeader(retry, h))
	return hide(resp, req), err
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
