package vcs_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/modnet/modnet/proxyenv/vcs"
)

// A module fetched straight from its git repository, as "go mod download"
// does for GOPRIVATE modules: resolve a branch to its pseudo-version, then
// read the go.mod and write the module zip.
func ExampleModuleRepo() {
	ctx := context.Background()
	cfg := vcs.GitConfig{
		GOMODCACHE: "/home/gopher/go/pkg/mod", // shared with the go command
		Env:        os.Environ(),              // or an environment with modnet's CAs and proxy for git
	}
	code, err := vcs.Open(ctx, cfg, "git", "https://git.example.com/tools") // from the go-import tag
	if err != nil {
		log.Fatal(err)
	}
	m, err := vcs.NewModuleRepo(code, vcs.Module{
		Path:      "git.example.com/tools/cmd/v2", // the module asked for
		Root:      "git.example.com/tools",        // the go-import prefix
		GoVersion: "1.26.8",
	})
	if err != nil {
		log.Fatal(err)
	}
	info, err := m.Stat(ctx, "main") // e.g. v2.3.1-0.20260102030405-abcdef123456
	if err != nil {
		log.Fatal(err)
	}
	gomod, err := m.GoMod(ctx, info.Version)
	if err != nil {
		log.Fatal(err)
	}
	zf, err := os.Create("tools.zip")
	if err != nil {
		log.Fatal(err)
	}
	defer zf.Close()
	if err := m.Zip(ctx, zf, info.Version); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %s\n%s", m.ModulePath(), info.Version, gomod)
}
