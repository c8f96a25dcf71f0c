package testtool

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Find returns the program name to run: $env when set (it must be an
// executable file), else name on PATH, else .tools/bin/name under the
// module root, where `make tools` puts it. The error says where it looked
// and ends with install, how to get it.
func Find(name, env, install string) (string, error) {
	tools := filepath.Join("<module root>", ".tools", "bin", name)
	if root, err := ModuleRoot(); err == nil {
		tools = filepath.Join(root, ".tools", "bin", name)
	}
	if p := os.Getenv(env); p != "" {
		if err := executable(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w; %s", env, p, err, install)
		}
		return p, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if executable(tools) == nil {
		return tools, nil
	}
	return "", fmt.Errorf("%s not found ($%s is unset, none on PATH, none at %s); %s", name, env, tools, install)
}

// ToolsBin is the directory `make tools` installs into.
func ToolsBin() string {
	if root, err := ModuleRoot(); err == nil {
		return filepath.Join(root, ".tools", "bin")
	}
	return filepath.Join("<module root>", ".tools", "bin")
}

func executable(p string) error {
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return err
	case fi.IsDir() || fi.Mode().Perm()&0o111 == 0:
		return errors.New("not an executable file")
	}
	return nil
}

// ModuleRoot walks up from the working directory (a test runs in its
// package's directory) to the directory holding go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
