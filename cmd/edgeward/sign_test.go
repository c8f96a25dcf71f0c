package main

import (
	"crypto/rsa"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sdksign "github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"

	"github.com/edgeward/edgeward/keys/keyfile"
)

const quickstart = "../../testdata/quickstart/edgeward.yaml"
const demoKey = "../../testdata/quickstart/keys/demo.pem"

// TestSignURLMatchesAWSSDK: `edgeward sign url` prints exactly what the
// AWS SDK for Go v2 makes for the same key, URL and expiry (RSA signing is
// deterministic, so the strings compare byte for byte).
func TestSignURLMatchesAWSSDK(t *testing.T) {
	keyFile := "../../testdata/keys/rsa-a.pem"
	data, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyfile.ParsePrivateKeyPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	priv := k.(*rsa.PrivateKey)
	exp := time.Unix(1795000000, 0)
	for _, tc := range []struct {
		name  string
		flags []string
		hash  sdksign.HashAlgorithm
	}{
		{"SHA-1 default", nil, ""},
		{"SHA1 explicit", []string{"--hash-algorithm", "SHA1"}, sdksign.HashSHA1},
		{"SHA256", []string{"--hash-algorithm", "SHA256"}, sdksign.HashSHA256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, u := range []string{"https://cdn.example.com/videos/a.mp4", "https://cdn.example.com/a%20b.txt?x=1&y=2"} {
				args := append([]string{"sign", "url", "--key-pair-id", "KTESTRSAA", "--private-key", keyFile,
					"--expires", strconv.FormatInt(exp.Unix(), 10)}, tc.flags...)
				out, errOut, code := runCLI(t, append(args, u)...)
				if code != 0 {
					t.Fatalf("sign url: exit %d: %s", code, errOut)
				}
				signer := sdksign.NewURLSigner("KTESTRSAA", priv)
				signer.HashAlg = tc.hash
				want, err := signer.Sign(u, exp)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.TrimSpace(out); got != want {
					t.Errorf("edgeward: %s\nAWS SDK:  %s", got, want)
				}
			}
		})
	}
}

// TestSignVerifyRoundTrip: what the signer makes, the gateway's own check
// (through `verify url` on the quickstart config) admits; tampering and
// expiry are refused with exit status 1 and a reason.
func TestSignVerifyRoundTrip(t *testing.T) {
	const u = "http://localhost:8080/private/report.txt"
	signed, errOut, code := runCLI(t, "sign", "url", "--key-pair-id", "KDEMOKEY", "--private-key", demoKey, "--expires", "+1h", u)
	if code != 0 {
		t.Fatalf("sign url: %s", errOut)
	}
	signed = strings.TrimSpace(signed)
	out, _, code := runCLI(t, "verify", "url", "--config", quickstart, signed)
	if code != 0 || !strings.Contains(out, "admitted: the signature is valid") {
		t.Fatalf("verify url: exit %d: %s", code, out)
	}
	out, _, code = runCLI(t, "verify", "url", "--config", quickstart, "--at", "+2h", signed)
	if code != 1 || !strings.Contains(out, "refused: 403 expired") {
		t.Errorf("verify an hour after expiry: exit %d: %s", code, out)
	}
	out, _, code = runCLI(t, "verify", "url", "--config", quickstart, strings.Replace(signed, "report", "other", 1))
	if code != 1 || !strings.Contains(out, "refused: 403") {
		t.Errorf("verify on another path: exit %d: %s", code, out)
	}
	out, _, code = runCLI(t, "verify", "url", "--config", quickstart, "http://localhost:8080/static/hello.txt")
	if code != 0 || !strings.Contains(out, "public") {
		t.Errorf("verify a public path: exit %d: %s", code, out)
	}

	// Custom policy with an address range, then cookies.
	signed, errOut, code = runCLI(t, "sign", "url", "--key-pair-id", "KDEMOKEY", "--private-key", demoKey,
		"--expires", "+1h", "--ip", "203.0.113.0/24", "--resource", "http://localhost:8080/private/*", u)
	if code != 0 {
		t.Fatalf("sign url custom: %s", errOut)
	}
	signed = strings.TrimSpace(signed)
	if out, _, code = runCLI(t, "verify", "url", "--config", quickstart, "--ip", "203.0.113.9", signed); code != 0 {
		t.Errorf("custom policy from inside the range: %s", out)
	}
	if out, _, code = runCLI(t, "verify", "url", "--config", quickstart, "--ip", "198.51.100.1", signed); code != 1 || !strings.Contains(out, "ip-mismatch") {
		t.Errorf("custom policy from outside the range: exit %d: %s", code, out)
	}
	lines, errOut, code := runCLI(t, "sign", "cookie", "--key-pair-id", "KDEMOKEY", "--private-key", demoKey,
		"--expires", "+1h", "--resource", "http://localhost:8080/private/*", "--secure", u)
	if code != 0 {
		t.Fatalf("sign cookie: %s", errOut)
	}
	var pairs []string
	for _, l := range strings.Split(strings.TrimSpace(lines), "\n") {
		v, ok := strings.CutPrefix(l, "Set-Cookie: ")
		if !ok || !strings.Contains(v, "Secure") || !strings.Contains(v, "HttpOnly") {
			t.Fatalf("cookie line %q", l)
		}
		pairs = append(pairs, strings.SplitN(v, ";", 2)[0])
	}
	if len(pairs) != 3 {
		t.Fatalf("want 3 cookies, got %q", lines)
	}
	if out, _, code = runCLI(t, "verify", "url", "--config", quickstart, "--cookie", strings.Join(pairs, "; "), u); code != 0 {
		t.Errorf("signed cookies: %s", out)
	}
}

