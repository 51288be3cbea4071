package netrcauth

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
)

// requireGit returns the git binary or ends the test (a failure under
// CI=true).
func requireGit(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("git is required under CI=true: %v", err)
		}
		t.Skip("git not found; install it (apt-get install git) to run GOAUTH=git tests")
	}
	return p
}

// gitSetup makes a git working directory and a global git config using the
// "store" credential helper with credFile, all in temporary directories,
// and returns the directory and the environment for git.
func gitSetup(t *testing.T, creds string) (dir, credFile string, env map[string]string) {
	t.Helper()
	requireGit(t)
	root := t.TempDir()
	dir = filepath.Join(root, "work")
	home := filepath.Join(root, "home")
	for _, d := range []string{dir, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	credFile = filepath.Join(root, "git-credentials")
	if err := os.WriteFile(credFile, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	gitconfig := filepath.Join(home, ".gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[credential]\n\thelper = store --file="+credFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env = map[string]string{
		"HOME":                home,
		"GIT_CONFIG_GLOBAL":   gitconfig,
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_TERMINAL_PROMPT": "0",
	}
	cmd := exec.Command("git", "init", "-q", dir)
	cmd.Env = childEnv(t, env)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return dir, credFile, env
}

// headOK answers HEAD / with 200 for alice:s3cret and 401 otherwise, as a
// git hosting server would.
func headOK(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodHead || r.URL.Path != "/" {
		return false
	}
	if u, p, ok := r.BasicAuth(); ok && u == "alice" && p == "s3cret" {
		w.WriteHeader(http.StatusOK)
	} else {
		w.WriteHeader(http.StatusUnauthorized)
	}
	return true
}

func gets(trace []string) []string {
	return slices.DeleteFunc(slices.Clone(trace), func(s string) bool { return strings.HasPrefix(s, "HEAD ") })
}

func TestOracleGit(t *testing.T) {
	gooracle.Required(t)
	t.Parallel()
	srv := modproxy.New(t, oracleModules, modproxy.TLS(), modproxy.Handle(headOK), modproxy.RequireBasic("alice", "s3cret"))
	host := strings.TrimPrefix(srv.HTTP.URL, "https://")
	tests := []struct {
		name      string
		creds     string
		wantAfter string // the credential file after our run
	}{
		// git's store helper rewrites an approved entry (escaping the ':').
		{"stored credential", "https://alice:s3cret@" + host + "\n", "https://alice:s3cret@127.0.0.1%3a" + strings.TrimPrefix(host, "127.0.0.1:") + "\n"},
		{"no credential", "", ""},
		{"wrong credential is rejected", "https://alice:wrong@" + host + "\n", ""},
		{"credential for another host", "https://alice:s3cret@127.0.0.1:1\n", "https://alice:s3cret@127.0.0.1:1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _, env := gitSetup(t, tt.creds)
			e := goEnv{goauth: "git " + dir, env: env}
			goTrace, goErr := runGoDownload(t, srv, e)
			// A fresh store for our run.
			dir2, credFile, env2 := gitSetup(t, tt.creds)
			ours := runOurDownload(t, srv, goEnv{goauth: "git " + dir2, env: env2}, nil)
			if !slices.Equal(gets(goTrace), gets(ours)) {
				t.Errorf("GET requests differ\ngo command: %q (error %q)\nTransport:  %q", goTrace, goErr, ours)
			}
			got, _ := os.ReadFile(credFile)
			if string(got) != tt.wantAfter {
				t.Errorf("credential store after the run = %q, want %q", got, tt.wantAfter)
			}
			if testing.Verbose() {
				t.Logf("go: %q\nours: %q", goTrace, ours)
			}
		})
	}
}

func TestGitGOAUTHErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	tests := []struct{ goauth, want string }{
		{"git", "netrcauth: GOAUTH=git dir method requires an absolute path to the git working directory"},
		{"git a b", "netrcauth: GOAUTH=git dir method requires an absolute path to the git working directory"},
		{"git relative", "netrcauth: GOAUTH=git dir method requires an absolute path to the git working directory, dir is not absolute"},
		{"git " + file, "netrcauth: GOAUTH=git dir method requires an absolute path to the git working directory, dir is not a directory"},
		{"git /nonexistent/x", "netrcauth: GOAUTH=git encountered an error; cannot stat /nonexistent/x: stat /nonexistent/x: no such file or directory"},
	}
	for _, tt := range tests {
		_, err := Config{GOAUTH: tt.goauth}.Build()
		if err == nil || err.Error() != tt.want {
			t.Errorf("Config{GOAUTH: %q}.Build() error = %v, want %q", tt.goauth, err, tt.want)
		}
	}
}
