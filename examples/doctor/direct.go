package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"time"

	"github.com/modnet/modnet/internal/redact"
	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/vcs"
)

// repoReport is what doctor -probe finds about the origin of a module the
// route fetches directly: the repository go-get discovery names, and
// whether git can reach it.
type repoReport struct {
	Root    string `json:"root,omitempty"`
	VCS     string `json:"vcs,omitempty"`
	URL     string `json:"url,omitempty"` // redacted
	SubDir  string `json:"subdir,omitempty"`
	Decided string `json:"decidedBy,omitempty"` // the go-import tag, or static:<site>
	Page    string `json:"page,omitempty"`      // the go-get page the tag came from
	GOVCS   string `json:"govcs,omitempty"`     // the GOVCS rule that allowed the VCS
	Private bool   `json:"private,omitempty"`   // GOPRIVATE matches the root (GOVCS's "private")
	Error   string `json:"error,omitempty"`     // why discovery failed, in the go command's words
	// GitGoCommand is what "git ls-remote" says with the go command's
	// environment (the process environment only), GitModnet with the
	// roots, HTTP proxy and credentials modnet gives git: "ok" or git's
	// last line of error output.
	GitGoCommand string `json:"gitGoCommand,omitempty"`
	GitModnet    string `json:"gitModnet,omitempty"`
	Hint         string `json:"hint,omitempty"`
}

// hasDirect reports whether r fetches from the module's origin.
func hasDirect(r *proxyenv.Route) bool {
	for _, s := range r.Steps {
		if s.Action == proxyenv.ActionDirect {
			return true
		}
	}
	return false
}

// probeRepo discovers the repository of m as the go command would and, for
// git over https, lists it with git twice: as the go command runs git, and
// with modnet's git environment.
//
// Without git set it stops after discovery: one request for the go-get
// page, no git command.
func (p *prober) probeRepo(ctx context.Context, env *proxyenv.Env, m *moduleReport, environ []string, git bool) *repoReport {
	c := p.client
	d, err := vcs.New(vcs.Config{
		Client: c, InsecureClient: c.Insecure(), PlainClient: c, Proxy: c.HTTPProxy,
		GOPRIVATE: env.GOPRIVATE, GOINSECURE: env.GOINSECURE, GOVCS: env.GOVCS,
		Ping: vcs.GitPing("", "", environ),
	})
	if err != nil {
		return &repoReport{Error: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	p.progress("discovering the repository of %s", m.Route.Module)
	rr, err := d.RepoRoot(ctx, m.Route.Module)
	if err != nil {
		return &repoReport{Error: err.Error()}
	}
	rep := &repoReport{Root: rr.Root, VCS: rr.VCS, URL: redact.URL(rr.RepoURL), SubDir: rr.SubDir, Decided: rr.Meta, Page: rr.MetaURL, Private: rr.Private}
	if rr.GOVCSRule != nil {
		rep.GOVCS = rr.GOVCSRule.Pattern + ":" + strings.Join(rr.GOVCSRule.Allowed, "|")
	}
	if !git || rr.VCS != "git" || !strings.HasPrefix(rr.RepoURL, "https://") {
		return rep
	}
	if _, err := exec.LookPath("git"); err != nil {
		rep.Hint = "git is not installed: the go command (and modnet) need it to fetch this module"
		return rep
	}
	p.progress("listing %s with git", rep.URL)
	rep.GitGoCommand = lsRemote(ctx, rr.RepoURL, environ)
	ge, err := vcs.NewGitEnv(ctx, rr.RepoURL, vcs.GitEnvOptions{
		Env: environ, Roots: c.Trust().Current().Roots(), Proxy: c.HTTPProxy, Header: c.Header,
	})
	if err != nil {
		rep.GitModnet = err.Error()
		return rep
	}
	defer ge.Close()
	rep.GitModnet = lsRemote(ctx, rr.RepoURL, ge.Env)
	switch {
	case rep.GitGoCommand == "ok":
	case rep.GitModnet == "ok" && strings.Contains(rep.GitGoCommand, "certificate"):
		rep.Hint = "Go's TLS to " + rr.Root + " verifies, but the go command's git does not trust the server: git ignores SSL_CERT_FILE and SSL_CERT_DIR. " +
			"modnet's fetch gives git the same roots by itself; for the go command, give git a bundle of the system roots plus your CA for this host only: " +
			"GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http." + origin(rr.RepoURL) + ".sslCAInfo GIT_CONFIG_VALUE_0=/path/to/bundle.pem"
	case rep.GitModnet == "ok" && (strings.Contains(rep.GitGoCommand, "Username") || strings.Contains(rep.GitGoCommand, "401") || strings.Contains(rep.GitGoCommand, "403")):
		rep.Hint = "the go command's git has no credentials for " + rr.Root + ": git reads only ~/.netrc (not NETRC) and never GOAUTH. " +
			"modnet's fetch gives git the credentials its client uses; for the go command, add the entry to ~/.netrc or configure a git credential helper for " + origin(rr.RepoURL)
	case rep.GitModnet == "ok":
		rep.Hint = "the go command's git fails where modnet's git environment (its roots, HTTP proxy and credentials for this repository) succeeds: " +
			"check git's proxy settings (git reads only lower-case https_proxy) and trust for " + origin(rr.RepoURL)
	default:
		rep.Hint = "git cannot list the repository, even with modnet's roots, proxy and credentials: check the repository URL and your access to it"
	}
	return rep
}

// lsRemote runs "git ls-remote" for url with env and returns "ok" or the
// last line of git's error output.
func lsRemote(ctx context.Context, url string, env []string) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "ls-remote", "-q", "--end-of-options", url)
	cmd.Env = append(append([]string(nil), env...), "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if last := lines[len(lines)-1]; last != "" {
			return redact.URL(last)
		}
		return err.Error()
	}
	return "ok"
}

// origin is the scheme and host of a repository URL, with a slash.
func origin(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	return scheme + "://" + host + "/"
}
