package policy

import (
	"crypto"
	"crypto/tls"
	"fmt"
	"net/netip"

	"go.yaml.in/yaml/v3"
)

// Config is one edgeward configuration file, decoded strictly and validated.
// Relative file paths inside it are resolved against the directory of the
// file itself, so a config behaves the same whatever the working directory.
type Config struct {
	// NodeName names this edge node in Via headers and the access log's
	// x-edge-location field. Default: the host name.
	NodeName  string    `yaml:"node_name"`
	Listen    Listen    `yaml:"listen"`
	Admin     Admin     `yaml:"admin"`
	AccessLog AccessLog `yaml:"access_log"`
	Limits    Limits    `yaml:"limits"`
	Cache     Cache     `yaml:"cache"`
	// TLS configures the HTTPS listener: certificates chosen by SNI, or
	// ACME. Required when listen.https is set.
	TLS *TLS `yaml:"tls"`
	// TrustedProxies are the peers (CIDRs or addresses) whose
	// X-Forwarded-For and X-Forwarded-Proto, and PROXY protocol headers,
	// are believed; from anyone else they are ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// TrustedPrefixes is TrustedProxies parsed (set by validation).
	TrustedPrefixes []netip.Prefix `yaml:"-"`

	// KeyGroups are named sets of public keys that behaviors trust for
	// signed URLs and cookies (trusted_key_groups). Several keys per group
	// make rotation painless: add the new key, move signers to it, then
	// remove the old one (or bound each key with not_before/not_after).
	KeyGroups map[string][]GroupKey `yaml:"key_groups"`

	// Geodata is the GeoIP database geo policies look countries up in
	// (default: the database bundled with Edgeward).
	Geodata *Geodata `yaml:"geodata"`

	// FLEProfiles are the field-level encryption profiles behaviors name
	// (fle_profile): which request-body fields are encrypted, with which
	// HPKE public key, before the origin sees them.
	FLEProfiles map[string]*FLEProfile `yaml:"fle_profiles"`

	Distributions []Distribution `yaml:"distributions"`

	// File is the path the config was read from ("" when parsed from memory).
	File string `yaml:"-"`

	// root is the file's node tree, for the lines of problems found after
	// validation (see Problem).
	root *yaml.Node
}

// Listen holds listener addresses. Changing them takes effect on restart.
type Listen struct {
	HTTP  string `yaml:"http"`  // default 127.0.0.1:8080
	HTTPS string `yaml:"https"` // optional; needs tls
	Admin string `yaml:"admin"` // default 127.0.0.1:9901; "off" disables it
	// ProxyProtocol reads a PROXY protocol (v1 or v2) header on every
	// viewer connection from a trusted proxy (a load balancer in front);
	// connections from other peers are served as they are.
	ProxyProtocol bool `yaml:"proxy_protocol"`
}

// TLS configures how the gateway terminates TLS.
type TLS struct {
	// MinVersion is "1.2" (default; CloudFront's TLSv1.2_2021 policy:
	// ECDHE with AES-GCM or ChaCha20-Poly1305 only) or "1.3".
	MinVersion string `yaml:"min_version"`
	// Certificates are chosen by SNI (exact name, then wildcard); the
	// first is the default for clients without SNI.
	Certificates []Certificate `yaml:"certificates"`
	// ACME obtains and renews certificates for the distributions' host
	// names automatically.
	ACME *ACME `yaml:"acme"`
}

// Certificate is a certificate chain and its private key, PEM files.
type Certificate struct {
	Cert string `yaml:"cert"` // stored absolute
	Key  string `yaml:"key"`  // stored absolute
	// Pair is the loaded pair (set by validation), so a reload sees the
	// files as they were when it was checked.
	Pair *tls.Certificate `yaml:"-"`
}

