package policy

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// wholeFile are the messages that may carry line 0: they are about the
// file as a whole.
var wholeFile = []string{"the file is empty", "the file has no settings", "the file is too complex", "cannot decode the file: ", "invalid YAML: "}

// FuzzParse checks that Parse never panics, and returns either a config or
// an *Errors whose every problem is placed on a line (0 only for a problem
// with the whole file) and never leaks yaml.v3's raw wording.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	if b, err := os.ReadFile("../testdata/quickstart/edgeward.yaml"); err == nil {
		f.Add(b)
	}
	for _, file := range goldenInputs(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The golden directory: relative dirs and token files in the seeds
		// resolve as they do in TestGolden.
		cfg, err := Parse(goldenDir+"/fuzz.yaml", data)
		if err == nil {
			if cfg == nil {
				t.Fatal("no config and no error")
			}
			checkInvariants(t, cfg)
			return
		}
		if cfg != nil {
			t.Fatal("a config along with an error")
		}
		var errs *Errors
		if !errors.As(err, &errs) || len(errs.Problems) == 0 {
			t.Fatalf("error %T without problems: %v", err, err)
		}
		lines := yamlLines(data)
		for _, p := range errs.Problems {
			if p.Line < 0 || utf8.Valid(data) && p.Line > lines {
				t.Errorf("problem on line %d of a %d-line file: %s", p.Line, lines, p.Msg)
			}
			if p.Line == 0 && !slices.ContainsFunc(wholeFile, func(s string) bool { return strings.HasPrefix(p.Msg, s) }) {
				t.Errorf("problem without a line: %s", p.Msg)
			}
			if p.Msg == "" || strings.Contains(p.Msg, "unmarshal errors") || strings.Contains(p.Msg, "cannot unmarshal") || strings.HasPrefix(p.Msg, "yaml: ") {
				t.Errorf("raw problem message: %q", p.Msg)
			}
		}
	})
}

// yamlLines counts the lines of UTF-8 data as YAML does: "\r\n", "\r", "\n", NEL, LS and
// PS each end one.
func yamlLines(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return 1 + strings.Count(s, "\n") + strings.Count(s, "\r") +
		strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029")
}

// checkInvariants checks what the gateway relies on in a valid config.
func checkInvariants(t *testing.T, c *Config) {
	t.Helper()
	if c.NodeName == "" || c.Listen.HTTP == "" || c.Listen.Admin == "" || c.AccessLog.Path == "" || c.AccessLog.Format == "" {
		t.Errorf("defaults missing: %+v", c)
	}
	if len(c.Distributions) == 0 {
		t.Error("no distributions")
	}
	for _, d := range c.Distributions {
		ids := map[string]bool{}
		for _, o := range d.Origins {
			ids[o.ID] = true
			if (o.URL == "") == (o.Dir == "") {
				t.Errorf("origin %q: url %q, dir %q", o.ID, o.URL, o.Dir)
			}
			if o.URL != "" && (o.ConnectionAttempts < 1 || o.ConnectTimeout <= 0 || o.ReadTimeout <= 0 || o.KeepAliveTimeout <= 0) {
				t.Errorf("origin %q: defaults missing: %+v", o.ID, o)
			}
		}
		for _, b := range append([]Behavior{d.DefaultBehavior}, d.Behaviors...) {
			if !ids[b.Origin] {
				t.Errorf("behavior %q: unknown origin %q", b.Path, b.Origin)
			}
			if !slices.Contains(b.AllowedMethods, "GET") || !slices.Contains(b.AllowedMethods, "HEAD") {
				t.Errorf("behavior %q: methods %q", b.Path, b.AllowedMethods)
			}
		}
		for _, h := range d.Hosts {
			if h == "" || h != strings.ToLower(h) {
				t.Errorf("host %q not normalized", h)
			}
		}
	}
}
