package gateway

import (
	"html"
	"net/http"
	"sync"

	"golang.org/x/net/http/httpguts"

	"github.com/edgeward/edgeward/geodata"
	"github.com/edgeward/edgeward/policy"
)

// geoSource is what the geo stage asks of the GeoIP database: the one in
// use now. A geodata.Store swaps in a new database when its file changes;
// a request keeps the *geodata.DB it looked up with, whose memory stays
// valid for as long as anything holds it.
type geoSource interface {
	DB() *geodata.DB
}

var _ geoSource = (*geodata.Store)(nil)

// The headers the geo stage sends to the origin, as CloudFront names them.
// Region and city come only from city-level databases.
const (
	hdrViewerCountry = "Cloudfront-Viewer-Country"
	hdrViewerRegion  = "Cloudfront-Viewer-Country-Region"
	hdrViewerCity    = "Cloudfront-Viewer-City"
)

// geoStage admits a request by the country of the viewer's address
// (Exchange.Viewer: the TCP peer, or what a trusted proxy says), against
// the behavior's geo policy: an allow list or a deny list of ISO 3166-1
// codes, and what to do with addresses the database has no country for.
//
// Admitted requests carry CloudFront-Viewer-Country (and -Country-Region
// and -City when the database has them) to the origin and into the cache
// key when the cache policy lists them. Whatever a viewer sent under
// those names was removed before any stage ran (stripViewerHeaders), so
// the values the origin sees are always the gateway's.
//
// The stage is also built, without a policy, for behaviors whose cache
// policy keys on a CloudFront-Viewer-* header: it then never denies, it
// only sets the headers.
type geoStage struct {
	src geoSource
	pol *policy.GeoPolicy // nil: headers only
}

var _ Stage = (*geoStage)(nil)

func newGeoStage(b *behaviorSpec) (Stage, error) {
	pol := b.cfg.Geo
	if pol == nil && !wantsViewerHeaders(b.cfg) {
		return nil, nil
	}
	if b.geo == nil { // buildRuntime opens the database when any behavior needs it
		return nil, configError{".geo_policy", errNoGeoDatabase}
	}
	return &geoStage{src: b.geo, pol: pol}, nil
}

func (s *geoStage) Name() string { return "geo" }

func (s *geoStage) Check(x *Exchange) *Denial {
	db := s.src.DB()
	var loc geodata.Location
	var err error
	if x.Viewer.IsValid() { // else no address, no country
		loc, err = db.Lookup(x.Viewer.Addr())
	}
	if err != nil {
		if s.pol == nil {
			return nil // nothing to enforce; the origin just gets no country
		}
		return &Denial{
			Status: http.StatusForbidden, Reason: "lookup-failed",
			Detail: "geo lookup of " + x.viewerAddr() + " in " + db.Source() + ": " + err.Error(),
		}
	}
	if s.pol != nil && !s.pol.Admits(loc.Country) {
		return s.denial(x, db, loc.Country)
	}
	h := x.Req.Header
	if loc.Country != "" {
		h[hdrViewerCountry] = countryValue(loc.Country)
	}
	// Region and city come from the database as they are: a value an
	// HTTP header cannot carry is left out rather than break the origin
	// request.
	if loc.Region != "" && httpguts.ValidHeaderFieldValue(loc.Region) {
		h[hdrViewerRegion] = []string{loc.Region}
	}
	if loc.City != "" && httpguts.ValidHeaderFieldValue(loc.City) {
		h[hdrViewerCity] = []string{loc.City}
	}
	return nil
}

// countryValues holds one header value slice per country code, shared by
// every request: the stage then allocates nothing. Each has capacity 1,
// so a Header.Add on it copies instead of writing into the shared array.
var countryValues sync.Map // string -> []string

func countryValue(code string) []string {
	if v, ok := countryValues.Load(code); ok {
		return v.([]string)
	}
	v, _ := countryValues.LoadOrStore(code, []string{code}[:1:1])
	return v.([]string)
}

// denial refuses the viewer with the policy's status. The body is the
// policy's page when it has one (served through the distribution, see
// handler.deny), else a short HTML page, with the data's attribution when
// the bundled DB-IP database decided.
func (s *geoStage) denial(x *Exchange, db *geodata.DB, country string) *Denial {
	reason, detail := "country-blocked", "viewer "+x.viewerAddr()+" is in "+country
	if country == "" {
		reason, detail = "unknown-country", "viewer "+x.viewerAddr()+" has no country in "+db.Source()
	}
	detail += " (geo policy " + s.pol.File + ")"
	return &Denial{
		Status: s.pol.Status, Reason: reason, Detail: detail,
		ContentType: "text/html; charset=utf-8", Body: geoBlockPage(s.pol.Status, x.ID, db.Embedded()),
		DetailedResult: "ClientGeoBlocked", Page: s.pol.Page,
	}
}

// geoBlockPage is the default page for a geo-blocked request.
func geoBlockPage(status int, requestID string, embedded bool) []byte {
	b := make([]byte, 0, 640)
	b = append(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"...)
	b = append(b, itoa(status)...)
	b = append(b, " - The request could not be satisfied</title></head>\n<body>\n<h1>"...)
	b = append(b, itoa(status)...)
	b = append(b, " ERROR</h1>\n<h2>The request could not be satisfied.</h2>\n"+
		"<p>This content is not available in your country: the site is configured to block access from your location.</p>\n"+
		"<p>Request ID: "...)
	b = append(b, html.EscapeString(requestID)...)
	b = append(b, "</p>\n"...)
	if embedded {
		b = append(b, "<p><small>"+geodata.AttributionHTML+"</small></p>\n"...)
	}
	b = append(b, "</body></html>\n"...)
	return b
}

// viewerHeaderPrefixes are the request headers CloudFront sets for the
// origin. A viewer's own values for them are never believed.
var viewerHeaderPrefixes = []string{"Cloudfront-Viewer-", "Cloudfront-Is-"}

// stripViewerHeaders removes every CloudFront-Viewer-*, CloudFront-Is-*
// and CloudFront-Forwarded-Proto header a viewer sent, so that the only
// ones the cache key and the origin ever see are the gateway's (header
// names in an http.Header are canonical: "Cloudfront-Viewer-Country").
func stripViewerHeaders(h http.Header) {
	for k := range h {
		if len(k) < len("Cloudfront-") || k[:len("Cloudfront-")] != "Cloudfront-" {
			continue
		}
		if k == "Cloudfront-Forwarded-Proto" {
			delete(h, k)
			continue
		}
		for _, p := range viewerHeaderPrefixes {
			if len(k) >= len(p) && k[:len(p)] == p {
				delete(h, k)
				break
			}
		}
	}
}

// wantsViewerHeaders reports whether b's cache key includes a header the
// geo stage sets, so the stage must run even without a geo policy.
func wantsViewerHeaders(b *policy.Behavior) bool {
	if b.Cache == nil || b.Cache.Disabled {
		return false
	}
	for _, h := range b.Cache.Headers {
		switch http.CanonicalHeaderKey(h) {
		case hdrViewerCountry, hdrViewerRegion, hdrViewerCity:
			return true
		}
	}
	return false
}
