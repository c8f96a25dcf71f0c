package rules

import (
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3/types"
)

// Rule pruning: before each request phase, the rules that cannot match
// this request are taken out of its transaction (ctl:ruleRemoveById's
// removal), so Coraza never fetches their variables, transforms the
// values or expands their messages. For a benign request that is most
// of the CRS, and most of the WAF's CPU time.
//
// Why removing them changes nothing: Coraza evaluates a rule by
// fetching its variables' values, transforming each, and running the
// operator on the result; a rule whose operator matches no value does
// nothing (no action runs, a chain's later rules are not reached, no
// variable changes that a later rule reads). So a rule that provably
// matches no value can be skipped. "Provably" is a byte-level argument,
// each step an over-approximation:
//
//  1. For each source of values (the query's names and values, the
//     headers, the cookies, the path, a urlencoded body...), the set of
//     bytes its values can hold, computed from the request the way
//     Coraza makes the values (prune_sources.go).
//  2. The rule's variables give the union of their sources' sets; each
//     transformation, in order, maps a byte set to the bytes its output
//     can hold (prune_bytes.go: a decoder that meets its escape
//     character can make any byte).
//  3. The operator's argument gives a condition every matching value's
//     bytes meet (prune_cond.go): for a regular expression, from its
//     syntax tree (a literal needs its bytes, an alternation one of its
//     branches' needs...); for @pm, one of its phrases; for
//     @validateByteRange, a byte outside the ranges.
//
// If the transformed byte set fails the condition, no value can match.
//
// Only what is read exactly as Coraza reads it is pruned: a rule in
// phase 1 or 2, a SecRule whose text parses here, whose variables all
// map to known sources (no &counts, no TX or other state), a supported
// operator that is not negated, and known transformations. Anything
// else is left to Coraza. What an operator's rule files could change
// behind the rules' text (SecRuleUpdateTargetById and the like, another
// argument separator, default transformations) turns pruning off or
// narrows it (newPruner). TestPruneSound runs the whole CRS regression
// suite with and without pruning and asks for the same matched rules.

type pruneRule struct {
	id   int
	view int // pruner.views
	cond cond
}

// pruneView is what a rule's operator sees: its variables' sources and
// its transformations. Rules that share one share its byte set.
type pruneView struct {
	srcs    []source
	headers []int // header keys (pruner.headerKeys)
	trans   []closure
	multi   bool // multiMatch: the operator sees every stage
	body    bool // reads a body source
}

type pruner struct {
	views []pruneView
	// early: rules decided before phase 1 (phase 1 rules, and phase 2
	// rules that read no body source); late: phase 2 rules that read the
	// body, decided once it is read.
	early, late []pruneRule
	headerKeys  []string       // lower case
	headerIndex map[string]int // by lower-case and canonical key
	// argsAll: an operator file sets the argument separator, so names
	// and values are not read here.
	argsAll bool
	// formsOnly: a rule outside the recommended configuration picks a
	// body processor, so no body is read as a urlencoded form for sure.
	formsOnly bool
	states    sync.Pool
}

// pruneState is one request's scratch.
type pruneState struct {
	b     requestBytes
	views []byteSet
	done  []bool
	types []string // Content-Type values
}

// The body processor rules of Coraza's recommended configuration.
var bodyProcessorRules = map[int]bool{200000: true, 200001: true, 200006: true}

