package verify_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
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
	"tinnhiem/tally"
	"tinnhiem/tally/report"
	"tinnhiem/verify"
	"tinnhiem/web"
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
		encFix, encErr = newEncFixture(filepath.Join(dir, "enc.db"), honestPartials)
	})
	if encErr != nil {
		t.Fatal(encErr)
	}
	return encFix
}

var (
	formalOnce sync.Once
	formalFix  *encFixture
	formalErr  error
)

// formalVote returns the formal vote's fixture, built once per test
// binary like encrypted's.
func formalVote(t testing.TB) *encFixture {
	t.Helper()
	formalOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tinnhiem-formal")
		if err != nil {
			formalErr = err
			return
		}
		defer os.RemoveAll(dir)
		formalFix, formalErr = newEncVoteOf(filepath.Join(dir, "formal.db"), honestPartials, 5, true)
	})
	if formalErr != nil {
		t.Fatal(formalErr)
	}
	return formalFix
}

// honestPartials is what the fixture's trustees send: a partial of
// trustee 2 that does not verify, then those of trustees 1 and 3.
var honestPartials = []int{-2, 1, 3}

// newEncFixture runs the vote; partials lists the trustees who send a
// partial decryption, in order, a negative number one that does not verify.
func newEncFixture(path string, partials []int) (*encFixture, error) {
	return newEncVote(path, partials, 5)
}

// newEncVote is newEncFixture with n ballots, the first five the
// fixture's, the rest cycling through every choice.
func newEncVote(path string, partials []int, n int) (*encFixture, error) {
	return newEncVoteOf(path, partials, n, false)
}

