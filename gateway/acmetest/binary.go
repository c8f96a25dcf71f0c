package acmetest

import (
	"fmt"

	"github.com/edgeward/edgeward/gateway/internal/testtool"
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
	return testtool.Find(name, env, fmt.Sprintf(
		"install it with `make tools`, or: GOBIN=%s go install github.com/letsencrypt/pebble/v2/cmd/pebble@%s github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@%s",
		testtool.ToolsBin(), Version, Version))
}
