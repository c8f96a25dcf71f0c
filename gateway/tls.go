package gateway

// TLS termination for the HTTPS listener.
//
// Security model:
//
//   - Protocol floor: TLS 1.2 by default, 1.3 when configured. TLS 1.2 uses
//     only the six suites of CloudFront's TLSv1.2_2021 policy (ECDHE key
//     exchange with AES-GCM or ChaCha20-Poly1305), so a client that offers
//     only CBC, RC4, 3DES or static-RSA suites fails the handshake. TLS 1.3
//     suites are all AEADs and are not configurable in crypto/tls.
//   - Everything is validated when a runtime is built (newTLSRuntime,
//     newCertStore); a handshake only looks certificates up.
//   - A reload installs a new per-runtime *tls.Config for new handshakes;
//     open connections keep the one they started with (tlsFront).
//   - Session tickets are encrypted with keys the tlsFront owns, shared by
//     every runtime's config, so resumption survives reloads. A reload does
//     not revoke tickets: a client holding a ticket issued before a
//     certificate was removed may resume until the ticket expires (at most
//     seven days, crypto/tls's limit). The keys live in memory only.
//   - A name without a certificate gets the default certificate (see
//     certStore): the client then fails its own name check, and the HTTP
//     layer answers 421 for a host no distribution serves.

import (
	"crypto/tls"
	"errors"
	"fmt"
	"slices"

	"github.com/edgeward/edgeward/policy"
)

// tlsALPNACME is the ALPN protocol of ACME's TLS-ALPN-01 challenge (RFC 8737).
const tlsALPNACME = "acme-tls/1"

// tlsMinVersions maps tls.min_version to crypto/tls's constant; "" is the
// default, as policy fills it in.
var tlsMinVersions = map[string]uint16{
	"":    tls.VersionTLS12,
	"1.2": tls.VersionTLS12,
	"1.3": tls.VersionTLS13,
}

// tlsCipherSuites are CloudFront's TLSv1.2_2021 suites for TLS 1.2: ECDHE
// only, AEAD only.
var tlsCipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// tlsCurves are the key exchanges CloudFront offers, the post-quantum
// hybrid first.
var tlsCurves = []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}

// tlsNextProtos are the application protocols offered by ALPN, HTTP/2 first.
var tlsNextProtos = []string{"h2", "http/1.1"}

// tlsSettings returns a server config holding what comes from the tls
// block: the minimum version, the TLS 1.2 cipher suites, the key exchange
// groups and the ALPN protocols. cfg nil means the defaults. It sets no
// certificates.
func tlsSettings(cfg *policy.TLS) (*tls.Config, error) {
	var minVersion string
	if cfg != nil {
		minVersion = cfg.MinVersion
	}
	v, ok := tlsMinVersions[minVersion]
	if !ok {
		return nil, fmt.Errorf("tls.min_version: %q: use \"1.2\" or \"1.3\"", minVersion)
	}
	return &tls.Config{
		MinVersion:       v,
		CipherSuites:     slices.Clone(tlsCipherSuites),
		CurvePreferences: slices.Clone(tlsCurves),
		NextProtos:       slices.Clone(tlsNextProtos),
	}, nil
}

// tlsACME is the optional ACME certificate manager (autocert).
type tlsACME interface {
	// GetCertificate returns the certificate for hello; it also answers
	// TLS-ALPN-01 challenges (hello.SupportedProtos holds "acme-tls/1").
	GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error)
	// Handles reports whether ACME manages name (lower case, no trailing
	// dot).
	Handles(name string) bool
}

// tlsRuntime is the TLS part of one runtime: its *tls.Config and the
// certificate choice behind it. It is immutable once built.
type tlsRuntime struct {
	config *tls.Config // GetCertificate is rt.certificate; tlsFront adds ticket keys to a clone
	store  *certStore  // nil when every certificate comes from ACME
	acme   tlsACME     // nil without ACME
}

// newTLSRuntime checks cfg and builds the config a runtime serves with.
// acme may be nil. cfg needs certificates, acme, or both.
func newTLSRuntime(cfg *policy.TLS, acme tlsACME) (*tlsRuntime, error) {
	if cfg == nil {
		return nil, errors.New("tls: no tls block: the HTTPS listener needs certificates or acme")
	}
	base, err := tlsSettings(cfg)
	if err != nil {
		return nil, err
	}
	rt := &tlsRuntime{config: base, acme: acme}
	switch {
	case len(cfg.Certificates) > 0:
		if rt.store, err = newCertStore(cfg.Certificates); err != nil {
			return nil, err
		}
	case acme == nil:
		return nil, errors.New("tls: no certificates and no acme: nothing to serve HTTPS with")
	}
	if acme != nil {
		base.NextProtos = append(base.NextProtos, tlsALPNACME)
	}
	base.GetCertificate = rt.certificate
	return rt, nil
}

// certificate picks the certificate for a handshake, in this order: a
// TLS-ALPN-01 challenge goes to ACME; a name (or, without SNI, the local
// IP address) the configured certificates cover gets one of them; a name
// ACME manages goes to ACME; anything else gets the default certificate,
// or fails the handshake when there are no configured certificates.
func (rt *tlsRuntime) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if rt.acme != nil && slices.Contains(hello.SupportedProtos, tlsALPNACME) {
		return rt.acme.GetCertificate(hello)
	}
	if rt.store != nil {
		if c := rt.store.match(hello); c != nil {
			return c, nil
		}
	}
	if rt.acme != nil && hello.ServerName != "" && rt.acme.Handles(tlsNormalizeName(hello.ServerName)) {
		return rt.acme.GetCertificate(hello)
	}
	if rt.store != nil {
		return rt.store.def, nil
	}
	return nil, fmt.Errorf("tls: no certificate for server name %q", hello.ServerName)
}