// ACME configures automatic certificates (RFC 8555).
type ACME struct {
	Email    string `yaml:"email"`
	CacheDir string `yaml:"cache_dir"` // where accounts and certificates are kept; stored absolute
	// Directory is the ACME server (default Let's Encrypt's production
	// directory).
	Directory string `yaml:"directory"`
	// DirectoryCA is a PEM bundle to trust for the ACME server's own
	// HTTPS (a private or test CA such as pebble's); default the system's.
	DirectoryCA string `yaml:"directory_ca"`
	// Hosts are the names to get certificates for (default: every exact,
	// non-IP host of every distribution).
	Hosts []string `yaml:"hosts"`
}

// ResponseHeaders are headers the gateway adds to a distribution's
// responses.
type ResponseHeaders struct {
	// HSTS is sent on HTTPS responses only.
	HSTS *HSTS `yaml:"hsts"`
}

// HSTS is a Strict-Transport-Security header.
type HSTS struct {
	MaxAge            int  `yaml:"max_age"` // seconds; required, 0 to 63072000
	IncludeSubdomains bool `yaml:"include_subdomains"`
	Preload           bool `yaml:"preload"`
}

// Admin configures the admin API.
type Admin struct {
	// TokenFile holds the bearer token mutating admin calls must present.
	// Without it, mutating calls are refused.
	TokenFile string `yaml:"token_file"`
	// Pprof serves Go's profiler under /debug/pprof/ on the admin
	// listener (off by default; it reveals internals, keep the admin
	// listener on loopback).
	Pprof bool `yaml:"pprof"`
}

// AccessLog configures the access log.
type AccessLog struct {
	Path   string `yaml:"path"`   // "stdout" (default), "stderr", "off", or a file path
	Format string `yaml:"format"` // "cloudfront" (default) or "json"
}

// Limits bound what one client can make the gateway hold.
type Limits struct {
	MaxHeaderBytes    ByteSize `yaml:"max_header_bytes"`    // request line + headers; default 20KiB (431 beyond)
	MaxURLBytes       ByteSize `yaml:"max_url_bytes"`       // request target; default 8KiB (414 beyond)
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"` // default 10s
	ReadTimeout       Duration `yaml:"read_timeout"`        // between two reads of a request body; default 60s
	WriteTimeout      Duration `yaml:"write_timeout"`       // between two writes of a response; default 60s
	IdleTimeout       Duration `yaml:"idle_timeout"`        // keep-alive idle; default 60s
	ShutdownTimeout   Duration `yaml:"shutdown_timeout"`    // drain on SIGTERM; default 30s
}

// Cache configures the edge cache's storage, shared by all distributions.
type Cache struct {
	// Memory bounds the memory tier in bytes (default 256MiB, at least
	// 1MiB; 0 keeps nothing in memory, allowed with a disk tier only).
	Memory ByteSize `yaml:"memory"`
	// MaxMemoryObject is the largest object kept in memory (default 8MiB
	// or Memory/4 when that is smaller; at most Memory/4). Larger objects live on disk only, or are not
	// cached without a disk tier.
	MaxMemoryObject ByteSize `yaml:"max_memory_object"`
	// Disk is the optional disk tier, which survives restarts.
	Disk *DiskCache `yaml:"disk"`
	// TagHeaders name the origin response headers that carry an object's
	// cache tags, comma or space separated (default Cache-Tag and
	// Surrogate-Key; at most 4, stored canonical; [] turns tags off).
	TagHeaders []string `yaml:"tag_headers"`
	// CollapseTimeout is how long a request waits for another request's
	// origin fetch of the same object before going to the origin itself
	// (default 5s; 0 turns collapsing off).
	CollapseTimeout Duration `yaml:"collapse_timeout"`
}

// DiskCache is the disk tier of the cache.
type DiskCache struct {
	Path string   `yaml:"path"` // a directory owned by edgeward; stored absolute
	Size ByteSize `yaml:"size"` // bound on the bytes stored
	// MaxObject is the largest object stored (default 50GB, CloudFront's,
	// or Size when that is smaller).
	MaxObject ByteSize `yaml:"max_object"`
}

