package web

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

func TestBallotForm(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 3})
	status, body := f.post("/api/v1/ballot", map[string]string{"token": f.tokens[0]})
	if status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", status, body)
	}
	var got formResponse
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Session.ID != f.session || got.Session.Title != "Hội nghị lấy phiếu tín nhiệm năm 2026" ||
		got.Session.Body != "Ban Chấp hành Đảng bộ Khối" || got.Session.Date != "2026-11-22" || got.Session.Place != "Hội trường A" {
		t.Errorf("session = %+v", got.Session)
	}
	if len(got.Cadres) != len(testCadres) {
		t.Fatalf("got %d cadres, want %d", len(got.Cadres), len(testCadres))
	}
	for i, c := range testCadres {
		if want := (cadreJSON{ID: c.ID, Name: c.Name, Position: c.Position}); got.Cadres[i] != want {
			t.Errorf("cadre %d = %+v, want %+v", i, got.Cadres[i], want)
		}
	}
	wantLevels := []levelJSON{
		{"high", "Tín nhiệm cao", "High confidence"},
		{"normal", "Tín nhiệm", "Confidence"},
		{"low", "Tín nhiệm thấp", "Low confidence"},
	}
	if !slices.Equal(got.Levels, wantLevels) {
		t.Errorf("levels = %+v, want %+v", got.Levels, wantLevels)
	}
	// The form changes nothing: the card still votes.
	if status, body := f.cast(f.tokens[0], map[string]any{}); status != http.StatusCreated {
		t.Errorf("cast after form: status %d, body %s", status, body)
	}
}

var levelCodes = []string{"high", "normal", "low"}

func TestFullVote(t *testing.T) {
	const n = 12
	f := newFixture(t, fixtureOptions{tokens: n})
	rng := rand.New(rand.NewPCG(1, 2))
	var want []string
	for _, tok := range f.tokens {
		choices := map[string]any{}
		marks := []byte("-----")
		for i, c := range testCadres {
			if k := rng.IntN(4); k < 3 { // one line in four left unmarked
				choices[c.ID] = levelCodes[k]
				marks[i] = "HNL"[k]
			}
		}
		want = append(want, string(marks))
		status, body := f.cast(tok, choices)
		if status != http.StatusCreated {
			t.Fatalf("cast: status %d, body %s", status, body)
		}
		var r castResponse
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if !audit.ReceiptMatches(r.Receipt, ballot.HashToken(tok)) {
			t.Errorf("receipt %q does not match its token's hash", r.Receipt)
		}
	}
	if got := f.ballotCount(); got != n {
		t.Errorf("ballot count = %d, want %d", got, n)
	}
	got := f.sealedMarks()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("sealed marks = %q, want %q", got, want)
	}
}

func TestCastLowerCaseToken(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 2})
	tok := f.tokens[0]
	if status, body := f.post("/api/v1/ballot", map[string]string{"token": strings.ToLower(tok)}); status != http.StatusOK {
		t.Fatalf("form with lower-case token: status %d, body %s", status, body)
	}
	status, body := f.cast(strings.ToLower(ballot.FormatCode(tok)), map[string]any{"c1": "high"})
	if status != http.StatusCreated {
		t.Fatalf("cast with lower-case grouped token: status %d, body %s", status, body)
	}
	var r castResponse
	_ = json.Unmarshal(body, &r)
	if !audit.ReceiptMatches(r.Receipt, ballot.HashToken(tok)) {
		t.Errorf("receipt %q does not match the canonical token's hash", r.Receipt)
	}
}

