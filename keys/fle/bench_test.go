package fle_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
)

// benchKEMs names the sub-benchmarks of each KEM.
var benchKEMs = []struct{ name, typ string }{
	{"x25519", fle.TypeX25519},
	{"mlkem768x25519", fle.TypeMLKEM768X25519},
}

// benchField is a 16-byte field, a card number: one op is one field.
var benchField = []byte("4111111111111111")

func BenchmarkSeal(b *testing.B) {
	for _, kem := range benchKEMs {
		b.Run(kem.name, func(b *testing.B) {
			e := newEncryptor(b, testKey(b, kem.typ, "k1"))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Seal(checkout, benchField); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, kem := range benchKEMs {
		b.Run(kem.name, func(b *testing.B) {
			k := testKey(b, kem.typ, "k1")
			d := newDecryptor(b, k)
			v := seal(b, newEncryptor(b, k), checkout, string(benchField))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Open(checkout, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecryptBody decrypts a checkout form of about 2 KiB with three
// encrypted fields (card number, expiry, CVV) among plain ones.
func BenchmarkDecryptBody(b *testing.B) {
	for _, kem := range benchKEMs {
		b.Run(kem.name, func(b *testing.B) {
			k := testKey(b, kem.typ, "k1")
			e, d := newEncryptor(b, k), newDecryptor(b, k)
			sealField := func(name, pt string) string {
				fb := bodyBinding
				fb.Field = name
				return seal(b, e, fb, pt)
			}
			// The plain fields are the same for both KEMs: with X25519
			// values the body is about 2 KiB; X-Wing values are 1.5 KiB each.
			var sb strings.Builder
			sb.WriteString("name=Jane+Q.+Public&email=jane%40example.com&address=1+Main+Street&city=Springfield&zip=12345&country=US")
			for i := 0; sb.Len() < 1750; i++ {
				fmt.Fprintf(&sb, "&item%d=sku-%06d&qty%d=%d&note%d=gift+wrap+please", i, i*7919, i, i%5+1, i)
			}
			sb.WriteString("&card_number=" + sealField("card_number", "4111111111111111"))
			sb.WriteString("&card_expiry=" + sealField("card_expiry", "12/29"))
			sb.WriteString("&card_cvv=" + sealField("card_cvv", "123"))
			data := []byte(sb.String())
			if kem.typ == fle.TypeX25519 && (len(data) < 1900 || len(data) > 2300) {
				b.Fatalf("the body is %d bytes, want about 2 KiB", len(data))
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, n, err := d.DecryptBody(ctForm, data, bodyBinding); err != nil || n != 3 {
					b.Fatalf("DecryptBody: n=%d, %v", n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/3, "ns/field")
		})
	}
}
