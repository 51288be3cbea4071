package trust

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modnet/modnet/internal/certmint"
)

// TestReloadRotation rotates the CA file while requests run: the server
// switches to a certificate from a new CA, the file is rewritten to hold
// both CAs, and the reloader picks it up without a single failed request
// once the file is in place.
func TestReloadRotation(t *testing.T) {
	t.Parallel()
	oldCA, newCA := certmint.NewCA(t, "Old CA"), certmint.NewCA(t, "New CA")
	oldLeaf, newLeaf := oldCA.Leaf(t, []string{"127.0.0.1"}), newCA.Leaf(t, []string{"127.0.0.1"})
	var useNew atomic.Bool
	srv := certmint.TLSServer(t, okHandler(), oldLeaf, func(c *tls.Config) {
		c.NextProtos = []string{"h2", "http/1.1"}
		// No SNI for IP addresses, so pick the certificate per connection.
		c.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
			l := oldLeaf
			if useNew.Load() {
				l = newLeaf
			}
			return &tls.Config{Certificates: []tls.Certificate{l.TLSCertificate()}, NextProtos: []string{"h2", "http/1.1"}}, nil
		}
	})
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	write(t, caFile, oldCA.CertPEM)

	r, err := NewReloader(&Config{NoSystemRoots: true, Extra: []Source{{Path: caFile}}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	client := clientOf(r, nil)
	first := r.Current()

	// Requests in flight during the rotation must all succeed.
	var wg sync.WaitGroup
	var failures atomic.Int32
	var done [4]atomic.Int64 // requests completed per goroutine
	stop := make(chan struct{})
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(srv.URL)
				if err != nil {
					failures.Add(1)
					t.Errorf("request during rotation: %v", err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				done[i].Add(1)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	// Write the new bundle atomically (rename), then switch the server.
	tmp := filepath.Join(dir, "ca.pem.tmp")
	write(t, tmp, append(append([]byte{}, oldCA.CertPEM...), newCA.CertPEM...))
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(tmp, future, future)
	if err := os.Rename(tmp, caFile); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for r.Current() == first && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if r.Current() == first {
		t.Fatal("reloader did not notice the rewritten CA file")
	}
	// A request that took the old pool just before the reload may still
	// be connecting; switch the server only once every goroutine has
	// finished two more requests, so none in flight holds the old pool.
	var seen [4]int64
	for i := range done {
		seen[i] = done[i].Load()
	}
	for i := range done {
		for done[i].Load() < seen[i]+2 && failures.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	useNew.Store(true)
	client.Transport.(*Transport).CloseIdleConnections() // force new handshakes
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d requests failed during rotation", n)
	}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("HTTP/2 lost after reload: %s", resp.Proto)
	}

	// A broken rewrite keeps the previous pool and reports the error.
	cur := r.Current()
	write(t, caFile, []byte("-----BEGIN CERTIFICATE-----\ngarbage"))
	if _, err := r.Reload(); err == nil {
		t.Error("Reload of a corrupt file succeeded")
	}
	var le *LoadError
	if !errors.As(r.Err(), &le) || r.Current() != cur {
		t.Errorf("after failed reload: Err = %v, pool swapped = %v", r.Err(), r.Current() != cur)
	}
	if resp, err := client.Get(srv.URL); err != nil {
		t.Errorf("request after failed reload: %v", err)
	} else {
		resp.Body.Close()
	}
}

func TestTransportDerivation(t *testing.T) {
	t.Parallel()
	p := poolOf(t, certmint.NewCA(t, "A"))
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS10, ServerName: "kept"}
	tr := p.Transport(base)
	if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 || tr.TLSClientConfig.ServerName != "kept" ||
		tr.TLSClientConfig.RootCAs != p.CertPool() || tr.TLSClientConfig.InsecureSkipVerify {
		t.Errorf("TLS config not derived as documented: %+v", tr.TLSClientConfig)
	}
	if !tr.ForceAttemptHTTP2 || tr.Proxy == nil || tr.TLSHandshakeTimeout == 0 {
		t.Errorf("transport lost HTTP/2, proxy or timeouts")
	}
	if base.TLSClientConfig.MinVersion != tls.VersionTLS10 {
		t.Errorf("base transport was modified")
	}
	var nilPool *Pool
	if c := nilPool.TLSConfig(); c.RootCAs != nil || c.MinVersion != tls.VersionTLS12 {
		t.Errorf("nil Pool TLSConfig = %+v", c)
	}
}

// switchSource is a PoolSource whose pool a test swaps.
type switchSource struct{ p atomic.Pointer[Pool] }

func (s *switchSource) Current() *Pool { return s.p.Load() }

// countingListener counts the connections its server holds open.
type countingListener struct {
	net.Listener
	open atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.open.Add(1)
	return &countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// TestCloseIdleAfterRotation checks that CloseIdleConnections also closes
// the idle connections of transports superseded by a CA rotation: a
// request in flight during the rotation keeps its HTTP/2 connection, which
// becomes idle in the old transport after the rotation closed that
// transport's idle connections.
func TestCloseIdleAfterRotation(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Root")
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			started <- struct{}{}
			<-release
		}
		io.WriteString(w, "ok")
	}))
	ln := &countingListener{Listener: srv.Listener}
	srv.Listener = ln
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{root.Leaf(t, []string{"127.0.0.1"}).TLSCertificate()}}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	src := &switchSource{}
	src.p.Store(poolOf(t, root))
	tr := NewTransport(src, loopbackBase())
	c := &http.Client{Transport: tr}
	fetch := func(path string) {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Errorf("%s: protocol %s, want HTTP/2", path, resp.Proto)
		}
	}

	// A slow request holds a connection of the first generation while
	// the pool rotates and a second request builds the next generation.
	done := make(chan struct{})
	go func() { defer close(done); fetch("/slow") }()
	<-started
	src.p.Store(poolOf(t, root))
	fetch("/")
	close(release)
	<-done

	tr.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for ln.open.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := ln.open.Load(); n != 0 {
		t.Errorf("after CloseIdleConnections the server still holds %d connection(s) open", n)
	}
}
