package vcs

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/modnet/modnet/internal/redact"
	"github.com/modnet/modnet/netrcauth"
)

// GitEnvOptions configures [NewGitEnv]: what git should trust, which proxy
// it should use and which credentials it should present for one
// repository, so that it reaches the repository the way modnet's (and the
// go command's) HTTP client does.
type GitEnvOptions struct {
	// Env is the environment git would otherwise run with, in
	// [os/exec.Cmd] Env form (the go command passes its whole process
	// environment). It is copied, never modified. Nil means empty.
	Env []string

	// Roots are the certificates git should trust for the repository's
	// host: all of them, system roots included, because git's
	// http.sslCAInfo replaces its default bundle. Pass the merged pool
	// Go trusts (system roots, SSL_CERT_FILE/SSL_CERT_DIR and extra CAs).
	// Empty leaves git's own trust alone.
	Roots []*x509.Certificate

	// Proxy returns the HTTP proxy for a URL, as modnet's client chooses it
	// (proxyenv.Client.Proxy), or nil for a direct connection. Nil leaves
	// git's own proxy settings alone.
	Proxy func(*url.URL) (*url.URL, error)

	// Header returns the credentials modnet's client sends to a URL (the
	// go command's netrc and GOAUTH, or extra bearer tokens), such as
	// (*netrcauth.Auth).Header with a nil transport. They are given to git
	// over https only. Nil gives git no credentials.
	Header func(ctx context.Context, u *url.URL) (netrcauth.SecretHeader, error)

	// Dir is the directory in which the private directory for the CA
	// bundle and credentials is created. Empty means [os.TempDir].
	Dir string
}

// A GitEnv is the environment for git commands on one repository, and the
// private directory (mode 0700, files 0600) holding what the environment
// points at. Close removes the directory; the environment must not be
// used afterwards.
type GitEnv struct {
	// Env is GitEnvOptions.Env with git configuration added through
	// GIT_CONFIG_COUNT, GIT_CONFIG_KEY_n and GIT_CONFIG_VALUE_n (so
	// nothing appears on a command line), and GIT_TERMINAL_PROMPT=0 and
	// GCM_INTERACTIVE=never unless Env sets them. It holds no secret:
	// credentials and proxy passwords live in a private configuration file
	// that Env includes.
	Env []string
	// Dir is the private directory, or "" when nothing needed writing.
	Dir string
	// Config lists the git configuration entries Env adds, as key=value,
	// secrets redacted; for logs and diagnosis.
	Config []string
}

// Close removes the private directory.
func (g *GitEnv) Close() error {
	if g == nil || g.Dir == "" {
		return nil
	}
	return os.RemoveAll(g.Dir)
}

// A GitEnvError reports why [NewGitEnv] could not build an environment.
// It never holds a secret.
type GitEnvError struct {
	Repo string // the repository URL, redacted
	Op   string // what failed, such as "GIT_CONFIG_COUNT" or "write credentials"
	Err  error
}

func (e *GitEnvError) Error() string {
	return "vcs: git environment for " + e.Repo + ": " + e.Op + ": " + e.Err.Error()
}

// Unwrap returns e.Err.
func (e *GitEnvError) Unwrap() error { return e.Err }

