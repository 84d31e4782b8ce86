package ballot_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/verify"
)

const actor = "test:organiser"

// svcFixture is a service over a real SQLite file with a draft session of
// n members and 3 cadres.
type svcFixture struct {
	t   *testing.T
	ctx context.Context
	svc *ballot.Service
	id  string
}

func newSvcFixture(t *testing.T, members int) *svcFixture {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	key, err := audit.GenerateKey(rand.Reader, "test")
	if err != nil {
		t.Fatal(err)
	}
	f := &svcFixture{t: t, ctx: context.Background(), svc: ballot.NewService(store, key, nil, nil)}
	sess, err := f.svc.CreateSession(f.ctx, actor, ballot.NewSession{Title: "Hội nghị", Body: "Đảng ủy", Date: "2026-11-22", Place: "Hà Nội"})
	if err != nil {
		t.Fatal(err)
	}
	f.id = sess.ID
	var ms []ballot.Member
	for i := range members {
		ms = append(ms, ballot.Member{Name: fmt.Sprintf("Thành viên %02d", i+1)})
	}
	f.ok(f.svc.ImportRoster(f.ctx, actor, f.id, ms))
	f.ok(f.svc.ImportCadres(f.ctx, actor, f.id, []ballot.Cadre{
		{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư"},
		{ID: "c2", Name: "Trần Thị Bích Ngọc", Position: "Phó Bí thư"},
		{ID: "c3", Name: "Nguyễn Văn An", Position: "Chủ tịch"},
	}))
	return f
}

func (f *svcFixture) ok(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *svcFixture) checkIn(n int) {
	f.t.Helper()
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("Thành viên %02d", i+1))
	}
	_, err := f.svc.CheckIn(f.ctx, actor, f.id, names, false)
	f.ok(err)
}

func (f *svcFixture) issue(n int) []string {
	f.t.Helper()
	var got []string
	f.ok(f.svc.IssueTokens(f.ctx, actor, f.id, n, func(ts []string) error { got = ts; return nil }))
	return got
}

func (f *svcFixture) logSize() int {
	f.t.Helper()
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	return len(entries)
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
}

func TestQuorumIsTwoThirdsOfSummoned(t *testing.T) {
	for _, tt := range []struct {
		summoned, present int
		met               bool
	}{
		{15, 9, false}, {15, 10, true}, {3, 2, true}, {3, 1, false}, {100, 66, false}, {100, 67, true},
	} {
		t.Run(fmt.Sprintf("%d of %d", tt.present, tt.summoned), func(t *testing.T) {
			f := newSvcFixture(t, tt.summoned)
			f.checkIn(tt.present)
			f.issue(1)
			before := f.logSize()
			err := f.svc.Open(f.ctx, actor, f.id, false, "")
			if tt.met != (err == nil) {
				t.Fatalf("Open with %d of %d present: %v, want quorum met = %v", tt.present, tt.summoned, err, tt.met)
			}
			if !tt.met {
				if ballot.ErrorCode(err) != ballot.ELocked || f.logSize() != before {
					t.Fatalf("refused open: code %s, log %d → %d entries; want locked and no entry", ballot.ErrorCode(err), before, f.logSize())
				}
			}
		})
	}
}

func TestQuorumOverrideIsLogged(t *testing.T) {
	f := newSvcFixture(t, 6)
	f.checkIn(3)
	f.issue(3)
	if err := f.svc.Open(f.ctx, actor, f.id, true, "  "); ballot.ErrorCode(err) != ballot.EInvalid {
		t.Fatalf("override without reason: %v, want invalid", err)
	}
	f.ok(f.svc.Open(f.ctx, actor, f.id, true, "Kỳ họp bất thường"))
	entries, cps, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	last := entries[len(entries)-1]
	var d audit.SessionOpenedData
	f.ok(last.Decode(&d))
	if last.Type != audit.SessionOpened || !d.Override || d.QuorumMet || d.Reason != "Kỳ họp bất thường" || last.Actor != actor {
		t.Fatalf("opening entry = %s %+v by %s; want an override with its reason", last.Type, d, last.Actor)
	}
	if len(cps) == 0 || cps[len(cps)-1].Size != uint64(len(entries)) {
		t.Fatalf("checkpoints = %v, want the last one signed at the opening entry %d", cps, len(entries))
	}
}

