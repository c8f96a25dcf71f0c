package gateway

import (
	"net/http"
	"net/netip"
	"reflect"
	"strings"

	"github.com/edgeward/edgeward/policy"
)

// buildACME makes the runtime's ACME manager, or reuses the running one
// when its settings and host names did not change, so a reload does not
// drop an order in progress (certificates themselves live in cache_dir).
func buildACME(cfg *policy.Config, prev *runtime) (acmeRuntime, error) {
	a := cfg.TLS.ACME
	if a == nil {
		return nil, nil
	}
	hosts := acmeHosts(cfg)
	if prev != nil && prev.acme != nil && prev.cfg.TLS != nil && reflect.DeepEqual(prev.cfg.TLS.ACME, a) &&
		reflect.DeepEqual(acmeHosts(prev.cfg), hosts) {
		return prev.acme, nil
	}
	m, err := newACMEManager(a, hosts)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// acmeRuntime is what the gateway needs of an ACME manager: certificates
// for the HTTPS listener (tlsACME) and HTTP-01 answers on the HTTP one.
type acmeRuntime interface {
	tlsACME
	HTTPHandler(fallback http.Handler) http.Handler
}

// acmeHosts are the names ACME gets certificates for: tls.acme.hosts, or
// every exact host name of every distribution (wildcards and IP addresses
// cannot be proved with HTTP-01 or TLS-ALPN-01, and no public CA issues
// for single-label names).
func acmeHosts(cfg *policy.Config) []string {
	if hs := cfg.TLS.ACME.Hosts; len(hs) > 0 {
		return hs
	}
	var out []string
	for _, d := range cfg.Distributions {
		for _, h := range d.Hosts {
			if strings.Contains(h, "*") || !strings.Contains(h, ".") {
				continue // wildcards, localhost, intranet names: no CA issues those
			}
			if _, err := netip.ParseAddr(h); err == nil {
				continue
			}
			out = append(out, h)
		}
	}
	return out
}