// newPruner reads the engine's rules (as Coraza's rule observer gives
// them) and the operator's rule files. It returns nil when nothing can
// be pruned. Rules the CRS tags for a paranoia level above paranoia are
// not candidates: the CRS skips them (removing them would change
// nothing, and costs a little per request); were one to run after all,
// it is evaluated as usual.
func newPruner(metas []types.RuleMetadata, files []RuleFile, paranoia int) *pruner {
	p := &pruner{headerIndex: map[string]int{}, formsOnly: true}
	noDefaults := false
	for _, f := range files {
		text := strings.ToLower(string(f.Data))
		if strings.Contains(text, "secruleupdate") {
			return nil // targets or actions changed behind the rules' text
		}
		p.argsAll = p.argsAll || strings.Contains(text, "secargumentseparator")
		noDefaults = noDefaults || strings.Contains(text, "secdefaultaction")
	}
	views := map[string]int{}
	// skipped counts, per phase, the rules still to come that a skip:N
	// before them counts: Coraza counts only the rules it does not
	// remove, so removing one would move the skip onto another.
	skipped := map[types.RulePhase]int{}
	for _, m := range metas {
		phase := m.Phase()
		counted := skipped[phase] > 0
		if counted {
			skipped[phase]--
		}
		sh, err := parseSecRule(m.Raw())
		if err != nil {
			if strings.Contains(strings.ToLower(m.Raw()), "skip:") {
				return nil // a skip pruning cannot read
			}
			continue
		}
		skipped[phase] = max(skipped[phase], sh.skip)
		if sh.bodyProc != "" && sh.bodyProc != "URLENCODED" && !bodyProcessorRules[m.ID()] {
			p.formsOnly = false
		}
		if counted || m.ID() == 0 || phase != types.PhaseRequestHeaders && phase != types.PhaseRequestBody || sh.negated ||
			noDefaults && !sh.tNone || taggedParanoia(m.Tags()) > paranoia {
			continue
		}
		c, ok := operatorCond(sh.op, sh.arg, m.File())
		if !ok {
			continue
		}
		v, ok := p.view(sh)
		if !ok {
			continue
		}
		key := viewKey(v, sh)
		i, seen := views[key]
		if !seen {
			i = len(p.views)
			views[key] = i
			p.views = append(p.views, v)
		}
		r := pruneRule{id: m.ID(), view: i, cond: compact(c)}
		if phase == types.PhaseRequestBody && v.body {
			p.late = append(p.late, r)
		} else {
			p.early = append(p.early, r)
		}
	}
	if len(p.early)+len(p.late) == 0 {
		return nil
	}
	return p
}

// taggedParanoia is the paranoia level a rule's CRS tag gives
// (paranoia-level/N), or 0.
func taggedParanoia(tags []string) int {
	for _, t := range tags {
		if n, ok := strings.CutPrefix(t, "paranoia-level/"); ok {
			if pl, err := strconv.Atoi(n); err == nil {
				return pl
			}
		}
	}
	return 0
}

// view maps a rule's variables and transformations, or says it cannot.
func (p *pruner) view(sh ruleShape) (pruneView, bool) {
	var v pruneView
	for _, rv := range sh.vars {
		srcs, ok := variableSources[rv.name]
		if !ok || rv.count {
			return v, false
		}
		if rv.name == "REQUEST_HEADERS" && rv.key != "" && !strings.HasPrefix(rv.key, "/") {
			v.headers = append(v.headers, p.headerKey(rv.key))
			continue
		}
		for _, s := range srcs {
			v.body = v.body || s.body()
			v.srcs = append(v.srcs, s)
		}
	}
	for _, t := range sh.trans {
		v.trans = append(v.trans, transformClosure(t))
	}
	v.multi = sh.multiMatch
	return v, true
}

// viewKey identifies a view: its sources, header keys and
// transformation names.
func viewKey(v pruneView, sh ruleShape) string {
	var b strings.Builder
	for _, s := range v.srcs {
		b.WriteString(strconv.Itoa(int(s)) + ",")
	}
	b.WriteString("|")
	for _, h := range v.headers {
		b.WriteString(strconv.Itoa(h) + ",")
	}
	b.WriteString("|" + strings.Join(sh.trans, ",") + "|" + strconv.FormatBool(v.multi))
	return b.String()
}

func (p *pruner) headerKey(key string) int {
	k := strings.ToLower(key)
	if i, ok := p.headerIndex[k]; ok {
		return i
	}
	i := len(p.headerKeys)
	p.headerKeys = append(p.headerKeys, k)
	p.headerIndex[k] = i
	p.headerIndex[http.CanonicalHeaderKey(k)] = i
	return i
}

// findHeader finds a header key a rule names: the key as net/http
// writes it or in lower case is a map lookup, any other spelling a
// scan.
func (p *pruner) findHeader(key string) (int, bool) {
	if i, ok := p.headerIndex[key]; ok {
		return i, true
	}
	for i, k := range p.headerKeys {
		if strings.EqualFold(k, key) {
			return i, true
		}
	}
	return 0, false
}

