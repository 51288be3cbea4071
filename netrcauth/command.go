package netrcauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modnet/modnet/internal/redact"
)

// runCommand runs a GOAUTH command: without arguments for the initial run
// (u nil), else with u as last argument and resp on standard input.
func (a *Auth) runCommand(ctx context.Context, m Method, u *url.URL, resp *http.Response) ([]Credential, error) {
	cerr := func(op string, err error, stderr []byte) error {
		e := &CommandError{Method: m.Text, Op: op, Err: err, Stderr: NewSecret(string(stderr))}
		if u != nil {
			e.URL = u.Redacted()
		}
		return e
	}
	if m.Err != nil {
		return nil, cerr("cannot parse GOAUTH command", m.Err, nil)
	}
	if len(m.Args) == 0 || m.Args[0] == "" {
		return nil, cerr("could not run command", errors.New("empty command name"), nil)
	}
	args := slices.Clone(m.Args[1:])
	if u != nil {
		// Deviation: the go command passes the URL verbatim, userinfo
		// included, exposing passwords in the process list.
		args = append(args, stripUserinfo(u))
	}
	name, err := a.lookPath(m.Args[0])
	if err != nil {
		return nil, cerr("could not run command", err, nil)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Args[0] = m.Args[0]
	cmd.Env = a.cfg.Env
	if resp != nil {
		cmd.Stdin = strings.NewReader(responseHead(resp))
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, cerr("could not run command", err, stderr.Bytes())
	}
	creds, err := ParseCommandOutput(stdout.String())
	if err != nil {
		return nil, cerr("cannot parse output of GOAUTH command", err, stderr.Bytes())
	}
	return creds, nil
}

// responseHead renders what a re-run GOAUTH command reads on standard input:
// the status line, the header fields ("Name: v1, v2", sorted by name; the go
// command's order is random) and an empty line.
func responseHead(resp *http.Response) string {
	var b strings.Builder
	b.WriteString(resp.Proto + " " + resp.Status + "\n")
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(k + ": " + strings.Join(resp.Header[k], ", ") + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

func stripUserinfo(u *url.URL) string {
	v := *u
	v.User = nil
	return v.String()
}

// lookPath finds a command like exec.LookPath, but in the PATH of Config.Env
// when it is set, since that is the environment the command runs in.
func (a *Auth) lookPath(name string) (string, error) {
	if a.cfg.Env == nil || strings.ContainsRune(name, '/') || strings.ContainsRune(name, filepath.Separator) {
		return name, nil // exec.Command resolves it with the process PATH
	}
	path := ""
	for _, kv := range a.cfg.Env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			if !filepath.IsAbs(p) {
				p = "." + string(filepath.Separator) + p
			}
			return p, nil
		}
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}

// runGit implements "git DIR": git credential fill in DIR for u, returning
// the prefix git answered for and a Basic authorization header, and
// checking the credential in the background.
func (a *Auth) runGit(ctx context.Context, m Method, u *url.URL, base http.RoundTripper) (string, SecretHeader, error) {
	raw := u.String()
	cerr := func(op string, err error) error {
		return &CommandError{Method: m.Text, Op: op, URL: u.Redacted(), Err: err}
	}
	git, err := a.lookPath("git")
	if err != nil {
		return "", nil, cerr("'git credential fill' failed", err)
	}
	cmd := exec.CommandContext(ctx, git, "credential", "fill")
	cmd.Dir = m.Dir
	cmd.Env = a.cfg.Env
	cmd.Stdin = strings.NewReader("url=" + raw + "\n")
	// The output holds the password: it goes nowhere but the parser.
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", nil, cerr("'git credential fill' failed", err)
	}
	prefix, login, password := parseGitCredential(out)
	if prefix == "" {
		return "", nil, cerr("'git credential fill' failed", errors.New("could not parse url"))
	}
	// git must answer for a prefix of the requested URL.
	if !strings.HasPrefix(raw, prefix) {
		return "", nil, cerr("'git credential fill' failed", fmt.Errorf("requested a credential for %s, but 'git credential fill' provided one for %s", u.Redacted(), redact.URL(prefix)))
	}
	h := basicHeader(login, NewSecret(password))
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		a.checkGit(context.WithoutCancel(ctx), m.Dir, git, prefix, h, out, base)
	}()
	return prefix, h, nil
}

// parseGitCredential reads "git credential fill" output: key=value lines
// (trimmed); protocol, host and path build the prefix unless a parsable url
// line replaces them.
func parseGitCredential(out []byte) (prefix, login, password string) {
	p := new(url.URL)
	for line := range strings.SplitSeq(string(out), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		switch k {
		case "protocol":
			p.Scheme = v
		case "host":
			p.Host = v
		case "path":
			p.Path = v
		case "username":
			login = v
		case "password":
			password = v
		case "url":
			// A malformed url line keeps what the other fields said.
			if u, err := url.ParseRequestURI(v); err == nil {
				p = u
			}
		}
	}
	return p.String(), login, password
}

// checkGit sends a HEAD request with the credential git gave, up to three
// times, and tells git to approve it on 200 or reject it on 401, like the go
// command. Deviation: approve/reject run in DIR (the go command runs them in
// its working directory).
func (a *Auth) checkGit(ctx context.Context, dir, git, prefix string, h SecretHeader, fill []byte, base http.RoundTripper) {
	if base == nil {
		base = http.DefaultTransport
	}
	client := &http.Client{Transport: base}
	for range 3 {
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, prefix, nil)
		if err != nil {
			return
		}
		for k, vs := range h {
			for _, v := range vs {
				req.Header.Add(k, v.Reveal())
			}
		}
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnauthorized {
			continue
		}
		action := "reject"
		if resp.StatusCode == http.StatusOK {
			action = "approve"
		}
		cmd := exec.CommandContext(ctx, git, "credential", action)
		cmd.Dir = dir
		cmd.Env = a.cfg.Env
		cmd.Stdin = bytes.NewReader(fill)
		_ = cmd.Run() // best effort, as in the go command
		return
	}
}
