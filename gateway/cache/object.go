package cache

import (
	"io"
	"net/http"
	"os"
	"time"
)

// Meta is what the cache keeps about an object besides its body. The HTTP
// semantics (freshness, validators, variants) belong to the gateway; the
// store persists Meta as it is given and uses Dist, Path, Query and Tags
// for invalidation.
type Meta struct {
	// Dist is the distribution's name, Path the canonical request path and
	// Query the keyed query string ("" when none); invalidation matches
	// them.
	Dist  string `json:"dist"`
	Path  string `json:"path"`
	Query string `json:"query,omitempty"`
	// Tags are the object's cache tags (lower-case), for tag purges.
	Tags []string `json:"tags,omitempty"`

	Status int         `json:"status"`
	Header http.Header `json:"header"` // stored response headers (hop-by-hop removed)

	// Stored is when the response was received from the origin; Fresh is
	// until when it may be served without revalidation.
	Stored time.Time `json:"stored"`
	Fresh  time.Time `json:"fresh"`
	// StaleWhileRevalidate and StaleIfError extend Fresh for those uses.
	StaleWhileRevalidate time.Duration `json:"swr,omitempty"`
	StaleIfError         time.Duration `json:"sie,omitempty"`

	// Vary, when set, makes this a variant index rather than a response:
	// the header names the origin varies on; the responses are stored
	// under the primary key plus the viewer's values of these headers.
	Vary []string `json:"vary,omitempty"`

	// Compressible records, at store time, that the edge may compress this
	// object for viewers that accept it (checked once, not on every hit).
	Compressible bool `json:"cz,omitempty"`

	// Encoding is the Content-Encoding the edge applied to this variant
	// ("br", "gzip"), or "" for the origin's bytes.
	Encoding string `json:"enc,omitempty"`

	// Size is the body's length in bytes.
	Size int64 `json:"size"`
}

// Object is a stored response: its Meta and its body. A hit holds the
// object while serving it; the store never changes an Object in place
// (Update and fills replace it), so readers need no lock.
type Object interface {
	Meta() *Meta
	// Bytes returns the whole body when it is in memory, else nil.
	Bytes() []byte
	// Open returns a reader over the body. For a disk object, File
	// returns the open file and the body's offset so the caller can use
	// sendfile; the reader verifies the body's checksum on the first full
	// read after a restart and fails (ErrCorrupt) rather than returning
	// wrong bytes.
	Open() (Body, error)
	// Release lets go of what Get took hold of (a disk object's open
	// file) when the body was not opened: a HEAD, a 304, a stale copy
	// that was replaced. It is idempotent and harmless after Open.
	Release()
}

// Body reads an object's body. Close releases it.
type Body interface {
	io.ReadSeekCloser
	// File returns the underlying file and the body's offset in it, or
	// nil when the body is not a plain file region (memory, or a disk
	// body still being verified).
	File() (f *os.File, offset int64)
}
