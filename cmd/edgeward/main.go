// Command edgeward is the Edgeward edge gateway and its tools.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitError carries an exit code without printing usage again.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	root := newRootCommand()
	if err := root.Execute(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "edgeward:", err)
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "edgeward",
		Short:         "Edgeward: a self-hosted access-security edge gateway",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.AddCommand(newServeCommand(), newPolicyCommand(), newInvalidateCommand(),
		newKeysCommand(), newSignCommand(), newVerifyCommand(), newOriginCommand(), newGeodataCommand(),
		newFLECommand())
	return root
}
