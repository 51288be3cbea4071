package netrcauth

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sync"
)

// Config describes where credentials come from. Its zero value (GOAUTH ""
// meaning "netrc", no netrc file) provides no credentials but still behaves
// like the go command on 4xx responses. Build an [Auth] with [Config.Build];
// later changes to a Config do not affect Auths built from it.
type Config struct {
	// GOAUTH is the GOAUTH value the go command would use (process
	// environment, then the go env file). Empty means "netrc", the go
	// command's default. See [ParseGOAUTH].
	GOAUTH string

	// NetrcFile is the netrc file the "netrc" method reads, usually from
	// [Path]. A missing file, or "", means no netrc credentials. The file
	// is read once, on the first request, like the go command does.
	NetrcFile string
	// NetrcErr, if non-nil, is the error locating the netrc file (such as
	// the *[HomeDirError] from [Path]). The "netrc" method then provides
	// nothing and reports NetrcErr through Logf, like the go command's
	// "GOAUTH=netrc: $HOME is not defined".
	NetrcErr error

	// Credentials are extra credentials (from [Bearer], [TokenFunc],
	// [Basic], or literal) matched with the same prefix rules. For the same
	// prefix they win over GOAUTH's, and among themselves the first listed
	// wins; a longer prefix from any source wins over a shorter one.
	Credentials []Credential

	// Env is the environment of GOAUTH commands and git, in [os/exec.Cmd]
	// Env form; its PATH also locates commands given without a slash. Nil
	// means the current process environment.
	Env []string

	// Match relaxes prefix matching beyond the go command's rules. The
	// zero value matches like the go command.
	Match MatchOptions

	// SkipRerunOnNotFound, when true, does not re-run GOAUTH methods or
	// retry a request answered 404 or 410 (a proxy that merely lacks a
	// module). The go command re-runs and retries on every 4xx response.
	SkipRerunOnNotFound bool

	// Logf, if non-nil, receives the diagnostics the go command prints with
	// -x: "GOAUTH encountered errors for <url>:" followed by one line per
	// failed method, when no method found a credential for the URL. Nothing
	// it receives contains a secret.
	Logf func(format string, args ...any)

	// Stat checks git directories; nil means [os.Stat].
	Stat func(name string) (fs.FileInfo, error)
	// ReadFile reads NetrcFile; nil means [os.ReadFile].
	ReadFile func(name string) ([]byte, error)
}

// FromEnvironment returns the Config the go command would use in the
// environment read through getenv (nil means [os.Getenv]): GOAUTH from
// getenv("GOAUTH") and NetrcFile/NetrcErr from [Path] for the running
// operating system. The go command also reads GOAUTH from the go env file;
// callers that resolve the go env (such as proxyenv) should overwrite
// GOAUTH with the resolved value. NETRC is, like in the go command, only
// taken from getenv.
func FromEnvironment(getenv func(string) string) *Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	path, err := Path(getenv, runtime.GOOS, nil)
	return &Config{GOAUTH: getenv("GOAUTH"), NetrcFile: path, NetrcErr: err}
}

// Auth holds the credentials of one [Config]: the parsed GOAUTH methods,
// the netrc file once read, and the credentials GOAUTH methods produced,
// per URL prefix. It is safe for concurrent use. Two Auths never share
// state.
type Auth struct {
	cfg     Config
	methods []Method
	off     bool
	extra   map[string]Credential

	runMu  sync.Mutex // serializes GOAUTH runs
	inited bool       // the initial run is done

	mu     sync.Mutex
	store  map[string]SecretHeader
	origin map[string]CredentialInfo // where each store entry came from

	netrcOnce    sync.Once
	netrcHeaders map[string]SecretHeader // by normalized machine; the first entry wins
	netrcInfo    map[string]CredentialInfo
	netrcErr     error
	netrcStored  bool            // the netrc headers are in store (guarded by mu)
	netrcDirty   map[string]bool // prefixes other methods set since (guarded by mu)

	bg sync.WaitGroup // background git credential checks
}

