package verify_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/box"
	"tinnhiem/ballot/simtrustee"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/verify"
)

// encFixture is a whole encrypted vote (SPEC.md 11) run by the real
// service over a real SQLite file: a committee of three trustees holding
// the key 2 of 3 through simtrustee's ceremony, five ballots encrypted as
// the voter's page does, close, a partial decryption of trustee 2 that
// does not verify (logged, left out), those of trustees 1 and 3, and the
// tally. Every random choice comes from a seeded source, so the vectors
// regenerate byte for byte.
type encFixture struct {
	*fixture
	params *box.Params
	cards  map[[32]byte]ed25519.PrivateKey // the voting cards' keys, by public key
	rand   *seeded
}

var (
	encOnce sync.Once
	encFix  *encFixture
	encErr  error
)

// encrypted returns the encrypted fixture, built once per test binary:
// the vectors and the tests that read it only copy its bundle.
func encrypted(t testing.TB) *encFixture {
	t.Helper()
	encOnce.Do(func() {
		// The database is needed only while the vote runs: the
		// bundle is kept in memory, the file removed at once.
		dir, err := os.MkdirTemp("", "tinnhiem-enc")
		if err != nil {
			encErr = err
			return
		}
		defer os.RemoveAll(dir)
		encFix, encErr = newEncFixture(filepath.Join(dir, "enc.db"))
	})
	if encErr != nil {
		t.Fatal(encErr)
	}
	return encFix
}

