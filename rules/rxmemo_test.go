package rules

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unsafe"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
)

// TestRXCapturesReplayed: a capturing rule sees the same groups whether
// the verdict is worked out or remembered; an unmatched group is "",
// and groups past the ninth are not captured.
func TestRXCapturesReplayed(t *testing.T) {
	e, buf := siteEngine(t,
		`SecRule ARGS:v "@rx ^(\w+)-(\d+)(x)?-(a)(b)(c)(d)(e)(f)(g)$" "id:100020,phase:2,pass,log,capture,msg:'got [%{TX.0}] [%{TX.1}] [%{TX.2}] [%{TX.3}] [%{TX.8}] [%{TX.9}]'"`+"\n"+
			`SecRule ARGS:w "@rx ^(\d+)$" "id:100021,phase:2,pass,log,msg:'plain %{MATCHED_VAR}'"`+"\n")
	want := "got [order-42-abcdefg] [order] [42] [] [e] []" // TX.9 is past the ninth group
	for round := range 3 {
		buf.mu.Lock()
		buf.b.Reset()
		buf.mu.Unlock()
		e.Inspect(get("/f?v=order-42-abcdefg&w=7", nil)).Close()
		if got := buf.String(); !strings.Contains(got, want) || !strings.Contains(got, "plain 7") {
			t.Fatalf("round %d: want %q and %q in the match log:\n%s", round, want, "plain 7", got)
		}
	}
}

// TestRXMatchWithoutGroupsThenCapturing: a value remembered as a match
// from a rule that does not capture is worked out again, with groups,
// for a rule with the same pattern that captures.
func TestRXMatchWithoutGroupsThenCapturing(t *testing.T) {
	e, buf := siteEngine(t,
		`SecRule ARGS:k "@rx ^(k)(\d)$" "id:100030,phase:1,pass,log,msg:'first'"`+"\n"+
			`SecRule ARGS:k "@rx ^(k)(\d)$" "id:100031,phase:2,pass,log,capture,msg:'second %{TX.1}/%{TX.2}'"`+"\n")
	e.Inspect(get("/f?k=k5", nil)).Close()
	if got := buf.String(); !strings.Contains(got, "second k/5") {
		t.Fatalf("match log:\n%s", got)
	}
}

func TestSpellsNonUTF8(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    bool
	}{
		{`abc`, false},
		{`\x41\x42c`, false},
		{`\xff`, true},
		{`ab\xf`, false}, // the last three bytes are taken as written
		{`\xffa`, true},
		{`a\xff\xfe`, true},
		{`\x{ff}abc`, true},
		{`\x{fff}abc`, true}, // the first two digits name the byte
		{`\x{f}abc`, false},  // one digit names none
		{`\xc3\xa9abc`, false},
		{`\xc3abc`, true},
		{`\\xffabc`, true}, // a backslash not starting an escape is kept, as Coraza does
		{`[\x00-\x7f]+`, false},
		{`[\x80-\xff]+`, true},
		{`\d\w\s`, false},
		{`é+`, false},
	} {
		if got := spellsNonUTF8(c.pattern); got != c.want {
			t.Errorf("spellsNonUTF8(%q) = %v, want %v", c.pattern, got, c.want)
		}
	}
}

// TestBinaryRX: a pattern matching bytes that are not UTF-8 matches
// them, and captures them.
func TestBinaryRX(t *testing.T) {
	e, buf := siteEngine(t,
		`SecRule ARGS:b "@rx (\xff\xfe)z" "id:100040,phase:2,pass,log,capture,msg:'binary %{TX.1}'"`+"\n")
	e.Inspect(get("/f?b=a%FF%FEz", nil)).Close()
	if got := buf.String(); !strings.Contains(got, `[id "100040"]`) {
		t.Fatalf("match log:\n%s", got)
	}
}

func TestRXCache(t *testing.T) {
	c := newRXCache()
	yes := rxVerdict{matched: true, groups: []int32{0, 2}}
	c.put(1, "ab", yes)
	if v, ok := c.get(1, "ab"); !ok || !v.matched || len(v.groups) != 2 {
		t.Errorf("get after put = %+v, %v", v, ok)
	}
	if _, ok := c.get(2, "ab"); ok {
		t.Error("another pattern's verdict was given")
	}
	if _, ok := c.get(1, "ac"); ok {
		t.Error("another value's verdict was given")
	}
	long := strings.Repeat("a", rxMaxValue+1)
	c.put(1, long, yes)
	if _, ok := c.get(1, long); ok {
		t.Error("a value over rxMaxValue was kept")
	}
	// A value's bytes are copied: a buffer reused after the request
	// does not change what is remembered.
	buf := []byte("xyz")
	c.put(3, unsafe.String(&buf[0], len(buf)), yes)
	copy(buf, "abc")
	if _, ok := c.get(3, "xyz"); !ok {
		t.Error("the remembered value changed with the caller's buffer")
	}
	if _, ok := c.get(3, "abc"); ok {
		t.Error("the caller's buffer was kept, not a copy")
	}
	// Bounded: many more values than slots leave at most rxSlots entries.
	for i := range 4 * rxSlots {
		c.put(4, fmt.Sprint(i), rxVerdict{})
	}
	n := 0
	for i := range c.slots {
		if c.slots[i].entry.Load() != nil {
			n++
		}
	}
	if n > rxSlots {
		t.Errorf("%d entries", n)
	}
}

