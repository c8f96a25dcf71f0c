package gateway

import (
	"net/http"
	"strings"
)

// methodsStage refuses methods the behavior does not allow. CloudFront
// answers 403; Edgeward answers 405 with an Allow header, as RFC 9110
// asks, so clients and tools can tell why.
type methodsStage struct {
	allowed map[string]bool
	allow   string
}

var _ Stage = (*methodsStage)(nil)

func newMethodsStage(b *behaviorSpec) (Stage, error) {
	st := &methodsStage{allowed: make(map[string]bool, len(b.cfg.AllowedMethods))}
	for _, m := range b.cfg.AllowedMethods {
		st.allowed[m] = true
	}
	st.allow = strings.Join(b.cfg.AllowedMethods, ", ")
	return st, nil
}

func (s *methodsStage) Name() string { return "methods" }

func (s *methodsStage) Check(x *Exchange) *Denial {
	if s.allowed[x.Req.Method] {
		return nil
	}
	return &Denial{
		Status: http.StatusMethodNotAllowed,
		Reason: "method not allowed",
		Detail: "method " + x.Req.Method + " not in allowed_methods",
		Header: http.Header{"Allow": {s.allow}},
	}
}
