package web

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"tinnhiem/ballot"
)

// The console's one authorisation layer. Every console route is declared
// in consoleRoutes with the permission it needs, and mounted only through
// authorize, which checks the signed-in account's role and scope before the
// handler runs; handlers never decide who may do what. authz_test walks
// every route of the router with every role, so a route mounted without a
// rule fails the tests.

// permission is what a console route requires.
type permission string

const (
	// permPublic: anyone, signed in or not (the sign-in page itself).
	permPublic permission = "public"
	// permSignedIn: any account; what it shows is scoped by the handler's
	// list (SessionsFor), never by trust in the URL.
	permSignedIn permission = "signed-in"
	// permAdmin: organisations and accounts.
	permAdmin permission = "admin"
	// permOrgWrite: create a session in the organisation named by the
	// form's "org" field; organisers of that organisation only.
	permOrgWrite permission = "org-write"
	// permSessionRead: see the session {id}: its organisers and inspectors.
	permSessionRead permission = "session-read"
	// permSessionWrite: change the session {id}: its organisers only.
	permSessionWrite permission = "session-write"
	// permSessionCosign: add a cosignature to the session {id}: whoever may
	// read it.
	permSessionCosign permission = "session-cosign"
)

// consoleRoute is one console route: its method, path template, required
// permission and handler.
type consoleRoute struct {
	method string
	path   string
	perm   permission
	handle func(w http.ResponseWriter, r *http.Request, c *call)
}

// call is what the authorisation layer hands a handler: the account that
// passed the check (nil on public routes), its CSRF token, and the session
// of {id}, already loaded and checked.
type call struct {
	account *ballot.Account
	csrf    string
	cookie  string
	session *ballot.Session
}

// allowed is the one decision: may account a use a route needing perm, on
// sess (for session routes) or in org (for permOrgWrite)?
func allowed(a *ballot.Account, perm permission, sess *ballot.Session, org string) bool {
	switch perm {
	case permPublic:
		return true
	case permSignedIn:
		return a != nil
	case permAdmin:
		return a.CanManageAccounts()
	case permOrgWrite:
		return a.CanCreateIn(org)
	case permSessionRead:
		return a.CanRead(sess)
	case permSessionWrite:
		return a.CanWrite(sess)
	case permSessionCosign:
		return a.CanCosign(sess)
	}
	return false // an unknown permission allows nothing
}

var errForbidden = &ballot.Error{Code: ballot.EInvalid, Key: "forbidden", Message: "this account may not do this"}
var errSignedOut = &ballot.Error{Code: ballot.EInvalid, Key: "signed_out", Message: "not signed in"}
var errCSRF = &ballot.Error{Code: ballot.EInvalid, Key: "csrf", Message: "missing or wrong form token"}

// mountConsole adds every console route to r through authorize.
func (s *Server) mountConsole(r *mux.Router) {
	for _, rt := range s.consoleRoutes() {
		methods := []string{rt.method}
		if rt.method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
		r.Handle(rt.path, s.authorize(rt)).Methods(methods...)
	}
}

type routeKey struct{}

// authorize wraps one route's handler with the checks, in this order:
// sign-in, then for any state-changing request the origin and the form's
// CSRF token, then the permission against the account's role and scope.
// A session that does not exist and one the account may not see get the
// same answer, so that scopes do not reveal other organisations' sessions.
func (s *Server) authorize(rt consoleRoute) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, rt.perm))
		c := &call{}
		if rt.perm == permPublic {
			rt.handle(w, r, c)
			return
		}
		if ck, err := r.Cookie(sessionCookie); err == nil {
			if lg := s.logins.lookup(ck.Value); lg != nil {
				// The account is read afresh on every request, so a
				// changed scope takes effect at once.
				if a, err := s.svc.Account(r.Context(), lg.account); err == nil {
					c.account, c.csrf, c.cookie = a, lg.csrf, ck.Value
				}
			}
		}
		if c.account == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
				return
			}
			s.consoleFail(w, r, errSignedOut)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxConsoleBody)
			if !sameOrigin(r) || !sameToken(r.PostFormValue("csrf"), c.csrf) {
				s.consoleFail(w, r, errCSRF)
				return
			}
		}
		if id, ok := mux.Vars(r)["id"]; ok {
			sess, err := s.svc.Session(r.Context(), id)
			if err != nil && ballot.ErrorCode(err) != ballot.ENotFound {
				s.consoleFail(w, r, err)
				return
			}
			c.session = sess
		}
		if !allowed(c.account, rt.perm, c.session, r.PostFormValue("org")) {
			s.consoleFail(w, r, errForbidden)
			return
		}
		rt.handle(w, r, c)
	})
}
