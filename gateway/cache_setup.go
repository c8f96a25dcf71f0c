package gateway

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/edgeward/edgeward/gateway/cache"
	"github.com/edgeward/edgeward/policy"
)

// newEdgeCache opens the cache store the top-level cache block describes,
// or returns nil when it stores nothing (no memory and no disk).
func newEdgeCache(cfg policy.Cache, log *slog.Logger, now func() time.Time) (*edgeCache, error) {
	if cfg.Memory == 0 && cfg.Disk == nil {
		return nil, nil
	}
	sc := cache.Config{
		MemoryBytes:     int64(cfg.Memory),
		MaxMemoryObject: int64(cfg.MaxMemoryObject),
		Logger:          log,
		Now:             now,
	}
	if cfg.Disk != nil {
		sc.Disk = &cache.DiskConfig{Path: cfg.Disk.Path, Size: int64(cfg.Disk.Size), MaxObject: int64(cfg.Disk.MaxObject)}
	}
	store, err := cache.Open(sc)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	tags := make([]string, len(cfg.TagHeaders))
	for i, t := range cfg.TagHeaders {
		tags[i] = http.CanonicalHeaderKey(t)
	}
	return &edgeCache{
		store:           store,
		tagHeaders:      tags,
		collapseTimeout: time.Duration(cfg.CollapseTimeout),
		pass:            newPassMarks(),
		log:             log,
	}, nil
}

// cacheChanged reports whether a reload asks for different cache storage,
// which takes effect on restart only (the store and its contents survive
// reloads).
func cacheChanged(a, b policy.Cache) bool {
	if a.Memory != b.Memory || a.MaxMemoryObject != b.MaxMemoryObject || a.CollapseTimeout != b.CollapseTimeout ||
		fmt.Sprint(a.TagHeaders) != fmt.Sprint(b.TagHeaders) || (a.Disk == nil) != (b.Disk == nil) {
		return true
	}
	return a.Disk != nil && *a.Disk != *b.Disk
}
