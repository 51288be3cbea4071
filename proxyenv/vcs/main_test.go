package vcs_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The fixture (a git server and a dozen repositories) is built once per
// test binary, on first use, and torn down after all tests ran.
var (
	sharedOnce sync.Once
	sharedFix  *fixture
	sharedErr  string
	sharedSkip string
	sharedTB   = &mainTB{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	sharedTB.cleanup()
	os.Exit(code)
}

// diffFixture returns the shared fixture, building it on first use.
func diffFixture(t testing.TB) *fixture {
	t.Helper()
	sharedOnce.Do(func() {
		done := make(chan struct{})
		go func() {
			defer close(done)
			sharedFix = newFixture(sharedTB)
		}()
		<-done
		sharedErr, sharedSkip = sharedTB.failure()
	})
	if sharedSkip != "" {
		t.Skip(sharedSkip)
	}
	if sharedErr != "" || sharedFix == nil {
		t.Fatalf("building the shared fixture: %s", sharedErr)
	}
	return sharedFix
}

// mainTB is the testing.TB the shared fixture is built with, outside any
// test: a fatal error ends the building goroutine and is reported to
// every test that asks for the fixture; cleanups run when TestMain ends.
type mainTB struct {
	testing.TB // nil: methods not defined here must not be called
	mu         sync.Mutex
	errs       []string
	skip       string
	cleanups   []func()
}

func (m *mainTB) Helper()      {}
func (m *mainTB) Name() string { return "sharedFixture" }
func (m *mainTB) Failed() bool { m.mu.Lock(); defer m.mu.Unlock(); return len(m.errs) > 0 }

func (m *mainTB) Logf(format string, args ...any) {}

func (m *mainTB) Errorf(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errs = append(m.errs, fmt.Sprintf(format, args...))
}

func (m *mainTB) Fatalf(format string, args ...any) {
	m.Errorf(format, args...)
	runtime.Goexit()
}

func (m *mainTB) Fatal(args ...any) { m.Fatalf("%s", fmt.Sprint(args...)) }

func (m *mainTB) FailNow() { m.Fatalf("FailNow") }

func (m *mainTB) Skip(args ...any) {
	m.mu.Lock()
	m.skip = fmt.Sprint(args...)
	m.mu.Unlock()
	runtime.Goexit()
}

func (m *mainTB) TempDir() string {
	dir, err := os.MkdirTemp("", "vcs-fixture-")
	if err != nil {
		m.Fatalf("%v", err)
	}
	m.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (m *mainTB) Cleanup(f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cleanups = append(m.cleanups, f)
}

func (m *mainTB) cleanup() {
	m.mu.Lock()
	fs := m.cleanups
	m.cleanups = nil
	m.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

func (m *mainTB) failure() (errs, skip string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.errs, "\n"), m.skip
}
