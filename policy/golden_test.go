package policy

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/config-errors")

// goldenDir holds NAME.yaml inputs that must fail, each with NAME.golden:
// the exact error text, with the file named NAME.yaml and the absolute
// path of goldenDir written as $DIR.
const goldenDir = "../testdata/config-errors"

func goldenInputs(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs in %s (%v)", goldenDir, err)
	}
	return files
}

func TestGolden(t *testing.T) {
	absDir, err := filepath.Abs(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range goldenInputs(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			cfg, err := Load(file)
			if err == nil {
				t.Fatalf("Load succeeded (%+v), want problems", cfg)
			}
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, want *Errors: %v", err, err)
			}
			if cfg != nil {
				t.Errorf("Load returned a config along with the error")
			}
			sorted := slices.IsSortedFunc(errs.Problems, func(a, b Problem) int {
				if a.Line != b.Line {
					return a.Line - b.Line
				}
				return strings.Compare(a.Msg, b.Msg)
			})
			if !sorted {
				t.Errorf("problems are not in line order")
			}
			for _, p := range errs.Problems {
				if p.File != file {
					t.Errorf("problem names file %q, want %q", p.File, file)
				}
			}
			got := strings.ReplaceAll(err.Error(), file, name+".yaml")
			got = strings.ReplaceAll(got, absDir, "$DIR") + "\n"
			golden := filepath.Join(goldenDir, name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("error text differs from %s\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}
