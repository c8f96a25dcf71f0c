package gateway

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/edgeward/edgeward/gateway/cache"
	"github.com/edgeward/edgeward/gateway/httpcache"
)

// unkeyedOverrides are request headers some origin frameworks honor to
// rewrite the URL, method, host or scheme. On a cached request they would
// be inputs the cache key does not hold (the classic cache-poisoning
// vector), so they are not forwarded.
var unkeyedOverrides = []string{
	"X-Original-Url", "X-Rewrite-Url", "X-Http-Method-Override", "X-Http-Method", "X-Method-Override",
	"X-Forwarded-Scheme", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Server", "X-Host", "Forwarded",
}

// conditionalHeaders are the viewer's preconditions and ranges. On a cached
// request they are not forwarded: the cache asks the origin for the whole
// object (or revalidates its own copy) and answers them itself.
var conditionalHeaders = []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range"}

// cachedOriginRequest is the origin request for a cacheable request: only
// the keyed query string and cookies, the normalized Accept-Encoding, no
// viewer preconditions, no unkeyed URL or host overrides; the stored
// copy's validators when revalidating.
func cachedOriginRequest(w http.ResponseWriter, rt *runtime, x *Exchange, stale cache.Object, whole bool) *http.Request {
	req := originRequest(w, rt, x)
	k := x.cache.key
	req.URL.RawQuery = k.OriginQuery
	if k.OriginCookie != "" {
		req.Header["Cookie"] = []string{k.OriginCookie}
	} else {
		delete(req.Header, "Cookie")
	}
	// No Accept-Encoding would mean "anything" to the origin: say identity.
	ae := httpcache.NormalizeAcceptEncoding(req.Header["Accept-Encoding"])
	if ae == "" {
		ae = "identity"
	}
	req.Header["Accept-Encoding"] = []string{ae}
	for _, name := range unkeyedOverrides {
		delete(req.Header, name)
	}
	// The Host the viewer used is not in the key (a wildcard distribution
	// lets a viewer choose it): the origin hears of it only when keyed.
	if !x.Behavior.cache.keysHost {
		delete(req.Header, "X-Forwarded-Host")
	}
	if whole {
		for _, name := range conditionalHeaders {
			delete(req.Header, name)
		}
		// A HEAD miss fetches the object so the next request hits; the
		// viewer still gets no body.
		req.Method = http.MethodGet
	}
	if stale != nil {
		sh := stale.Meta().Header
		if etag := sh.Get("ETag"); etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		if lm := sh.Get("Last-Modified"); lm != "" {
			req.Header.Set("If-Modified-Since", lm)
		}
	}
	return req
}

// fetch goes to the origin for a cacheable request. With fill set, a
// storable response is written to the cache while it streams to the
// viewer; stale, when set, is the expired copy being revalidated.
func (h *handler) fetch(w http.ResponseWriter, rt *runtime, x *Exchange, stale cache.Object, fill bool) {
	start := time.Now()
	resp, err := fetchOrigin(x, x.Behavior.origin, cachedOriginRequest(w, rt, x, stale, fill))
	x.Behavior.originLatency.Observe(time.Since(start).Seconds())
	if err != nil {
		if h.serveStaleOnError(w, rt, x, stale, "origin-error") {
			return
		}
		h.originFailed(w, rt, x, err)
		return
	}
	defer resp.Body.Close()
	if !h.inspectResponse(w, rt, x, resp) {
		return
	}

	if stale != nil && resp.StatusCode == http.StatusNotModified {
		h.refreshed(w, rt, x, stale, resp)
		return
	}
	if resp.StatusCode >= 500 && h.serveStaleOnError(w, rt, x, stale, "origin-"+itoa(resp.StatusCode)) {
		return
	}
	if x.cache.status.Fwd == "" {
		x.cache.status.Fwd = httpcache.FwdMiss
		if stale != nil {
			x.cache.status.Fwd = httpcache.FwdStale
		}
	}
	x.cache.status.FwdStatus = resp.StatusCode
	var f *cache.Fill
	if fill {
		f = h.startFill(rt, x, resp)
	}
	if _, ok := x.Dist.errorPages[resp.StatusCode]; ok && h.serveErrorPage(w, rt, x, resp.StatusCode) {
		// The viewer got the custom page; the origin's error is stored
		// (when storable) so the next request is a hit.
		drainInto(f, resp.Body)
		return
	}
	x.result = "Miss"
	if resp.StatusCode >= 400 {
		x.result = "Error"
	}
	x.detailedResult = x.result
	h.relayFill(w, rt, x, resp, f)
}

