package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLookupLimiterOverHTTP(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 3})
	// A voter casts first: successes never count.
	if status, body := f.cast(f.tokens[0], map[string]any{"c1": "high"}); status != http.StatusCreated {
		t.Fatalf("cast: %d %s", status, body)
	}
	wrong := strings.Repeat("A", 32)
	for i := range lookupFailures {
		path, req := "/api/v1/ballot", map[string]any{"token": wrong}
		if i%2 == 1 {
			path, req = "/api/v1/cast", map[string]any{"token": wrong, "choices": map[string]string{}}
		}
		status, body := f.post(path, req)
		wantError(t, status, body, http.StatusNotFound, "token_unknown")
	}
	// The address has used up its failures: even a good card waits, on both
	// routes, and nothing is looked up or recorded meanwhile.
	for _, path := range []string{"/api/v1/ballot", "/api/v1/cast"} {
		resp, err := http.Post(f.url+path, "application/json",
			strings.NewReader(fmt.Sprintf(`{"token": %q, "choices": {"c1": "low"}}`, f.tokens[1])))
		if err != nil {
			t.Fatal(err)
		}
		var e errorBody
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s after %d failures: status %d, want 429", path, lookupFailures, resp.StatusCode)
		}
		if e.Error.Code != "rate_limited" || !strings.Contains(e.Error.Message, "Hãy đợi một phút") || e.Error.MessageEN == "" {
			t.Errorf("%s: 429 body %+v lacks the code or the sentences", path, e)
		}
		if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("%s: Retry-After = %q, want seconds to wait", path, ra)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: 429 Cache-Control = %q, want no-store", path, got)
		}
	}
	if n := f.ballotCount(); n != 1 {
		t.Errorf("ballots = %d after the limited cast, want 1", n)
	}
	assertNoToken(t, "log", f.logs.String(), append(f.tokens, wrong))
}

func TestLookupLimiterWindow(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	l := newLookupLimiter()
	l.now = func() time.Time { return now }
	l.max, l.clients = 3, 2
	tests := []struct {
		step    string
		advance time.Duration
		fail    string // address that fails, if any
		addr    string // address checked
		want    bool   // blocked
	}{
		{"fresh address", 0, "", "10.0.0.1", false},
		{"one failure", 0, "10.0.0.1", "10.0.0.1", false},
		{"two failures", time.Second, "10.0.0.1", "10.0.0.1", false},
		{"three failures: blocked", time.Second, "10.0.0.1", "10.0.0.1", true},
		{"another address is not", 0, "", "10.0.0.2", false},
		{"still blocked within the window", 50 * time.Second, "", "10.0.0.1", true},
		{"window over: forgotten", 10 * time.Second, "", "10.0.0.1", false},
		{"a new window counts from zero", 0, "10.0.0.1", "10.0.0.1", false},
	}
	for _, tt := range tests {
		now = now.Add(tt.advance)
		if tt.fail != "" {
			l.fail(tt.fail)
		}
		if got, _ := l.blocked(tt.addr); got != tt.want {
			t.Errorf("%s: blocked(%s) = %v, want %v", tt.step, tt.addr, got, tt.want)
		}
	}
	// Memory stays bounded: more addresses than l.clients never pile up.
	for i := range 10 {
		l.fail(fmt.Sprintf("192.0.2.%d", i))
	}
	if n := len(l.failures); n > l.clients {
		t.Errorf("limiter remembers %d addresses, want at most %d", n, l.clients)
	}
}

func TestClientAddress(t *testing.T) {
	tests := []struct{ remote, forwarded, want string }{
		{"192.0.2.7:51234", "", "192.0.2.7"},
		{"[2001:db8::1]:443", "", "2001:db8::1"},
		{"192.0.2.7:51234", "203.0.113.9", "192.0.2.7"}, // a header anyone can set is ignored
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/cast", nil)
		r.RemoteAddr = tt.remote
		if tt.forwarded != "" {
			r.Header.Set("X-Forwarded-For", tt.forwarded)
		}
		if got := clientAddress(r); got != tt.want {
			t.Errorf("clientAddress(%s, XFF %q) = %q, want %q", tt.remote, tt.forwarded, got, tt.want)
		}
	}
}