// Build parses c.GOAUTH and returns an Auth. GOAUTH errors the go command
// stops on are *[GOAUTHError]s, checked in the go command's order
// (including that git directories exist). New runs no command and reads no
// file.
func (c Config) Build() (*Auth, error) {
	stat := c.Stat
	if stat == nil {
		stat = os.Stat
	}
	methods, off, err := parseGOAUTH(c.GOAUTH, stat)
	if err != nil {
		return nil, err
	}
	a := &Auth{cfg: c, methods: methods, off: off, extra: map[string]Credential{}, store: map[string]SecretHeader{}, origin: map[string]CredentialInfo{}}
	a.cfg.Credentials = nil
	a.cfg.Env = append([]string(nil), c.Env...)
	if c.Env == nil {
		a.cfg.Env = nil
	}
	for _, cr := range c.Credentials {
		p := NormalizePrefix(cr.Prefix)
		if _, dup := a.extra[p]; dup {
			continue // the first listed wins
		}
		cr.Prefix = p
		cr.Header = cr.Header.Clone()
		a.extra[p] = cr
	}
	return a, nil
}

// Methods returns the GOAUTH methods in the order listed, and whether
// GOAUTH is off.
func (a *Auth) Methods() ([]Method, bool) {
	return append([]Method(nil), a.methods...), a.off
}

// Wait waits for background work started by requests to finish: the go
// command checks a "git credential fill" result with a HEAD request and
// then runs "git credential approve" or "reject" without delaying the
// request that needed it, and so does Auth.
func (a *Auth) Wait() { a.bg.Wait() }

// Header returns the header fields to send with an https request to u, as
// the go command would add them: on first use it runs the GOAUTH methods
// once (commands without arguments; git is skipped), then it looks up the
// longest matching prefix of [Key](u). It returns nil when nothing
// matches. base is used for the HEAD request that checks git credentials;
// nil means [http.DefaultTransport].
func (a *Auth) Header(ctx context.Context, u *url.URL, base http.RoundTripper) (SecretHeader, error) {
	a.initialRun(ctx, base)
	return a.lookup(ctx, u)
}

// Rerun re-runs the GOAUTH methods after resp, a 4xx response to u, as the
// go command does before retrying: every method runs again (git included),
// commands get u as their last argument and the response status line and
// header on standard input. Methods that fail are reported through Logf
// when no credential matches u afterwards.
func (a *Auth) Rerun(ctx context.Context, u *url.URL, resp *http.Response, base http.RoundTripper) {
	if a.off {
		return
	}
	a.initialRun(ctx, base)
	a.runMu.Lock()
	defer a.runMu.Unlock()
	errs := a.run(ctx, u, resp, base)
	if a.cfg.Logf != nil && len(errs) > 0 {
		if h, err := a.lookup(ctx, u); err == nil && h == nil {
			a.cfg.Logf("GOAUTH encountered errors for %s:", u.Redacted())
			for _, err := range errs {
				a.cfg.Logf("  %v", err)
			}
		}
	}
}

func (a *Auth) initialRun(ctx context.Context, base http.RoundTripper) {
	if a.off {
		return
	}
	a.runMu.Lock()
	defer a.runMu.Unlock()
	if a.inited {
		return
	}
	a.run(ctx, nil, nil, base)
	// A run cut short by the caller's context does not count.
	if ctx.Err() == nil {
		a.inited = true
	}
}

// run runs every method, from last to first so that earlier methods
// overwrite later ones for the same prefix. u is nil for the initial run.
func (a *Auth) run(ctx context.Context, u *url.URL, resp *http.Response, base http.RoundTripper) []error {
	var errs []error
	for i := len(a.methods) - 1; i >= 0; i-- {
		m := a.methods[i]
		switch m.Kind {
		case Netrc:
			headers, err := a.netrc()
			if err != nil {
				errs = append(errs, &CommandError{Method: m.Text, Err: err})
				continue
			}
			a.putNetrc(headers)
		case Git:
			if u == nil {
				// git credential cannot enumerate credentials: the go
				// command waits for a URL.
				continue
			}
			prefix, h, err := a.runGit(ctx, m, u, base)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			a.put(NormalizePrefix(prefix), h, CredentialInfo{Source: SourceGit, Command: m.Text})
		case Command:
			creds, err := a.runCommand(ctx, m, u, resp)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, c := range creds {
				a.put(c.Prefix, c.Header, CredentialInfo{Source: SourceCommand, Command: m.Text})
			}
		}
	}
	return errs
}

