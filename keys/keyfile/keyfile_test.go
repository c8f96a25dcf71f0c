package keyfile_test

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/edgeward/edgeward/keys/keyfile"
)

type equaler interface{ Equal(crypto.PublicKey) bool }

var generated = sync.OnceValue(func() map[keyfile.Type]crypto.Signer {
	out := map[keyfile.Type]crypto.Signer{}
	for _, t := range []keyfile.Type{keyfile.RSA, keyfile.ECDSA, keyfile.Ed25519} {
		k, err := keyfile.Generate(t)
		if err != nil {
			panic(err)
		}
		out[t] = k
	}
	return out
})

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestGenerateRoundTrip(t *testing.T) {
	wantAlg := map[keyfile.Type]string{keyfile.RSA: "RS256", keyfile.ECDSA: "ES256", keyfile.Ed25519: "EdDSA"}
	for typ, k := range generated() {
		t.Run(string(typ), func(t *testing.T) {
			if alg, err := keyfile.JWSAlgorithm(k.Public()); err != nil || alg != wantAlg[typ] {
				t.Errorf("JWSAlgorithm = %q, %v; want %s", alg, err, wantAlg[typ])
			}
			privPEM, err := keyfile.MarshalPrivateKeyPEM(k)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(privPEM), "-----BEGIN PRIVATE KEY-----\n") {
				t.Errorf("private PEM is not PKCS #8:\n%s", privPEM)
			}
			back, err := keyfile.ParsePrivateKeyPEM(privPEM)
			if err != nil {
				t.Fatal(err)
			}
			if !back.(interface{ Equal(crypto.PrivateKey) bool }).Equal(k) {
				t.Error("private key differs after the round trip")
			}
			pubPEM, err := keyfile.MarshalPublicKeyPEM(k.Public())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(pubPEM), "-----BEGIN PUBLIC KEY-----\n") {
				t.Errorf("public PEM is not PKIX:\n%s", pubPEM)
			}
			pub, err := keyfile.ParsePublicKeyPEM(pubPEM)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.(equaler).Equal(k.Public()) {
				t.Error("public key differs after the round trip")
			}
		})
	}
	if k := generated()[keyfile.RSA].(*rsa.PrivateKey); k.N.BitLen() != 2048 {
		t.Errorf("RSA key of %d bits, want 2048", k.N.BitLen())
	}
}

func TestGenerateUnknownType(t *testing.T) {
	for _, typ := range []keyfile.Type{"", "RSA", "dsa", "ecdsa-p384"} {
		if _, err := keyfile.Generate(typ); err == nil || !strings.Contains(err.Error(), "unknown key type") {
			t.Errorf("Generate(%q) error %v, want unknown key type", typ, err)
		}
	}
}

