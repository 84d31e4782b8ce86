package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/web"
)

func cmdServe(e *env, args []string) error {
	f := newFlags("serve", true, false)
	addr := f.String("addr", "127.0.0.1:8080", "`ADDRESS` to listen on")
	baseURL := f.String("base-url", "", "public URL of the server (default: http://ADDRESS)")
	return withService(f, args, func(svc *ballot.Service, pos []string) error {
		if err := requireNoArgs(pos); err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return withHint(fmt.Errorf("failed to listen on %s: %w", *addr, err), "is another server using this port? choose another with --addr")
		}
		base := *baseURL
		if base == "" {
			base = "http://" + ln.Addr().String()
		}
		return serve(e, svc, ln, base)
	})
}

// serve checks every audit log, then serves until the context ends. A
// server never serves from a broken chain: it names the entry and stops.
func serve(e *env, svc *ballot.Service, ln net.Listener, baseURL string) error {
	defer ln.Close()
	if err := svc.VerifyLogs(e.ctx); err != nil {
		return withHint(fmt.Errorf("refusing to serve: %w", err), "the database was changed outside tinnhiem; keep a copy of it and call the inspectors")
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	srv := &http.Server{
		Handler:           web.New(svc, web.Options{BaseURL: baseURL, Logger: logger}).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("tinnhiem serving", "addr", ln.Addr().String(), "base_url", baseURL,
		"key_fingerprint", audit.Fingerprint(svc.Key().VerifierKey()))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("server stopped: %w", err)
	case <-e.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("failed to stop the server cleanly: %w", err)
	}
	logger.Info("tinnhiem stopped")
	return nil
}
