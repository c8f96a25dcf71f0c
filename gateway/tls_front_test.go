package gateway

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"testing"
	"time"
)

// TestTLSSessionResumption: a second connection resumes its session, on
// TLS 1.2 and 1.3, and keeps resuming after a Swap to a new runtime (new
// certificate list, new min version), because the ticket keys belong to
// the front, not to a runtime.
func TestTLSSessionResumption(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			f := tlsTFrontWith(tlsTRuntime(t, "1.2", nil, tlsTCert(t, "default"), tlsTCert(t, "a")))
			addr := tlsTServeHTTP(t, f, nil)
			c := tlsTClient(tlsTRoots(t), "a.test", tls.NewLRUClientSessionCache(8), false)
			c.Transport.(*http.Transport).TLSClientConfig.MaxVersion = v
			get := func(step string, wantResume bool) {
				t.Helper()
				resp, _ := tlsTGet(t, c, "https://"+addr+"/")
				if resp.TLS.Version != v || resp.TLS.DidResume != wantResume {
					t.Errorf("%s: %s, DidResume %v; want %s, DidResume %v", step, tls.VersionName(resp.TLS.Version), resp.TLS.DidResume, tls.VersionName(v), wantResume)
				}
			}
			get("first connection", false)
			get("second connection", true)
			f.Swap(tlsTRuntime(t, "1.2", nil, tlsTCert(t, "a"), tlsTCert(t, "wild-b")))
			get("after a reload", true)
		})
	}
}

// TestTLSTicketKeyRotation: the first handshake a day after the current
// key was made rotates it; a ticket made with the previous key still
// resumes; keys older than a ticket can live are dropped.
func TestTLSTicketKeyRotation(t *testing.T) {
	clock := newTLSTClock()
	f := newTLSFrontClock(clock.Now)
	f.Swap(tlsTRuntime(t, "", nil, tlsTCert(t, "a")))
	addr := tlsTServeHTTP(t, f, nil)
	c := tlsTClient(tlsTRoots(t), "a.test", tls.NewLRUClientSessionCache(8), false)
	keys := func() []tlsTicketKey {
		f.mu.Lock()
		defer f.mu.Unlock()
		return append([]tlsTicketKey(nil), f.keys...)
	}
	get := func(step string, wantResume bool, wantKeys int) {
		t.Helper()
		resp, _ := tlsTGet(t, c, "https://"+addr+"/")
		if resp.TLS.DidResume != wantResume || len(keys()) != wantKeys {
			t.Errorf("%s: DidResume %v with %d ticket keys; want %v with %d", step, resp.TLS.DidResume, len(keys()), wantResume, wantKeys)
		}
	}
	first := keys()[0]
	get("first", false, 1)
	clock.Advance(tlsTicketRotation - time.Second)
	get("just before rotation", true, 1)
	clock.Advance(time.Second)
	get("rotated: the ticket from the old key still resumes", true, 2)
	if k := keys(); k[0].key == first.key || k[1].key != first.key || !k[0].created.Equal(clock.Now()) {
		t.Errorf("after rotation the new key must come first and the old one second")
	}
	for day := 2; day <= 8; day++ {
		clock.Advance(tlsTicketRotation)
		get(fmt.Sprintf("day %d", day), true, min(day+1, 8))
	}
	if k := keys(); k[len(k)-1].key == first.key {
		t.Errorf("day 8: the first key is still there; want it dropped (one day of issuing plus seven of tickets)")
	}
	clock.Advance(8 * 24 * time.Hour) // every ticket has expired
	get("after eight idle days", false, 1)
}

// TestTLSReloadKeepsConnections: a connection open before a Swap keeps
// working on its old certificate; a new connection gets the new one.
func TestTLSReloadKeepsConnections(t *testing.T) {
	oldCert := tlsTCert(t, "default")
	newCert := tlsTMint(t, []string{"default.test"}, net.IPv4(127, 0, 0, 1))
	f := tlsTFrontWith(tlsTRuntime(t, "", nil, oldCert))
	addr := tlsTServeHTTP(t, f, nil)
	roots := tlsTRoots(t, newCert)

	held := tlsTClient(roots, "default.test", nil, true)
	var reused bool
	getHeld := func() *http.Response {
		t.Helper()
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "https://"+addr+"/", nil)
		resp, err := held.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp := getHeld()
	if !resp.TLS.PeerCertificates[0].Equal(oldCert.Pair.Leaf) {
		t.Fatal("before the reload: not the old certificate")
	}

	f.Swap(tlsTRuntime(t, "", nil, newCert))

	resp = getHeld()
	if !reused || resp.StatusCode != 200 || !resp.TLS.PeerCertificates[0].Equal(oldCert.Pair.Leaf) {
		t.Errorf("held connection after the reload: reused %v, status %d, old certificate %v; want it reused, 200, the old certificate",
			reused, resp.StatusCode, resp.TLS.PeerCertificates[0].Equal(oldCert.Pair.Leaf))
	}
	fresh, _ := tlsTGet(t, tlsTClient(roots, "default.test", nil, false), "https://"+addr+"/")
	if !fresh.TLS.PeerCertificates[0].Equal(newCert.Pair.Leaf) {
		t.Errorf("new connection after the reload: got %s, want the new certificate", tlsTPeer(*fresh.TLS))
	}
}
