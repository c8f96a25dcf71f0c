package httpcache

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// hdr builds a header from name, value pairs (repeated names add lines).
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// defaults returns a fresh copy of CloudFront's default cache policy, as
// the policy decoder fills it.
func defaults() policy.CachePolicy {
	return policy.CachePolicy{
		DefaultTTL:   policy.Duration(24 * time.Hour),
		MaxTTL:       policy.Duration(365 * 24 * time.Hour),
		QueryStrings: policy.KeyValues{Mode: policy.KeyAll},
		ErrorTTL:     policy.Duration(10 * time.Second),
	}
}

func boolPtr(b bool) *bool { return &b }

// htmlLike returns n bytes of deterministic HTML-like text.
func htmlLike(n int) []byte {
	words := strings.Fields("the quick brown fox jumps over lazy dog edge cache gateway " +
		"request response header origin distribution behavior policy compress brotli gzip " +
		"content type length status viewer signed cookie query string path key value table")
	tags := []string{"p", "div", "span", "li", "td", "a", "h2"}
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html><html><head><title>Edgeward</title></head><body>\n")
	for b.Len() < n {
		t := tags[r.IntN(len(tags))]
		fmt.Fprintf(&b, "<%s class=\"c%d\" id=\"x%d\">", t, r.IntN(20), r.IntN(100000))
		for range 3 + r.IntN(12) {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "</%s>\n", t)
	}
	return b.Bytes()[:n]
}

// queryURL is a URL with the given raw query.
func queryURL(rawQuery string) *url.URL { return &url.URL{Path: "/", RawQuery: rawQuery} }
