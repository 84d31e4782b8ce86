package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
)

// FuzzCastHandler sends arbitrary bodies through the whole cast route —
// middleware, limiter, decoding, the service and a real SQLite store — and
// checks what must hold whatever arrives: no 5xx and no panic, every answer
// is JSON with the security headers, an error names a known code with a
// sentence, a 201 carries the receipt of one of the session's cards, and
// the ballot pool grows by one exactly when a 201 is sent.
func FuzzCastHandler(f *testing.F) {
	fx := fuzzFixture(f, 40)
	srv := New(fx.svc, Options{})
	// The server-wide bucket of failed look-ups would slow the fuzzer to 50
	// unknown codes a second; this target is about the handler, and
	// TestLookupSlowedOverall tests the bucket.
	srv.lookups.gBurst, srv.lookups.gRat = 1e9, 1e9
	h := srv.Handler()
	receipts := map[string]bool{}
	for _, tok := range fx.tokens {
		canonical, _ := ballot.NormalizeToken(tok)
		receipts[audit.Receipt(ballot.HashToken(canonical))] = true
	}
	for i, s := range []string{
		`{"token": %q, "choices": {"c1": "high", "c2": "low", "c3": "normal", "c4": "high", "c5": "low"}}`,
		`{"token": %q, "choices": {"c1": ["high", "low"], "c2": [], "c3": "normal"}}`,
		`{"token": %q, "choices": {}}`,
		`{"token": %q, "choices": {"c9": "high"}}`,
		`{"token": %q, "choices": {"c1": "very high"}}`,
		`{"token": %q, "choices": {"c1": "high", "c1": "low"}}`,
		`{"token": %q}`,
		`{"token": %q, "choices": {"c1": 1}}`,
	} {
		f.Add(fmt.Sprintf(s, fx.tokens[i]))
	}
	f.Add(`{"token": "` + strings.ToLower(fx.tokens[9]) + `", "choices": {"c2": "normal"}}`)
	f.Add(`{"token": "AAAA-BBBB", "choices": {"c1": "high"}}`)
	f.Add(`{"token": "` + fx.tokens[10] + `", "choices": {"c1": "high"}} trailing`)
	f.Add(``)

	known := map[string]bool{"bad_request": true, "field_name": true, "unknown_cadre": true, "unknown_level": true, "token_unknown": true,
		"token_used": true, "token_revoked": true, "body_too_large": true, "session_not_open": true, "session_closed": true,
		"rate_limited": true}
	var client atomic.Int64
	f.Fuzz(func(t *testing.T, body string) {
		before := fx.ballotCountT(t)
		r := httptest.NewRequest(http.MethodPost, "/api/v1/cast", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		// A new address each time, so that the failure limit does not turn
		// every later input into a 429.
		n := client.Add(1)
		r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:4000", n>>16&0xff, n>>8&0xff, n&0xff)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		for _, kv := range securityHeaders {
			if got := w.Header().Get(kv[0]); got != kv[1] {
				t.Fatalf("header %s = %q for %q", kv[0], got, body)
			}
		}
		after := fx.ballotCountT(t)
		if w.Code == http.StatusCreated {
			var resp castResponse
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || !receipts[resp.Receipt] {
				t.Fatalf("201 without a receipt of the session's cards: %s", w.Body)
			}
			if after != before+1 {
				t.Fatalf("201 but the pool went from %d to %d ballots", before, after)
			}
			return
		}
		if after != before {
			t.Fatalf("status %d but the pool went from %d to %d ballots", w.Code, before, after)
		}
		var e errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || !known[e.Error.Code] || e.Error.Message == "" {
			t.Fatalf("status %d with an unknown error body for %q: %s", w.Code, body, w.Body)
		}
	})
}

// fuzzFixture is newFixture for a fuzz target: an open session with n
// cards on a real SQLite file, without the HTTP server.
func fuzzFixture(f *testing.F, n int) *fixture {
	ctx := context.Background()
	st, err := sqlite.Open(f.TempDir() + "/fuzz.db")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	key, err := audit.GenerateKey(rand.Reader, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	svc := ballot.NewService(st, key, nil, nil)
	sess, err := svc.CreateSession(ctx, "fuzz", ballot.NewSession{Title: "Hội nghị", Body: "Ban Chấp hành", Date: "2026-11-22", Place: "Hội trường"})
	if err != nil {
		f.Fatal(err)
	}
	members := make([]ballot.Member, n)
	for i := range members {
		members[i] = ballot.Member{Name: fmt.Sprintf("Đại biểu %d", i+1)}
	}
	var tokens []string
	steps := []error{
		svc.ImportRoster(ctx, "fuzz", sess.ID, members),
		svc.ImportCadres(ctx, "fuzz", sess.ID, testCadres),
	}
	_, err = svc.CheckIn(ctx, "fuzz", sess.ID, nil, true)
	steps = append(steps, err,
		svc.IssueTokens(ctx, "fuzz", sess.ID, n, func(ts []string) error { tokens = slices.Clone(ts); return nil }),
		svc.Open(ctx, "fuzz", sess.ID, false, ""))
	if err := errors.Join(steps...); err != nil {
		f.Fatal(err)
	}
	return &fixture{svc: svc, store: st, session: sess.ID, tokens: tokens}
}

// ballotCountT is ballotCount for a fuzz iteration's own *testing.T.
func (f *fixture) ballotCountT(t *testing.T) int {
	t.Helper()
	g := *f
	g.t = t
	return g.ballotCount()
}