// TestRXCacheConcurrent: readers and writers racing on the same sets
// never see a verdict that is not the value's own.
func TestRXCacheConcurrent(t *testing.T) {
	c := newRXCache()
	truth := func(p uint64, v string) bool { return (len(v)+int(p))%2 == 0 }
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20000 {
				p := uint64(i % 7)
				v := strings.Repeat("v", (i*(g+1))%300)
				if got, ok := c.get(p, v); ok && got.matched != truth(p, v) {
					t.Errorf("pattern %d value of %d bytes: %v", p, len(v), got.matched)
					return
				}
				c.put(p, v, rxVerdict{matched: truth(p, v)})
			}
		}()
	}
	wg.Wait()
}

// TestMemoRXAgreesWithRegexp: for every @rx pattern of the CRS and the
// operator's rules in the suite's payloads, the operator answers what
// the regular expression answers, worked out and remembered, with the
// same groups.
func TestMemoRXAgreesWithRegexp(t *testing.T) {
	patterns := crsRXPatterns(t)
	values := []string{"", "a", "5", "home", "desk lamp", "Mozilla/5.0 (X11; Linux x86_64)", "text/html,*/*;q=0.8",
		"1' or '1'='1", "<script>alert(1)</script>", "; cat /etc/passwd", "../../etc/shadow", "${jndi:ldap://x/a}",
		"() { :; }; echo", "union select password from users--", "\xff\xfe<script>", "a\nb", "K\u212a\u017fs"}
	for _, p := range patterns {
		op, err := newMemoRX(opOptions(p))
		if err != nil {
			t.Fatalf("%q: %v", p, err)
		}
		m, ok := op.(*memoRX)
		if !ok {
			continue // bytes, not remembered
		}
		re := regexp.MustCompile("(?sm)" + p)
		for _, v := range values {
			want := re.FindStringSubmatch(v)
			for range 2 { // worked out, then remembered
				tx := &captureTx{capturing: true}
				got := m.Evaluate(tx, v)
				if got != (want != nil) {
					t.Fatalf("%q on %q: %v", p, v, got)
				}
				if got {
					n := min(len(want), maxCaptures)
					if len(tx.fields) != n {
						t.Fatalf("%q on %q: %d groups, want %d", p, v, len(tx.fields), n)
					}
					for i := range n {
						if tx.fields[i] != want[i] {
							t.Fatalf("%q on %q: group %d %q, want %q", p, v, i, tx.fields[i], want[i])
						}
					}
				}
				if m.Evaluate(&captureTx{}, v) != (want != nil) {
					t.Fatalf("%q on %q without capturing", p, v)
				}
			}
		}
	}
}

// captureTx records what an operator captures.
type captureTx struct {
	plugintypes.TransactionState
	capturing bool
	fields    []string
}

func (c *captureTx) Capturing() bool { return c.capturing }
func (c *captureTx) CaptureField(i int, v string) {
	if i != len(c.fields) {
		panic(fmt.Sprintf("group %d captured after %d", i, len(c.fields)))
	}
	c.fields = append(c.fields, v)
}

func opOptions(p string) plugintypes.OperatorOptions {
	return plugintypes.OperatorOptions{Arguments: p}
}

// crsRXPatterns is every @rx argument in the embedded CRS's rule files.
func crsRXPatterns(t *testing.T) []string {
	t.Helper()
	files, err := fs.Glob(coreruleset.FS, "@owasp_crs/*.conf")
	if err != nil || len(files) == 0 {
		t.Fatalf("CRS rule files: %v", err)
	}
	rx := regexp.MustCompile(`"!?@rx ((?:[^"\\]|\\.)*)"`)
	var out []string
	for _, f := range files {
		data, err := fs.ReadFile(coreruleset.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rx.FindAllStringSubmatch(string(data), -1) {
			out = append(out, strings.ReplaceAll(m[1], `\"`, `"`))
		}
	}
	if len(out) < 200 {
		t.Fatalf("only %d @rx patterns in the CRS", len(out))
	}
	return out
}

// siteEngine builds an engine with the CRS and rules as the operator's
// rule file, and its match log; closed when the test ends.
func siteEngine(t *testing.T, rules string) (*Engine, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	s := baseSpec()
	s.MatchLog = buf
	s.Rules = []RuleFile{{Name: "site.conf", Data: []byte(rules)}}
	e, err := NewEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e, buf
}
