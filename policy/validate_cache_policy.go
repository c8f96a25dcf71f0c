package policy

import (
	"fmt"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// Cache policy defaults and limits (CloudFront's, except maxTTLBound).
const (
	defaultDefaultTTL = 24 * time.Hour
	defaultMaxTTL     = 365 * 24 * time.Hour // 8760h
	defaultErrorTTL   = 10 * time.Second
	// maxTTLBound is a sanity bound on every duration of a cache policy:
	// 100 years of 365 days (876000h), far beyond any useful TTL and well
	// inside what a time.Duration holds (about 292 years).
	maxTTLBound = 100 * 365 * 24 * time.Hour
	// maxKeyNames bounds the names of each of query_strings, cookies and
	// headers; maxKeyChars bounds all of a policy's names together.
	maxKeyNames = 10
	maxKeyChars = 1024
)

// hopByHop are header names that describe one connection, not the
// request or response; they are never part of a cache key or a stored
// response. Keys are lower-case.
var hopByHop = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true, "proxy-authenticate": true,
	"proxy-authorization": true, "te": true, "trailer": true, "transfer-encoding": true, "upgrade": true,
}

// unkeyable are request headers a cache policy may not add to the key,
// with the reason. Hop-by-hop headers are refused separately. Keys are
// lower-case.
var unkeyable = map[string]string{
	"accept-encoding":     "the cache normalizes Accept-Encoding itself (br, gzip or identity) and keys compressed variants on it",
	"cookie":              "use cookies: to put cookies in the cache key",
	"content-length":      "it frames the request body",
	"expect":              "it is answered by the gateway",
	"cache-control":       "the viewer's Cache-Control is ignored, as in CloudFront",
	"pragma":              "the viewer's Pragma is ignored, as in CloudFront",
	"range":               "the cache answers range requests itself",
	"request-range":       "the cache answers range requests itself",
	"if-match":            "the cache answers conditional requests itself",
	"if-none-match":       "the cache answers conditional requests itself",
	"if-modified-since":   "the cache answers conditional requests itself",
	"if-unmodified-since": "the cache answers conditional requests itself",
	"if-range":            "the cache answers conditional requests itself",
	"via":                 "the gateway sets it",
	"max-forwards":        "the gateway manages it",
	"forwarded":           "the gateway sets it",
	"x-forwarded-for":     "the gateway sets it",
	"x-forwarded-proto":   "the gateway sets it",
	"x-forwarded-host":    "the gateway sets it",
	"x-real-ip":           "the gateway sets it",
	"x-request-id":        "the gateway sets it, and it is different on every request",
	// CloudFront refuses these in a cache key: each is unique to a viewer
	// or a connection.
	"cloudfront-viewer-address":         "it is unique to a viewer (CloudFront does not allow it either)",
	"cloudfront-viewer-asn":             "it is unique to a connection (CloudFront does not allow it either)",
	"cloudfront-viewer-ja3-fingerprint": "it is unique to a connection (CloudFront does not allow it either)",
	"cloudfront-viewer-ja4-fingerprint": "it is unique to a connection (CloudFront does not allow it either)",
	"cloudfront-viewer-tls":             "it is unique to a connection (CloudFront does not allow it either)",
}

// unkeyablePrefixes are header name prefixes the gateway owns.
var unkeyablePrefixes = []string{"x-amz-", "x-edge-", "x-edgeward-"}

