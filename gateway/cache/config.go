package cache

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"
)

// Config configures a Store. Open validates it and reports every problem
// at once.
type Config struct {
	// MemoryBytes bounds the memory tier: the bodies plus an estimate of
	// each object's metadata. 0 disables the memory tier (a disk tier is
	// then required).
	MemoryBytes int64
	// MaxMemoryObject is the largest body kept in memory; larger bodies
	// go to disk only. It must not exceed MemoryBytes (nor 4 GiB, the most
	// one memory entry can weigh). 0 with MemoryBytes > 0 keeps only empty
	// bodies (such as Vary index records) in memory.
	MaxMemoryObject int64
	// Disk configures the disk tier; nil keeps objects in memory only.
	Disk *DiskConfig
	// Logger receives the store's warnings (corrupt files, I/O errors);
	// nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock (nil: time.Now). It must be the clock the gateway
	// stamps Meta.Stored with: Put compares Meta.Stored with the time of
	// recent invalidations.
	Now func() time.Time
}

// DiskConfig configures the disk tier.
type DiskConfig struct {
	// Path is the directory that holds the tier's files; the store owns
	// it (it deletes leftovers and files it cannot read). It is created if
	// missing.
	Path string
	// Size bounds the bytes of the tier's files (headers included); the
	// least recently used files are evicted beyond it.
	Size int64
	// MaxObject is the largest body kept on disk (at most Size).
	MaxObject int64
}

// maxWeight is the most a memory entry can weigh: otter weighs entries
// with a uint32.
const maxWeight = math.MaxUint32

// validate checks cfg and returns every problem joined.
func (cfg *Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("cache: "+format, args...))
	}
	if cfg.MemoryBytes < 0 {
		bad("MemoryBytes %d is negative", cfg.MemoryBytes)
	}
	if cfg.MaxMemoryObject < 0 {
		bad("MaxMemoryObject %d is negative", cfg.MaxMemoryObject)
	}
	if cfg.MaxMemoryObject > cfg.MemoryBytes && cfg.MemoryBytes >= 0 {
		bad("MaxMemoryObject %d exceeds MemoryBytes %d", cfg.MaxMemoryObject, cfg.MemoryBytes)
	}
	if cfg.MaxMemoryObject > maxWeight-metaOverhead {
		bad("MaxMemoryObject %d exceeds the largest memory entry (%d)", cfg.MaxMemoryObject, int64(maxWeight-metaOverhead))
	}
	if cfg.MemoryBytes == 0 && cfg.Disk == nil {
		bad("no tier: MemoryBytes is 0 and Disk is nil")
	}
	if d := cfg.Disk; d != nil {
		if d.Path == "" {
			bad("Disk.Path is empty")
		}
		if d.Size <= 0 {
			bad("Disk.Size %d must be positive", d.Size)
		}
		if d.MaxObject <= 0 {
			bad("Disk.MaxObject %d must be positive", d.MaxObject)
		}
		if d.MaxObject > d.Size && d.Size > 0 {
			bad("Disk.MaxObject %d exceeds Disk.Size %d", d.MaxObject, d.Size)
		}
	}
	return errors.Join(errs...)
}