// CachePolicy is a behavior's cache policy (CloudFront's cache policy).
// The YAML value is either the string "disabled" or a mapping.
type CachePolicy struct {
	Disabled   bool     `yaml:"-"`           // "cache: disabled"
	MinTTL     Duration `yaml:"min_ttl"`     // default 0s
	DefaultTTL Duration `yaml:"default_ttl"` // default 24h
	MaxTTL     Duration `yaml:"max_ttl"`     // default 8760h (1 year)
	// QueryStrings, Cookies: which viewer values are part of the cache key.
	// On cached requests the origin receives exactly these and no others,
	// so a cached response is always right for everyone who gets it.
	QueryStrings KeyValues `yaml:"query_strings"` // default all
	Cookies      KeyValues `yaml:"cookies"`       // default none
	// Headers are viewer request headers added to the cache key (at most
	// 10; names are case-insensitive and stored canonical, as
	// "Accept-Language"). Listing Authorization makes requests carrying
	// credentials cacheable, one entry per credential.
	Headers []string `yaml:"headers"`
	// Compress lets the edge compress text responses (Brotli, gzip).
	Compress *bool `yaml:"compress"` // default true
	// StaleWhileRevalidate and StaleIfError apply when the origin's
	// Cache-Control says nothing about them.
	StaleWhileRevalidate Duration `yaml:"stale_while_revalidate"`
	StaleIfError         Duration `yaml:"stale_if_error"`
	// ErrorTTL is how long 404, 414 and 500-504 responses are cached when
	// the origin does not say (CloudFront's error caching minimum TTL);
	// default 10s.
	ErrorTTL Duration `yaml:"error_ttl"`
}

// KeyValues selects query strings or cookies for the cache key. The YAML
// value is "none", "all", a list of names (an allowlist), or a mapping
// {except: [names]}. After Parse, Names is empty unless Mode is KeyAllow
// or KeyExcept ([] is stored as KeyNone, {except: []} as KeyAll).
type KeyValues struct {
	Mode  KeyMode
	Names []string
}

// KeyMode is how KeyValues selects names.
type KeyMode int

const (
	KeyNone   KeyMode = iota // nothing
	KeyAll                   // every name
	KeyAllow                 // only Names
	KeyExcept                // every name but Names
)

// Distribution is a set of host names served with one set of origins and
// behaviors, like a CloudFront distribution.
type Distribution struct {
	Name string `yaml:"name"`
	// Hosts are exact names or "*.domain" wildcards matching exactly one
	// label. Case-insensitive; a port in the Host header is ignored.
	Hosts                []string              `yaml:"hosts"`
	DefaultRootObject    string                `yaml:"default_root_object"`
	Origins              []Origin              `yaml:"origins"`
	OriginGroups         []OriginGroup         `yaml:"origin_groups"`
	DefaultBehavior      Behavior              `yaml:"default_behavior"`
	Behaviors            []Behavior            `yaml:"behaviors"` // ordered; first match wins
	CustomErrorResponses []CustomErrorResponse `yaml:"custom_error_responses"`
	ResponseHeaders      ResponseHeaders       `yaml:"response_headers"`
	// GeoPolicy and WAFPolicy are the policy files of every behavior
	// that names none (optional).
	GeoPolicy string `yaml:"geo_policy"`
	WAFPolicy string `yaml:"waf_policy"`
}

// Geodata configures the GeoIP database.
type Geodata struct {
	// Database is a GeoIP2, GeoLite2 or DB-IP country or city database
	// (.mmdb), re-read when it changes. Stored absolute.
	Database string `yaml:"database"`
}

// Origin is where admitted requests are fetched from: exactly one of URL
// (an HTTP or HTTPS server), Dir (a local directory) or S3 (a bucket,
// requests signed with SigV4).
type Origin struct {
	ID  string    `yaml:"id"`
	URL string    `yaml:"url"`
	Dir string    `yaml:"dir"`
	S3  *S3Origin `yaml:"s3"`
	// Path is prefixed to the request path (CloudFront's origin path).
	Path string `yaml:"path"`
	// Headers are added to every origin request (at most 10, as CloudFront).
	Headers map[string]string `yaml:"headers"`

	ConnectTimeout     Duration `yaml:"connect_timeout"`     // 1s..10s, default 10s
	ConnectionAttempts int      `yaml:"connection_attempts"` // 1..3, default 3 (GET and HEAD only)
	ReadTimeout        Duration `yaml:"read_timeout"`        // 1s..60s, default 30s; also between body reads
	KeepAliveTimeout   Duration `yaml:"keepalive_timeout"`   // 1s..60s, default 5s
	// HostHeader overrides the Host sent to the origin. Default: the
	// origin URL's host, as CloudFront does.
	HostHeader string `yaml:"host_header"`
}

