package proxyenv_test

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/modnet/modnet/proxyenv"
)

// Load resolves each variable from the process environment, the user's go
// env file, $GOROOT/go.env and the go command's defaults, and records where
// each value came from. Here the environment and the files are literals.
func ExampleLoad() {
	environ := map[string]string{
		"HOME":    "/home/gopher",
		"GOROOT":  "/usr/local/go",
		"GOPROXY": "", // set but empty: falls through to the go env file
	}
	files := map[string]string{
		"/home/gopher/.config/go/env": "GOPRIVATE=*.corp.example\nGOPROXY=https://proxy.corp.example,direct\n",
		"/usr/local/go/go.env":        "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\n",
	}
	env, err := proxyenv.Load(proxyenv.LoadOptions{
		Getenv: func(key string) string { return environ[key] },
		ReadFile: func(name string) ([]byte, error) {
			if s, ok := files[name]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		},
		Stat:     func(string) (fs.FileInfo, error) { return nil, errors.New("not needed here") },
		GOOS:     "linux",
		LookPath: func(string) (string, error) { return "", errors.New("no go binary") },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"GOENV", "GOPROXY", "GOPRIVATE", "GONOPROXY", "GOSUMDB", "GOAUTH", "GOROOT"} {
		fmt.Println(env.Sources[name])
	}
	// Output:
	// GOENV=/home/gopher/.config/go/env (default)
	// GOPROXY=https://proxy.corp.example,direct (file /home/gopher/.config/go/env:2)
	// GOPRIVATE=*.corp.example (file /home/gopher/.config/go/env:1)
	// GONOPROXY=*.corp.example (default via GOPRIVATE)
	// GOSUMDB=sum.golang.org (goroot /usr/local/go/go.env:2)
	// GOAUTH=netrc (default)
	// GOROOT=/usr/local/go (env)
}

// ParseEnvFile keeps values verbatim, as the go command does: quotes and
// the carriage returns of a CRLF file stay in the value, and lines that do
// not start with an upper-case letter are ignored.
func ExampleParseEnvFile() {
	data := []byte("GOPROXY=\"https://proxy.example\"\r\n goprivate=x\nGOPRIVATE=corp.example\n")
	for _, l := range proxyenv.ParseEnvFile(data) {
		if l.Ignored {
			fmt.Printf("%d: ignored %q\n", l.Line, l.Text)
			continue
		}
		fmt.Printf("%d: %s=%q\n", l.Line, l.Key, l.Value)
	}
	// Output:
	// 1: GOPROXY="\"https://proxy.example\"\r"
	// 2: ignored " goprivate=x"
	// 3: GOPRIVATE="corp.example"
}

// LintEnvFile explains what the go command silently does with a go env
// file.
func ExampleLintEnvFile() {
	data := []byte("GOPROXY = https://proxy.example\nexport GOPRIVATE=corp.example\nGOAUTH=off\nGOAUTH=netrc\n")
	for _, d := range proxyenv.LintEnvFile("env", data, false) {
		fmt.Println(d)
	}
	// Output:
	// env:1: GOPROXY: space before '=': the go command assigns the variable "GOPROXY ", so this line has no effect on GOPROXY
	// env:2: GOPRIVATE: line ignored by the go command: shell syntax ("export") is not understood; write GOPRIVATE=value
	// env:3: GOAUTH: assigned again; the last assignment wins (line 4)
}

// HTTPProxyConfig gives the go command's view of the HTTP proxy variables:
// upper-case names first. ValidateHTTPProxy reports what httpproxy would
// silently misread, without revealing passwords.
func ExampleEnv_ValidateHTTPProxy() {
	environ := map[string]string{
		"HTTPS_PROXY": "http://alice:s3cret@[proxy.example",
		"https_proxy": "http://ignored.example:3128",
	}
	env, _ := proxyenv.Load(proxyenv.LoadOptions{
		Getenv:      func(key string) string { return environ[key] },
		LookPath:    func(string) (string, error) { return "", errors.New("no go binary") },
		BuildGOROOT: func() string { return "" },
	})
	fmt.Println(env.Sources["HTTPS_PROXY"])
	fmt.Println(env.ValidateHTTPProxy())
	// Output:
	// HTTPS_PROXY=http://alice:xxxxx@[proxy.example (env)
	// proxyenv: HTTPS_PROXY="http://alice:xxxxx@[proxy.example": not a valid URL; httpproxy uses "http://http://alice:xxxxx@[proxy.example" instead (missing ']' in host)
}
