package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/gateway"
)

func newServeCommand() *cobra.Command {
	var configPath, logFormat, logLevel string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the gateway",
		Long: `Run the gateway on the given configuration.

Signals: SIGHUP reloads the configuration (an invalid one is refused and the
running one stays), SIGUSR1 reopens the access log file (after logrotate),
SIGTERM and SIGINT stop accepting connections and drain in-flight requests
for up to limits.shutdown_timeout, then exit 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(logFormat, logLevel)
			if err != nil {
				return err
			}
			return serve(configPath, logger)
		},
	}
	cmd.Flags().StringVarP(&configPath, "config", "c", "edgeward.yaml", "configuration file")
	cmd.Flags().StringVar(&logFormat, "log-format", "text", "process log format: text or json")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "process log level: debug, info, warn, error")
	return cmd
}

func serve(configPath string, logger *slog.Logger) error {
	// Catch the signals before anything starts: a SIGHUP that arrived
	// between "serving" and signal.Notify would otherwise terminate the
	// process (its default action) instead of reloading.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	srv, err := gateway.New(configPath, gateway.Options{Logger: logger})
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	for {
		select {
		case err := <-srv.Errors():
			return err
		case sig := <-sigs:
			switch sig {
			case syscall.SIGHUP:
				_ = srv.Reload() // logged by Reload; the running config stays on error
			case syscall.SIGUSR1:
				if err := srv.ReopenLogs(); err != nil {
					logger.Error("reopening the access log failed", "error", err.Error())
				} else {
					logger.Info("access log reopened")
				}
			default:
				timeout := srv.ShutdownTimeout()
				logger.Info("shutting down", "signal", sig.String(), "drain_timeout", timeout.String())
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				err := srv.Shutdown(ctx)
				cancel()
				if err != nil {
					logger.Warn("some requests were cut off at the drain timeout")
				}
				logger.Info("stopped")
				return nil
			}
		}
	}
}

func newLogger(format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}
