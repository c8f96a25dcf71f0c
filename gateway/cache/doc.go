// Package cache is the edge cache's object store: where response bodies
// and their metadata live between requests. It stores and finds objects by
// key; the HTTP semantics (cache keys, freshness, validators, variants)
// belong to the gateway, which hands the store opaque keys and a Meta it
// persists as given.
//
// The store is process-wide: it is opened once, outlives configuration
// reloads, and is safe for concurrent use.
//
// # Tiers
//
// The memory tier is an otter cache (W-TinyLFU admission and eviction)
// bounded by Config.MemoryBytes, each object weighing its body plus an
// estimate of its metadata. W-TinyLFU keeps frequently read objects when
// a burst of one-time objects passes through (a crawler, a scan), which
// plain LRU does not. Memory hits take no lock and allocate nothing: the
// hot path is one otter lookup.
//
// The optional disk tier keeps one file per object under Disk.Path,
// named by the SHA-256 of the key and sharded into 4096 directories
// (Path/a/bc/abc...). It is bounded by Disk.Size and evicts the least
// recently used file; a file whose object is hot in the memory tier gets
// a second chance. Access times live only in memory: after a restart the
// files' modification times give the initial order.
//
// A body of at most MaxMemoryObject bytes goes to memory, and to disk as
// well (write-through, so it survives restarts); a larger one, up to
// Disk.MaxObject, goes to disk only. A fill of unknown length is buffered
// in memory until it outgrows MaxMemoryObject, then spills to a temp file.
// Bodies on disk are streamed in both directions, never held whole in
// memory. A small disk object read by Get is promoted into memory.
//
// # Crash safety
//
// A file is written in Path/tmp, fsynced, renamed to its final name and
// the directory fsynced, so a final name never holds a torn file; Commit
// returns once the object is durable. Each file starts with a fixed
// header (magic, version, lengths, the body's CRC32C and a CRC32C of the
// header and metadata). Open deletes leftover temp files and reads every
// header (only headers, in parallel): a file whose header checksum fails,
// or whose size differs from what the header declares, is deleted, as is
// one whose key does not match its name. The index (key, size, LRU order)
// is rebuilt from what remains.
//
// # Verification
//
// A body's CRC is computed while it is written, so files written by this
// process are trusted. A file found by Open is verified on its first full
// read: the Body computes the CRC as it reads and, on a mismatch, returns
// ErrCorrupt instead of the last bytes (so a corrupt body never ends
// cleanly) and removes the object. Until a body is verified Body.File
// returns nil, so the gateway cannot sendfile unverified bytes; a Seek
// before the end makes the next Read verify the whole body first.
//
// # Immutability
//
// An Object never changes once visible: a fill, Put or UpdateMeta makes a
// new one. An Object returned by Get stays readable whatever happens to
// its key: a memory body is an immutable slice, and a disk object holds
// its file open from Get (an unlinked file stays readable on Unix). That
// file becomes the first Body's; a second Open of the same Object reopens
// the file and fails with fs.ErrNotExist if the key has a new object by
// then. A disk Object that is never opened (a 304, a HEAD) releases its
// file when it is garbage collected.
//
// # Invalidation
//
// The store indexes every object of either tier by distribution, path
// and lower-cased tag. Memory evictions reach the index asynchronously:
// otter reports them under its own locks, where the store's lock cannot
// be taken, so they are queued and applied by one goroutine, and only if
// they still describe the key's current memory object, so a late event
// can neither resurrect an entry nor drop a newer one. Invalidate(dist, paths, tags) removes matching objects
// from every tier and returns their number: "/*" everything of the
// distribution, "prefix*" every object whose Path (plus "?"+Query) starts
// with prefix, an exact path every query variant of it, "path?query" that
// one object, and tags case-insensitively. It is done, and durable, when
// it returns. A fill that started before an invalidation and commits after
// it stores nothing if the invalidation matches it (the store keeps a log
// of recent invalidations with a generation number); a Put whose
// Meta.Stored is not after a matching invalidation of the last minute is
// dropped likewise.
//
// # Encoding
//
// Metadata on disk is JSON. A record whose key or metadata holds bytes
// that are not UTF-8 (a percent-decoded path, a Latin-1 header value) is
// written with its strings escaped, so every byte comes back.
//
// # What is bounded
//
// Memory bodies and metadata by MemoryBytes; disk files by Disk.Size
// (temp files of fills in flight come on top); object sizes by
// MaxMemoryObject and Disk.MaxObject; header metadata by 1 MiB. The index
// costs some memory per object (key, path, query, tags) for every object
// of either tier and is not counted in MemoryBytes; the invalidation log
// keeps at most 1024 records per distribution.
package cache
