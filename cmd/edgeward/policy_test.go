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
