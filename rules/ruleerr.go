package rules

import (
	"fmt"
	"strings"

	"github.com/corazawaf/coraza/v3"
)

// Coraza's parser reports what is wrong with a directive but not where
// it is. When the configuration does not compile, locateRuleError finds
// the first operator directive at fault by compiling growing prefixes of
// the rule files (a binary search), so the error names file:line.
//
// Most faults (an unknown operator or action, a bad regular expression)
// do not depend on the CRS, so the search runs first on a light base
// without the CRS rules, which compiles in milliseconds; the directive it
// finds is confirmed against the full configuration. Faults that need the
// CRS to show (an id the CRS already uses, an update of a CRS rule) are
// found by a search over the full configuration.

// directive is one SecLang directive of a rule file.
type directive struct {
	file string
	line int // where it starts
	text string
}

// splitDirectives cuts a rule file into directives the way Coraza's
// parser reads it: lines trimmed, blank lines and # comments skipped, a
// trailing backslash continues a directive, and a line ending in a
// backtick opens a block that a line starting with one closes.
func splitDirectives(f RuleFile) []directive {
	var (
		out     []directive
		buf     strings.Builder
		start   int
		inTicks bool
	)
	for i, raw := range strings.Split(string(f.Data), "\n") {
		l := strings.TrimSpace(raw)
		if l == "" || l[0] == '#' {
			continue
		}
		if buf.Len() == 0 {
			start = i + 1
		}
		if !inTicks && l[len(l)-1] == '`' {
			inTicks = true
		} else if inTicks && l[0] == '`' {
			inTicks = false
		}
		if inTicks {
			buf.WriteString(l + "\n")
			continue
		}
		if l[len(l)-1] == '\\' {
			buf.WriteString(strings.TrimSuffix(l, `\`))
			continue
		}
		buf.WriteString(l)
		out = append(out, directive{f.Name, start, buf.String()})
		buf.Reset()
	}
	if buf.Len() > 0 {
		out = append(out, directive{f.Name, start, buf.String()})
	}
	return out
}

// locateRuleError returns the first rule-file directive that breaks the
// configuration, as "file:line: message", or nil when no rule file is at
// fault.
func locateRuleError(cfg coraza.WAFConfig, s *Spec) error {
	var ds []directive
	for _, f := range s.Rules {
		ds = append(ds, splitDirectives(f)...)
	}
	if len(ds) == 0 {
		return nil
	}
	compile := func(base string, n int) error {
		var b strings.Builder
		b.WriteString(base)
		for _, d := range ds[:n] {
			b.WriteString(d.text)
			b.WriteByte('\n')
		}
		waf, err := coraza.NewWAF(cfg.WithDirectives(b.String()))
		if err == nil {
			closeWAF(waf)
		}
		return err
	}
	// first returns the smallest n whose prefix fails, given that the
	// prefix of lo directives compiles and the one of hi does not.
	first := func(base string, lo, hi int) int {
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			if compile(base, mid) == nil {
				lo = mid
			} else {
				hi = mid
			}
		}
		return hi
	}
	full := s.baseDirectives() + crsDirectives
	found := func(n int) error {
		return fmt.Errorf("%s:%d: %s", ds[n-1].file, ds[n-1].line, cleanCorazaError(compile(full, n)))
	}
	light := s.baseDirectives()
	if compile(light, 0) == nil && compile(light, len(ds)) != nil {
		n := first(light, 0, len(ds))
		if compile(full, n) != nil && compile(full, n-1) == nil {
			return found(n)
		}
	}
	if compile(full, 0) != nil || compile(full, len(ds)) == nil {
		return nil
	}
	return found(first(full, 0, len(ds)))
}

// cleanCorazaError drops Coraza's wrapper words.
func cleanCorazaError(err error) string {
	return strings.TrimPrefix(err.Error(), "invalid WAF config from string: ")
}
