package main

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/edgeward/edgeward/"

// TestDependenciesPointOneWay enforces the package boundaries of the
// design: policy, keys, rules and geodata import none of each other nor
// gateway or cmd; gateway never imports cmd.
func TestDependenciesPointOneWay(t *testing.T) {
	leaves := []string{"policy", "keys", "rules", "geodata"}
	forbidden := map[string][]string{"gateway": {"cmd"}}
	for _, l := range leaves {
		for _, other := range append([]string{"gateway", "cmd"}, leaves...) {
			if other != l {
				forbidden[l] = append(forbidden[l], other)
			}
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for top, bad := range forbidden {
		filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() || strings.Contains(path, "testdata") {
				return nil
			}
			pkg, err := build.ImportDir(path, 0)
			if err != nil {
				return nil // no Go files here
			}
			checked++
			imports := append(append(pkg.Imports, pkg.TestImports...), pkg.XTestImports...)
			for _, imp := range imports {
				rel, ok := strings.CutPrefix(imp, module)
				if !ok {
					continue
				}
				for _, b := range bad {
					if rel == b || strings.HasPrefix(rel, b+"/") {
						t.Errorf("%s imports %s: %s must not depend on %s", path[len(root)+1:], imp, top, b)
					}
				}
			}
			return nil
		})
	}
	if checked == 0 {
		t.Fatal("no packages checked")
	}
}
