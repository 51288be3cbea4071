package trust

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// A Reloader keeps a [Pool] built from a Config up to date as its files
// change: explicitly with [Reloader.Reload], and by a stat-based check at
// most once per interval when [Reloader.Current] is called. A new pool is
// built and swapped in atomically; if building fails (for example while a
// file is half written) the previous pool stays in use and the next check
// retries, so requests never fail because of a rotation. It is safe for
// concurrent use.
type Reloader struct {
	cfg      Config
	interval time.Duration

	cur       atomic.Pointer[Pool]
	lastCheck atomic.Int64 // unix nanoseconds of the last stat check

	mu      sync.Mutex // serialises checks and rebuilds
	stamps  map[string]fileStamp
	lastErr error
}

// NewReloader builds the first pool from a copy of cfg and returns a
// Reloader that checks the files for changes at most once per interval
// (0 means on every Current call; a negative interval disables the
// automatic check, leaving only Reload).
func NewReloader(cfg *Config, interval time.Duration) (*Reloader, error) {
	r := &Reloader{cfg: *cfg, interval: interval}
	p, err := r.cfg.Build()
	if err != nil {
		return nil, err
	}
	r.stamps = stamps(p.watch)
	r.cur.Store(p)
	r.lastCheck.Store(time.Now().UnixNano())
	return r, nil
}

// Current returns the current pool, first checking the files for changes
// if the interval has passed. Only one caller performs a check; the
// others use the current pool meanwhile.
func (r *Reloader) Current() *Pool {
	if r.interval >= 0 {
		now := time.Now().UnixNano()
		last := r.lastCheck.Load()
		if now-last >= int64(r.interval) && r.lastCheck.CompareAndSwap(last, now) {
			if r.mu.TryLock() {
				r.checkLocked()
				r.mu.Unlock()
			}
		}
	}
	return r.cur.Load()
}

// Check stats the files now and rebuilds the pool if any changed. It
// reports whether a new pool was swapped in.
func (r *Reloader) Check() (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.checkLocked()
}

func (r *Reloader) checkLocked() (bool, error) {
	st := stamps(r.cur.Load().watch)
	if maps.Equal(st, r.stamps) && r.lastErr == nil {
		return false, nil
	}
	return r.rebuildLocked()
}

// Reload rebuilds the pool now, whether or not the files changed, and
// swaps it in. On error the previous pool stays in use.
func (r *Reloader) Reload() (*Pool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.rebuildLocked()
	return r.cur.Load(), err
}

func (r *Reloader) rebuildLocked() (bool, error) {
	p, err := r.cfg.Build()
	r.lastErr = err
	if err != nil {
		return false, err
	}
	r.stamps = stamps(p.watch)
	r.cur.Store(p)
	return true, nil
}

// Err returns the error of the last failed rebuild, or nil if the last
// rebuild succeeded.
func (r *Reloader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}

var _ PoolSource = (*Reloader)(nil)
