package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// voterRoutes are the routes outside the console, which need no account.
// A new route must be added here or to consoleRoutes, or
// TestEveryRouteHasARule fails.
var voterRoutes = map[string]bool{
	"POST /api/v1/ballot": true, "POST /api/v1/cast": true, "POST /api/v1/tracker": true, "GET /tra-cuu": true,
	"GET /V/{token}": true, "GET /v/{token}": true, "GET /V/": true, "GET /v/": true,
	"GET /": true, "GET /nhap-ma": true, "GET /static/": true, "GET /healthz": true,
	"POST /api/v1/display": true, "GET /trinh-chieu/{session}": true,
	// The paper section of a committee member's page: no account, the
	// member's link code in the request body (web/paper.go).
	"GET /bkp/phieu-giay": true, "POST /api/v1/member/paper/form": true, "POST /api/v1/member/paper": true,
	// The committee's member page and API: no account, the member code in
	// the body is the authorisation (member.go).
	"GET /bkp/{session}/{code}": true, "GET /bkp/": true,
	"POST /api/v1/member/state": true, "POST /api/v1/member/messages": true, "POST /api/v1/member/message": true,
	"POST /api/v1/member/tally": true, "POST /api/v1/member/partial": true,
}

type walkedRoute struct{ method, path string }

// walkRoutes lists every method and path template of the server's router.
func walkRoutes(t *testing.T, s *Server) []walkedRoute {
	t.Helper()
	var out []walkedRoute
	err := s.routes().Walk(func(r *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		path, err := r.GetPathTemplate()
		if err != nil || r.GetHandler() == nil {
			return nil // a subrouter's prefix only
		}
		methods, err := r.GetMethods()
		if err != nil {
			t.Errorf("route %s accepts every method; declare them", path)
			return nil
		}
		for _, m := range methods {
			if m != http.MethodHead {
				out = append(out, walkedRoute{m, path})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEveryRouteHasARule fails for a route mounted without a permission:
// every /admin route must come from consoleRoutes, and every other route
// must be one of the voter's.
func TestEveryRouteHasARule(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	rules := map[string]permission{}
	for _, rt := range f.srv.consoleRoutes() {
		rules[rt.method+" "+rt.path] = rt.perm
	}
	for _, r := range walkRoutes(t, f.srv) {
		k := r.method + " " + r.path
		_, console := rules[k]
		switch {
		case strings.HasPrefix(r.path, "/admin") && !console:
			t.Errorf("console route %s has no rule in consoleRoutes", k)
		case !strings.HasPrefix(r.path, "/admin") && !voterRoutes[k]:
			t.Errorf("route %s is neither a console route with a rule nor a known voter route", k)
		}
	}
}

// wantAllowed is the authorisation policy written out per role, apart from
// the code that enforces it: who may use a route needing perm on a session
// of org ("" for routes without a session).
func wantAllowed(account string, perm permission, org string) bool {
	switch perm {
	case permPublic:
		return true
	case permSignedIn:
		return account != ""
	case permAdmin:
		return account == "quantri"
	case permOrgWrite: // the test always names testOrgA in the form
		return account == "tochuc-a"
	case permSessionRead, permSessionCosign:
		return (account == "tochuc-a" || account == "kiemtra-a") && org == testOrgA ||
			account == "tochuc-b" && org == testOrgB
	case permSessionWrite:
		return account == "tochuc-a" && org == testOrgA || account == "tochuc-b" && org == testOrgB
	}
	return false
}

// TestAuthorisationTable walks every console route with every role, signed
// out, and on the sessions of two organisations, and checks the answer:
// allowed requests pass the authorisation layer (whatever the handler then
// says about the empty form), forbidden ones get 403, signed-out ones are
// sent to the sign-in page (GET) or get 401.
func TestAuthorisationTable(t *testing.T) {
	f := newConsoleFixture(t, Options{})
	accounts := []string{"", "quantri", "tochuc-a", "tochuc-b", "kiemtra-a"}
	browsers := map[string]*browser{}
	for _, a := range accounts {
		browsers[a] = f.browser()
		if a != "" {
			browsers[a].mustLogin(a)
		}
	}
	targets := []struct{ id, org string }{{f.sessA, testOrgA}, {f.sessB, testOrgB}, {"khong-co-phien", ""}}
	checked := 0
	for _, rt := range f.srv.consoleRoutes() {
		for _, target := range targets {
			if !strings.Contains(rt.path, "{id}") && target.id != f.sessA {
				continue // one pass is enough for routes without a session
			}
			org := target.org
			if !strings.Contains(rt.path, "{id}") {
				org = ""
			}
			path := strings.NewReplacer("{id}", target.id, "{name}", "results.csv").Replace(rt.path)
			for _, a := range accounts {
				if rt.path == "/admin/login" && rt.method == http.MethodPost {
					continue // the sign-in itself is tested in auth_test.go
				}
				b := browsers[a]
				var form url.Values
				if rt.method == http.MethodPost {
					form = url.Values{"csrf": {b.csrf}, "org": {testOrgA}}
				}
				res, _ := b.do(rt.method, path, form)
				got := res.StatusCode
				// A signed-out request is sent to the sign-in page; logging
				// out lands there too, which is its success.
				signIn := got == http.StatusSeeOther && res.Header.Get("Location") == "/admin/login" && rt.path != "/admin/logout"
				want := wantAllowed(a, rt.perm, org)
				switch {
				case a == "" && rt.perm != permPublic:
					if !(rt.method == http.MethodGet && signIn) && !(rt.method == http.MethodPost && got == http.StatusUnauthorized) {
						t.Errorf("signed out: %s %s = %d, want a redirect to sign in (GET) or 401 (POST)", rt.method, path, got)
					}
				case want && (got == http.StatusForbidden || got == http.StatusUnauthorized || signIn):
					t.Errorf("%s: %s %s = %d, want allowed (%s)", a, rt.method, path, got, rt.perm)
				case !want && got != http.StatusForbidden:
					t.Errorf("%s: %s %s = %d, want 403 (%s)", a, rt.method, path, got, rt.perm)
				}
				checked++
				if rt.path == "/admin/logout" && a != "" {
					b.mustLogin(a) // the allowed logout ended the sign-in
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("checked only %d requests; the table walk is broken", checked)
	}
}
