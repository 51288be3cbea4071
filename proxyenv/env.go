package proxyenv

// Env is the effective go environment relevant to fetching modules, one
// field per variable, holding the value the go command would use (after the
// process environment, the go env file, $GOROOT/go.env and built-in defaults
// have been consulted). Fields are plain strings exactly as `go env` prints
// them.
//
// Later changes to an Env do not affect values built from it.
type Env struct {
	GOPROXY    string
	GONOPROXY  string
	GOPRIVATE  string
	GONOSUMDB  string
	GOINSECURE string
	GOSUMDB    string
	GOAUTH     string
	GOENV      string
	GOROOT     string
	NETRC      string

	// HTTP proxy variables as net/http in the go command reads them
	// (upper-case name first, then lower-case).
	HTTP_PROXY  string
	HTTPS_PROXY string
	NO_PROXY    string
	// REQUEST_METHOD is non-empty in a CGI environment (httpproxy.Config.CGI).
	REQUEST_METHOD string

	// Sources records, per variable name, where each value came from.
	Sources map[string]Value
}

// Source says where a variable's effective value came from.
type Source string

// The sources of a value, in the order the go command consults them.
const (
	SourceEnv     Source = "env"     // the process environment (non-empty value)
	SourceFile    Source = "file"    // the user's go env file ($GOENV or the default path)
	SourceGOROOT  Source = "goroot"  // $GOROOT/go.env
	SourceDefault Source = "default" // the go command's built-in default
)

// Value is one variable's effective value and its provenance.
type Value struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source Source `json:"source"`
	File   string `json:"file,omitempty"` // for SourceFile and SourceGOROOT
	Line   int    `json:"line,omitempty"` // 1-based line in File
}
