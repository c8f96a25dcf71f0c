package main

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/gateway"
	"github.com/edgeward/edgeward/policy"
)

func newVerifyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Explain offline whether the gateway would admit a signed request",
	}
	var config, cookie, ip, at string
	var headers []string
	url := &cobra.Command{
		Use:   "url --config FILE URL",
		Short: "Explain why the gateway would accept or refuse a URL",
		Long: `Run the gateway's own signed-URL check, built from the config, on one URL
without starting anything, and say which distribution and behavior it routes
to and why it would be accepted or refused. Exits 0 when admitted, 1 when
refused.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if config == "" {
				return fmt.Errorf("--config is required")
			}
			cfg, err := policy.Load(config)
			if err != nil {
				return err
			}
			c := gateway.SignedCheck{URL: args[0], Cookie: cookie, Header: http.Header{}}
			if ip != "" {
				if c.ClientIP, err = netip.ParseAddr(ip); err != nil {
					return fmt.Errorf("--ip %q: not an IP address", ip)
				}
			}
			if at != "" {
				if c.Now, err = parseWhen(at, time.Now()); err != nil {
					return fmt.Errorf("--at %w", err)
				}
			}
			for _, h := range headers {
				k, v, ok := strings.Cut(h, ":")
				if !ok {
					return fmt.Errorf("--header %q: write Name: value", h)
				}
				c.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
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
	fl := url.Flags()
	fl.StringVar(&config, "config", "", "the gateway's config file")
	fl.StringVar(&cookie, "cookie", "", "a Cookie header value to send along (signed cookies)")
	fl.StringArrayVar(&headers, "header", nil, "a request header, Name: value (repeatable; e.g. Authorization: Bearer TOKEN)")
	fl.StringVar(&ip, "ip", "", "the viewer's IP address (default 127.0.0.1)")
	fl.StringVar(&at, "at", "", "check as of this time instead of now (RFC 3339, +DURATION or Unix seconds)")
	cmd.AddCommand(url)
	return cmd
}
