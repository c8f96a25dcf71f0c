package gateway

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/testdata/bench/benign"
)

// The WAF benchmarks: benign requests (testdata/bench/benign) through
// the whole gateway handler, in front of an in-memory origin answering
// benign.Page (not cached), with the WAF on and off, at paranoia 1.
// "varied" is a stream of requests whose query strings and forms are
// all new (the session cookie changes every eight), "repeat" the same
// request again and again, where every remembered @rx verdict is found
// (rules/rxmemo.go) and, with crs.recheck_window, a bodiless request
// skips evaluation. Coraza's own middleware is measured on the same
// requests by corazabaseline's BenchmarkWAF, in a binary of its own
// (this one has Edgeward's @rx operator registered), in the same
// command:
//
//	go test -p 1 -run '^$' -bench BenchmarkWAF -benchmem ./gateway ./testdata/bench/corazabaseline

func BenchmarkWAF(b *testing.B) {
	dir := b.TempDir()
	for name, text := range map[string]string{
		"waf.yaml":     "kind: waf\nmode: block\ncrs: {paranoia_level: 1}\n",
		"recheck.yaml": "kind: waf\nmode: block\ncrs: {paranoia_level: 1, recheck_window: 10s}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	gw := func(b *testing.B, policy string) http.Handler {
		cfg := benchTop + "  - name: d\n    hosts: [d.test]\n    origins: [{id: o, url: http://127.0.0.1:9}]\n" +
			"    default_behavior: {origin: o, cache: disabled, allowed_methods: [ALL]" + policy + "}\n"
		h, _, _ := benchHandler(b, strings.ReplaceAll(cfg, "policy: ", "policy: "+dir+"/"), false, "d.test", "/")
		return h
	}
	for _, method := range []string{"GET", "POST"} {
		for _, varied := range []bool{true, false} {
			name := method + "/repeat/"
			if varied {
				name = method + "/varied/"
			}
			serve := func(b *testing.B, policy string) { benign.Serve(b, gw(b, policy), method, "d.test", varied) }
			b.Run(name+"gateway-waf-off", func(b *testing.B) { serve(b, "") })
			b.Run(name+"gateway-waf-on", func(b *testing.B) { serve(b, ", waf_policy: waf.yaml") })
			if method == "GET" && !varied { // only an identical bodiless request is rechecked
				b.Run(name+"gateway-waf-on-recheck-window", func(b *testing.B) { serve(b, ", waf_policy: recheck.yaml") })
			}
		}
	}
}
