package rules

import (
	"github.com/corazawaf/coraza/v3/types/variables"
	"regexp"
	"slices"
	"testing"
)

func TestParseSecRule(t *testing.T) {
	for _, c := range []struct {
		name, raw string
		vars      []ruleVar
		op, arg   string
		negated   bool
		trans     []string
		multi     bool
		skip      int
	}{
		{"CRS rule", `SecRule REQUEST_COOKIES|!REQUEST_COOKIES:/__utm/|ARGS_NAMES|ARGS|XML:/* "@rx (?i)union\s+select" "id:942100,phase:2,block,t:none,t:urlDecodeUni,t:lowercase,msg:'a, b'"`,
			[]ruleVar{{name: "REQUEST_COOKIES"}, {name: "ARGS_NAMES"}, {name: "ARGS"}, {name: "XML", key: "/*"}}, "rx", `(?i)union\s+select`, false, []string{"urldecodeuni", "lowercase"}, false, 0},
		{"bare pattern", `SecRule REQUEST_HEADERS:User-Agent "^$" "id:1,t:lowercase,t:none,t:trim"`,
			[]ruleVar{{name: "REQUEST_HEADERS", key: "User-Agent"}}, "rx", "^$", false, []string{"trim"}, false, 0},
		{"negated operator", `SecRule REQUEST_METHOD "!@within GET HEAD" "id:2"`,
			[]ruleVar{{name: "REQUEST_METHOD"}}, "within", "GET HEAD", true, nil, false, 0},
		{"escaped quote", `SecRule ARGS "@rx a\"b" "id:3,multiMatch,skip:2"`,
			[]ruleVar{{name: "ARGS"}}, "rx", `a"b`, false, nil, true, 2},
		{"count and regex key with |", `SecRule &ARGS|REQUEST_HEADERS:/^(a|b)$/ "@eq 0" "id:4"`,
			[]ruleVar{{name: "ARGS", count: true}, {name: "REQUEST_HEADERS", key: "/^(a|b)$/"}}, "eq", "0", false, nil, false, 0},
		{"quoted comma in msg", `SecRule ARGS "@pm a b" "id:5,msg:'x, t:lowercase',t:none,t:cmdLine"`,
			[]ruleVar{{name: "ARGS"}}, "pm", "a b", false, []string{"cmdline"}, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			sh, err := parseSecRule(c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sh.vars, c.vars) || sh.op != c.op || sh.arg != c.arg || sh.negated != c.negated ||
				!slices.Equal(sh.trans, c.trans) || sh.multiMatch != c.multi || sh.skip != c.skip {
				t.Errorf("got %+v", sh)
			}
		})
	}
	for _, raw := range []string{
		`SecAction "id:1,pass"`,
		`SecMarker END`,
		`SecRule ARGS`,
		`SecRule ARGS @rx "id:1"`,
		`SecRule ARGS "@rx x`,
		`SecRule ARGS "@rx x" id:1`,
		`SecRule REQUEST_HEADERS:/unclosed "@rx x" "id:1"`,
		`SecRule REQUEST_HEADERS:'quoted' "@rx x" "id:1"`,
		`SecRule AR!GS "@rx x" "id:1"`,
	} {
		if sh, err := parseSecRule(raw); err == nil {
			t.Errorf("%s: parsed as %+v, want an error", raw, sh)
		}
	}
}

func bytesOfValue(v string) *byteSet {
	s := bytesOf(v)
	return &s
}

