package netrcauth

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// HomeDirError reports that the home directory needed to locate the netrc
// file is not defined. Its message matches the go command's
// ("$HOME is not defined", "%userprofile% is not defined" on Windows,
// "$home is not defined" on Plan 9).
type HomeDirError struct {
	// Var is the variable that was consulted: "HOME", "USERPROFILE" or "home".
	Var string
	// Placeholder is how the go command spells the variable in its message.
	Placeholder string
}

func (e *HomeDirError) Error() string { return e.Placeholder + " is not defined" }

// HomeDir returns the home directory as [os.UserHomeDir] computes it on goos,
// reading variables through getenv: USERPROFILE on windows, home on plan9,
// HOME elsewhere; android and ios fall back to "/sdcard" and "/". An
// undefined home directory is a *[HomeDirError].
func HomeDir(getenv func(string) string, goos string) (string, error) {
	env, placeholder := "HOME", "$HOME"
	switch goos {
	case "windows":
		env, placeholder = "USERPROFILE", "%userprofile%"
	case "plan9":
		env, placeholder = "home", "$home"
	}
	if v := getenv(env); v != "" {
		return v, nil
	}
	switch goos {
	case "android":
		return "/sdcard", nil
	case "ios":
		return "/", nil
	}
	return "", &HomeDirError{Var: env, Placeholder: placeholder}
}

// Path returns the netrc file the go command reads on goos: $NETRC if it is
// non-empty, else the home directory joined with ".netrc" — on windows
// "_netrc" is preferred when it exists. getenv supplies the variables
// (NETRC, HOME/USERPROFILE/home); stat checks for "_netrc" on windows and
// may be nil to use [os.Stat]. Paths are joined with goos's separator.
//
// The returned file need not exist: the go command treats a missing netrc
// file as "no credentials". An undefined home directory is a
// *[HomeDirError]; the go command then runs without netrc credentials.
func Path(getenv func(string) string, goos string, stat func(string) (fs.FileInfo, error)) (string, error) {
	// The go command reads NETRC from the process environment only (not the
	// go env file) and uses it verbatim when non-empty.
	if v := getenv("NETRC"); v != "" {
		return v, nil
	}
	home, err := HomeDir(getenv, goos)
	if err != nil {
		return "", err
	}
	if goos == "windows" {
		if stat == nil {
			stat = os.Stat
		}
		// The go command prefers a legacy _netrc on Windows when it exists
		// and reports any stat error other than "does not exist".
		legacy := joinPath(goos, home, "_netrc")
		if _, err := stat(legacy); err == nil {
			return legacy, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return joinPath(goos, home, ".netrc"), nil
}

// DefaultPath returns [Path] for the running program: it reads the process
// environment with [os.Getenv] and uses [runtime.GOOS] and [os.Stat]. It is
// a convenience for programs; libraries should call [Path] with their own
// getenv.
func DefaultPath() (string, error) {
	return Path(os.Getenv, runtime.GOOS, os.Stat)
}

// joinPath joins dir and name with goos's separator, like filepath.Join
// would on goos for these simple cases.
func joinPath(goos, dir, name string) string {
	sep := "/"
	if goos == "windows" {
		sep = `\`
		if strings.HasSuffix(dir, `\`) || strings.HasSuffix(dir, "/") {
			return dir + name
		}
	} else if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + sep + name
}
