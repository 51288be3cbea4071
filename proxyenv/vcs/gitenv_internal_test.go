package vcs

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modnet/modnet/netrcauth"
)

func TestGitEnvBearerAndProxyPassword(t *testing.T) {
	t.Parallel()
	const token = "tok-123-secret"
	proxy, _ := url.Parse("https://user:proxy-secret@proxy.corp.example:3128")
	home := t.TempDir()
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"), "GCM_INTERACTIVE=always"}
	ge, err := NewGitEnv(context.Background(), "https://git.corp.example:8443/a/b.git", GitEnvOptions{
		Env:   base,
		Proxy: func(*url.URL) (*url.URL, error) { return proxy, nil },
		Header: func(context.Context, *url.URL) (netrcauth.SecretHeader, error) {
			h := netrcauth.SecretHeader{}
			h.Add("Authorization", netrcauth.NewSecret("Bearer "+token))
			return h, nil
		},
		Dir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ge.Close()
	all := strings.Join(ge.Env, "\n") + strings.Join(ge.Config, "\n")
	if strings.Contains(all, token) || strings.Contains(all, "proxy-secret") {
		t.Fatalf("secret in GitEnv: %q %q", ge.Env, ge.Config)
	}
	if v, _ := envValue(ge.Env, "GCM_INTERACTIVE"); v != "always" {
		t.Errorf("GCM_INTERACTIVE = %q, want the caller's value kept", v)
	}
	if v, _ := envValue(ge.Env, "GIT_TERMINAL_PROMPT"); v != "0" {
		t.Errorf("GIT_TERMINAL_PROMPT = %q, want 0", v)
	}
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is required under CI=true")
		}
		t.Skip("git not installed (apt-get install git)")
	}
	for key, want := range map[string]string{
		"http.extraHeader": "Authorization: Bearer " + token,
		"http.proxy":       proxy.String(),
	} {
		cmd := exec.Command("git", "config", "--get-urlmatch", key, "https://git.corp.example:8443/a/b.git")
		cmd.Env = ge.Env
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("git config --get-urlmatch %s = %q, %v; want %q", key, out, err, want)
		}
	}
	st, err := os.Stat(filepath.Join(ge.Dir, "config"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("private config mode = %v, %v", st, err)
	}
}

func TestGitEnvBadCount(t *testing.T) {
	t.Parallel()
	_, err := NewGitEnv(context.Background(), "https://h.example/r", GitEnvOptions{Env: []string{"GIT_CONFIG_COUNT=x"}})
	var ge *GitEnvError
	if err == nil || !strings.Contains(err.Error(), "GIT_CONFIG_COUNT") || !asGitEnvError(err, &ge) {
		t.Errorf("NewGitEnv with a bad GIT_CONFIG_COUNT: %v", err)
	}
	g, err := NewGitEnv(context.Background(), "ssh://git@h.example/r", GitEnvOptions{Env: []string{"A=b"}})
	if err != nil || len(g.Env) != 3 || g.Dir != "" {
		t.Errorf("NewGitEnv(ssh) = %+v, %v; want only the prompt variables added", g, err)
	}
}

func asGitEnvError(err error, target **GitEnvError) bool {
	e, ok := err.(*GitEnvError)
	*target = e
	return ok
}
