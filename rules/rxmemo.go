package rules

import (
	"regexp"
	"strconv"
	"sync/atomic"
	"unicode/utf8"

	"github.com/corazawaf/coraza/v3/experimental/plugins"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	re2 "github.com/wasilibs/go-re2"
	"rsc.io/binaryregexp"
)

// The @rx operator, as Coraza v3.8.1 defines it, with its verdicts
// remembered across transactions.
//
// Most of the CPU time of a benign request under the CRS is spent in
// @rx: a few hundred regular expressions run over the request's
// headers, cookies, path and arguments, and nearly all of them fail.
// Many of those values repeat from request to request (User-Agent,
// Accept, the site's paths and cookie names). A regular expression's
// verdict on a string is a pure function of the two, so this operator
// keeps recent verdicts, with the capture groups' positions, in a
// bounded cache (rxcache.go) and replays them: the rule sees exactly
// what the regular expression would have given it.
//
// What the operator does, as Coraza's does:
//   - The pattern is compiled as "(?sm)" + the rule's argument (dotall
//     and multi-line, ModSecurity's behaviour; Coraza's default build).
//   - A pattern whose \xHH escapes spell bytes that are not UTF-8 is
//     compiled as written with rsc.io/binaryregexp and matches bytes;
//     those few are not remembered.
//   - When the transaction captures, groups 0 to 8 are captured (an
//     unmatched group as ""), in order, with FindStringSubmatchIndex.
//
// Coraza's experimental regex pre-filter (SecRxPreFilter) is not used:
// with the CRS it misses matches (config.go).
func init() {
	plugins.RegisterOperator("rx", newMemoRX)
}

// maxCaptures is how many groups a match captures into TX:0 to TX:8.
const maxCaptures = 9

// rxPattern is one compiled pattern and its id in the verdict cache,
// shared (through Coraza's memoizer) by every rule and engine that uses
// the same pattern.
type rxPattern struct {
	re   *regexp.Regexp
	fast *re2.Regexp // nil: no fast path (rxfast.go)
	need *rxNeed     // nil: nothing to check first
	id   uint64
}

var rxPatternIDs atomic.Uint64

type memoRX struct {
	*rxPattern
}

var _ plugintypes.Operator = (*memoRX)(nil)

func newMemoRX(options plugintypes.OperatorOptions) (plugintypes.Operator, error) {
	pattern := "(?sm)" + options.Arguments
	if spellsNonUTF8(pattern) {
		return newBinaryRX(options)
	}
	compile := func() (any, error) {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, err
		}
		return &rxPattern{re: re, fast: compileFast(pattern, re), need: newRXNeed(pattern), id: rxPatternIDs.Add(1)}, nil
	}
	var p any
	var err error
	if options.Memoizer != nil {
		p, err = options.Memoizer.Do("edgeward-rx:"+pattern, compile)
	} else {
		p, err = compile()
	}
	if err != nil {
		return nil, err
	}
	return &memoRX{p.(*rxPattern)}, nil
}

func (o *memoRX) Evaluate(tx plugintypes.TransactionState, value string) bool {
	// What every match needs is checked first: it rules out nearly every
	// benign value in less time than hashing the value for the cache
	// takes, and keeps those verdicts out of the cache.
	if o.need != nil && !o.need.mayMatch(value) {
		return false
	}
	capturing := tx.Capturing()
	v, ok := rxVerdicts.get(o.id, value)
	if !ok || (capturing && v.matched && v.groups == nil) {
		v = o.run(value, capturing)
		rxVerdicts.put(o.id, value, v)
	}
	if !v.matched {
		return false
	}
	if capturing {
		for i := 0; i < len(v.groups)/2 && i < maxCaptures; i++ {
			start, end := v.groups[2*i], v.groups[2*i+1]
			if start < 0 {
				tx.CaptureField(i, "")
				continue
			}
			tx.CaptureField(i, value[start:end])
		}
	}
	return true
}

// run asks the regular expression itself (Evaluate has already checked
// what every match contains, rxneed.go): first whether it matches at
// all (without groups, the cheaper question, and the answer for nearly
// every benign value), then, for a match while the transaction
// captures, where its groups are. A match found without its groups
// gets them from a later capturing evaluation.
func (o *memoRX) run(value string, capturing bool) rxVerdict {
	if o.ruledOutFast(value) || !o.re.MatchString(value) {
		return rxVerdict{}
	}
	if !capturing {
		return rxVerdict{matched: true}
	}
	idx := o.re.FindStringSubmatchIndex(value)
	if len(idx) > 2*maxCaptures {
		idx = idx[:2*maxCaptures]
	}
	groups := make([]int32, len(idx))
	for i, n := range idx {
		groups[i] = int32(n)
	}
	return rxVerdict{matched: true, groups: groups}
}

// binaryRX matches bytes; it is Coraza's operator for such patterns,
// unremembered.
type binaryRX struct {
	re *binaryregexp.Regexp
}

var _ plugintypes.Operator = (*binaryRX)(nil)

func newBinaryRX(options plugintypes.OperatorOptions) (plugintypes.Operator, error) {
	compile := func() (any, error) { return binaryregexp.Compile(options.Arguments) }
	var re any
	var err error
	if options.Memoizer != nil {
		re, err = options.Memoizer.Do(options.Arguments, compile)
	} else {
		re, err = compile()
	}
	if err != nil {
		return nil, err
	}
	return &binaryRX{re: re.(*binaryregexp.Regexp)}, nil
}

func (o *binaryRX) Evaluate(tx plugintypes.TransactionState, value string) bool {
	if !tx.Capturing() {
		return o.re.MatchString(value)
	}
	groups := o.re.FindStringSubmatch(value)
	if groups == nil {
		return false
	}
	for i, g := range groups {
		if i == maxCaptures {
			break
		}
		tx.CaptureField(i, g)
	}
	return true
}

// spellsNonUTF8 reports whether pattern, with its \xHH and \x{HH}
// escapes read as the bytes they name, is not valid UTF-8: Coraza's
// test for a pattern that matches arbitrary bytes, decided the same
// way (a backslash not starting such an escape is kept as it is, and
// the three bytes before the end are taken as written).
func spellsNonUTF8(pattern string) bool {
	out := make([]byte, 0, len(pattern))
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+3 >= len(pattern) {
			out = append(out, pattern[i:]...)
			break
		}
		if pattern[i+1] != 'x' {
			out = append(out, c)
			continue
		}
		digits, width := pattern[i+2:i+4], 4 // \xHH
		if len(pattern)-i >= 6 && pattern[i+2] == '{' {
			if end := indexByteFrom(pattern, i, '}'); end >= 0 {
				digits, width = pattern[i+3:end], end-i+1 // \x{H...}
			}
		}
		b, ok := hexByte(digits)
		if !ok {
			out = append(out, c)
			continue
		}
		out = append(out, b)
		i += width - 1
	}
	return !utf8.Valid(out)
}

func indexByteFrom(s string, from int, c byte) int {
	for j := from; j < len(s); j++ {
		if s[j] == c {
			return j
		}
	}
	return -1
}

// hexByte reads the first two of digits as a byte value, as
// strconv.UnquoteChar reads \xHH (so \x{fff} names the byte 0xff and
// \x{f} names none).
func hexByte(digits string) (byte, bool) {
	if len(digits) < 2 {
		return 0, false
	}
	n, err := strconv.ParseUint(digits[:2], 16, 8)
	if err != nil {
		return 0, false
	}
	return byte(n), true
}
