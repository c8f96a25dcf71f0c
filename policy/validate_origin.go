package policy

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	pathpkg "path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Origin limits and defaults (CloudFront's).
const (
	maxOriginHeaders     = 10
	maxHeaderValueLen    = 1783
	defaultAttempts      = 3
	defaultConnectTO     = 10 * time.Second
	defaultOriginReadTO  = 30 * time.Second
	defaultKeepAliveTO   = 5 * time.Second
	maxOriginPathLen     = 255
	originTimeoutMinimum = time.Second
)

// origins checks a distribution's origins and returns their ids.
func (v *validator) origins(dpath string, list []Origin) map[string]bool {
	ids := map[string]bool{}
	if len(list) == 0 {
		v.errorf(dpath+".origins", "at least one origin is required")
		return ids
	}
	seen := seenAt{}
	for i := range list {
		path := fmt.Sprintf("%s.origins[%d]", dpath, i)
		o := &list[i]
		if o.ID != "" {
			ids[o.ID] = true // also when invalid: behaviors naming it get no second error
		}
		v.identifier(path, "id", o.ID, "an origin needs an id", seen)
		v.origin(path, o)
	}
	return ids
}

func (v *validator) origin(path string, o *Origin) {
	kinds := 0
	for _, set := range []bool{o.URL != "", o.Dir != "", o.S3 != nil} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		v.errorf(path, "more than one of url, dir and s3 is set; an origin has exactly one")
	case o.URL != "":
		v.originURL(path, o)
	case o.Dir != "":
		v.originDir(path, o)
	case o.S3 != nil:
		v.originS3(path, o)
	default:
		v.errorf(path, "set url (an HTTP server), dir (a local directory) or s3 (a bucket)")
	}
	v.originPath(path+".path", &o.Path)
	if o.Dir == "" || o.URL != "" {
		v.headers(path+".headers", o.Headers)
	}
}

func (v *validator) originURL(path string, o *Origin) {
	if msg := checkOriginURL(o.URL); msg != "" {
		v.errorf(path+".url", "%q %s", o.URL, msg)
	}
	if o.HostHeader != "" && !validHostPort(o.HostHeader) {
		v.errorf(path+".host_header", "%q is not a valid host (a name or IP address, optionally with :port)", o.HostHeader)
	}
	v.originNetwork(path, o)
}

// originNetwork checks the connection settings of an origin reached over
// the network (HTTP and S3) and fills in their defaults.
func (v *validator) originNetwork(path string, o *Origin) {
	if v.has(path+".connection_attempts") || o.ConnectionAttempts != 0 {
		if o.ConnectionAttempts < 1 || o.ConnectionAttempts > 3 {
			v.errorf(path+".connection_attempts", "%d is out of range: must be 1, 2 or 3", o.ConnectionAttempts)
		}
	} else {
		o.ConnectionAttempts = defaultAttempts
	}
	v.originTimeout(path+".connect_timeout", &o.ConnectTimeout, defaultConnectTO, 10*time.Second)
	v.originTimeout(path+".read_timeout", &o.ReadTimeout, defaultOriginReadTO, 60*time.Second)
	v.originTimeout(path+".keepalive_timeout", &o.KeepAliveTimeout, defaultKeepAliveTO, 60*time.Second)
}

func (v *validator) originTimeout(path string, d *Duration, def, maxD time.Duration) {
	if !v.has(path) && *d == 0 {
		*d = Duration(def)
		return
	}
	if d.Std() < originTimeoutMinimum || d.Std() > maxD {
		v.errorf(path, "%s is out of range: must be between %s and %s", d, originTimeoutMinimum, maxD)
	}
}

// checkOriginURL returns "" for an absolute http(s) URL with a host and
// nothing after it but an optional "/", or what is wrong.
func checkOriginURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "is not a valid URL: " + err.Error()
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with http:// or https://"
	case u.Host == "":
		return "has no host"
	case u.User != nil:
		return "must not hold a user name or password (send credentials in headers)"
	case u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "?"):
		return "must not have a query"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "must not have a fragment"
	case u.Path != "" && u.Path != "/":
		return "must not have a path (put the prefix in the origin's path setting)"
	case !validHost(u.Hostname()):
		return "has an invalid host " + fmt.Sprintf("%q", u.Hostname())
	case u.Port() != "" && !validPort(u.Port()):
		return "has an invalid port " + fmt.Sprintf("%q", u.Port())
	}
	return ""
}

// urlOnly are the settings that mean nothing for a dir origin.
var urlOnly = []string{"connect_timeout", "connection_attempts", "read_timeout", "keepalive_timeout", "host_header", "headers"}

