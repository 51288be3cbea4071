package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"route: direct (version control)",
		"now: route: proxy https://goproxy.corp.example",
		"failed: unknown-authority",
		"matches the TLS-inspecting product",
		"failed: 401 Unauthorized",
		"ok: corp.example/platform/hello@v1.4.2  h1:",
		"@v/v1.4.2.zip",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	// Step 5 needs git: required in CI, skipped with a note locally.
	if _, err := exec.LookPath("git"); err == nil || os.Getenv("CI") == "true" {
		for _, want := range []string{
			"the go command's git (process environment only): fatal: unable to access",
			"modnet: ok git.corp.example/platform/tools@v0.3.0  h1:",
			"http.https://git.corp.example/.sslCAInfo",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("demo output lacks %q:\n%s", want, got)
			}
		}
	}
	if strings.Contains(got, "s3cret-demo-token") {
		t.Errorf("demo output shows the password:\n%s", got)
	}
}
