package ballot_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/ballot/simtrustee"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/verify"
)

// encFixture is an encrypted session over a real SQLite file: 9 members,
// 3 cadres, a committee of three trustees holding the key 2 of 3.
type encFixture struct {
	*svcFixture
	store *sqlite.Store
	path  string
	com   *simtrustee.Committee
}

func newEncFixture(t *testing.T) *encFixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "enc.db")
	store, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	key, err := audit.GenerateKey(rand.Reader, "test")
	if err != nil {
		t.Fatal(err)
	}
	f := &encFixture{svcFixture: &svcFixture{t: t, ctx: t.Context(), svc: ballot.NewService(store, key, nil, nil)}, store: store, path: path}
	f.svc.VoterAssets = strings.Repeat("ab", 32)
	sess, err := f.svc.CreateSession(f.ctx, actor, ballot.NewSession{Title: "Hội nghị", Body: "Đảng ủy", Date: "2026-11-22", Place: "Hà Nội", Encrypted: true})
	f.ok(err)
	f.id = sess.ID
	var ms []ballot.Member
	for i := range 9 {
		ms = append(ms, ballot.Member{Name: fmt.Sprintf("Thành viên %02d", i+1)})
	}
	f.ok(f.svc.ImportRoster(f.ctx, actor, f.id, ms))
	f.ok(f.svc.ImportCadres(f.ctx, actor, f.id, []ballot.Cadre{
		{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư"},
		{ID: "c2", Name: "Trần Thị Bích Ngọc", Position: "Phó Bí thư"},
		{ID: "c3", Name: "Lê Hoàng Long", Position: "Chủ nhiệm Ủy ban Kiểm tra"},
	}))
	f.ok(f.svc.SetCommittee(f.ctx, actor, f.id, []string{"Phạm Thu Hà", "Đỗ Minh Khang", "Vũ Thị Lan"}))
	return f
}

func (f *encFixture) ceremony() {
	f.t.Helper()
	com, err := simtrustee.Ceremony(f.ctx, f.svc, actor, f.id, rand.Reader)
	f.ok(err)
	f.com = com
}

// encrypt makes a ballot for the card with these choices (0 no mark,
// 1 high, 2 normal, 3 low), as the voter's page does.
func (f *encFixture) encrypt(code string, choices []int) []byte {
	f.t.Helper()
	form, err := f.svc.Form(f.ctx, code)
	f.ok(err)
	if form.Box == nil {
		f.t.Fatal("the form of an encrypted session has no box parameters")
	}
	canonical, _ := ballot.NormalizeToken(code)
	k, err := box.CardKey(f.id, canonical)
	f.ok(err)
	b, _, err := box.EncryptBallot(rand.Reader, form.Box, k, choices)
	f.ok(err)
	return box.FormatBallot(b)
}