func TestFrozenAtOpen(t *testing.T) {
	f := newSvcFixture(t, 3)
	f.checkIn(3)
	f.issue(3)
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	before := f.logSize()
	wantErr(t, f.svc.ImportRoster(f.ctx, actor, f.id, []ballot.Member{{Name: "X"}}), ballot.ErrSessionFrozen)
	wantErr(t, f.svc.ImportCadres(f.ctx, actor, f.id, []ballot.Cadre{{ID: "c1", Name: "X", Position: "Y"}}), ballot.ErrSessionFrozen)
	wantErr(t, f.svc.IssueTokens(f.ctx, actor, f.id, 1, func([]string) error { return nil }), ballot.ErrSessionFrozen)
	wantErr(t, f.svc.Open(f.ctx, actor, f.id, false, ""), ballot.ErrSessionFrozen)
	if got := f.logSize(); got != before {
		t.Fatalf("refused actions wrote %d log entries", got-before)
	}
}

func TestFailedCardDeliveryIssuesNothing(t *testing.T) {
	f := newSvcFixture(t, 3)
	before := f.logSize()
	err := f.svc.IssueTokens(f.ctx, actor, f.id, 5, func([]string) error { return errors.New("printer on fire") })
	if err == nil {
		t.Fatal("IssueTokens succeeded although the cards could not be written")
	}
	c, err := f.svc.Turnout(f.ctx, f.id)
	f.ok(err)
	if c.Issued != 0 || f.logSize() != before {
		t.Fatalf("after a failed delivery: %d cards issued, %d new log entries; want none", c.Issued, f.logSize()-before)
	}
}

func TestTokensAreRandomOrderedAndUnique(t *testing.T) {
	f := newSvcFixture(t, 3)
	tokens := f.issue(200)
	seen := map[string]bool{}
	for _, tok := range tokens {
		if _, ok := ballot.NormalizeToken(tok); !ok || seen[tok] {
			t.Fatalf("token %q is malformed or repeated", tok)
		}
		seen[tok] = true
	}
	if slices.IsSorted(tokens) {
		t.Fatalf("200 cards came out sorted")
	}
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	var d audit.TokensData
	f.ok(entries[len(entries)-1].Decode(&d))
	if len(d.Hashes) != 200 || !slices.IsSortedFunc(d.Hashes, func(a, b audit.Hash) int { return strings.Compare(a.String(), b.String()) }) {
		t.Fatalf("TokensIssued holds %d hashes, sorted %v", len(d.Hashes), slices.IsSortedFunc(d.Hashes, func(a, b audit.Hash) int { return strings.Compare(a.String(), b.String()) }))
	}
	for _, h := range d.Hashes {
		if seen[h.String()] {
			t.Fatalf("a token appears in the log in clear")
		}
	}
}

