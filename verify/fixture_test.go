package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/tally"
	"tinnhiem/verify"
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
// tally, and two signed documents.
type fixture struct {
	svc       *ballot.Service
	key       *audit.Key // the installation's
	inspector *audit.Key
	id        string
	tokens    []string // the cards that voted
	bundle    *audit.Bundle
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
	cosigned, err := verify.Cosign(cps[0].Note, f.inspector)
	ok(err)
	ok(f.svc.Record(ctx, actor, f.id, audit.CosignatureAdded, audit.CosignatureData{
		Name: f.inspector.Name(), Key: f.inspector.VerifierKey(), Size: cps[0].Size, Note: string(cosigned)}, nil))

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

	entries, _, err := f.svc.Log(ctx, f.id)
	ok(err)
	rep, err := verify.ReplayLog(entries)
	ok(err)
	res, err := rep.Count()
	ok(err)
	ok(f.svc.Record(ctx, actor, f.id, audit.TallyComputed, res, func(s *ballot.Session, tx ballot.Tx) error {
		s.State = ballot.Tallied
		return tx.UpdateSession(s)
	}))
	var csv, js bytes.Buffer
	ok(tally.WriteCSV(&csv, res))
	ok(tally.WriteJSON(&js, res))
	docs := []ballot.Document{
		{Name: "results.csv", Data: csv.Bytes(), Signature: f.key.SignDetached(csv.Bytes(), "tinnhiem.pub")},
		{Name: "results.json", Data: js.Bytes(), Signature: f.key.SignDetached(js.Bytes(), "tinnhiem.pub")},
	}
	list := []audit.ReportDocument{{Name: "results.csv", SHA256: audit.Sum(csv.Bytes())}, {Name: "results.json", SHA256: audit.Sum(js.Bytes())}}
	ok(f.svc.Record(ctx, actor, f.id, audit.ReportIssued, audit.ReportIssuedData{Documents: list}, func(s *ballot.Session, tx ballot.Tx) error {
		for _, d := range docs {
			if err := tx.PutDocument(s.ID, d); err != nil {
				return err
			}
		}
		return nil
	}))
	f.bundle, err = f.svc.Bundle(ctx, f.id)
	ok(err)
	return f
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
		if c.Status != verify.StatusOK {
			t.Errorf("check %s = %s (entry %d: %s), want ok", c.ID, c.Status, c.Entry, c.Detail)
		}
	}
	if len(rep.Cosigners) != 1 || rep.Cosigners[0].Name != "thanh-tra" {
		t.Errorf("cosigners = %+v, want the inspector thanh-tra", rep.Cosigners)
	}
	if !rep.KeyPinned || rep.Fingerprint != f.key.Fingerprint() {
		t.Errorf("key pinned %v, fingerprint %s; want pinned %s", rep.KeyPinned, rep.Fingerprint, f.key.Fingerprint())
	}
}
