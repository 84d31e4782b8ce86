package report_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/internal/msg"
	"tinnhiem/tally"
	"tinnhiem/tally/report"
	"tinnhiem/web"
)

const actor = "test:organiser"

// Cadres of the fixture; the second name is typed decomposed (NFD), as a
// Mac keyboard may send it, and must come out of every PDF in NFC.
var fixtureCadres = []ballot.Cadre{
	{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư Đảng ủy"},
	{ID: "c2", Name: "Trần Thị Bích Ngọc", Position: "Phó Bí thư Thường trực"},
	{ID: "c3", Name: "=HYPERLINK(\"x\") Lê Hoàng Long", Position: "Trưởng Ban Tổ chức"},
}

// fixtureVotes are the marks cast, one string per ballot: c1 gets 5 high,
// 2 normal and 3 low of 10 ballots, so its bars are 50%, 20% and 30% long.
var fixtureVotes = []string{
	"HLH", "HLH", "HLH", "HLH", "HLN",
	"NLL", "NLL", "LLL", "LL-", "LHX",
}

type fixture struct {
	ctx    context.Context
	svc    *ballot.Service
	id     string
	signer *report.CertSigner
}

// newFixture runs a vote on a real SQLite file up to the point of the tally:
// roster, cadres, committee (unless noCommittee), cards, opening, ballots.
// It leaves the session open.
func newFixture(t *testing.T, noCommittee bool) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "vote.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	key, err := audit.GenerateKey(rand.Reader, "tinnhiem")
	if err != nil {
		t.Fatal(err)
	}
	svc := ballot.NewService(store, key, nil, nil)
	sess, err := svc.CreateSession(ctx, actor, ballot.NewSession{
		Title: "Hội nghị lấy phiếu tín nhiệm năm 2026", Body: "Ban Chấp hành Đảng bộ Khối",
		Date: "2026-11-22", Place: "Hội trường A", Rules: ballot.QD96,
	})
	if err != nil {
		t.Fatal(err)
	}
	var members []ballot.Member
	for i := range 12 {
		members = append(members, ballot.Member{Name: fmt.Sprintf("Đại biểu %02d", i+1), Position: "Ủy viên"})
	}
	must(t, svc.ImportRoster(ctx, actor, sess.ID, members))
	cadres := append([]ballot.Cadre(nil), fixtureCadres...)
	cadres[1].Name = "Trần Thị Bi\u0301ch Ngo\u0323c" // NFD
	must(t, svc.ImportCadres(ctx, actor, sess.ID, cadres))
	if !noCommittee {
		must(t, svc.SetCommittee(ctx, actor, sess.ID, []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng"}))
	}
	if _, err := svc.CheckIn(ctx, actor, sess.ID, nil, true); err != nil {
		t.Fatal(err)
	}
	var tokens []string
	must(t, svc.IssueTokens(ctx, actor, sess.ID, 12, func(ts []string) error { tokens = ts; return nil }))
	must(t, svc.Open(ctx, actor, sess.ID, false, ""))
	levels := map[byte][]ballot.Level{'H': {ballot.High}, 'N': {ballot.Normal}, 'L': {ballot.Low}, '-': nil, 'X': {ballot.High, ballot.Low}}
	for i, marks := range fixtureVotes {
		choices := map[string][]ballot.Level{}
		for j := range marks {
			choices[fixtureCadres[j].ID] = levels[marks[j]]
		}
		if _, err := svc.Cast(ctx, tokens[i], choices); err != nil {
			t.Fatalf("cast %d: %v", i, err)
		}
	}
	signer, err := report.NewSelfSigned(rand.Reader, "Ban Chấp hành Đảng bộ Khối", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{ctx: ctx, svc: svc, id: sess.ID, signer: signer}
}

// issuedDocs is what one issue of the fixture's documents gave.
type issuedDocs struct {
	Counted     bool
	TallySeq    uint64
	Result      tally.Result
	Checkpoint  string
	Fingerprint string
	Documents   []ballot.Document
}

// issue tallies and issues the fixture's documents the way the console and
// the CLI do.
func (f *fixture) issue() (*issuedDocs, error) {
	rec, docs, err := web.IssueReports(f.ctx, f.svc, actor, f.id, f.signer)
	if err != nil {
		return nil, err
	}
	return &issuedDocs{Counted: rec.Counted, TallySeq: rec.Seq, Result: rec.Result, Checkpoint: rec.Checkpoint,
		Fingerprint: rec.Fingerprint, Documents: docs}, nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// count returns how many entries of type typ the session's log holds.
func (f *fixture) count(t *testing.T, typ audit.Type) int {
	t.Helper()
	entries, _, err := f.svc.Log(f.ctx, f.id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestIssueOnlyAfterClose(t *testing.T) {
	f := newFixture(t, false)
	_, err := f.issue()
	// The sentence is the catalog's, as the console and the CLI show it.
	if _, en, _ := msg.Render(err); err == nil || !strings.Contains(en, "close the session first") {
		t.Fatalf("Issue before close: got %v, want an error saying to close the session first", err)
	}
	if n := f.count(t, audit.TallyComputed); n != 0 {
		t.Fatalf("TallyComputed entries after a refused tally: got %d, want 0", n)
	}
}

func TestIssueNeedsCommittee(t *testing.T) {
	f := newFixture(t, true)
	must(t, f.svc.Close(f.ctx, actor, f.id))
	_, err := f.issue()
	var be *ballot.Error
	if !errors.As(err, &be) || be.Key != "no_committee" {
		t.Fatalf("Issue without a committee: got %v, want no_committee", err)
	}
	if n := f.count(t, audit.TallyComputed); n != 0 {
		t.Fatalf("TallyComputed entries: got %d, want 0", n)
	}
}

func TestIssueTalliesOnce(t *testing.T) {
	f := newFixture(t, false)
	must(t, f.svc.Close(f.ctx, actor, f.id))
	first, err := f.issue()
	if err != nil {
		t.Fatal(err)
	}
	if !first.Counted {
		t.Fatalf("first Issue: Counted = false, want true")
	}
	second, err := f.issue()
	if err != nil {
		t.Fatal(err)
	}
	if second.Counted {
		t.Fatalf("second Issue: Counted = true, want false (re-rendered from the log)")
	}
	if got, want := f.count(t, audit.TallyComputed), 1; got != want {
		t.Fatalf("TallyComputed entries: got %d, want %d", got, want)
	}
	if got, want := f.count(t, audit.ReportIssued), 2; got != want {
		t.Fatalf("ReportIssued entries: got %d, want %d", got, want)
	}
	if !tally.Equal(first.Result, second.Result) || second.TallySeq != first.TallySeq || second.Checkpoint != first.Checkpoint {
		t.Fatalf("the second Issue shows another tally or checkpoint")
	}
	c1 := first.Result.Cadres[0]
	if got, want := c1.Counts, [3]int{5, 2, 3}; got != want {
		t.Fatalf("c1 counts: got %v, want %v", got, want)
	}
	if got, want := first.Result.Cadres[2].Invalid, 2; got != want {
		t.Fatalf("c3 invalid: got %d, want %d", got, want)
	}
	sess, err := f.svc.Session(f.ctx, f.id)
	if err != nil || sess.State != ballot.Tallied {
		t.Fatalf("session state after tally: got %v, %v; want tallied", sess.State, err)
	}

	// The store holds the last issue's documents, and the log their hashes.
	stored, err := f.svc.Documents(f.ctx, f.id)
	must(t, err)
	wantNames := []string{"bao-cao-c1.pdf", "bao-cao-c2.pdf", "bao-cao-c3.pdf", "bien-ban-kiem-phieu.pdf", "results.csv", "results.json"}
	if len(stored) != len(wantNames) {
		t.Fatalf("stored documents: got %d, want %d", len(stored), len(wantNames))
	}
	entries, _, _ := f.svc.Log(f.ctx, f.id)
	last := entries[len(entries)-1]
	if last.Type != audit.ReportIssued {
		t.Fatalf("last entry: got %s, want ReportIssued", last.Type)
	}
	logged := map[string]audit.Hash{}
	for _, d := range mustReportData(t, last).Documents {
		logged[d.Name] = d.SHA256
	}
	for _, d := range second.Documents {
		if logged[d.Name] != audit.Sum(d.Data) {
			t.Errorf("%s: logged hash differs from the document's", d.Name)
		}
		if err := audit.VerifyDetached(f.svc.Key().PublicKey(), d.Data, d.Signature); err != nil {
			t.Errorf("%s: detached signature: %v", d.Name, err)
		}
		// Every signed PDF names its session and itself, once.
		if strings.HasSuffix(d.Name, ".pdf") && (bytes.Count(d.Data, audit.PDFKeywordsPrefix) != 1 || !bytes.Contains(d.Data, audit.PDFKeywords(f.id, d.Name))) {
			t.Errorf("%s: the PDF does not carry %s once", d.Name, audit.PDFKeywords(f.id, d.Name))
		}
	}
	for i, name := range wantNames {
		if second.Documents[i].Name != name {
			t.Errorf("document %d: got %s, want %s", i, second.Documents[i].Name, name)
		}
	}
	// The checkpoint printed on the documents is signed and commits to the
	// TallyComputed entry.
	c, _, err := audit.OpenCheckpoint([]byte(first.Checkpoint), note.VerifierList(f.svc.Key().Verifier()))
	if err != nil || c.Size != first.TallySeq {
		t.Fatalf("printed checkpoint: size %d, %v; want a valid signature at entry %d", c.Size, err, first.TallySeq)
	}
}

func mustReportData(t *testing.T, e audit.Entry) audit.ReportIssuedData {
	t.Helper()
	var d audit.ReportIssuedData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		t.Fatalf("ReportIssued data: %v", err)
	}
	return d
}
