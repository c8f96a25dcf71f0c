package gateway

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/edgeward/edgeward/gateway/cache"
	"github.com/edgeward/edgeward/gateway/httpcache"
	"github.com/edgeward/edgeward/policy"
)

// edgeCache is the process-wide cache: the object store, the in-flight
// fills, and the settings of the top-level cache block. It outlives
// configuration reloads; changes to the cache block take effect on
// restart.
type edgeCache struct {
	store           *cache.Store
	flights         flights
	tagHeaders      []string
	collapseTimeout time.Duration
	pass            *passMarks // keys recently not storable: no collapsing
	log             *slog.Logger
}

// behaviorCache is a behavior's compiled cache policy.
type behaviorCache struct {
	policy   *policy.CachePolicy
	keyer    *httpcache.Keyer
	keysHost bool // Host is a keyed header: X-Forwarded-Host may go to the origin
}

func newBehaviorCache(p *policy.CachePolicy) *behaviorCache {
	if p == nil || p.Disabled {
		return nil
	}
	bc := &behaviorCache{policy: p, keyer: httpcache.NewKeyer(p)}
	for _, h := range p.Headers {
		if strings.EqualFold(h, "Host") {
			bc.keysHost = true
		}
	}
	return bc
}

// cacheState is what one request knows about its cache entry.
type cacheState struct {
	key    httpcache.Key     // the primary key and what to forward
	objKey string            // the key the response is stored under (variant)
	status httpcache.Outcome // for the Cache-Status header
}

// serve answers an admitted request from the cache or the origin. Only
// GET and HEAD are cached; a request the policy cannot share (it carries
// credentials the key does not include) and a behavior with caching
// disabled go straight to the origin.
func (h *handler) serve(w http.ResponseWriter, rt *runtime, x *Exchange) {
	bc := x.Behavior.cache
	r := x.Req
	if bc == nil || rt.cache == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) || !bc.keyer.Shareable(r) {
		h.serveOrigin(w, rt, x)
		return
	}
	x.cache = &cacheState{key: bc.keyer.Key(keySpace(x), x.Path, r)}
	c := rt.cache
	now := h.now()

	obj, ok := h.lookup(c, x)
	if ok {
		defer obj.Release()
		m := obj.Meta()
		switch {
		case now.Before(m.Fresh):
			x.cache.status = httpcache.Outcome{Hit: true}
			h.serveHit(w, rt, x, obj, "Hit")
			return
		case now.Before(m.Fresh.Add(m.StaleWhileRevalidate)) && !x.inspectsResponse():
			// (A behavior whose WAF inspects responses revalidates in
			// the viewer's request instead, below: a background refresh
			// has no WAF transaction to inspect the new response with.)
			x.cache.status = httpcache.Outcome{Hit: true, Detail: "stale-while-revalidate"}
			h.serveHit(w, rt, x, obj, "Hit")
			h.revalidateInBackground(rt, x, obj)
			return
		}
	}
	if r.Header.Get("Range") != "" && !ok {
		// A range of an object not in cache goes to the origin as asked
		// (keyed values only) and is not stored: filling a whole object
		// first would make the viewer wait for all of it.
		x.cache.status = httpcache.Outcome{Fwd: httpcache.FwdMiss, Detail: "range"}
		h.fetch(w, rt, x, nil, false)
		return
	}

	// A miss or a stale object: one request per key goes to the origin.
	if c.collapseTimeout > 0 && !c.pass.passing(x.cache.key.Primary, now) {
		fl, leader := c.flights.join(x.cache.key.Primary)
		if leader {
			defer c.flights.land(x.cache.key.Primary, fl)
			// Another leader may have stored the object between our lookup
			// and the join.
			if obj2, ok2 := h.lookup(c, x); ok2 {
				defer obj2.Release()
				if h.now().Before(obj2.Meta().Fresh) {
					x.cache.status = httpcache.Outcome{Hit: true}
					h.serveHit(w, rt, x, obj2, "Hit")
					return
				}
			}
		} else if fl.wait(r.Context(), c.collapseTimeout) {
			if obj2, ok2 := h.lookup(c, x); ok2 {
				defer obj2.Release()
				if h.now().Before(obj2.Meta().Fresh) {
					x.cache.status = httpcache.Outcome{Hit: true, Collapsed: true}
					h.serveHit(w, rt, x, obj2, "Hit")
					return
				}
			}
		}
	}
	h.fetch(w, rt, x, obj, true)
}

// lookup finds the stored response for the request: the object under the
// primary key, or, when the origin varies its responses, the variant for
// the request's values of the Vary headers. The caller releases it.
func (h *handler) lookup(c *edgeCache, x *Exchange) (cache.Object, bool) {
	key := x.cache.key.Primary
	obj, ok := c.store.Get(key)
	if ok && len(obj.Meta().Vary) > 0 {
		key = httpcache.VariantKey(key, obj.Meta().Vary, x.Req)
		obj.Release() // the variant index has no body
		obj, ok = c.store.Get(key)
	}
	x.cache.objKey = key
	return obj, ok
}

// keySpace is the part of the cache key before the path: the distribution
// and the viewer's scheme. The origin learns the scheme (X-Forwarded-Proto)
// and may answer differently, an http-to-https redirect above all; keying
// on it keeps such a response from being served to the other scheme (a
// redirect loop). Invalidation matches the distribution's name, stored
// apart from the key.
func keySpace(x *Exchange) string { return x.Dist.name + "\x00" + x.Scheme }
