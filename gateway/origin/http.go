package origin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// httpOrigin fetches from an HTTP or HTTPS server through its own pooled
// transport.
type httpOrigin struct {
	id         string
	scheme     string
	host       string // host[:port] of the URL, where connections go
	hostHeader string // Host sent to the origin
	prefix     string // origin path, clean, without trailing slash
	rawPrefix  string // prefix percent-encoded, for requests with a RawPath
	headers    http.Header
	settings

	dialer    net.Dialer
	transport *http.Transport

	// dialHook, when set (by tests), is told of every dial and its result.
	dialHook func(addr string, err error)

	// sign, when set (by S3 origins), is called with each attempt's request
	// just before it is sent and may replace its Header; an error fails
	// the fetch with nothing sent.
	sign func(out *http.Request) error
}

var _ Origin = (*httpOrigin)(nil)

// Transport bounds that are not configurable.
const (
	maxIdleConnsPerHost    = 256
	maxResponseHeaderBytes = 64 << 10
	transportReadBuffer    = 32 << 10
	tcpKeepAlive           = 30 * time.Second
)

// backoff is the pause before the second and third attempt.
var backoff = [...]time.Duration{50 * time.Millisecond, 100 * time.Millisecond}

// NewHTTP returns an origin that fetches from the HTTP(S) server at
// cfg.URL, which must be an absolute http or https URL with a host and
// nothing after it (the origin path goes in cfg.Path).
func NewHTTP(cfg policy.Origin) (Origin, error) {
	var errs []error
	if cfg.ID == "" {
		errs = append(errs, errors.New("origin id is empty"))
	}
	if cfg.Dir != "" {
		errs = append(errs, errors.New("an HTTP origin has no dir"))
	}
	u, err := parseOriginURL(cfg.URL)
	if err != nil {
		errs = append(errs, err)
	}
	prefix, err := cleanPrefix(cfg.Path)
	if err != nil {
		errs = append(errs, err)
	}
	headers, err := customHeaders(cfg.Headers)
	if err != nil {
		errs = append(errs, err)
	}
	if cfg.HostHeader != "" && !validHost(cfg.HostHeader) {
		errs = append(errs, fmt.Errorf("host_header %q is not a valid host", cfg.HostHeader))
	}
	s, err := settingsOf(cfg)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	o := &httpOrigin{
		id:         cfg.ID,
		scheme:     u.Scheme,
		host:       u.Host,
		hostHeader: cfg.HostHeader,
		prefix:     prefix,
		rawPrefix:  escapedPrefix(prefix),
		headers:    headers,
		settings:   s,
		dialer:     net.Dialer{Timeout: s.connectTimeout, KeepAlive: tcpKeepAlive},
	}
	if o.hostHeader == "" {
		o.hostHeader = u.Host
	}
	o.transport = &http.Transport{
		Proxy:                  nil, // never from the environment
		DialContext:            o.dial,
		ForceAttemptHTTP2:      u.Scheme == "https",
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    s.connectTimeout,
		ResponseHeaderTimeout:  s.readTimeout,
		IdleConnTimeout:        s.keepAlive,
		MaxIdleConns:           maxIdleConnsPerHost,
		MaxIdleConnsPerHost:    maxIdleConnsPerHost,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		ReadBufferSize:         transportReadBuffer,
		DisableCompression:     true, // Accept-Encoding passes through; bodies are never gunzipped
	}
	return o, nil
}

// parseOriginURL accepts scheme://host[:port] with an optional "/".
func parseOriginURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("url is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q: %v", raw, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("url %q: scheme must be http or https", raw)
	case u.Opaque != "" || u.Host == "":
		return nil, fmt.Errorf("url %q has no host", raw)
	case u.User != nil:
		return nil, fmt.Errorf("url %q has credentials; send them with a custom header", raw)
	case u.Path != "" && u.Path != "/":
		return nil, fmt.Errorf("url %q has a path; set it as the origin's path", raw)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("url %q has a query or fragment", raw)
	case u.Port() == "" && u.Host[len(u.Host)-1] == ':':
		return nil, fmt.Errorf("url %q has an empty port", raw)
	}
	return u, nil
}

// validHost accepts what may appear in a Host header: a reg-name, an IPv4
// address or a bracketed IPv6 address, and an optional port.
func validHost(h string) bool {
	for _, c := range []byte(h) {
		if c <= ' ' || c == 0x7f || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\' {
			return false
		}
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h
}

