package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/tally"
	"tinnhiem/tally/report"
	"tinnhiem/verify"
	"tinnhiem/web"
)

const actor = "cli:thu-ky"

// seeded is a deterministic random source, so that regenerated test
// vectors come out byte for byte the same.
type seeded struct{ r *rand.ChaCha8 }

func newSeeded(seed string) *seeded {
	var s [32]byte
	copy(s[:], seed)
	return &seeded{rand.NewChaCha8(s)}
}

func (s *seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

// fixedClock advances one minute per call from the morning of the vote.
func fixedClock() func() time.Time {
	t := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Minute); return t }
}

// fixture is a whole vote run by the real service over a real SQLite file:
// roster, cadres, committee, check-in, cards (one revoked), opening, an
// inspector's cosignature of the opening checkpoint, ballots, close, the
// tally, and three signed documents: the minutes, results.csv and
// results.json. A second session of the same installation, voted and
// tallied the same way, gives the minutes of another session.
//
// The minutes are rendered by the reports package without their embedded
// PDF signature, which is randomised (ECDSA) and would make the test
// vectors differ at every generation; the verifier does not check it.
type fixture struct {
	svc       *ballot.Service
	key       *audit.Key // the installation's
	inspector *audit.Key
	id        string
	tokens    []string // the cards that voted
	bundle    *audit.Bundle
	// otherMinutes are the minutes of another session of the same
	// installation, with their detached signature.
	otherMinutes audit.BundleDocument
}

