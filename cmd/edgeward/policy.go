package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/gateway"
	"github.com/edgeward/edgeward/policy"
)

func newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Check configuration and policy files",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Validate configuration and policy files without starting anything",
		Long: `Validate configuration files (and the policy files, keys and GeoIP database they
reference) and policy files (kind: geo) without starting anything. Prints every
problem as file:line: message and exits 1 when there is any.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := false
			for _, path := range args {
				loaded, err := policy.LoadFile(path)
				if cfg, ok := loaded.(*policy.Config); ok && err == nil {
					// What validation cannot see: key sets, stages and
					// the GeoIP database, compiled as the gateway does.
					err = gateway.Compile(cfg)
				}
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					failed = true
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", path)
			}
			if failed {
				return exitError{code: 1}
			}
			return nil
		},
	})
	cmd.AddCommand(newPolicyTestCommand())
	return cmd
}
