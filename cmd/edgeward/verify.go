package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/gateway"
	"github.com/edgeward/edgeward/policy"
)

func newVerifyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Explain offline whether the gateway would admit a signed request",
	}
	var rf requestFlags
	url := &cobra.Command{
		Use:   "url --config FILE URL",
		Short: "Explain why the gateway would accept or refuse a URL",
		Long: `Run the gateway's own signed-URL check, built from the config, on one URL
without starting anything, and say which distribution and behavior it routes
to and why it would be accepted or refused. Exits 0 when admitted, 1 when
refused.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := gateway.SignedCheck{URL: args[0]}
			if err := rf.check(&c); err != nil {
				return err
			}
			cfg, err := policy.Load(rf.config)
			if err != nil {
				return err
			}
			v, err := gateway.ExplainSigned(cfg, c)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "distribution %s, behavior %s\n", v.Distribution, v.Behavior)
			switch {
			case !v.Private:
				fmt.Fprintln(w, "admitted: the behavior is public (no trusted_key_groups or token)")
			case v.Admitted:
				fmt.Fprintln(w, "admitted: the signature is valid")
			default:
				fmt.Fprintf(w, "refused: %d %s\n  why: %s\n", v.Status, v.Reason, v.Detail)
				if v.Body != "" {
					fmt.Fprintf(w, "  the viewer gets: %s\n", v.Body)
				}
				return exitError{code: 1}
			}
			return nil
		},
	}
	rf.register(url)
	cmd.AddCommand(url)
	return cmd
}
