package report_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/sqlite"
	"tinnhiem/ballot/storetest"
	"tinnhiem/tally/report"
	"tinnhiem/verify"
	"tinnhiem/web"
)

// faultyFixture is a closed session on a real SQLite file behind a
// storetest.Faulty, ready to be tallied.
type faultyFixture struct {
	ctx    context.Context
	f      *storetest.Faulty
	svc    *ballot.Service
	id     string
	signer *report.CertSigner
}

func newFaultyFixture(t *testing.T, signer *report.CertSigner) *faultyFixture {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "vote.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := storetest.NewFaulty(store)
	t.Cleanup(func() { f.Close() })
	key, err := audit.GenerateKey(rand.Reader, "tinnhiem")
	if err != nil {
		t.Fatal(err)
	}
	svc := ballot.NewService(f, key, nil, nil)
	sess, err := svc.CreateSession(ctx, actor, ballot.NewSession{Title: "Hội nghị lấy phiếu tín nhiệm", Body: "Đảng ủy xã",
		Date: "2026-11-22", Place: "Nhà văn hóa xã"})
	must(t, err)
	members := []ballot.Member{{Name: "Khúc Thị Duyên"}, {Name: "Nông Văn Thào"}, {Name: "Bế Thị Lụa"}}
	must(t, svc.ImportRoster(ctx, actor, sess.ID, members))
	must(t, svc.ImportCadres(ctx, actor, sess.ID, []ballot.Cadre{{ID: "c1", Name: "Khúc Thị Duyên", Position: "Bí thư Đảng ủy"}}))
	must(t, svc.SetCommittee(ctx, actor, sess.ID, []string{"Nông Văn Thào", "Bế Thị Lụa"}))
	_, err = svc.CheckIn(ctx, actor, sess.ID, nil, true)
	must(t, err)
	var cards []string
	must(t, svc.IssueTokens(ctx, actor, sess.ID, 3, func(ts []string) error { cards = ts; return nil }))
	must(t, svc.Open(ctx, actor, sess.ID, false, ""))
	for i, level := range []ballot.Level{ballot.High, ballot.Low} {
		if _, err := svc.Cast(ctx, cards[i], map[string][]ballot.Level{"c1": {level}}); err != nil {
			t.Fatalf("cast %d: %v", i, err)
		}
	}
	must(t, svc.Close(ctx, actor, sess.ID))
	return &faultyFixture{ctx: ctx, f: f, svc: svc, id: sess.ID, signer: signer}
}

// issueState is what the store holds of the session: what a tally and an
// issue of reports may change.
type issueState struct {
	Session     *ballot.Session
	Entries     []audit.Entry
	Checkpoints []ballot.StoredCheckpoint
	Documents   []ballot.Document
}

func (x *faultyFixture) state(t *testing.T) issueState {
	t.Helper()
	var s issueState
	err := x.f.Inner().View(x.ctx, func(tx ballot.Tx) (err error) {
		if s.Session, err = tx.Session(x.id); err != nil {
			return err
		}
		if s.Entries, err = tx.AuditEntries(x.id, 1, 0); err != nil {
			return err
		}
		if s.Checkpoints, err = tx.Checkpoints(x.id); err != nil {
			return err
		}
		s.Documents, err = tx.Documents(x.id)
		return err
	})
	must(t, err)
	return s
}

