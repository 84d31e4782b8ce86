package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"tinnhiem/ballot"

	"github.com/gorilla/mux"
)

// maxAPIBody bounds a JSON request. A ballot for a few hundred cadres is a
// few kilobytes; anything near this limit is not a voter's phone.
const maxAPIBody = 64 << 10

// maxCastBody bounds a cast request, which in an encrypted session carries
// the ballot's ciphertexts and proofs: about 971 KB for the largest ballot
// (1000 lines of 3 options, box.MaxLines), measured, plus room for the
// request around it.
const maxCastBody = 1 << 20

// contentSecurityPolicy allows nothing but the server's own scripts, styles
// and API, so that neither injected markup nor a third party can read a
// token or a choice off the page.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders are sent on every response. no-referrer and no-store keep
// a token that was in the address bar out of other servers' logs and out of
// caches on the phone or on the way.
var securityHeaders = [][2]string{
	{"Content-Security-Policy", contentSecurityPolicy},
	{"Referrer-Policy", "no-referrer"},
	{"Cache-Control", "no-store"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
}

func setSecurityHeaders(h http.Header) {
	for _, kv := range securityHeaders {
		h.Set(kv[0], kv[1])
	}
}

// requestInfo travels in the request's context so that the access log,
// which runs outside the router, learns what only the router and the
// handlers know: the route template and the detail of an internal error.
type requestInfo struct {
	route string // route template, "" when no route matched
	err   string // detail of a 5xx, for the log only
}

type infoKey struct{}

func info(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return ri
	}
	// Outside logRequests (direct handler tests) the detail is simply lost.
	return &requestInfo{}
}

// nameRoute records the matched route's template. It runs inside the
// router because mux exposes the route only there.
func nameRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if route := mux.CurrentRoute(r); route != nil {
			if tmpl, err := route.GetPathTemplate(); err == nil {
				info(r.Context()).route = tmpl
			}
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps the request body; handlers see *http.MaxBytesError when a
// client sends more and answer 413.
func limitBody(n int64) mux.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// recorder remembers the status for the access log and sets the security
// headers at the moment the header is sent: http.FileServer and
// http.ServeContent delete Cache-Control on their error paths, and no
// handler may send a response without the headers.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *recorder) WriteHeader(code int) {
	if code >= 100 && code < 200 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.wrote {
		return
	}
	w.wrote, w.status = true, code
	setSecurityHeaders(w.Header())
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one access line per request: method, route template,
// status and duration. It never logs the path, the query, the remote
// address or any header, because the path of a card's URL is its token; and
// the line carries no time of day (logUntimed), because the time a card's
// page was opened or its ballot cast, next to anything else known of the
// room, could single out a voter.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		setSecurityHeaders(rec.Header())
		defer func() {
			route := ri.route
			if route == "" {
				route = "(no route)"
			}
			attrs := []any{"method", r.Method, "route", route, "status", rec.status, "duration", time.Since(start)}
			level := slog.LevelInfo
			if rec.status >= 500 || ri.err != "" {
				level = slog.LevelError
				attrs = append(attrs, "error", ri.err)
			}
			s.logUntimed(r.Context(), level, "request", attrs...)
		}()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, ri)))
	})
}

// recoverPanics turns a panic in a handler into a 500 with the generic
// sentence. It logs the panic's type and stack but not its value, which
// could hold anything the handler had, a token included.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // net/http's own way to abort a response; it logs nothing
			}
			ri := info(r.Context())
			detail := fmt.Sprintf("panic (%T)", v)
			s.logUntimed(r.Context(), slog.LevelError, "panic in handler", "route", ri.route, "type", fmt.Sprintf("%T", v),
				"stack", string(debug.Stack()))
			if rec, ok := w.(*recorder); ok && rec.wrote {
				ri.err = detail // the status is already on the wire; the access line records the panic
				return
			}
			s.fail(w, r, &ballot.Error{Code: ballot.EInternal, Message: detail})
		}()
		next.ServeHTTP(w, r)
	})
}

// logUntimed writes a record with a zero time, which slog's handlers leave
// out: lines caused by one request say what happened, never when.
func (s *Server) logUntimed(ctx context.Context, level slog.Level, msg string, args ...any) {
	h := s.log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(time.Time{}, level, msg, 0)
	r.Add(args...)
	_ = h.Handle(ctx, r) // a log that cannot be written must not fail the request
}