func TestCastErrors(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 3})
	used := f.tokens[0]
	if status, body := f.cast(used, map[string]any{"c1": "high"}); status != http.StatusCreated {
		t.Fatalf("first cast: status %d, body %s", status, body)
	}
	forged := strings.Repeat("A", 32) // well formed, never issued
	fresh := f.tokens[1]
	tests := []struct {
		name       string
		path       string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"reused token", "/api/v1/cast", map[string]any{"token": used, "choices": map[string]any{"c1": "low"}}, 409, "token_used"},
		{"reused token, form", "/api/v1/ballot", map[string]any{"token": used}, 409, "token_used"},
		{"forged token", "/api/v1/cast", map[string]any{"token": forged, "choices": map[string]any{}}, 404, "token_unknown"},
		{"forged token, form", "/api/v1/ballot", map[string]any{"token": forged}, 404, "token_unknown"},
		{"garbage token", "/api/v1/ballot", map[string]any{"token": "not a card"}, 404, "token_unknown"},
		{"empty token", "/api/v1/ballot", map[string]any{"token": ""}, 400, "bad_request"},
		{"malformed JSON", "/api/v1/cast", `{"token": "` + fresh + `", "choices": {`, 400, "bad_request"},
		{"not an object", "/api/v1/cast", `[1,2]`, 400, "bad_request"},
		{"trailing data", "/api/v1/ballot", `{"token": "` + fresh + `"} {}`, 400, "bad_request"},
		{"unknown field", "/api/v1/cast", map[string]any{"token": fresh, "choices": map[string]any{}, "voter": "x"}, 400, "bad_request"},
		{"missing choices", "/api/v1/cast", map[string]any{"token": fresh}, 400, "bad_request"},
		{"null choices", "/api/v1/cast", `{"token": "` + fresh + `", "choices": null}`, 400, "bad_request"},
		{"repeated cadre", "/api/v1/cast", `{"token": "` + fresh + `", "choices": {"c1": "high", "c1": "low"}}`, 400, "bad_request"},
		{"repeated field", "/api/v1/ballot", `{"token": "x", "token": "` + fresh + `"}`, 400, "bad_request"},
		{"number choice", "/api/v1/cast", map[string]any{"token": fresh, "choices": map[string]any{"c1": 1}}, 400, "bad_request"},
		{"object choice", "/api/v1/cast", map[string]any{"token": fresh, "choices": map[string]any{"c1": map[string]any{}}}, 400, "bad_request"},
		{"null choice", "/api/v1/cast", map[string]any{"token": fresh, "choices": map[string]any{"c1": nil}}, 400, "bad_request"},
		{"array of numbers", "/api/v1/cast", map[string]any{"token": fresh, "choices": map[string]any{"c1": []any{1}}}, 400, "bad_request"},
		{"unknown cadre", "/api/v1/cast", map[string]any{"token": fresh, "choices": map[string]any{"c1": "high", "c9": "low"}}, 400, "unknown_cadre"},
		{"unknown level", "/api/v1/cast", map[string]any{"token": fresh, "choices": map[string]any{"c1": "medium"}}, 400, "unknown_level"},
		{"upper-case level", "/api/v1/cast", map[string]any{"token": fresh, "choices": map[string]any{"c1": "HIGH"}}, 400, "unknown_level"},
		{"unknown level in array", "/api/v1/cast", map[string]any{"token": fresh, "choices": map[string]any{"c1": []string{"high", "x"}}}, 400, "unknown_level"},
		{"GET on the API", "/api/v1/cast", nil, 405, "method_not_allowed"},
		{"no such API route", "/api/v1/nothing", map[string]any{}, 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var status int
			var body []byte
			if tt.body == nil {
				resp, b := f.get(tt.path)
				status, body = resp.StatusCode, b
			} else {
				status, body = f.post(tt.path, tt.body)
			}
			wantError(t, status, body, tt.wantStatus, tt.wantCode)
		})
	}
	if got := f.ballotCount(); got != 1 {
		t.Errorf("after the refused requests the pool holds %d ballots, want 1", got)
	}
	// Nothing refused touched the fresh card.
	if status, body := f.cast(fresh, map[string]any{"c2": "normal"}); status != http.StatusCreated {
		t.Errorf("fresh card after refused requests: status %d, body %s", status, body)
	}
}

