package cache

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "100%", "%25", "caf\xe9", "\xff\xfe%", "ok ü €", "\xe2\x82"} {
		esc := escapeString(s)
		js, _ := json.Marshal(esc)
		var back string
		json.Unmarshal(js, &back)
		failed := false
		if got := unescapeString(back, &failed); got != s || failed {
			t.Errorf("%q: escaped %q, back %q (failed %v)", s, esc, got, failed)
		}
	}
	for _, bad := range []string{"%", "%2", "%zz", "a%g0"} {
		failed := false
		unescapeString(bad, &failed)
		if !failed {
			t.Errorf("%q unescaped without error", bad)
		}
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("caf\xe9%")
	f.Add("%41")
	f.Fuzz(func(t *testing.T, s string) {
		failed := false
		if got := unescapeString(escapeString(s), &failed); got != s || failed {
			t.Fatalf("%q came back as %q", s, got)
		}
		unescapeString(s, &failed) // never panics on arbitrary input
	})
}

// TestNonUTF8SurvivesRestart: keys, paths and header values that are not
// UTF-8 come back byte for byte, and invalidation still finds them.
func TestNonUTF8SurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := diskConfig(dir)
	s := open(t, cfg)
	m := testMeta("d", "/caf\xe9/%41", "q=\xff", "T\xe9g")
	m.Header.Set("Content-Disposition", "attachment; filename=\"r\xe9sum\xe9.pdf\"")
	b := body(100, 1)
	put(t, s, "key\xff", m, b)
	put(t, s, "plain", testMeta("d", "/plain%", ""), b)
	s = reopen(t, s, cfg)
	obj := mustGet(t, s, "key\xff", b)
	sameMeta(t, obj.Meta(), m)
	if got := obj.Meta().Header.Get("Content-Disposition"); !bytes.Contains([]byte(got), []byte("r\xe9sum\xe9")) {
		t.Fatalf("header value changed: %q", got)
	}
	mustGet(t, s, "plain", b)
	if n := s.Invalidate("d", []string{"/caf\xe9/%41?q=\xff"}, nil); n != 1 {
		t.Fatalf("Invalidate of the non-UTF-8 path removed %d", n)
	}
	m.Stored = time.Now() // after the invalidation, or Put drops it
	put(t, s, "key\xff", m, b)
	if n := s.Invalidate("d", nil, []string{"t\xe9G"}); n != 1 {
		t.Fatalf("tag invalidation removed %d", n)
	}
}

func TestDiskEvictionAfterSecondChances(t *testing.T) {
	dir := t.TempDir()
	cfg := diskConfig(dir)
	probe := open(t, cfg)
	put(t, probe, "probe", testMeta("d", "/p", ""), body(5000, 0))
	fileSize := probe.Stats().DiskBytes
	probe.Close()

	cfg.Disk.Size = 3 * fileSize
	cfg.Disk.MaxObject = fileSize
	s := open(t, cfg)
	for _, k := range []string{"probe", "a", "b"} {
		put(t, s, k, testMeta("d", "/"+k, ""), body(5000, 1))
	}
	for _, k := range []string{"probe", "a", "b"} {
		mustGet(t, s, k, body(5000, 1)) // all hot in memory
	}
	// Every older file gets its second chance before one is evicted, and
	// the new file (now behind them) is never the one.
	put(t, s, "new", testMeta("d", "/new", ""), body(5000, 1))
	st := s.Stats()
	if st.DiskObjects != 3 || st.DiskEvictions != 1 {
		t.Fatalf("Stats = %+v", st)
	}
	s.mu.Lock()
	onDisk := s.idx.get("new").dsk != nil
	s.mu.Unlock()
	if !onDisk {
		t.Fatal("the new file was evicted")
	}
	checkInvariants(t, s)
}