// newEncVoteOf is newEncVote for a rating or, formal set, for a formal
// vote of confidence of a People's Council (nq96-bpt, two options per
// line), whose tally is followed by its issued documents.
func newEncVoteOf(path string, partials []int, n int, formal bool) (*encFixture, error) {
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
	in := ballot.NewSession{Title: "Hội nghị lấy phiếu tín nhiệm", Body: "Ban Chấp hành Đảng bộ phường",
		Date: "2026-11-24", Place: "Hội trường UBND phường", Rules: "qd96", Encrypted: true}
	if formal {
		in.Title, in.Body, in.Rules, in.Kind = "Kỳ họp bỏ phiếu tín nhiệm", "Hội đồng nhân dân phường", "nq96", ballot.Formal
	}
	sess, err := f.svc.CreateSession(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	f.id = sess.ID
	var members []ballot.Member
	for i := range max(6, n+1) {
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
	if err := f.svc.IssueTokens(ctx, actor, f.id, n+2, func(ts []string) error { codes = ts; return nil }); err != nil {
		return nil, err
	}
	if err := f.svc.RevokeToken(ctx, actor, f.id, codes[n+1], "thẻ bị hỏng"); err != nil {
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
	if formal {
		// 0 no mark, 1 tín nhiệm, 2 không tín nhiệm: c1 gets 3 of 5
		// "không tín nhiệm", more than half.
		votes = [][]int{{2, 1, 1}, {2, 2, 1}, {1, 2, 0}, {2, 1, 2}, {1, 1, 1}}
	}
	for i := len(votes); i < n; i++ {
		votes = append(votes, []int{i % 4, (i / 4) % 4, (i / 16) % 4})
	}
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
	// A partial that does not verify is logged as received, and the
	// tally leaves it out.
	sum, params, err := f.svc.EncryptedTally(ctx, f.id)
	if err != nil {
		return nil, err
	}
	for _, j := range partials {
		if j > 0 {
			if err := com.Decrypt(ctx, f.svc, actor, f.rand, j); err != nil {
				return nil, err
			}
			continue
		}
		bad, err := box.PartialDecrypt(f.rand, params, com.Keys[-j], sum)
		if err != nil {
			return nil, err
		}
		bad.Lines[0].Shares[0], bad.Lines[0].Shares[1] = bad.Lines[0].Shares[1], bad.Lines[0].Shares[0]
		var be *ballot.Error
		if err := f.svc.AddPartial(ctx, actor, f.id, box.FormatPartial(bad)); !errors.As(err, &be) || be.Key != "partial_invalid" {
			return nil, fmt.Errorf("a bad partial decryption: %v, want partial_invalid", err)
		}
	}
	rec, err := f.svc.Tally(ctx, actor, f.id)
	if err != nil {
		return nil, err
	}
	if formal {
		src := web.ReportSource(rec)
		var minutes, csv, js bytes.Buffer
		if err := report.WriteMinutes(&minutes, src); err != nil {
			return nil, err
		}
		if err := tally.WriteCSV(&csv, src.Result); err != nil {
			return nil, err
		}
		if err := tally.WriteJSON(&js, src.Result); err != nil {
			return nil, err
		}
		var docs []ballot.Document
		for name, data := range map[string][]byte{report.MinutesName: minutes.Bytes(), report.ResultsCSVName: csv.Bytes(), report.ResultsJSONName: js.Bytes()} {
			docs = append(docs, ballot.Document{Name: name, Data: data, Signature: f.key.SignDetached(data, report.PublicKeyName)})
		}
		slices.SortFunc(docs, func(a, b ballot.Document) int { return strings.Compare(a.Name, b.Name) })
		if err := f.svc.IssueDocuments(ctx, actor, f.id, rec.Seq, docs); err != nil {
			return nil, err
		}
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

// encVector is a vector built from the encrypted fixture.
func encVector(name, expect, about string, build func(t testing.TB, f *encFixture) (*audit.Bundle, uint64)) vector {
	return vector{name, expect, about, func(t testing.TB, _ *fixture) (*audit.Bundle, func(string), uint64, string) {
		f := encrypted(t)
		b, entry := build(t, f)
		return b, nil, entry, f.key.VerifierKey()
	}}
}

// encVectors are the vectors of an encrypted session: the honest bundle,
// then one for each way its own checks (and the card checks) must fail.
var encVectors = []vector{
	encVector("valid-encrypted", "ok", "the untouched bundle of a whole encrypted vote: key ceremony of three trustees (2 of 3), five encrypted ballots, trustee 2's bad partial decryption left out, trustees 1 and 3 combined",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) { return f.bundle, 0 }),
	encVector("bad-ballot-proof", "ballot-proofs", "an operator holding a card's key swapped two responses of a sealed ballot's line proof, signed it again, re-sorted and re-signed the log",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			es := f.entries()
			i := index(es, audit.EncryptedBallot)
			b := ballotOf(t, &es[i])
			l := &b.Lines[0]
			l.Responses[0], l.Responses[1] = l.Responses[1], l.Responses[0]
			f.resign(t, b)
			es[i].Data = box.FormatBallot(b)
			es, at := f.resealed(t, es, b.Tracker(f.params))
			return f.forge(t, es, f.key, true), seqOf(at)
		}),
	encVector("bad-ballot-signature", "ballot-proofs", "one bit of a sealed ballot's card signature changed, the log re-signed",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			es := f.entries()
			i := index(es, audit.EncryptedBallot) + 2
			b := ballotOf(t, &es[i])
			b.Signature[10] ^= 0x04
			es[i].Data = box.FormatBallot(b)
			return f.forge(t, es, f.key, true), seqOf(i)
		}),
	encVector("card-used-twice", "tokens", "a second valid ballot of a card that voted, added to the sealed ballots; counts, used cards and encrypted tally fixed, the log re-signed",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			es := f.entries()
			i := index(es, audit.EncryptedBallot)
			first := ballotOf(t, &es[i])
			extra := f.newBallot(t, f.cards[first.Card], []int{3, 3, 3})
			e := es[i]
			e.Data = box.FormatBallot(extra)
			es, at := f.resealed(t, insert(es, i, e), extra.Tracker(f.params))
			// The check names whichever of the card's two ballots comes second.
			if other := slices.IndexFunc(es, func(e audit.Entry) bool {
				return e.Type == audit.EncryptedBallot && bytes.Equal(e.Data, box.FormatBallot(first))
			}); other > at {
				at = other
			}
			return f.forge(t, es, f.key, true), seqOf(at)
		}),
	encVector("card-never-issued", "tokens", "a valid ballot of a card the log never issued, added to the sealed ballots and its key to the used cards; counts and encrypted tally fixed, the log re-signed",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			es := f.entries()
			k := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x42}, ed25519.SeedSize))
			extra := f.newBallot(t, k, []int{1, 1, 1})
			i := index(es, audit.EncryptedBallot)
			e := es[i]
			e.Data = box.FormatBallot(extra)
			es, at := f.resealed(t, insert(es, i, e), extra.Tracker(f.params))
			return f.forge(t, es, f.key, true), seqOf(at)
		}),
	encVector("bad-share", "key-ceremony", "trustee 1's round 2 lost its encrypted share for trustee 2: the logged messages disqualify trustee 1, KeyCeremonyCompleted still counts it; the log re-signed",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			es := f.entries()
			i := index(es, audit.KeyCeremonyRound2)
			m, err := box.ParseRound2(es[i].Data)
			if err != nil {
				t.Fatal(err)
			}
			if m.Trustee != 1 || m.Shares[0].To != 2 {
				t.Fatalf("the first round 2 is trustee %d's, first share to %d; want 1 and 2", m.Trustee, m.Shares[0].To)
			}
			m.Shares = m.Shares[1:]
			es[i].Data = box.FormatRound2(m)
			return f.forge(t, es, f.key, true), seqOf(index(es, audit.KeyCeremonyCompleted))
		}),
	encVector("bad-partial-combined", "decryption", "DecryptedTally names trustees 1 and 2 as combined, but trustee 2's logged partial decryption does not verify; the log re-signed",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			es := f.entries()
			i := index(es, audit.DecryptedTally)
			res, err := box.ParseResult(es[i].Data)
			if err != nil {
				t.Fatal(err)
			}
			res.Trustees = []int{1, 2}
			es[i].Data = box.FormatResult(res)
			return f.forge(t, es, f.key, true), seqOf(i)
		}),
	encVector("wrong-combination", "decryption", "DecryptedTally moves a vote of cadre 1 from high to normal confidence, and TallyComputed follows it: not what the partial decryptions give; the log re-signed",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			es := f.entries()
			i := index(es, audit.DecryptedTally)
			res, err := box.ParseResult(es[i].Data)
			if err != nil {
				t.Fatal(err)
			}
			res.Lines[0].Counts[0]--
			res.Lines[0].Counts[1]++
			es[i].Data = box.FormatResult(res)
			j := index(es, audit.TallyComputed)
			tl := decode[tally.Result](t, &es[j])
			tl.Cadres[0].Counts[0]--
			tl.Cadres[0].Counts[1]++
			setData(t, &es[j], tl)
			return f.forge(t, es, f.key, true), seqOf(i)
		}),
	encVector("wrong-count", "tally", "TallyComputed moves a vote of cadre 1 from high to normal confidence: not what DecryptedTally gives; the log re-signed",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			es := f.entries()
			j := index(es, audit.TallyComputed)
			tl := decode[tally.Result](t, &es[j])
			tl.Cadres[0].Counts[0]--
			tl.Cadres[0].Counts[1]++
			setData(t, &es[j], tl)
			return f.forge(t, es, f.key, true), seqOf(j)
		}),
}

