// Package tinyproxy runs Debian's tinyproxy as a real HTTP proxy (CONNECT
// for https, absolute-form requests for http) for tests, on a loopback port,
// with a generated configuration, and records what clients asked it for.
//
// # Reaching loopback servers through a proxy
//
// Go never proxies a request to "localhost" or a loopback IP. It compares
// the host with "localhost" case-sensitively, though, so [Host]
// ("LOCALHOST") is proxied by Go (and by the go command) while both Go's
// resolver and tinyproxy's getaddrinfo find it in /etc/hosts, whose
// lookups ignore case. Tests therefore address their module servers as
// https://LOCALHOST:port (see [Rename]); certificates issued for
// "localhost" match it, since host name verification ignores case too.
// When NO_PROXY exempts the server, the direct connection also resolves
// locally: no test needs DNS.
//
// The generated configuration denies every host but localhost (tinyproxy
// filter rules, matched before any name lookup), so a test that goes wrong
// cannot make tinyproxy reach the network.
//
// # Observing requests
//
// Clients talk to a small recording relay in front of tinyproxy (the
// [Proxy.URL]). It copies bytes unchanged in both directions and parses a
// copy of what the client sends, so [Proxy.Requests] lists each CONNECT
// and each proxied http request with its headers, including
// Proxy-Authorization, which tinyproxy consumes. tinyproxy's own log is
// available from [Proxy.Log].
package tinyproxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Host is a name for 127.0.0.1 that Go sends through proxies; see the
// package documentation.
const Host = "LOCALHOST"

// Rename returns serverURL (such as an httptest server's "https://127.0.0.1:4321")
// with its host replaced by [Host], keeping the port and path.
func Rename(serverURL string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		return serverURL
	}
	u.Host = net.JoinHostPort(Host, u.Port())
	return u.String()
}

// Options configures a proxy. The zero value is an open proxy for
// localhost.
type Options struct {
	// User and Password, if User is set, make tinyproxy require these
	// Basic credentials (BasicAuth) and answer 407 without them.
	User, Password string
	// ConnectPorts, if non-empty, are the only ports tinyproxy accepts
	// CONNECT requests for (ConnectPort); others are refused with 403.
	ConnectPorts []int
	// LogLevel is tinyproxy's log level; empty means "Info".
	LogLevel string
}

// A Request is one request a client sent to the proxy.
type Request struct {
	Method string
	// Target is the CONNECT authority ("LOCALHOST:4321") or the absolute
	// URL of a proxied http request.
	Target string
	Header http.Header
}

// ProxyAuthorization returns the request's Proxy-Authorization header.
func (r Request) ProxyAuthorization() string { return r.Header.Get("Proxy-Authorization") }

// String returns "METHOD target proxy-auth=...".
func (r Request) String() string {
	return fmt.Sprintf("%s %s proxy-auth=%q", r.Method, r.Target, r.ProxyAuthorization())
}

// A Proxy is a running tinyproxy with its recording relay.
type Proxy struct {
	// URL is the proxy's address for HTTP_PROXY/HTTPS_PROXY
	// ("http://127.0.0.1:port"), without credentials.
	URL *url.URL
	// Addr is tinyproxy's own listening address, bypassing the relay.
	Addr string

	logFile string

	mu    sync.Mutex
	reqs  []Request
	conns map[net.Conn]struct{}
}

// Required returns the path of the tinyproxy binary, or ends the test: a
// failure under CI=true, otherwise a skip with an install hint.
func Required(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("tinyproxy")
	if err != nil {
		if _, err2 := os.Stat("/usr/bin/tinyproxy"); err2 == nil {
			return "/usr/bin/tinyproxy"
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("tinyproxy is required under CI=true: %v", err)
		}
		t.Skip("tinyproxy not installed; install it with: sudo apt-get install tinyproxy")
	}
	return bin
}

// Start starts tinyproxy and its relay and stops both when the test ends.
func Start(t testing.TB, opts Options) *Proxy {
	t.Helper()
	bin := Required(t)
	dir := t.TempDir()
	p := &Proxy{logFile: filepath.Join(dir, "tinyproxy.log"), conns: map[net.Conn]struct{}{}}

	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		addr, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		if lastErr = p.startTinyproxy(t, bin, dir, addr, opts); lastErr == nil {
			p.Addr = addr
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("tinyproxy: %v", lastErr)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.URL = &url.URL{Scheme: "http", Host: ln.Addr().String()}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.relay(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		wg.Wait()
	})
	return p
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

func (p *Proxy) startTinyproxy(t testing.TB, bin, dir, addr string, opts Options) error {
	_, port, _ := net.SplitHostPort(addr)
	filter := filepath.Join(dir, "filter")
	// Only localhost, in any case; tinyproxy filters before resolving.
	if err := os.WriteFile(filter, []byte("^localhost$\n"), 0o644); err != nil {
		return err
	}
	level := opts.LogLevel
	if level == "" {
		level = "Info"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Port %s\nListen 127.0.0.1\nTimeout 30\nMaxClients 100\nAllow 127.0.0.1\n", port)
	fmt.Fprintf(&b, "LogFile %q\nLogLevel %s\nDisableViaHeader Yes\n", p.logFile, level)
	fmt.Fprintf(&b, "Filter %q\nFilterType ere\nFilterDefaultDeny Yes\n", filter)
	if opts.User != "" {
		fmt.Fprintf(&b, "BasicAuth %s %s\n", opts.User, opts.Password)
	}
	for _, cp := range opts.ConnectPorts {
		fmt.Fprintf(&b, "ConnectPort %d\n", cp)
	}
	conf := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(conf, []byte(b.String()), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(bin, "-d", "-c", conf)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	var stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		cmd.Process.Kill()
		<-exited
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			return fmt.Errorf("exited early: %s%s", stderr.String(), p.Log())
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("not listening on %s after 10s: %v\n%s", addr, err, p.Log())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(stop)
	return nil
}

// Requests returns the requests clients sent so far, in order.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.reqs...)
}

// Reset forgets the recorded requests.
func (p *Proxy) Reset() {
	p.mu.Lock()
	p.reqs = nil
	p.mu.Unlock()
}

// Log returns tinyproxy's log so far.
func (p *Proxy) Log() string {
	b, _ := os.ReadFile(p.logFile)
	return string(b)
}

func (p *Proxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	if add {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
	p.mu.Unlock()
}

// relay copies a client connection to tinyproxy and back, parsing a copy
// of the client's bytes.
func (p *Proxy) relay(client net.Conn) {
	p.track(client, true)
	defer p.track(client, false)
	defer client.Close()
	up, err := net.Dial("tcp", p.Addr)
	if err != nil {
		return
	}
	p.track(up, true)
	defer p.track(up, false)
	defer up.Close()

	pr, pw := io.Pipe()
	parsed := make(chan struct{})
	go func() {
		defer close(parsed)
		p.parse(pr)
		io.Copy(io.Discard, pr)
	}()
	done := make(chan struct{})
	go func() {
		io.Copy(client, up)
		client.Close()
		close(done)
	}()
	io.Copy(up, io.TeeReader(client, pw))
	pw.Close()
	if tc, ok := up.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	<-done
	<-parsed
}

// parse records the requests in r until a CONNECT (after which the bytes
// are the tunnel's) or an unparsable request.
func (p *Proxy) parse(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		target := req.RequestURI
		p.mu.Lock()
		p.reqs = append(p.reqs, Request{Method: req.Method, Target: target, Header: req.Header.Clone()})
		p.mu.Unlock()
		if req.Method == http.MethodConnect {
			return
		}
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
