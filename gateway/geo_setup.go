package gateway

import (
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeward/edgeward/geodata"
	"github.com/edgeward/edgeward/policy"
)

// geoCheckEvery is how often the GeoIP database file is checked for a new
// version (besides every reload, i.e. SIGHUP).
const geoCheckEvery = 60 * time.Second

var errNoGeoDatabase = errors.New("no GeoIP database is loaded")

// needsGeo reports whether cfg names a GeoIP database or any behavior
// looks up countries: it has a geo policy, or its cache key includes a
// CloudFront-Viewer-* header. Otherwise no database is loaded.
func needsGeo(cfg *policy.Config) bool {
	if cfg.Geodata != nil {
		return true // named: loaded, checked and reported on even while unused
	}
	for di := range cfg.Distributions {
		dc := &cfg.Distributions[di]
		if dc.DefaultBehavior.Geo != nil || wantsViewerHeaders(&dc.DefaultBehavior) {
			return true
		}
		for bi := range dc.Behaviors {
			if dc.Behaviors[bi].Geo != nil || wantsViewerHeaders(&dc.Behaviors[bi]) {
				return true
			}
		}
	}
	return false
}

// geoPath is the database file cfg names; "" is the bundled database.
func geoPath(cfg *policy.Config) string {
	if cfg.Geodata != nil {
		return cfg.Geodata.Database
	}
	return ""
}

// buildGeo returns the database store for cfg: prev's when it reads the
// same file (checked for a new version now, as on every reload; a bad new
// file keeps the loaded one), else a new store, which fails when the
// file is not a usable country database (and so fails the reload).
func buildGeo(cfg *policy.Config, prev *runtime, env *buildEnv) (*geodata.Store, error) {
	path := geoPath(cfg)
	if prev != nil && prev.geo != nil && prev.geo.Path() == path {
		_, _ = prev.geo.Check() // a failure is logged by the store and keeps the current data
		return prev.geo, nil
	}
	st, err := geodata.NewStore(path, geodata.StoreOptions{
		Logger:  env.logger(),
		Now:     env.now,
		OnLoad:  func(*geodata.DB) { env.metrics.geoLoads.WithLabelValues("success").Inc() },
		OnError: func(error) { env.metrics.geoLoads.WithLabelValues("failure").Inc() },
	})
	if err != nil {
		return nil, geoProblem(cfg, err)
	}
	return st, nil
}

// watchGeo checks the running runtime's database file every interval
// until done is closed.
func (s *Server) watchGeo(every time.Duration, done <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			rt := s.holder.acquire()
			if rt.geo != nil {
				_, _ = rt.geo.Check()
			}
			rt.release()
		}
	}
}

// fixedGeo is one database that never changes: for offline checks.
type fixedGeo struct{ db *geodata.DB }

func (f fixedGeo) DB() *geodata.DB { return f.db }

// openGeo loads cfg's database once, for Compile and Explain; nil when no
// behavior needs one.
func openGeo(cfg *policy.Config) (geoSource, error) {
	if !needsGeo(cfg) {
		return nil, nil
	}
	var db *geodata.DB
	var err error
	if path := geoPath(cfg); path != "" {
		db, err = geodata.Open(path)
	} else {
		db, err = geodata.Embedded()
	}
	if err != nil {
		return nil, geoProblem(cfg, err)
	}
	return fixedGeo{db}, nil
}

func (e *buildEnv) logger() *slog.Logger {
	if e.log != nil {
		return e.log
	}
	return slog.Default()
}

// registerGeoBuildTime exports the build time of the database the
// running runtime uses, read at scrape time (0 when none is loaded), so
// a store built by a reload that then failed never shows.
func (s *Server) registerGeoBuildTime() {
	s.metrics.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "edgeward_geodata_build_timestamp_seconds",
		Help: "Build time of the GeoIP database in use (alert when it is months old); 0 when none is loaded.",
	}, func() float64 {
		rt := s.holder.cur.Load()
		if rt == nil || rt.geo == nil {
			return 0
		}
		return float64(rt.geo.DB().BuildTime().Unix())
	}))
}

// geoProblem reports a database that cannot be used at the config's
// geodata.database line.
func geoProblem(cfg *policy.Config, err error) error {
	return &policy.Errors{Problems: []policy.Problem{cfg.Problem("geodata.database", "%v", err)}}
}