// formalVector is a vector built from the formal vote's fixture.
func formalVector(name, expect, about string, build func(t testing.TB, f *encFixture) (*audit.Bundle, uint64)) vector {
	return vector{name, expect, about, func(t testing.TB, _ *fixture) (*audit.Bundle, func(string), uint64, string) {
		f := formalVote(t)
		b, entry := build(t, f)
		return b, nil, entry, f.key.VerifierKey()
	}}
}

// formalVectors are the vectors of a formal vote of confidence: the honest
// bundle, and a count moved between its two options in the log and in
// results.csv.
var formalVectors = []vector{
	formalVector("valid-formal-encrypted", "ok", "the untouched bundle of a formal vote of confidence of a People's Council (nq96-bpt): two options per line, five encrypted ballots, trustees 1 and 3 combined, the minutes and results issued",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) { return f.bundle, 0 }),
	formalVector("formal-changed-count", "tally", "the logged tally of the formal vote moves one vote of c1 from không tín nhiệm to tín nhiệm, below the more-than-half threshold, and the log is re-signed",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			es := f.entries()
			i := index(es, audit.TallyComputed)
			res := decode[tally.Result](t, &es[i])
			res.Cadres[0].Counts[tally.LevelNormal]++
			res.Cadres[0].Counts[tally.LevelLow]--
			setData(t, &es[i], res)
			return f.forge(t, es, f.key, true), seqOf(i)
		}),
	formalVector("formal-results-csv-mismatch", "results", "results.csv of the formal vote gives c1 one \"không tín nhiệm\" fewer, the file re-signed and its hash logged in a re-signed log",
		func(t testing.TB, f *encFixture) (*audit.Bundle, uint64) {
			b, _, entry, _ := f.changeDocument(t, "results.csv", func(data []byte) []byte {
				// Row 1 is c1: 2 tín nhiệm, 3 không tín nhiệm of 5.
				return bytes.Replace(data, []byte(`,5,2,"40,00",3,"60,00",`), []byte(`,5,2,"40,00",2,"60,00",`), 1)
			})
			return b, entry
		}),
}

