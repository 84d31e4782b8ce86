package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// TestSecurityHeadersEveryRoute walks every route the router registers —
// today's and those added later — and sends each of its methods, plus a
// wrong method and a path under it that does not exist, checking that every
// answer, whatever its status (200, 3xx, 4xx, 429, 5xx), carries all of
// securityHeaders exactly once. TestSecurityHeaders checks chosen requests;
// this one makes sure no route escapes the middleware.
func TestSecurityHeadersEveryRoute(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2})
	s := New(f.svc, Options{})
	variable := regexp.MustCompile(`\{[^}]*\}`)
	type probe struct{ method, path string }
	var probes []probe
	err := s.routes().Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tmpl, err := route.GetPathTemplate()
		if err != nil {
			return nil
		}
		path := variable.ReplaceAllStringFunc(tmpl, func(v string) string {
			if strings.HasPrefix(v, "{token") {
				return f.tokens[0]
			}
			return "x"
		})
		if strings.HasSuffix(path, "/") && path != "/" {
			probes = append(probes, probe{http.MethodGet, path + "no-such-file"})
		}
		methods, err := route.GetMethods()
		if err != nil {
			methods = []string{http.MethodGet}
		}
		for _, m := range methods {
			probes = append(probes, probe{m, path})
		}
		probes = append(probes, probe{http.MethodDelete, path})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(probes) < 10 {
		t.Fatalf("walked only %d probes; the router lists fewer routes than the voter pages alone", len(probes))
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range probes {
		req, err := http.NewRequest(p.method, f.url+p.path, strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", p.method, p.path, err)
		}
		resp.Body.Close()
		for _, kv := range securityHeaders {
			if got := resp.Header.Values(kv[0]); len(got) != 1 || got[0] != kv[1] {
				t.Errorf("%s %s (%d): %s = %q, want %q", p.method, p.path, resp.StatusCode, kv[0], got, kv[1])
			}
		}
	}
}