// cachePolicy checks a behavior's cache policy and returns it with every
// default applied; a behavior without one gets the defaults.
func (v *validator) cachePolicy(path string, p *CachePolicy) *CachePolicy {
	if p == nil {
		p = &CachePolicy{}
	}
	v.ttls(path, p)
	for _, d := range []struct {
		key string
		val *Duration
		def time.Duration
	}{
		{"stale_while_revalidate", &p.StaleWhileRevalidate, 0},
		{"stale_if_error", &p.StaleIfError, 0},
		{"error_ttl", &p.ErrorTTL, defaultErrorTTL},
	} {
		if !v.has(path+"."+d.key) && *d.val == 0 {
			*d.val = Duration(d.def)
		}
		v.ttlBound(path+"."+d.key, *d.val)
	}
	if p.Compress == nil {
		on := true
		p.Compress = &on
	}
	chars := v.keyValues(path+".query_strings", &p.QueryStrings, KeyAll, queryNameProblem)
	chars += v.keyValues(path+".cookies", &p.Cookies, KeyNone, cookieNameProblem)
	chars += v.keyHeaders(path+".headers", p)
	if chars > maxKeyChars {
		v.errorf(path, "the names in query_strings, cookies and headers are %d characters long together; at most %d are allowed", chars, maxKeyChars)
	}
	return p
}

// ttls applies CloudFront's TTL defaults and checks min_ttl <= default_ttl
// <= max_ttl. Defaults follow what is written: default_ttl is 24h, or
// min_ttl when that is longer, or max_ttl when that is shorter; max_ttl is
// one year, or default_ttl (or min_ttl) when that is longer. So only
// values written in the file can be out of order.
func (v *validator) ttls(path string, p *CachePolicy) {
	minP, defP, maxP := path+".min_ttl", path+".default_ttl", path+".max_ttl"
	setMin := v.has(minP) || p.MinTTL != 0
	setDef := v.has(defP) || p.DefaultTTL != 0
	setMax := v.has(maxP) || p.MaxTTL != 0
	for _, t := range []struct {
		path string
		set  bool
		val  Duration
	}{{minP, setMin, p.MinTTL}, {defP, setDef, p.DefaultTTL}, {maxP, setMax, p.MaxTTL}} {
		if t.set {
			v.ttlBound(t.path, t.val)
		}
	}
	if !setDef {
		p.DefaultTTL = max(Duration(defaultDefaultTTL), p.MinTTL)
		if setMax && p.DefaultTTL > p.MaxTTL {
			p.DefaultTTL = max(p.MaxTTL, p.MinTTL)
		}
	}
	if !setMax {
		p.MaxTTL = max(Duration(defaultMaxTTL), p.DefaultTTL, p.MinTTL)
	}
	const order = "the TTLs must satisfy min_ttl <= default_ttl <= max_ttl"
	switch {
	case p.MinTTL > p.MaxTTL:
		v.errorf(maxP, "%s is less than min_ttl %s%s; %s", short(p.MaxTTL), short(p.MinTTL), v.ref(minP, maxP), order)
	case p.MinTTL > p.DefaultTTL:
		v.errorf(defP, "%s is less than min_ttl %s%s; %s", short(p.DefaultTTL), short(p.MinTTL), v.ref(minP, defP), order)
	case p.DefaultTTL > p.MaxTTL:
		v.errorf(maxP, "%s is less than default_ttl %s%s; %s", short(p.MaxTTL), short(p.DefaultTTL), v.ref(defP, maxP), order)
	}
}

// ttlBound reports a cache duration beyond maxTTLBound.
func (v *validator) ttlBound(path string, d Duration) {
	if d.Std() > maxTTLBound {
		v.errorf(path, "%s is more than 100 years (%s), the longest duration a cache policy accepts", short(d), short(Duration(maxTTLBound)))
	}
}

