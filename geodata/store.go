package geodata

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// StaleAfter is the age past which a loaded database is logged as stale.
const StaleAfter = 60 * 24 * time.Hour

// Store holds the current database of a file and swaps in the file's new
// version, validated, when it changes. The zero path is the bundled
// database, which never changes.
type Store struct {
	path string
	opts StoreOptions
	cur  atomic.Pointer[DB]

	mu     sync.Mutex  // serialises Check
	seen   fileVersion // the version loaded, zero while the file is missing
	bad    fileVersion // the last version refused, logged once
	badErr error       // why bad was refused; returned while it is the file
}

// StoreOptions are a Store's logger, clock and hooks.
type StoreOptions struct {
	Logger *slog.Logger     // default slog.Default()
	Now    func() time.Time // default time.Now; for the staleness warning
	// OnLoad is called after every successful load, the first included.
	OnLoad func(db *DB)
	// OnError is called when a changed file could not be loaded (the
	// current data stays).
	OnError func(err error)
}

// fileVersion identifies one version of a file, as far as stat can tell.
type fileVersion struct {
	info  os.FileInfo
	size  int64
	mtime time.Time
}

func (v fileVersion) same(w fileVersion) bool {
	return v.info != nil && w.info != nil && os.SameFile(v.info, w.info) && v.size == w.size && v.mtime.Equal(w.mtime)
}

// NewStore loads the database at path ("" for the bundled one). It fails
// when that database is unusable.
func NewStore(path string, opts StoreOptions) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{path: path, opts: opts}
	if path == "" {
		db, err := Embedded()
		if err != nil {
			return nil, err
		}
		opts.Logger.Info("GeoIP: using the bundled database; "+Attribution, "database", db.Source(), "built", db.BuildTime().Format(time.DateOnly))
		s.install(db)
		return s, nil
	}
	db, v, err := s.load()
	if err != nil {
		return nil, err
	}
	s.seen = v
	s.install(db)
	opts.Logger.Info("GeoIP database loaded", "database", path, "type", db.Type(), "built", db.BuildTime().Format(time.DateOnly))
	return s, nil
}

func stat(path string) (fileVersion, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileVersion{}, err
	}
	return version(fi), nil
}

func version(fi os.FileInfo) fileVersion {
	return fileVersion{info: fi, size: fi.Size(), mtime: fi.ModTime()}
}

// load reads and validates the file, returning the version read (as it
// was when opened).
func (s *Store) load() (*DB, fileVersion, error) {
	data, fi, err := readFile(s.path)
	if err != nil {
		return nil, fileVersion{}, err
	}
	db, err := OpenBytes(s.path, data)
	return db, version(fi), err
}

// install makes db current and reports it.
func (s *Store) install(db *DB) {
	s.cur.Store(db)
	if age := s.opts.Now().Sub(db.BuildTime()); age > StaleAfter {
		s.opts.Logger.Warn("GeoIP database is stale; update it (geoipupdate, or a newer file at geodata.database)",
			"database", db.Source(), "built", db.BuildTime().Format(time.DateOnly), "age_days", int(age.Hours()/24))
	}
	if s.opts.OnLoad != nil {
		s.opts.OnLoad(db)
	}
}

// DB is the current database. Requests keep the *DB they got for as
// long as they need it, across swaps.
func (s *Store) DB() *DB { return s.cur.Load() }

// Path is the file the store reads, "" for the bundled database.
func (s *Store) Path() string { return s.path }

// Check loads the file again if it changed since it was last read: a
// different size or modification time, or another file (inode and
// device) renamed over it. A version that fails to load or validate, and
// a missing file, keep the current database; each is logged and passed
// to OnError once, and its error is returned by this and every later
// Check until the file changes again. changed reports a swap. Check is
// a no-op for the bundled database.
func (s *Store) Check() (changed bool, err error) {
	if s.path == "" {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := stat(s.path)
	if err != nil {
		err = fmt.Errorf("GeoIP database %s: %w", s.path, err)
		if s.seen.info != nil || s.bad.info != nil { // once per disappearance: both are cleared below
			s.opts.Logger.Warn("GeoIP database file cannot be read; keeping the loaded data", "database", s.path, "error", err.Error())
			if s.opts.OnError != nil {
				s.opts.OnError(err)
			}
		}
		s.seen, s.bad, s.badErr = fileVersion{}, fileVersion{}, nil
		return false, err
	}
	if v.same(s.seen) {
		return false, nil
	}
	if v.same(s.bad) {
		return false, s.badErr
	}
	db, got, err := s.load()
	if err != nil {
		if got.info == nil { // not even opened (gone again, or unreadable): stat's version stands for it
			got = v
		}
		s.bad, s.badErr = got, err
		s.opts.Logger.Error("GeoIP database changed but cannot be used; keeping the loaded data", "database", s.path, "error", err.Error())
		if s.opts.OnError != nil {
			s.opts.OnError(err)
		}
		return false, err
	}
	s.seen, s.bad, s.badErr = got, fileVersion{}, nil
	s.install(db)
	s.opts.Logger.Info("GeoIP database reloaded", "database", s.path, "type", db.Type(), "built", db.BuildTime().Format(time.DateOnly))
	return true, nil
}

// Run calls Check every interval until ctx is done.
func (s *Store) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, _ = s.Check()
		}
	}
}