// TestEncryptedVoteEndToEnd runs a whole encrypted vote: the key ceremony
// of three trustees, ballots encrypted and verified on casting, close, two
// of three partial decryptions (the third trustee absent) and the tally,
// which DOMAIN.md's rules count from the decrypted totals; the verifier
// then checks the whole log, every proof included.
func TestEncryptedVoteEndToEnd(t *testing.T) {
	f := newEncFixture(t)
	f.checkIn(9)
	cards := f.issue(9)
	wantKey(t, f.svc.Open(f.ctx, actor, f.id, false, ""), "ceremony_incomplete")
	f.ceremony()
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))

	votes := [][]int{{1, 1, 3}, {1, 2, 3}, {2, 0, 3}, {1, 1, 1}, {3, 2, 0}, {1, 1, 3}, {2, 2, 2}}
	var receipts []*ballot.Receipt
	for i, v := range votes {
		rc, err := f.svc.CastEncrypted(f.ctx, cards[i], f.encrypt(cards[i], v))
		f.ok(err)
		if !strings.HasPrefix(rc.Code, "TB1-") {
			t.Fatalf("receipt %q", rc.Code)
		}
		receipts = append(receipts, rc)
	}
	// A clear ballot is refused in an encrypted session, and so is a
	// second ballot from a used card.
	_, err := f.svc.Cast(f.ctx, cards[7], map[string][]ballot.Level{"c1": {ballot.High}})
	wantErr(t, err, ballot.ErrEncrypted)
	_, err = f.svc.CastEncrypted(f.ctx, cards[0], f.encryptAnyway(cards[0], []int{1, 1, 1}))
	wantErr(t, err, ballot.ErrTokenUsed)

	// Nothing is said of a tracker before close.
	if _, err := f.svc.FindTracker(f.ctx, receipts[0].Code); ballot.ErrorCode(err) != ballot.ENotFound {
		t.Errorf("FindTracker before close: %v, want not found", err)
	}
	f.ok(f.svc.Close(f.ctx, actor, f.id))
	for _, rc := range receipts {
		st, err := f.svc.FindTracker(f.ctx, rc.Code)
		f.ok(err)
		if st.Session.ID != f.id || !st.Sealed {
			t.Errorf("FindTracker(%s) = %+v", rc.Code, st)
		}
	}

	_, err = f.svc.Tally(f.ctx, actor, f.id)
	wantKey(t, err, "partials_missing")
	f.ok(f.com.Decrypt(f.ctx, f.svc, actor, rand.Reader, 1))
	_, err = f.svc.Tally(f.ctx, actor, f.id)
	wantKey(t, err, "partials_missing")
	f.ok(f.com.Decrypt(f.ctx, f.svc, actor, rand.Reader, 3))
	rec, err := f.svc.Tally(f.ctx, actor, f.id)
	f.ok(err)

	// The totals are the ballots', counted by the rules.
	want := [3][3]int{}
	invalid := [3]int{}
	for _, v := range votes {
		for k, c := range v {
			if c == 0 {
				invalid[k]++
			} else {
				want[k][c-1]++
			}
		}
	}
	for k, cr := range rec.Result.Cadres {
		if cr.Counts != want[k] || cr.Invalid != invalid[k] {
			t.Errorf("cadre %d: counts %v invalid %d, want %v and %d", k+1, cr.Counts, cr.Invalid, want[k], invalid[k])
		}
	}
	if rec.Result.Collected != len(votes) || rec.Result.Issued != 9 {
		t.Errorf("collected %d issued %d", rec.Result.Collected, rec.Result.Issued)
	}

	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	rep, err := verify.Log(entries)
	f.ok(err)
	if rep.ProofsVerified() != len(votes) || rep.Decrypted == nil {
		t.Errorf("the verifier checked %d ballots' proofs, want %d", rep.ProofsVerified(), len(votes))
	}
	f.ok(rep.CheckTally())
	var opened audit.SessionOpenedData
	for _, e := range entries {
		if e.Type == audit.SessionOpened {
			f.ok(json.Unmarshal(e.Data, &opened))
		}
	}
	if opened.VoterAssets != f.svc.VoterAssets {
		t.Errorf("SessionOpened logs voter assets %q, want %q", opened.VoterAssets, f.svc.VoterAssets)
	}
	// No mark of any ballot is stored: the pool holds only ciphertexts.
	f.ok(f.store.View(f.ctx, func(tx ballot.Tx) error {
		bs, err := tx.Ballots(f.id)
		for _, b := range bs {
			if b.Marks != "" || len(b.Box) == 0 {
				t.Errorf("pooled ballot %s has marks %q", b.ID, b.Marks)
			}
		}
		return err
	}))
}

// encryptAnyway encrypts for a card whose form is no longer served.
func (f *encFixture) encryptAnyway(code string, choices []int) []byte {
	f.t.Helper()
	st, err := f.svc.Ceremony(f.ctx, f.id)
	f.ok(err)
	canonical, _ := ballot.NormalizeToken(code)
	k, err := box.CardKey(f.id, canonical)
	f.ok(err)
	b, _, err := box.EncryptBallot(rand.Reader, &box.Params{Session: f.id, JointKey: st.JointKey, Lines: 3, Options: 3}, k, choices)
	f.ok(err)
	return box.FormatBallot(b)
}

// TestEncryptedBallotRefusals: a ballot with a bad proof, a bad signature,
// another card's key or malformed bytes is refused with its reason, and
// the card can still vote: nothing was recorded.
func TestEncryptedBallotRefusals(t *testing.T) {
	f := newEncFixture(t)
	f.checkIn(9)
	cards := f.issue(3)
	f.ceremony()
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	good := f.encrypt(cards[0], []int{1, 2, 3})
	tamper := func(edit func(m map[string]any)) []byte {
		var m map[string]any
		f.ok(json.Unmarshal(good, &m))
		edit(m)
		out, err := json.Marshal(m)
		f.ok(err)
		return out
	}
	lines := func(m map[string]any) []any { return m["lines"].([]any) }
	for name, tt := range map[string]struct {
		data []byte
		key  string
	}{
		"malformed":        {[]byte(`{"format":"tinnhiem-box-ballot/v1"`), "ballot_malformed"},
		"other card":       {f.encrypt(cards[1], []int{1, 1, 1}), "ballot_card"},
		"swapped proofs":   {tamper(func(m map[string]any) { l := lines(m); l[0], l[1] = l[1], l[0] }), ""},
		"changed response": {tamper(func(m map[string]any) { l := lines(m)[2].(map[string]any); l["s"] = lines(m)[1].(map[string]any)["s"] }), ""},
		"signature":        {tamper(func(m map[string]any) { m["sig"] = strings.Repeat("A", 86) }), "ballot_signature"},
	} {
		_, err := f.svc.CastEncrypted(f.ctx, cards[0], tt.data)
		var e *ballot.Error
		if !errors.As(err, &e) || (tt.key != "" && e.Key != tt.key) || (tt.key == "" && e.Key != "ballot_proof" && e.Key != "ballot_signature") {
			t.Errorf("%s: error %v, want %s", name, err, tt.key)
		}
		if n := f.logSize(); n == 0 {
			t.Fatal("empty log")
		}
	}
	before := f.logSize()
	if _, err := f.svc.CastEncrypted(f.ctx, cards[0], good); err != nil {
		t.Fatalf("the card cannot vote after refused ballots: %v", err)
	}
	if f.logSize() != before {
		t.Error("casting wrote to the log")
	}
	f.ok(f.svc.Close(f.ctx, actor, f.id))
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	n := 0
	for _, e := range entries {
		if e.Type == audit.EncryptedBallot {
			n++
			if !bytes.Equal(e.Data, good) {
				t.Error("the sealed ballot is not the one cast")
			}
		}
	}
	if n != 1 {
		t.Errorf("%d ballots sealed, want 1", n)
	}
}

