package rules

import (
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
)

// Request is what the WAF inspects of one viewer request.
type Request struct {
	// ID is the request id: the transaction's unique_id in the match log,
	// so its lines can be joined with the access log. "" makes one up.
	ID     string
	Method string
	// URI is the request target as the viewer sent it (path and query,
	// still encoded): the CRS inspects the raw form (REQUEST_URI_RAW,
	// REQUEST_LINE) as well as the decoded one.
	URI   string
	Proto string // "HTTP/1.1"
	Host  string
	// Path is the canonical path the gateway routes on; exclusions match
	// it. "" means the URI's decoded path.
	Path   string
	Header http.Header
	// TransferEncoding is what net/http moved out of Header (CRS rules
	// look at Transfer-Encoding).
	TransferEncoding []string
	Client           netip.AddrPort
	Server           netip.AddrPort
	// Body is the request body (nil or http.NoBody for none), with its
	// declared length (-1 unknown).
	Body          io.Reader
	ContentLength int64
	// Redact says the request carries fields no log may hold (the body
	// fields of a behavior with field-level encryption): its match-log
	// lines, audit record and refusal detail withhold every message and
	// data that is not the rule's own text.
	Redact bool
}

// RequestFromHTTP fills a Request from a server request: its raw target,
// headers (Host and Transfer-Encoding put back), body and addresses. The
// gateway then sets ID, Path and, behind a trusted proxy, Client.
func RequestFromHTTP(r *http.Request) *Request {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	req := &Request{
		Method: r.Method, URI: uri, Proto: r.Proto, Host: r.Host, Path: r.URL.Path,
		Header: r.Header, TransferEncoding: r.TransferEncoding,
		Body: r.Body, ContentLength: r.ContentLength,
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		req.Client = ap
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			req.Server = ap
		}
	}
	return req
}

// path is the path exclusions match.
func (r *Request) path() string {
	if r.Path != "" {
		return r.Path
	}
	if u, err := url.ParseRequestURI(r.URI); err == nil {
		return u.Path
	}
	return r.URI
}

// hostOnly is Host without its port, for SERVER_NAME.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.Unmap().String()
}
