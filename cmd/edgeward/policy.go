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
reference) and policy files (kind: geo, kind: waf) without starting anything.
WAF policies are compiled with the OWASP CRS and their SecLang rule files
through Coraza, as the gateway does. Prints every problem as file:line: message
and exits 1 when there is any.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := false
			for _, path := range args {
				loaded, err := policy.LoadFile(path)
				if err == nil {
					// What validation cannot see: key sets, stages, the
					// GeoIP database and the WAF rules, compiled as the
					// gateway does.
					switch f := loaded.(type) {
					case *policy.Config:
						err = gateway.Compile(f)
					case *policy.WAFPolicy:
						err = gateway.CompileWAFPolicy(f)
					}
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
