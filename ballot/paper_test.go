package ballot_test

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/verify"
)

// paperBallot is what a committee member's browser sends for the paper of
// card code: box.EncryptPaper of the marks read from it, per line the boxes
// ticked.
func (f *encFixture) paperBallot(code string, marks [][]int) []byte {
	f.t.Helper()
	st, err := f.svc.Ceremony(f.ctx, f.id)
	f.ok(err)
	canonical, _ := ballot.NormalizeToken(code)
	k, err := box.CardKey(f.id, canonical)
	f.ok(err)
	b, err := box.EncryptPaper(&box.Params{Session: f.id, JointKey: st.JointKey, Lines: 3, Options: 3}, k, marks)
	f.ok(err)
	return box.FormatBallot(b)
}

func (f *encFixture) issuePaper(n int) []string {
	f.t.Helper()
	var got []string
	f.ok(f.svc.IssuePaperTokens(f.ctx, actor, f.id, n, func(ts []string) error { got = ts; return nil }))
	return got
}

func (f *encFixture) enter(trustee int, code string, marks [][]int) (*ballot.PaperEntry, error) {
	f.t.Helper()
	return f.svc.EnterPaperBallot(f.ctx, trustee, f.id, f.paperBallot(code, marks))
}

func (f *encFixture) countTypes() map[audit.Type]int {
	f.t.Helper()
	es, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	n := map[audit.Type]int{}
	for _, e := range es {
		n[e.Type]++
	}
	return n
}

