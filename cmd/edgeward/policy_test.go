package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command with args and empty standard input.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLIIn(t, "", args...)
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

// TestPolicyCheckGeoFiles: policy files are checked on their own, and a
// config's referenced policy files with it.
func TestPolicyCheckGeoFiles(t *testing.T) {
	out, errOut, code := runCLI(t, "policy", "check", "../../testdata/quickstart/policies/geo-eu-only.yaml")
	if code != 0 || !strings.Contains(out, "geo-eu-only.yaml: ok") {
		t.Fatalf("good geo policy: exit %d, %q %q", code, out, errOut)
	}
	_, errOut, code = runCLI(t, "policy", "check", "../../testdata/policy-errors/bad-codes.yaml")
	if code != 1 || !strings.Contains(errOut, "bad-codes.yaml:4: deny[0]: UK is not an ISO 3166-1 code; the United Kingdom is GB") {
		t.Fatalf("bad geo policy: exit %d, %q", code, errOut)
	}
	_, errOut, code = runCLI(t, "policy", "check", "../../testdata/config-errors/bad-geo.yaml")
	if code != 1 || !strings.Contains(errOut, "bad-geo.yaml:16:") || !strings.Contains(errOut, "geo/broken.yaml:7: status: 302") {
		t.Fatalf("config with bad geo policies: exit %d, %q", code, errOut)
	}
	// A database file that is not one is found by check, as serve would.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "geo.mmdb"), []byte("nope"), 0o644)
	os.WriteFile(filepath.Join(dir, "eu.yaml"), []byte("kind: geo\nallow: [DE]\n"), 0o644)
	cfg := filepath.Join(dir, "edgeward.yaml")
	os.WriteFile(cfg, []byte(`geodata: {database: geo.mmdb}
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: "http://127.0.0.1:9000"}]
    default_behavior: {origin: o, geo_policy: eu.yaml}
`), 0o644)
	_, errOut, code = runCLI(t, "policy", "check", cfg)
	if code != 1 || !strings.Contains(errOut, "edgeward.yaml:1: geodata.database:") || !strings.Contains(errOut, "not a MaxMind DB file") {
		t.Fatalf("config with a bad database: exit %d, %q", code, errOut)
	}
}

// TestPolicyTest: the offline explanation of one request, per stage.
func TestPolicyTest(t *testing.T) {
	qs := "../../testdata/quickstart/edgeward.yaml"
	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"geo refused", []string{"--ip", "81.2.69.142", "--path", "/eu/hello.txt"}, 1,
			[]string{"behavior /eu/*", "country GB (bundled DB-IP", "geo      deny  451 country-blocked", "refused by geo with 451"}},
		{"geo admitted", []string{"--ip", "141.1.1.1", "--path", "/eu/hello.txt"}, 0,
			[]string{"country DE", "geo      allow", "verdict:  admitted"}},
		{"unknown country", []string{"--path", "/eu/hello.txt"}, 1,
			[]string{"viewer:   127.0.0.1, country unknown", "451 unknown-country"}},
		{"signed stage", []string{"--path", "/private/report.txt"}, 1,
			[]string{"behavior /private/*", "signed   deny  403 missing"}},
		{"method stage", []string{"--path", "/static/hello.txt", "--method", "post"}, 1,
			[]string{"methods  deny  405"}},
		{"public", []string{"--path", "/static/hello.txt"}, 0,
			[]string{"methods  allow", "verdict:  admitted"}},
		{"host", []string{"--host", "www.example.test", "--path", "/"}, 0,
			[]string{"request:  GET http://www.example.test/", "distribution demo, behavior *"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, append([]string{"policy", "test", "--config", qs}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	_, errOut, code := runCLI(t, "policy", "test", "--config", qs, "--ip", "nope")
	if code != 1 || !strings.Contains(errOut, `--ip "nope": not an IP address`) {
		t.Errorf("bad --ip: exit %d, %q", code, errOut)
	}
	_, errOut, code = runCLI(t, "policy", "test", "--config", qs, "--host", "other.test")
	if code != 1 || !strings.Contains(errOut, `no distribution serves host "other.test"`) {
		t.Errorf("unknown host: exit %d, %q", code, errOut)
	}
}

// TestPolicyCheckWAF: a WAF policy file is compiled with the CRS and its
// rule files through Coraza; a rule that does not compile is reported at
// its file:line, whether the policy is checked alone or through a config.
func TestPolicyCheckWAF(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("good.conf", "SecRule ARGS:probe \"@streq bad\" \"id:10001,phase:1,deny,status:403,log,msg:'probe'\"\n")
	write("bad.conf", "# site rules\nSecRule ARGS:probe \"@streq bad\" \"id:10001,phase:1,deny,log\"\n\nSecRule ARGS \"@nosuchop x\" \"id:10002,phase:1,deny\"\n")
	good := write("good.yaml", "kind: waf\ncrs: {paranoia_level: 2, exclusions: [{path: /search, remove_targets: {942100: [\"ARGS:q\"]}}]}\nrules: [good.conf]\n")
	bad := write("bad.yaml", "kind: waf\nrules: [bad.conf]\n")
	cfg := write("edgeward.yaml", `listen: {http: 127.0.0.1:8080}
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: "http://127.0.0.1:9000"}]
    default_behavior: {origin: o, waf_policy: bad.yaml}
`)
	if out, errOut, code := runCLI(t, "policy", "check", good); code != 0 || !strings.Contains(out, "good.yaml: ok") {
		t.Fatalf("good policy: code %d, out %q, err %q", code, out, errOut)
	}
	for _, path := range []string{bad, cfg} {
		_, errOut, code := runCLI(t, "policy", "check", path)
		want := filepath.Join(dir, "bad.conf") + ":4: "
		if code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "nosuchop") {
			t.Errorf("%s: code %d, err %q, want the fault at %s", filepath.Base(path), code, errOut, want)
		}
	}
}
