package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// gitServer serves git repositories over HTTPS with the real
// "git http-backend", next to the go-get page that names them, like a
// company's internal git host.
type gitServer struct {
	backend *cgi.Handler
	meta    map[string]string // module path -> go-import content
}

func (g *gitServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("go-get") == "1" {
		content, ok := g.meta[r.Host+strings.TrimSuffix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><meta name=\"go-import\" content=%q></head><body></body></html>\n", content)
		return
	}
	g.backend.ServeHTTP(w, r)
}

// newGitServer builds the repository of modulePath (one commit, tagged
// version) under root with the git command, and returns the server for
// it. It fails if git is not installed.
func newGitServer(root, modulePath, version string) (*gitServer, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(git, "--exec-path").Output()
	if err != nil {
		return nil, fmt.Errorf("git --exec-path: %v", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	home := filepath.Join(root, "home")
	host, rest, _ := strings.Cut(modulePath, "/")
	repo := filepath.Join(root, "repos", rest) // served as https://host/rest
	if err := os.MkdirAll(repo, 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	files := map[string]string{
		"go.mod":   "module " + modulePath + "\n\ngo 1.22\n",
		"tools.go": "// Package tools is the demo's private module, served from git.\npackage tools\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	env := append(os.Environ(),
		"HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=demo", "GIT_AUTHOR_EMAIL=demo@corp.example", "GIT_AUTHOR_DATE=2026-01-02T03:04:05Z",
		"GIT_COMMITTER_NAME=demo", "GIT_COMMITTER_EMAIL=demo@corp.example", "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z")
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "."},
		{"commit", "-q", "-m", "tools " + version},
		{"tag", version},
	} {
		cmd := exec.Command(git, args...)
		cmd.Dir, cmd.Env = repo, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
	}
	return &gitServer{
		backend: &cgi.Handler{
			Path: backend,
			Env: []string{
				"GIT_PROJECT_ROOT=" + filepath.Join(root, "repos"),
				"GIT_HTTP_EXPORT_ALL=1",
				"HOME=" + home,
				"GIT_CONFIG_NOSYSTEM=1",
			},
			Stderr: io.Discard,
		},
		meta: map[string]string{modulePath: modulePath + " git https://" + host + strings.TrimPrefix(modulePath, host)},
	}, nil
}

// plainGit runs "git ls-remote" the way the go command runs git for a
// direct fetch: with the process environment (and the HTTPS proxy) only.
// It returns git's last line of error output, or "" if git succeeded.
func plainGit(repoURL, httpsProxy string) string {
	cmd := exec.Command("git", "ls-remote", "-q", repoURL)
	cmd.Env = append(os.Environ(), "https_proxy="+httpsProxy, "HTTPS_PROXY="+httpsProxy, "GIT_TERMINAL_PROMPT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	return lines[len(lines)-1]
}
