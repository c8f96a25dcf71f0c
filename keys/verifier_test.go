package keys

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

const base = "https://d.test"

type verifyCase struct {
	name string
	req  *Request
	now  time.Time // zero: t0
	skew time.Duration
	want Reason // "" accepts
	msg  string // the Message wanted, when set
	// for accepted requests
	source, policy string
	hash           HashAlgorithm
}

// verifyCases is the table: one refusing case per check, then the
// accepting ones. The fuzz targets are seeded from it.
func verifyCases(t testing.TB, f *fixture) []verifyCase {
	exp := t0.Add(time.Hour)
	obj := base + "/videos/a.mp4"
	canned := f.signedURL(t, "rsa", obj, exp)
	custom := func(role string, p Policy) string { return f.customURL(t, role, obj, p) }
	wild := Policy{Resource: base + "/videos/*", DateLessThan: exp}
	withIP := func(ip string) Policy { p := wild; p.IPAddress = ip; return p }
	fromIP := func(r *Request, ip string) *Request { r.ClientIP = netip.MustParseAddr(ip); return r }
	raw := func(doc string) *Request { return toRequest(f.rawPolicyURL(t, "rsa", obj, doc)) }
	stmt := func(cond string) string {
		return `{"Statement":[{"Resource":"https://d.test/videos/*","Condition":{` + cond + `}}]}`
	}
	dlt := `"DateLessThan":{"AWS:EpochTime":1795352400}` // t0 + 1h
	if e := exp.Unix(); e != 1795352400 {
		t.Fatalf("exp epoch %d; fix the constants", e)
	}

	// A custom policy for /a, replayed on /b.
	forA := f.customURL(t, "rsa", base+"/a", Policy{Resource: base + "/a", DateLessThan: exp})
	// The tampered policy: same signature, a later DateLessThan.
	tamperedDoc := strings.Replace(string(mustDecode(t, param(custom("rsa", wild), "Policy"))), "1795352400", "1895352400", 1)
	tampered := setParam(custom("rsa", wild), "Policy", encodeCF([]byte(tamperedDoc)))

	return []verifyCase{
		// --- refused, one per check ---
		{name: "unsigned", req: toRequest(obj), want: ReasonMissing, msg: MessageMissingKeyPairID},
		{name: "missing Key-Pair-Id", req: toRequest(strings.Replace(canned, "&Key-Pair-Id=KRSAA", "", 1)), want: ReasonMissing, msg: MessageMissingKeyPairID},
		{name: "empty Key-Pair-Id", req: toRequest(setParam(canned, "Key-Pair-Id", "")), want: ReasonMissing, msg: MessageMissingKeyPairID},
		{name: "missing Signature", req: toRequest(strings.Replace(canned, "&Signature="+param(canned, "Signature"), "", 1)), want: ReasonMissing, msg: MessageMissingSignature},
		{name: "neither Expires nor Policy", req: toRequest(strings.Replace(canned, "Expires="+param(canned, "Expires")+"&", "", 1)), want: ReasonMissing, msg: MessageMissingPolicy},
		{name: "only Hash-Algorithm in URL, cookies ignored", req: toRequest(obj+"?Hash-Algorithm=SHA1", f.cookieLine(t, "rsa", CannedPolicy(obj, exp), true)), want: ReasonMissing},
		{name: "Expires and Policy both", req: toRequest(custom("rsa", wild) + "&Expires=" + param(canned, "Expires")), want: ReasonMalformed, msg: MessageMalformedPolicy},
		{name: "expired canned", req: toRequest(f.signedURL(t, "rsa", obj, t0.Add(-time.Second))), want: ReasonExpired, msg: MessageAccessDenied},
		{name: "expired custom", req: toRequest(custom("rsa", Policy{Resource: wild.Resource, DateLessThan: t0.Add(-time.Minute)})), want: ReasonExpired},
		{name: "now == DateLessThan canned", req: toRequest(f.signedURL(t, "rsa", obj, t0)), want: ReasonExpired},
		{name: "now == DateLessThan custom", req: toRequest(custom("ec", Policy{Resource: wild.Resource, DateLessThan: t0})), want: ReasonExpired},
		{name: "expired beyond the skew", req: toRequest(f.signedURL(t, "rsa", obj, t0.Add(-31*time.Second))), skew: 30 * time.Second, want: ReasonExpired},
		{name: "not yet valid", req: toRequest(custom("rsa", Policy{Resource: wild.Resource, DateLessThan: exp, DateGreaterThan: t0.Add(10 * time.Minute)})), want: ReasonNotYetValid},
		{name: "tampered signature", req: toRequest(setParam(canned, "Signature", flip(param(canned, "Signature")))), want: ReasonBadSignature, msg: MessageAccessDenied},
		{name: "tampered policy", req: toRequest(tampered), want: ReasonBadSignature},
		{name: "tampered Expires", req: toRequest(setParam(canned, "Expires", "1895352400")), want: ReasonBadSignature},
		{name: "wrong key id", req: toRequest(f.signedURL(t, "rsa-as-KRSAB", obj, exp)), want: ReasonBadSignature},
		{name: "RSA signature under an EC key id", req: toRequest(f.signedURL(t, "rsa-as-KECA", obj, exp)), want: ReasonBadSignature},
		{name: "SHA1 signature presented as SHA256", req: toRequest(canned + "&Hash-Algorithm=SHA256"), want: ReasonBadSignature},
		{name: "SHA256 signature presented as SHA1", req: toRequest(strings.Replace(f.signedURL(t, "rsa-sha256", obj, exp), "Hash-Algorithm=SHA256", "Hash-Algorithm=SHA1", 1)), want: ReasonBadSignature},
		{name: "SHA256 signature without Hash-Algorithm", req: toRequest(strings.Replace(f.signedURL(t, "ec-sha256", obj, exp), "&Hash-Algorithm=SHA256", "", 1)), want: ReasonBadSignature},
		{name: "canned replayed on another path", req: toRequest(strings.Replace(canned, "/videos/a.mp4", "/videos/b.mp4", 1)), want: ReasonBadSignature},
		{name: "canned replayed on another host", req: toRequest(strings.Replace(canned, "d.test", "e.test", 1)), want: ReasonBadSignature},
		{name: "canned replayed over http", req: toRequest(strings.Replace(canned, "https:", "http:", 1)), want: ReasonBadSignature},
		{name: "canned with a query added", req: toRequest(strings.Replace(canned, "a.mp4?", "a.mp4?x=1&", 1)), want: ReasonBadSignature},
		{name: "key not in the verifier's groups", req: toRequest(f.signedURL(t, "other", obj, exp)), want: ReasonUnknownKey, msg: MessageUnknownKey},
		{name: "key id in no group", req: toRequest(f.signedURL(t, "unknown", obj, exp)), want: ReasonUnknownKey, msg: MessageUnknownKey},
		{name: "retired key", req: toRequest(f.signedURL(t, "retired", obj, exp)), want: ReasonUnknownKey, msg: MessageUnknownKey},
		{name: "key before its window", req: toRequest(f.signedURL(t, "future", obj, exp)), want: ReasonUnknownKey},
		{name: "key id case differs", req: toRequest(strings.Replace(canned, "Key-Pair-Id=KRSAA", "Key-Pair-Id=krsaa", 1)), want: ReasonUnknownKey},
		{name: "IP mismatch v4", req: toRequest(custom("rsa", withIP("203.0.113.0/24"))), want: ReasonIPMismatch, msg: MessageAccessDenied},
		{name: "IP mismatch v6", req: fromIP(toRequest(custom("ec-sha256", withIP("2001:db8::/32"))), "2001:db9::1"), want: ReasonIPMismatch},
		{name: "IPv6 viewer, IPv4 policy", req: fromIP(toRequest(custom("rsa", withIP("192.0.2.0/24"))), "2001:db8::10"), want: ReasonIPMismatch},
		{name: "IPv4 viewer, IPv6 policy", req: toRequest(custom("rsa", withIP("::/0"))), want: ReasonIPMismatch},
		{name: "IP policy, no viewer address", req: fromIP2(toRequest(custom("rsa", withIP("0.0.0.0/0")))), want: ReasonIPMismatch},
		{name: "resource mismatch: /a replayed on /b", req: toRequest(strings.Replace(forA, "/a?", "/b?", 1)), want: ReasonResourceMismatch, msg: MessageAccessDenied},
		{name: "resource mismatch: other prefix", req: toRequest(strings.Replace(f.customURL(t, "rsa", base+"/other/a", Policy{Resource: base + "/other/*", DateLessThan: exp}), "/other/", "/videos/", 1)), want: ReasonResourceMismatch},
		{name: "wildcard never matches a dot-segment", req: toRequest(strings.Replace(custom("rsa", wild), "/videos/a.mp4", "/videos/../private/a.mp4", 1)), want: ReasonResourceMismatch},
		{name: "wildcard never matches an encoded dot-segment", req: toRequest(strings.Replace(custom("rsa", wild), "/videos/a.mp4", "/videos/%2E%2e/private/a.mp4", 1)), want: ReasonResourceMismatch},
		{name: "wildcard never matches an encoded slash", req: toRequest(strings.Replace(custom("rsa", wild), "/videos/a.mp4", "/videos/..%2fprivate", 1)), want: ReasonResourceMismatch},
		{name: "duplicate Signature", req: toRequest(canned + "&Signature=" + param(canned, "Signature")), want: ReasonMalformed},
		{name: "duplicate Key-Pair-Id", req: toRequest(canned + "&Key-Pair-Id=KRSAA"), want: ReasonMalformed},
		{name: "duplicate cookie", req: toRequest(obj, f.cookieLine(t, "rsa", CannedPolicy(obj, exp), true), "CloudFront-Key-Pair-Id=KRSAA"), want: ReasonMalformed},
		{name: "encoded parameter name", req: toRequest(canned + "&Expire%73=1"), want: ReasonMalformed},
		{name: "malformed base64 signature", req: toRequest(setParam(canned, "Signature", "abc!"+param(canned, "Signature")[4:])), want: ReasonMalformed},
		{name: "standard base64 signature", req: toRequest(setParam(canned, "Signature", strings.NewReplacer("-", "+", "~", "/").Replace(param(canned, "Signature")))), want: ReasonMalformed},
		{name: "malformed base64 policy", req: toRequest(setParam(custom("rsa", wild), "Policy", "eyJ=")), want: ReasonMalformed},
		{name: "bad percent-encoding", req: toRequest(setParam(canned, "Signature", "%zz")), want: ReasonMalformed},
		{name: "Expires not an integer", req: toRequest(setParam(canned, "Expires", "1795352400.0")), want: ReasonMalformed},
		{name: "Expires with a leading zero", req: toRequest(setParam(canned, "Expires", "01795352400")), want: ReasonMalformed},
		{name: "Expires negative", req: toRequest(setParam(canned, "Expires", "-1")), want: ReasonMalformed},
		{name: "unknown Hash-Algorithm", req: toRequest(canned + "&Hash-Algorithm=MD5"), want: ReasonMalformed, msg: MessageBadHashAlgorithm},
		{name: "lower-case Hash-Algorithm", req: toRequest(strings.Replace(f.signedURL(t, "rsa-sha256", obj, exp), "SHA256", "sha256", 1)), want: ReasonMalformed},
		{name: "empty Hash-Algorithm", req: toRequest(canned + "&Hash-Algorithm="), want: ReasonMalformed},
		{name: "policy over 4 KiB", req: toRequest(setParam(custom("rsa", wild), "Policy", strings.Repeat("A", maxPolicyParam+4))), want: ReasonMalformed},
		{name: "policy: not JSON", req: raw(`{"Statement":[`), want: ReasonMalformed, msg: MessageMalformedPolicy},
		{name: "policy: two statements", req: raw(`{"Statement":[{"Condition":{` + dlt + `}},{"Condition":{` + dlt + `}}]}`), want: ReasonMalformed},
		{name: "policy: no statement", req: raw(`{"Statement":[]}`), want: ReasonMalformed},
		{name: "policy: unknown key", req: raw(stmt(dlt + `,"DateLessThen":{"AWS:EpochTime":1}`)), want: ReasonMalformed},
		{name: "policy: duplicate key", req: raw(stmt(dlt + `,` + dlt)), want: ReasonMalformed},
		{name: "policy: float epoch", req: raw(stmt(`"DateLessThan":{"AWS:EpochTime":1795352400.5}`)), want: ReasonMalformed},
		{name: "policy: exponent epoch", req: raw(stmt(`"DateLessThan":{"AWS:EpochTime":1.7953524e9}`)), want: ReasonMalformed},
		{name: "policy: string epoch", req: raw(stmt(`"DateLessThan":{"AWS:EpochTime":"1795352400"}`)), want: ReasonMalformed},
		{name: "policy: no DateLessThan", req: raw(stmt(`"DateGreaterThan":{"AWS:EpochTime":1}`)), want: ReasonMalformed},
		{name: "policy: bad CIDR", req: raw(stmt(`"IpAddress":{"AWS:SourceIp":"192.0.2.0/33"},` + dlt)), want: ReasonMalformed},
		{name: "policy: trailing data", req: raw(stmt(dlt) + `{}`), want: ReasonMalformed},
		{name: "policy: empty Resource", req: raw(`{"Statement":[{"Resource":"","Condition":{` + dlt + `}}]}`), want: ReasonMalformed},
		{name: "policy: null Condition", req: raw(`{"Statement":[{"Resource":"*","Condition":null}]}`), want: ReasonMalformed},
		{name: "request: Host with a slash", req: func() *Request { r := toRequest(canned); r.Host = "d.test/videos"; r.RawPath = "/a.mp4"; return r }(), want: ReasonMalformed},
		{name: "request: path without a slash", req: func() *Request { r := toRequest(canned); r.RawPath = "videos/a.mp4"; return r }(), want: ReasonMalformed},

		// --- accepted ---
		{name: "canned, SDK order", req: toRequest(canned), source: SourceURL, policy: PolicyCanned, hash: HashDefault},
		{name: "canned, Key-Pair-Id before Signature", req: toRequest(reorder(canned, "Key-Pair-Id", "Signature", "Expires")), source: SourceURL, policy: PolicyCanned},
		{name: "canned, parameters before the own query", req: reorderOwn(t, f, obj+"?v=2&w=3", exp), source: SourceURL, policy: PolicyCanned},
		{name: "canned with own query", req: toRequest(f.signedURL(t, "rsa", obj+"?v=2&w=%20x", exp)), policy: PolicyCanned},
		{name: "canned, URL ending in ?", req: toRequest(f.signedURL(t, "rsa", obj+"?", exp)), policy: PolicyCanned},
		{name: "canned, explicit SHA1", req: toRequest(f.signedURL(t, "rsa-sha1", obj, exp)), hash: HashSHA1},
		{name: "canned, percent-encoded signature", req: toRequest(setParam(canned, "Signature", strings.ReplaceAll(param(canned, "Signature"), "~", "%7E"))), policy: PolicyCanned},
		{name: "canned within the skew", req: toRequest(f.signedURL(t, "rsa", obj, t0.Add(-29*time.Second))), skew: 30 * time.Second},
		{name: "custom", req: toRequest(custom("rsa", wild)), source: SourceURL, policy: PolicyCustom},
		{name: "custom, Key-Pair-Id first", req: toRequest(reorder(custom("rsa", wild), "Key-Pair-Id", "Policy", "Signature")), policy: PolicyCustom},
		{name: "custom, no Resource", req: raw(`{"Statement":[{"Condition":{` + dlt + `}}]}`), policy: PolicyCustom},
		{name: "custom, whitespace and JS key order", req: raw("{\"Statement\": [{\"Resource\": \"https://d.test/videos/*\",\n \"Condition\": {" + dlt + `, "DateGreaterThan": {"AWS:EpochTime": 1}}}]}`), policy: PolicyCustom},
		{name: "custom, started", req: toRequest(custom("rsa", Policy{Resource: wild.Resource, DateLessThan: exp, DateGreaterThan: t0})), policy: PolicyCustom},
		{name: "custom, not yet valid but within the skew", req: toRequest(custom("rsa", Policy{Resource: wild.Resource, DateLessThan: exp, DateGreaterThan: t0.Add(20 * time.Second)})), skew: 30 * time.Second},
		{name: "custom, IPv4 CIDR", req: toRequest(custom("rsa", withIP("192.0.2.0/24")))},
		{name: "custom, bare IPv4", req: toRequest(custom("rsa", withIP("192.0.2.10")))},
		{name: "custom, IPv4-mapped viewer", req: fromIP(toRequest(custom("rsa", withIP("192.0.2.0/24"))), "::ffff:192.0.2.10")},
		{name: "custom, IPv6 CIDR", req: fromIP(toRequest(custom("ec-sha256", withIP("2001:db8::/32"))), "2001:db8::1")},
		{name: "custom, http* scheme", req: toRequest(f.customURL(t, "rsa", "http://d.test/videos/a.mp4", Policy{Resource: "http*://d.test/videos/*", DateLessThan: exp}))},
		{name: "custom, wildcard with query", req: toRequest(f.customURL(t, "rsa", obj+"?quality=hd&start=10", Policy{Resource: base + "/videos/*?quality=hd*", DateLessThan: exp}))},
		{name: "custom, ? wildcard", req: toRequest(f.customURL(t, "rsa", base+"/videos/a1.mp4", Policy{Resource: base + "/videos/a?.mp4", DateLessThan: exp}))},
		{name: "custom, canned policy as the Go SDK emits it", req: toRequest(custom("rsa", CannedPolicy(obj, exp))), policy: PolicyCustom},
		{name: "custom, exact Resource on a dot-segment path", req: toRequest(f.customURL(t, "rsa", base+"/videos/../a", Policy{Resource: base + "/videos/../a", DateLessThan: exp}))},
		{name: "RSA SHA256 URL", req: toRequest(f.signedURL(t, "rsa-sha256", obj, exp)), hash: HashSHA256},
		{name: "ECDSA SHA1 URL", req: toRequest(f.signedURL(t, "ec", obj, exp)), hash: HashDefault},
		{name: "ECDSA SHA256 URL", req: toRequest(f.signedURL(t, "ec-sha256", obj, exp)), hash: HashSHA256},
		{name: "ECDSA SHA256 custom URL", req: toRequest(custom("ec-sha256", wild)), hash: HashSHA256, policy: PolicyCustom},
		{name: "cookie, CloudFront-Expires", req: toRequest(obj, f.cookieLine(t, "rsa", CannedPolicy(obj, exp), true)), source: SourceCookie, policy: PolicyCanned},
		{name: "cookie, canned policy in CloudFront-Policy", req: toRequest(obj, f.cookieLine(t, "rsa", CannedPolicy(obj, exp), false)), source: SourceCookie, policy: PolicyCustom},
		{name: "cookie, custom", req: toRequest(obj+"?x=1", f.cookieLine(t, "rsa", wild, false)), source: SourceCookie, policy: PolicyCustom},
		{name: "cookie, RSA SHA256", req: toRequest(obj, f.cookieLine(t, "rsa-sha256", wild, false)), source: SourceCookie, hash: HashSHA256},
		{name: "cookie, ECDSA SHA256 canned", req: toRequest(obj, f.cookieLine(t, "ec-sha256", CannedPolicy(obj, exp), true)), source: SourceCookie, hash: HashSHA256},
		{name: "cookie, ECDSA SHA256 custom", req: toRequest(obj, f.cookieLine(t, "ec-sha256", wild, false)), source: SourceCookie, hash: HashSHA256},
		{name: "cookies over several lines among others", req: toRequest(obj, append([]string{"session=1"}, strings.Split(f.cookieLine(t, "rsa", wild, false), "; ")...)...), source: SourceCookie},
		{name: "URL wins over bad cookies", req: toRequest(canned, "CloudFront-Policy=zzz; CloudFront-Signature=zzz; CloudFront-Key-Pair-Id=KNOPE"), source: SourceURL},
		{name: "URL wins over good cookies", req: toRequest(setParam(canned, "Signature", flip(param(canned, "Signature"))), f.cookieLine(t, "rsa", wild, false)), want: ReasonBadSignature},
	}
}

