package gateway

import (
	"net/netip"

	"go4.org/netipx"
)

// ipSet is a WAF policy's deny or allow list: CIDRs and addresses,
// merged into sorted ranges (a binary search per lookup, however many
// entries). IPv4-mapped IPv6 addresses match their IPv4 entries: the
// viewer address is unmapped before it gets here (newExchange).
type ipSet struct{ s *netipx.IPSet }

// newIPSet returns nil for an empty list.
func newIPSet(prefixes []netip.Prefix) *ipSet {
	if len(prefixes) == 0 {
		return nil
	}
	var b netipx.IPSetBuilder
	for _, p := range prefixes {
		b.AddPrefix(p)
	}
	s, err := b.IPSet()
	if err != nil { // only for invalid prefixes, which policy validation refuses
		panic("gateway: IP set: " + err.Error())
	}
	return &ipSet{s}
}

func (s *ipSet) contains(a netip.Addr) bool {
	return s != nil && a.IsValid() && s.s.Contains(a.Unmap())
}