// NewGitEnv returns the environment in which git reaches repoURL as
// modnet's HTTP client would, which the go command does not arrange: the
// go command hands git its own process environment, so git ignores
// SSL_CERT_FILE and extra CAs, a NETRC other than ~/.netrc, GOAUTH and an
// upper-case-only HTTP_PROXY.
//
// Every setting is scoped to the repository's origin
// (http.<scheme://host[:port]/>.*, credential.<...>.*), so other
// repositories, redirects to other hosts and submodules elsewhere are
// unaffected. It sets http.<origin>.sslCAInfo to a bundle of opts.Roots
// (and http.<origin>.proxySSLCAInfo for an https proxy),
// http.<origin>.proxy to opts.Proxy's answer, and, for an https
// repository, the credentials opts.Header returns: Basic credentials
// through a credential helper that reads a private file (git sends them
// after its first 401, to that origin only), other headers as
// http.<origin>.extraHeader in the private included file (git redacts
// them in GIT_TRACE_CURL). It never sets http.sslVerify.
//
// For a repository URL that is not http or https (ssh, git), only
// GIT_TERMINAL_PROMPT and GCM_INTERACTIVE are added.
func NewGitEnv(ctx context.Context, repoURL string, opts GitEnvOptions) (_ *GitEnv, err error) {
	u, err := url.Parse(repoURL)
	if err != nil {
		return nil, &GitEnvError{Repo: redact.URL(repoURL), Op: "parse URL", Err: errors.New("invalid URL")}
	}
	redacted := u.Redacted()
	fail := func(op string, err error) (*GitEnv, error) {
		return nil, &GitEnvError{Repo: redacted, Op: op, Err: err}
	}
	env := slices.Clone(opts.Env)
	n := 0
	if v, ok := envValue(env, "GIT_CONFIG_COUNT"); ok && v != "" {
		n, err = strconv.Atoi(v)
		if err != nil || n < 0 {
			return fail("GIT_CONFIG_COUNT", fmt.Errorf("not a count: %q", v))
		}
	}
	// the go command keeps git from prompting unless the user allowed it
	if _, ok := envValue(env, "GIT_TERMINAL_PROMPT"); !ok {
		env = append(env, "GIT_TERMINAL_PROMPT=0")
	}
	if _, ok := envValue(env, "GCM_INTERACTIVE"); !ok {
		env = append(env, "GCM_INTERACTIVE=never")
	}
	g := &GitEnv{}
	if u.Scheme != "https" && u.Scheme != "http" {
		g.Env = env
		return g, nil
	}
	origin := u.Scheme + "://" + u.Host + "/"
	var public, private [][2]string // config entries; private ones go in the 0600 file
	defer func() {
		if err != nil {
			g.Close()
		}
	}()
	mkdir := func() error {
		if g.Dir != "" {
			return nil
		}
		d, err := os.MkdirTemp(opts.Dir, "modnet-git-")
		if err != nil {
			return err
		}
		g.Dir = d
		return os.Chmod(d, 0o700)
	}

	var bundle string
	if len(opts.Roots) > 0 {
		if err := mkdir(); err != nil {
			return fail("create private directory", err)
		}
		var b strings.Builder
		for _, c := range opts.Roots {
			b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
		}
		// GIT_SSL_CAINFO overrides http.<url>.sslCAInfo, so a bundle the
		// user gave git that way would hide ours: keep its certificates
		// in ours (what worked for the go command's git still works) and
		// take the variable out.
		if v, ok := envValue(env, "GIT_SSL_CAINFO"); ok {
			if v != "" {
				b.Write(certificatePEM(v))
			}
			env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "GIT_SSL_CAINFO=") })
		}
		bundle = filepath.Join(g.Dir, "roots.pem")
		if err := os.WriteFile(bundle, []byte(b.String()), 0o600); err != nil {
			return fail("write CA bundle", err)
		}
		public = append(public, [2]string{"http." + origin + ".sslCAInfo", bundle})
	}

	if opts.Proxy != nil {
		p, err := opts.Proxy(u)
		if err != nil {
			return fail("proxy", err)
		}
		if p != nil {
			entry := [2]string{"http." + origin + ".proxy", p.String()}
			if p.User != nil {
				private = append(private, entry) // a proxy password stays out of the environment
			} else {
				public = append(public, entry)
			}
			if p.Scheme == "https" && bundle != "" {
				public = append(public, [2]string{"http." + origin + ".proxySSLCAInfo", bundle})
			}
		}
	}

	if opts.Header != nil && u.Scheme == "https" { // credentials only over https
		h, err := opts.Header(ctx, &url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path})
		if err != nil {
			return fail("credentials", err)
		}
		if len(h) > 0 {
			if err := mkdir(); err != nil {
				return fail("create private directory", err)
			}
			entries, err := credentialConfig(origin, h, g.Dir)
			if err != nil {
				return fail("credentials", err)
			}
			private = append(private, entries...)
		}
	}

	add := func(k, v string) {
		env = append(env, fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", n, k), fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", n, v))
		n++
	}
	for _, kv := range public {
		add(kv[0], kv[1])
		g.Config = append(g.Config, kv[0]+"="+kv[1])
	}
	if len(private) > 0 {
		if err := mkdir(); err != nil {
			return fail("create private directory", err)
		}
		file := filepath.Join(g.Dir, "config")
		if err := os.WriteFile(file, []byte(gitConfigFile(private)), 0o600); err != nil {
			return fail("write private config", err)
		}
		add("include.path", file)
		g.Config = append(g.Config, "include.path="+file)
		for _, kv := range private {
			g.Config = append(g.Config, kv[0]+"=[redacted]")
		}
	}
	if n > 0 {
		env = setEnv(env, "GIT_CONFIG_COUNT", strconv.Itoa(n))
	}
	g.Env = env
	return g, nil
}

