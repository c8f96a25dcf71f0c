package geodata

import "sync/atomic"

// atomicCount counts up and saturates, so it never wraps.
type atomicCount struct{ n atomic.Int64 }

func (c *atomicCount) inc() int64 {
	if v := c.n.Load(); v > maxCached {
		return v
	}
	return c.n.Add(1)
}
