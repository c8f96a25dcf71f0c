package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/gateway"
	"github.com/edgeward/edgeward/policy"
)

// newPolicyTestCommand is `edgeward policy test`: route one request
// through a config offline and say what each stage would decide.
func newPolicyTestCommand() *cobra.Command {
	var rf requestFlags
	var path, host, method, rawURL string
	var https bool
	cmd := &cobra.Command{
		Use:   "test --config FILE --ip ADDR --path PATH",
		Short: "Explain offline which behavior serves a request and what each stage decides",
		Long: `Route one request through a config's distributions as the gateway would, then run
each security stage of the matched behavior on it (viewer protocol, signed URL or
cookie, geo, ...) without starting anything or contacting origins. Prints the
distribution, the behavior, the viewer's country when the behavior looks it up, and
every stage's verdict. Exits 0 when every stage admits the request, 1 otherwise.

Examples:
  edgeward policy test --config edgeward.yaml --ip 81.2.69.142 --path /private/a.mp4
  edgeward policy test --config edgeward.yaml --ip 2a02:cf40::1 --url 'https://cdn.example.com/x?Expires=...'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := gateway.RequestCheck{Method: strings.ToUpper(method)}
			if err := rf.check(&c); err != nil {
				return err
			}
			cfg, err := policy.Load(rf.config)
			if err != nil {
				return err
			}
			if c.URL, err = testURL(cfg, rawURL, host, path, https); err != nil {
				return err
			}
			v, err := gateway.Explain(cfg, c)
			if err != nil {
				return err
			}
			printVerdict(cmd.OutOrStdout(), c, v)
			if !v.Admitted {
				return exitError{code: 1}
			}
			return nil
		},
	}
	rf.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&path, "path", "/", "the request path")
	fl.StringVar(&host, "host", "", "the Host header (default: the first distribution's first host)")
	fl.BoolVar(&https, "https", false, "the viewer connects over HTTPS")
	fl.StringVar(&rawURL, "url", "", "the whole URL instead of --host, --path and --https (keeps a query: signed URLs)")
	fl.StringVar(&method, "method", "GET", "the request method")
	return cmd
}

// testURL is the URL to explain: --url as given, else one made of --host
// (default: the first distribution's first host; a wildcard's "*" becomes
// "www"), --path and --https.
func testURL(cfg *policy.Config, rawURL, host, path string, https bool) (string, error) {
	if rawURL != "" {
		return rawURL, nil
	}
	if host == "" {
		if len(cfg.Distributions) == 0 || len(cfg.Distributions[0].Hosts) == 0 {
			return "", fmt.Errorf("--host is required: the config names no host")
		}
		host = cfg.Distributions[0].Hosts[0]
		if rest, ok := strings.CutPrefix(host, "*."); ok {
			host = "www." + rest
		}
	}
	if !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("--path %q: a path begins with /", path)
	}
	scheme := "http"
	if https {
		scheme = "https"
	}
	return scheme + "://" + host + path, nil
}

func printVerdict(w io.Writer, c gateway.RequestCheck, v *gateway.Verdict) {
	fmt.Fprintf(w, "request:  %s %s\n", c.Method, c.URL)
	fmt.Fprintf(w, "route:    distribution %s, behavior %s (path %s)\n", v.Distribution, v.Behavior, v.Path)
	if v.GeoSource != "" {
		country := v.Country
		if country == "" {
			country = "unknown"
		}
		viewer := "127.0.0.1"
		if c.ClientIP.IsValid() {
			viewer = c.ClientIP.String()
		}
		fmt.Fprintf(w, "viewer:   %s, country %s (%s)\n", viewer, country, v.GeoSource)
	}
	if len(v.Stages) == 0 {
		fmt.Fprintln(w, "stages:   none (the behavior is public)")
	}
	for _, s := range v.Stages {
		if s.Admitted {
			fmt.Fprintf(w, "  %-8s allow\n", s.Stage)
			continue
		}
		fmt.Fprintf(w, "  %-8s deny  %d %s: %s\n", s.Stage, s.Status, s.Reason, s.Detail)
	}
	if v.Admitted {
		fmt.Fprintln(w, "verdict:  admitted")
		return
	}
	for _, s := range v.Stages {
		if !s.Admitted {
			fmt.Fprintf(w, "verdict:  refused by %s with %d\n", s.Stage, s.Status)
			return
		}
	}
}
