package gateway

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the gateway's Prometheus metrics, on a registry of its own
// (not the global one) so tests and several servers in one process do not
// collide. They survive reloads.
type metrics struct {
	reg *prometheus.Registry

	requests      *prometheus.CounterVec   // distribution, status, result
	bytesSent     *prometheus.CounterVec   // distribution
	bytesReceived *prometheus.CounterVec   // distribution
	originLatency *prometheus.HistogramVec // distribution, origin
	denials       *prometheus.CounterVec   // distribution, stage, reason
	reloads       *prometheus.CounterVec   // result
	reloadTime    prometheus.Gauge
	geoLoads      *prometheus.CounterVec // result
	inflight      atomic.Int64           // read by a GaugeFunc: no CAS loop per request

	cache *cacheMetrics

	mu    sync.Mutex
	dists map[string]*distMetrics
}

// distMetrics caches one distribution's label-bound series so the request
// path does a map lookup at most, never a label hash of every value.
type distMetrics struct {
	m             *metrics
	name          string
	bytesSent     prometheus.Counter
	bytesReceived prometheus.Counter
	requests      sync.Map // requestKey -> prometheus.Counter
	// cache results, bound on first use (the cache metrics are registered
	// after the first distributions may have been created)
	cacheHit, cacheRefresh, cacheMiss prometheus.Counter
}

type requestKey struct {
	status int
	result string
}

func newMetrics() *metrics {
	m := &metrics{
		reg:   prometheus.NewRegistry(),
		dists: map[string]*distMetrics{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgeward_requests_total",
			Help: "Requests answered, by distribution, status and result type (Hit, Miss, Error, Redirect, ...).",
		}, []string{"distribution", "status", "result"}),
		bytesSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgeward_sent_bytes_total",
			Help: "Response body bytes sent to viewers, by distribution.",
		}, []string{"distribution"}),
		bytesReceived: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgeward_received_bytes_total",
			Help: "Request body bytes received from viewers, by distribution.",
		}, []string{"distribution"}),
		originLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "edgeward_origin_response_seconds",
			Help:    "Time from sending a request to an origin until its response headers arrived.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"distribution", "origin"}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgeward_denials_total",
			Help: "Requests stopped by a pipeline stage, by distribution, stage and reason.",
		}, []string{"distribution", "stage", "reason"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgeward_config_reloads_total",
			Help: "Configuration reloads, by result (success, failure).",
		}, []string{"result"}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "edgeward_config_last_reload_success_timestamp_seconds",
			Help: "When the running configuration was loaded.",
		}),
		geoLoads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgeward_geodata_loads_total",
			Help: "GeoIP database loads, at start and when the file changed, by result (success, failure: the previous data stays).",
		}, []string{"result"}),
	}
	inflight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "edgeward_inflight_requests",
		Help: "Requests being answered now.",
	}, func() float64 { return float64(m.inflight.Load()) })
	m.reg.MustRegister(m.requests, m.bytesSent, m.bytesReceived, m.originLatency, m.denials,
		m.reloads, m.reloadTime, m.geoLoads, inflight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// forDistribution returns the series of one distribution, shared across
// reloads so counters keep counting.
func (m *metrics) forDistribution(name string) *distMetrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.dists[name]; ok {
		return d
	}
	d := &distMetrics{
		m:             m,
		name:          name,
		bytesSent:     m.bytesSent.WithLabelValues(name),
		bytesReceived: m.bytesReceived.WithLabelValues(name),
	}
	if m.cache != nil {
		d.cacheHit = m.cache.results.WithLabelValues(name, "hit")
		d.cacheRefresh = m.cache.results.WithLabelValues(name, "refresh_hit")
		d.cacheMiss = m.cache.results.WithLabelValues(name, "miss")
	}
	m.dists[name] = d
	return d
}

func (d *distMetrics) request(status int, result string) prometheus.Counter {
	k := requestKey{status, result}
	if c, ok := d.requests.Load(k); ok {
		return c.(prometheus.Counter)
	}
	c := d.m.requests.WithLabelValues(d.name, strconv.Itoa(status), result)
	d.requests.Store(k, c)
	return c
}
