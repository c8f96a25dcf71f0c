package gateway

import (
	"net/http"
	"strings"
	"time"

	"github.com/edgeward/edgeward/gateway/accesslog"
)

// logEntry turns the exchange into an access log record. Cookies are never
// logged, and credentials in the query string are redacted (redact.go).
func (x *Exchange) logEntry(node string, now time.Time) *accesslog.Entry {
	r := x.Req
	e := &accesslog.Entry{
		Time:               x.Start,
		EdgeLocation:       node,
		BytesSent:          x.bodyBytes,
		ClientIP:           x.viewerAddr(),
		ClientPort:         int(x.Viewer.Port()),
		Method:             r.Method,
		URIStem:            x.ViewerPath,
		Status:             x.status,
		Referer:            r.Header.Get("Referer"),
		UserAgent:          r.Header.Get("User-Agent"),
		Query:              redactQuery(r.URL.RawQuery),
		ResultType:         x.result,
		RequestID:          x.ID,
		HostHeader:         r.Host,
		Protocol:           x.Scheme,
		BytesReceived:      x.bodyReceived(),
		TimeTaken:          now.Sub(x.Start),
		ForwardedFor:       strings.Join(r.Header.Values("X-Forwarded-For"), ", "),
		ResponseResultType: x.result,
		ProtocolVersion:    protocolVersion(r),
		TimeToFirstByte:    x.firstByte,
		DetailedResultType: detailedResult(x),
		ContentType:        x.contentType,
		ContentLength:      x.contentLength,
		RangeStart:         x.rangeStart,
		RangeEnd:           x.rangeEnd,
		Origin:             x.originID,
	}
	if x.respHeader != nil {
		e.BytesSent += headerSize(x.respHeader, x.status)
	}
	if r.TLS != nil {
		e.SSLProtocol, e.SSLCipher = tlsLogFields(r.TLS)
	}
	if x.ViewerPath == "" {
		e.URIStem = r.URL.Path
	}
	if x.Dist != nil {
		e.Host = x.Dist.name
		e.Distribution = x.Dist.name
	}
	if x.Behavior != nil {
		e.Behavior = x.Behavior.pattern
	}
	if x.denial != nil {
		e.DeniedBy = x.denial.stage
		e.Reason = x.denial.Reason
	}
	if len(x.wafRules) > 0 {
		e.WAFRules = joinIDs(x.wafRules)
	}
	e.FLEStatus, e.FLEEncryptedFields = x.fleStatus, x.fleFields
	if x.status == 0 {
		e.ResponseResultType = "Error"
	}
	return e
}

func protocolVersion(r *http.Request) string {
	switch r.ProtoMajor {
	case 2:
		return "HTTP/2.0"
	case 3:
		return "HTTP/3.0"
	}
	if r.ProtoMinor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// detailedResult is the access log's x-edge-detailed-result-type: the
// outcome, or, when an origin group's fallback answered,
// "OriginFailover:" and the member's id.
func detailedResult(x *Exchange) string {
	if x.failover {
		return "OriginFailover:" + x.originID
	}
	return x.detailedResult
}
