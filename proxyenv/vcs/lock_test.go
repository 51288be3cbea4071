package vcs

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestLockFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	// A second holder (another descriptor, as another GitRepo or process
	// would have) waits, and gives up with its context.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = lockFile(ctx, path)
	var le *LockError
	if !errors.As(err, &le) || !errors.Is(err, context.DeadlineExceeded) || le.Path != path {
		t.Fatalf("lockFile while held = %v, want *LockError wrapping context.DeadlineExceeded", err)
	}
	// Goroutines take turns.
	var mu sync.Mutex
	inside := 0
	var wg sync.WaitGroup
	unlock()
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := lockFile(context.Background(), path)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			if inside != 1 {
				t.Errorf("%d holders at once", inside)
			}
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inside--
			mu.Unlock()
			u()
		}()
	}
	wg.Wait()
}
