// Command demo shows modnet solving the problems that stop most teams
// with private Go modules, offline, in a few seconds:
//
//  1. GOPRIVATE silently routes private modules around the company proxy;
//  2. a TLS-inspecting corporate proxy makes every https fetch fail with
//     "x509: certificate signed by unknown authority";
//  3. the private module proxy wants credentials;
//  4. a private module fetched straight from the company's git host, where
//     the go command's git trusts neither the inspection root nor Go's
//     settings (this step needs git installed).
//
// It starts, in this process and on 127.0.0.1 only, a private CA, a module
// proxy that requires credentials, a git host (git http-backend) and a
// TLS-inspecting HTTP proxy; shows
// each failure as modnet classifies it, with its hint; then applies the fix
// through modnet's API and shows the download succeeding.
//
// Usage:
//
//	go run ./examples/demo
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/proxyenv/modfetch"
	"github.com/modnet/modnet/trust"
)

const (
	modPath    = "corp.example/platform/hello"
	modVersion = "v1.4.2"
	proxyHost  = "goproxy.corp.example"

	gitModule  = "git.corp.example/platform/tools"
	gitVersion = "v0.3.0"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// world is the demo's infrastructure.
type world struct {
	goproxyURL  string // what GOPROXY says
	httpsProxy  string // what HTTPS_PROXY says
	inspectRoot string // file holding the inspecting proxy's root CA
	dir         string // scratch directory
	gitErr      error  // why the git host could not be set up (no git installed)
	stop        []func()
}

func (w *world) close() {
	for _, f := range w.stop {
		f()
	}
	os.RemoveAll(w.dir)
}

func setup() (*world, error) {
	w := &world{goproxyURL: "https://" + proxyHost}
	dir, err := os.MkdirTemp("", "modnet-demo")
	if err != nil {
		return nil, err
	}
	w.dir = dir

	// The company's private CA and the module proxy it certifies.
	corpCA, err := newAuthority("Example Corp", "Example Corp Internal CA")
	if err != nil {
		return nil, err
	}
	modCert, err := corpCA.issue(proxyHost)
	if err != nil {
		return nil, err
	}
	mp, err := newModuleProxy(modPath, modVersion, "ci-bot", "s3cret-demo-token")
	if err != nil {
		return nil, err
	}
	modAddr, stopMod, err := serve(mp, &modCert)
	if err != nil {
		return nil, err
	}
	w.stop = append(w.stop, stopMod)

	// The network's TLS-inspecting proxy, with a root of its own.
	inspectCA, err := newAuthority("Contoso Secure Web Gateway", "Contoso SSL Inspection Root CA")
	if err != nil {
		return nil, err
	}
	upRoots := x509.NewCertPool()
	upRoots.AddCert(corpCA.cert)
	upstream := map[string]string{proxyHost + ":443": modAddr}

	// The company's git host, with a go-get page for its module.
	gitHost, _, _ := strings.Cut(gitModule, "/")
	if gs, err := newGitServer(filepath.Join(dir, "git"), gitModule, gitVersion); err != nil {
		w.gitErr = err
	} else {
		gitCert, err := corpCA.issue(gitHost)
		if err != nil {
			return nil, err
		}
		gitAddr, stopGit, err := serve(gs, &gitCert)
		if err != nil {
			return nil, err
		}
		w.stop = append(w.stop, stopGit)
		upstream[gitHost+":443"] = gitAddr
	}
	ip := &inspectingProxy{
		ca:       inspectCA,
		upstream: upstream,
		upRoots:  upRoots,
		certs:    map[string]*tls.Certificate{},
	}
	proxyAddr, stopProxy, err := serve(ip, nil)
	if err != nil {
		return nil, err
	}
	w.stop = append(w.stop, stopProxy)
	w.httpsProxy = "http://" + proxyAddr

	// What IT would hand out: the inspecting proxy's root certificate.
	w.inspectRoot = filepath.Join(dir, "contoso-inspection-root.pem")
	if err := os.WriteFile(w.inspectRoot, inspectCA.pem, 0o644); err != nil {
		return nil, err
	}
	return w, nil
}

func run(out io.Writer) error {
	w, err := setup()
	if err != nil {
		return err
	}
	defer w.close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	say("modnet demo: everything below runs on 127.0.0.1; nothing leaves this machine.")
	say("  GOPROXY=%s   (private module proxy, wants credentials)", w.goproxyURL)
	say("  HTTPS_PROXY=%s   (TLS-inspecting corporate proxy)", w.httpsProxy)
	say("")

	// The environment a developer typically starts with. A real program
	// would call proxyenv.FromEnvironment(nil) to read it like "go env".
	env := &proxyenv.Env{
		GOPROXY:     w.goproxyURL,
		GOPRIVATE:   "corp.example",
		GOSUMDB:     "sum.golang.org",
		GOAUTH:      "netrc",
		HTTPS_PROXY: w.httpsProxy,
		NETRC:       filepath.Join(w.dir, "netrc"), // does not exist yet
	}

	// Step 1: the route.
	say("1. GOPRIVATE=corp.example — where would the go command fetch %s?", modPath)
	route, err := env.Route(modPath)
	if err != nil {
		return err
	}
	say("   %s", describeRoute(route))
	say("   GONOPROXY defaults to GOPRIVATE, so the module proxy is skipped and the")
	say("   go command goes straight to version control.")
	say("   fix: GONOPROXY=none keeps the proxy; GOPRIVATE still turns off the public checksum database.")
	env.GONOPROXY = "none"
	route, err = env.Route(modPath)
	if err != nil {
		return err
	}
	say("   now: %s; checksum database: %s", describeRoute(route), sumdbWord(route))
	say("")

	// Step 2: TLS through the inspecting proxy.
	say("2. Fetch through the corporate network:")
	err = fetch(ctx, env, proxyenv.ClientOptions{})
	var te *trust.Error
	if !errors.As(err, &te) {
		return fmt.Errorf("expected a TLS failure, got: %v", err)
	}
	say("   failed: %s", te.Kind)
	if len(te.Chain) > 0 {
		say("   %s presented a certificate issued by %q", proxyHost, te.Chain[0].Issuer)
	}
	for _, e := range te.Evidence {
		if strings.Contains(e, "TLS-inspecting") {
			say("   evidence: %s", e)
		}
	}
	for i, line := range wrap("hint: "+te.Hint, 96) {
		if i > 0 {
			line = "      " + line
		}
		say("   %s", line)
	}
	say("   fix: trust the inspection root too (merged with the system roots, not instead of them):")
	say("        trust.Config{Extra: []trust.Source{{Path: %q}}}", filepath.Base(w.inspectRoot))
	pool, err := (&trust.Config{Extra: []trust.Source{{Path: w.inspectRoot}}}).Build()
	if err != nil {
		return err
	}
	say("")

	// Step 3: credentials.
	say("3. Fetch again with the extra root:")
	err = fetch(ctx, env, proxyenv.ClientOptions{Trust: pool})
	var se *proxyenv.StatusError
	if !errors.As(err, &se) {
		return fmt.Errorf("expected an HTTP status error, got: %v", err)
	}
	say("   failed: %s from %s", se.Status, proxyHost)
	say("   the proxy wants credentials; with GOAUTH=netrc the go command reads them from $NETRC or ~/.netrc,")
	say("   keyed by host[:port][/path] and sent only over https.")
	say("   fix: add a netrc entry (a bearer token via netrcauth.Bearer works the same way):")
	say("        machine %s login ci-bot password ********", proxyHost)
	if err := os.WriteFile(env.NETRC, []byte("machine "+proxyHost+" login ci-bot password s3cret-demo-token\n"), 0o600); err != nil {
		return err
	}
	say("")

	// Step 4: success.
	say("4. Fetch again:")
	dl := filepath.Join(w.dir, "modcache")
	c, err := env.Client(proxyenv.ClientOptions{Trust: pool})
	if err != nil {
		return err
	}
	f := &modfetch.Fetcher{Client: c, Dir: dl}
	d, err := f.Download(ctx, modPath, modVersion)
	if err != nil {
		return err
	}
	say("   ok: %s@%s  %s", d.Path, d.Version, d.Sum)
	for _, p := range []string{d.Info, d.GoMod, d.Zip} {
		rel, _ := filepath.Rel(dl, p)
		say("       %s", filepath.ToSlash(rel))
	}
	say("")

	// Step 5: a private module straight from git.
	if err := gitStep(ctx, w, pool, say); err != nil {
		return err
	}
	say("")
	say("Same rules as the go command, measured against it in modnet's tests. Next: go run ./examples/doctor <module>")
	return nil
}

// gitStep fetches a private module from the company's git host through
// the inspecting proxy: the go command's git, which sees neither the
// inspection root nor Go's settings, fails; modnet gives git the roots and
// proxy of its own client, scoped to the repository.
func gitStep(ctx context.Context, w *world, pool *trust.Pool, say func(string, ...any)) error {
	say("5. GOPRIVATE=git.corp.example — %s comes straight from git (direct mode):", gitModule)
	if w.gitErr != nil {
		say("   skipped: %v (install git to see this step)", w.gitErr)
		return nil
	}
	repoURL := "https://" + gitModule
	if msg := plainGit(repoURL, w.httpsProxy); msg != "" {
		say("   the go command's git (process environment only): %s", msg)
	}
	env := &proxyenv.Env{
		GOPROXY:     w.goproxyURL,
		GOPRIVATE:   "git.corp.example",
		GOSUMDB:     "sum.golang.org",
		GOAUTH:      "off",
		HTTPS_PROXY: w.httpsProxy,
	}
	c, err := env.Client(proxyenv.ClientOptions{Trust: pool})
	if err != nil {
		return err
	}
	dl := filepath.Join(w.dir, "modcache")
	var gitConfig []string
	f := &modfetch.Fetcher{Client: c, Dir: dl, Trace: func(line string) {
		if strings.HasPrefix(line, "# git config") {
			gitConfig = append(gitConfig, line)
		}
	}}
	defer f.Close()
	d, err := f.Download(ctx, gitModule, "latest")
	if err != nil {
		return err
	}
	say("   modnet: ok %s@%s  %s", d.Path, d.Version, d.Sum)
	say("   git was given, scoped to %s and never on its command line:", repoURL)
	for _, line := range gitConfig {
		for _, kv := range strings.Fields(line) {
			if strings.HasPrefix(kv, "http.") {
				say("        %s", kv[:strings.IndexByte(kv, '=')])
			}
		}
	}
	say("   (the roots Go trusts, the inspection root included, and the HTTPS proxy; GitEnv")
	say("   gives the same to a go command, Athens or goproxy: see proxyenv/vcs)")
	return nil
}

// fetch downloads the demo module once with a fresh client.
func fetch(ctx context.Context, env *proxyenv.Env, opts proxyenv.ClientOptions) error {
	c, err := env.Client(opts)
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()
	_, err = (&modfetch.Fetcher{Client: c}).Download(ctx, modPath, modVersion)
	if err == nil {
		return errors.New("download unexpectedly succeeded")
	}
	return err
}

func describeRoute(r *proxyenv.Route) string {
	var parts []string
	for _, s := range r.Steps {
		switch s.Action {
		case proxyenv.ActionProxy:
			parts = append(parts, "proxy "+s.Entry.String())
		case proxyenv.ActionDirect:
			parts = append(parts, "direct (version control)")
		}
	}
	if len(parts) == 0 {
		return "no source"
	}
	return "route: " + strings.Join(parts, " → ")
}

func sumdbWord(r *proxyenv.Route) string {
	if r.SumDB.Use {
		return "consulted"
	}
	return "skipped (" + r.SumDB.Reason + ")"
}

// wrap breaks s into lines of at most width bytes at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
