// Package web serves tinnhiem over HTTP: the voter's pages and JSON API and
// the organiser's console, all from one gorilla/mux router wrapped in the
// same middleware.
//
// What the package guarantees, whatever the route:
//
//   - No token reaches a log line. The access log names the route template
//     ("/V/{token}"), never the raw path or query; error details are logged
//     only for 5xx responses and come from the domain's messages, which never
//     hold a token. The voter page takes its token from the address in the
//     browser and never echoes it back.
//   - Every response carries a strict Content-Security-Policy (no inline
//     script or style, no external origin), Referrer-Policy: no-referrer,
//     Cache-Control: no-store, nosniff and DENY framing, so a token in a
//     card's URL leaks neither through Referer headers nor through caches.
//   - Errors reach people as a sentence in Vietnamese (and English) that says
//     what to do next; the mapping from domain errors to status codes lives
//     in one place, problems.go.
//
// Files, by concern: server.go (routes), middleware.go (headers, limits,
// recovery, access log), api.go (JSON API), problems.go (error mapping),
// pages.go (HTML pages and static files), i18n.go (the texts in both
// languages), templates/ and static/ (embedded).
package web

import (
	"log/slog"
	"net/http"
	"strings"

	"tinnhiem/ballot"
	"tinnhiem/tally/report"

	"github.com/gorilla/mux"
)

// Options configures a Server. The zero value is usable: no base URL and a
// logger that discards everything.
type Options struct {
	// BaseURL is the public base URL printed on the cards, e.g.
	// http://192.168.1.10:8080. The manual entry page shows it so that a
	// voter who typed the address by hand can check it.
	BaseURL string
	// Logger receives one access line per request and the detail of
	// internal errors. It never receives a token.
	Logger *slog.Logger
	// TLS says the server is reached over HTTPS: console cookies are then
	// Secure and every response carries Strict-Transport-Security.
	TLS bool
	// ReportSigner returns the signer of the PDF reports issued from the
	// console's tally for a session of organisation org, so that each
	// organisation may sign with its own certificate; without it the
	// console cannot tally.
	ReportSigner func(org string) (report.Signer, error)
}

// Server serves the voter pages and API over a ballot.Service. It is safe
// for concurrent use; it holds no per-request state.
type Server struct {
	svc     *ballot.Service
	baseURL string
	log     *slog.Logger
	pages   *pages
	handler http.Handler

	// The organiser console (console.go, auth.go, authz.go).
	console consolePages
	logins  *logins
	pending *pendingUploads
	signer  func(org string) (report.Signer, error)
	tls     bool

	// What slows guessing: sign-in attempts (loginlimit.go) and failed
	// card look-ups (ratelimit.go).
	throttle *loginThrottle
	lookups  *lookupLimiter
}

// New returns a Server for svc. Its templates and static files are embedded
// in the binary and checked here, so a Server that exists can render every
// page.
func New(svc *ballot.Service, opts Options) *Server {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		svc:     svc,
		baseURL: strings.TrimRight(opts.BaseURL, "/"),
		log:     logger,
		pages:   loadPages(),
		console: loadConsolePages(),
		logins:  newLogins(),
		pending: &pendingUploads{m: map[string]*pendingUpload{}},
		signer:  opts.ReportSigner,
		tls:     opts.TLS,

		throttle: newLoginThrottle(),
		lookups:  newLookupLimiter(),
	}
	s.handler = s.logRequests(s.recoverPanics(s.routes()))
	if s.tls {
		s.handler = hsts(s.handler)
	}
	return s
}

// Handler returns the HTTP handler that serves every route through all the
// middleware of the package. The same handler is returned on every call.
func (s *Server) Handler() http.Handler { return s.handler }

