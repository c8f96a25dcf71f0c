package gateway

import (
	"time"

	"github.com/maypok86/otter/v2"
)

// passTTL is how long a key whose response was not storable skips request
// collapsing (Varnish's hit-for-miss). Without it, concurrent requests for
// an uncacheable URL would each wait for the previous one's whole origin
// fetch before making their own.
const passTTL = 2 * time.Minute

// passMarks remembers, for a bounded number of keys, that their last
// response was not storable.
type passMarks struct {
	c *otter.Cache[string, time.Time]
}

func newPassMarks() *passMarks {
	return &passMarks{c: otter.Must(&otter.Options[string, time.Time]{
		MaximumSize: 100_000,
		// A backstop on the real clock; passing() checks the injected one.
		ExpiryCalculator: otter.ExpiryWriting[string, time.Time](passTTL),
	})}
}

// mark records that key's response was not storable at now.
func (p *passMarks) mark(key string, now time.Time) { p.c.Set(key, now.Add(passTTL)) }

// clear forgets the mark once the key's response was stored.
func (p *passMarks) clear(key string) { p.c.Invalidate(key) }

// passing reports whether requests for key should skip collapsing.
func (p *passMarks) passing(key string, now time.Time) bool {
	until, ok := p.c.GetIfPresent(key)
	return ok && now.Before(until)
}