func newEncFixture(path string) (*encFixture, error) {
	ctx := context.Background()
	store, err := sqlite.Open(path)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	key, err := audit.GenerateKey(newSeeded("installation"), "tinnhiem")
	if err != nil {
		return nil, err
	}
	inspector, err := audit.GenerateKey(newSeeded("inspector"), "thanh-tra")
	if err != nil {
		return nil, err
	}
	f := &encFixture{fixture: &fixture{key: key, inspector: inspector}, cards: map[[32]byte]ed25519.PrivateKey{}, rand: newSeeded("ballots")}
	f.svc = ballot.NewService(store, f.key, newSeeded("service"), fixedClock())
	f.svc.VoterAssets = strings.Repeat("5a", 32)
	sess, err := f.svc.CreateSession(ctx, actor, ballot.NewSession{Title: "Hội nghị lấy phiếu tín nhiệm", Body: "Ban Chấp hành Đảng bộ phường",
		Date: "2026-11-24", Place: "Hội trường UBND phường", Rules: "qd96", Encrypted: true})
	if err != nil {
		return nil, err
	}
	f.id = sess.ID
	var members []ballot.Member
	for i := range 6 {
		members = append(members, ballot.Member{Name: fmt.Sprintf("Đại biểu %d", i+1), Position: "Ủy viên"})
	}
	steps := []func() error{
		func() error { return f.svc.ImportRoster(ctx, actor, f.id, members) },
		func() error {
			return f.svc.ImportCadres(ctx, actor, f.id, []ballot.Cadre{
				{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư"},
				{ID: "c2", Name: "Trần Thị Bình", Position: "Phó Bí thư"},
				{ID: "c3", Name: "Lê Văn Cường", Position: "Chủ tịch UBND"},
			})
		},
		func() error {
			return f.svc.SetCommittee(ctx, actor, f.id, []string{"Đại biểu 1", "Đại biểu 2", "Đại biểu 3"})
		},
		func() error { _, err := f.svc.CheckIn(ctx, actor, f.id, nil, true); return err },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	var codes []string
	if err := f.svc.IssueTokens(ctx, actor, f.id, 7, func(ts []string) error { codes = ts; return nil }); err != nil {
		return nil, err
	}
	if err := f.svc.RevokeToken(ctx, actor, f.id, codes[6], "thẻ bị hỏng"); err != nil {
		return nil, err
	}
	com, err := simtrustee.Ceremony(ctx, f.svc, actor, f.id, newSeeded("trustees"))
	if err != nil {
		return nil, err
	}
	if err := f.svc.Open(ctx, actor, f.id, false, ""); err != nil {
		return nil, err
	}
	votes := [][]int{{1, 2, 3}, {1, 1, 3}, {2, 3, 3}, {1, 2, 0}, {3, 2, 2}}
	for i, v := range votes {
		form, err := f.svc.Form(ctx, codes[i])
		if err != nil {
			return nil, err
		}
		f.params = form.Box
		canonical, _ := ballot.NormalizeToken(codes[i])
		k, err := box.CardKey(f.id, canonical)
		if err != nil {
			return nil, err
		}
		b, _, err := box.EncryptBallot(f.rand, form.Box, k, v)
		if err != nil {
			return nil, err
		}
		f.cards[b.Card] = k
		if _, err := f.svc.CastEncrypted(ctx, codes[i], box.FormatBallot(b)); err != nil {
			return nil, err
		}
		f.tokens = append(f.tokens, codes[i])
	}
	if err := f.svc.Close(ctx, actor, f.id); err != nil {
		return nil, err
	}
	// Trustee 2 sends a partial decryption that does not verify: the
	// service logs it as received and the tally leaves it out.
	sum, params, err := f.svc.EncryptedTally(ctx, f.id)
	if err != nil {
		return nil, err
	}
	bad, err := box.PartialDecrypt(f.rand, params, com.Keys[2], sum)
	if err != nil {
		return nil, err
	}
	bad.Lines[0].Shares[0], bad.Lines[0].Shares[1] = bad.Lines[0].Shares[1], bad.Lines[0].Shares[0]
	var be *ballot.Error
	if err := f.svc.AddPartial(ctx, actor, f.id, box.FormatPartial(bad)); !errors.As(err, &be) || be.Key != "partial_invalid" {
		return nil, fmt.Errorf("a bad partial decryption: %v, want partial_invalid", err)
	}
	if err := com.Decrypt(ctx, f.svc, actor, f.rand, 1, 3); err != nil {
		return nil, err
	}
	if _, err := f.svc.Tally(ctx, actor, f.id); err != nil {
		return nil, err
	}
	if f.bundle, err = f.svc.Bundle(ctx, f.id); err != nil {
		return nil, err
	}
	return f, nil
}

// ballotOf parses the EncryptedBallot entry e.
func ballotOf(t testing.TB, e *audit.Entry) *box.Ballot {
	t.Helper()
	b, err := box.ParseBallot(e.Data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// resign signs the changed ballot with its card again, as whoever holds
// the card (or forged its key) could.
func (f *encFixture) resign(t testing.TB, b *box.Ballot) {
	t.Helper()
	k, ok := f.cards[b.Card]
	if !ok {
		t.Fatal("no key for the ballot's card")
	}
	copy(b.Signature[:], ed25519.Sign(k, b.Bytes(f.params)))
}

// newBallot encrypts a fresh ballot with the card key k.
func (f *encFixture) newBallot(t testing.TB, k ed25519.PrivateKey, choices []int) *box.Ballot {
	t.Helper()
	b, _, err := box.EncryptBallot(newSeeded("extra ballot"), f.params, k, choices)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// resealed plays an operator who changed the sealed ballots: it sorts them
// by tracker again, and makes SessionClosed.collected, BallotsSealed,
// TokensUsed and EncryptedTally what the ballots present give, so that
// only the check aimed at catches the change. It returns the index of
// the ballot whose tracker is mark.
func (f *encFixture) resealed(t testing.TB, es []audit.Entry, mark [32]byte) ([]audit.Entry, int) {
	t.Helper()
	first, last := index(es, audit.EncryptedBallot), lastIndex(es, audit.EncryptedBallot)
	run := es[first : last+1]
	slices.SortFunc(run, func(a, b audit.Entry) int {
		ta, tb := ballotOf(t, &a).Tracker(f.params), ballotOf(t, &b).Tracker(f.params)
		return bytes.Compare(ta[:], tb[:])
	})
	var ballots []*box.Ballot
	var cards []audit.Hash
	at := -1
	for i := range run {
		b := ballotOf(t, &run[i])
		if b.Tracker(f.params) == mark {
			at = first + i
		}
		ballots = append(ballots, b)
		if !slices.Contains(cards, audit.Hash(b.Card)) {
			cards = append(cards, audit.Hash(b.Card))
		}
	}
	slices.SortFunc(cards, func(a, b audit.Hash) int { return bytes.Compare(a[:], b[:]) })
	c := index(es, audit.SessionClosed)
	closed := decode[audit.SessionClosedData](t, &es[c])
	closed.Collected = len(ballots)
	setData(t, &es[c], closed)
	setData(t, &es[index(es, audit.BallotsSealed)], audit.BallotsSealedData{Count: len(ballots)})
	u := index(es, audit.TokensUsed)
	used := decode[audit.TokensData](t, &es[u])
	used.Hashes = cards
	setData(t, &es[u], used)
	sum, err := box.Sum(f.params, ballots)
	if err != nil {
		t.Fatal(err)
	}
	es[index(es, audit.EncryptedTally)].Data = box.FormatTally(sum)
	return es, at
}

// TestEncryptedFixtureVerifies checks the honest encrypted bundle: every
// check holds, and the report says what the three checks of an encrypted
// session saw.
func TestEncryptedFixtureVerifies(t *testing.T) {
	f := encrypted(t)
	rep := verify.Bundle(f.bundle, verify.Options{Key: f.key.PublicKey()})
	for _, c := range rep.Checks {
		if c.Status != verify.StatusOK && c.ID != verify.CheckCosignatures {
			t.Errorf("check %s = %s (entry %d: %s), want ok", c.ID, c.Status, c.Entry, c.Detail)
		}
	}
	for id, want := range map[string]string{
		verify.CheckCeremony:     "3 trustees, 3 qualified, threshold 2",
		verify.CheckBallotProofs: "5 ballots, every proof and signature checked",
		verify.CheckDecryption:   "EncryptedTally is the sum of the 5 sealed ballots; trustees 1 and 3 combined; trustee 2's partial does not verify and was left out",
	} {
		if got := rep.Check(id).Detail; got != want {
			t.Errorf("check %s says %q, want %q", id, got, want)
		}
	}
}
