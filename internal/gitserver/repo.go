package gitserver

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Epoch is the date of the first commit a [Repo] makes when the test gives
// none: fixed, so commit hashes are the same on every run.
var Epoch = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)

// Required ends the test unless git and git-http-backend are installed: a
// failure under CI=true, a skip otherwise. It returns the path of git.
func Required(t testing.TB) string {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		missing(t, "git is not installed (apt-get install -y git)")
	}
	if _, err := os.Stat(httpBackend(git)); err != nil {
		missing(t, "git-http-backend is not installed (apt-get install -y git)")
	}
	return git
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("gitserver: required component missing under CI=true: %s", why)
	}
	t.Skip("gitserver: " + why)
}

// httpBackend returns the path of git-http-backend for the git binary.
func httpBackend(git string) string {
	out, err := exec.Command(git, "--exec-path").Output()
	if err != nil {
		return "/usr/lib/git-core/git-http-backend"
	}
	return filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
}

// A Repo is a git repository with a work tree, built with the git command
// under a fixed identity and fixed dates so its commit hashes are stable.
// Its methods fail the test on error. A Repo is not safe for concurrent use.
type Repo struct {
	// Dir is the work tree; the repository is Dir/.git.
	Dir string

	t    testing.TB
	git  string
	env  []string
	date time.Time
}

// NewRepo runs "git init" in dir (created if missing) with "main" as the
// initial branch.
func NewRepo(t testing.TB, dir string) *Repo {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		missing(t, "git is not installed (apt-get install -y git)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("gitserver: %v", err)
	}
	home := t.TempDir()
	r := &Repo{
		Dir: dir, t: t, git: git, date: Epoch,
		env: []string{
			"PATH=" + os.Getenv("PATH"),
			"HOME=" + home,
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
			"GIT_AUTHOR_NAME=Gopher",
			"GIT_AUTHOR_EMAIL=gopher@example.com",
			"GIT_COMMITTER_NAME=Gopher",
			"GIT_COMMITTER_EMAIL=gopher@example.com",
			"GIT_TERMINAL_PROMPT=0",
			"LANG=C", "LC_ALL=C",
			"GIT_CONFIG_COUNT=3",
			"GIT_CONFIG_KEY_0=commit.gpgsign", "GIT_CONFIG_VALUE_0=false",
			"GIT_CONFIG_KEY_1=tag.gpgsign", "GIT_CONFIG_VALUE_1=false",
			"GIT_CONFIG_KEY_2=core.autocrlf", "GIT_CONFIG_VALUE_2=false",
		},
	}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Git runs git with args in the work tree and returns its standard output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return r.gitDated(r.date, args...)
}

func (r *Repo) gitDated(date time.Time, args ...string) string {
	r.t.Helper()
	cmd := exec.Command(r.git, args...)
	cmd.Dir = r.Dir
	d := date.Format(time.RFC3339)
	cmd.Env = append(append([]string(nil), r.env...), "GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("gitserver: git %s in %s: %v\n%s", strings.Join(args, " "), r.Dir, err, stderr.Bytes())
	}
	return stdout.String()
}

// Write writes files into the work tree: pairs of a slash-separated name
// and its content. Directories are created as needed.
func (r *Repo) Write(nameContent ...string) *Repo {
	r.t.Helper()
	if len(nameContent)%2 != 0 {
		r.t.Fatalf("gitserver: Write needs name/content pairs")
	}
	for i := 0; i < len(nameContent); i += 2 {
		p := filepath.Join(r.Dir, filepath.FromSlash(nameContent[i]))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatalf("gitserver: %v", err)
		}
		if err := os.WriteFile(p, []byte(nameContent[i+1]), 0o644); err != nil {
			r.t.Fatalf("gitserver: %v", err)
		}
	}
	return r
}

// Remove deletes files or directories from the work tree.
func (r *Repo) Remove(names ...string) *Repo {
	r.t.Helper()
	for _, n := range names {
		if err := os.RemoveAll(filepath.Join(r.Dir, filepath.FromSlash(n))); err != nil {
			r.t.Fatalf("gitserver: %v", err)
		}
	}
	return r
}

// Commit stages everything and commits it with message msg, dated one hour
// after the previous commit (the first at [Epoch]), and returns the commit
// hash.
func (r *Repo) Commit(msg string) string {
	r.t.Helper()
	return r.CommitAt(msg, r.date.Add(time.Hour))
}

// CommitAt is like [Repo.Commit] with an explicit author and committer
// date; later commits continue from it.
func (r *Repo) CommitAt(msg string, date time.Time) string {
	r.t.Helper()
	r.date = date
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	return r.Head()
}

// Head returns the hash of the commit HEAD points at.
func (r *Repo) Head() string {
	r.t.Helper()
	return strings.TrimSpace(r.Git("rev-parse", "HEAD"))
}

// Tag creates the lightweight tag name at HEAD.
func (r *Repo) Tag(names ...string) *Repo {
	r.t.Helper()
	for _, n := range names {
		r.Git("tag", n)
	}
	return r
}

// TagAt creates the lightweight tag name at rev.
func (r *Repo) TagAt(name, rev string) *Repo {
	r.t.Helper()
	r.Git("tag", name, rev)
	return r
}

// AnnotatedTag creates the annotated tag name at HEAD, dated like the
// last commit.
func (r *Repo) AnnotatedTag(name, msg string) *Repo {
	r.t.Helper()
	r.Git("tag", "-a", "-m", msg, name)
	return r
}

// Branch creates branch name at HEAD (without switching to it).
func (r *Repo) Branch(name string) *Repo {
	r.t.Helper()
	r.Git("branch", name)
	return r
}

// Checkout switches the work tree to rev (a branch, tag or hash); with
// create set it creates branch rev at HEAD first.
func (r *Repo) Checkout(rev string, create bool) *Repo {
	r.t.Helper()
	if create {
		r.Git("checkout", "-q", "-b", rev)
	} else {
		r.Git("checkout", "-q", rev)
	}
	return r
}

// String returns a description for test logs.
func (r *Repo) String() string { return fmt.Sprintf("gitserver.Repo(%s)", r.Dir) }