// routes lists every route in one place, so that what the server exposes can
// be read at a glance and the access log's route names are exactly these
// templates.
func (s *Server) routes() *mux.Router {
	r := mux.NewRouter()
	r.Use(nameRoute)
	r.NotFoundHandler = s.routeError(errNoRoute)
	r.MethodNotAllowedHandler = s.routeError(errMethod)

	api := r.PathPrefix("/api/v1").Subrouter()
	small, cast := limitBody(maxAPIBody), limitBody(maxCastBody)
	// Failed card and tracker look-ups are slowed per client address and
	// overall (ratelimit.go); a card or tracker that exists is never held
	// back. (gorilla/mux answers a method mismatch with 405 only when no
	// later route of the subrouter fails on its path: /cast, the route a
	// client is most likely to GET by mistake, stays last.)
	api.Handle("/tracker", small(http.HandlerFunc(s.handleTracker))).Methods(http.MethodPost)
	api.Handle("/ballot", small(http.HandlerFunc(s.handleBallot))).Methods(http.MethodPost)
	api.Handle("/display", small(http.HandlerFunc(s.handleDisplay))).Methods(http.MethodPost)
	api.Handle("/member/paper/form", small(http.HandlerFunc(s.handlePaperForm))).Methods(http.MethodPost)
	api.Handle("/member/paper", cast(http.HandlerFunc(s.handlePaperEnter))).Methods(http.MethodPost)
	// The committee's member page (member.go): every request names the
	// session and the member code in its body; a wrong code is slowed as a
	// wrong card is.
	api.Handle("/member/state", small(http.HandlerFunc(s.handleMemberState))).Methods(http.MethodPost)
	api.Handle("/member/messages", small(http.HandlerFunc(s.handleMemberMessages))).Methods(http.MethodPost)
	api.Handle("/member/message", cast(http.HandlerFunc(s.handleMemberMessage))).Methods(http.MethodPost)
	api.Handle("/member/tally", small(http.HandlerFunc(s.handleMemberTally))).Methods(http.MethodPost)
	api.Handle("/member/partial", cast(http.HandlerFunc(s.handleMemberPartial))).Methods(http.MethodPost)
	api.Handle("/cast", cast(http.HandlerFunc(s.handleCast))).Methods(http.MethodPost)

	get := []string{http.MethodGet, http.MethodHead}
	// Cards encode the upper-case form (QR alphanumeric mode); people type
	// the lower-case one. Both serve the same page, which never needs the
	// token server-side: the page's script reads it from the address bar.
	for _, p := range []string{"/V/{token}", "/v/{token}", "/V/", "/v/"} {
		r.HandleFunc(p, s.handleVoterPage).Methods(get...)
	}
	r.HandleFunc("/bkp/{session}/{code}", s.handleMemberPage).Methods(get...)
	r.HandleFunc("/bkp/", s.handleMemberPage).Methods(get...)
	r.HandleFunc("/", s.handleEntryPage).Methods(get...)
	r.HandleFunc("/nhap-ma", s.handleEntryPage).Methods(get...)
	r.HandleFunc("/tra-cuu", s.handleTrackerPage).Methods(get...)
	r.HandleFunc("/trinh-chieu/{session}", s.handleDisplayPage).Methods(get...)
	r.HandleFunc("/bkp/phieu-giay", s.handlePaperPage).Methods(get...)
	r.PathPrefix("/static/").Handler(staticHandler()).Methods(get...)
	r.HandleFunc("/healthz", handleHealth).Methods(get...)
	s.mountConsole(r)
	return r
}

// hsts tells browsers to come back over HTTPS only, for a year: a meeting
// network's server is reached by one name, and a downgraded console
// connection would expose the sign-in.
func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		next.ServeHTTP(w, r)
	})
}

// handleHealth tells a supervisor the process serves requests; it checks
// nothing else, so it never fails because of one bad session.
func handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok"))
}

// routeError answers requests that match no route, or no method of one:
// JSON on the API, where scripts read the body, and a short text elsewhere,
// where people do.
func (s *Server) routeError(err *ballot.Error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			s.fail(w, r, err)
			return
		}
		s.failPage(w, r, err)
	})
}
