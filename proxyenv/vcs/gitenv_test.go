package vcs_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/certmint"
	"github.com/modnet/modnet/internal/gitserver"
	"github.com/modnet/modnet/netrcauth"
	"github.com/modnet/modnet/proxyenv/vcs"
)

// gitBaseEnv is a clean environment for git: no configuration from the
// machine, no proxy, no CA.
func gitBaseEnv(t *testing.T) []string {
	home := t.TempDir()
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_TERMINAL_PROMPT=0",
	}
}

func lsRemote(t *testing.T, env []string, repo string, extraEnv ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", "ls-remote", "-q", "--end-of-options", repo)
	cmd.Dir = t.TempDir()
	cmd.Env = append(append([]string(nil), env...), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func fixedProxy(raw string) func(*url.URL) (*url.URL, error) {
	p, _ := url.Parse(raw)
	return func(*url.URL) (*url.URL, error) { return p, nil }
}

func TestGitEnvTrustAndProxy(t *testing.T) {
	t.Parallel()
	srv := gitserver.Start(t, gitserver.Options{})
	r := srv.NewRepo(t, "git.corp.example/team/repo")
	r.Write("go.mod", "module git.corp.example/team/repo\n").Commit("init")
	r.Tag("v1.0.0")
	repo := "https://git.corp.example/team/repo"
	base := gitBaseEnv(t)

	// What the go command gives git: its own environment. With the proxy
	// in https_proxy but the CA only in SSL_CERT_FILE, git fails.
	out, err := lsRemote(t, base, repo, "https_proxy="+srv.ProxyURL, "SSL_CERT_FILE="+srv.CAFile)
	if err == nil || !strings.Contains(out, "server certificate verification failed") {
		t.Fatalf("git ls-remote without GitEnv: %v\n%s\nwant a certificate verification failure", err, out)
	}

	ge, err := vcs.NewGitEnv(context.Background(), repo, vcs.GitEnvOptions{
		Env:   append(base, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=user.name", "GIT_CONFIG_VALUE_0=someone"),
		Roots: []*x509.Certificate{srv.CA.Cert},
		Proxy: fixedProxy(srv.ProxyURL),
		Dir:   t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ge.Close()
	out, err = lsRemote(t, ge.Env, repo)
	if err != nil || !strings.Contains(out, "refs/tags/v1.0.0") {
		t.Fatalf("git ls-remote with GitEnv: %v\n%s\nconfig: %q", err, out, ge.Config)
	}
	// the existing GIT_CONFIG entry is kept
	cmd := exec.Command("git", "config", "user.name")
	cmd.Env = ge.Env
	if b, err := cmd.Output(); err != nil || strings.TrimSpace(string(b)) != "someone" {
		t.Errorf("git config user.name = %q, %v; want the caller's entry kept", b, err)
	}
	// scoped: another host gets neither the CA nor the proxy
	cmd = exec.Command("git", "config", "--get-urlmatch", "http.sslCAInfo", "https://other.example/x")
	cmd.Env = ge.Env
	if b, _ := cmd.Output(); len(bytes.TrimSpace(b)) != 0 {
		t.Errorf("sslCAInfo applies to another host: %q", b)
	}
	for _, kv := range ge.Env {
		if strings.Contains(strings.ToLower(kv), "sslverify") {
			t.Errorf("GitEnv sets %s", kv)
		}
	}
	st, err := os.Stat(ge.Dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("private dir mode = %v, %v; want 0700", st.Mode(), err)
	}
	dir := ge.Dir
	ge.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Close left %s: %v", dir, err)
	}
}

func TestGitEnvCredentials(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-pa55"
	srv := gitserver.Start(t, gitserver.Options{User: "alice", Password: secret})
	r := srv.NewRepo(t, "private.corp.example/repo")
	r.Write("go.mod", "module private.corp.example/repo\n").Commit("init")
	r.Tag("v0.1.0")
	repo := "https://private.corp.example/repo"
	base := gitBaseEnv(t)

	netrc := filepath.Join(t.TempDir(), "custom-netrc")
	if err := os.WriteFile(netrc, []byte("machine private.corp.example login alice password "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The go command's git ignores a NETRC other than ~/.netrc.
	out, err := lsRemote(t, base, repo, "https_proxy="+srv.ProxyURL, "GIT_SSL_CAINFO="+srv.CAFile, "NETRC="+netrc)
	if err == nil || !strings.Contains(out, "could not read Username") {
		t.Fatalf("git ls-remote with NETRC only: %v\n%s\nwant a username prompt failure", err, out)
	}

	auth, err := netrcauth.Config{GOAUTH: "netrc", NetrcFile: netrc, Env: base}.Build()
	if err != nil {
		t.Fatal(err)
	}
	ge, err := vcs.NewGitEnv(context.Background(), repo, vcs.GitEnvOptions{
		Env:    base,
		Roots:  []*x509.Certificate{srv.CA.Cert},
		Proxy:  fixedProxy(srv.ProxyURL),
		Header: func(ctx context.Context, u *url.URL) (netrcauth.SecretHeader, error) { return auth.Header(ctx, u, nil) },
		Dir:    t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ge.Close()
	if strings.Contains(strings.Join(ge.Env, "\n"), secret) || strings.Contains(strings.Join(ge.Config, "\n"), secret) {
		t.Fatalf("GitEnv environment holds the secret")
	}
	// GIT_TRACE shows every command git runs (the credential helper
	// included) with its arguments; GIT_TRACE_CURL the HTTP exchange.
	out, err = lsRemote(t, ge.Env, repo, "GIT_TRACE=1", "GIT_TRACE_CURL=1")
	if err != nil || !strings.Contains(out, "refs/tags/v0.1.0") {
		t.Fatalf("git ls-remote with GitEnv: %v\n%s", err, out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the secret appears in git's trace output")
	}
	if !strings.Contains(out, "run_command:") {
		t.Errorf("GIT_TRACE output lacks run_command lines; the argv check is vacuous:\n%s", out)
	}
	// http (not https) gets no credentials
	ge2, err := vcs.NewGitEnv(context.Background(), "http://private.corp.example/repo", vcs.GitEnvOptions{
		Env:    base,
		Header: func(ctx context.Context, u *url.URL) (netrcauth.SecretHeader, error) { return auth.Header(ctx, u, nil) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ge2.Close()
	if ge2.Dir != "" || len(ge2.Config) != 0 {
		t.Errorf("GitEnv for an http URL = %+v, want no credentials", ge2)
	}
}

// TestGitEnvKeepsGitSSLCAInfo checks that a GIT_SSL_CAINFO bundle, which
// would override the scoped sslCAInfo, is folded into the bundle and
// taken out of the environment.
func TestGitEnvKeepsGitSSLCAInfo(t *testing.T) {
	t.Parallel()
	gitCA := certmint.NewCA(t, "git's own CA")
	goCA := certmint.NewCA(t, "Go's CA")
	file := filepath.Join(t.TempDir(), "git-ca.pem")
	gitCA.WriteCertPEM(t, file)
	ge, err := vcs.NewGitEnv(context.Background(), "https://git.corp.example/repo", vcs.GitEnvOptions{
		Env:   []string{"PATH=/bin", "GIT_SSL_CAINFO=" + file},
		Roots: []*x509.Certificate{goCA.Cert},
		Dir:   t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ge.Close()
	for _, kv := range ge.Env {
		if strings.HasPrefix(kv, "GIT_SSL_CAINFO=") {
			t.Errorf("GitEnv kept %s, which would override the scoped sslCAInfo", kv)
		}
	}
	bundle, err := os.ReadFile(filepath.Join(ge.Dir, "roots.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(bundle)
	for _, ca := range []*certmint.CA{gitCA, goCA} {
		if !slices.ContainsFunc(pool.Subjects(), func(s []byte) bool { return string(s) == string(ca.Cert.RawSubject) }) {
			t.Errorf("bundle lacks %s", ca.Cert.Subject.CommonName)
		}
	}
}