// TestCeremonyRefusals: messages of another session, a repeated or
// out-of-order one, and a committee change once the ceremony started are
// refused and log nothing.
func TestCeremonyRefusals(t *testing.T) {
	f := newEncFixture(t)
	_, m1, err := box.NewTrustee(rand.Reader, f.id, 3, 2, 1)
	f.ok(err)
	_, other, err := box.NewTrustee(rand.Reader, "khac", 3, 2, 2)
	f.ok(err)
	_, wrongN, err := box.NewTrustee(rand.Reader, f.id, 4, 2, 2)
	f.ok(err)
	f.ok(f.svc.AddCeremonyMessage(f.ctx, actor, f.id, box.FormatRound1(m1)))
	before := f.logSize()
	for name, data := range map[string][]byte{
		"repeated":       box.FormatRound1(m1),
		"other session":  box.FormatRound1(other),
		"other size":     box.FormatRound1(wrongN),
		"unknown format": []byte(`{"format":"tinnhiem-box-dkg-round9/v1"}`),
		"not json":       []byte("round1"),
		"round 3 first":  box.FormatRound3(&box.Round3{Session: f.id, Trustee: 2, Checked: []int{}}),
	} {
		if err := f.svc.AddCeremonyMessage(f.ctx, actor, f.id, data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := f.svc.SetCommittee(f.ctx, actor, f.id, []string{"Phạm Thu Hà", "Đỗ Minh Khang"}); ballot.ErrorCode(err) != ballot.ELocked {
		t.Errorf("committee change after round 1: %v, want locked", err)
	}
	wantKey(t, f.svc.CompleteCeremony(f.ctx, actor, f.id, nil), "ceremony_waiting")
	if got := f.logSize(); got != before {
		t.Errorf("refused messages logged %d entries", got-before)
	}
}

func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	var e *ballot.Error
	if !errors.As(err, &e) || e.Key != key {
		t.Fatalf("error = %v, want %s", err, key)
	}
}

// TestCorrectedPartial: a trustee whose first partial decryption is bad may
// send a good one; the tally combines the good one and the verifier accepts
// the log, naming the bad one.
func TestCorrectedPartial(t *testing.T) {
	f := newEncFixture(t)
	f.checkIn(9)
	cards := f.issue(3)
	f.ceremony()
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	for i, c := range cards {
		_, err := f.svc.CastEncrypted(f.ctx, c, f.encrypt(c, []int{1 + i%3, 2, 0}))
		f.ok(err)
	}
	f.ok(f.svc.Close(f.ctx, actor, f.id))
	sum, p, err := f.svc.EncryptedTally(f.ctx, f.id)
	f.ok(err)
	bad, err := box.PartialDecrypt(rand.Reader, p, f.com.Keys[1], sum)
	f.ok(err)
	bad.Lines[0].Shares[0] = bad.Lines[0].Shares[1]
	wantKey(t, f.svc.AddPartial(f.ctx, actor, f.id, box.FormatPartial(bad)), "partial_invalid")
	f.ok(f.com.Decrypt(f.ctx, f.svc, actor, rand.Reader, 1, 2))
	rec, err := f.svc.Tally(f.ctx, actor, f.id)
	f.ok(err)
	if got := rec.Result.Cadres[0].Counts; got != [3]int{1, 1, 1} {
		t.Errorf("cadre 1 counts %v, want [1 1 1]", got)
	}
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	rep, err := verify.Log(entries)
	f.ok(err)
	if got := rep.BadPartials(); len(got) != 1 || got[0] != 1 {
		t.Errorf("BadPartials = %v, want [1]", got)
	}
}
