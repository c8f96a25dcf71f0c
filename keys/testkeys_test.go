package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"
)

// Test keys, generated once with openssl for these tests only (never used
// anywhere else). Fixed keys keep RSA signatures, and so fuzz seeds,
// reproducible and the tests fast.

const (
	rsaAPEM = `-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAlcTH4eKOt0Weue1lbjnsr6gOyFS3oCwOwoX0cJweqP7zAF6G
gmdbd18RWDQ8u/eJZCnvc68oMT7f06w6qh8WwbdaOC4EoaCALKvc5y8VsFxF6LCI
bKHCOyl9wM/kQnEmjUBGSq3Fh6XCT3PquHld93VcaQAY/YDplUBeA79Ude+NQT8g
3CtLm+RyG+1IQX47AJD17S5KDg+KZvP2POVm3/m0whtp9+aYGavbsYs8QJhfUr5/
GJD+WTGEn09O88s4PoDDCelS0RsMvySe0e0m674BF0BK1rNuMG/3EtxEoPUhhjiL
GvC4KGlyYrYsTE0jndj1hfVfyWC49zOFgak5vQIDAQABAoIBAAqh1CDMkR4goqKH
YF6BXTShJR+CqCCGUCvuD4rZAnIz2zNpAnqKdNtWE+ijmLYtXgMO2RFo210XnhMs
VGPUXiy1ZAG9/pUszDyfnMiKtqr0+f+JXL39g8joaqV//K/c0YRQjkzp5i55jYBP
ddfPweR53+wSVjPU7YAreCEi+Y9/rMTLWUmzbr+QA/zIryFahAJXYq5twKldIA0t
WSNjLvLnoHJeI9K9haEWYv62g62aj/XhKWB6SGrIPS2WgUio2JTOkgDC48Fq2oBH
OsqaYWxlNGWCroIZ8Wuhh8aTBDod1tH5ybFSAdFRaK7aIYxE4XAJA64EA4LGOY4r
Gog+7Y8CgYEAxyJw3Dz11eU66wUraTeDr4XOis+WM5Oo9uB6Z3+CFErp5inniude
rGT1eZeAm28ITwCCViTMqbuMsnuCyVA3QBVVopTVZzLrz8b5nRTFPiB33zpCFYor
AiKRT8Xl2pP3PYNGLdiJg39L1yuyb5EgAAjFRnh1DEgopjCGMRgExIMCgYEAwIl9
vFMEBfy4kvUn1fU5/spinr0OzClcnx5m8SpDXM/Z1iIWpJuj/YANrK53/qflbiQC
ClLXBFwE1xn+meD6VCAUxRlUtd6xwo+U87eIsgeg4OxCBkPlk6riSk3TrWuoP787
yOiCmaO9AuTDgIM/iIBV3bYq0TEQN7sO53IQNL8CgYBwUX/A6W1r4OiziO3sYdCX
3uwZpW691qp13TWNTQEsuvhkxvv/f/MJX8SJeaejhCP2k33wYr9BeTSpszqYm/Md
5SqxEiuwEqupPTyrmfyKxzt1oGGHzq/le2Pkz+WOvOi2PGYIE9u0XMeFLPNvNDcN
beT/k4/JhqXO3w3BgR+nSwKBgHrpCrBnWoEr9PQztot6sdw6fLyTOlgQ64TUlqjL
7xbXxVtShZvtk8GntpMPCaEys18dc4P9oC+zQo/Ck2rOWV/M3xV390Dm+hmXKWJw
Pr5P6l7L09ZGD8+13iHLDx99Q3n2bYbzDzRfd7DaMwfeQXe1XZtcyHak2JKLQpdz
lG7nAoGBAIe515Sux9sFZLLHFQaIWB+NuuvkpaomjhxqWYwgECP1O0W14a5MveCk
TpTs9K3oEamauSaXq5NTPUIkb1kAKIclMttVC4MKP5K45V6DrJaoKHYKnzgL79gz
deUUwfujoFEM4D69DtZGKnmDuj2ewiZU50tn2jKb9JCHzuQElT4y
-----END RSA PRIVATE KEY-----`
	rsaBPEM = `-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA2neIl9lwPxECAQuKMs1GRs4oPobR2karVVG5CTAd+TcTpJLe
mwHNOPLvbsk5xdaoT6IpdOfgzlctdyyzt5+CC0gai6fTztICSreNTyzPlsvP9zas
zrY8bZ5PDjuJvXk9um/kXi+YQ68xt5LhCIuixR3Gsa0QwgYOKitDlxxV5qr5xo+T
ZAV07ouQxSG6X7rdgGDTkd5gpkzuSybILxDZ50m4AuNRncY1CDqdm5aXMXFxCfP0
5P7m8fhUtmgvXmVVHyaU17AUAWW8PbD8/yDeFCTAN1qt0i22waJktO6nYPw5oUfP
1ZWEm+5M40gcRdplmQdYXkc4ofMWMYRD+SpftQIDAQABAoIBAB1VQmZdICifoHzC
b2Zd0ItOP/IRSRj9NyEIDYexybx+DCmjPLdkWQlF+ScPZq3tIgE7PUTAo5sg8m5X
drP3e08HeeT5fkN9SCh/F76jPiY5rG09jptctaVkRaocDWT+4+5l+qw4yMGBwvOq
iYOLuCmuU1Dk82SRypIX6AXgnJoRaFwCeeP3vW4GJUCZRLOqFZRud4DR7BsVcFlh
3JiO3WeEuItAc1doVfabyhqQbanPXZfMtR6WDft7VpAshPz5n24yF6pBOfC85PI2
7j5Q3gC4RJK0sAa8Dc2HGFh1uecq8wHp7UqaIQs0zWMPRxMxkPphTNisyIESfr7+
3KGZrasCgYEA8qUWvUcLH5ao7hDffZGUcgLkjqLba3ugw0t3+zFRuxdgtUfcUWNX
FIQypk0Kj+UNziHTwZxwQn+EYzzXf0Gwx8jhXDK7fEE9mIbrqxKZtXLxP/xgyW1q
aSzJk+KyIw8G/ADZxdUU5LtMxO0Edsi8XCBNNRGuh7Ajf1ssAcp8j48CgYEA5n3F
4Fr8ICPOsvls+vTKjZJX64YbHwfcqs6+NLVhRNMxquLp1TgSiy9sLwmy0RtHtddY
XampwTCBWoca+YcBm0NYUxgMfJRGhXY3zOuM1kfZnGSKtUuF1FI+E3h/kI6A/w10
xJ2IJ76Y35QHRoRUA2SOz/5N+e1ut1zwOEcFOnsCgYB+hM5Ci1Sld+1FlM6zrsD0
YcXDCe/XL3M34ZYCCElRgHMQkxOx7FZvgC7Yv7sOJKT6InFDtspiIhNpm0PSOvJu
ebPoWxufQnVXnqIrZVt4XSKl9naRENg3Vv8UeVPhK+i8ZcUnfl+SlIcG938oYKq2
brFTRpD2d0VLFsLvfCFOyQKBgQDD0UrRRrs4mvM6fkmmE14aVKA5Sl+0RzukKazS
nt4aWMqzgcBjExY+BXYFqFmw6VpNFLzQJhpANPNQc8PpBlfJDrf1MFM7a8VWEY9q
mxu12Kj6AzkMuTLjpVNzu0W1DDxvc4EmoSdRjM3X9K0Rrc6qaz4hWs3obV1Ijr7P
MRcyDQKBgCMe/p/20tLoRepDluFQIcrxzQTH2NFykuxPVaIUiQoG/xEHVPegeH05
zTWkqEFvzMdIfGDFQq3ION8yL+zCRF6EqD2x+bd/2p4RLKfTSYi/zTM2FaCWvq5/
GS/cLRNlVqKJqbx+NLv9Vbx/BCSx81kQ15BtGU1witF6yE7z6p2+
-----END RSA PRIVATE KEY-----`
	rsa1024PEM = `-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQCiPZ4aPkdPeqOU0VaTl+f5+pjJ4S+S4zamTWaYrG6YFL9ayGYA
+u01mzL4jILAw9LtUroASXbgNQaXG4+K6CCDidsRgtWE0IoVF3pm1b+cMiDUAMtq
6+koTepzpg93MjqAwcAH35Uc1+YnRQCPerTsZGnBAd7+WFTcc49HU6kzzQIDAQAB
AoGBAJshgfCkBjm4EXw14qvD/5tmg/vdJ0kzm0jPD8ACeMlQZVxf7DEZvgGZAdbp
PAkn9aLZjGLD3DgsW73XK5ztsk+umtl7Zr73Qgc1M0D+vrBkY7mVOzYaejUItjOJ
EDTiCfFigvADOl/Yx/kqnrcXVXHYCArEHMRp2a0+FIfqZuWBAkEAzaVU4w/j8/l5
dy/sD+QmrEcOnhKH02ZTl1F/OoxSO8C+FWE2Va81pe1Hgic3gBOFzqsQfzh1a+FE
D8KraZqrLQJBAMn3fGdMCu4aTFXT7QQTjXdKXR958NPSK/+RDpndO1UaKBEGUX/K
JuU0GxaZuMHwEJ0ddYomF/LWHB9nz3pnjyECQQDMprAnl3S/I5Jhrms6FU73O2+s
l7xcAQVHHW+EEIj1tgZ0uF2eP9Mf4Va8i9KLvuH2nf643LLePTvCg3Saj7WxAkBp
u90vHwph2Pa5wDdHeQ0ItK/H+MjxvAg4xbJFLyMOzKDJOOuV4Tk3qW29CUFGlu27
s16Dsqm7Agi7EFf4lxrBAkEAjN49/c3AXwg4cg83PgD0My8/u0mNdSofBS7dyf8S
PZ8KJbA04iaFYyo4bV+jtDxKqloskHRVg2Y0JaKH95oC8w==
-----END RSA PRIVATE KEY-----`
	ecAPEM = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIB9KhYy/KjjMcew+Bpnu2Osiggn4wXCtXlSbE2q3q4HboAoGCCqGSM49
AwEHoUQDQgAE0iKfbK4LuZZqb5aQ63FJCQ5UlO25aeBcLS5dO+PRWYb7PIXurMha
mivBShxrOKGdxZoopRIShLUNSu1/QvBDbg==
-----END EC PRIVATE KEY-----`
	ecBPEM = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIOmfgg47WfanTgofbev3b8/EsjxesxHXnE93EYxCrY6moAoGCCqGSM49
AwEHoUQDQgAE46nYtdyCHgX7Kiyp8gSIiHtW85s0jeYPfTHs9qHO9Cj2+2OEFrhq
NTk4AHHW43yvmvNdz70UOhBXou57sbLGrg==
-----END EC PRIVATE KEY-----`
	ec384PEM = `-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDD2RUvNVGsFEZsp9dWkAgJTsG0H0k+5qTcSQ20jwpft1gyHVLgCbVoA
sqdzxTZZQ12gBwYFK4EEACKhZANiAATg3X3HEGUaMlF0Ph8PfZmAh92jhCrfbNAD
RTNfHAFlqMBKUl9W4rpY7bn0u0HpCdTKfXwUt3bvf/SEbLU5cZU/kXTVaCZ0Qrbv
cWF/wT+ddD8M0jVouG6EmnGg2gjCwDY=
-----END EC PRIVATE KEY-----`
)

func parsePEMKey(t testing.TB, s string) crypto.Signer {
	t.Helper()
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		t.Fatal("no PEM block")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return k
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	t.Fatalf("PEM type %q", block.Type)
	return nil
}

// testKeys are the parsed test keys.
type testKeys struct {
	rsaA, rsaB, rsa1024 *rsa.PrivateKey
	ecA, ecB, ec384     *ecdsa.PrivateKey
}

func loadTestKeys(t testing.TB) *testKeys {
	t.Helper()
	return &testKeys{
		rsaA:    parsePEMKey(t, rsaAPEM).(*rsa.PrivateKey),
		rsaB:    parsePEMKey(t, rsaBPEM).(*rsa.PrivateKey),
		rsa1024: parsePEMKey(t, rsa1024PEM).(*rsa.PrivateKey),
		ecA:     parsePEMKey(t, ecAPEM).(*ecdsa.PrivateKey),
		ecB:     parsePEMKey(t, ecBPEM).(*ecdsa.PrivateKey),
		ec384:   parsePEMKey(t, ec384PEM).(*ecdsa.PrivateKey),
	}
}