func (o *httpOrigin) ID() string { return o.id }

// Close drops idle connections; requests in flight finish normally.
func (o *httpOrigin) Close() { o.transport.CloseIdleConnections() }

// Fetch sends req to the origin and returns its response, with a body
// whose reads fail with a KindTimeout *Error after readTimeout without
// data. Connection failures of GET and HEAD requests without a body are
// retried up to the configured attempts.
func (o *httpOrigin) Fetch(req *http.Request) (*http.Response, error) {
	if err := checkRequestPath(req); err != nil {
		return nil, &Error{Origin: o.id, Kind: KindBadResponse, Err: err}
	}
	parent := req.Context()
	ctx, cancel := context.WithCancelCause(parent)
	out := o.outgoing(req, ctx)
	retryable := (req.Method == "" || req.Method == http.MethodGet || req.Method == http.MethodHead) &&
		(req.Body == nil || req.Body == http.NoBody)

	for attempt := 1; ; attempt++ {
		if o.sign != nil {
			if err := o.sign(out); err != nil {
				cancel(nil)
				return nil, err
			}
		}
		resp, err := o.transport.RoundTrip(out)
		if err == nil {
			return o.wrapResponse(resp, out, parent, cancel), nil
		}
		var de *dialError
		if !retryable || attempt >= o.attempts || !errors.As(err, &de) || parent.Err() != nil {
			cancel(nil)
			return nil, o.roundTripError(out, parent, err, attempt)
		}
		if !sleep(parent, backoff[min(attempt-1, len(backoff)-1)]) {
			cancel(nil)
			return nil, o.roundTripError(out, parent, err, attempt)
		}
	}
}

// checkRequestPath refuses a path that is not canonical: the gateway
// normalizes paths before routing, so this never happens unless a caller
// is broken, and such a path could step out of the origin path ("/base" +
// "/../private") or out of what the behavior was chosen for.
func checkRequestPath(req *http.Request) error {
	if req.URL == nil {
		return errors.New("request has no URL")
	}
	p := req.URL.Path
	if p == "" {
		return nil // "/" (or the origin path itself)
	}
	if p[0] != '/' {
		return fmt.Errorf("request path %q does not begin with /", p)
	}
	if hasDotSegment(p) {
		return fmt.Errorf("request path %q has a dot segment", p)
	}
	return nil
}

// hasDotSegment reports whether a "." or ".." segment is in p.
func hasDotSegment(p string) bool {
	for p != "" {
		var seg string
		seg, p, _ = strings.Cut(p, "/")
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// outgoing derives the request sent to the origin. The caller's request
// is not modified: the header map is copied when the origin adds to it.
func (o *httpOrigin) outgoing(req *http.Request, ctx context.Context) *http.Request {
	out := req.WithContext(ctx) // shallow copy; the body streams through
	u := &url.URL{
		Scheme:   o.scheme,
		Host:     o.host,
		Path:     o.prefix + req.URL.Path,
		RawQuery: req.URL.RawQuery,
	}
	if req.URL.RawPath != "" {
		u.RawPath = o.rawPrefix + req.URL.RawPath
	}
	out.URL = u
	out.Host = o.hostHeader
	out.RequestURI = ""
	out.GetBody = nil // a body is never replayed

	h := req.Header
	_, hasUA := h["User-Agent"]
	if len(o.headers) > 0 || !hasUA {
		h = h.Clone()
		if h == nil {
			h = make(http.Header, len(o.headers)+1)
		}
		if !hasUA {
			// An empty value keeps the transport from adding its own
			// User-Agent: the origin sees what the viewer sent.
			h["User-Agent"] = []string{""}
		}
		for k, v := range o.headers {
			h[k] = v // shared and never modified
		}
	}
	out.Header = h
	return out
}

// wrapResponse arms the between-reads timeout on the response body.
func (o *httpOrigin) wrapResponse(resp *http.Response, out *http.Request, parent context.Context, cancel context.CancelCauseFunc) *http.Response {
	if resp.Body == nil || resp.Body == http.NoBody {
		cancel(nil)
		return resp
	}
	resp.Body = newTimeoutBody(o, out, parent, resp.Body, cancel)
	return resp
}

// sleep waits d or until ctx is done, reporting whether it slept fully.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