func TestUsedTokenSentence(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1})
	f.cast(f.tokens[0], map[string]any{})
	_, body := f.cast(f.tokens[0], map[string]any{})
	var e errorBody
	_ = json.Unmarshal(body, &e)
	if want := "Thẻ này đã được dùng để bỏ phiếu. Nếu bạn chưa bỏ phiếu, hãy liên hệ Ban kiểm phiếu."; e.Error.Message != want {
		t.Errorf("message = %q, want %q", e.Error.Message, want)
	}
}

func TestRevokedToken(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 3})
	if err := f.svc.RevokeToken(context.Background(), "test", f.session, f.tokens[0], "spoiled"); err != nil {
		t.Fatal(err)
	}
	status, body := f.cast(f.tokens[0], map[string]any{"c1": "high"})
	wantError(t, status, body, http.StatusConflict, "token_revoked")
	if got := f.ballotCount(); got != 0 {
		t.Errorf("ballot count = %d, want 0", got)
	}
}

func TestSessionState(t *testing.T) {
	t.Run("draft", func(t *testing.T) {
		f := newFixture(t, fixtureOptions{draft: true})
		status, body := f.post("/api/v1/ballot", map[string]string{"token": f.tokens[0]})
		wantError(t, status, body, http.StatusLocked, "session_not_open")
		status, body = f.cast(f.tokens[0], map[string]any{"c1": "high"})
		wantError(t, status, body, http.StatusLocked, "session_not_open")
	})
	t.Run("closed", func(t *testing.T) {
		f := newFixture(t, fixtureOptions{})
		f.cast(f.tokens[0], map[string]any{"c1": "high"})
		if err := f.svc.Close(context.Background(), "test", f.session); err != nil {
			t.Fatal(err)
		}
		status, body := f.cast(f.tokens[1], map[string]any{"c1": "high"})
		wantError(t, status, body, http.StatusLocked, "session_closed")
		status, body = f.post("/api/v1/ballot", map[string]string{"token": f.tokens[1]})
		wantError(t, status, body, http.StatusLocked, "session_closed")
		if got := f.ballotCount(); got != 1 {
			t.Errorf("ballot count = %d, want 1", got)
		}
	})
}

func TestMultipleMarksRecordedInvalid(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1})
	status, body := f.cast(f.tokens[0], map[string]any{
		"c1": []string{"high", "low"},           // forged two marks: invalid line
		"c2": []string{},                        // no mark
		"c3": []string{"normal"},                // one mark as an array
		"c4": []string{"low", "low"},            // the same level twice is two marks
		"c5": []string{"high", "normal", "low"}, // three marks
	})
	if status != http.StatusCreated {
		t.Fatalf("status %d, body %s", status, body)
	}
	got := f.sealedMarks()
	if want := []string{"X-NXX"}; !slices.Equal(got, want) {
		t.Errorf("sealed marks = %q, want %q", got, want)
	}
}

func TestConcurrentCastsOneToken(t *testing.T) {
	const n = 50
	f := newFixture(t, fixtureOptions{tokens: 2})
	var wg sync.WaitGroup
	statuses := make([]int, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			statuses[i], _ = f.cast(f.tokens[0], map[string]any{"c1": levelCodes[i%3]})
		})
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	if counts[http.StatusCreated] != 1 || counts[http.StatusConflict] != n-1 {
		t.Errorf("statuses = %v, want exactly one 201 and %d× 409", counts, n-1)
	}
	if got := f.ballotCount(); got != 1 {
		t.Errorf("ballot count = %d, want 1", got)
	}
}

func TestBodyTooLarge(t *testing.T) {
	f := newFixture(t, fixtureOptions{tokens: 1})
	big := `{"token": "` + f.tokens[0] + `", "choices": {"c1": "high", "pad": "` + strings.Repeat("x", maxCastBody) + `"}}`
	status, body := f.post("/api/v1/cast", big)
	wantError(t, status, body, http.StatusRequestEntityTooLarge, "body_too_large")
	if got := f.ballotCount(); got != 0 {
		t.Errorf("ballot count = %d, want 0", got)
	}
}
