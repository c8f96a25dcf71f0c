package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/policy"
)

func newInvalidateCommand() *cobra.Command {
	var dist, admin, tokenFile, configPath string
	var tags []string
	cmd := &cobra.Command{
		Use:   "invalidate --distribution NAME [--tag TAG]... [PATH]...",
		Short: "Remove objects from a running gateway's cache",
		Long: `Remove objects from a running gateway's cache, by path and by tag, through its
admin API. A path is exact ("/index.html": every query and header variant of it)
or ends in "*" ("/images/*", which also matches query strings). Objects are gone
when the command returns; it prints how many were removed.

The admin address and token come from --config (listen.admin and
admin.token_file) or from --admin and --token-file.`,
		Example: `  edgeward invalidate --config /etc/edgeward/edgeward.yaml --distribution demo '/images/*' /index.html
  edgeward invalidate --admin http://127.0.0.1:9901 --token-file admin.token --distribution demo --tag product-42`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if configPath != "" {
				cfg, err := policy.Load(configPath)
				if err != nil {
					return err
				}
				if admin == "" && cfg.Listen.Admin != "off" {
					admin = "http://" + cfg.Listen.Admin
				}
				if tokenFile == "" {
					tokenFile = cfg.Admin.TokenFile
				}
			}
			if admin == "" {
				admin = "http://127.0.0.1:9901"
			}
			if dist == "" {
				return fmt.Errorf("--distribution is required")
			}
			if len(paths) == 0 && len(tags) == 0 {
				return fmt.Errorf("give at least one path or --tag")
			}
			if tokenFile == "" {
				return fmt.Errorf("no admin token: use --token-file or --config with admin.token_file")
			}
			tok, err := os.ReadFile(tokenFile)
			if err != nil {
				return err
			}
			body, _ := json.Marshal(map[string]any{"distribution": dist, "paths": paths, "tags": tags})
			req, err := http.NewRequest(http.MethodPost, strings.TrimRight(admin, "/")+"/invalidations", bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
			resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode != http.StatusOK {
				var e struct{ Error string }
				if json.Unmarshal(out, &e) == nil && e.Error != "" {
					return fmt.Errorf("%s: %s", resp.Status, e.Error)
				}
				return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(out)))
			}
			var r struct {
				Removed int     `json:"removed"`
				TookMS  float64 `json:"took_ms"`
			}
			if err := json.Unmarshal(out, &r); err != nil {
				return fmt.Errorf("unexpected answer: %s", out)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %d objects from %s in %.1f ms\n", r.Removed, dist, r.TookMS)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&dist, "distribution", "d", "", "distribution name (required)")
	f.StringArrayVarP(&tags, "tag", "t", nil, "cache tag to purge (repeatable)")
	f.StringVarP(&configPath, "config", "c", "", "read the admin address and token file from this config")
	f.StringVar(&admin, "admin", "", "admin API base URL (default from --config, else http://127.0.0.1:9901)")
	f.StringVar(&tokenFile, "token-file", "", "file holding the admin bearer token")
	return cmd
}
