package gateway

import "crypto/tls"

// tlsLogVersions are the access log's ssl-protocol values, as CloudFront
// spells them.
var tlsLogVersions = map[uint16]string{
	0x0300:           "SSLv3", // crypto/tls no longer speaks it; named for completeness
	tls.VersionTLS10: "TLSv1",
	tls.VersionTLS11: "TLSv1.1",
	tls.VersionTLS12: "TLSv1.2",
	tls.VersionTLS13: "TLSv1.3",
}

// tlsLogCiphers are the access log's ssl-cipher values: OpenSSL's names,
// as CloudFront logs them. TLS 1.3 suites keep their IANA names (so does
// OpenSSL). Every suite crypto/tls implements is here, though the
// gateway negotiates only the TLSv1.2_2021 ones and TLS 1.3's.
var tlsLogCiphers = map[uint16]string{
	tls.TLS_AES_128_GCM_SHA256:       "TLS_AES_128_GCM_SHA256",
	tls.TLS_AES_256_GCM_SHA384:       "TLS_AES_256_GCM_SHA384",
	tls.TLS_CHACHA20_POLY1305_SHA256: "TLS_CHACHA20_POLY1305_SHA256",

	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       "ECDHE-ECDSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         "ECDHE-RSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       "ECDHE-ECDSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         "ECDHE-RSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   "ECDHE-RSA-CHACHA20-POLY1305",

	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:    "ECDHE-ECDSA-AES128-SHA",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:    "ECDHE-ECDSA-AES256-SHA",
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:      "ECDHE-RSA-AES128-SHA",
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:      "ECDHE-RSA-AES256-SHA",
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: "ECDHE-ECDSA-AES128-SHA256",
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:   "ECDHE-RSA-AES128-SHA256",
	tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA:     "ECDHE-RSA-DES-CBC3-SHA",
	tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA:        "ECDHE-ECDSA-RC4-SHA",
	tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA:          "ECDHE-RSA-RC4-SHA",
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256:         "AES128-GCM-SHA256",
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384:         "AES256-GCM-SHA384",
	tls.TLS_RSA_WITH_AES_128_CBC_SHA:            "AES128-SHA",
	tls.TLS_RSA_WITH_AES_256_CBC_SHA:            "AES256-SHA",
	tls.TLS_RSA_WITH_AES_128_CBC_SHA256:         "AES128-SHA256",
	tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA:           "DES-CBC3-SHA",
	tls.TLS_RSA_WITH_RC4_128_SHA:                "RC4-SHA",
}

// tlsLogFields returns the access log's ssl-protocol and ssl-cipher for a
// connection: "TLSv1.3" and "TLS_AES_128_GCM_SHA256", "TLSv1.2" and
// "ECDHE-RSA-AES128-GCM-SHA256", or "-" and "-" when cs is nil (plain
// HTTP) or its handshake did not complete. Values crypto/tls may add later
// fall back to its own names.
func tlsLogFields(cs *tls.ConnectionState) (protocol, cipher string) {
	if cs == nil || !cs.HandshakeComplete {
		return "-", "-"
	}
	protocol, ok := tlsLogVersions[cs.Version]
	if !ok {
		protocol = tls.VersionName(cs.Version)
	}
	cipher, ok = tlsLogCiphers[cs.CipherSuite]
	if !ok {
		cipher = tls.CipherSuiteName(cs.CipherSuite)
	}
	return protocol, cipher
}