func mustKey(t testing.TB, seed, name string) *audit.Key {
	t.Helper()
	k, err := audit.GenerateKey(newSeeded(seed), name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "vote.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{key: mustKey(t, "installation", "tinnhiem"), inspector: mustKey(t, "inspector", "thanh-tra")}
	f.svc = ballot.NewService(store, f.key, newSeeded("service"), fixedClock())
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sess, err := f.svc.CreateSession(ctx, actor, ballot.NewSession{Title: "Hội nghị lấy phiếu tín nhiệm", Body: "Ban Chấp hành Đảng bộ xã",
		Date: "2026-11-22", Place: "Hội trường UBND xã", Rules: "qd96"})
	ok(err)
	f.id = sess.ID
	var members []ballot.Member
	for i := range 6 {
		members = append(members, ballot.Member{Name: fmt.Sprintf("Đại biểu %d", i+1), Position: "Ủy viên"})
	}
	ok(f.svc.ImportRoster(ctx, actor, f.id, members))
	ok(f.svc.ImportCadres(ctx, actor, f.id, []ballot.Cadre{
		{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư"},
		{ID: "c2", Name: "Trần Thị Bình", Position: "Phó Bí thư"},
		{ID: "c3", Name: "Lê Văn Cường", Position: "Chủ tịch UBND"},
	}))
	ok(f.svc.SetCommittee(ctx, actor, f.id, []string{"Đại biểu 1", "Đại biểu 2"}))
	_, err = f.svc.CheckIn(ctx, actor, f.id, nil, true)
	ok(err)
	var cards []string
	ok(f.svc.IssueTokens(ctx, actor, f.id, 7, func(ts []string) error { cards = ts; return nil }))
	ok(f.svc.RevokeToken(ctx, actor, f.id, cards[6], "thẻ bị hỏng"))
	ok(f.svc.Open(ctx, actor, f.id, false, ""))

	// The inspector cosigns the opening checkpoint during the vote.
	_, cps, err := f.svc.Log(ctx, f.id)
	ok(err)
	opening := cps[len(cps)-1]
	cosigned, err := verify.Cosign(opening.Note, f.inspector)
	ok(err)
	_, err = f.svc.AddCosignature(ctx, actor, f.id, cosigned, f.inspector.VerifierKey())
	ok(err)

	votes := []map[string][]ballot.Level{
		{"c1": {ballot.High}, "c2": {ballot.Normal}, "c3": {ballot.Low}},
		{"c1": {ballot.High}, "c2": {ballot.High}, "c3": {ballot.Low}},
		{"c1": {ballot.Normal}, "c2": {ballot.Low}, "c3": {ballot.Low}},
		{"c1": {ballot.High}, "c2": {ballot.Normal}},
		{"c1": {ballot.Low}, "c2": {ballot.Normal}, "c3": {ballot.Normal}},
	}
	for i, v := range votes {
		_, err := f.svc.Cast(ctx, cards[i], v)
		ok(err)
		f.tokens = append(f.tokens, cards[i])
	}
	ok(f.svc.Close(ctx, actor, f.id))

	rec, src := tallied(t, f.svc, f.id)
	minutes := renderMinutes(t, src)
	var csv, js bytes.Buffer
	ok(tally.WriteCSV(&csv, src.Result))
	ok(tally.WriteJSON(&js, src.Result))
	var docs []ballot.Document
	for _, d := range []struct {
		name string
		data []byte
	}{{report.MinutesName, minutes}, {report.ResultsCSVName, csv.Bytes()}, {report.ResultsJSONName, js.Bytes()}} {
		docs = append(docs, ballot.Document{Name: d.name, Data: d.data, Signature: f.key.SignDetached(d.data, report.PublicKeyName)})
	}
	ok(f.svc.IssueDocuments(ctx, actor, f.id, rec.Seq, docs))
	f.bundle, err = f.svc.Bundle(ctx, f.id)
	ok(err)

	// Another session of the same installation, voted and tallied.
	other, err := f.svc.CreateSession(ctx, actor, ballot.NewSession{Title: "Hội nghị lấy phiếu tín nhiệm", Body: "Ban Chấp hành Đoàn xã",
		Date: "2026-11-23", Place: "Nhà văn hóa xã", Rules: "qd96"})
	ok(err)
	ok(f.svc.ImportRoster(ctx, actor, other.ID, members[:3]))
	ok(f.svc.ImportCadres(ctx, actor, other.ID, []ballot.Cadre{{ID: "c1", Name: "Phạm Thị Dung", Position: "Bí thư Đoàn"}}))
	ok(f.svc.SetCommittee(ctx, actor, other.ID, []string{"Đại biểu 1", "Đại biểu 2"}))
	_, err = f.svc.CheckIn(ctx, actor, other.ID, nil, true)
	ok(err)
	ok(f.svc.IssueTokens(ctx, actor, other.ID, 3, func(ts []string) error { cards = ts; return nil }))
	ok(f.svc.Open(ctx, actor, other.ID, false, ""))
	for _, c := range cards {
		_, err := f.svc.Cast(ctx, c, map[string][]ballot.Level{"c1": {ballot.High}})
		ok(err)
	}
	ok(f.svc.Close(ctx, actor, other.ID))
	_, otherSrc := tallied(t, f.svc, other.ID)
	m := renderMinutes(t, otherSrc)
	f.otherMinutes = audit.BundleDocument{Name: report.MinutesName, Data: m, Signature: f.key.SignDetached(m, report.PublicKeyName)}
	return f
}

// tallied logs the tally of a closed session as the console and the CLI
// do, and returns the record and what its documents show.
func tallied(t testing.TB, svc *ballot.Service, id string) (*ballot.TallyRecord, *report.Source) {
	t.Helper()
	rec, err := svc.Tally(context.Background(), actor, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec, web.ReportSource(rec)
}

// renderMinutes renders the counting minutes of src as the reports package
// does, without the embedded PDF signature (see fixture).
func renderMinutes(t testing.TB, src *report.Source) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteMinutes(&b, src); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// copyBundle returns a deep enough copy of b to tamper with.
func copyBundle(b *audit.Bundle) *audit.Bundle {
	c := *b
	c.Entries = append([]audit.Entry(nil), b.Entries...)
	c.Checkpoints = append([][]byte(nil), b.Checkpoints...)
	c.Documents = append([]audit.BundleDocument(nil), b.Documents...)
	return &c
}

func TestFixtureVerifies(t *testing.T) {
	f := newFixture(t)
	rep := verify.Bundle(f.bundle, verify.Options{Key: f.key.PublicKey()})
	for _, c := range rep.Checks {
		switch c.ID {
		case verify.CheckCeremony, verify.CheckBallotProofs, verify.CheckDecryption:
			// A clear session has no key, proofs or decryption to check.
			if c.Status != verify.StatusSkipped || !strings.Contains(c.Detail, "a clear session") {
				t.Errorf("check %s = %s (%s), want skipped for a clear session", c.ID, c.Status, c.Detail)
			}
		default:
			if c.Status != verify.StatusOK {
				t.Errorf("check %s = %s (entry %d: %s), want ok", c.ID, c.Status, c.Entry, c.Detail)
			}
		}
	}
	if len(rep.Cosigners) != 1 || rep.Cosigners[0].Name != "thanh-tra" {
		t.Errorf("cosigners = %+v, want the inspector thanh-tra", rep.Cosigners)
	}
	if !rep.KeyPinned || rep.Fingerprint != f.key.Fingerprint() {
		t.Errorf("key pinned %v, fingerprint %s; want pinned %s", rep.KeyPinned, rep.Fingerprint, f.key.Fingerprint())
	}
}
