package policy

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestKeyGroupsAndSigned(t *testing.T) {
	dir := t.TempDir()
	keys, err := filepath.Abs(filepath.Join("..", "testdata", "keys"))
	if err != nil {
		t.Fatal(err)
	}
	jwks := `{"keys":[{"kty":"EC","crv":"P-256","kid":"t1","x":"a","y":"b"}]}`
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), []byte(jwks), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(filepath.Join(dir, "edgeward.yaml"), []byte(`
key_groups:
  media:
    - id: KA
      public_key: `+keys+`/rsa-a.pub.pem
    - id: KE
      public_key: `+keys+`/ec-a.pub.pem
      not_before: 2027-01-01T00:00:00Z
      not_after: 2027-06-01T00:00:00+02:00
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: "http://127.0.0.1:9"}]
    default_behavior: {origin: o}
    behaviors:
      - path: /p/*
        origin: o
        trusted_key_groups: [media]
        signed: {clock_skew: 30s, token: {jwks: jwks.json, query: token}}
`))
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.KeyGroups["media"]
	if len(g) != 2 {
		t.Fatalf("group: %+v", g)
	}
	if _, ok := g[0].Key.(*rsa.PublicKey); !ok {
		t.Errorf("KA key is %T, want *rsa.PublicKey", g[0].Key)
	}
	if _, ok := g[1].Key.(*ecdsa.PublicKey); !ok {
		t.Errorf("KE key is %T, want *ecdsa.PublicKey", g[1].Key)
	}
	if want := time.Date(2027, 5, 31, 22, 0, 0, 0, time.UTC); !g[1].NotAfter.Equal(want) {
		t.Errorf("not_after %v, want %v", g[1].NotAfter, want)
	}
	b := cfg.Distributions[0].Behaviors[0]
	tok := b.Signed.Token
	if b.Signed.ClockSkew.Std() != 30*time.Second || tok.Header != "Authorization" || tok.Query != "token" {
		t.Errorf("signed: %+v, token %+v", b.Signed, tok)
	}
	if tok.JWKS != filepath.Join(dir, "jwks.json") || string(tok.JWKSData) != jwks {
		t.Errorf("jwks %q data %q", tok.JWKS, tok.JWKSData)
	}
	if cfg.Distributions[0].DefaultBehavior.Signed != nil || len(cfg.Distributions[0].DefaultBehavior.TrustedKeyGroups) != 0 {
		t.Error("the default behavior must stay public")
	}
}

func TestConfigProblemNamesLine(t *testing.T) {
	cfg, err := Parse("e.yaml", []byte(`distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: "http://127.0.0.1:9"}]
    default_behavior: {origin: o}
    behaviors:
      - path: /a/*
        origin: o
`))
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Problem("distributions[0].behaviors[0].origin", "bad %s", "thing").String()
	if want := "e.yaml:8: distributions[0].behaviors[0].origin: bad thing"; got != want {
		t.Errorf("Problem = %q, want %q", got, want)
	}
}
