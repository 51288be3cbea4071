package netrcauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestSecretsNeverPrinted feeds distinctive secrets through every path —
// netrc, bearer tokens, GOAUTH output and failing GOAUTH commands, git,
// userinfo URLs, failing requests, edits — and checks that no error, log
// line, diagnostic or formatted value contains any of them.
func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	secrets := []string{"NETRCSECRET1", "BEARERSECRET2", "CMDSECRET3", "STDERRSECRET4", "URLSECRET5", "USERINFOSECRET6", "EDITSECRET7", "GITSECRET8", "HEADERSECRET9"}
	var mu sync.Mutex
	var outputs []string
	record := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		outputs = append(outputs, fmt.Sprintf(format, args...))
	}
	show := func(v any) {
		record("%v", v)
		record("%+v", v)
		record("%#v", v)
		record("%s", v)
		record("%q", v)
		record("%x", v)
		if b, err := json.Marshal(v); err == nil {
			record("%s", b)
		}
		var sb strings.Builder
		slog.New(slog.NewTextHandler(&sb, nil)).Info("value", "v", v)
		record("%s", sb.String())
	}
	showErr := func(err error) {
		if err != nil {
			record("%v", err)
			record("%+v", err)
			record("%#v", err)
			for e := err; e != nil; e = errors.Unwrap(e) {
				record("%v", e)
			}
		}
	}

	rs := newRecordingServer(t, func(r *http.Request, _ string) int { return http.StatusUnauthorized })
	dir := t.TempDir()
	netrc := filepath.Join(dir, "netrc")
	os.WriteFile(netrc, []byte("machine "+rs.host()+" login alice password NETRCSECRET1\n# old: machine x login y password NETRCSECRET1\nmachine z login NETRCSECRET1x\n"), 0o644)
	good := writeScript(t, dir, "good", "printf '"+rs.URL+"/cmd\\n\\nAuthorization: Bearer CMDSECRET3\\nX-Key: HEADERSECRET9\\n\\n'\n")
	fail := writeScript(t, dir, "fail", "echo STDERRSECRET4 CMDSECRET3 >&2; exit 1\n")
	badout := writeScript(t, dir, "badout", "printf 'https://u:URLSECRET5@a b\\n\\n'\n")
	gitDir, _, gitEnv := gitSetupMaybe(t, "https://alice:GITSECRET8@127.0.0.1:1\n")
	goauth := "netrc;" + good + ";" + fail + ";" + badout
	if gitDir != "" {
		goauth += ";git " + gitDir
	}
	cfg := Config{
		GOAUTH:    goauth,
		NetrcFile: netrc,
		Env:       childEnv(t, gitEnv),
		Credentials: []Credential{
			Bearer(rs.URL+"/bearer", NewSecret("BEARERSECRET2")),
			TokenFunc(rs.URL+"/tokfail", func(context.Context) (Secret, error) {
				return NewSecret("BEARERSECRET2"), errors.New("refresh failed")
			}),
			Basic(rs.URL+"/basic", "alice", NewSecret("BEARERSECRET2")),
		},
		Logf: record,
	}
	show(cfg)
	a, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: &Transport{Base: rs.Client().Transport, Auth: a}}
	for _, p := range []string{"/", "/cmd", "/bearer", "/tokfail", "/basic"} {
		resp, err := a.Do(c, mustGet(t, rs.URL+p))
		showErr(err)
		if resp != nil {
			show(resp.Request.Header) // the caller's view never has credentials
			resp.Body.Close()
		}
	}
	a.Wait()
	show(a)
	h, err := a.Header(context.Background(), mustURL(t, rs.URL+"/cmd"), nil)
	show(h)
	showErr(err)

	// userinfo URLs and failing requests.
	for _, u := range []string{
		"http://alice:USERINFOSECRET6@127.0.0.1:1/x",
		"https://alice:USERINFOSECRET6@127.0.0.1:1/x",
		"https://alice:USERINFOSECRET6@" + rs.host() + "/x",
	} {
		resp, err := a.Do(c, mustGet(t, u))
		showErr(err)
		if resp != nil {
			resp.Body.Close()
		}
	}

	// Parsers, lint and edits.
	data, _ := os.ReadFile(netrc)
	show(Parse(data))
	for _, d := range Lint(data, LintOptions{URLs: []string{"https://alice:USERINFOSECRET6@" + rs.host() + ":99/x"}}) {
		show(d)
		record("%s", d.String())
	}
	ds, err := LintFile(netrc, LintOptions{})
	show(ds)
	showErr(err)
	creds, err := ParseCommandOutput("https://a\n\nAuthorization: Bearer CMDSECRET3\n\n")
	show(creds)
	showErr(err)
	_, err = ParseCommandOutput("https://u:URLSECRET5@a b\n\n")
	showErr(err)
	for _, in := range []string{"machine", "default\n", "machine https://q/ login a password b\n"} {
		_, err = SetMachine([]byte(in), "q", "alice", NewSecret("EDITSECRET7"))
		showErr(err)
	}
	_, err = SetMachine(nil, "q", "alice", NewSecret("EDIT SECRET7"))
	showErr(err)
	show(NewSecret("EDITSECRET7"))
	show(Entry{Machine: "m", Login: "l", Password: NewSecret("NETRCSECRET1")})

	if testing.Verbose() {
		for _, o := range outputs {
			if strings.Contains(o, "GOAUTH") && len(o) < 400 {
				t.Log(o)
			}
		}
	}
	if len(outputs) < 50 {
		t.Fatalf("only %d outputs collected", len(outputs))
	}
	sawLog := false
	for _, o := range outputs {
		if strings.Contains(o, "GOAUTH encountered errors") {
			sawLog = true
		}
		for _, s := range secrets {
			if strings.Contains(o, s) || strings.Contains(o, strings.ReplaceAll(s, "SECRET", " SECRET")) {
				t.Errorf("output reveals %s: %s", s, o)
			}
		}
	}
	if !sawLog {
		t.Errorf("no GOAUTH error log was produced; the test does not cover failing commands")
	}
	// The secrets did reach the wire where they belong.
	var sent []string
	for _, r := range rs.requests() {
		sent = append(sent, r)
	}
	if all := strings.Join(sent, "\n"); !strings.Contains(all, "Bearer CMDSECRET3") || !strings.Contains(all, "Bearer BEARERSECRET2") {
		t.Errorf("credentials were not sent:\n%s", all)
	}
}

// gitSetupMaybe is gitSetup when git is installed, else empty values.
func gitSetupMaybe(t *testing.T, creds string) (string, string, map[string]string) {
	if _, err := os.Stat("/usr/bin/git"); err != nil && os.Getenv("CI") != "true" {
		return "", "", nil
	}
	return gitSetup(t, creds)
}