// credentialConfig turns credential headers into git configuration for
// origin: a Basic Authorization becomes a credential helper reading a
// private file, anything else an extra header.
func credentialConfig(origin string, h netrcauth.SecretHeader, dir string) ([][2]string, error) {
	var out [][2]string
	for name, values := range h {
		for _, v := range values {
			s := v.Reveal()
			if name == "Authorization" {
				if user, pass, ok := decodeBasic(s); ok {
					if strings.ContainsAny(user+pass, "\n\x00") {
						return nil, errors.New("a Basic credential holds a newline or NUL, which git's credential protocol cannot carry")
					}
					file := filepath.Join(dir, "credential")
					body := "username=" + user + "\npassword=" + pass + "\n"
					if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
						return nil, err
					}
					// An empty helper first drops helpers configured
					// elsewhere for this origin, so GOAUTH's answer wins
					// as it does for the go command's own requests.
					out = append(out,
						[2]string{"credential." + origin + ".helper", ""},
						[2]string{"credential." + origin + ".helper", "!f() { test \"$1\" = get && cat " + shellQuote(file) + "; }; f"})
					continue
				}
			}
			if strings.ContainsAny(s, "\r\n") {
				return nil, fmt.Errorf("header %s holds a line break", name)
			}
			out = append(out, [2]string{"http." + origin + ".extraHeader", name + ": " + s})
		}
	}
	slices.SortStableFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out, nil
}

// decodeBasic splits a Basic Authorization value.
func decodeBasic(v string) (user, pass string, ok bool) {
	scheme, enc, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}

// gitConfigFile renders entries ("section.subsection.name", value) as a
// git configuration file.
func gitConfigFile(entries [][2]string) string {
	var b strings.Builder
	for _, kv := range entries {
		key := kv[0]
		first, rest, _ := strings.Cut(key, ".")
		i := strings.LastIndex(rest, ".")
		sub, name := rest[:i], rest[i+1:]
		fmt.Fprintf(&b, "[%s %s]\n\t%s = %s\n", first, configQuote(sub), name, configQuote(kv[1]))
	}
	return b.String()
}

// configQuote quotes s for a git configuration file.
func configQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// envValue returns the last value of key in env and whether it is set.
func envValue(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// setEnv returns env with every key= entry removed and key=value added.
func setEnv(env []string, key, value string) []string {
	env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, key+"=") })
	return append(env, key+"="+value)
}

// certificatePEM returns the CERTIFICATE blocks of the PEM file name, or
// nothing if it cannot be read (git would fail on it too).
func certificatePEM(name string) []byte {
	data, err := os.ReadFile(name)
	if err != nil || len(data) > 64<<20 {
		return nil
	}
	var out []byte
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b.Bytes})...)
		}
	}
	return out
}
