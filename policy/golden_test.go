package policy

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/config-errors and testdata/policy-errors")

// goldenDir holds NAME.yaml inputs that must fail, each with NAME.golden:
// the exact error text, with the file named NAME.yaml and the absolute
// path of goldenDir written as $DIR. Policy files the inputs reference
// live in its subdirectories.
const goldenDir = "../testdata/config-errors"

// policyGoldenDir holds policy files (kind: ...) that must fail, checked
// on their own as `edgeward policy check` does, with goldens alike.
const policyGoldenDir = "../testdata/policy-errors"

func goldenInputs(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs in %s (%v)", goldenDir, err)
	}
	return files
}

func TestGolden(t *testing.T) { runGolden(t, goldenDir) }

func TestPolicyGolden(t *testing.T) { runGolden(t, policyGoldenDir) }

func runGolden(t *testing.T, dir string) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs in %s (%v)", dir, err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadFile(file)
			if err == nil {
				t.Fatalf("LoadFile succeeded (%+v), want problems", cfg)
			}
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, want *Errors: %v", err, err)
			}
			if cfg != nil && !reflect.ValueOf(cfg).IsNil() {
				t.Errorf("LoadFile returned a value along with the error")
			}
			if !slices.IsSortedFunc(errs.Problems, compareProblems) {
				t.Errorf("problems are not in file and line order")
			}
			for _, p := range errs.Problems {
				// The input, or a policy file it references.
				if p.File != file && !strings.HasPrefix(p.File, absDir+string(filepath.Separator)) {
					t.Errorf("problem names file %q, want %q or a file under it", p.File, file)
				}
			}
			got := strings.ReplaceAll(err.Error(), file, name+".yaml")
			got = strings.ReplaceAll(got, absDir, "$DIR") + "\n"
			golden := filepath.Join(dir, name+".golden")
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
