package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestNewGroup(t *testing.T) {
	k := loadTestKeys(t)
	rsaPub, ecPub := k.rsaA.Public(), k.ecA.Public()
	edPub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public()
	//lint:ignore SA1019 building an invalid key is the point: NewGroup must refuse it
	offCurve := &ecdsa.PublicKey{Curve: k.ecA.Curve, X: big.NewInt(1), Y: big.NewInt(1)}
	tooMany := make([]Key, MaxKeysPerGroup+1)
	for i := range tooMany {
		tooMany[i] = Key{ID: "K" + strings.Repeat("A", i+1), Public: rsaPub}
	}
	ok := func(id string) Key { return Key{ID: id, Public: rsaPub} }
	cases := []struct {
		name    string
		group   string
		keys    []Key
		wantErr string // "" accepts
	}{
		{"one RSA key", "g", []Key{ok("K1")}, ""},
		{"RSA and EC with windows", "g", []Key{ok("K1"), {ID: "K2", Public: ecPub, NotBefore: t0, NotAfter: t0.Add(time.Hour)}}, ""},
		{"the most keys", "g", tooMany[:MaxKeysPerGroup], ""},
		{"empty name", "", []Key{ok("K1")}, "empty name"},
		{"control byte in name", "a\nb", []Key{ok("K1")}, "printable"},
		{"no keys", "g", nil, "no keys"},
		{"too many keys", "g", tooMany, "at most 10"},
		{"empty id", "g", []Key{ok("")}, "empty key id"},
		{"id with a dash", "g", []Key{ok("K-1")}, "letters and digits"},
		{"id too long", "g", []Key{ok(strings.Repeat("K", MaxKeyIDLen+1))}, "letters and digits"},
		{"duplicate id", "g", []Key{ok("K1"), {ID: "K1", Public: ecPub}}, "already key 0"},
		{"no public key", "g", []Key{{ID: "K1"}}, "no public key"},
		{"RSA 1024", "g", []Key{{ID: "K1", Public: k.rsa1024.Public()}}, "1024 bits"},
		{"RSA nil", "g", []Key{{ID: "K1", Public: (*rsa.PublicKey)(nil)}}, "nil RSA"},
		{"RSA even exponent", "g", []Key{{ID: "K1", Public: &rsa.PublicKey{N: k.rsaA.N, E: 4}}}, "exponent"},
		{"ECDSA P-384", "g", []Key{{ID: "K1", Public: k.ec384.Public()}}, "P-384"},
		{"ECDSA off the curve", "g", []Key{{ID: "K1", Public: offCurve}}, "ECDSA key"},
		{"Ed25519", "g", []Key{{ID: "K1", Public: edPub}}, "ed25519"},
		{"private key as public", "g", []Key{{ID: "K1", Public: k.rsaA}}, "*rsa.PrivateKey"},
		{"NotBefore == NotAfter", "g", []Key{{ID: "K1", Public: rsaPub, NotBefore: t0, NotAfter: t0}}, "not after NotBefore"},
		{"NotBefore after NotAfter", "g", []Key{{ID: "K1", Public: rsaPub, NotBefore: t0.Add(time.Hour), NotAfter: t0}}, "not after NotBefore"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := NewGroup(c.group, c.keys)
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if g.Name() != c.group || len(g.Keys()) != len(c.keys) {
					t.Fatalf("group %q with %d keys", g.Name(), len(g.Keys()))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

func TestGroupKeysIsACopy(t *testing.T) {
	k := loadTestKeys(t)
	g, err := NewGroup("g", []Key{{ID: "K1", Public: k.rsaA.Public()}})
	must(t, err)
	g.Keys()[0].ID = "X"
	if g.Keys()[0].ID != "K1" {
		t.Fatal("Keys exposes the group's slice")
	}
}

func TestNewVerifier(t *testing.T) {
	k := loadTestKeys(t)
	group := func(name string, keys ...Key) *Group {
		g, err := NewGroup(name, keys)
		must(t, err)
		return g
	}
	a := group("a", Key{ID: "K1", Public: k.rsaA.Public()})
	b := group("b", Key{ID: "K2", Public: k.ecA.Public()})
	sameID := group("c", Key{ID: "K1", Public: k.rsaA.Public(), NotAfter: t0})
	clash := group("d", Key{ID: "K1", Public: k.rsaB.Public()})
	five := []*Group{a, b, group("e", Key{ID: "K3", Public: k.ecB.Public()}), group("f", Key{ID: "K4", Public: k.rsaB.Public()}), group("h", Key{ID: "K5", Public: k.ecA.Public()})}
	cases := []struct {
		name    string
		cfg     VerifierConfig
		wantErr string
	}{
		{"one group", VerifierConfig{Groups: []*Group{a}}, ""},
		{"four groups, skew, cache", VerifierConfig{Groups: five[:4], ClockSkew: time.Minute, CacheSize: 5}, ""},
		{"same id and key in two groups", VerifierConfig{Groups: []*Group{a, sameID}}, ""},
		{"no groups", VerifierConfig{}, "no key groups"},
		{"five groups", VerifierConfig{Groups: five}, "at most 4"},
		{"nil group", VerifierConfig{Groups: []*Group{a, nil}}, "nil"},
		{"zero group", VerifierConfig{Groups: []*Group{{}}}, "nil"},
		{"group twice", VerifierConfig{Groups: []*Group{a, a}}, "listed twice"},
		{"one id, two keys", VerifierConfig{Groups: []*Group{a, clash}}, "different public keys"},
		{"negative skew", VerifierConfig{Groups: []*Group{a}, ClockSkew: -time.Second}, "clock skew"},
		{"skew over an hour", VerifierConfig{Groups: []*Group{a}, ClockSkew: 61 * time.Minute}, "clock skew"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := NewVerifier(c.cfg)
			if c.wantErr == "" {
				if err != nil || v == nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

// TestKeyInSeveralGroups: the key is accepted while any group's window
// for it is open, and the Grant names that group.
func TestKeyInSeveralGroups(t *testing.T) {
	k := loadTestKeys(t)
	old, err := NewGroup("old", []Key{{ID: "K1", Public: k.rsaA.Public(), NotAfter: t0}})
	must(t, err)
	cur, err := NewGroup("current", []Key{{ID: "K1", Public: k.rsaA.Public(), NotBefore: t0}})
	must(t, err)
	s, err := NewSigner("K1", k.rsaA, HashDefault)
	must(t, err)
	u, err := s.SignURL(base+"/a", t0.Add(48*time.Hour))
	must(t, err)
	for _, c := range []struct {
		now   time.Time
		group string
	}{{t0.Add(-time.Hour), "old"}, {t0, "current"}, {t0.Add(time.Hour), "current"}} {
		v, err := NewVerifier(VerifierConfig{Groups: []*Group{old, cur}, Now: func() time.Time { return c.now }})
		must(t, err)
		g, e := v.Verify(toRequest(u))
		if e != nil {
			t.Fatal(e)
		}
		if g.Group != c.group {
			t.Errorf("at %v: group %q, want %q", c.now, g.Group, c.group)
		}
	}
}

// TestKeyWindowSkew: the clock skew widens a key's window on both sides.
func TestKeyWindowSkew(t *testing.T) {
	k := Key{NotBefore: t0, NotAfter: t0.Add(time.Hour)}
	for _, c := range []struct {
		at   time.Time
		skew time.Duration
		want bool
	}{
		{t0, 0, true},
		{t0.Add(-time.Second), 0, false},
		{t0.Add(-time.Second), time.Second, true},
		{t0.Add(time.Hour), 0, false},
		{t0.Add(time.Hour - time.Nanosecond), 0, true},
		{t0.Add(time.Hour), time.Second, true},
		{t0.Add(time.Hour + time.Second), time.Second, false},
	} {
		if got := k.inWindow(c.at, c.skew); got != c.want {
			t.Errorf("inWindow(%v, %v) = %v", c.at, c.skew, got)
		}
	}
}
