package httpcache

import "testing"

var acceptEncodingTests = []struct {
	name   string
	values []string
	want   string
}{
	{"absent", nil, ""},
	{"empty", []string{""}, ""},
	{"browser", []string{"gzip, deflate, br, zstd"}, "br,gzip"},
	{"gzip", []string{"gzip"}, "gzip"},
	{"br", []string{"br"}, "br"},
	{"x-gzip", []string{"x-gzip"}, "gzip"},
	{"case-insensitive", []string{"GZIP, Br"}, "br,gzip"},
	{"spaces", []string{"  br ;  q=0.5 ,\tgzip "}, "br,gzip"},
	{"identity", []string{"identity"}, ""},
	{"deflate only", []string{"deflate, compress"}, ""},
	{"q=0 refuses", []string{"br;q=0, gzip"}, "gzip"},
	{"q=0.000 refuses", []string{"gzip;q=0.000, br"}, "br"},
	{"Q=0 upper case", []string{"gzip;Q=0"}, ""},
	{"q=0.001 accepts", []string{"gzip;q=0.001"}, "gzip"},
	{"q=1.000 accepts", []string{"br;q=1.000"}, "br"},
	{"preference ignored", []string{"gzip;q=1, br;q=0.1"}, "br,gzip"},
	{"invalid q refuses", []string{"gzip;q=high, br"}, "br"},
	{"q above 1 refuses", []string{"gzip;q=1.5"}, ""},
	{"q too many decimals refuses", []string{"gzip;q=0.0001"}, ""},
	{"q empty refuses", []string{"gzip;q="}, ""},
	{"other parameters ignored", []string{"gzip;level=9"}, "gzip"},
	{"first q wins", []string{"gzip;q=0;q=1"}, ""},
	{"star", []string{"*"}, "br,gzip"},
	{"star q=0", []string{"*;q=0"}, ""},
	{"star with gzip refused", []string{"*, gzip;q=0"}, "br"},
	{"explicit beats star whatever the order", []string{"br;q=0, *"}, "gzip"},
	{"star refused, br listed", []string{"*;q=0, br"}, "br"},
	{"first listing wins", []string{"gzip;q=0, gzip"}, ""},
	{"several lines", []string{"gzip", "br"}, "br,gzip"},
	{"garbage", []string{";;;,,=q, \x00br"}, ""},
	{"prefix is not a match", []string{"brotli, gzipped"}, ""},
}

func TestNormalizeAcceptEncoding(t *testing.T) {
	for _, tt := range acceptEncodingTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeAcceptEncoding(tt.values); got != tt.want {
				t.Errorf("NormalizeAcceptEncoding(%q) = %q, want %q", tt.values, got, tt.want)
			}
		})
	}
}

func TestChooseEncoding(t *testing.T) {
	for ae, want := range map[string]string{"br,gzip": "br", "br": "br", "gzip": "gzip", "": "", "deflate": ""} {
		if got := ChooseEncoding(ae); got != want {
			t.Errorf("ChooseEncoding(%q) = %q, want %q", ae, got, want)
		}
	}
}
