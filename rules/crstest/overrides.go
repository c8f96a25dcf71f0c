package crstest

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Overrides are the tests a platform cannot pass as written, each with
// its reason (the file format: testdata/crs/overrides.yaml).
type Overrides struct {
	Entries []Override `yaml:"overrides"`
	byID    map[string]*Override
}

// Override is one entry: the tests it covers, why, and either Skip (not
// run) or Output (checked against these expectations instead).
type Override struct {
	Tests  []string `yaml:"tests"`
	Reason string   `yaml:"reason"`
	Skip   bool     `yaml:"skip"`
	Output *Output  `yaml:"output"`
	// AsWritten cancels another file's override of the same tests (see
	// With): on this platform they pass as written.
	AsWritten bool `yaml:"as_written"`
}

// LoadOverrides reads an overrides file.
func LoadOverrides(path string) (*Overrides, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseOverrides(path, data)
}

// ParseOverrides reads the overrides file named name. Every entry needs
// tests, a reason, and one of skip or output; a test is listed once.
func ParseOverrides(name string, data []byte) (*Overrides, error) {
	var o Overrides
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	o.byID = map[string]*Override{}
	for i := range o.Entries {
		e := &o.Entries[i]
		switch {
		case len(e.Tests) == 0:
			return nil, fmt.Errorf("%s: override %d names no tests", name, i+1)
		case strings.TrimSpace(e.Reason) == "":
			return nil, fmt.Errorf("%s: override %v gives no reason", name, e.Tests)
		case btoi(e.Skip)+btoi(e.Output != nil)+btoi(e.AsWritten) != 1:
			return nil, fmt.Errorf("%s: override %v: write skip: true, as_written: true or the output to expect, one of them", name, e.Tests)
		}
		if e.Output != nil {
			st := Stage{Input: Input{AutocompleteHeaders: new(bool)}, Output: *e.Output}
			if err := st.normalize(); err != nil {
				return nil, fmt.Errorf("%s: override %v: %v", name, e.Tests, err)
			}
			*e.Output = st.Output
		}
		for _, id := range e.Tests {
			if _, dup := o.byID[id]; dup {
				return nil, fmt.Errorf("%s: test %s is overridden twice", name, id)
			}
			o.byID[id] = e
		}
	}
	return &o, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// For is the override of test id, or nil.
func (o *Overrides) For(id string) *Override {
	if o == nil {
		return nil
	}
	if e := o.byID[id]; e != nil && !e.AsWritten {
		return e
	}
	return nil
}

// With returns the overrides of o and extra together; for a test both
// list, extra's entry wins (a platform that answers differently again;
// as_written: true there runs the test as written).
func (o *Overrides) With(extra *Overrides) *Overrides {
	out := &Overrides{byID: map[string]*Override{}}
	for _, src := range []*Overrides{o, extra} {
		if src == nil {
			continue
		}
		out.Entries = append(out.Entries, src.Entries...)
		for id, e := range src.byID {
			out.byID[id] = e
		}
	}
	return out
}
