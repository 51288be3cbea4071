package netrcauth

import (
	"io"
	"net/http"
	"strings"
)

// Transport is an [http.RoundTripper] that adds credentials from Auth to
// requests the way the go command does for its module downloads. Because
// [http.Client] calls RoundTrip once per redirect hop, Transport works out
// for each hop which credentials the go command would send on it:
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
//     (golang/go#77839); Transport never does. With PerHop set, each hop
//     instead gets the credentials of its own URL.
//   - A redirect to http in a chain that started on https fails with an
//     *[InsecureURLError], as in the go command; an http:// URL with
//     userinfo fails with "refusing to pass credentials to insecure URL".
//   - Unless NoRetry is set, a 4xx response to an https request makes Auth
//     re-run the GOAUTH methods with the URL and the response
//     ([Auth.Rerun]) and the request is sent once more (also with
//     GOAUTH=off), unless [Config.SkipRerunOnNotFound] applies. A request
//     whose body cannot be replayed (Body set, GetBody nil) is not retried.
//     The go command retries the whole redirect chain from its first URL;
//     a Transport can only retry the hop that failed, so callers that
//     follow redirects set NoRetry and retry the chain themselves (as
//     proxyenv's Client.Do does).
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
	// PerHop chooses each redirect hop's credentials from its own URL
	// instead of carrying the first request's as the go command does.
	PerHop bool
	// NoRetry leaves the re-run of GOAUTH and the retry after a 4xx
	// response to the caller.
	NoRetry bool
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
	credURL := req.URL
	if first, _ := redirectChain(req); first != nil && !t.PerHop {
		if first.URL.Scheme != "https" || leftFirstHost(req, first) {
			credURL = nil
		} else {
			credURL = first.URL
		}
	}
	var h SecretHeader
	if credURL != nil {
		var err error
		if h, err = a.Header(ctx, credURL, base); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	resp, err := base.RoundTrip(withHeader(req, h))
	if err != nil || resp.StatusCode < 400 || resp.StatusCode > 499 || t.NoRetry {
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
	h = nil
	if credURL != nil {
		if h, err = a.lookup(ctx, credURL); err != nil {
			closeBody(retry)
			return nil, err
		}
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