func (s issueState) count(typ audit.Type) int {
	n := 0
	for _, e := range s.Entries {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// TestIssueFaults fails each write of web.IssueReports (the tally, then the
// documents) at its commit, persisted or not, and each of its store calls,
// for the first issue (which tallies) and for a re-issue. Whatever failed, the session is tallied at most once,
// a second Issue succeeds and the exported bundle passes every check.
func TestIssueFaults(t *testing.T) {
	signer, err := report.NewSelfSigned(rand.Reader, "Đảng ủy xã", time.Now())
	must(t, err)
	for _, step := range []struct {
		name    string
		reissue bool // the session is tallied already
	}{
		{name: "Tally"},
		{name: "Reissue", reissue: true},
	} {
		prepare := func(t *testing.T) *faultyFixture {
			x := newFaultyFixture(t, signer)
			if step.reissue {
				if _, err := x.issue(); err != nil {
					t.Fatalf("first Issue: %v", err)
				}
			}
			return x
		}
		t.Run(step.name, func(t *testing.T) {
			x := prepare(t)
			x.f.Reset()
			if _, err := x.issue(); err != nil {
				t.Fatalf("Issue without faults: %v", err)
			}
			writes, calls := x.f.Counts()
			t.Logf("%s: %d writes, %d calls", step.name, writes, calls)
			for _, fault := range []storetest.Fault{storetest.FailNotPersist, storetest.FailButPersist, storetest.FailCall} {
				n := writes
				if fault == storetest.FailCall {
					n = calls
				}
				for at := 1; at <= n; at++ {
					t.Run(fmt.Sprintf("%s-%d", fault, at), func(t *testing.T) {
						t.Parallel()
						x := prepare(t)
						issueWithFault(t, x, fault, at, step.reissue)
					})
				}
			}
		})
	}
}

func issueWithFault(t *testing.T, x *faultyFixture, fault storetest.Fault, at int, reissue bool) {
	before := x.state(t)
	x.f.Arm(fault, at)
	_, err := x.issue()
	fired, swallowed := x.f.Fired(), x.f.Swallowed()
	x.f.Reset()
	if fired == "" {
		t.Fatalf("Issue never reached %s at position %d", fault, at)
	}
	if !errors.Is(err, storetest.ErrInjected) {
		t.Errorf("Issue with %s at %s = %v, want the injected failure", fault, fired, err)
	}
	if len(swallowed) > 0 {
		t.Errorf("Issue carried on after a failed %v", swallowed)
	}
	after := x.state(t)
	if fault != storetest.FailButPersist && !reflect.DeepEqual(before, after) {
		// The tally and the documents are two transactions: a failure in
		// the second leaves the tally logged, the session tallied and no
		// document, which a second Issue completes.
		added := after.Entries[min(len(before.Entries), len(after.Entries)):]
		tallyOnly := !reissue && len(added) == 1 && added[0].Type == audit.TallyComputed &&
			reflect.DeepEqual(after.Entries[:len(before.Entries)], before.Entries) &&
			after.Session.State == ballot.Tallied && len(after.Documents) == 0
		if !tallyOnly {
			t.Errorf("nothing was persisted, yet the store changed: %d → %d entries, %d → %d documents",
				len(before.Entries), len(after.Entries), len(before.Documents), len(after.Documents))
		}
	}
	if err := x.svc.VerifyLogs(x.ctx); err != nil {
		t.Errorf("VerifyLogs after the fault: %v", err)
	}

	// The organiser runs the tally again: it succeeds, counts only if no
	// tally was logged, and never logs a second one.
	tallied := after.count(audit.TallyComputed) == 1
	again, err := x.issue()
	if err != nil {
		t.Fatalf("Issue again after %s at %s: %v", fault, fired, err)
	}
	if again.Counted == tallied {
		t.Errorf("Issue again: Counted = %v with a tally already logged = %v", again.Counted, tallied)
	}
	final := x.state(t)
	if n := final.count(audit.TallyComputed); n != 1 {
		t.Errorf("%d TallyComputed entries, want exactly 1", n)
	}
	if final.Session.State != ballot.Tallied {
		t.Errorf("session state %s, want tallied", final.Session.State)
	}
	if got, want := final.count(audit.ReportIssued), after.count(audit.ReportIssued)+1; got != want {
		t.Errorf("%d ReportIssued entries, want %d", got, want)
	}
	if reissue && again.Counted {
		t.Errorf("a re-issue counted the ballots again")
	}
	b, err := x.svc.Bundle(x.ctx, x.id)
	must(t, err)
	rep := verify.Bundle(b, verify.Options{Key: x.svc.Key().PublicKey()})
	if c := rep.FirstFailure(); c != nil {
		t.Errorf("the bundle fails check %s at entry %d: %s", c.ID, c.Entry, c.Detail)
	}
	if c := rep.Check(verify.CheckDocumentsPresent); c == nil || c.Status != verify.StatusOK {
		t.Errorf("documents-present: %+v, want ok", c)
	}
}

// issue tallies and issues the documents as the console and the CLI do.
func (x *faultyFixture) issue() (*ballot.TallyRecord, error) {
	rec, _, err := web.IssueReports(x.ctx, x.svc, actor, x.id, x.signer)
	return rec, err
}
