package main

import (
	"net/http"
	"testing"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	txhttp "github.com/corazawaf/coraza/v3/http"

	"github.com/edgeward/edgeward/testdata/bench/benign"
)

// BenchmarkWAF is the other half of gateway's BenchmarkWAF: Coraza's
// txhttp.WrapHandler, set up as its README has it (directives), around
// the page, given the same benign requests, repeated and varied. This
// binary has Coraza's own operators only. Run both in one command:
//
//	go test -p 1 -run '^$' -bench BenchmarkWAF -benchmem ./gateway ./testdata/bench/corazabaseline
//
// "no-response-body" adds SecResponseBodyAccess Off, as Edgeward's WAF
// leaves responses alone unless the policy asks.
func BenchmarkWAF(b *testing.B) {
	wrap := func(b *testing.B, extra string) http.Handler {
		waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(directives + extra))
		if err != nil {
			b.Fatal(err)
		}
		return txhttp.WrapHandler(waf, newPage())
	}
	for _, method := range []string{"GET", "POST"} {
		for _, varied := range []bool{true, false} {
			name := method + "/repeat/"
			if varied {
				name = method + "/varied/"
			}
			b.Run(name+"coraza-wraphandler", func(b *testing.B) {
				benign.Serve(b, wrap(b, ""), method, "d.test", varied)
			})
			b.Run(name+"coraza-wraphandler-no-response-body", func(b *testing.B) {
				benign.Serve(b, wrap(b, "SecResponseBodyAccess Off\n"), method, "d.test", varied)
			})
		}
	}
}
