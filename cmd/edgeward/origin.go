package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/gateway"
	"github.com/edgeward/edgeward/policy"
)

func newOriginCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "origin",
		Short: "Work with the configured origins",
	}
	var config string
	var timeout time.Duration
	check := &cobra.Command{
		Use:   "check --config FILE",
		Short: "Try each origin once and say what it answered",
		Long: `Build every origin of the config as the gateway would and try each once: a
HEAD of / for HTTP and directory origins, a signed request to the bucket for S3
origins (which proves the credentials work). Prints one line per origin and
exits 1 when any failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if config == "" {
				return fmt.Errorf("--config is required")
			}
			cfg, err := policy.Load(config)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			failed := false
			for _, r := range gateway.CheckOrigins(ctx, cfg) {
				verdict := "ok"
				if !r.OK {
					verdict, failed = "FAILED", true
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s/%s (%s): %s\n", verdict, r.Distribution, r.Origin, r.Took.Round(time.Millisecond), r.Said)
			}
			if failed {
				return exitError{code: 1}
			}
			return nil
		},
	}
	check.Flags().StringVar(&config, "config", "", "the gateway's config file")
	check.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "give up after this long in all")
	cmd.AddCommand(check, newOriginEchoCommand())
	return cmd
}
