package origin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// group is an origin group: members tried in order, as CloudFront's origin
// failover. A request that is safe to repeat (GET, HEAD, OPTIONS) goes to
// the next member when the previous one could not be reached, timed out,
// or answered one of the failover statuses; any other request goes to the
// primary only. The response of the last member tried is the answer, good
// or bad, so a viewer never gets less than the primary alone would give.
type group struct {
	id       string
	members  []Origin
	failover map[int]bool
}

var _ Origin = (*group)(nil)

// NewGroup makes an origin group of members (primary first) that fails
// over on the given statuses. The members stay owned by the caller: the
// group's Close does not close them.
func NewGroup(id string, members []Origin, failoverOn []int) (Origin, error) {
	if len(members) < 2 {
		return nil, fmt.Errorf("origin group %s: %d members; want at least 2", id, len(members))
	}
	g := &group{id: id, members: members, failover: make(map[int]bool, len(failoverOn))}
	for _, code := range failoverOn {
		if code < 400 || code > 599 {
			return nil, fmt.Errorf("origin group %s: %d is not an error status", id, code)
		}
		g.failover[code] = true
	}
	return g, nil
}

func (g *group) ID() string { return g.id }

// IsGroup reports whether o is an origin group, whose answering member a
// caller learns through WithServed.
func IsGroup(o Origin) bool {
	_, ok := o.(*group)
	return ok
}

// Close does nothing: members are closed by their owner.
func (g *group) Close() {}

// maxFailoverDrain bounds how much of a failed-over response body is read
// so its connection can be reused; beyond it the connection is dropped.
const maxFailoverDrain = 64 << 10

func (g *group) Fetch(req *http.Request) (*http.Response, error) {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		recordServed(req.Context(), g.members[0].ID(), false)
		return g.members[0].Fetch(req)
	}
	for i, m := range g.members {
		last := i == len(g.members)-1
		resp, err := m.Fetch(req)
		switch {
		case err == nil && (last || !g.failover[resp.StatusCode]):
			recordServed(req.Context(), m.ID(), i > 0)
			return resp, nil
		case err == nil:
			_, _ = io.CopyN(io.Discard, resp.Body, maxFailoverDrain)
			resp.Body.Close()
		case last || viewerGone(req.Context(), err):
			recordServed(req.Context(), m.ID(), i > 0)
			return nil, err
		}
	}
	panic("unreachable: the last member always answers")
}

func viewerGone(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	oe, ok := AsError(err)
	return ok && oe.Kind == KindCanceled || errors.Is(err, context.Canceled)
}

// Served is where an origin group records which member answered.
type Served struct {
	ID       string // the member's id
	Failover bool   // true when it was not the primary
}

type servedKey struct{}

// WithServed returns a context in which an origin group records the member
// that answered into s. Other origins leave s untouched.
func WithServed(ctx context.Context, s *Served) context.Context {
	return context.WithValue(ctx, servedKey{}, s)
}

func recordServed(ctx context.Context, id string, failover bool) {
	if s, ok := ctx.Value(servedKey{}).(*Served); ok {
		*s = Served{ID: id, Failover: failover}
	}
}
