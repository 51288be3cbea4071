package netrcauth

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Sources of a credential, as [CredentialInfo.Source] names them.
const (
	SourceNetrc   = "netrc"   // an entry of the netrc file (GOAUTH=netrc)
	SourceCommand = "command" // the output of a GOAUTH command
	SourceGit     = "git"     // "git credential fill" (GOAUTH=git DIR)
	SourceExtra   = "extra"   // [Config.Credentials]
)

// CredentialInfo describes a credential without revealing it: where it
// came from and what kind of header it sends. It never holds a password,
// token or header value.
type CredentialInfo struct {
	// Source is one of SourceNetrc, SourceCommand, SourceGit or
	// SourceExtra.
	Source string `json:"source"`
	// Prefix is the URL prefix (host[:port][/path]) the credential is
	// stored under and matched with.
	Prefix string `json:"prefix"`
	// File and Line locate a netrc entry (Line is the line of its
	// "machine" token).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Login is the user name of a Basic credential, if known.
	Login string `json:"login,omitempty"`
	// Command is the GOAUTH entry that produced the credential, as
	// written ("git /path" for the git method).
	Command string `json:"command,omitempty"`
	// Scheme is the authorization scheme sent ("Basic", "Bearer", ...),
	// or the header field names for credentials without an Authorization
	// field; empty when unknown (a [TokenFunc] not yet called).
	Scheme string `json:"scheme,omitempty"`
}

// String describes the credential in one line, such as
// "netrc /home/u/.netrc:3 (login alice) for corp.example".
func (c CredentialInfo) String() string {
	var b strings.Builder
	switch c.Source {
	case SourceNetrc:
		fmt.Fprintf(&b, "netrc %s:%d", c.File, c.Line)
	case SourceCommand:
		fmt.Fprintf(&b, "GOAUTH command %q", c.Command)
	case SourceGit:
		fmt.Fprintf(&b, "GOAUTH %q", c.Command)
	case SourceExtra:
		b.WriteString("extra credential")
	default:
		b.WriteString(c.Source)
	}
	switch {
	case c.Login != "":
		fmt.Fprintf(&b, " (login %s)", c.Login)
	case c.Scheme != "":
		fmt.Fprintf(&b, " (%s)", c.Scheme)
	}
	if c.Prefix != "" {
		b.WriteString(" for " + c.Prefix)
	}
	return b.String()
}

// Describe reports which credential [Auth.Header] would send to u, and
// where it came from, without revealing it; false when none applies.
// Like Header, it runs the GOAUTH methods once on first use. The
// description follows the same matching rules: the longest prefix of
// [Key](u), extra credentials first at equal length.
func (a *Auth) Describe(ctx context.Context, u *url.URL) (CredentialInfo, bool) {
	// The initial run skips git, so no transport is needed.
	a.initialRun(ctx, nil)
	var info CredentialInfo
	found := func(p string) bool {
		if c, ok := a.extra[p]; ok && (c.Func != nil || len(c.Header) > 0) {
			info = CredentialInfo{Source: SourceExtra, Prefix: p}
			describeHeader(&info, c.Header)
			return true
		}
		if a.off {
			return false
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		h, ok := a.store[p]
		if ok {
			info = a.origin[p]
			info.Prefix = p
			describeHeader(&info, h)
		}
		return ok
	}
	if walkPrefixes(Key(u), found) {
		return info, true
	}
	if a.cfg.Match.AnyPort {
		if k, ok := portlessKey(u); ok && walkPrefixes(k, found) {
			return info, true
		}
	}
	return CredentialInfo{}, false
}

// describeHeader fills in the scheme of h and, for Basic authorization,
// the login, which is not secret.
func describeHeader(info *CredentialInfo, h SecretHeader) {
	if len(h) == 0 {
		return
	}
	auth := h["Authorization"]
	if len(auth) == 0 {
		var names []string
		for k := range h {
			names = append(names, k)
		}
		slices.Sort(names)
		info.Scheme = strings.Join(names, ", ")
		return
	}
	v := auth[0].Reveal()
	scheme, rest, _ := strings.Cut(v, " ")
	info.Scheme = scheme
	if info.Login == "" && strings.EqualFold(scheme, "Basic") {
		if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest)); err == nil {
			login, _, _ := strings.Cut(string(dec), ":")
			info.Login = login
		}
	}
}
