package keys

import (
	"crypto"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// t0 is the fixed "now" of the tests.
var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

var viewer = netip.MustParseAddr("192.0.2.10")

// fixture is a verifier's world: key groups and a signer for each role.
type fixture struct {
	k      *testKeys
	media  *Group // trusted
	other  *Group // not trusted by the test verifiers
	signer map[string]*Signer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	k := loadTestKeys(t)
	media, err := NewGroup("media", []Key{
		{ID: "KRSAA", Public: k.rsaA.Public()},
		{ID: "KECA", Public: k.ecA.Public()},
		{ID: "KRSAB", Public: k.rsaB.Public()},
		{ID: "KRETIRED", Public: k.ecB.Public(), NotBefore: t0.Add(-48 * time.Hour), NotAfter: t0.Add(-time.Hour)},
		{ID: "KFUTURE", Public: k.rsaB.Public(), NotBefore: t0.Add(time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewGroup("other", []Key{{ID: "KOTHER", Public: k.rsaB.Public()}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{k: k, media: media, other: other, signer: map[string]*Signer{}}
	mk := func(role, id string, h HashAlgorithm, key crypto.Signer) {
		t.Helper()
		s, err := NewSigner(id, key, h)
		if err != nil {
			t.Fatal(err)
		}
		f.signer[role] = s
	}
	mk("rsa", "KRSAA", HashDefault, k.rsaA)
	mk("rsa-sha1", "KRSAA", HashSHA1, k.rsaA)
	mk("rsa-sha256", "KRSAA", HashSHA256, k.rsaA)
	mk("ec", "KECA", HashDefault, k.ecA)
	mk("ec-sha256", "KECA", HashSHA256, k.ecA)
	mk("rsa-as-KRSAB", "KRSAB", HashDefault, k.rsaA) // wrong key id: signed by A, names B
	mk("rsa-as-KECA", "KECA", HashDefault, k.rsaA)   // RSA signature under an EC key id
	mk("other", "KOTHER", HashDefault, k.rsaB)       // key of a group the verifier does not trust
	mk("retired", "KRETIRED", HashSHA256, k.ecB)     // key past its NotAfter
	mk("future", "KFUTURE", HashDefault, k.rsaB)     // key before its NotBefore
	mk("unknown", "KNOSUCHKEY", HashDefault, k.rsaA) // id in no group
	return f
}

func (f *fixture) verifier(t testing.TB, now time.Time, skew time.Duration, cache int) *Verifier {
	t.Helper()
	v, err := NewVerifier(VerifierConfig{Groups: []*Group{f.media}, ClockSkew: skew, Now: func() time.Time { return now }, CacheSize: cache})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// toRequest splits an absolute URL into a Request from the test viewer.
func toRequest(u string, cookies ...string) *Request {
	scheme, rest, _ := strings.Cut(u, "://")
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		i = len(rest)
	}
	path, query, _ := strings.Cut(rest[i:], "?")
	return &Request{Scheme: scheme, Host: rest[:i], RawPath: path, RawQuery: query, Cookie: cookies, ClientIP: viewer}
}

// signedURL signs u with a canned policy.
func (f *fixture) signedURL(t testing.TB, role, u string, exp time.Time) string {
	t.Helper()
	s, err := f.signer[role].SignURL(u, exp)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// customURL signs u with a custom policy.
func (f *fixture) customURL(t testing.TB, role, u string, p Policy) string {
	t.Helper()
	s, err := f.signer[role].SignURLWithPolicy(u, p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawPolicyURL signs an arbitrary policy document (well-formed or not) and
// appends it to u.
func (f *fixture) rawPolicyURL(t testing.TB, role, u, doc string) string {
	t.Helper()
	s := f.signer[role]
	sig, err := s.sign([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return s.appendParams(u, "Policy="+encodeCF([]byte(doc)), sig)
}

// cookieLine signs cookies for p and joins them into one Cookie line.
func (f *fixture) cookieLine(t testing.TB, role string, p Policy, canned bool) string {
	t.Helper()
	cs, err := f.signer[role].SignCookies(p, canned)
	if err != nil {
		t.Fatal(err)
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Name + "=" + c.Value
	}
	return strings.Join(parts, "; ")
}

// param returns the value of the first query parameter name in u.
func param(u, name string) string {
	_, q, _ := strings.Cut(u, "?")
	for seg := range strings.SplitSeq(q, "&") {
		if k, v, _ := strings.Cut(seg, "="); k == name {
			return v
		}
	}
	return ""
}

// setParam replaces the value of query parameter name in u.
func setParam(u, name, value string) string {
	base, q, _ := strings.Cut(u, "?")
	segs := strings.Split(q, "&")
	for i, seg := range segs {
		if k, _, _ := strings.Cut(seg, "="); k == name {
			segs[i] = name + "=" + value
		}
	}
	return base + "?" + strings.Join(segs, "&")
}

// flip changes one character of a base64 value in the middle.
func flip(v string) string {
	b := []byte(v)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }
