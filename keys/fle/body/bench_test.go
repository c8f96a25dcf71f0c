package body

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The benchmarks rewrite a ~2 KiB checkout body with two selected fields
// (the card number and the CVC) into values as long as real X25519
// ENC:v1 values, and, for comparison, scan it with nothing selected.

// encValue is as long as an ENC:v1 value for a 16-byte plaintext under
// X25519 (32-byte enc, 32-byte sealed, base64url).
var encValue = []byte("ENC:v1:fle-2026-11:" + strings.Repeat("A", 86))

type checkoutField struct{ name, value string }

// checkoutFields is a storefront checkout form: contact, addresses, cart,
// payment and the usual hidden fields.
var checkoutFields = func() []checkoutField {
	fs := []checkoutField{
		{"csrf_token", strings.Repeat("Zk9xL2Q", 12)},
		{"checkout_id", "c2a7f1e4-9b3d-4c8a-a1f6-3e5d7b9c0a12"},
		{"email", "jane.doe@example.com"},
		{"phone", "+1 415 555 0134"},
		{"shipping_first_name", "Jane"},
		{"shipping_last_name", "Doe"},
		{"shipping_company", "Example Widgets, Inc."},
		{"shipping_address1", "1234 Market Street"},
		{"shipping_address2", "Suite 500"},
		{"shipping_city", "San Francisco"},
		{"shipping_region", "CA"},
		{"shipping_postal_code", "94103"},
		{"shipping_country", "US"},
		{"billing_same_as_shipping", "1"},
		{"shipping_method", "ups_ground"},
		{"gift_message", "Happy birthday! Hope you like it & enjoy the café au lait set."},
	}
	for i := range 11 {
		fs = append(fs,
			checkoutField{fmt.Sprintf("items[%d][sku]", i), fmt.Sprintf("SKU-%05d-BLK-M", 1000+i)},
			checkoutField{fmt.Sprintf("items[%d][qty]", i), fmt.Sprint(1 + i%3)},
			checkoutField{fmt.Sprintf("items[%d][price]", i), fmt.Sprintf("%d.99", 10+i*7)})
	}
	fs = append(fs,
		checkoutField{"coupon", "SPRING-2026"},
		checkoutField{"card_holder", "JANE Q DOE"},
		checkoutField{"card_number", card},
		checkoutField{"card_exp", "12/30"},
		checkoutField{"card_cvc", "123"},
		checkoutField{"accept_terms", "on"},
		checkoutField{"utm_source", "newsletter"},
		checkoutField{"utm_campaign", "spring_sale_2026"},
		checkoutField{"client_fingerprint", strings.Repeat("a1b2c3d4", 16)},
	)
	return fs
}()

func checkoutForm() string {
	q := make([]string, len(checkoutFields))
	for i, f := range checkoutFields {
		q[i] = url.QueryEscape(f.name) + "=" + url.QueryEscape(f.value)
	}
	return strings.Join(q, "&")
}

// checkoutMultipart has the fields a ~2 KiB multipart body holds (each
// part costs ~80 bytes of delimiter and headers).
func checkoutMultipart() string {
	const b = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
	keep := []string{"csrf_token", "checkout_id", "email", "phone", "shipping_first_name", "shipping_last_name", "shipping_address1",
		"shipping_city", "shipping_postal_code", "shipping_country", "shipping_method", "gift_message",
		"card_holder", "card_number", "card_exp", "card_cvc", "accept_terms"}
	var s strings.Builder
	for _, f := range checkoutFields {
		if slices.Contains(keep, f.name) {
			s.WriteString("--" + b + "\r\nContent-Disposition: form-data; name=\"" + f.name + "\"\r\n\r\n" + f.value + "\r\n")
		}
	}
	s.WriteString("--" + b + "--\r\n")
	return s.String()
}

func checkoutJSON() string {
	items := make([]map[string]any, 8)
	for i := range items {
		items[i] = map[string]any{"sku": fmt.Sprintf("SKU-%05d-BLK-M", 1000+i), "qty": 1 + i%3, "price": fmt.Sprintf("%d.99", 10+i*7),
			"title": fmt.Sprintf("Organic cotton tee, style %d", i)}
	}
	addr := map[string]any{"first_name": "Jane", "last_name": "Doe", "company": "Example Widgets, Inc.", "address1": "1234 Market Street",
		"address2": "Suite 500", "city": "San Francisco", "region": "CA", "postal_code": "94103", "country": "US"}
	doc := map[string]any{
		"checkout_id": "c2a7f1e4-9b3d-4c8a-a1f6-3e5d7b9c0a12",
		"customer":    map[string]any{"email": "jane.doe@example.com", "phone": "+1 415 555 0134", "marketing_opt_in": false},
		"shipping":    map[string]any{"address": addr, "method": "ups_ground", "gift_message": "Happy birthday! Hope you like it."},
		"billing":     map[string]any{"same_as_shipping": true},
		"items":       items,
		"coupon":      "SPRING-2026",
		"payment":     map[string]any{"holder": "JANE Q DOE", "card_number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
		"client":      map[string]any{"fingerprint": strings.Repeat("a1b2c3d4", 16), "utm": map[string]any{"source": "newsletter", "campaign": "spring_sale_2026"}},
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(out)
}

func BenchmarkRewrite(b *testing.B) {
	seal := func(Field) ([]byte, error) { return encValue, nil }
	for _, c := range []struct {
		name, ct, body string
		sel            []string
	}{
		{"urlencoded", ctForm, checkoutForm(), []string{"card_number", "card_cvc"}},
		{"multipart", "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", checkoutMultipart(), []string{"card_number", "card_cvc"}},
		{"json", ctJSON, checkoutJSON(), []string{"/payment/card_number", "/payment/cvc"}},
	} {
		body := []byte(c.body)
		for _, mode := range []string{"2-fields", "none"} {
			sel := selNames(c.sel)
			if mode == "none" {
				sel = func(string) bool { return false }
			}
			if _, n, err := Rewrite(c.ct, body, sel, seal, Limits{MaxBody: 1 << 20, MaxField: 4 << 10}); err != nil || mode == "2-fields" && n != 2 {
				b.Fatalf("%s: n=%d err=%v", c.name, n, err)
			}
			b.Run(c.name+"/"+mode, func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := Rewrite(c.ct, body, sel, seal, Limits{MaxBody: 1 << 20, MaxField: 4 << 10}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func TestCheckoutBodiesAreAbout2KiB(t *testing.T) {
	for name, s := range map[string]string{"urlencoded": checkoutForm(), "multipart": checkoutMultipart(), "json": checkoutJSON()} {
		if len(s) < 1800 || len(s) > 2400 {
			t.Errorf("%s checkout body is %d bytes", name, len(s))
		}
	}
}