func TestKeysGenerateAndToken(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "t1")
	out, errOut, code := runCLI(t, "keys", "generate", "--type", "ecdsa", "--id", "KT1", "--out", prefix)
	if code != 0 || !strings.Contains(out, "id: KT1") {
		t.Fatalf("keys generate: exit %d: %s %s", code, out, errOut)
	}
	st, err := os.Stat(prefix + ".pem")
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v, want 0600", st.Mode().Perm())
	}
	if _, _, code := runCLI(t, "keys", "generate", "--type", "ecdsa", "--out", prefix); code == 0 {
		t.Error("keys generate overwrote an existing key")
	}
	if _, errOut, code := runCLI(t, "keys", "generate", "--type", "dsa", "--out", filepath.Join(dir, "x")); code == 0 {
		t.Error("keys generate accepted --type dsa")
	} else if errOut == "" {
		t.Error("no error message for --type dsa")
	}

	jwks := filepath.Join(dir, "jwks.json")
	if _, errOut, code := runCLI(t, "keys", "jwks", "--out", jwks, "t1="+prefix+".pub.pem"); code != 0 {
		t.Fatalf("keys jwks: %s", errOut)
	}
	cfg := filepath.Join(dir, "edgeward.yaml")
	if err := os.WriteFile(cfg, []byte(`
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: "http://127.0.0.1:9"}]
    default_behavior: {origin: o}
    behaviors:
      - path: /v/*
        origin: o
        signed: {token: {jwks: jwks.json}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	tok, errOut, code := runCLI(t, "sign", "token", "--key", prefix+".pem", "--kid", "t1", "--path", "/v/*", "--expires", "+1h")
	if code != 0 {
		t.Fatalf("sign token: %s", errOut)
	}
	tok = strings.TrimSpace(tok)
	if out, _, code := runCLI(t, "verify", "url", "--config", cfg, "--header", "Authorization: Bearer "+tok, "http://d.test/v/a.mp4"); code != 0 {
		t.Errorf("token admitted: %s", out)
	}
	if out, _, code := runCLI(t, "verify", "url", "--config", cfg, "--header", "Authorization: Bearer "+tok, "http://d.test/w/../v2/a"); code != 0 || !strings.Contains(out, "public") {
		t.Errorf("a path outside /v/* is public here: %s", out)
	}
	if out, _, code := runCLI(t, "verify", "url", "--config", cfg, "--header", "Authorization: Bearer "+tok+"x", "http://d.test/v/a.mp4"); code != 1 {
		t.Errorf("tampered token: exit %d: %s", code, out)
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 500, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "2026-12-01T00:00:00Z", want: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		{in: "+1h", want: time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)},
		{in: "+7d", want: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)},
		{in: "1795000000", want: time.Unix(1795000000, 0)},
		{in: "", bad: true},
		{in: "+", bad: true},
		{in: "+-1h", bad: true},
		{in: "tomorrow", bad: true},
		{in: "2026-12-01", bad: true},
	} {
		got, err := parseWhen(tc.in, now)
		if tc.bad != (err != nil) || (!tc.bad && !got.Equal(tc.want)) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}