// S3Origin is a private S3 bucket (or an S3-compatible server) that the
// gateway reads with SigV4-signed requests, as CloudFront's origin access
// control does.
type S3Origin struct {
	Bucket string `yaml:"bucket"`
	Region string `yaml:"region"`
	// Endpoint is an S3-compatible server ("http://127.0.0.1:7070",
	// MinIO, versitygw, R2, ...); default AWS's regional endpoint.
	Endpoint string `yaml:"endpoint"`
	// PathStyle addresses the bucket in the path (endpoint/bucket/key)
	// instead of the host name (bucket.endpoint/key).
	PathStyle bool `yaml:"path_style"`
	// Credentials default to the AWS SDK's default chain.
	Credentials S3Credentials `yaml:"credentials"`
	// HideMissing answers 404 when S3 answers AccessDenied, which is what
	// a bucket that does not grant s3:ListBucket says for a missing key
	// (default true). Off, AccessDenied is a 502 naming the credentials.
	HideMissing *bool `yaml:"hide_missing"`
}

// S3Credentials are where an S3 origin's credentials come from. In YAML:
// "default" (the AWS SDK default chain: environment, shared config and
// credentials files, web identity, container and instance metadata), or a
// mapping with profile (a named profile of the shared files), or
// access_key_id with secret_access_key_file (a file holding the secret).
type S3Credentials struct {
	Profile             string
	AccessKeyID         string
	SecretAccessKeyFile string // stored absolute
	// SecretAccessKey is read from SecretAccessKeyFile by validation.
	SecretAccessKey string
	// Line is where the setting is written, for errors (0 when absent).
	Line int
}

// OriginGroup is a primary origin and its fallbacks: a request goes to the
// next member when the previous one cannot be reached, times out, or
// answers one of FailoverOn (GET, HEAD and OPTIONS only), as CloudFront's
// origin groups.
type OriginGroup struct {
	ID      string   `yaml:"id"`
	Members []string `yaml:"members"` // origin ids, primary first; 2 to 3
	// FailoverOn are the statuses that send a request to the next member
	// (default 500, 502, 503, 504; allowed: 403, 404, 416, 500, 502, 503,
	// 504).
	FailoverOn []int `yaml:"failover_on"`
}

