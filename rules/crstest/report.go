package crstest

import (
	"fmt"
	"strings"
	"testing"
)

// Summary counts results by outcome.
func Summary(results []Result) string {
	n := map[Outcome]int{}
	for _, r := range results {
		n[r.Outcome]++
	}
	return fmt.Sprintf("%d tests: %d passed, %d failed, %d overridden, %d skipped, %d stale overrides",
		len(results), n[Passed], n[Failed], n[Overridden], n[Skipped], n[Stale])
}

// Report fails tb for every failed test and every stale override, and
// logs the summary.
func Report(tb testing.TB, results []Result) {
	tb.Helper()
	for _, r := range results {
		switch r.Outcome {
		case Failed:
			msg := fmt.Sprintf("%s (%s): %s", r.Test.ID(), r.Test.File, r.Problem)
			if r.Log != "" {
				msg += "\n\t" + strings.ReplaceAll(r.Log, "\n", "\n\t")
			}
			tb.Error(msg)
		case Stale:
			tb.Errorf("%s: %s", r.Test.ID(), r.Problem)
		}
	}
	tb.Log(Summary(results))
}
