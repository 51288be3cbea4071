package trust

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"
)

func alertNumber(a any) (uint8, bool) {
	v := reflect.ValueOf(a)
	if v.Kind() == reflect.Uint8 {
		return uint8(v.Uint()), true
	}
	return 0, false
}

// verifier re-runs verification of one presented chain offline.
type verifier struct {
	chain []*x509.Certificate
	host  string
	now   time.Time
}

func (v *verifier) verify(roots *x509.CertPool, host string, at time.Time, extra ...*x509.Certificate) error {
	if len(v.chain) == 0 || roots == nil {
		return errors.New("nothing to verify")
	}
	inter := x509.NewCertPool()
	for _, c := range v.chain[1:] {
		inter.AddCert(c)
	}
	for _, c := range extra {
		inter.AddCert(c)
	}
	_, err := v.chain[0].Verify(x509.VerifyOptions{
		DNSName:       host,
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

// validTime returns a time inside every presented certificate's validity
// window, if there is one.
func validTime(chain []*x509.Certificate) (time.Time, bool) {
	var lo, hi time.Time
	for i, c := range chain {
		if i == 0 || c.NotBefore.After(lo) {
			lo = c.NotBefore
		}
		if i == 0 || c.NotAfter.Before(hi) {
			hi = c.NotAfter
		}
	}
	if len(chain) == 0 || !lo.Before(hi) {
		return time.Time{}, false
	}
	return lo.Add(hi.Sub(lo) / 2), true
}

// diagnose classifies a certificate verification failure by re-verifying
// the presented chain offline, varying one condition at a time.
func diagnose(e *Error, err error, chain []*x509.Certificate, o *options) {
	e.Chain = summaries(chain)
	now := o.now()
	v := &verifier{chain: chain, host: e.Host, now: now}
	p := o.pool
	var roots *x509.CertPool
	if p != nil {
		roots = p.roots
	} else {
		roots, _ = x509.SystemCertPool()
	}
	var (
		hostErr x509.HostnameError
		ciErr   x509.CertificateInvalidError
	)
	if len(chain) == 0 {
		e.Kind = KindUnknownAuthority
		e.Hint = "the server's certificate could not be verified"
		return
	}
	leaf := chain[0]

	// Which single change makes the chain verify?
	if roots != nil && v.verify(roots, e.Host, now) == nil {
		e.VerifiesWith = VerifiesNow
		e.Evidence = append(e.Evidence, "the presented chain verifies offline against the same roots now: the failure came from the platform verifier or a changed configuration")
	}
	switch {
	case errors.As(err, &hostErr):
		e.Kind = KindHostnameMismatch
		if v.verify(roots, "", now) == nil {
			e.VerifiesWith = VerifiesWithoutHostname
		}
		names := append(append([]string{}, leaf.DNSNames...), e.Chain[0].IPAddresses...)
		dialed := e.Host
		if ip := net.ParseIP(dialed); ip != nil {
			e.Evidence = append(e.Evidence, fmt.Sprintf("dialed the IP address %s: only IP SANs count, not DNS names", dialed))
		}
		if len(names) == 0 {
			e.Evidence = append(e.Evidence, fmt.Sprintf("the certificate has no subject alternative names (common name %q is not used by Go)", leaf.Subject.CommonName))
		}
		e.Hint = fmt.Sprintf("the certificate is for %s, not %s: use a URL with one of those names, or have the server's certificate reissued to include %s", quoteList(names), dialed, dialed)
		return
	case errors.As(err, &ciErr) && ciErr.Reason == x509.Expired:
		bad := ciErr.Cert
		if bad == nil {
			bad = leaf
		}
		role := "the server's certificate"
		if bad != leaf {
			role = fmt.Sprintf("the intermediate %q", bad.Subject.CommonName)
		}
		t, ok := validTime(chain)
		if !ok {
			// The windows do not overlap: try inside the failing
			// certificate's own window.
			t, ok = validTime([]*x509.Certificate{bad})
		}
		if ok && v.verify(roots, e.Host, t) == nil {
			e.VerifiesWith = VerifiesAtValidTime
		}
		if now.Before(bad.NotBefore) {
			e.Kind = KindNotYetValid
			e.ClockOffset = bad.NotBefore.Sub(now)
			e.Evidence = append(e.Evidence, fmt.Sprintf("%s is valid from %s, %s after the local time %s", role, bad.NotBefore.UTC().Format(time.RFC3339), roundDur(e.ClockOffset), now.UTC().Format(time.RFC3339)))
			e.Hint = fmt.Sprintf("%s is not valid yet: if the server is right, the local clock is at least %s behind; fix the clock (e.g. enable NTP: timedatectl set-ntp true), otherwise the server was given a certificate dated in the future", role, roundDur(e.ClockOffset))
		} else {
			e.Kind = KindExpired
			e.ClockOffset = bad.NotAfter.Sub(now)
			e.Evidence = append(e.Evidence, fmt.Sprintf("%s expired at %s, %s before the local time %s", role, bad.NotAfter.UTC().Format(time.RFC3339), roundDur(-e.ClockOffset), now.UTC().Format(time.RFC3339)))
			e.Hint = fmt.Sprintf("%s expired %s ago: the server's operator must renew it; if the certificate is known to be current, the local clock is at least %s ahead (check the date and NTP)", role, roundDur(-e.ClockOffset), roundDur(-e.ClockOffset))
		}
		return
	case errors.As(err, &ciErr):
		e.Kind = KindUnknownAuthority
		e.Hint = fmt.Sprintf("the chain is invalid (%v): the server's operator must fix its certificate chain", ciErr)
		return
	}

	// Unknown authority: try the alternatives.
	top := chain[len(chain)-1]
	if p != nil && p.extra != nil && v.verify(p.extra, e.Host, now) == nil {
		e.Kind = KindUnknownAuthority
		e.VerifiesWith = VerifiesWithUnscoped
		e.Evidence = append(e.Evidence, "an extra CA would vouch for this chain but is limited to other hosts")
		e.Hint = fmt.Sprintf("the CA that issued this certificate is configured to vouch only for other hosts; if it really should vouch for %s, add the host to that CA source's host list", e.Host)
		e.APIHint = fmt.Sprintf("the CA that issued this certificate is limited by its Source.Hosts in Config.Extra; add %s there if it really should vouch for it", e.Host)
		return
	}
	if selfSigned(leaf) {
		e.Kind = KindSelfSigned
		e.VerifiesWith = VerifiesWithLeafAsRoot
		e.Evidence = append(e.Evidence, fmt.Sprintf("the leaf %q is signed by its own key", leaf.Subject.String()))
		ev := interception(chain, e.Host, e.Proxy)
		e.Evidence = append(e.Evidence, ev...)
		if len(ev) > 0 {
			// Never suggest trusting a certificate a proxy minted for
			// one host: that trusts the proxy for this host only, and
			// only until it mints the next one.
			e.Hint = fmt.Sprintf("the certificate for %s appears to come from a TLS-inspecting proxy%s that signs with a per-host self-signed certificate: ask your network team for the proxy's CA certificate (a certificate minted for one host is not one to trust), or to exempt %s from inspection", e.Host, proxyNote(e.Proxy), e.Host)
			return
		}
		e.Hint, e.APIHint = trustCAHints(p, fmt.Sprintf("the certificate (SHA-256 %s)", e.Chain[0].SHA256))
		lead := fmt.Sprintf("%s presents a self-signed certificate: give the server a certificate from a CA you trust or, if this very certificate is expected, ", e.Host)
		e.Hint, e.APIHint = lead+e.Hint, lead+e.APIHint
		return
	}
	if v.verify(p.mozillaPool(), e.Host, now) == nil {
		e.Kind = KindUnknownAuthority
		e.VerifiesWith = VerifiesWithMozilla
		e.Evidence = append(e.Evidence, "the chain verifies with the Mozilla root bundle but not with this system's roots")
		e.Hint = "the system's CA certificates lack a public root: install or update them (e.g. apt-get install ca-certificates, apk add ca-certificates, dnf install ca-certificates), or point SSL_CERT_FILE at a current public bundle"
		e.APIHint = "the system's CA certificates lack a public root: update them, or add the root to Config.Extra; Config.MozillaFallback helps only where the system has no roots at all (scratch or distroless images)"
		return
	}
	if o.aia != nil && len(chain) == 1 && len(leaf.IssuingCertificateURL) > 0 {
		if inter := fetchAIA(o, leaf.IssuingCertificateURL[0]); inter != nil && v.verify(roots, e.Host, now, inter) == nil {
			e.Kind = KindIncompleteChain
			e.VerifiesWith = VerifiesWithAIA
			e.Evidence = append(e.Evidence, fmt.Sprintf("the chain verifies once the intermediate %q from %s is added", inter.Subject.String(), leaf.IssuingCertificateURL[0]))
			e.Hint = fmt.Sprintf("%s does not send its intermediate certificate %q: the server's operator must configure the full chain (leaf followed by intermediates)", e.Host, inter.Subject.CommonName)
			return
		}
	}
	issuerPresented := false
	for _, c := range chain[1:] {
		if bytes.Equal(c.RawSubject, leaf.RawIssuer) {
			issuerPresented = true
		}
	}
	issuerTrusted := p != nil && p.subjects[string(leaf.RawIssuer)]
	if !issuerPresented && !issuerTrusted && len(leaf.IssuingCertificateURL) > 0 {
		e.Kind = KindIncompleteChain
		e.Evidence = append(e.Evidence, fmt.Sprintf("the server sent no certificate for the leaf's issuer %q; the leaf names its issuer's URL %s", leaf.Issuer.String(), leaf.IssuingCertificateURL[0]))
		e.Hint = fmt.Sprintf("%s does not send its intermediate certificate (%q, available at %s): the server's operator must configure the full chain; Go never fetches missing intermediates (browsers and macOS/Windows may, which is why it can work there)", e.Host, leaf.Issuer.CommonName, leaf.IssuingCertificateURL[0])
		return
	}
	e.Kind = KindUnknownAuthority
	if topPool := x509.NewCertPool(); true {
		topPool.AddCert(top)
		if v.verify(topPool, e.Host, now) == nil {
			e.VerifiesWith = VerifiesWithTopAsRoot
			e.Evidence = append(e.Evidence, fmt.Sprintf("the chain verifies when %q (SHA-256 %s) is trusted", top.Subject.String(), e.Chain[len(chain)-1].SHA256))
		}
	}
	ev := interception(chain, e.Host, e.Proxy)
	e.Evidence = append(e.Evidence, ev...)
	anchor := top.Issuer.String()
	if selfSigned(top) {
		anchor = top.Subject.String()
	}
	if len(ev) > 0 {
		e.Hint, e.APIHint = trustCAHints(p, "it")
		lead := fmt.Sprintf("the connection appears to be intercepted by a TLS-inspecting proxy%s whose root is %q: ask your network team for that root CA certificate (not the certificate presented for %s, which the proxy minted) and ", proxyNote(e.Proxy), anchor, e.Host)
		e.Hint = lead + e.Hint + "; module content stays authenticated by GOSUMDB"
		e.APIHint = lead + e.APIHint
		return
	}
	e.Hint, e.APIHint = trustCAHints(p, "its certificate")
	lead := fmt.Sprintf("the chain ends at %q, which is not trusted: if it is your organisation's CA, ", anchor)
	e.Hint, e.APIHint = lead+e.Hint, lead+e.APIHint
}

// fetchAIA downloads a certificate from an AIA CA Issuers URL.
func fetchAIA(o *options, u string) *x509.Certificate {
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil
	}
	resp, err := o.aia.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil
	}
	certs, err := ParseCertificates(u, data)
	if err != nil || len(certs) == 0 {
		return nil
	}
	return certs[0]
}

// interceptors are issuer name fragments of TLS-inspecting products.
var interceptors = []string{
	"zscaler", "netskope", "fortinet", "fortigate", "palo alto", "pan-fw", "cisco umbrella", "opendns",
	"sophos", "forcepoint", "websense", "blue coat", "bluecoat", "symantec web", "check point", "checkpoint",
	"barracuda", "mcafee web gateway", "skyhigh", "kaspersky", "avast", "avg web", "eset ssl filter",
	"bitdefender", "mitmproxy", "fiddler", "charles proxy", "portswigger", "burp", "aruba", "huawei",
	"ubiquiti", "unifi", "watchguard", "sonicwall", "iboss", "menlo security", "cloudflare for teams",
	"gateway ca", "lightspeed", "securly", "contentkeeper", "smoothwall", "cato networks",
	// Generic names such products give their roots.
	"ssl inspection", "tls inspection", "https inspection", "ssl decryption", "secure web gateway",
}

// publicHosts are hosts the Go ecosystem reaches that chain to public
// roots.
var publicHosts = []string{"proxy.golang.org", "sum.golang.org", "index.golang.org", "golang.org", "go.dev",
	"github.com", "gitlab.com", "bitbucket.org", "storage.googleapis.com", "googlesource.com"}

// interception returns evidence that a TLS-inspecting proxy minted the
// chain, which did not verify: names of inspecting products, a public
// host that should chain to a public root, or the HTTP proxy the
// connection was tunnelled through.
func interception(chain []*x509.Certificate, host, proxy string) []string {
	var ev []string
	if proxy != "" {
		ev = append(ev, fmt.Sprintf("the connection to %s was tunnelled through the proxy %s and the chain leads to no trusted root: TLS-inspecting proxies re-sign tunnelled connections with their own CA", host, proxy))
	}
	for _, c := range chain {
		for _, name := range []string{c.Issuer.String(), c.Subject.String()} {
			l := strings.ToLower(name)
			for _, v := range interceptors {
				if strings.Contains(l, v) {
					ev = append(ev, fmt.Sprintf("certificate name %q matches the TLS-inspecting product %q", name, v))
					goto next
				}
			}
		}
	next:
	}
	for _, h := range publicHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			ev = append(ev, fmt.Sprintf("%s is a public host whose certificate chains to a public root, but the presented chain does not", host))
			break
		}
	}
	return ev
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "no names"
	}
	if len(names) > 10 {
		names = append(names[:10:10], fmt.Sprintf("… (%d more)", len(names)-10))
	}
	return strings.Join(names, ", ")
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d > time.Hour:
		return d.Round(time.Minute)
	case d > time.Minute:
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// installHint returns the command that installs a CA certificate into the
// system store on the pool's platform.
func installHint(p *Pool) string {
	goos, osRel := "", ""
	if p != nil {
		goos, osRel = p.goos, p.osRel
	}
	if goos == "" {
		goos = defaultGOOS()
	}
	switch goos {
	case "darwin":
		return "system store: sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ca.crt"
	case "windows":
		return "system store: certutil -addstore -f ROOT ca.crt (as administrator)"
	case "linux":
	default:
		return "or add it to the system store and point SSL_CERT_FILE at the bundle"
	}
	id := osReleaseID(osRel)
	switch {
	case matchesAny(id, "debian", "ubuntu", "linuxmint", "pop", "raspbian", "kali"):
		return "system store: sudo cp ca.crt /usr/local/share/ca-certificates/ && sudo update-ca-certificates"
	case matchesAny(id, "alpine"):
		return "system store: apk add ca-certificates && cp ca.crt /usr/local/share/ca-certificates/ && update-ca-certificates"
	case matchesAny(id, "rhel", "fedora", "centos", "rocky", "almalinux", "amzn", "ol"):
		return "system store: sudo cp ca.crt /etc/pki/ca-trust/source/anchors/ && sudo update-ca-trust"
	case matchesAny(id, "arch", "manjaro"):
		return "system store: sudo trust anchor --store ca.crt"
	case matchesAny(id, "opensuse", "sles", "suse"):
		return "system store: sudo cp ca.crt /etc/pki/trust/anchors/ && sudo update-ca-certificates"
	}
	return "system store: copy ca.crt to your distribution's CA anchor directory and run update-ca-certificates or update-ca-trust"
}

func matchesAny(ids []string, want ...string) bool {
	for _, id := range ids {
		for _, w := range want {
			if id == w || strings.HasPrefix(id, w) {
				return true
			}
		}
	}
	return false
}

// osReleaseID returns ID and ID_LIKE from an os-release file.
func osReleaseID(path string) []string {
	if path == "" {
		path = "/etc/os-release"
	}
	data, err := readFileLimited(path)
	if err != nil {
		return nil
	}
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || (k != "ID" && k != "ID_LIKE") {
			continue
		}
		ids = append(ids, strings.Fields(strings.ToLower(strings.Trim(v, `"'`)))...)
	}
	return ids
}