// TestRegexCond: what a pattern needs holds for values it matches
// (sound) and fails for values without what it needs (useful).
func TestRegexCond(t *testing.T) {
	for _, c := range []struct {
		pattern     string
		match, miss []string
	}{
		{`(?i)union\s+select`, []string{"UNION SELECT", "x union\tselect"}, []string{"hello world", "union"}},
		{`<script`, []string{"<script>"}, []string{"script", "<b>"}},
		{`^$`, []string{"", "a\n\nb"}, nil},
		{`x|^$`, []string{"", "x"}, nil},
		{`a|b`, []string{"a", "b"}, []string{"c"}},
		{`[<>]`, []string{"<", ">"}, []string{"="}},
		{`(?i)k`, []string{"k", "K", "\u212a"}, []string{"x"}},
		{`é`, []string{"é"}, []string{"e", "abc"}},
		{`[^a-z]`, []string{"1", "\xff"}, []string{"abc"}},
		{`.`, []string{"x", "\n"}, []string{""}},
		{`x{0,3}y`, []string{"y", "xxy"}, []string{"xx"}},
		{`(?:cat|wget)\s`, []string{"cat ", "wget\t"}, []string{"dog ", "cat"}},
	} {
		cnd, ok := regexCond("(?sm)" + c.pattern)
		if !ok {
			t.Fatalf("%s: no cond", c.pattern)
		}
		re := regexp.MustCompile("(?sm)" + c.pattern)
		for _, v := range c.match {
			if !re.MatchString(v) {
				t.Fatalf("%s does not match %q: bad test", c.pattern, v)
			}
			if !cnd.holds(bytesOfValue(v)) {
				t.Errorf("%s matches %q, but its cond fails on its bytes", c.pattern, v)
			}
		}
		for _, v := range c.miss {
			if cnd.holds(bytesOfValue(v)) {
				t.Errorf("%s: cond holds on %q, which has nothing the pattern needs", c.pattern, v)
			}
		}
	}
	if _, ok := regexCond("(?sm)("); ok {
		t.Error("a pattern that does not compile has a cond")
	}
}

// FuzzRegexCond: a cond never fails on the bytes of a value its
// pattern matches.
func FuzzRegexCond(f *testing.F) {
	for _, s := range [][2]string{
		{`(?i)union\s+select`, "UNION SELECT"}, {`^$`, ""}, {`(?i)k`, "\u212a"}, {`[^a-z]`, "\xff"},
		{`(?:cat|wget)\s`, "wget\t"}, {`\x{e9}+`, "éé"}, {`(a|b)*c{2,}`, "abcc"}, {`\bselect\b`, "select"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		re, err := regexp.Compile("(?sm)" + pattern)
		if err != nil || !re.MatchString(value) {
			return
		}
		cnd, ok := regexCond("(?sm)" + pattern)
		if ok && !cnd.holds(bytesOfValue(value)) {
			t.Fatalf("%q matches %q, its cond says it cannot", pattern, value)
		}
	})
}

func TestPhrasesAndLiterals(t *testing.T) {
	pm := phrasesCond([]string{"wget", "/etc/passwd", "é"})
	for v, want := range map[string]bool{"WGET x": true, "cat /ETC/PASSWD": true, "\xc3": true, "hello": false, "": false} {
		if got := pm.holds(bytesOfValue(v)); got != want {
			t.Errorf("@pm on %q: holds %v, want %v", v, got, want)
		}
	}
	r, ok := byteRangeCond("1-255")
	if !ok || r.holds(bytesOfValue("abc\xff")) || !r.holds(bytesOfValue("a\x00")) {
		t.Error("@validateByteRange 1-255 should need a NUL byte")
	}
	for _, bad := range []string{"1-", "x", "300", "5-1"} {
		if _, ok := byteRangeCond(bad); ok {
			t.Errorf("byte range %q read", bad)
		}
	}
}

