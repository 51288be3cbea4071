package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/gooracle"
	"github.com/modnet/modnet/internal/modproxy"
)

func TestFetchOutputMatchesGo(t *testing.T) {
	gooracle.Required(t)
	mods := []modproxy.Module{{Path: "example.com/m", Version: "v1.0.0"}}
	s := modproxy.New(t, mods, modproxy.TLS(), modproxy.RequireBasic("u", "fetch-secret"))
	g := gooracle.New(t)
	g.Set("SSL_CERT_FILE", s.CAFile)
	g.Set("GOPROXY", s.URL)
	home, _ := g.Get("HOME")
	host := strings.TrimPrefix(s.URL, "https://")
	if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte("machine "+host+" login u password fetch-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0", "example.com/m@v9.9.9")
	if err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	dir := t.TempDir()
	code := run(context.Background(), []string{"-x", "-dir", dir, "example.com/m@v1.0.0", "example.com/m@v9.9.9"}, g.Getenv, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code %d, want 1 (one module fails)\nstderr:\n%s", code, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	for i, w := range want {
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("decoding result %d: %v\n%s", i, err, stdout.String())
		}
		if r.Path != w.Path || r.Version != w.Version || (r.Error == "") != (w.Error == "") || r.Sum != w.Sum || r.GoModSum != w.GoModSum {
			t.Errorf("result %d = %+v\nwant (go mod download) %+v", i, r, w)
		}
		if r.Error != w.Error {
			t.Errorf("result %d error %q, go command %q", i, r.Error, w.Error)
		}
		if w.Error == "" {
			got, err := os.ReadFile(r.GoMod)
			if err != nil {
				t.Fatal(err)
			}
			wantMod, _ := os.ReadFile(w.GoMod)
			if !bytes.Equal(got, wantMod) {
				t.Errorf("go.mod %q, go command %q", got, wantMod)
			}
		}
	}
	if !strings.Contains(stderr.String(), "# get "+s.URL+"/example.com/m/@v/v1.0.0.info") {
		t.Errorf("-x output lacks the .info request:\n%s", stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), "fetch-secret") {
		t.Errorf("output contains the netrc password")
	}
}
