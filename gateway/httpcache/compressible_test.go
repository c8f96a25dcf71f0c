package httpcache

import (
	"net/http"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

func TestCompressible(t *testing.T) {
	html := func(kv ...string) http.Header {
		return hdr(append([]string{"Content-Type", "text/html; charset=utf-8"}, kv...)...)
	}
	tests := []struct {
		name   string
		mod    func(*policy.CachePolicy)
		status int
		h      http.Header
		size   int64
		want   bool
	}{
		{name: "html", h: html(), want: true},
		{name: "compress off", mod: func(p *policy.CachePolicy) { p.Compress = boolPtr(false) }, h: html()},
		{name: "compress explicitly on", mod: func(p *policy.CachePolicy) { p.Compress = boolPtr(true) }, h: html(), want: true},
		{name: "cache disabled", mod: func(p *policy.CachePolicy) { p.Disabled = true }, h: html()},
		{name: "all TTLs 0", mod: func(p *policy.CachePolicy) { p.DefaultTTL, p.MaxTTL = 0, 0 }, h: html()},
		{name: "MinTTL alone > 0", mod: func(p *policy.CachePolicy) { p.MinTTL, p.MaxTTL = policy.Duration(time.Minute), 0 }, h: html(), want: true},
		{name: "status 403", status: 403, h: html(), want: true},
		{name: "status 404", status: 404, h: html(), want: true},
		{name: "status 500", status: 500, h: html()},
		{name: "status 206", status: 206, h: html()},
		{name: "status 301", status: 301, h: html()},
		{name: "Content-Encoding gzip", h: html("Content-Encoding", "gzip")},
		{name: "Content-Encoding identity", h: html("Content-Encoding", "identity")},
		{name: "empty Content-Encoding", h: html("Content-Encoding", ""), want: true},
		{name: "image/png", h: hdr("Content-Type", "image/png")},
		{name: "no Content-Type", h: http.Header{}},
		{name: "application/json", h: hdr("Content-Type", "application/json"), want: true},
		{name: "upper case type", h: hdr("Content-Type", "Application/JavaScript ; charset=UTF-8"), want: true},
		{name: "image/svg+xml", h: hdr("Content-Type", "image/svg+xml"), want: true},
		{name: "font/ttf", h: hdr("Content-Type", "font/ttf"), want: true},
		{name: "font/woff2 (compressed already)", h: hdr("Content-Type", "font/woff2")},
		{name: "text/markdown is not listed", h: hdr("Content-Type", "text/markdown")},
		{name: "vnd.apple.mpegurl", h: hdr("Content-Type", "vnd.apple.mpegurl"), want: true},
		{name: "size 999", h: html(), size: 999},
		{name: "size 1000", h: html(), size: 1000, want: true},
		{name: "size 10,000,000", h: html(), size: 10_000_000, want: true},
		{name: "size 10,000,001", h: html(), size: 10_000_001},
		{name: "size unknown", h: html(), size: -1},
		{name: "no-transform", h: html("Cache-Control", "max-age=60, no-transform")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := defaults()
			if tt.mod != nil {
				tt.mod(&p)
			}
			status, size := tt.status, tt.size
			if status == 0 {
				status = 200
			}
			if size == 0 {
				size = 50_000
			}
			if got := Compressible(&p, status, tt.h, size); got != tt.want {
				t.Errorf("Compressible(%d, %v, %d) = %v, want %v", status, tt.h, size, got, tt.want)
			}
		})
	}
}

func TestCompressibleNilPolicy(t *testing.T) {
	if !Compressible(nil, 200, hdr("Content-Type", "text/css"), 5000) {
		t.Error("nil policy: want compression on (the default)")
	}
	if Compressible(&policy.CachePolicy{}, 200, hdr("Content-Type", "text/css"), 5000) {
		t.Error("zero policy caches nothing: want no compression")
	}
}

func TestCompressibleTypesCount(t *testing.T) {
	if n := len(compressibleTypes); n != 45 {
		t.Errorf("%d compressible types, want CloudFront's 45", n)
	}
}
