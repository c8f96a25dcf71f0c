//go:build ignore

// gen.go regenerates the test-only TLS certificates in this directory (see
// README.md): go run gen.go, from this directory. The CA's private key is
// never written: only a run of this program can issue certificates that chain
// to ca.pem, and every run makes a new ca.pem.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log"
	"math/big"
	"net"
	"os"
	"time"
)

// Fixed validity, so tests with an injected clock anywhere from 2020 to
// 2119 see valid certificates.
var (
	notBefore = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter  = notBefore.AddDate(100, 0, 0)
)

func main() {
	caKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"Edgeward tests"}, CommonName: "Edgeward Test CA (test only, never trust)"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER := must(x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey))
	ca := must(x509.ParseCertificate(caDER))
	writePEM("ca.pem", "CERTIFICATE", caDER)

	leaf(ca, caKey, "default", rsaKey(), []string{"default.test"}, []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")})
	leaf(ca, caKey, "a", ecKey(), []string{"a.test"}, nil)
	leaf(ca, caKey, "wild-b", ecKey(), []string{"*.b.test"}, nil)
	// An RSA key that belongs to no certificate here: paired with
	// default.pem it gives "private key does not match public key".
	writeKey("mismatched-key.pem", rsaKey())
}

func leaf(ca *x509.Certificate, caKey crypto.Signer, file string, key crypto.Signer, dns []string, ips []net.IP) {
	usage := x509.KeyUsageDigitalSignature
	if _, ok := key.(*rsa.PrivateKey); ok {
		usage |= x509.KeyUsageKeyEncipherment
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"Edgeward tests"}, CommonName: dns[0]},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              usage,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              dns,
		IPAddresses:           ips,
	}
	der := must(x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey))
	writePEM(file+".pem", "CERTIFICATE", der)
	writeKey(file+"-key.pem", key)
}

func rsaKey() crypto.Signer { return must(rsa.GenerateKey(rand.Reader, 2048)) }

func ecKey() crypto.Signer { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) }

func serial() *big.Int {
	return must(rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128)))
}

func writeKey(file string, key crypto.Signer) {
	writePEM(file, "PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(key)))
}

func writePEM(file, typ string, der []byte) {
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644); err != nil {
		log.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}
