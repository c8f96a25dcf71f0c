package gateway

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeward/edgeward/gateway/cache"
)

// cacheMetrics count what the cache did with each cacheable request and
// expose the store's occupancy.
type cacheMetrics struct {
	results *prometheus.CounterVec // distribution, result: hit, refresh_hit, miss
	bytes   *prometheus.CounterVec // source: cache, origin
	hits    atomic.Int64           // for the lifetime hit ratio
	lookups atomic.Int64

	fromCache, fromOrigin prometheus.Counter // bytes by source, bound once
}

func (m *metrics) registerCache(c *edgeCache) {
	m.cache = &cacheMetrics{
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgeward_cache_requests_total",
			Help: "Cacheable requests by distribution and cache result (hit, refresh_hit, miss).",
		}, []string{"distribution", "result"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgeward_cache_served_bytes_total",
			Help: "Body bytes sent to viewers of cacheable requests, by source (cache, origin).",
		}, []string{"source"}),
	}
	m.cache.fromCache = m.cache.bytes.WithLabelValues("cache")
	m.cache.fromOrigin = m.cache.bytes.WithLabelValues("origin")
	m.reg.MustRegister(m.cache.results, m.cache.bytes)
	if c == nil {
		return
	}
	stat := func(pick func(s cache.Stats) int64) func() float64 {
		return func() float64 { return float64(pick(c.store.Stats())) }
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeward_cache_memory_bytes", Help: "Bytes held by the memory tier."},
			stat(func(s cache.Stats) int64 { return s.MemoryBytes })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeward_cache_disk_bytes", Help: "Bytes held by the disk tier."},
			stat(func(s cache.Stats) int64 { return s.DiskBytes })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeward_cache_memory_objects", Help: "Objects in the memory tier."},
			stat(func(s cache.Stats) int64 { return s.MemoryObjects })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeward_cache_disk_objects", Help: "Objects in the disk tier."},
			stat(func(s cache.Stats) int64 { return s.DiskObjects })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "edgeward_cache_memory_evictions_total", Help: "Objects evicted from the memory tier to stay within its bound."},
			stat(func(s cache.Stats) int64 { return s.MemoryEvictions })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "edgeward_cache_disk_evictions_total", Help: "Objects evicted from the disk tier to stay within its bound."},
			stat(func(s cache.Stats) int64 { return s.DiskEvictions })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "edgeward_cache_hit_ratio",
			Help: "Hits (including refresh hits) over cacheable requests since start; for windows use rate() of edgeward_cache_requests_total.",
		}, func() float64 {
			n := m.cache.lookups.Load()
			if n == 0 {
				return 0
			}
			return float64(m.cache.hits.Load()) / float64(n)
		}),
	)
}

// record counts one cacheable request's outcome.
func (cm *cacheMetrics) record(d *distMetrics, x *Exchange) {
	switch {
	case x.result == "RefreshHit":
		d.cacheRefresh.Inc()
	case x.cache.status.Hit:
		d.cacheHit.Inc()
	default:
		d.cacheMiss.Inc()
		cm.fromOrigin.Add(float64(x.bodyBytes))
		cm.lookups.Add(1)
		return
	}
	cm.fromCache.Add(float64(x.bodyBytes))
	cm.lookups.Add(1)
	cm.hits.Add(1)
}
