package crstest

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	crstests "github.com/corazawaf/coraza-coreruleset/v4/tests"

	"go.yaml.in/yaml/v3"
)

// File is one regression test file: the tests of one rule.
type File struct {
	Meta struct {
		Enabled *bool `yaml:"enabled"`
	} `yaml:"meta"`
	RuleID int    `yaml:"rule_id"`
	Tests  []Test `yaml:"tests"`
	Name   string `yaml:"-"` // the file's path in its file system
}

// Test is one test: one or more request stages.
type Test struct {
	TestID int     `yaml:"test_id"`
	Desc   string  `yaml:"desc"`
	Stages []Stage `yaml:"stages"`
	RuleID int     `yaml:"-"`
	File   string  `yaml:"-"`
}

// ID is the test's name, "920100-4".
func (t *Test) ID() string { return strconv.Itoa(t.RuleID) + "-" + strconv.Itoa(t.TestID) }

// Stage is one request and what is expected of it.
type Stage struct {
	Input  Input  `yaml:"input"`
	Output Output `yaml:"output"`
}

// Input is the request. DestAddr and Port are the test author's; the
// runner sends every request to its target.
type Input struct {
	DestAddr            string            `yaml:"dest_addr"`
	Port                int               `yaml:"port"`
	Protocol            string            `yaml:"protocol"`
	Method              *string           `yaml:"method"`
	URI                 *string           `yaml:"uri"`
	Version             *string           `yaml:"version"`
	Headers             map[string]string `yaml:"headers"`
	OrderedHeaders      []Header          `yaml:"ordered_headers"`
	Data                *string           `yaml:"data"`
	EncodedData         *string           `yaml:"encoded_data"`
	AutocompleteHeaders *bool             `yaml:"autocomplete_headers"`
	StopMagic           *bool             `yaml:"stop_magic"`
	EncodedRequest      string            `yaml:"encoded_request"`
	VirtualHostMode     bool              `yaml:"virtual_host_mode"`
}

// Header is a header line of ordered_headers.
type Header struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

// Output is what the test expects.
type Output struct {
	Status           int       `yaml:"status,omitempty"`
	ResponseContains string    `yaml:"response_contains,omitempty"`
	LogContains      string    `yaml:"log_contains,omitempty"`
	NoLogContains    string    `yaml:"no_log_contains,omitempty"`
	Log              LogExpect `yaml:"log,omitempty"`
	ExpectError      *bool     `yaml:"expect_error,omitempty"`
	RetryOnce        *bool     `yaml:"retry_once,omitempty"`
	Isolated         bool      `yaml:"isolated,omitempty"`
}

// LogExpect is what the test expects in the match log.
type LogExpect struct {
	ExpectIDs    []int  `yaml:"expect_ids,omitempty"`
	NoExpectIDs  []int  `yaml:"no_expect_ids,omitempty"`
	MatchRegex   string `yaml:"match_regex,omitempty"`
	NoMatchRegex string `yaml:"no_match_regex,omitempty"`
}

// Load reads every *.yaml and *.yml test file under fsys, in path
// order. Disabled files are left out.
func Load(fsys fs.FS) ([]Test, error) {
	var tests []Test
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (path.Ext(p) != ".yaml" && path.Ext(p) != ".yml") {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		f, err := ParseFile(p, data)
		if err != nil {
			return err
		}
		if f.Meta.Enabled == nil || *f.Meta.Enabled {
			tests = append(tests, f.Tests...)
		}
		return nil
	})
	return tests, err
}

var ruleIDInName = regexp.MustCompile(`\d+`)

// ParseFile reads one test file named name.
func ParseFile(name string, data []byte) (*File, error) {
	f := &File{Name: name}
	if err := yaml.Unmarshal(data, f); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if f.RuleID == 0 {
		id, err := strconv.Atoi(ruleIDInName.FindString(path.Base(name)))
		if err != nil {
			return nil, fmt.Errorf("%s: no rule_id, and no rule id in the file name", name)
		}
		f.RuleID = id
	}
	for i := range f.Tests {
		t := &f.Tests[i]
		t.RuleID, t.File = f.RuleID, name
		if t.TestID == 0 {
			t.TestID = i + 1
		}
		if len(t.Stages) == 0 {
			return nil, fmt.Errorf("%s: test %s has no stages", name, t.ID())
		}
		for j := range t.Stages {
			if err := t.Stages[j].normalize(); err != nil {
				return nil, fmt.Errorf("%s: test %s: %v", name, t.ID(), err)
			}
		}
	}
	return f, nil
}

// normalize applies go-ftw's defaults and folds deprecated fields.
func (s *Stage) normalize() error {
	in, out := &s.Input, &s.Output
	if in.AutocompleteHeaders == nil {
		v := true
		if in.StopMagic != nil {
			v = !*in.StopMagic
		}
		in.AutocompleteHeaders = &v
	}
	if in.OrderedHeaders == nil && in.Headers != nil {
		// go-ftw sends map headers sorted by name.
		for _, name := range slices.Sorted(maps.Keys(in.Headers)) {
			in.OrderedHeaders = append(in.OrderedHeaders, Header{name, in.Headers[name]})
		}
	}
	if out.LogContains != "" && out.Log.ExpectIDs == nil && out.Log.MatchRegex == "" {
		out.Log.MatchRegex = out.LogContains
	}
	if out.NoLogContains != "" && out.Log.NoExpectIDs == nil && out.Log.NoMatchRegex == "" {
		out.Log.NoMatchRegex = out.NoLogContains
	}
	if in.Data != nil && in.EncodedRequest != "" {
		return fmt.Errorf("data and encoded_request cannot both be set")
	}
	if out.Isolated && len(out.Log.ExpectIDs) != 1 {
		return fmt.Errorf("isolated needs exactly one expect_ids entry")
	}
	for _, rx := range []string{out.ResponseContains, out.Log.MatchRegex, out.Log.NoMatchRegex} {
		if _, err := regexp.Compile(rx); err != nil {
			return fmt.Errorf("bad pattern %q: %v", rx, err)
		}
	}
	return nil
}

// hasHeader reports whether hs has a header named name (any case).
func hasHeader(hs []Header, name string) bool {
	return slices.ContainsFunc(hs, func(h Header) bool { return strings.EqualFold(h.Name, name) })
}

// LoadSuite is the whole regression suite of the embedded CRS (the tests
// the coraza-coreruleset module ships) followed by the tests under extra
// (a directory of more test files, such as Edgeward's 999999.yml).
func LoadSuite(extra string) ([]Test, error) {
	tests, err := Load(crstests.FS)
	if err != nil {
		return nil, err
	}
	more, err := Load(os.DirFS(extra))
	if err != nil {
		return nil, err
	}
	return append(tests, more...), nil
}