// operatorCond is what a match of the operator needs, or false when
// pruning does not read the operator. file is the rule's file, for
// @pmFromFile's data (read from the embedded CRS).
func operatorCond(op, arg, file string) (cond, bool) {
	switch strings.ToLower(op) {
	case "rx":
		pattern := "(?sm)" + arg
		if spellsNonUTF8(pattern) {
			return cond{}, false
		}
		return regexCond(pattern)
	case "pm":
		return phrasesCond(strings.Split(strings.ToLower(arg), " ")), true
	case "pmfromfile", "pmf":
		data, err := fs.ReadFile(coreruleset.FS, path.Join(path.Dir(file), arg))
		if err != nil || strings.Contains(arg, "..") {
			return cond{}, false
		}
		var phrases []string
		for l := range strings.Lines(string(data)) {
			if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
				phrases = append(phrases, strings.ToLower(l))
			}
		}
		return phrasesCond(phrases), true
	case "contains", "containsword", "beginswith", "endswith", "streq":
		if strings.Contains(arg, "%{") {
			return cond{}, false // a macro: known only at run time
		}
		return literalCond(arg, true), true
	case "validatebyterange":
		return byteRangeCond(arg)
	case "validateurlencoding":
		return byteCond(bytesOf("%")), true
	case "validateutf8encoding":
		return byteCond(highBytes), true
	}
	return cond{}, false
}

func (p *pruner) state() *pruneState {
	if s, ok := p.states.Get().(*pruneState); ok {
		return s
	}
	return &pruneState{
		b:     requestBytes{header: make([]byteSet, len(p.headerKeys))},
		views: make([]byteSet, len(p.views)),
		done:  make([]bool, len(p.views)),
	}
}

func (p *pruner) release(s *pruneState) {
	s.b.src = [srcCount]byteSet{}
	clear(s.b.header)
	clear(s.done)
	s.types = s.types[:0]
	p.states.Put(s)
}

// bytes is view i's byte set: its sources' union, through its
// transformations.
func (p *pruner) bytes(s *pruneState, i int) *byteSet {
	if s.done[i] {
		return &s.views[i]
	}
	v := &p.views[i]
	var set byteSet
	for _, src := range v.srcs {
		set.union(&s.b.src[src])
	}
	for _, h := range v.headers {
		set.union(&s.b.header[h])
	}
	all := set // multiMatch: the operator sees every stage
	for _, t := range v.trans {
		set = t(set)
		if v.multi {
			all.union(&set)
		}
	}
	if v.multi {
		set = all
	}
	s.views[i], s.done[i] = set, true
	return &s.views[i]
}

// remove takes out of tx each rule of rs whose condition its view's
// bytes fail, and says how many.
func (p *pruner) remove(tx ruleRemover, s *pruneState, rs []pruneRule) int {
	n := 0
	for i := range rs {
		r := &rs[i]
		if !r.cond.holds(p.bytes(s, r.view)) {
			tx.RemoveRuleByID(r.id)
			n++
		}
	}
	return n
}

// pruneEarly prunes before phase 1, from the request line and headers.
func (p *pruner) pruneEarly(tx ruleRemover, s *pruneState) int { return p.remove(tx, s, p.early) }

// pruneLate prunes the phase 2 rules that read the body, once the bytes
// Coraza is given are known.
func (p *pruner) pruneLate(tx ruleRemover, s *pruneState, body []byte) int {
	if len(p.late) == 0 {
		return 0
	}
	s.b.addBody(body, p.formsOnly && isURLEncodedForm(s.types), p.argsAll)
	for i := range p.views {
		if p.views[i].body {
			s.done[i] = false
		}
	}
	return p.remove(tx, s, p.late)
}

// headerFeed gives a transaction its request line and headers, and tells
// the pruner what it gave. With pruning off it only feeds the
// transaction.
type headerFeed struct {
	tx     types.Transaction
	p      *pruner
	s      *pruneState
	pruned int // rules taken out
}

func (e *Engine) headerFeed(tx types.Transaction) headerFeed {
	h := headerFeed{tx: tx, p: e.prune}
	if h.p != nil {
		h.s = h.p.state()
	}
	return h
}

func (h *headerFeed) target(method, uri, proto string) {
	if h.s != nil {
		h.s.b.addTarget(method, uri, proto, h.p.argsAll)
	}
}

func (h *headerFeed) add(key, value string) {
	h.tx.AddRequestHeader(key, value)
	if h.s != nil {
		h.s.addHeader(h.p, key, value)
	}
}

func (h *headerFeed) pruneEarly() {
	if h.s != nil {
		h.pruned += h.p.pruneEarly(h.tx.(ruleRemover), h.s)
	}
}

func (h *headerFeed) pruneLate(body []byte) {
	if h.s != nil {
		h.pruned += h.p.pruneLate(h.tx.(ruleRemover), h.s, body)
	}
}

func (h *headerFeed) done() {
	if h.s != nil {
		h.p.release(h.s)
		h.s = nil
	}
}
