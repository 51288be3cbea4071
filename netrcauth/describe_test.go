package netrcauth_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/modnet/modnet/netrcauth"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	netrc := filepath.Join(dir, "netrc")
	data := "machine other.example login x password xpass\n" +
		"machine corp.example login alice password s3cret\n" +
		"machine corp.example login bob password second\n" +
		"machine corp.example/team login carol password teampass\n"
	if err := os.WriteFile(netrc, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	var cmdText string
	if runtime.GOOS != "windows" {
		script := filepath.Join(dir, "auth.sh")
		if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf 'https://cmd.example\\n\\nAuthorization: Bearer tok3n\\n\\n'\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		cmdText = script
	}
	goauth := "netrc"
	if cmdText != "" {
		goauth += ";" + cmdText
	}
	a, err := netrcauth.Config{
		GOAUTH:      goauth,
		NetrcFile:   netrc,
		Credentials: []netrcauth.Credential{netrcauth.Bearer("https://extra.example/mods", netrcauth.NewSecret("extratoken"))},
	}.Build()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want netrcauth.CredentialInfo
		ok   bool
	}{
		{"https://corp.example/m/@v/list", netrcauth.CredentialInfo{Source: "netrc", Prefix: "corp.example", File: netrc, Line: 2, Login: "alice", Scheme: "Basic"}, true},
		{"https://corp.example/team/m/@v/list", netrcauth.CredentialInfo{Source: "netrc", Prefix: "corp.example/team", File: netrc, Line: 4, Login: "carol", Scheme: "Basic"}, true},
		{"https://extra.example/mods/x", netrcauth.CredentialInfo{Source: "extra", Prefix: "extra.example/mods", Scheme: "Bearer"}, true},
		{"https://corp.example:8443/m", netrcauth.CredentialInfo{}, false},
		{"https://none.example/", netrcauth.CredentialInfo{}, false},
	}
	if cmdText != "" {
		tests = append(tests, struct {
			url  string
			want netrcauth.CredentialInfo
			ok   bool
		}{"https://cmd.example/x", netrcauth.CredentialInfo{Source: "command", Prefix: "cmd.example", Command: cmdText, Scheme: "Bearer"}, true})
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		got, ok := a.Describe(context.Background(), u)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Describe(%s) = %+v, %v; want %+v, %v", tt.url, got, ok, tt.want, tt.ok)
		}
		for _, secret := range []string{"s3cret", "teampass", "tok3n", "extratoken", "second"} {
			if s := fmt.Sprintf("%v %+v %s", got, got, got.String()); strings.Contains(s, secret) {
				t.Errorf("Describe(%s) reveals %q: %s", tt.url, secret, s)
			}
		}
	}
}

func TestDescribeOff(t *testing.T) {
	t.Parallel()
	a, err := netrcauth.Config{GOAUTH: "off"}.Build()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://corp.example/")
	if got, ok := a.Describe(context.Background(), u); ok {
		t.Errorf("Describe with GOAUTH=off = %+v, want none", got)
	}
}

func ExampleCredentialInfo_String() {
	fmt.Println(netrcauth.CredentialInfo{Source: "netrc", Prefix: "corp.example", File: "/home/u/.netrc", Line: 3, Login: "alice", Scheme: "Basic"})
	fmt.Println(netrcauth.CredentialInfo{Source: "command", Prefix: "corp.example/mod", Command: "/usr/local/bin/auth", Scheme: "Bearer"})
	fmt.Println(netrcauth.CredentialInfo{Source: "extra", Prefix: "corp.example", Scheme: "Bearer"})
	// Output:
	// netrc /home/u/.netrc:3 (login alice) for corp.example
	// GOAUTH command "/usr/local/bin/auth" (Bearer) for corp.example/mod
	// extra credential (Bearer) for corp.example
}
