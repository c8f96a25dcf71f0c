package crstest

import (
	"os"
	"testing"
)

// FuzzParseFile: any test file parses or is refused, and a parsed one
// builds its requests without panicking.
func FuzzParseFile(f *testing.F) {
	for _, name := range []string{"testdata/sample.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("rule_id: 1\ntests: [{test_id: 1, stages: [{input: {data: '{{ \"1\" | repeat 3 }}'}, output: {status: 200}}]}]\n"))
	f.Add([]byte("tests: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseFile("100.yaml", data)
		if err != nil {
			return
		}
		for _, tc := range file.Tests {
			for i := range tc.Stages {
				_, _ = rawRequest(&tc.Stages[i].Input)
			}
		}
	})
}

// FuzzParseOverrides: any overrides file parses or is refused.
func FuzzParseOverrides(f *testing.F) {
	data, err := os.ReadFile("../../testdata/crs/overrides.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("overrides: [{tests: [1-1], reason: x, skip: true}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseOverrides("o.yaml", data)
	})
}