// short formats d without zero minutes and seconds ("48h", "1h30m").
func short(d Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// keyValues checks the query strings or cookies of a cache key, applies
// def when the key is left out, and returns the length of the names in
// characters. An empty allowlist is stored as none, an empty except list
// as all. problem returns what is wrong with a name, or "".
func (v *validator) keyValues(path string, kv *KeyValues, def KeyMode, problem func(string) string) int {
	if !v.has(path) && kv.Mode == KeyNone && kv.Names == nil {
		kv.Mode = def
		return 0
	}
	item := func(i int) string { return fmt.Sprintf("%s[%d]", path, i) }
	if kv.Mode == KeyExcept {
		item = func(i int) string { return fmt.Sprintf("%s.except[%d]", path, i) }
	}
	if len(kv.Names) > maxKeyNames {
		where := path
		if kv.Mode == KeyExcept {
			where = path + ".except"
		}
		v.errorf(where, "%d names; at most %d are allowed", len(kv.Names), maxKeyNames)
	}
	chars := 0
	seen := seenAt{}
	for i, name := range kv.Names {
		chars += utf8.RuneCountInString(name)
		ip := item(i)
		if msg := problem(name); msg != "" {
			v.errorf(ip, "%s", msg)
			continue
		}
		if prev, dup := seen.first(name, ip); dup {
			v.errorf(ip, "%q is already listed at %s%s", name, prev, v.ref(prev, ip))
		}
	}
	switch {
	case len(kv.Names) > 0:
	case kv.Mode == KeyAllow:
		*kv = KeyValues{Mode: KeyNone}
	case kv.Mode == KeyExcept:
		*kv = KeyValues{Mode: KeyAll}
	default:
		kv.Names = nil
	}
	return chars
}

// queryNameProblem checks a query string name: any non-empty string
// without '&', '=' or control characters; names are case-sensitive.
func queryNameProblem(name string) string {
	switch {
	case name == "":
		return "a query string name must not be empty"
	case strings.ContainsAny(name, "&="):
		return fmt.Sprintf("%q is not a query string name: it must not contain \"&\" or \"=\"", name)
	case strings.ContainsFunc(name, isControl):
		return fmt.Sprintf("%q is not a query string name: it has a control character", name)
	}
	return ""
}

// cookieNameProblem checks a cookie name: an RFC 6265 token.
func cookieNameProblem(name string) string {
	switch {
	case name == "":
		return "a cookie name must not be empty"
	case !isToken(name):
		return fmt.Sprintf("%q is not a valid cookie name (letters, digits and !#$%%&'*+-.^_`|~)", name)
	}
	return ""
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// keyHeaders checks the request headers of a cache key and stores them in
// canonical form (accept-language becomes Accept-Language). It returns
// the length of the names in characters.
func (v *validator) keyHeaders(path string, p *CachePolicy) int {
	if len(p.Headers) > maxKeyNames {
		v.errorf(path, "%d headers; at most %d are allowed", len(p.Headers), maxKeyNames)
	}
	chars := 0
	seen := seenAt{}
	out := make([]string, len(p.Headers))
	for i, name := range p.Headers {
		chars += utf8.RuneCountInString(name)
		out[i] = name
		hp := fmt.Sprintf("%s[%d]", path, i)
		if msg := keyHeaderProblem(name); msg != "" {
			v.errorf(hp, "%s", msg)
			continue
		}
		out[i] = textproto.CanonicalMIMEHeaderKey(name)
		if prev, dup := seen.first(out[i], hp); dup {
			v.errorf(hp, "%s is the same header as %s%s; header names are case-insensitive", name, prev, v.ref(prev, hp))
		}
	}
	if p.Headers != nil {
		p.Headers = out
	}
	return chars
}

// keyHeaderProblem returns what keeps a header name out of a cache key,
// or "".
func keyHeaderProblem(name string) string {
	lower := strings.ToLower(name)
	switch {
	case name == "":
		return "a header name must not be empty"
	case !isToken(name):
		return fmt.Sprintf("%q is not a valid header name", name)
	case hopByHop[lower]:
		return fmt.Sprintf("%s cannot be in the cache key: it is a hop-by-hop header", name)
	case unkeyable[lower] != "":
		return fmt.Sprintf("%s cannot be in the cache key: %s", name, unkeyable[lower])
	}
	for _, p := range unkeyablePrefixes {
		if strings.HasPrefix(lower, p) {
			return fmt.Sprintf("%s cannot be in the cache key: the gateway owns the %s* headers", name, p)
		}
	}
	return ""
}