func TestParsePrivateKeyPEM(t *testing.T) {
	two := append(readTestdata(t, "ed25519.pem"), readTestdata(t, "rsa-pkcs1.pem")...)
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	x25519DER, err := x509.MarshalPKCS8PrivateKey(x25519)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want string // error substring; "" means accepted
	}{
		{"PKCS #1 from openssl genrsa", readTestdata(t, "rsa-pkcs1.pem"), ""},
		{"SEC 1 with EC PARAMETERS", readTestdata(t, "ec-sec1.pem"), ""},
		{"PKCS #8 Ed25519", readTestdata(t, "ed25519.pem"), ""},
		{"text around the block", append([]byte("Bag Attributes\n  friendlyName: k\n"), append(readTestdata(t, "ec-sec1.pem"), "\ntrailing\n"...)...), ""},

		{"empty", nil, "no PEM block"},
		{"not PEM", []byte("hello"), "no PEM block"},
		{"encrypted PKCS #8", readTestdata(t, "encrypted-pkcs8.pem"), "encrypted PEM keys are not supported"},
		{"encrypted PKCS #1", readTestdata(t, "encrypted-pkcs1.pem"), "encrypted PEM keys are not supported"},
		{"small RSA", readTestdata(t, "rsa-1024-pkcs1.pem"), "RSA key is 1024 bits; at least 2048 are required"},
		{"P-384", readTestdata(t, "ec-p384-sec1.pem"), "ECDSA key uses curve P-384; only P-256 is supported"},
		{"public key", readTestdata(t, "rsa.pub.pem"), "is a public key"},
		{"two keys", two, "more than one PEM block"},
		{"OpenSSH", pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: []byte("x")}), "OpenSSH key format"},
		{"certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}), `"CERTIFICATE" is not a private key`},
		{"bad DER", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("x")}), `parse "PRIVATE KEY" PEM block`},
		{"SEC 1 DER in a PKCS #1 block", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: secDER(t)}), `parse "RSA PRIVATE KEY" PEM block`},
		{"X25519", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: x25519DER}), "*ecdh.PrivateKey keys cannot sign"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := keyfile.ParsePrivateKeyPEM(tc.data)
			if tc.want != "" {
				if err == nil {
					t.Fatalf("parsed a %T, want error with %q", k, tc.want)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %q, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := keyfile.JWSAlgorithm(k.Public()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func secDER(tb testing.TB) []byte {
	tb.Helper()
	der, err := x509.MarshalECPrivateKey(generated()[keyfile.ECDSA].(*ecdsa.PrivateKey))
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

// TestParsePKCS1AndSEC1 checks keys written by other tools in the legacy
// formats equal their PKCS #8 re-encoding.
func TestParsePKCS1AndSEC1(t *testing.T) {
	for _, k := range generated() {
		var block *pem.Block
		switch k := k.(type) {
		case *rsa.PrivateKey:
			block = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
		case *ecdsa.PrivateKey:
			block = &pem.Block{Type: "EC PRIVATE KEY", Bytes: secDER(t)}
		default:
			continue
		}
		back, err := keyfile.ParsePrivateKeyPEM(pem.EncodeToMemory(block))
		if err != nil {
			t.Fatalf("%s: %v", block.Type, err)
		}
		if !back.(interface{ Equal(crypto.PrivateKey) bool }).Equal(k) {
			t.Errorf("%s: key differs", block.Type)
		}
	}
}

func TestParsePublicKeyPEM(t *testing.T) {
	pkix, err := keyfile.ParsePublicKeyPEM(readTestdata(t, "rsa.pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := keyfile.ParsePrivateKeyPEM(readTestdata(t, "rsa-pkcs1.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !pkix.(equaler).Equal(priv.Public()) {
		t.Fatal("rsa.pub.pem is not the public half of rsa-pkcs1.pem")
	}
	edPub, err := keyfile.MarshalPublicKeyPEM(generated()[keyfile.Ed25519].Public())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"PKIX", readTestdata(t, "rsa.pub.pem"), ""},
		{"PKCS #1", readTestdata(t, "rsa-pkcs1.pub.pem"), ""},
		{"Ed25519", edPub, ""},
		{"empty", nil, "no PEM block"},
		{"small RSA", readTestdata(t, "rsa-1024.pub.pem"), "RSA key is 1024 bits; at least 2048 are required"},
		{"P-384", readTestdata(t, "ec-p384.pub.pem"), "curve P-384"},
		{"private key", readTestdata(t, "ed25519.pem"), "is a private key"},
		{"encrypted private key", readTestdata(t, "encrypted-pkcs8.pem"), "encrypted PEM keys are not supported"},
		{"two keys", append(readTestdata(t, "rsa.pub.pem"), edPub...), "more than one PEM block"},
		{"certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}), `"CERTIFICATE" is not a public key`},
		{"bad DER", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("x")}), `parse "PUBLIC KEY" PEM block`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pub, err := keyfile.ParsePublicKeyPEM(tc.data)
			if tc.want != "" {
				if err == nil {
					t.Fatalf("parsed a %T, want error with %q", pub, tc.want)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %q, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "PKCS #1" && !pub.(equaler).Equal(pkix) {
				t.Error("PKCS #1 and PKIX encodings give different keys")
			}
		})
	}
}

func TestCheckPublicKey(t *testing.T) {
	rsaPub := generated()[keyfile.RSA].Public().(*rsa.PublicKey)
	withE := func(e int) *rsa.PublicKey { return &rsa.PublicKey{N: rsaPub.N, E: e} }
	big4097 := new(big.Int).Lsh(big.NewInt(1), 4096)
	big4097.SetBit(big4097, 0, 1)
	even := new(big.Int).Set(rsaPub.N)
	even.SetBit(even, 0, 0)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		key  crypto.PublicKey
		want string
	}{
		{"RSA", rsaPub, ""},
		{"ECDSA", generated()[keyfile.ECDSA].Public(), ""},
		{"Ed25519", generated()[keyfile.Ed25519].Public(), ""},
		{"nil", nil, "no key"},
		{"nil RSA", (*rsa.PublicKey)(nil), "no modulus"},
		{"RSA over 4096 bits", &rsa.PublicKey{N: big4097, E: 65537}, "4097 bits; at most 4096"},
		{"RSA even modulus", &rsa.PublicKey{N: even, E: 65537}, "modulus is even"},
		{"RSA exponent 1", withE(1), "exponent 1 is invalid"},
		{"RSA even exponent", withE(65536), "exponent 65536 is invalid"},
		{"RSA huge exponent", withE(1 << 40), "is invalid"},
		{"nil ECDSA", (*ecdsa.PublicKey)(nil), "no curve"},
		{"P-384", p384.Public(), "P-384"},
		{"short Ed25519", ed25519.PublicKey(make([]byte, 31)), "31 bytes"},
		{"private key", generated()[keyfile.RSA], "private key"},
		{"X25519", x25519.PublicKey(), "unsupported key type *ecdh.PublicKey"},
		{"symmetric", []byte("secret"), "unsupported key type []uint8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := keyfile.CheckPublicKey(tc.key)
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && err == nil:
				t.Fatalf("accepted, want error with %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q, want %q", err, tc.want)
			}
		})
	}
}

func TestCheckKeyID(t *testing.T) {
	for kid, ok := range map[string]bool{
		"k1": true, "APKA2B3C4D5E6F7G8H9I": true, "2024-06/rsa_1": true, strings.Repeat("k", 128): true,
		"": false, "a b": false, "a\nb": false, "é": false, strings.Repeat("k", 129): false,
	} {
		if err := keyfile.CheckKeyID(kid); (err == nil) != ok {
			t.Errorf("CheckKeyID(%q) = %v, want ok=%v", kid, err, ok)
		}
	}
}

func TestMarshalErrors(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyfile.MarshalPrivateKeyPEM(small); err == nil || !strings.Contains(err.Error(), "1024 bits") {
		t.Errorf("small RSA private key: %v", err)
	}
	if _, err := keyfile.MarshalPublicKeyPEM(small.Public()); err == nil || !strings.Contains(err.Error(), "1024 bits") {
		t.Errorf("small RSA public key: %v", err)
	}
	if _, err := keyfile.MarshalPrivateKeyPEM(nil); err == nil {
		t.Error("nil key accepted")
	}
	if _, err := keyfile.MarshalPublicKeyPEM(generated()[keyfile.ECDSA]); err == nil || !strings.Contains(err.Error(), "private key") {
		t.Errorf("private key as public: %v", err)
	}
}