// startFill decides whether the response may be stored and, if so, opens
// the fill it is written to. It returns nil when the response is not
// stored.
func (h *handler) startFill(rt *runtime, x *Exchange, resp *http.Response) *cache.Fill {
	c := rt.cache
	p := x.Behavior.cache.policy
	now := h.now()
	dec := httpcache.Decide(p, http.MethodGet, resp.StatusCode, resp.Header, now)
	if !dec.Store {
		x.cache.status.Detail = dec.Reason
		c.pass.mark(x.cache.key.Primary, now)
		return nil
	}
	names, star := httpcache.VaryNames(resp.Header)
	if star {
		c.pass.mark(x.cache.key.Primary, now)
		return nil
	}
	c.pass.clear(x.cache.key.Primary)
	// The origin only ever sees the keyed cookies, which are in the
	// primary key already: varying on the raw Cookie header would only
	// split the cache on every tracking cookie.
	names = slices.DeleteFunc(names, func(n string) bool { return strings.EqualFold(n, "Cookie") })
	// An origin that encodes without saying Vary: Accept-Encoding would
	// otherwise give gzip to a viewer that cannot read it.
	if resp.Header.Get("Content-Encoding") != "" && !containsFold(names, "Accept-Encoding") {
		names = append(names, "Accept-Encoding")
	}
	base := cache.Meta{
		Dist:  x.Dist.name,
		Path:  x.Path,
		Query: canonicalQuery(x.cache.key.OriginQuery),
		Tags:  cacheTags(resp.Header, c.tagHeaders),
	}
	key := x.cache.key.Primary
	if len(names) > 0 {
		index := base
		index.Vary = names
		index.Stored = now
		index.Fresh = now.Add(dec.TTL)
		if err := c.store.Put(key, &index, nil); err != nil {
			c.log.Warn("cache: storing the variant index failed", "request_id", x.ID, "error", err.Error())
			return nil
		}
		key = httpcache.VariantKey(key, names, x.Req)
	}
	meta := base
	meta.Status = resp.StatusCode
	meta.Header = storedHeader(resp.Header)
	sizeForCheck := resp.ContentLength
	if sizeForCheck < 0 {
		sizeForCheck = httpcache.MinCompressSize // unknown yet: the hit checks the real size
	}
	if httpcache.Compressible(p, resp.StatusCode, resp.Header, sizeForCheck) {
		// Served compressed or not depending on the viewer: say so once,
		// at store time, rather than on every hit.
		meta.Compressible = true
		meta.Header["Vary"] = appendVary(meta.Header["Vary"], "Accept-Encoding")
	}
	meta.Stored = now
	meta.Fresh = now.Add(dec.TTL)
	meta.StaleWhileRevalidate = dec.SWR
	meta.StaleIfError = dec.SIE
	meta.Size = resp.ContentLength
	f, err := c.store.NewFill(key, &meta, resp.ContentLength)
	if err != nil {
		x.cache.status.Detail = "not-stored"
		return nil
	}
	x.cache.objKey = key
	x.cache.status.Stored = true
	x.cache.status.TTL = dec.TTL
	return f
}

