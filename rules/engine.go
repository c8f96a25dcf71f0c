package rules

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/experimental"
	"github.com/corazawaf/coraza/v3/types"
)

// Engine is a compiled WAF: the CRS, a policy's settings and the
// operator's rules. It is safe for concurrent use. An engine is shared
// by every behavior whose Spec has the same Key; Close it once it is no
// longer used (after a reload replaced it): it is released when the
// last transaction started on it ends.
type Engine struct {
	waf        coraza.WAF
	spec       Spec
	key        string
	exclusions []exclusion
	matchLog   *matchLog
	auditLog   io.Writer
	recheck    *recheckCache // nil: off
	prune      *pruner       // nil: off (prune.go)
	// redact holds the open transactions whose logs withhold matched data.
	redact redactions

	refs      atomic.Int64 // 1 for the owner, 1 per open transaction
	closeOnce sync.Once
}

// NewEngine validates spec and compiles it with the embedded CRS. A
// fault in an operator rule file is reported as "file:line: message".
func NewEngine(spec Spec) (*Engine, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	xs, err := compileExclusions(spec.Exclusions)
	if err != nil {
		return nil, err
	}
	e := &Engine{spec: spec, key: spec.Key(), exclusions: xs, auditLog: spec.AuditLog}
	cfg := coraza.NewWAFConfig().WithRootFS(coreruleset.FS)
	if spec.MatchLog != nil {
		e.matchLog = &matchLog{w: spec.MatchLog, redact: &e.redact}
		cfg = cfg.WithErrorCallback(e.matchLog.write)
	}
	directives := spec.baseDirectives() + crsDirectives
	for _, f := range spec.Rules {
		directives += string(f.Data) + "\n"
	}
	var metas []types.RuleMetadata
	observed := experimental.WAFConfigWithRuleObserver(cfg, func(m types.RuleMetadata) { metas = append(metas, m) })
	waf, err := coraza.NewWAF(observed.WithDirectives(directives))
	if err != nil {
		if ferr := locateRuleError(cfg, &spec); ferr != nil {
			return nil, ferr
		}
		return nil, fmt.Errorf("WAF rules: %s", cleanCorazaError(err))
	}
	e.waf = waf
	e.refs.Store(1)
	if spec.recheckSafe() {
		e.recheck = newRecheckCache(spec.RecheckWindow)
	}
	tx := waf.NewTransaction()
	_, removes := tx.(ruleRemover)
	_ = tx.Close()
	if len(xs) > 0 && !removes {
		// Exclusions use the transaction's rule removal; refuse to build
		// an engine that would silently ignore them.
		closeWAF(waf)
		return nil, errors.New("WAF exclusions: this Coraza version's transactions cannot remove rules")
	}
	if removes && !spec.NoPrune {
		e.prune = newPruner(metas, spec.Rules, spec.detectionParanoia())
	}
	// Coraza keeps the observer, and with it this slice of its parser's
	// copies of the rules: let them go.
	metas = nil
	return e, nil
}

// Key is the spec's content key (Spec.Key).
func (e *Engine) Key() string { return e.key }

// Spec is what the engine was built from.
func (e *Engine) Spec() Spec { return e.spec }

// Close releases the engine once every transaction started on it has
// ended. Calling it more than once is harmless; inspecting with a closed
// engine still works (it is only released later).
func (e *Engine) Close() {
	e.closeOnce.Do(e.release)
}

// Released reports whether the engine is closed and its last transaction
// has ended, so Coraza's memory for it is released.
func (e *Engine) Released() bool { return e.refs.Load() <= 0 }

func (e *Engine) acquire() { e.refs.Add(1) }

func (e *Engine) release() {
	if e.refs.Add(-1) == 0 {
		closeWAF(e.waf)
	}
}

// newTransaction starts a transaction named id (the request id, so the
// match log lines carry it as unique_id), or a random id.
func (e *Engine) newTransaction(id string) types.Transaction {
	e.acquire()
	if id != "" {
		return e.waf.NewTransactionWithID(id)
	}
	return e.waf.NewTransaction()
}

// closeWAF releases what Coraza caches for a WAF (compiled patterns
// shared between WAFs are released with their last user).
func closeWAF(w coraza.WAF) {
	if c, ok := w.(experimental.WAFCloser); ok {
		_ = c.Close()
	}
}
