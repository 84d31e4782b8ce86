package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// faultyStore fails or panics on Cast, with the token's hash and, for the
// panic, the token itself in the value, to prove neither reaches the log.
type faultyStore struct {
	ballot.Store
	panicWith string // panic with this value instead of failing
}

func (s faultyStore) Cast(ctx context.Context, h audit.Hash, b ballot.Ballot) (string, error) {
	if s.panicWith != "" {
		panic("cast exploded for " + s.panicWith)
	}
	return "", ballot.Errorf(ballot.EInternal, "failed to commit ballot: disk I/O error")
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2})
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	}
	check := func(t *testing.T, resp *http.Response) {
		t.Helper()
		for k, v := range want {
			if got := resp.Header.Values(k); len(got) != 1 || got[0] != v {
				t.Errorf("%s: header %s = %q, want %q", resp.Request.URL.Path, k, got, v)
			}
		}
	}
	for _, path := range []string{
		"/V/" + f.tokens[0], "/v/" + strings.ToLower(f.tokens[0]), "/v/", "/", "/nhap-ma",
		"/static/style.css", "/static/common.js", "/static/voter.js", "/static/entry.js",
		"/static/missing.css", "/static/", "/healthz", "/no/such/page",
	} {
		t.Run("GET "+path, func(t *testing.T) {
			resp, _ := f.get(path)
			check(t, resp)
		})
	}
	for _, tt := range []struct{ path, body string }{
		{"/api/v1/ballot", `{"token": "` + f.tokens[0] + `"}`},
		{"/api/v1/ballot", `{"token": "` + strings.Repeat("B", 32) + `"}`},
		{"/api/v1/cast", `{`},
		{"/api/v1/cast", `{"token": "` + f.tokens[1] + `", "choices": {}}`},
	} {
		t.Run("POST "+tt.path, func(t *testing.T) {
			resp, err := http.Post(f.url+tt.path, "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			check(t, resp)
		})
	}
	t.Run("500", func(t *testing.T) {
		g := newFixture(t, fixtureOptions{tokens: 1, store: func(s ballot.Store) ballot.Store { return faultyStore{Store: s} }})
		resp, err := http.Post(g.url+"/api/v1/cast", "application/json",
			strings.NewReader(`{"token": "`+g.tokens[0]+`", "choices": {}}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("status = %d, want 500", resp.StatusCode)
		}
		check(t, resp)
	})
}

func TestInternalError(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1, store: func(s ballot.Store) ballot.Store { return faultyStore{Store: s} }})
	status, body := f.cast(f.tokens[0], map[string]any{"c1": "high"})
	wantError(t, status, body, http.StatusInternalServerError, "internal")
	if strings.Contains(string(body), "disk") {
		t.Errorf("the answer reveals the detail: %s", body)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "disk I/O error") || !strings.Contains(logs, "status=500") {
		t.Errorf("the log lacks the 500 and its detail:\n%s", logs)
	}
	assertNoToken(t, "log", logs, f.tokens)
}

func TestPanicRecovered(t *testing.T) {
	var tok string
	f := newFixture(t, fixtureOptions{tokens: 1, store: func(s ballot.Store) ballot.Store {
		return &lateFaultyStore{Store: s, token: &tok}
	}})
	tok = f.tokens[0]
	status, body := f.cast(tok, map[string]any{})
	wantError(t, status, body, http.StatusInternalServerError, "internal")
	logs := f.logs.String()
	if !strings.Contains(logs, "panic in handler") || !strings.Contains(logs, "status=500") {
		t.Errorf("the log lacks the panic:\n%s", logs)
	}
	assertNoToken(t, "log", logs, f.tokens)
	// The server still serves.
	if resp, _ := f.get("/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz after a panic: %d", resp.StatusCode)
	}
}

// lateFaultyStore panics with the token in the panic value; the token is
// only known once the fixture has issued it.
type lateFaultyStore struct {
	ballot.Store
	token *string
}

func (s *lateFaultyStore) Cast(ctx context.Context, h audit.Hash, b ballot.Ballot) (string, error) {
	return faultyStore{Store: s.Store, panicWith: *s.token}.Cast(ctx, h, b)
}

// TestNoTokenInLogs runs a whole vote, including every way a token reaches
// the server (card URL in both cases, API bodies, refused requests), and
// checks the access log: one line per request, route templates only.
func TestNoTokenInLogs(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 5})
	forged := "ZZZZ" + f.tokens[0][4:]
	for i, tok := range f.tokens[:4] {
		path := "/V/" + tok
		if i%2 == 1 {
			path = "/v/" + strings.ToLower(tok)
		}
		if resp, _ := f.get(path + "?t=" + tok); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET card URL: %d", resp.StatusCode)
		}
		f.get("/static/voter.js")
		if status, body := f.post("/api/v1/ballot", map[string]string{"token": tok}); status != http.StatusOK {
			t.Fatalf("form: %d %s", status, body)
		}
		if status, body := f.cast(strings.ToLower(tok), map[string]any{"c1": "high", "c2": []string{"low", "normal"}}); status != http.StatusCreated {
			t.Fatalf("cast: %d %s", status, body)
		}
	}
	f.cast(f.tokens[0], map[string]any{})                                               // 409
	f.cast(forged, map[string]any{})                                                    // 404
	f.cast(f.tokens[1], map[string]any{"nope": "high"})                                 // 400: the cadre is checked before the card's state
	f.post("/api/v1/cast", `{"token": "`+f.tokens[2]+`", "choices": {"c1": 5}}`)        // 400
	f.post("/api/v1/cast", `{"token": "`+f.tokens[3]+`", "choices": `)                  // 400
	f.get("/V/" + f.tokens[0] + "/extra")                                               // no route
	f.get("/nhap-ma?code=" + f.tokens[0])                                               // query on a page
	f.post("/V/"+f.tokens[0], map[string]string{"token": f.tokens[0]})                  // wrong method
	f.post("/api/v1/ballot", strings.Repeat(" ", maxAPIBody)+`{"token": "`+forged+`"}`) // 413
	if err := f.svc.Close(context.Background(), "test", f.session); err != nil {
		t.Fatal(err)
	}
	f.cast(f.tokens[4], map[string]any{}) // 423: the one card not used

	logs := f.logs.String()
	assertNoToken(t, "log", logs, append(f.tokens, forged))
	for _, r := range []string{"/V/{token}", "/v/{token}", "/api/v1/ballot", "/api/v1/cast", "/static/", "(no route)"} {
		if !strings.Contains(logs, "route="+r) && !strings.Contains(logs, `route="`+r+`"`) {
			t.Errorf("no access line names route %s:\n%s", r, logs)
		}
	}
	for _, s := range []string{"status=201", "status=409", "status=404", "status=400", "status=405", "status=413", "status=423"} {
		if !strings.Contains(logs, s) {
			t.Errorf("no access line with %s", s)
		}
	}
	if strings.Contains(logs, "error=") {
		t.Errorf("a 4xx was logged with detail:\n%s", logs)
	}
	if got, want := strings.Count(logs, "msg=request"), 4*4+10; got != want {
		t.Errorf("%d access lines, want %d (one per request):\n%s", got, want, logs)
	}
}

func TestHealthAndNotFound(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1})
	resp, body := f.get("/healthz")
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	resp, body = f.get("/no/such/page")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), texts["error.not_found"].vi) {
		t.Errorf("unknown page: %d %q", resp.StatusCode, body)
	}
	var e errorBody
	resp, body = f.get("/api/v1/nothing")
	if resp.StatusCode != http.StatusNotFound || json.Unmarshal(body, &e) != nil || e.Error.Code != "not_found" {
		t.Errorf("unknown API route: %d %s", resp.StatusCode, body)
	}
}

// TestAccessLogUntimed: the access line of a voter's request says what was
// asked and answered, never when nor from where, so that the log cannot
// be laid beside anything else known of the room.
func TestAccessLogUntimed(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2})
	f.get("/V/" + f.tokens[0])
	f.post("/api/v1/ballot", map[string]string{"token": f.tokens[0]})
	if status, body := f.cast(f.tokens[0], map[string]any{"c1": "high"}); status != http.StatusCreated {
		t.Fatalf("cast: %d %s", status, body)
	}
	f.cast(strings.Repeat("A", 32), map[string]any{}) // unknown card
	lines := 0
	for _, l := range strings.Split(strings.TrimSpace(f.logs.String()), "\n") {
		if !strings.Contains(l, "msg=request") {
			continue
		}
		lines++
		if strings.Contains(l, "time=") || strings.Contains(l, "127.0.0.1") {
			t.Errorf("access line with a time or an address: %s", l)
		}
	}
	if lines != 4 {
		t.Errorf("%d access lines, want 4:\n%s", lines, f.logs.String())
	}
}
