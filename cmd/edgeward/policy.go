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
		Short: "Validate configuration files without starting anything",
		Long: `Validate configuration files (and the policy files and keys they reference)
without starting anything. Prints every problem as file:line: message and exits 1 when
there is any.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := false
			for _, path := range args {
				cfg, err := policy.Load(path)
				if err == nil {
					// What validation cannot see: key sets and stages
					// compiled as the gateway compiles them.
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
	return cmd
}