// TestPaperBallots runs paper ballots through a whole encrypted vote with
// two confirmations: a match casts, a mismatch is refused, logged and voids
// the first entry, the same member twice is refused, and so are unknown,
// used and phone cards and any entry after close; close waits for a pending
// entry; the tally counts a doubly marked line invalid for that cadre, and
// the verifier accepts the log and counts the paper ballots apart.
func TestPaperBallots(t *testing.T) {
	f := newEncFixture(t)
	f.checkIn(9)
	phone := f.issue(5)
	paper := f.issuePaper(3)
	f.ceremony()
	wantKey(t, f.svc.SetPaperConfirmations(f.ctx, actor, f.id, 3), "paper_confirmations")
	// The papers print the cadres: they cannot change any more.
	wantKey(t, f.svc.ImportCadres(f.ctx, actor, f.id, []ballot.Cadre{{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư"}}), "paper_cadres")
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	wantErr(t, f.svc.SetPaperConfirmations(f.ctx, actor, f.id, 1), ballot.ErrSessionFrozen)

	// Paper 0: line 2 carries two marks.
	double := [][]int{{1}, {1, 3}, {}}
	e, err := f.enter(1, paper[0], double)
	f.ok(err)
	if e.Cast || e.Waiting != 1 {
		t.Fatalf("first entry: %+v, want waiting for one more", e)
	}
	_, err = f.enter(1, paper[0], double)
	wantKey(t, err, "paper_same_member")
	before := f.logSize()
	wantKey(t, f.svc.Close(f.ctx, actor, f.id), "paper_pending")
	if f.logSize() != before {
		t.Fatal("a refused close logged something")
	}
	e, err = f.enter(2, paper[0], [][]int{{1}, {3, 1}, {}}) // the same paper, ticked in another order
	f.ok(err)
	if !e.Cast || e.Receipt == nil {
		t.Fatalf("confirming entry: %+v, want cast", e)
	}
	_, err = f.enter(3, paper[0], double)
	wantErr(t, err, ballot.ErrTokenUsed)

	// Paper 1: the second member reads another mark; both enter again.
	first := [][]int{{2}, {2}, {3}}
	_, err = f.enter(1, paper[1], first)
	f.ok(err)
	before = f.logSize()
	_, err = f.enter(2, paper[1], [][]int{{2}, {2}, {2}})
	wantKey(t, err, "paper_mismatch")
	if f.logSize() != before+1 {
		t.Fatalf("a mismatch logged %d entries, want 1", f.logSize()-before)
	}
	st, err := f.svc.PaperStatus(f.ctx, f.id)
	f.ok(err)
	if st != (ballot.PaperCounts{Issued: 3, Entered: 2, Confirmed: 1, Pending: 0, Mismatches: 1, Confirmations: 2}) {
		t.Fatalf("paper status %+v", st)
	}
	_, err = f.enter(2, paper[1], first)
	f.ok(err)
	e, err = f.enter(1, paper[1], first)
	f.ok(err)
	if !e.Cast {
		t.Fatal("the paper entered again by both members was not cast")
	}

	// Refusals that log nothing.
	before = f.logSize()
	_, err = f.enter(1, phone[0], first)
	wantKey(t, err, "paper_not_paper")
	_, err = f.enter(1, "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567", first)
	wantErr(t, err, ballot.ErrTokenUnknown)
	_, err = f.enter(4, paper[2], first)
	wantKey(t, err, "ceremony_trustee")
	_, err = f.svc.EnterPaperBallot(f.ctx, 1, f.id, []byte(`{"format":"not a ballot"}`))
	wantKey(t, err, "ballot_malformed")
	if f.logSize() != before {
		t.Fatal("a refused entry logged something")
	}
	// A phone cannot flag multiple marks: a phone card's ballot made the
	// way a paper entry is, with a doubly marked line, is refused.
	_, err = f.svc.CastEncrypted(f.ctx, phone[4], f.paperBallot(phone[4], double))
	wantKey(t, err, "ballot_proof")
	// Nor can anyone cast a paper card from a phone, bypassing the
	// confirmation: the phone path finds cards by their code's hash, and a
	// paper card is stored under its public key only.
	_, err = f.svc.CastEncrypted(f.ctx, paper[2], f.paperBallot(paper[2], first))
	wantErr(t, err, ballot.ErrTokenUnknown)
	if _, err := f.svc.Form(f.ctx, paper[2]); !errors.Is(err, ballot.ErrTokenUnknown) {
		t.Fatalf("Form of a paper card: %v, want ErrTokenUnknown", err)
	}

	votes := [][]int{{1, 1, 3}, {1, 2, 3}, {3, 1, 1}}
	for i, v := range votes {
		_, err := f.svc.CastEncrypted(f.ctx, phone[i], f.encrypt(phone[i], v))
		f.ok(err)
	}
	f.ok(f.svc.Close(f.ctx, actor, f.id))
	_, err = f.enter(1, paper[2], first)
	wantErr(t, err, ballot.ErrClosed)

	f.ok(f.com.Decrypt(f.ctx, f.svc, actor, rand.Reader, 1, 3))
	rec, err := f.svc.Tally(f.ctx, actor, f.id)
	f.ok(err)
	// The five ballots: phone {1,1,3} {1,2,3} {3,1,1}, paper {1,×,0} (two
	// marks on line 2) and {2,2,3}.
	want := [3][3]int{{3, 1, 1}, {2, 2, 0}, {1, 0, 3}}
	invalid := [3]int{0, 1, 1}
	for k, cr := range rec.Result.Cadres {
		if cr.Counts != want[k] || cr.Invalid != invalid[k] {
			t.Errorf("cadre %d: counts %v invalid %d, want %v and %d", k+1, cr.Counts, cr.Invalid, want[k], invalid[k])
		}
	}
	if rec.Result.Collected != 5 {
		t.Errorf("collected %d, want 5", rec.Result.Collected)
	}
	if rec.Proceedings.PaperIssued != 3 || rec.Proceedings.PaperBallots != 2 {
		t.Errorf("proceedings: %d paper cards, %d paper ballots, want 3 and 2", rec.Proceedings.PaperIssued, rec.Proceedings.PaperBallots)
	}
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	rep, err := verify.Log(entries)
	f.ok(err)
	f.ok(rep.CheckTally())
	if rep.Proceedings.PaperBallots != 2 || rep.ProofsVerified() != 5 {
		t.Errorf("the verifier counts %d paper ballots and checked %d proofs, want 2 and 5", rep.Proceedings.PaperBallots, rep.ProofsVerified())
	}
	n := f.countTypes()
	if n[audit.PaperBallotEntered] != 5 || n[audit.PaperBallotMismatch] != 1 {
		t.Errorf("log: %d PaperBallotEntered, %d PaperBallotMismatch, want 5 and 1", n[audit.PaperBallotEntered], n[audit.PaperBallotMismatch])
	}
	// No entry carries a mark: only trustee, card and tracker.
	for _, e := range entries {
		if e.Type == audit.PaperBallotEntered {
			var m map[string]json.RawMessage
			f.ok(json.Unmarshal(e.Data, &m))
			if len(m) != 3 || m["trustee"] == nil || m["card"] == nil || m["tracker"] == nil {
				t.Errorf("PaperBallotEntered data %s", e.Data)
			}
		}
	}
}

// TestPaperOneConfirmation: with one confirmation set before opening, the
// first entry casts; a clear session has no paper ballots.
func TestPaperOneConfirmation(t *testing.T) {
	f := newEncFixture(t)
	f.checkIn(9)
	f.issue(2)
	paper := f.issuePaper(2)
	// A spoiled paper ballot is revoked by its printed code, although the
	// card is stored under its public key; its entry is then refused.
	f.ok(f.svc.RevokeToken(f.ctx, actor, f.id, paper[1], "in hỏng"))
	wantErr(t, f.svc.RevokeToken(f.ctx, actor, f.id, paper[1], "in hỏng"), ballot.ErrTokenRevoked)
	f.ceremony()
	f.ok(f.svc.SetPaperConfirmations(f.ctx, actor, f.id, 1))
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	_, err := f.enter(2, paper[1], [][]int{{3}, {}, {}})
	wantErr(t, err, ballot.ErrTokenRevoked)
	e, err := f.enter(2, paper[0], [][]int{{3}, {}, {1, 2, 3}})
	f.ok(err)
	if !e.Cast {
		t.Fatalf("with one confirmation the first entry was not cast: %+v", e)
	}
	st, err := f.svc.PaperStatus(f.ctx, f.id)
	f.ok(err)
	if st.Confirmed != 1 || st.Pending != 0 || st.Confirmations != 1 {
		t.Fatalf("paper status %+v", st)
	}
	f.ok(f.svc.Close(f.ctx, actor, f.id))
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	if _, err := verify.Log(entries); err != nil {
		t.Fatal(err)
	}

	c := newSvcFixture(t, 3)
	err = c.svc.IssuePaperTokens(c.ctx, actor, c.id, 1, func([]string) error { return nil })
	wantErr(t, err, ballot.ErrNotEncrypted)
}
