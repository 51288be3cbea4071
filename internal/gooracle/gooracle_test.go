package gooracle

import (
	"context"
	"testing"
)

func TestEnvJSONIsolated(t *testing.T) {
	g := New(t)
	g.WriteEnvFile(t, "GOPRIVATE=file.example\n")
	g.Set("GOPROXY", "")
	got := g.EnvJSON(t, "GOPRIVATE", "GOENV", "GOPROXY")
	if got["GOPRIVATE"] != "file.example" {
		t.Errorf("GOPRIVATE = %q, want the go env file's value", got["GOPRIVATE"])
	}
	if got["GOENV"] != g.EnvFile {
		t.Errorf("GOENV = %q, want %q", got["GOENV"], g.EnvFile)
	}
	if got["GOPROXY"] != "https://proxy.golang.org,direct" {
		t.Errorf("GOPROXY = %q, want the GOROOT/go.env default", got["GOPROXY"])
	}
}

func TestModDownloadOffline(t *testing.T) {
	g := New(t)
	ds, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Error == "" {
		t.Fatalf("ModDownload with GOPROXY=off = %+v, want one object with an error", ds)
	}
}

func TestDirectCaughtBySink(t *testing.T) {
	g := New(t)
	g.Set("GOPROXY", "direct")
	ds, _, err := g.ModDownload(context.Background(), "example.com/m@v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Error == "" {
		t.Fatalf("ModDownload = %+v, want an error", ds)
	}
	got := g.Sink.Targets()
	if len(got) == 0 || got[0] != "example.com:443" {
		t.Errorf("sink targets = %q, want a CONNECT to example.com:443 first", got)
	}
}
