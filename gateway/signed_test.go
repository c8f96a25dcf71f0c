package gateway

import (
	"crypto"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeward/edgeward/keys"
	"github.com/edgeward/edgeward/keys/keyfile"
	"github.com/edgeward/edgeward/keys/token"
)

// testKey loads a private key from testdata/keys.
func testKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	return testKeyFile(t, filepath.Join("..", "testdata", "keys", name))
}

func testKeyFile(t testing.TB, file string) crypto.Signer {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyfile.ParsePrivateKeyPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testSignerFile(t testing.TB, id, file string) *keys.Signer {
	t.Helper()
	s, err := keys.NewSigner(id, testKeyFile(t, file), keys.HashDefault)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testSigner(t testing.TB, id, file string, hash keys.HashAlgorithm) *keys.Signer {
	t.Helper()
	s, err := keys.NewSigner(id, testKey(t, file), hash)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signedConfig: /private/* trusts group "media" (RSA key A, EC key A, and
// RSA key B valid only from 2100); /token/* takes a JWT or a signature;
// /jwt/* takes only a JWT from a cookie or ?token=; the rest is public.
func signedConfig(t *testing.T, originURL string) string {
	t.Helper()
	dir := t.TempDir()
	keysDir, err := filepath.Abs(filepath.Join("..", "testdata", "keys"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := keyfile.JWKS(map[string]crypto.PublicKey{"t-ec": testKey(t, "ec-a.pem").Public()})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	return writeConfig(t, dir, `
listen: {http: 127.0.0.1:0, admin: "off"}
access_log: {path: off}
key_groups:
  media:
    - {id: KTESTRSAA, public_key: `+keysDir+`/rsa-a.pub.pem}
    - {id: KTESTECA, public_key: `+keysDir+`/ec-a.pub.pem}
    - {id: KTESTRSAB, public_key: `+keysDir+`/rsa-b.pub.pem, not_before: 2100-01-01T00:00:00Z}
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: `+originURL+`}]
    default_behavior: {origin: o}
    behaviors:
      - path: /private/*
        origin: o
        trusted_key_groups: [media]
        cache: {query_strings: all, cookies: all}
      - path: /token/*
        origin: o
        trusted_key_groups: [media]
        signed: {clock_skew: 30s, token: {jwks: jwks.json}}
      - path: /jwt/*
        origin: o
        signed: {token: {header: none, cookie: edge_token, query: token, jwks: jwks.json}}
`)
}

type signedCase struct {
	name   string
	path   string        // request path and query
	hdr    []string      // header name/value pairs
	sign   func() string // builds the path (with signature) when set
	status int
	reason string // the XML <Code> (403) or the Bearer error (401)
}

func TestSignedStage(t *testing.T) {
	origin := newCountingOrigin(t)
	for _, p := range []string{"/private/a.txt", "/private/b.txt", "/token/a.txt", "/jwt/a.txt", "/public.txt"} {
		origin.handle(p, static("body of "+p, "Cache-Control", "max-age=60"))
	}
	s := startGateway(t, signedConfig(t, origin.URL))
	rsa := testSigner(t, "KTESTRSAA", "rsa-a.pem", keys.HashDefault)
	rsa256 := testSigner(t, "KTESTRSAA", "rsa-a.pem", keys.HashSHA256)
	ec := testSigner(t, "KTESTECA", "ec-a.pem", keys.HashSHA256)
	future := testSigner(t, "KTESTRSAB", "rsa-b.pem", keys.HashDefault)
	stranger := testSigner(t, "KNOTINGROUP", "rsa-b.pem", keys.HashDefault)
	exp := time.Now().Add(time.Hour)
	url := func(p string) string { return "http://d.test" + p }
	mustURL := func(signed string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(signed, "http://d.test")
	}
	canned := func(s *keys.Signer, p string, e time.Time) func() string {
		return func() string { return mustURL(s.SignURL(url(p), e)) }
	}
	custom := func(s *keys.Signer, p string, pol keys.Policy) func() string {
		return func() string { return mustURL(s.SignURLWithPolicy(url(p), pol)) }
	}
	jwt := func(path string, e time.Time) string {
		tok, err := token.Sign(testKey(t, "ec-a.pem"), "t-ec", token.SignClaims{Path: path, ExpiresAt: e})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	cases := []signedCase{
		{name: "public needs nothing", path: "/public.txt", status: 200},
		{name: "unsigned", path: "/private/a.txt", status: 403, reason: "MissingKey"},
		{name: "canned RSA-SHA1", sign: canned(rsa, "/private/a.txt", exp), status: 200},
		{name: "canned RSA-SHA256", sign: canned(rsa256, "/private/a.txt", exp), status: 200},
		{name: "canned ECDSA", sign: canned(ec, "/private/a.txt", exp), status: 200},
		{name: "canned with own query", sign: canned(rsa, "/private/a.txt?v=2", exp), status: 200},
		{name: "expired", sign: canned(rsa, "/private/a.txt", time.Now().Add(-time.Minute)), status: 403, reason: "AccessDenied"},
		{name: "key outside its window", sign: canned(future, "/private/a.txt", exp), status: 403},
		{name: "key in no trusted group", sign: canned(stranger, "/private/a.txt", exp), status: 403, reason: "InvalidKey"},
		{name: "replayed on another path", sign: func() string {
			return strings.Replace(canned(rsa, "/private/a.txt", exp)(), "/private/a.txt", "/private/b.txt", 1)
		}, status: 403, reason: "AccessDenied"},
		{name: "custom wildcard", sign: custom(rsa, "/private/b.txt", keys.Policy{Resource: "http://d.test/private/*", DateLessThan: exp}), status: 200},
		{name: "custom other prefix", sign: func() string {
			p := custom(rsa, "/other/b.txt", keys.Policy{Resource: "http://d.test/other/*", DateLessThan: exp})()
			return strings.Replace(p, "/other/", "/private/", 1)
		}, status: 403, reason: "AccessDenied"},
		{name: "custom IP allows loopback", sign: custom(ec, "/private/b.txt", keys.Policy{Resource: "http://d.test/private/*", DateLessThan: exp, IPAddress: "127.0.0.0/8"}), status: 200},
		{name: "custom IP mismatch", sign: custom(ec, "/private/b.txt", keys.Policy{Resource: "http://d.test/private/*", DateLessThan: exp, IPAddress: "203.0.113.0/24"}), status: 403, reason: "AccessDenied"},
		{name: "tampered signature", sign: func() string {
			p := canned(rsa, "/private/a.txt", exp)()
			i := strings.Index(p, "Signature=") + len("Signature=")
			c := byte('A')
			if p[i] == 'A' {
				c = 'B'
			}
			return p[:i] + string(c) + p[i+1:]
		}, status: 403, reason: "AccessDenied"},
		{name: "jwt on token behavior", path: "/token/a.txt", hdr: []string{"Authorization", "Bearer " + jwt("/token/*", exp)}, status: 200},
		{name: "signature on token behavior", sign: canned(rsa, "/token/a.txt", exp), status: 200},
		{name: "jwt for another path", path: "/token/a.txt", hdr: []string{"Authorization", "Bearer " + jwt("/private/*", exp)}, status: 401, reason: "path-mismatch"},
		{name: "expired jwt", path: "/token/a.txt", hdr: []string{"Authorization", "Bearer " + jwt("/token/*", time.Now().Add(-time.Hour))}, status: 401, reason: "expired"},
		{name: "jwt in query", path: "/jwt/a.txt?token=" + jwt("/jwt/*", exp), status: 200},
		{name: "jwt in cookie", path: "/jwt/a.txt", hdr: []string{"Cookie", "edge_token=" + jwt("/jwt/*", exp)}, status: 200},
		{name: "jwt header turned off", path: "/jwt/a.txt", hdr: []string{"Authorization", "Bearer " + jwt("/jwt/*", exp)}, status: 401, reason: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.path
			if c.sign != nil {
				p = c.sign()
			}
			resp, body := s.get(t, p, c.hdr...)
			if resp.StatusCode != c.status {
				t.Fatalf("GET %s: status %d, want %d; body %q", p, resp.StatusCode, c.status, body)
			}
			switch c.status {
			case 403:
				if ct := resp.Header.Get("Content-Type"); ct != "text/xml" {
					t.Errorf("Content-Type %q, want text/xml", ct)
				}
				if c.reason != "" && !strings.Contains(body, "<Code>"+c.reason+"</Code>") {
					t.Errorf("body %q, want code %s", body, c.reason)
				}
			case 401:
				ch := resp.Header.Get("Www-Authenticate")
				if !strings.HasPrefix(ch, "Bearer ") || !strings.Contains(ch, c.reason) {
					t.Errorf("WWW-Authenticate %q, want a Bearer challenge with %q", ch, c.reason)
				}
			}
		})
	}
}

// TestSignedCredentialsNeverReachOrigin: the origin sees neither refused
// requests nor the credentials of admitted ones, and signed URLs for one
// object share a cache entry.
func TestSignedCredentialsNeverReachOrigin(t *testing.T) {
	origin := newCountingOrigin(t)
	origin.handle("/private/a.txt", static("secret", "Cache-Control", "max-age=60"))
	origin.handle("/jwt/a.txt", static("jwt", "Cache-Control", "max-age=60"))
	s := startGateway(t, signedConfig(t, origin.URL))
	rsa := testSigner(t, "KTESTRSAA", "rsa-a.pem", keys.HashDefault)

	for i := range 3 {
		resp, _ := s.get(t, "/private/a.txt?Expires=1&Signature=x&Key-Pair-Id=KTESTRSAA")
		if resp.StatusCode != 403 {
			t.Fatalf("forged request %d: status %d", i, resp.StatusCode)
		}
	}
	if n := origin.count("/private/a.txt"); n != 0 {
		t.Fatalf("origin saw %d refused requests", n)
	}

	for i := range 2 {
		signed, err := rsa.SignURL("http://d.test/private/a.txt?v=1", time.Now().Add(time.Duration(i+1)*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		resp, body := s.get(t, strings.TrimPrefix(signed, "http://d.test"), "Cookie", "session=1; CloudFront-Policy=zzz")
		if resp.StatusCode != 200 || body != "secret" {
			t.Fatalf("signed GET %d: %d %q", i, resp.StatusCode, body)
		}
	}
	if n := origin.count("/private/a.txt"); n != 1 {
		t.Errorf("origin fetched %d times; two signed URLs for one object must share a cache entry", n)
	}
	r := origin.lastRequest("/private/a.txt")
	if r.URL.RawQuery != "v=1" {
		t.Errorf("origin query %q, want v=1 (signing parameters stripped)", r.URL.RawQuery)
	}
	if c := r.Header.Get("Cookie"); c != "session=1" {
		t.Errorf("origin Cookie %q, want session=1 (signing cookies stripped)", c)
	}

	cookieCfg := "/jwt/a.txt?x=1&token="
	tok, err := token.Sign(testKey(t, "ec-a.pem"), "t-ec", token.SignClaims{Path: "/jwt/*", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := s.get(t, cookieCfg+tok, "Cookie", "edge_token="+tok+"; a=b")
	if resp.StatusCode != 200 {
		t.Fatalf("jwt GET: %d", resp.StatusCode)
	}
	r = origin.lastRequest("/jwt/a.txt")
	if strings.Contains(r.URL.RawQuery, "token") || strings.Contains(r.Header.Get("Cookie"), "edge_token") {
		t.Errorf("origin saw the token: query %q, cookie %q", r.URL.RawQuery, r.Header.Get("Cookie"))
	}
}

// startSigned starts a gateway on signedConfig in front of an origin that
// serves /private/a.txt, and returns it with its config's path.
func startSigned(t *testing.T) (*Server, string) {
	t.Helper()
	origin := newCountingOrigin(t)
	origin.handle("/private/a.txt", static("secret"))
	cfgPath := signedConfig(t, origin.URL)
	return startGateway(t, cfgPath), cfgPath
}

// TestSignedCookies: cookies work, and signing parameters in the URL win
// over cookies (a bad URL signature is refused even with good cookies).
func TestSignedCookies(t *testing.T) {
	s, _ := startSigned(t)
	for _, hash := range []keys.HashAlgorithm{keys.HashDefault, keys.HashSHA256} {
		ec := testSigner(t, "KTESTECA", "ec-a.pem", hash)
		for _, canned := range []bool{true, false} {
			pol := keys.Policy{Resource: "http://d.test/private/*", DateLessThan: time.Now().Add(time.Hour)}
			if canned {
				pol = keys.CannedPolicy("http://d.test/private/a.txt", time.Now().Add(time.Hour))
			}
			cookies, err := ec.SignCookies(pol, canned)
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, c := range cookies {
				parts = append(parts, c.Name+"="+c.Value)
			}
			line := strings.Join(parts, "; ")
			resp, body := s.get(t, "/private/a.txt", "Cookie", line)
			if resp.StatusCode != 200 {
				t.Fatalf("hash %v canned %v: cookies refused: %d %s", hash, canned, resp.StatusCode, body)
			}
			resp, _ = s.get(t, "/private/a.txt?Expires=2000000000&Signature=AAAA&Key-Pair-Id=KTESTECA", "Cookie", line)
			if resp.StatusCode != 403 {
				t.Fatalf("URL parameters must win over cookies: got %d", resp.StatusCode)
			}
		}
	}
}

// TestSignedKeyRotationByReload: a key added to the group by a reload is
// accepted without a restart; a removed one is refused.
func TestSignedKeyRotationByReload(t *testing.T) {
	s, cfgPath := startSigned(t)
	b := testSigner(t, "KTESTRSAB", "rsa-b.pem", keys.HashDefault)
	signed, err := b.SignURL("http://d.test/private/a.txt", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	p := strings.TrimPrefix(signed, "http://d.test")
	if resp, _ := s.get(t, p); resp.StatusCode != 403 {
		t.Fatalf("key B before its window: %d, want 403", resp.StatusCode)
	}
	text, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	rotated := strings.Replace(string(text), ", not_before: 2100-01-01T00:00:00Z", "", 1)
	rotated = strings.Replace(rotated, "    - {id: KTESTRSAA", "    # KTESTRSAA retired\n    - {id: KTESTRSAX", 1)
	if err := os.WriteFile(cfgPath, []byte(rotated), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if resp, _ := s.get(t, p); resp.StatusCode != 200 {
		t.Fatalf("key B after the reload: %d, want 200", resp.StatusCode)
	}
	a := testSigner(t, "KTESTRSAA", "rsa-a.pem", keys.HashDefault)
	signed, _ = a.SignURL("http://d.test/private/a.txt", time.Now().Add(time.Hour))
	if resp, _ := s.get(t, strings.TrimPrefix(signed, "http://d.test")); resp.StatusCode != 403 {
		t.Fatalf("retired key A after the reload: %d, want 403", resp.StatusCode)
	}
}

var _ = http.StatusOK

// TestSignedInvalidReloadKeepsRunning: a reload whose JWKS the verifier
// refuses (after the origins were built) fails with file:line and leaves
// the running configuration serving, keys and all.
func TestSignedInvalidReloadKeepsRunning(t *testing.T) {
	s, cfgPath := startSigned(t)
	signed := testSigner(t, "KTESTRSAA", "rsa-a.pem", keys.HashDefault)
	u, err := signed.SignURL("http://d.test/private/a.txt", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	u = strings.TrimPrefix(u, "http://d.test")
	if resp, _ := s.get(t, u); resp.StatusCode != 200 {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	jwks := filepath.Join(filepath.Dir(cfgPath), "jwks.json")
	if err := os.WriteFile(jwks, []byte(`{"keys":[{"kty":"oct","kid":"h","alg":"HS256","k":"c2VjcmV0"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	err = s.Reload()
	if err == nil || !strings.Contains(err.Error(), "edgeward.yaml:") || !strings.Contains(err.Error(), "signed.token.jwks") {
		t.Fatalf("Reload: %v, want a file:line error naming signed.token.jwks", err)
	}
	if resp, _ := s.get(t, u); resp.StatusCode != 200 {
		t.Fatalf("after the failed reload: %d, want 200 from the running config", resp.StatusCode)
	}
	if resp, _ := s.get(t, "/private/a.txt"); resp.StatusCode != 403 {
		t.Fatalf("unsigned after the failed reload: %d, want 403", resp.StatusCode)
	}
}

// TestSignedAccessLog: refusals name the stage and the reason code in the
// access log; signatures never reach it.
func TestSignedAccessLog(t *testing.T) {
	origin := newCountingOrigin(t)
	origin.handle("/private/a.txt", static("secret"))
	cfgPath := signedConfig(t, origin.URL)
	logPath := filepath.Join(filepath.Dir(cfgPath), "access.log")
	text, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, []byte(strings.Replace(string(text), "access_log: {path: off}", "access_log: {path: "+logPath+", format: json}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(cfgPath, Options{Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	rsa := testSigner(t, "KTESTRSAA", "rsa-a.pem", keys.HashDefault)
	var sigs []string
	for _, exp := range []time.Time{time.Now().Add(-time.Hour), time.Now().Add(time.Hour)} {
		u, err := rsa.SignURL("http://d.test/private/a.txt?v=1", exp)
		if err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, u[strings.Index(u, "Signature=")+len("Signature="):][:40])
		s.get(t, strings.TrimPrefix(u, "http://d.test"))
	}
	s.Shutdown(t.Context()) // flushes the log
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range sigs {
		if strings.Contains(string(raw), sig) {
			t.Fatalf("a signature reached the access log:\n%s", raw)
		}
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %q", lines)
	}
	for i, want := range []string{`"status":403`, `"status":200`} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d %s lacks %s", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], `"denied_by":"signed"`) || !strings.Contains(lines[0], `"reason":"expired"`) {
		t.Errorf("refusal line lacks the stage and reason: %s", lines[0])
	}
	if !strings.Contains(lines[1], `"query":"v=1"`) {
		t.Errorf("admitted line should log the query without signing parameters: %s", lines[1])
	}
}
