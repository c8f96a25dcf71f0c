package rules

import (
	"net/http"
	"net/netip"
	"testing"
	"time"
)

func recheckSpec() Spec {
	s := baseSpec()
	s.RecheckWindow = time.Second
	return s
}

// evaluated reports whether Inspect ran a transaction for r (a cache
// hit runs none).
func evaluated(t *testing.T, e *Engine, r *Request) (*Verdict, bool) {
	t.Helper()
	v := e.Inspect(r)
	ran := v.tx != nil
	v.Close()
	return v, ran
}

func TestRecheckCache(t *testing.T) {
	e, err := NewEngine(recheckSpec())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	clock := time.Unix(1000, 0)
	e.recheck.now = func() time.Time { return clock }

	if _, ran := evaluated(t, e, get("/a?x=1", nil)); !ran {
		t.Fatal("the first request was not evaluated")
	}
	if v, ran := evaluated(t, e, get("/a?x=1", nil)); ran || !v.Allowed {
		t.Errorf("an identical request within the window: evaluated %v allowed %v, want a cached allow", ran, v.Allowed)
	}
	for name, r := range map[string]*Request{
		"another query":        get("/a?x=2", nil),
		"another header value": get("/a?x=1", http.Header{"Cookie": {"a=1"}}),
		"another method":       func() *Request { r := get("/a?x=1", nil); r.Method = "HEAD"; return r }(),
		"another client": func() *Request {
			r := get("/a?x=1", nil)
			r.Client = netip.AddrPortFrom(r.Server.Addr(), r.Client.Port())
			return r
		}(),
		"another host": func() *Request { r := get("/a?x=1", nil); r.Host = "e.test"; return r }(),
		"a body":       post("/a?x=1", "application/x-www-form-urlencoded", "b=1"),
	} {
		if _, ran := evaluated(t, e, r); !ran {
			t.Errorf("%s: not evaluated", name)
		}
	}
	clock = clock.Add(2 * time.Second)
	if _, ran := evaluated(t, e, get("/a?x=1", nil)); !ran {
		t.Error("a request after the window was not evaluated")
	}

	// Attacks are never remembered: each is evaluated and refused.
	for range 2 {
		if v, ran := evaluated(t, e, get("/s?q="+sqli, nil)); !ran || v.Allowed {
			t.Fatalf("an attack: evaluated %v allowed %v", ran, v.Allowed)
		}
	}
	// Nor is an allowed request that matched a rule that logs.
	d := recheckSpec()
	d.Mode = Detect
	de, err := NewEngine(d)
	if err != nil {
		t.Fatal(err)
	}
	defer de.Close()
	for range 2 {
		if _, ran := evaluated(t, de, get("/s?q="+sqli, nil)); !ran {
			t.Fatal("detect mode: a request with matches was not evaluated again")
		}
	}
}

// TestRecheckOff: the cache is off where identical requests could be
// evaluated differently.
func TestRecheckOff(t *testing.T) {
	for name, mod := range map[string]func(*Spec){
		"no window":           func(s *Spec) { s.RecheckWindow = 0 },
		"response inspection": func(s *Spec) { s.ResponseInspection = true },
		"test mode":           func(s *Spec) { s.TestMode = true },
		"a rule reading time": func(s *Spec) {
			s.Rules = []RuleFile{{Name: "t.conf", Data: []byte(`SecRule TIME_HOUR "@eq 3" "id:100020,phase:1,deny"`)}}
		},
		"a rule reading the client port": func(s *Spec) {
			s.Rules = []RuleFile{{Name: "p.conf", Data: []byte(`SecRule REMOTE_PORT "@eq 3" "id:100021,phase:1,deny"`)}}
		},
	} {
		s := recheckSpec()
		mod(&s)
		e, err := NewEngine(s)
		if err != nil {
			t.Fatal(err)
		}
		if e.recheck != nil {
			t.Errorf("%s: the recheck cache is on", name)
		}
		e.Close()
	}
	s := recheckSpec()
	s.Rules = []RuleFile{{Name: "ok.conf", Data: []byte(`SecRule ARGS:secret "@streq x" "id:100022,phase:1,deny"`)}}
	e, err := NewEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.recheck == nil {
		t.Error("a rule file of request data only turned the cache off")
	}
}

func TestRecheckBounded(t *testing.T) {
	c := newRecheckCache(time.Second)
	for i := range maxRecheckEntries + 10 {
		c.remember(string(rune(i)) + "k")
	}
	if len(c.m) > maxRecheckEntries {
		t.Errorf("%d entries, at most %d", len(c.m), maxRecheckEntries)
	}
	r := get("/a", http.Header{"X-Big": {string(make([]byte, maxRecheckKey))}})
	if recheckKey(r) != "" {
		t.Error("an oversized request has a key")
	}
}