func TestClosures(t *testing.T) {
	for _, c := range []struct {
		trans, in, out string // out: bytes the output may hold (must be in the closure)
	}{
		{"lowercase", "ABC", "abc"},
		{"lowercase", "\u212a", "k"},
		{"uppercase", "\u017f", "S"},
		{"urlDecodeUni", "a%3Cb", "<"},
		{"urlDecode", "a+b", " "},
		{"htmlEntityDecode", "&lt;", "<"},
		{"jsDecode", `\x3c`, "<"},
		{"cmdLine", `W"G;ET`, "wg et"},
		{"utf8toUnicode", "é", "%u00e9"},
		{"compressWhitespace", "a\t\tb", "a b"},
		{"normalizePath", "a/./b/", "a/b/"},
		{"length", "abc", "3"},
		{"base64Decode", "PA==", "<"},
		{"noSuchTransformation", "a", "\x00\xff<"},
	} {
		got := transformClosure(c.trans)(bytesOf(c.in))
		for i := 0; i < len(c.out); i++ {
			if !got.has(c.out[i]) {
				t.Errorf("%s(%q) may hold %q, its closure lacks it", c.trans, c.in, c.out[i])
			}
		}
	}
	// And no more than needed where nothing is escaped.
	if got := transformClosure("urlDecodeUni")(bytesOf("abc")); got != bytesOf("abc") {
		t.Error("urlDecodeUni without % or + should keep the bytes")
	}
	if got := transformClosure("lowercase")(bytesOf("AB")); got != bytesOf("ab") {
		t.Error("lowercase of ASCII should only lower")
	}
}

func TestPruneSources(t *testing.T) {
	var b requestBytes
	b.addTarget("GET", "/a%2Fb/c?x=1+2&y=%3C&z=a=b&bad=%G1#frag", "HTTP/1.1", false)
	for _, c := range []struct {
		src     source
		has     string
		hasNone string
	}{
		{srcArgsGet, "xyz12 <ab=%G", "&+#"},
		{srcPath, "/a/bc", "?%"},
		{srcQuery, "x=1+2&%3C", "#"},
		{srcLine, "GET /a%2Fb?#frag HTTP/1.1", ""},
	} {
		s := b.src[c.src]
		for i := 0; i < len(c.has); i++ {
			if !s.has(c.has[i]) {
				t.Errorf("source %d lacks %q", c.src, c.has[i])
			}
		}
		for i := 0; i < len(c.hasNone); i++ {
			if s.has(c.hasNone[i]) {
				t.Errorf("source %d holds %q", c.src, c.hasNone[i])
			}
		}
	}
	var cookies byteSet
	addCookieBytes(&cookies, " session=abc; theme = dark ;x")
	if cookies != bytesOf("sessionabcthemedarkx") && cookies != bytesOf("sessionabcthemedarkx ") {
		t.Errorf("cookie bytes %v", cookies)
	}
	if cookies.has(';') || cookies.has('=') {
		t.Error("cookie separators are not in the values")
	}
	for _, c := range []struct {
		types []string
		want  bool
	}{
		{[]string{"application/x-www-form-urlencoded"}, true},
		{[]string{" Application/X-WWW-Form-URLEncoded ; charset=utf-8"}, true},
		{[]string{"application/x-www-form-urlencoded+json"}, false},
		{[]string{"application/x-www-form-urlencoded", "application/json"}, false},
		{[]string{"multipart/form-data; boundary=x"}, false},
		{nil, false},
	} {
		if got := isURLEncodedForm(c.types); got != c.want {
			t.Errorf("%q: urlencoded %v, want %v", c.types, got, c.want)
		}
	}
}

type countRemover struct{ n int }

func (c *countRemover) RemoveRuleByID(int) { c.n++ }
func (c *countRemover) RemoveRuleTargetByID(int, variables.RuleVariable, string, *regexp.Regexp) {
}

// BenchmarkPrune is pruning's own cost for one varied benign request:
// the request's byte sets, then every candidate rule's condition.
func BenchmarkPrune(b *testing.B) {
	p := engine(b, baseSpec()).prune
	for _, c := range []struct {
		name string
		req  func(int) *Request
		body []byte
	}{{"GET", variedGET, nil}, {"form-POST", variedPOST, []byte(benchForm)}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			var rm countRemover
			for b.Loop() {
				n++
				r := c.req(n)
				s := p.state()
				s.b.addTarget(r.Method, r.URI, r.Proto, p.argsAll)
				s.addHeader(p, "Host", r.Host)
				for k, vs := range r.Header {
					for _, v := range vs {
						s.addHeader(p, k, v)
					}
				}
				p.pruneEarly(&rm, s)
				p.pruneLate(&rm, s, c.body)
				p.release(s)
			}
			b.ReportMetric(float64(rm.n)/float64(n), "pruned/op")
		})
	}
}
