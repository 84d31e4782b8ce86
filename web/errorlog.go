package web

import (
	"context"
	"log"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// ServerErrorLog returns the logger to set as http.Server.ErrorLog. It
// passes what net/http reports on its own (failed TLS handshakes, panics
// outside the handlers, accept errors) to logger, without a client's
// address and without a time: net/http writes "TLS handshake error from
// 192.0.2.7:51234" at the moment a phone refused the certificate, and an
// address next to a time could single out a voter. Every IP address and
// port in a message, wherever it stands, is replaced by "(address)"; the
// value of a panic, which could hold anything a handler had, is dropped and
// its stack kept.
func ServerErrorLog(logger *slog.Logger) *log.Logger {
	return log.New(&errorLogWriter{h: logger.Handler()}, "", 0)
}

// errorLogWriter turns each line net/http writes into one record.
type errorLogWriter struct {
	h slog.Handler
}

// addressPattern matches an IPv4 address, a bracketed IPv6 address or a
// bare one (two colons at least, which also blanks a clock time, harmless),
// each with its port or zone if any.
var addressPattern = regexp.MustCompile(`\d{1,3}(\.\d{1,3}){3}(:\d+)?|\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(%[\w.-]+)?\](:\d+)?|([0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*(%\w+)?`)

// redactAddresses replaces every address in s by "(address)".
func redactAddresses(s string) string {
	return addressPattern.ReplaceAllString(s, "(address)")
}

func (w *errorLogWriter) Write(p []byte) (int, error) {
	line := strings.TrimRight(string(p), "\n")
	level, msg := slog.LevelWarn, "http server"
	var attrs []slog.Attr
	switch {
	case strings.HasPrefix(line, "http: TLS handshake error from "):
		// "http: TLS handshake error from ADDR: REASON"; ADDR holds no
		// ": " even for IPv6, which is bracketed.
		reason := strings.TrimPrefix(line, "http: TLS handshake error from ")
		if i := strings.Index(reason, ": "); i >= 0 {
			reason = reason[i+2:]
		}
		msg = "TLS handshake failed"
		attrs = append(attrs, slog.String("reason", redactAddresses(reason)))
	case strings.HasPrefix(line, "http: panic serving "):
		// "http: panic serving ADDR: VALUE\nSTACK"
		level, msg = slog.LevelError, "panic serving a request"
		stack := ""
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			stack = line[i+1:]
		}
		attrs = append(attrs, slog.String("stack", redactAddresses(stack)))
	default:
		attrs = append(attrs, slog.String("detail", redactAddresses(strings.TrimPrefix(line, "http: "))))
	}
	ctx := context.Background()
	if w.h.Enabled(ctx, level) {
		// A zero time: the handler writes none.
		r := slog.NewRecord(time.Time{}, level, msg, 0)
		r.AddAttrs(attrs...)
		if err := w.h.Handle(ctx, r); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
