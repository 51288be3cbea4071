package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/modnet/modnet/proxyenv"
	"github.com/modnet/modnet/trust"
)

// alwaysShown are the variables printed even when empty; the others are
// printed only when set.
var alwaysShown = map[string]bool{
	"GOPROXY": true, "GONOPROXY": true, "GOPRIVATE": true, "GONOSUMDB": true,
	"GOINSECURE": true, "GOSUMDB": true, "GOAUTH": true, "GOENV": true, "GOROOT": true,
}

// printText writes the human-readable report.
func printText(w io.Writer, rep *report, probed bool) {
	fmt.Fprintln(w, "go environment:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, name := range rep.names {
		v := rep.Env[name]
		shown, where := v.Value, sourceText(v.Source, v.File, v.Line, v.Via)
		if v.Used != nil {
			// What the go command uses differs from what "go env" prints.
			shown, where = v.Used.Value, sourceText(v.Used.Source, "", 0, "")
			if v.Used.Name != name {
				where += " as " + v.Used.Name
			}
			if v.Value != "" {
				where += fmt.Sprintf("; go env prints %s from %s, which the go command ignores", display(v.Value), sourceText(v.Source, v.File, v.Line, ""))
			}
		}
		if shown == "" && !alwaysShown[name] {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t(%s)\n", name, display(shown), where)
	}
	tw.Flush()

	for _, m := range rep.Modules {
		fmt.Fprintf(w, "\n%s:\n", m.Arg)
		if m.Route == nil {
			fmt.Fprintf(w, "  error: go: %s\n", m.Error)
			continue
		}
		printRoute(w, m)
		if m.Error != "" {
			fmt.Fprintf(w, "  error: go: %s\n", m.Error)
		}
		if probed {
			printProbes(w, m)
		}
		printRepo(w, m.Repo)
	}

	if rep.Trust != nil {
		printTrust(w, rep.Trust)
	}

	if len(rep.Diagnostics) == 0 {
		fmt.Fprintln(w, "\ndiagnostics: none")
		return
	}
	fmt.Fprintln(w, "\ndiagnostics:")
	for _, d := range rep.Diagnostics {
		loc := d.File
		if loc != "" && d.Line > 0 {
			loc += ":" + strconv.Itoa(d.Line)
		}
		if loc != "" {
			loc += ": "
		}
		if d.Name != "" {
			loc += d.Name + ": "
		}
		fmt.Fprintf(w, "  %s: %s%s\n", d.Severity, loc, d.Message)
	}
}

// printTrust summarises the trust sources: what was loaded and the
// warnings, with the usual expired or non-CA roots of system stores only
// counted.
func printTrust(w io.Writer, t *trust.Report) {
	fmt.Fprintf(w, "\ntrust: %d root%s", t.Total, plural(t.Total))
	if t.Platform {
		fmt.Fprint(w, " plus the platform verifier's")
	}
	fmt.Fprintln(w)
	for _, s := range t.Sources {
		if s.Status == trust.StatusNotConsulted || s.Status == trust.StatusMissing && s.Variable == "" {
			continue // candidates of the platform that this system lacks
		}
		line := "  " + string(s.Kind) + " " + s.Name
		if s.Variable != "" {
			line += " (" + s.Variable + ")"
		}
		if s.Status == trust.StatusLoaded {
			line += fmt.Sprintf(": %d root%s", s.Loaded, plural(s.Loaded))
		} else {
			line += ": " + string(s.Status)
		}
		if s.Error != "" {
			line += ": " + s.Error
		}
		fmt.Fprintln(w, line)
	}
	// The warnings are among the diagnostics; only the expired or non-CA
	// roots of the system stores, which doctor does not list there, are
	// counted here.
	stale := 0
	for _, x := range t.Warnings {
		if x.Code == trust.WarnExpiredRoot || x.Code == trust.WarnNotCA {
			stale++
		}
	}
	if stale > 0 {
		fmt.Fprintf(w, "  (%d expired or non-CA roots are ignored; -json lists them)\n", stale)
	}
}

func printRoute(w io.Writer, m *moduleReport) {
	r := m.Route
	if r.Module != r.Path {
		fmt.Fprintf(w, "  looked up as %s\n", r.Module)
	}
	fmt.Fprintln(w, "  route:")
	for i, s := range r.Steps {
		line := fmt.Sprintf("    %d. %s: ", i+1, s.Entry.String())
		switch s.Action {
		case proxyenv.ActionProxy:
			line += "module proxy"
		case proxyenv.ActionDirect:
			line += "from the origin, " + originURL(r.Module) + " (go-import lookup, then version control)"
		default:
			line += "skipped"
		}
		switch {
		case i == len(r.Steps)-1:
		case s.FallThrough == proxyenv.FallThroughAnyError:
			line += "; next entry after any error"
		default:
			line += "; next entry only after 404 or 410"
		}
		fmt.Fprintln(w, line)
		if s.Action == proxyenv.ActionSkip || s.Pattern != "" || s.Entry.Kind == proxyenv.ProxyNoproxy || s.Insecure {
			fmt.Fprintf(w, "       why: %s\n", s.Reason)
		}
	}
	use := "not consulted"
	if r.SumDB.Use {
		use = "consulted"
	}
	fmt.Fprintf(w, "  sumdb: %s: %s\n", use, r.SumDB.Reason)
	if r.SumDB.Use && r.SumDB.Err == nil {
		if r.SumDB.URL != "" {
			fmt.Fprintf(w, "    at %s\n", r.SumDB.URL)
		} else {
			fmt.Fprintf(w, "    found at %s\n", strings.Join(append(append([]string(nil), r.SumDB.Probes...), r.SumDB.Direct), ", else "))
		}
	}
	fmt.Fprintf(w, "  goinsecure: %s\n", r.Insecure.Reason)
}

func printRepo(w io.Writer, r *repoReport) {
	if r == nil {
		return
	}
	fmt.Fprintln(w, "  repository (direct):")
	if r.Error != "" {
		fmt.Fprintf(w, "    not found: %s\n", r.Error)
		return
	}
	fmt.Fprintf(w, "    %s %s", r.VCS, r.URL)
	if r.SubDir != "" {
		fmt.Fprintf(w, " (subdirectory %s)", r.SubDir)
	}
	fmt.Fprintf(w, " for %s\n", r.Root)
	if r.Page != "" {
		fmt.Fprintf(w, "    from %s: %s\n", r.Page, r.Decided)
	} else if r.Decided != "" {
		fmt.Fprintf(w, "    from %s\n", r.Decided)
	}
	if r.GOVCS != "" {
		kind := "public"
		if r.Private {
			kind = "private"
		}
		fmt.Fprintf(w, "    GOVCS: %s allowed for %s %s by rule %s\n", r.VCS, kind, r.Root, r.GOVCS)
	}
	if r.GitGoCommand != "" {
		fmt.Fprintf(w, "    git as the go command runs it: %s\n", r.GitGoCommand)
		fmt.Fprintf(w, "    git with modnet's roots, proxy and credentials: %s\n", r.GitModnet)
	}
	if r.Hint != "" {
		fmt.Fprintf(w, "    hint: %s\n", r.Hint)
	}
}

func printProbes(w io.Writer, m *moduleReport) {
	if len(m.Sources) == 0 {
		fmt.Fprintln(w, "  probes: nothing to contact")
		return
	}
	fmt.Fprintln(w, "  probes:")
	for _, s := range m.Sources {
		switch {
		case s.Skipped != "":
			fmt.Fprintf(w, "    skip  %-15s %s: %s\n", s.Role, s.URL, s.Skipped)
			continue
		case s.Error == nil:
			detail := []string{strconv.Itoa(s.StatusCode)}
			if s.TLSVersion != "" {
				detail = append(detail, s.TLSVersion)
			}
			if c := chainSummary(s.Chain); c != "" {
				detail = append(detail, c)
			}
			if s.Proxy != "" {
				detail = append(detail, "via proxy "+s.Proxy)
			}
			detail = append(detail, s.Elapsed)
			fmt.Fprintf(w, "    ok    %-15s %s: %s\n", s.Role, s.URL, strings.Join(detail, ", "))
		default:
			e := s.Error
			fmt.Fprintf(w, "    FAIL  %-15s %s: %s: %s (%s)\n", s.Role, s.URL, e.Kind, e.Message, s.Elapsed)
			if s.Proxy != "" {
				fmt.Fprintf(w, "          via proxy %s\n", s.Proxy)
			}
			if c := chainSummary(s.Chain); c != "" {
				fmt.Fprintf(w, "          chain: %s\n", c)
			}
		}
		switch {
		case s.Credential != nil:
			fmt.Fprintf(w, "          credential: %s\n", s.Credential)
		case strings.HasPrefix(s.URL, "https://"):
			fmt.Fprintf(w, "          credential: none applies\n")
		}
		if s.Retried {
			fmt.Fprintf(w, "          retried after re-running GOAUTH, as the go command does after a 4xx\n")
		}
		if s.Error != nil && s.Error.Hint != "" {
			fmt.Fprintf(w, "          hint: %s\n", s.Error.Hint)
		}
		if s.Note != "" {
			fmt.Fprintf(w, "          note: %s\n", s.Note)
		}
	}
}

// sourceText says where a value came from, in words.
func sourceText(src, file string, line int, via string) string {
	pos := file
	if line > 0 {
		pos += ":" + strconv.Itoa(line)
	}
	switch proxyenv.Source(src) {
	case proxyenv.SourceEnv:
		return "environment"
	case proxyenv.SourceFile:
		return "go env file " + pos
	case proxyenv.SourceGOROOT:
		return pos
	case proxyenv.SourceGoBinary:
		return "installation of " + file
	case proxyenv.SourceRuntime:
		return "GOROOT doctor was built with"
	case proxyenv.SourceRelease:
		return "defaults of " + via + " (no Go installation found)"
	case proxyenv.SourceDefault:
		if via != "" {
			return "default, from " + via
		}
		return "default"
	}
	return src
}

// display quotes a value when its spaces, quotes or control characters
// (such as the '\r' of a CRLF go env file) would otherwise be invisible.
func display(v string) string {
	if v == "" {
		return `""`
	}
	for _, r := range v {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '"' || r == '\'' {
			return strconv.Quote(v)
		}
	}
	return v
}

// scrubber hides the passwords of the environment's URLs in any text.
// Values are redacted where they are formatted; this is the safety net.
func scrubber(env *proxyenv.Env, getenv func(string) string) func(string) string {
	var extra []string
	for _, name := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "NO_PROXY", "no_proxy"} {
		extra = append(extra, getenv(name))
	}
	return env.Scrubber(extra...)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
