package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := newRootCommand()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err := cmd.Execute()
	var ee exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.code
	default:
		code = 1
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), code
}

func TestPolicyCheck(t *testing.T) {
	out, errOut, code := runCLI(t, "policy", "check", "../../testdata/quickstart/edgeward.yaml")
	if code != 0 || !strings.Contains(out, "edgeward.yaml: ok") {
		t.Fatalf("quickstart: code %d, out %q, err %q", code, out, errOut)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte(`listen: {http: 127.0.0.1:8080}
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: "http://127.0.0.1:9000"}]
    default_behavior: {origin: nowhere}
    behaviors:
      - {path: /a/*, origin: o, colour: blue}
`), 0o644)
	_, errOut, code = runCLI(t, "policy", "check", bad)
	if code != 1 {
		t.Fatalf("bad config: exit code %d, want 1", code)
	}
	for _, want := range []string{"bad.yaml:6:", "nowhere", "bad.yaml:8:", "colour"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error output %q lacks %q", errOut, want)
		}
	}
}

// TestPolicyCheckCompilesKeySets: a JWKS that is valid JSON but holds keys
// the verifier refuses (a symmetric key, a private key) is reported with
// the line of the setting that names it, each problem at once.
func TestPolicyCheckCompilesKeySets(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("hmac.json", `{"keys":[{"kty":"oct","kid":"h","alg":"HS256","k":"c2VjcmV0"}]}`)
	write("priv.json", `{"keys":[{"kty":"EC","crv":"P-256","kid":"p","alg":"ES256",
	  "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
	  "d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}]}`)
	cfg := filepath.Join(dir, "edgeward.yaml")
	write("edgeward.yaml", `distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: "http://127.0.0.1:9"}]
    default_behavior: {origin: o}
    behaviors:
      - path: /a/*
        origin: o
        signed: {token: {jwks: hmac.json}}
      - path: /b/*
        origin: o
        signed:
          token:
            jwks: priv.json
`)
	_, errOut, code := runCLI(t, "policy", "check", cfg)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
	}
	for _, want := range []string{
		"edgeward.yaml:9: distributions[0].behaviors[0].signed.token.jwks: ",
		"edgeward.yaml:14: distributions[0].behaviors[1].signed.token.jwks: ",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
}