func TestVoteCloseAndSeal(t *testing.T) {
	f := newSvcFixture(t, 5)
	f.checkIn(5)
	tokens := f.issue(6)
	wantErr(t, f.svc.RevokeToken(f.ctx, actor, f.id, strings.Repeat("A", 32), ""), ballot.ErrTokenUnknown)
	f.ok(f.svc.RevokeToken(f.ctx, actor, f.id, strings.ToLower(ballot.FormatCode(tokens[5])), "thẻ hỏng"))
	_, err := f.svc.Cast(f.ctx, tokens[0], nil)
	wantErr(t, err, ballot.ErrNotOpen)
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))

	choices := []map[string][]ballot.Level{
		{"c1": {ballot.High}, "c2": {ballot.Low}, "c3": {ballot.Normal}},
		{"c1": {ballot.Low}, "c2": {ballot.Low}},                          // c3 unmarked
		{"c1": {ballot.High, ballot.Low}, "c2": {ballot.Normal}},          // forged two marks on c1
		{"c1": {ballot.Normal}, "c2": {}, "c3": {ballot.Low, ballot.Low}}, // the same level twice is two marks
	}
	want := []string{"HLN", "LL-", "XN-", "N-X"}
	for i, c := range choices {
		r, err := f.svc.Cast(f.ctx, tokens[i], c)
		f.ok(err)
		if !audit.ReceiptMatches(r, ballot.HashToken(tokens[i])) {
			t.Fatalf("receipt %q does not match card %d", r, i)
		}
	}
	_, err = f.svc.Cast(f.ctx, tokens[0], choices[0])
	wantErr(t, err, ballot.ErrTokenUsed)
	_, err = f.svc.Cast(f.ctx, tokens[5], choices[0])
	wantErr(t, err, ballot.ErrTokenRevoked)
	_, err = f.svc.Cast(f.ctx, tokens[4], map[string][]ballot.Level{"c9": {ballot.High}})
	if ballot.ErrorCode(err) != ballot.EInvalid {
		t.Fatalf("unknown cadre: %v, want invalid", err)
	}
	_, err = f.svc.Cast(f.ctx, tokens[4], map[string][]ballot.Level{"c1": {"excellent"}})
	if ballot.ErrorCode(err) != ballot.EInvalid {
		t.Fatalf("unknown level: %v, want invalid", err)
	}

	f.ok(f.svc.Close(f.ctx, actor, f.id))
	_, err = f.svc.Cast(f.ctx, tokens[4], choices[0])
	wantErr(t, err, ballot.ErrClosed)
	wantErr(t, f.svc.Close(f.ctx, actor, f.id), ballot.ErrClosed)
	f.ok(f.svc.VerifyLogs(f.ctx))

	entries, cps, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	if len(cps) == 0 || cps[len(cps)-1].Size != uint64(len(entries)) {
		t.Fatalf("checkpoints %v, want the last one at the end of the log (%d)", cps, len(entries))
	}
	r, err := verify.ReplayLog(entries)
	f.ok(err)
	var got []string
	for _, b := range r.Ballots {
		got = append(got, b.Marks)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("sealed ballots = %q, want %q", got, want)
	}
	if len(r.Used) != 4 || r.ValidIssued() != 5 {
		t.Fatalf("replay: %d used, %d valid issued; want 4 and 5", len(r.Used), r.ValidIssued())
	}
	res, err := r.Count()
	f.ok(err)
	if res.Collected != 4 || res.Cadres[0].Invalid != 1 || res.Cadres[2].Invalid != 3 || res.Cadres[1].Counts != [3]int{0, 1, 2} {
		t.Fatalf("recount = %+v", res)
	}
	for _, e := range entries {
		if e.Type == audit.BallotEntry && e.Time != entries[len(entries)-1].Time {
			t.Fatalf("a sealed ballot carries its own time %s", e.Time)
		}
	}
}

func TestSealedOrderIsByHashNotByCasting(t *testing.T) {
	f := newSvcFixture(t, 3)
	f.checkIn(3)
	tokens := f.issue(40)
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	for _, tok := range tokens {
		_, err := f.svc.Cast(f.ctx, tok, map[string][]ballot.Level{"c1": {ballot.High}})
		f.ok(err)
	}
	f.ok(f.svc.Close(f.ctx, actor, f.id))
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	var prev audit.Hash
	n := 0
	for _, e := range entries {
		if e.Type != audit.BallotEntry {
			continue
		}
		var b audit.BallotData
		f.ok(e.Decode(&b))
		h := audit.BallotHash(b)
		if n > 0 && strings.Compare(prev.String(), h.String()) >= 0 {
			t.Fatalf("sealed ballot %d is out of hash order", n)
		}
		prev, n = h, n+1
	}
	if n != 40 {
		t.Fatalf("%d ballots sealed, want 40", n)
	}
}

