package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/simtrustee"
	"tinnhiem/ballot/sqlite"
)

// testCadres is the ballot of every fixture: five lines, one person holding
// two posts, as DOMAIN.md allows.
var testCadres = []ballot.Cadre{
	{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư Đảng ủy Khối"},
	{ID: "c2", Name: "Trần Thị Bích Ngọc", Position: "Phó Bí thư Thường trực Đảng ủy Khối"},
	{ID: "c3", Name: "Lê Hoàng Long", Position: "Ủy viên Ban Thường vụ"},
	{ID: "c4", Name: "Phạm Thị Thu Hương", Position: "Ủy viên Ban Thường vụ"},
	{ID: "c5", Name: "Lê Hoàng Long", Position: "Chủ nhiệm Ủy ban Kiểm tra Đảng ủy Khối"},
}

// syncBuffer collects log output written by server goroutines while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is one session on a real SQLite file, served over loopback.
type fixture struct {
	t       *testing.T
	svc     *ballot.Service
	store   ballot.Store // what svc writes to, for reading back what a request left
	session string
	tokens  []string
	url     string
	logs    *syncBuffer
	srv     *Server
	com     *simtrustee.Committee // the simulated trustees of an encrypted session
}

type fixtureOptions struct {
	tokens int
	draft  bool                            // leave the session in draft instead of opening it
	store  func(ballot.Store) ballot.Store // wraps the store, to inject faults
	// encrypted makes the session an encrypted one (SPEC.md 11) whose key
	// ceremony three simulated trustees have completed.
	encrypted bool
	// formal makes the session a formal vote of confidence (nq96-bpt) of
	// a People's Council, with two options per line.
	formal bool
	// keyless leaves an encrypted session's key ceremony to the test: the
	// committee is named, nothing of the ceremony is sent, the session
	// stays in draft.
	keyless bool
}

func newFixture(t *testing.T, o fixtureOptions) *fixture {
	t.Helper()
	if o.tokens == 0 {
		o.tokens = 5
	}
	ctx := context.Background()
	st, err := sqlite.Open(t.TempDir() + "/t.db")
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := audit.GenerateKey(rand.Reader, "test")
	if err != nil {
		t.Fatal(err)
	}
	var store ballot.Store = st
	if o.store != nil {
		store = o.store(st)
	}
	svc := ballot.NewService(store, key, nil, nil)
	_, assets := VoterAssets()
	svc.VoterAssets = hex.EncodeToString(assets[:])
	_, member := MemberAssets()
	svc.MemberAssets = hex.EncodeToString(member[:])
	in := ballot.NewSession{
		Title: "Hội nghị lấy phiếu tín nhiệm năm 2026", Body: "Ban Chấp hành Đảng bộ Khối",
		Date: "2026-11-22", Place: "Hội trường A", Encrypted: o.encrypted,
	}
	if o.formal {
		in.Title, in.Body, in.Kind, in.Rules = "Kỳ họp thứ 12 — bỏ phiếu tín nhiệm", "Hội đồng nhân dân tỉnh", ballot.Formal, ballot.NQ96
	}
	sess, err := svc.CreateSession(ctx, "test", in)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	members := make([]ballot.Member, o.tokens)
	for i := range members {
		members[i] = ballot.Member{Name: fmt.Sprintf("Đại biểu %d", i+1), Position: "Ủy viên"}
	}
	if err := svc.ImportRoster(ctx, "test", sess.ID, members); err != nil {
		t.Fatalf("ImportRoster: %v", err)
	}
	if err := svc.ImportCadres(ctx, "test", sess.ID, testCadres); err != nil {
		t.Fatalf("ImportCadres: %v", err)
	}
	if _, err := svc.CheckIn(ctx, "test", sess.ID, nil, true); err != nil {
		t.Fatalf("CheckIn: %v", err)
	}
	var tokens []string
	err = svc.IssueTokens(ctx, "test", sess.ID, o.tokens, func(ts []string) error {
		tokens = slices.Clone(ts)
		return nil
	})
	if err != nil {
		t.Fatalf("IssueTokens: %v", err)
	}
	var com *simtrustee.Committee
	if o.encrypted {
		if err := svc.SetCommittee(ctx, "test", sess.ID, []string{"Phạm Thu Hà", "Đỗ Minh Khang", "Vũ Thị Lan"}); err != nil {
			t.Fatalf("SetCommittee: %v", err)
		}
		if o.keyless {
			o.draft = true
		} else if com, err = simtrustee.Ceremony(ctx, svc, "test", sess.ID, rand.Reader); err != nil {
			t.Fatalf("key ceremony: %v", err)
		}
	}
	if !o.draft {
		if err := svc.Open(ctx, "test", sess.ID, false, ""); err != nil {
			t.Fatalf("Open: %v", err)
		}
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := New(svc, Options{BaseURL: "http://192.168.1.10:8080", Logger: logger})
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return &fixture{t: t, svc: svc, store: store, session: sess.ID, tokens: tokens, url: hs.URL, logs: logs, srv: s, com: com}
}

// post sends body (a string is sent verbatim, anything else as JSON) and
// returns the status and the raw answer.
func (f *fixture) post(path string, body any) (int, []byte) {
	f.t.Helper()
	var raw []byte
	if s, ok := body.(string); ok {
		raw = []byte(s)
	} else {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			f.t.Fatal(err)
		}
	}
	resp, err := http.Post(f.url+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		f.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, out
}

func (f *fixture) get(path string) (*http.Response, []byte) {
	f.t.Helper()
	resp, err := http.Get(f.url + path)
	if err != nil {
		f.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, out
}

func (f *fixture) cast(token string, choices map[string]any) (int, []byte) {
	f.t.Helper()
	return f.post("/api/v1/cast", map[string]any{"token": token, "choices": choices})
}

// wantError checks an API error answer: status, code, and that both
// sentences are present.
func wantError(t *testing.T, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status = %d, want %d; body %s", status, wantStatus, body)
	}
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", body, err)
	}
	if e.Error.Code != wantCode {
		t.Errorf("error code = %q, want %q", e.Error.Code, wantCode)
	}
	if e.Error.Message == "" || e.Error.MessageEN == "" {
		t.Errorf("error %q lacks a sentence: %s", wantCode, body)
	}
}

// ballotCount reads the pool size through the store, as the turnout display
// would.
func (f *fixture) ballotCount() int {
	f.t.Helper()
	var n int
	err := f.store.View(context.Background(), func(tx ballot.Tx) (err error) {
		n, err = tx.BallotCount(f.session)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// sealedMarks closes the session and returns the marks of every sealed
// ballot in the audit log.
func (f *fixture) sealedMarks() []string {
	f.t.Helper()
	ctx := context.Background()
	if err := f.svc.Close(ctx, "test", f.session); err != nil {
		f.t.Fatalf("Close: %v", err)
	}
	entries, _, err := f.svc.Log(ctx, f.session)
	if err != nil {
		f.t.Fatal(err)
	}
	var marks []string
	for _, e := range entries {
		if e.Type != audit.BallotEntry {
			continue
		}
		var b audit.BallotData
		if err := e.Decode(&b); err != nil {
			f.t.Fatal(err)
		}
		marks = append(marks, b.Marks)
	}
	return marks
}

// assertNoToken fails if any token, in any letter case or grouped as on the
// card, appears in s.
func assertNoToken(t *testing.T, what, s string, tokens []string) {
	t.Helper()
	upper := strings.ToUpper(s)
	for _, tok := range tokens {
		for _, form := range []string{tok, ballot.FormatCode(tok), tok[:16], tok[16:]} {
			if strings.Contains(upper, form) {
				t.Fatalf("%s holds (part of) a token %q:\n%s", what, form, s)
			}
		}
	}
}
