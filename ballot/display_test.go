package ballot_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/tally"
	"tinnhiem/verify"
)

// TestDisplay follows the projector through a session: the display code opens the view and is logged only as
// its SHA-256; a new code replaces the old one; attendance and the number of ballots follow the session live;
// there is no result before the tally and exactly the logged one after it; the log still replays.
func TestDisplay(t *testing.T) {
	f := newSvcFixture(t, 6)
	if _, err := f.svc.Display(f.ctx, f.id, "AAAA-AAAA-AAAA-AAAA-AAAA"); err != ballot.ErrDisplayUnknown {
		t.Fatalf("before any code: %v", err)
	}
	first, err := f.svc.IssueDisplayCode(f.ctx, actor, f.id)
	f.ok(err)
	code, err := f.svc.IssueDisplayCode(f.ctx, actor, f.id)
	f.ok(err)
	if len(code) != 20 || code == first {
		t.Fatalf("codes %q then %q", first, code)
	}
	for _, bad := range []string{first, "", "x", strings.Repeat("A", 20), code[:19]} {
		if _, err := f.svc.Display(f.ctx, f.id, bad); err != ballot.ErrDisplayUnknown {
			t.Errorf("code %q: %v, want ErrDisplayUnknown", bad, err)
		}
	}
	if _, err := f.svc.Display(f.ctx, "no-such-session", code); err != ballot.ErrDisplayUnknown {
		t.Errorf("unknown session: %v", err)
	}
	v, err := f.svc.Display(f.ctx, f.id, strings.ToLower(ballot.FormatDisplayCode(code)))
	f.ok(err)
	if v.Session.Title != "Hội nghị" || v.Attendance.Summoned != 6 || v.Attendance.Present != 0 || v.Received != 0 || v.Result != nil {
		t.Fatalf("draft view %+v", v)
	}
	f.checkIn(5)
	tokens := f.issue(5)
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	for i := range 3 {
		_, err := f.svc.Cast(f.ctx, tokens[i], map[string][]ballot.Level{"c1": {ballot.Low}, "c2": {ballot.High}, "c3": {ballot.Normal}})
		f.ok(err)
	}
	v, err = f.svc.Display(f.ctx, f.id, code)
	f.ok(err)
	if v.Attendance.Present != 5 || !v.Attendance.QuorumMet() || v.Received != 3 || v.Result != nil {
		t.Fatalf("open view %+v", v)
	}
	f.ok(f.svc.Close(f.ctx, actor, f.id))
	if v, err = f.svc.Display(f.ctx, f.id, code); err != nil || v.Result != nil || v.Received != 3 {
		t.Fatalf("closed, not tallied: %+v, %v", v, err)
	}
	f.ok(f.svc.SetCommittee(f.ctx, actor, f.id, []string{"Thành viên 01", "Thành viên 02"}))
	rec, err := f.svc.Tally(f.ctx, actor, f.id)
	f.ok(err)
	// Re-issued after the tally: the new code sees the result, the old one nothing.
	after, err := f.svc.IssueDisplayCode(f.ctx, actor, f.id)
	f.ok(err)
	if _, err := f.svc.Display(f.ctx, f.id, code); err != ballot.ErrDisplayUnknown {
		t.Errorf("replaced code after the tally: %v", err)
	}
	v, err = f.svc.Display(f.ctx, f.id, after)
	f.ok(err)
	if v.Result == nil || !tally.Equal(*v.Result, rec.Result) || v.Result.Cadres[0].Counts != [3]int{0, 0, 3} {
		t.Fatalf("tallied view %+v, logged %+v", v.Result, rec.Result)
	}

	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	var hashes []string
	for _, e := range entries {
		if e.Type == audit.DisplayCodeIssued {
			var d audit.DisplayCodeIssuedData
			f.ok(json.Unmarshal(e.Data, &d))
			hashes = append(hashes, d.Hash)
		}
		for _, c := range []string{first, code, after} {
			if strings.Contains(string(e.Data), c) {
				t.Fatalf("entry %d holds a display code", e.Seq)
			}
		}
	}
	want := func(c string) string { h := sha256.Sum256([]byte(c)); return hex.EncodeToString(h[:]) }
	if len(hashes) != 3 || hashes[0] != want(first) || hashes[1] != want(code) || hashes[2] != want(after) {
		t.Fatalf("logged hashes %q", hashes)
	}
	if _, err := verify.ReplayLog(entries); err != nil {
		t.Fatalf("the log with DisplayCodeIssued entries does not replay: %v", err)
	}
	f.ok(f.svc.VerifyLogs(f.ctx))
	// The exported bundle, DisplayCodeIssued entries and all, is VALID for the inspector.
	b, err := f.svc.Bundle(f.ctx, f.id)
	f.ok(err)
	if rep := verify.Bundle(b, verify.Options{}); !rep.OK() {
		t.Fatalf("the bundle does not verify: %+v", rep.FirstFailure())
	}
	// An entry that holds anything but a SHA-256 is refused by the replay.
	for i, e := range entries {
		if e.Type != audit.DisplayCodeIssued {
			continue
		}
		for _, bad := range []string{`{"hash":"` + code + `"}`, `{"hash":"` + strings.ToUpper(hashes[0]) + `"}`, `{"hash":"` + hashes[0] + `","code":"x"}`} {
			forged := append([]audit.Entry(nil), entries...)
			forged[i].Data = json.RawMessage(bad)
			if _, err := verify.ReplayLog(forged); err == nil || !strings.Contains(err.Error(), "DisplayCodeIssued") {
				t.Errorf("DisplayCodeIssued %s: %v", bad, err)
			}
		}
		break
	}
}