func fromIP2(r *Request) *Request { r.ClientIP = netip.Addr{}; return r }

func mustDecode(t testing.TB, s string) []byte {
	t.Helper()
	b, err := decodeCF(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reorder rewrites u's query with the named parameters first, in order.
func reorder(u string, first ...string) string {
	base, q, _ := strings.Cut(u, "?")
	var head, tail []string
	for _, n := range first {
		head = append(head, n+"="+param(u, n))
	}
	for seg := range strings.SplitSeq(q, "&") {
		k, _, _ := strings.Cut(seg, "=")
		if !strings.Contains(strings.Join(first, "\x00")+"\x00", k+"\x00") {
			tail = append(tail, seg)
		}
	}
	return base + "?" + strings.Join(append(head, tail...), "&")
}

// reorderOwn signs u and moves the signing parameters in front of and
// between u's own parameters.
func reorderOwn(t testing.TB, f *fixture, u string, exp time.Time) *Request {
	s := f.signedURL(t, "rsa", u, exp)
	r := toRequest(s)
	r.RawQuery = "Signature=" + param(s, "Signature") + "&v=2&Key-Pair-Id=KRSAA&w=3&Expires=" + param(s, "Expires")
	return r
}

func TestVerify(t *testing.T) {
	f := newFixture(t)
	for _, c := range verifyCases(t, f) {
		t.Run(c.name, func(t *testing.T) {
			now := c.now
			if now.IsZero() {
				now = t0
			}
			// Uncached, then twice through a cache: the second run is a hit
			// when the signature verified, and must decide the same.
			for i, v := range []*Verifier{f.verifier(t, now, c.skew, -1), f.verifier(t, now, c.skew, 0)} {
				for j := 0; j < 1+i; j++ {
					g, err := v.Verify(c.req)
					checkOutcome(t, c, g, err)
				}
			}
		})
	}
}

func checkOutcome(t *testing.T, c verifyCase, g *Grant, err *Error) {
	t.Helper()
	if c.want == "" {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		if g == nil {
			t.Fatal("nil Grant without an error")
		}
		if c.source != "" && g.Source != c.source {
			t.Errorf("Source %q, want %q", g.Source, c.source)
		}
		if c.policy != "" && g.Policy != c.policy {
			t.Errorf("Policy %q, want %q", g.Policy, c.policy)
		}
		if c.hash != 0 && g.Hash != c.hash {
			t.Errorf("Hash %v, want %v", g.Hash, c.hash)
		}
		if g.Group != "media" || g.KeyID == "" || g.Expires.IsZero() {
			t.Errorf("incomplete Grant %+v", g)
		}
		return
	}
	if err == nil {
		t.Fatalf("accepted (%+v), want %s", g, c.want)
	}
	if g != nil {
		t.Errorf("a Grant with an error")
	}
	if err.Reason != c.want {
		t.Fatalf("reason %s, want %s (%v)", err.Reason, c.want, err)
	}
	if c.msg != "" && err.Message != c.msg {
		t.Errorf("message %q, want %q", err.Message, c.msg)
	}
	if err.Message == "" || err.Detail == "" {
		t.Errorf("empty Message or Detail: %+v", err)
	}
}