// Behavior maps a path pattern to an origin and the rules for requests
// that match it.
type Behavior struct {
	// Path is a case-sensitive pattern with * (any run of characters,
	// including /) and ? (one character), at most 255 characters. The
	// default behavior has no path.
	Path string `yaml:"path"`
	// Origin is the id of an origin or of an origin group.
	Origin string `yaml:"origin"`
	// AllowedMethods defaults to [GET, HEAD]; ["ALL"] allows GET, HEAD,
	// OPTIONS, PUT, PATCH, POST and DELETE.
	AllowedMethods []string `yaml:"allowed_methods"`
	// Cache is the behavior's cache policy. Parse sets it on every
	// behavior, with every default applied ("cache: disabled" too).
	Cache *CachePolicy `yaml:"cache"`
	// TrustedKeyGroups (up to 4) make this behavior private: every request
	// must carry a valid signed URL or signed cookie made with a key of one
	// of these groups (or a JWT, when Signed.Token is set).
	TrustedKeyGroups []string `yaml:"trusted_key_groups"`
	// Signed holds optional settings for signed requests; nil when absent.
	Signed *Signed `yaml:"signed"`
	// ViewerProtocol is allow-all (default), redirect-to-https or
	// https-only.
	ViewerProtocol string `yaml:"viewer_protocol"`
	// RedirectCode is the status of redirect-to-https for GET and HEAD
	// (default 301; 302, 307 or 308 allowed). Other methods get 307, or
	// 308 when this is 308, and 403 over HTTP/1.0, as CloudFront.
	RedirectCode int `yaml:"redirect_code"`
	// GeoPolicy is a geo policy file (kind: geo) restricting the
	// behavior to some countries; "none" opts out of the distribution's.
	GeoPolicy string `yaml:"geo_policy"`
	// Geo is the geo policy in force, set by validation: the behavior's
	// own, else the distribution's, else nil. Behaviors naming one file
	// share one *GeoPolicy.
	Geo *GeoPolicy `yaml:"-"`
	// WAFPolicy is a WAF policy file (kind: waf); "none" opts out of the
	// distribution's. WAF is the one in force, set like Geo.
	WAFPolicy string     `yaml:"waf_policy"`
	WAF       *WAFPolicy `yaml:"-"`
	// FLEProfile names one of fle_profiles: the behavior's request bodies
	// have that profile's fields encrypted at the edge. It requires
	// viewer_protocol: https-only. The gateway looks the profile up by
	// this name among the ones it compiled.
	FLEProfile string `yaml:"fle_profile"`
}

// GroupKey is one public key of a key group.
type GroupKey struct {
	// ID is the Key-Pair-Id value signers send (letters and digits, as
	// CloudFront's public key ids).
	ID string `yaml:"id"`
	// PublicKey is a PEM file: RSA (2048 to 4096 bits) or ECDSA P-256.
	// Stored absolute.
	PublicKey string `yaml:"public_key"`
	// NotBefore and NotAfter bound when signatures made with this key are
	// accepted (optional; RFC 3339 times).
	NotBefore Timestamp `yaml:"not_before"`
	NotAfter  Timestamp `yaml:"not_after"`
	// Key is the parsed public key, set by validation (*rsa.PublicKey or
	// *ecdsa.PublicKey).
	Key crypto.PublicKey `yaml:"-"`
}

// Signed tunes how a behavior checks signed requests.
type Signed struct {
	// ClockSkew is tolerated on every time check: expiry, start time and
	// key validity windows (default 0s, exactly as CloudFront; at most 5m).
	ClockSkew Duration `yaml:"clock_skew"`
	// Token accepts a JWT instead of a CloudFront signature.
	Token *Token `yaml:"token"`
}

// Token is where a behavior reads a JWT from and how it verifies it.
type Token struct {
	// Header carries "Bearer <jwt>" (default Authorization; "none" turns
	// the header off).
	Header string `yaml:"header"`
	// Cookie and Query name a cookie and a query parameter holding the
	// bare JWT (optional; e.g. cookie: edge_token, query: token).
	Cookie string `yaml:"cookie"`
	Query  string `yaml:"query"`
	// JWKS is a JSON Web Key Set file with the public keys tokens are
	// verified with (required; stored absolute, read at validation into
	// JWKSData).
	JWKS     string `yaml:"jwks"`
	JWKSData []byte `yaml:"-"`
	// Audience, when set, must be in the token's aud claim.
	Audience string `yaml:"audience"`
}

// CustomErrorResponse replaces an error response's body with a page fetched
// through the distribution (via the behavior matching Page).
type CustomErrorResponse struct {
	Status       int    `yaml:"status"`        // the status to replace (400..599)
	Page         string `yaml:"page"`          // a path beginning with /
	ResponseCode int    `yaml:"response_code"` // status sent to the viewer; default Status
}

// Problem reports a problem found with a validated config by a later stage
// (compiling a key set, a rule file): the message is prefixed with the key
// path, as validation's own problems are, and the line is path's in the
// file, so every configuration error reads "file:line: path: msg".
func (c *Config) Problem(path, format string, args ...any) Problem {
	return Problem{File: c.File, Line: lineOf(c.root, path), Msg: where(path) + ": " + fmt.Sprintf(format, args...)}
}
