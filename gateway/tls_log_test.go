package gateway

import (
	"crypto/tls"
	"testing"
)

// TestTLSLogFields: CloudFront's spelling of ssl-protocol and ssl-cipher.
func TestTLSLogFields(t *testing.T) {
	done := func(v, suite uint16) *tls.ConnectionState {
		return &tls.ConnectionState{HandshakeComplete: true, Version: v, CipherSuite: suite}
	}
	for _, c := range []struct {
		name             string
		cs               *tls.ConnectionState
		protocol, cipher string
	}{
		{"plain HTTP", nil, "-", "-"},
		{"handshake not complete", &tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256}, "-", "-"},
		{"1.3 AES-128", done(tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256), "TLSv1.3", "TLS_AES_128_GCM_SHA256"},
		{"1.3 AES-256", done(tls.VersionTLS13, tls.TLS_AES_256_GCM_SHA384), "TLSv1.3", "TLS_AES_256_GCM_SHA384"},
		{"1.3 ChaCha20", done(tls.VersionTLS13, tls.TLS_CHACHA20_POLY1305_SHA256), "TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256"},
		{"ECDHE-RSA-AES128-GCM", done(tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"},
		{"ECDHE-RSA-AES256-GCM", done(tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384), "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"},
		{"ECDHE-RSA-CHACHA20", done(tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256), "TLSv1.2", "ECDHE-RSA-CHACHA20-POLY1305"},
		{"ECDHE-ECDSA-AES128-GCM", done(tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), "TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256"},
		{"ECDHE-ECDSA-AES256-GCM", done(tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384), "TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384"},
		{"ECDHE-ECDSA-CHACHA20", done(tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256), "TLSv1.2", "ECDHE-ECDSA-CHACHA20-POLY1305"},
		{"legacy suite, legacy version", done(tls.VersionTLS10, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA), "TLSv1", "ECDHE-RSA-AES128-SHA"},
		{"TLS 1.1, static RSA", done(tls.VersionTLS11, tls.TLS_RSA_WITH_AES_128_CBC_SHA), "TLSv1.1", "AES128-SHA"},
		{"SSLv3", done(0x0300, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA), "SSLv3", "DES-CBC3-SHA"},
		{"unknown values fall back to crypto/tls's names", done(0x0305, 0x1234), "0x0305", "0x1234"},
	} {
		protocol, cipher := tlsLogFields(c.cs)
		if protocol != c.protocol || cipher != c.cipher {
			t.Errorf("%s: %q %q, want %q %q", c.name, protocol, cipher, c.protocol, c.cipher)
		}
	}
	// Every suite crypto/tls knows has an OpenSSL name.
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, s := range list {
			if _, ok := tlsLogCiphers[s.ID]; !ok {
				t.Errorf("no log name for %s", s.Name)
			}
		}
	}
}
