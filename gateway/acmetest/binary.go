package acmetest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Version is the pebble release the tests are written against (what
// `make tools` installs).
const Version = "v2.10.1"

// Binaries returns pebble and pebble-challtestsrv: each from its variable
// ($EDGEWARD_PEBBLE, $EDGEWARD_PEBBLE_CHALLTESTSRV) when set, else on
// PATH, else in .tools/bin under the module root. The error says where it
// looked and how to install them.
func Binaries() (pebble, challtestsrv string, err error) {
	if pebble, err = binary("pebble", "EDGEWARD_PEBBLE"); err != nil {
		return "", "", err
	}
	if challtestsrv, err = binary("pebble-challtestsrv", "EDGEWARD_PEBBLE_CHALLTESTSRV"); err != nil {
		return "", "", err
	}
	return pebble, challtestsrv, nil
}

func binary(name, env string) (string, error) {
	tools := filepath.Join("<module root>", ".tools", "bin", name)
	if root, err := moduleRoot(); err == nil {
		tools = filepath.Join(root, ".tools", "bin", name)
	}
	install := fmt.Sprintf("install it with `make tools`, or: GOBIN=%s go install github.com/letsencrypt/pebble/v2/cmd/pebble@%s github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@%s",
		filepath.Dir(tools), Version, Version)
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

// moduleRoot walks up from the working directory (a test runs in its
// package's directory) to the directory holding go.mod.
func moduleRoot() (string, error) {
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
