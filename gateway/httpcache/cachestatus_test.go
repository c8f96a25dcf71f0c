package httpcache

import (
	"testing"
	"time"
)

func TestCacheStatus(t *testing.T) {
	tests := []struct {
		name string
		o    Outcome
		want string
	}{
		{"nothing", Outcome{}, "edgeward"},
		{"hit", Outcome{Hit: true, TTL: 376 * time.Second}, "edgeward; hit; ttl=376"},
		{"hit at expiry", Outcome{Hit: true}, "edgeward; hit; ttl=0"},
		{"stale hit", Outcome{Hit: true, TTL: -30*time.Second - 500*time.Millisecond, Detail: "stale-while-revalidate"},
			"edgeward; hit; ttl=-30; detail=stale-while-revalidate"},
		{"miss stored", Outcome{Fwd: FwdURIMiss, FwdStatus: 200, TTL: time.Hour, Stored: true},
			"edgeward; fwd=uri-miss; fwd-status=200; ttl=3600; stored"},
		{"miss not stored", Outcome{Fwd: FwdURIMiss, FwdStatus: 200, Detail: ReasonNoStore},
			"edgeward; fwd=uri-miss; fwd-status=200; detail=no-store"},
		{"fractional ttl truncated", Outcome{Fwd: FwdMiss, FwdStatus: 200, TTL: 1500 * time.Millisecond, Stored: true},
			"edgeward; fwd=miss; fwd-status=200; ttl=1; stored"},
		{"stale revalidated", Outcome{Fwd: FwdStale, FwdStatus: 304, TTL: time.Minute, Stored: true},
			"edgeward; fwd=stale; fwd-status=304; ttl=60; stored"},
		{"stale served on error", Outcome{Fwd: FwdStale, FwdStatus: 502, TTL: -10 * time.Second, Detail: "stale-if-error"},
			"edgeward; fwd=stale; fwd-status=502; ttl=-10; detail=stale-if-error"},
		{"collapsed", Outcome{Fwd: FwdURIMiss, FwdStatus: 200, TTL: time.Minute, Stored: true, Collapsed: true},
			"edgeward; fwd=uri-miss; fwd-status=200; ttl=60; stored; collapsed"},
		{"bypass", Outcome{Fwd: FwdBypass, FwdStatus: 200}, "edgeward; fwd=bypass; fwd-status=200"},
		{"method", Outcome{Fwd: FwdMethod}, "edgeward; fwd=method"},
		{"request", Outcome{Fwd: FwdRequest, FwdStatus: 200}, "edgeward; fwd=request; fwd-status=200"},
		{"vary-miss", Outcome{Fwd: FwdVaryMiss, FwdStatus: 200}, "edgeward; fwd=vary-miss; fwd-status=200"},
		{"partial", Outcome{Fwd: FwdPartial, FwdStatus: 206}, "edgeward; fwd=partial; fwd-status=206"},
		{"fwd-status without fwd dropped", Outcome{FwdStatus: 200}, "edgeward"},
		{"invalid fwd dropped", Outcome{Fwd: "no such", FwdStatus: 200}, "edgeward"},
		{"detail as string", Outcome{Hit: true, Detail: `origin said "no"`}, `edgeward; hit; ttl=0; detail="origin said \"no\""`},
		{"detail escapes", Outcome{Detail: "a\\b\n\x00é"}, `edgeward; detail="a\\b????"`},
		{"detail starting with a digit", Outcome{Detail: "404"}, `edgeward; detail="404"`},
		{"detail token with slash", Outcome{Detail: "max-ttl/clamped"}, "edgeward; detail=max-ttl/clamped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CacheStatus(tt.o); got != tt.want {
				t.Errorf("CacheStatus(%+v)\n got %s\nwant %s", tt.o, got, tt.want)
			}
		})
	}
}
