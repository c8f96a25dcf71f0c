package main

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/gateway"
)

// requestFlags are the flags `verify url` and `policy test` share to
// describe the request they explain offline.
type requestFlags struct {
	config, cookie, ip, at string
	headers                []string
}

func (f *requestFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "the gateway's config file")
	fl.StringVar(&f.cookie, "cookie", "", "a Cookie header value to send along (signed cookies)")
	fl.StringArrayVar(&f.headers, "header", nil, "a request header, Name: value (repeatable; e.g. Authorization: Bearer TOKEN)")
	fl.StringVar(&f.ip, "ip", "", "the viewer's IP address (default 127.0.0.1)")
	fl.StringVar(&f.at, "at", "", "check as of this time instead of now (RFC 3339, +DURATION or Unix seconds)")
}

// check fills c from the flags.
func (f *requestFlags) check(c *gateway.RequestCheck) error {
	if f.config == "" {
		return fmt.Errorf("--config is required")
	}
	c.Cookie = f.cookie
	c.Header = http.Header{}
	var err error
	if f.ip != "" {
		if c.ClientIP, err = netip.ParseAddr(f.ip); err != nil {
			return fmt.Errorf("--ip %q: not an IP address", f.ip)
		}
	}
	if f.at != "" {
		if c.Now, err = parseWhen(f.at, time.Now()); err != nil {
			return fmt.Errorf("--at %w", err)
		}
	}
	for _, h := range f.headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return fmt.Errorf("--header %q: write Name: value", h)
		}
		c.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return nil
}
