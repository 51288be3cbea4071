package vcs

// A LockError reports that the lock file guarding a VCS work directory
// could not be taken.
type LockError struct {
	Path string // the lock file
	Err  error  // the underlying error, such as ctx.Err()
}

func (e *LockError) Error() string { return "vcs: locking " + e.Path + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *LockError) Unwrap() error { return e.Err }
