package proxyenv

// ReportedVars lists the variables that decide how the go command fetches
// modules, in the order [Env.Report] gives them by default: first those
// the go command resolves through the go env files, then those its HTTP
// client and netrc code read from the process environment only.
var ReportedVars = []string{
	"GOPROXY", "GONOPROXY", "GOPRIVATE", "GONOSUMDB", "GOINSECURE", "GOSUMDB",
	"GOAUTH", "GOENV", "GOROOT", "GOFLAGS", "GOTOOLCHAIN", "GOVCS", "GODEBUG",
	"NETRC", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
}

// An EnvVar is one variable of an environment report: the value "go env"
// prints, where it comes from, and, for variables the go command reads
// from the process environment only, what it actually uses when that
// differs.
type EnvVar struct {
	// Value is what "go env -json" prints for the variable, with its
	// source (Value.Value is not redacted: use Value.String to print).
	Value
	// Used is set for NETRC, the HTTP proxy and the SSL_CERT_*
	// variables when what the go command uses differs from what "go env"
	// prints: a go env file assigning them is printed by "go env" but
	// ignored, and HTTPS_PROXY may be read as https_proxy.
	Used *Value `json:"used,omitempty"`
}

// processOnlyVars are the variables the go command's fetching reads from
// the process environment only, although "go env" prints them when a go
// env file assigns them.
var processOnlyVars = map[string]bool{
	"NETRC": true, "HTTP_PROXY": true, "HTTPS_PROXY": true, "NO_PROXY": true,
	"SSL_CERT_FILE": true, "SSL_CERT_DIR": true,
}

// Report describes the named variables (nil means [ReportedVars]) without
// any I/O: each value as "go env" prints it, with its source, file and
// line, and what the go command uses where that differs. Pair it with
// [Env.Lint] for the problems.
func (e *Env) Report(names ...string) []EnvVar {
	if names == nil {
		names = ReportedVars
	}
	out := make([]EnvVar, 0, len(names))
	for _, name := range names {
		goenv, _ := e.GoEnv(name)
		if !processOnlyVars[name] {
			v := e.Lookup(name)
			v.Name, v.Value = name, goenv
			out = append(out, EnvVar{Value: v})
			continue
		}
		used, ok := e.Sources[name] // NETRC and the HTTP proxy variables
		if !ok {
			used = Value{Name: name, Value: e.processValue(name), Source: SourceEnv}
			if used.Value == "" {
				used.Source = SourceDefault
			}
		}
		ev := EnvVar{Value: e.goEnvOrigin(name, goenv)}
		if used.Value != goenv || used.Name != name {
			u := used
			ev.Used = &u
		}
		out = append(out, ev)
	}
	return out
}

// processValue returns the process environment's value of a
// process-only variable under its upper-case name, as Load recorded it.
func (e *Env) processValue(name string) string {
	switch name {
	case "SSL_CERT_FILE":
		return e.SSL_CERT_FILE
	case "SSL_CERT_DIR":
		return e.SSL_CERT_DIR
	}
	if v, ok := e.Sources[name]; ok && v.Name == name && v.Source == SourceEnv {
		return v.Value
	}
	return ""
}

// goEnvOrigin finds where "go env" takes value for a variable the go
// command itself does not know: the process environment, else the first
// go env file assigning it.
func (e *Env) goEnvOrigin(name, value string) Value {
	switch {
	case value == "":
		return Value{Name: name, Source: SourceDefault}
	case e.processValue(name) == value:
		return Value{Name: name, Value: value, Source: SourceEnv}
	}
	for _, src := range []Source{SourceFile, SourceGOROOT} {
		if f := e.file(src); f != nil {
			if l, ok := f.assignment(name); ok {
				return Value{Name: name, Value: value, Source: src, File: f.Path, Line: l.Line}
			}
		}
	}
	return Value{Name: name, Value: value, Source: SourceFile, File: e.GOENV}
}
