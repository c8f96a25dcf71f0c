package cache

import "errors"

// Errors the store returns. Compare with errors.Is: they may be wrapped.
var (
	// ErrTooLarge means the body is, or has grown, larger than any tier
	// can keep: MaxMemoryObject without a disk tier, else the disk's
	// MaxObject (and never more than its Size).
	ErrTooLarge = errors.New("cache: object too large to store")
	// ErrIncomplete means a Fill committed a body whose length differs
	// from the Content-Length the caller declared in Meta.Size.
	ErrIncomplete = errors.New("cache: body length differs from the declared size")
	// ErrCorrupt means a disk object failed its checksum; the object has
	// been removed.
	ErrCorrupt = errors.New("cache: stored object is corrupt")
	// ErrNotFound means UpdateMeta found no object under the key.
	ErrNotFound = errors.New("cache: no object under that key")
	// ErrClosed means the store has been closed.
	ErrClosed = errors.New("cache: store closed")
	// errFillDone is returned by a Fill used after Commit or Abort.
	errFillDone = errors.New("cache: fill already committed or aborted")
)
