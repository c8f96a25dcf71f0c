package gateway

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/edgeward/edgeward/policy"
)

// httpsStage enforces a behavior's viewer protocol policy, CloudFront's:
//
//   - redirect-to-https: a plain-HTTP GET or HEAD is redirected (301 by
//     default, redirect_code) to the same host, path and query on HTTPS;
//     other methods get 307 (308 when redirect_code is 308), which keeps
//     the method and body, except over HTTP/1.0, which has no 307: 403.
//   - https-only: plain HTTP gets 403.
//
// "Plain HTTP" is the viewer's scheme: the connection's, or what a trusted
// proxy says in X-Forwarded-Proto.
type httpsStage struct {
	policy    string
	code      int    // for GET and HEAD
	other     int    // for other methods
	httpsPort string // ":8443", or "" for 443
}

var _ Stage = (*httpsStage)(nil)

func newHTTPSStage(b *behaviorSpec) (Stage, error) {
	if b.cfg.ViewerProtocol == "" || b.cfg.ViewerProtocol == policy.ViewerAllowAll {
		return nil, nil
	}
	st := &httpsStage{policy: b.cfg.ViewerProtocol, code: b.cfg.RedirectCode, other: http.StatusTemporaryRedirect}
	if st.code == http.StatusPermanentRedirect {
		st.other = http.StatusPermanentRedirect
	}
	if addr := b.global.Listen.HTTPS; addr != "" {
		if _, port, err := net.SplitHostPort(addr); err == nil && port != "443" && port != "0" {
			st.httpsPort = ":" + port
		}
	}
	return st, nil
}

func (s *httpsStage) Name() string { return "https" }

func (s *httpsStage) Check(x *Exchange) *Denial {
	if x.Scheme == "https" {
		return nil
	}
	r := x.Req
	if s.policy == policy.ViewerHTTPSOnly {
		return &Denial{Status: http.StatusForbidden, Reason: "HTTPS required", Detail: "viewer_protocol https-only; the request came over HTTP"}
	}
	code := s.code
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if !r.ProtoAtLeast(1, 1) {
			return &Denial{Status: http.StatusForbidden, Reason: "HTTPS required", Detail: "redirect-to-https cannot redirect " + r.Method + " over HTTP/1.0"}
		}
		code = s.other
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	target := "https://" + host + s.httpsPort + requestTarget(r)
	return &Denial{
		Status:         code,
		Reason:         "redirect to HTTPS",
		Detail:         "viewer_protocol redirect-to-https",
		Header:         http.Header{"Location": {target}},
		Result:         "Redirect",
		DetailedResult: "Redirect",
	}
}

// requestTarget is the path and query exactly as the viewer sent them.
func requestTarget(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	return r.URL.RequestURI() // absolute-form
}

// hstsValue renders a Strict-Transport-Security header, "" when none.
func hstsValue(h *policy.HSTS) string {
	if h == nil {
		return ""
	}
	v := "max-age=" + strconv.Itoa(h.MaxAge)
	if h.IncludeSubdomains {
		v += "; includeSubDomains"
	}
	if h.Preload {
		v += "; preload"
	}
	return v
}
