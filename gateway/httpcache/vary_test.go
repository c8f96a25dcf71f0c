package httpcache

import (
	"net/http"
	"slices"
	"testing"
)

func TestVaryNames(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want []string
		star bool
	}{
		{"none", http.Header{}, nil, false},
		{"one", hdr("Vary", "accept-encoding"), []string{"Accept-Encoding"}, false},
		{"list sorted", hdr("Vary", "Origin, Accept-Encoding"), []string{"Accept-Encoding", "Origin"}, false},
		{"lines and duplicates", hdr("Vary", "origin", "Vary", " ORIGIN ,accept-language,"), []string{"Accept-Language", "Origin"}, false},
		{"star", hdr("Vary", "*"), nil, true},
		{"star in a list", hdr("Vary", "Origin, *"), []string{"Origin"}, true},
		{"empty elements", hdr("Vary", ", ,"), nil, false},
		{"Content-Encoding implies Accept-Encoding", hdr("Content-Encoding", "gzip"), []string{"Accept-Encoding"}, false},
		{"Content-Encoding and Vary", hdr("Content-Encoding", "br", "Vary", "origin, accept-encoding"), []string{"Accept-Encoding", "Origin"}, false},
		{"identity Content-Encoding", hdr("Content-Encoding", "identity"), nil, false},
		{"empty Content-Encoding", hdr("Content-Encoding", ""), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, star := VaryNames(tt.h)
			if !slices.Equal(got, tt.want) || star != tt.star {
				t.Errorf("VaryNames = %q, %v; want %q, %v", got, star, tt.want, tt.star)
			}
			if hasVaryStar(tt.h) != tt.star {
				t.Errorf("hasVaryStar = %v, want %v", !tt.star, tt.star)
			}
		})
	}
}

func TestVariantKey(t *testing.T) {
	const primary = "1:d2:/p"
	tests := []struct {
		name  string
		names []string
		a, b  []string // two requests' headers
		same  bool
	}{
		{"no names", nil, []string{"Origin", "a"}, []string{"Origin", "b"}, true},
		{"value differs", []string{"Origin"}, []string{"Origin", "a"}, []string{"Origin", "b"}, false},
		{"value equal", []string{"Origin"}, []string{"Origin", "a", "X", "1"}, []string{"Origin", "a", "X", "2"}, true},
		{"absent differs from empty", []string{"Origin"}, []string{}, []string{"Origin", ""}, false},
		{"both absent", []string{"Origin"}, []string{}, []string{"Other", "1"}, true},
		{"lines joined", []string{"X-A"}, []string{"X-A", "1", "X-A", "2"}, []string{"X-A", "1,2"}, true},
		{"Accept-Encoding normalized", []string{"Accept-Encoding"}, []string{"Accept-Encoding", "gzip, br"}, []string{"Accept-Encoding", "br;q=1, gzip;q=0.8, deflate"}, true},
		{"Accept-Encoding differs", []string{"Accept-Encoding"}, []string{"Accept-Encoding", "gzip"}, []string{"Accept-Encoding", "br"}, false},
		{"Accept-Encoding absent is identity", []string{"Accept-Encoding"}, []string{}, []string{"Accept-Encoding", "identity"}, true},
		{"Cookie lines", []string{"Cookie"}, []string{"Cookie", "a=1", "Cookie", "b=2"}, []string{"Cookie", "a=1; b=2"}, true},
		{"value cannot fake a name", []string{"X-A", "X-B"}, []string{"X-A", "1v3:X-B1:2"}, []string{"X-A", "1", "X-B", "2"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka := VariantKey(primary, tt.names, newReq("/p", tt.a...))
			kb := VariantKey(primary, tt.names, newReq("/p", tt.b...))
			if (ka == kb) != tt.same {
				t.Errorf("keys %q and %q: same = %v, want %v", ka, kb, ka == kb, tt.same)
			}
			if _, err := decodeKey(ka); err != nil {
				t.Errorf("decodeKey(%q): %v", ka, err)
			}
			if len(ka) < len(primary) || ka[:len(primary)] != primary {
				t.Errorf("variant key %q does not extend %q", ka, primary)
			}
		})
	}
}

func TestVariantKeyHost(t *testing.T) {
	a, b := newReq("/p"), newReq("/p")
	b.Host = "other.example"
	if VariantKey("1:d2:/p", []string{"Host"}, a) == VariantKey("1:d2:/p", []string{"Host"}, b) {
		t.Error("Vary: Host: different hosts share a variant key")
	}
}
