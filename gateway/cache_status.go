package gateway

import (
	"bytes"
	"time"

	"github.com/edgeward/edgeward/gateway/cache"
	"github.com/edgeward/edgeward/gateway/httpcache"
)

// cacheStatusHeader renders the Cache-Status header for a request,
// with the remaining freshness of the object served (when there is one).
func cacheStatusHeader(o httpcache.Outcome, m *cache.Meta, now time.Time) string {
	if m != nil && (o.Hit || o.Stored) {
		o.TTL = m.Fresh.Sub(now)
	}
	return httpcache.CacheStatus(o)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