func TestCheckInRecordsPresenceOnly(t *testing.T) {
	f := newSvcFixture(t, 3)
	_, err := f.svc.CheckIn(f.ctx, actor, f.id, []string{"Không có tên"}, false)
	if !errors.Is(err, &ballot.Error{Code: ballot.ENotFound, Key: "member_unknown"}) {
		t.Fatalf("unknown member: %v", err)
	}
	a, err := f.svc.CheckIn(f.ctx, actor, f.id, []string{"  Thành viên   01 "}, false)
	f.ok(err)
	if a.Present != 1 || a.Summoned != 3 || a.QuorumMet() {
		t.Fatalf("attendance = %+v", a)
	}
}

// TestEveryEntryIsSigned runs every action that writes to a session's log,
// in every phase where it is allowed, and checks after each one that a
// signed checkpoint covers the log up to its last entry: a bundle exported
// at any moment must verify, and the verifier refuses entries that no
// checkpoint covers.
func TestEveryEntryIsSigned(t *testing.T) {
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	key, err := audit.GenerateKey(rand.Reader, "test")
	if err != nil {
		t.Fatal(err)
	}
	inspector, err := audit.GenerateKey(rand.Reader, "thanh-tra")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svc := ballot.NewService(store, key, nil, nil)
	var id string
	var tokens []string
	covered := func(step string) {
		t.Helper()
		entries, cps, err := svc.Log(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if len(cps) == 0 {
			t.Errorf("after %s: %d entries and no signed checkpoint", step, len(entries))
			return
		}
		last := cps[len(cps)-1]
		c, _, err := audit.OpenCheckpoint(last.Note, note.VerifierList(key.Verifier()))
		if err != nil || c.Size != uint64(len(entries)) || c.Hash != entries[len(entries)-1].Hash {
			t.Errorf("after %s: the last signed checkpoint covers %d of %d entries (%v)", step, c.Size, len(entries), err)
		}
	}
	cosignLast := func(step string) {
		t.Helper()
		_, cps, err := svc.Log(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := verify.Cosign(cps[len(cps)-1].Note, inspector)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddCosignature(ctx, actor, id, msg, inspector.VerifierKey()); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		covered(step)
	}
	ok := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		covered(step)
	}

	sess, err := svc.CreateSession(ctx, actor, ballot.NewSession{Title: "Hội nghị", Body: "Đảng ủy", Date: "2026-11-22", Place: "Hà Nội"})
	if err != nil {
		t.Fatal(err)
	}
	id = sess.ID
	covered("CreateSession")
	var ms []ballot.Member
	for i := range 4 {
		ms = append(ms, ballot.Member{Name: fmt.Sprintf("Thành viên %02d", i+1)})
	}
	ok("ImportRoster", svc.ImportRoster(ctx, actor, id, ms))
	ok("ImportCadres", svc.ImportCadres(ctx, actor, id, []ballot.Cadre{{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư"}}))
	ok("SetCommittee", svc.SetCommittee(ctx, actor, id, []string{"Thành viên 01", "Thành viên 02"}))
	_, err = svc.CheckIn(ctx, actor, id, []string{"Thành viên 01", "Thành viên 02", "Thành viên 03"}, false)
	ok("CheckIn", err)
	ok("IssueTokens", svc.IssueTokens(ctx, actor, id, 5, func(ts []string) error { tokens = ts; return nil }))
	ok("RevokeToken", svc.RevokeToken(ctx, actor, id, tokens[4], "thẻ hỏng"))
	ok("Open", svc.Open(ctx, actor, id, false, ""))
	_, err = svc.CheckIn(ctx, actor, id, []string{"Thành viên 04"}, false)
	ok("CheckIn while open", err)
	ok("RevokeToken while open", svc.RevokeToken(ctx, actor, id, tokens[3], "thẻ thừa"))
	cosignLast("CosignatureAdded while open")
	_, err = svc.Cast(ctx, tokens[0], map[string][]ballot.Level{"c1": {ballot.High}})
	ok("Cast", err)
	ok("Close", svc.Close(ctx, actor, id))
	ok("SetCommittee after close", svc.SetCommittee(ctx, actor, id, []string{"Thành viên 02", "Thành viên 03"}))
	cosignLast("CosignatureAdded after close")
}