func (v *validator) originDir(path string, o *Origin) {
	o.Dir = v.abs(o.Dir)
	st, err := os.Stat(o.Dir)
	switch {
	case err != nil:
		v.errorf(path+".dir", "cannot use %s: %v", o.Dir, unwrapPath(err))
	case !st.IsDir():
		v.errorf(path+".dir", "%s is not a directory", o.Dir)
	}
	set := o.ConnectTimeout != 0 || o.ConnectionAttempts != 0 || o.ReadTimeout != 0 ||
		o.KeepAliveTimeout != 0 || o.HostHeader != "" || len(o.Headers) != 0
	for _, key := range urlOnly {
		if v.has(path + "." + key) {
			v.errorf(path+"."+key, "is only for url origins, and this origin is a dir")
			set = false
		}
	}
	if set { // set through a merge the key lookup did not see
		v.errorf(path, "timeouts, connection_attempts, host_header and headers are only for url origins")
	}
}

// originPath checks the prefix added to request paths and stores it
// cleaned ("//a//b" becomes "/a/b").
func (v *validator) originPath(path string, p *string) {
	if *p == "" {
		return
	}
	switch {
	case !strings.HasPrefix(*p, "/"):
		v.errorf(path, "%q must start with \"/\"", *p)
	case strings.HasSuffix(*p, "/"):
		v.errorf(path, "%q must not end with \"/\" (leave path empty for no prefix)", *p)
	case len(*p) > maxOriginPathLen:
		v.errorf(path, "is %d characters long; at most %d are allowed", len(*p), maxOriginPathLen)
	case slices.ContainsFunc(strings.Split(*p, "/"), func(s string) bool { return s == "." || s == ".." }):
		v.errorf(path, "%q must not contain \".\" or \"..\" segments", *p)
	default:
		if r, _, bad := badPathChar(*p, "?#\\%"); bad {
			v.errorf(path, "%q has an invalid character %q", *p, r)
			return
		}
		*p = pathpkg.Clean(*p)
	}
}

// gatewayHeaders are request headers an origin header may not set: hop-by-hop
// headers, framing, headers the gateway sets itself, and those CloudFront
// also refuses as custom origin headers. Keys are lower-case.
var gatewayHeaders = map[string]bool{
	"host": true, "connection": true, "keep-alive": true, "proxy-connection": true,
	"proxy-authenticate": true, "proxy-authorization": true, "te": true, "trailer": true,
	"transfer-encoding": true, "upgrade": true, "content-length": true, "expect": true,
	"x-forwarded-for": true, "x-forwarded-proto": true, "x-forwarded-host": true,
	"forwarded": true, "via": true, "x-request-id": true, "x-real-ip": true,
	"cache-control": true, "pragma": true, "cookie": true, "max-forwards": true,
	"range": true, "request-range": true, "if-match": true, "if-none-match": true,
	"if-modified-since": true, "if-unmodified-since": true, "if-range": true,
}

// gatewayHeaderPrefixes are header name prefixes reserved the same way.
var gatewayHeaderPrefixes = []string{"x-amz-", "x-edge-", "cloudfront-", "x-edgeward-"}

func (v *validator) headers(path string, hs map[string]string) {
	if len(hs) > maxOriginHeaders {
		v.errorf(path, "%d headers; at most %d are allowed", len(hs), maxOriginHeaders)
	}
	seen := seenAt{}
	for _, name := range slices.Sorted(maps.Keys(hs)) {
		hp := fmt.Sprintf("%s[%q]", path, name)
		lower := strings.ToLower(name)
		switch {
		case !isToken(name):
			v.errorf(hp, "%q is not a valid header name", name)
		case gatewayHeaders[lower] || slices.ContainsFunc(gatewayHeaderPrefixes, func(p string) bool { return strings.HasPrefix(lower, p) }):
			v.errorf(hp, "%s cannot be set on origin requests (it is hop-by-hop or set by the gateway)", name)
		default:
			if prev, dup := seen.first(lower, hp); dup {
				v.errorf(hp, "%s is the same header as %s (header names are case-insensitive)", name, prev)
			}
		}
		val := hs[name]
		if i := strings.IndexFunc(val, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }); i >= 0 {
			v.errorf(hp, "the value has a control character %q (CR, LF, NUL and the like are not allowed)", val[i])
		} else if n := utf8.RuneCountInString(val); n > maxHeaderValueLen {
			v.errorf(hp, "the value is %d characters long; at most %d are allowed", n, maxHeaderValueLen)
		}
	}
}

// isToken reports an HTTP field name (RFC 9110 token).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// unwrapPath drops the operation and path from an *fs.PathError, which
// the message already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