func init() {
	vectors = append(vectors, encVectors...)
	vectors = append(vectors, formalVectors...)
}

// TestEncryptedPartialRetried: a trustee whose first partial decryption
// does not verify sends a valid one, and the service combines it; the
// log is honest and must verify, naming the bad partial it left out.
func TestEncryptedPartialRetried(t *testing.T) {
	f, err := newEncFixture(filepath.Join(t.TempDir(), "enc.db"), []int{-2, 2, 1})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Log(f.bundle.Entries)
	if err != nil {
		t.Fatalf("the verifier refuses an honest log: %v", err)
	}
	if got := rep.Decrypted.Trustees; !slices.Equal(got, []int{1, 2}) {
		t.Errorf("combined trustees %v, want [1 2]", got)
	}
	if got := rep.BadPartials(); !slices.Equal(got, []int{2}) {
		t.Errorf("bad partials %v, want [2]", got)
	}
	if err := rep.CheckTally(); err != nil {
		t.Error(err)
	}
}

// TestEncryptedManyBatches: over several batches of 64 the verifier's sum
// of what each verified batch adds up to, the server's (signatures only,
// box.Summer) and the logged EncryptedTally (box.Sum at close) agree.
func TestEncryptedManyBatches(t *testing.T) {
	f, err := newEncVote(filepath.Join(t.TempDir(), "enc.db"), []int{1, 2}, 150)
	if err != nil {
		t.Fatal(err)
	}
	full, err := verify.Log(f.bundle.Entries)
	if err != nil {
		t.Fatal(err)
	}
	quick, err := verify.LogWith(f.bundle.Entries, verify.LogOptions{SkipBallotProofs: true})
	if err != nil {
		t.Fatal(err)
	}
	if full.ProofsVerified() != 150 || quick.ProofsVerified() != 0 {
		t.Errorf("proofs checked %d and %d, want 150 and 0", full.ProofsVerified(), quick.ProofsVerified())
	}
	if !bytes.Equal(box.FormatTally(full.EncryptedTally), box.FormatTally(quick.EncryptedTally)) || full.EncryptedTally.Ballots != 150 {
		t.Errorf("the two replays sum to different encrypted tallies")
	}
	if err := full.CheckTally(); err != nil {
		t.Error(err)
	}
}

// TestEncryptedNonCanonicalMessages: a ceremony message, a partial
// decryption or the decrypted tally re-encoded (its members sorted: it
// still parses to the same values) in a re-signed log fails its check, as
// a ballot does: the service logs only canonical encodings.
func TestEncryptedNonCanonicalMessages(t *testing.T) {
	f := encrypted(t)
	for typ, check := range map[audit.Type]string{
		audit.KeyCeremonyRound1: verify.CheckCeremony, audit.KeyCeremonyRound2: verify.CheckCeremony,
		audit.KeyCeremonyRound3: verify.CheckCeremony, audit.PartialDecryption: verify.CheckDecryption,
		audit.DecryptedTally: verify.CheckDecryption,
	} {
		es := f.entries()
		i := index(es, typ)
		// Its members in another order, which the log's JSON keeps.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(es[i].Data, &m); err != nil {
			t.Fatal(err)
		}
		reordered, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(reordered, es[i].Data) {
			t.Fatalf("%s: sorting the members changed nothing", typ)
		}
		es[i].Data = reordered
		rep := verify.Bundle(f.forge(t, es, f.key, true), verify.Options{Key: f.key.PublicKey()})
		var failed []string
		for _, c := range rep.Checks {
			if c.Status == verify.StatusFailed {
				failed = append(failed, c.ID)
			}
		}
		if len(failed) != 1 || failed[0] != check || rep.Check(check).Entry != seqOf(i) {
			t.Errorf("%s re-encoded: failed checks %v (%+v), want exactly %s at entry %d", typ, failed, rep.FirstFailure(), check, seqOf(i))
		}
	}
}
