package proxyenv

import (
	"encoding/json"
	"strings"
)

// envFields lists Env's variables in the order String and MarshalJSON
// present them.
func (e Env) envFields() [][2]string {
	return [][2]string{
		{"GOPROXY", e.GOPROXY}, {"GONOPROXY", e.GONOPROXY}, {"GOPRIVATE", e.GOPRIVATE},
		{"GONOSUMDB", e.GONOSUMDB}, {"GOINSECURE", e.GOINSECURE}, {"GOSUMDB", e.GOSUMDB},
		{"GOAUTH", e.GOAUTH}, {"GOENV", e.GOENV}, {"GOROOT", e.GOROOT}, {"NETRC", e.NETRC},
		{"HTTP_PROXY", e.HTTP_PROXY}, {"HTTPS_PROXY", e.HTTPS_PROXY}, {"NO_PROXY", e.NO_PROXY},
		{"REQUEST_METHOD", e.REQUEST_METHOD},
	}
}

// String returns the variables as NAME="value" pairs with credentials
// redacted (see [Redact]), so that printing an Env with %v or %+v never
// shows a password.
func (e Env) String() string {
	var b strings.Builder
	b.WriteString("{")
	for i, f := range e.envFields() {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(f[0])
		b.WriteString("=")
		b.WriteString(quote(Redact(f[0], f[1])))
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so %#v redacts too.
func (e Env) GoString() string { return "proxyenv.Env" + e.String() }

// MarshalJSON encodes the variables, with credentials redacted, and their
// sources.
func (e Env) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, 16)
	for _, f := range e.envFields() {
		m[f[0]] = Redact(f[0], f[1])
	}
	if len(e.Sources) > 0 {
		src := make(map[string]Value, len(e.Sources))
		for k, v := range e.Sources {
			v.Value = Redact(v.Name, v.Value)
			src[k] = v
		}
		m["Sources"] = src
	}
	return json.Marshal(m)
}
