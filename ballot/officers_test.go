package ballot_test

import (
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/verify"
)

// TestCheckOutDuringVote records a departure during the vote: attendance
// drops, the log says who left, and the replay counts the members present
// at close and those who arrived and left while the vote was open.
func TestCheckOutDuringVote(t *testing.T) {
	f := newSvcFixture(t, 6)
	f.checkIn(5)
	f.issue(5)
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	if _, err := f.svc.CheckIn(f.ctx, actor, f.id, []string{"Thành viên 06"}, false); err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.CheckOut(f.ctx, actor, f.id, []string{"Thành viên 01", "Thành viên 02"})
	f.ok(err)
	if a.Present != 4 || a.Summoned != 6 {
		t.Fatalf("attendance after two departures = %+v, want 4 of 6", a)
	}
	// Refused: absent, unknown, nobody; nothing is logged.
	size := f.logSize()
	for _, names := range [][]string{{"Thành viên 01"}, {"Thành viên 03", "Người Lạ"}, {" "}, nil} {
		if _, err := f.svc.CheckOut(f.ctx, actor, f.id, names); err == nil {
			t.Errorf("CheckOut(%q) succeeded", names)
		}
	}
	if got, _ := f.svc.Attendance(f.ctx, f.id); got.Present != 4 {
		t.Errorf("refused departures changed attendance: %d present, want 4", got.Present)
	}
	if f.logSize() != size {
		t.Errorf("refused departures were logged: %d entries, want %d", f.logSize(), size)
	}
	f.ok(f.svc.Close(f.ctx, actor, f.id))
	if _, err := f.svc.CheckOut(f.ctx, actor, f.id, []string{"Thành viên 03"}); ballot.ErrorCode(err) != ballot.ErrorCode(ballot.ErrClosed) {
		t.Errorf("CheckOut after close = %v, want the session closed", err)
	}
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	r, err := verify.ReplayLog(entries)
	f.ok(err)
	p := r.Proceedings
	if p.PresentAtClose != 4 || len(p.Arrived) != 1 || p.Arrived[0] != "Thành viên 06" || len(p.Left) != 2 || r.Opened.Present != 5 {
		t.Errorf("replayed attendance: at open %d, at close %d, arrived %q, left %q; want 5, 4, [Thành viên 06], [01 02]",
			r.Opened.Present, p.PresentAtClose, p.Arrived, p.Left)
	}
	if p.OpenedAt.IsZero() || p.ClosedAt.Before(p.OpenedAt) || p.CardsIssued != 5 {
		t.Errorf("replayed times or cards: %+v", p)
	}
}

// TestOfficers names the committee's head and the meeting's officers; a
// head who is not on the committee is refused, and naming the committee
// again keeps the chair and secretary.
func TestOfficers(t *testing.T) {
	f := newSvcFixture(t, 3)
	committee := []string{"Ngô Thị Mỹ Duyên", "Dương Văn Hùng"}
	size := f.logSize()
	if err := f.svc.SetOfficers(f.ctx, actor, f.id, ballot.Officers{Committee: committee, Head: "Người Khác"}); ballot.ErrorCode(err) != ballot.EInvalid {
		t.Fatalf("a head outside the committee = %v, want invalid", err)
	}
	if f.logSize() != size {
		t.Fatalf("the refused committee was logged")
	}
	f.ok(f.svc.SetOfficers(f.ctx, actor, f.id, ballot.Officers{Committee: committee, Head: "Dương Văn Hùng", Chair: "Lê Văn Chủ", Secretary: "Mai Thị Ký"}))
	f.ok(f.svc.SetCommittee(f.ctx, actor, f.id, []string{"Dương Văn Hùng", "Phan Thanh Bình"}))
	sess, err := f.svc.Session(f.ctx, f.id)
	f.ok(err)
	if sess.CommitteeHead != "Dương Văn Hùng" || sess.Chair != "Lê Văn Chủ" || sess.Secretary != "Mai Thị Ký" {
		t.Errorf("session officers = %q, %q, %q", sess.CommitteeHead, sess.Chair, sess.Secretary)
	}
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	var last audit.CommitteeSetData
	f.ok(entries[len(entries)-1].Decode(&last))
	if last.Head != "Dương Văn Hùng" || last.Chair != "Lê Văn Chủ" || last.Secretary != "Mai Thị Ký" {
		t.Errorf("last CommitteeSet = %+v", last)
	}
	// Without a head, the first named heads the committee.
	f.ok(f.svc.SetCommittee(f.ctx, actor, f.id, []string{"Phan Thanh Bình", "Lý Thị Hoa"}))
	if sess, _ := f.svc.Session(f.ctx, f.id); sess.CommitteeHead != "Phan Thanh Bình" {
		t.Errorf("default head = %q, want the first named", sess.CommitteeHead)
	}
}

// TestBodyKind fixes the documents' form at creation: the rule set's by
// default, the one given otherwise; an unknown one or a silly number of
// copies is refused.
func TestBodyKind(t *testing.T) {
	f := newSvcFixture(t, 1)
	for _, c := range []struct {
		rules ballot.Rules
		kind  string
		want  string
	}{{ballot.QD96, "", "dang"}, {ballot.NQ96, "", "hdnd"}, {ballot.NQ85, "", "hdnd"}, {ballot.NQ96, "QuocHoi", "quochoi"}, {ballot.QD96, "nhanuoc", "nhanuoc"}} {
		sess, err := f.svc.CreateSession(f.ctx, actor, ballot.NewSession{Title: "T", Body: "B", Date: "2026-01-02", Place: "P", Rules: c.rules, BodyKind: c.kind})
		f.ok(err)
		entries, _, err := f.svc.Log(f.ctx, sess.ID)
		f.ok(err)
		var d audit.SessionCreatedData
		f.ok(entries[0].Decode(&d))
		if d.BodyKind != c.want {
			t.Errorf("%s, %q: body kind %q, want %q", c.rules, c.kind, d.BodyKind, c.want)
		}
	}
	for _, in := range []ballot.NewSession{
		{Title: "T", Body: "B", Date: "2026-01-02", Place: "P", BodyKind: "uyban"},
		{Title: "T", Body: "B", Date: "2026-01-02", Place: "P", Copies: -1},
		{Title: "T", Body: "B", Date: "2026-01-02", Place: "P", Copies: ballot.MaxCopies + 1},
	} {
		if _, err := f.svc.CreateSession(f.ctx, actor, in); ballot.ErrorCode(err) != ballot.EInvalid {
			t.Errorf("CreateSession(%+v) = %v, want invalid", in, err)
		}
	}
}