// refreshed handles a 304 to a revalidation: the stored copy gets the new
// headers and freshness and is served (CloudFront's RefreshHit).
func (h *handler) refreshed(w http.ResponseWriter, rt *runtime, x *Exchange, stale cache.Object, resp *http.Response) {
	old := stale.Meta()
	hdr := old.Header.Clone()
	for k, v := range storedHeader(resp.Header) {
		hdr[k] = v
	}
	now := h.now()
	dec := httpcache.Decide(x.Behavior.cache.policy, http.MethodGet, old.Status, hdr, now)
	meta := *old
	meta.Header = hdr
	meta.Stored = now
	meta.Fresh = now.Add(dec.TTL)
	meta.StaleWhileRevalidate = dec.SWR
	meta.StaleIfError = dec.SIE
	if err := rt.cache.store.UpdateMeta(x.cache.objKey, &meta); err != nil {
		rt.cache.log.Warn("cache: refreshing a revalidated object failed", "request_id", x.ID, "error", err.Error())
	}
	x.cache.status = httpcache.Outcome{Fwd: httpcache.FwdStale, FwdStatus: http.StatusNotModified}
	if obj, ok := rt.cache.store.Get(x.cache.objKey); ok {
		defer obj.Release()
		h.serveHit(w, rt, x, obj, "RefreshHit")
		return
	}
	h.serveHit(w, rt, x, stale, "RefreshHit")
}

// serveStaleOnError serves the expired copy when the origin failed and the
// copy is within its stale-if-error window.
func (h *handler) serveStaleOnError(w http.ResponseWriter, rt *runtime, x *Exchange, stale cache.Object, why string) bool {
	if stale == nil {
		return false
	}
	m := stale.Meta()
	if !h.now().Before(m.Fresh.Add(m.StaleIfError)) {
		return false
	}
	x.cache.status = httpcache.Outcome{Hit: true, Fwd: httpcache.FwdStale, Detail: "stale-if-error " + why}
	h.serveHit(w, rt, x, stale, "Hit")
	x.detailedResult = "StaleIfError"
	return true
}

// revalidateInBackground refreshes a stale object after it was served
// (stale-while-revalidate), once per key at a time, on its own context.
func (h *handler) revalidateInBackground(rt *runtime, x *Exchange, stale cache.Object) {
	c := rt.cache
	fl, leader := c.flights.join(x.cache.key.Primary)
	if !leader {
		return
	}
	rt.refs.Add(1) // the runtime stays open until the refresh is done
	bx := *x
	bx.cache = &cacheState{key: x.cache.key, objKey: x.cache.objKey}
	bx.waf = nil // the viewer's WAF transaction ends with the viewer's request
	go func() {
		defer rt.release()
		defer c.flights.land(x.cache.key.Primary, fl)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		bx.Req = x.Req.Clone(ctx)
		bx.Req.Body = http.NoBody
		h.fetch(discardResponse{}, rt, &bx, stale, true)
	}()
}

// cacheTags reads an object's tags from the configured response headers:
// comma or space separated, lower-cased, deduplicated, at most 50 of at
// most 256 characters each (CloudFront's limits).
func cacheTags(h http.Header, names []string) []string {
	var tags []string
	for _, name := range names {
		for _, v := range h.Values(name) {
			for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
				t = strings.ToLower(t)
				if len(t) > 256 || len(tags) >= 50 || containsFold(tags, t) {
					continue
				}
				tags = append(tags, t)
			}
		}
	}
	return tags
}

// storedHeader is the part of an origin response the cache keeps: every
// end-to-end header except those that belong to one exchange.
func storedHeader(h http.Header) http.Header {
	out := h.Clone()
	removeHopByHop(out)
	for _, name := range []string{"Set-Cookie", "Date", "X-Request-Id", "Via", "X-Cache", "Cache-Status"} {
		delete(out, name)
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// discardResponse is the ResponseWriter of background refreshes.
type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (discardResponse) WriteHeader(int)             {}