// put stores h for prefix; an empty h forgets the prefix, as in the go
// command.
func (a *Auth) put(prefix string, h SecretHeader, info CredentialInfo) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.netrcStored && a.netrcHeaders[prefix] != nil {
		a.netrcDirty[prefix] = true
	}
	if len(h) == 0 {
		delete(a.store, prefix)
		delete(a.origin, prefix)
		return
	}
	a.store[prefix] = h
	a.origin[prefix] = info
}

// putNetrc stores the netrc credentials, as the go command does on every
// run of the "netrc" method. The entries never change, so after the first
// run only the prefixes another method has set since are stored again: a
// re-run after a 4xx costs what the other methods changed, not the size
// of the netrc file.
func (a *Auth) putNetrc(headers map[string]SecretHeader) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.netrcStored {
		for p, h := range headers {
			a.store[p] = h
			a.origin[p] = a.netrcInfo[p]
		}
		a.netrcStored = true
		a.netrcDirty = map[string]bool{}
		return
	}
	for p := range a.netrcDirty {
		a.store[p] = headers[p]
		a.origin[p] = a.netrcInfo[p]
	}
	clear(a.netrcDirty)
}

// storeEmpty reports whether no GOAUTH credential is usable: GOAUTH is
// off or its methods have stored none (yet).
func (a *Auth) storeEmpty() bool {
	if a.off {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.store) == 0
}

func (a *Auth) netrc() (map[string]SecretHeader, error) {
	a.netrcOnce.Do(func() {
		if a.cfg.NetrcErr != nil {
			a.netrcErr = a.cfg.NetrcErr
			return
		}
		if a.cfg.NetrcFile == "" {
			return
		}
		read := a.cfg.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		data, err := read(a.cfg.NetrcFile)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				a.netrcErr = err
			}
			return
		}
		entries := Parse(data)
		a.netrcHeaders = make(map[string]SecretHeader, len(entries))
		a.netrcInfo = make(map[string]CredentialInfo, len(entries))
		for _, e := range entries {
			// The go command stores the entries from last to first, so
			// the first entry for a machine wins.
			if p := NormalizePrefix(e.Machine); a.netrcHeaders[p] == nil {
				a.netrcHeaders[p] = basicHeader(e.Login, e.Password)
				a.netrcInfo[p] = CredentialInfo{Source: SourceNetrc, File: a.cfg.NetrcFile, Line: e.Line, Login: e.Login}
			}
		}
	})
	return a.netrcHeaders, a.netrcErr
}

// lookup finds the header for u: the longest prefix of Key(u) known to the
// extra credentials or the GOAUTH store (extra first at equal length).
func (a *Auth) lookup(ctx context.Context, u *url.URL) (SecretHeader, error) {
	if len(a.extra) == 0 && a.storeEmpty() {
		// Nothing could match: skip building Key(u), which allocates, on
		// every request of a client without credentials. Reruns after a
		// 4xx still happen (the Transport calls Rerun regardless).
		return nil, nil
	}
	var h SecretHeader
	var err error
	found := func(p string) bool {
		if c, ok := a.extra[p]; ok {
			if c.Func != nil {
				h, err = c.Func(ctx)
				if err != nil {
					err = &TokenError{Prefix: p, Err: err}
				}
				return true
			}
			if len(c.Header) > 0 {
				h = c.Header
				return true
			}
		}
		if a.off {
			return false
		}
		a.mu.Lock()
		s, ok := a.store[p]
		a.mu.Unlock()
		if ok {
			h = s
		}
		return ok
	}
	if walkPrefixes(Key(u), found) {
		return h, err
	}
	if a.cfg.Match.AnyPort {
		if k, ok := portlessKey(u); ok && walkPrefixes(k, found) {
			return h, err
		}
	}
	return nil, nil
}
