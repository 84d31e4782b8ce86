package ballot_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/verify"
)

// TestMemberLinks issues the committee's links of an encrypted session
// over a real SQLite file: each code opens its own trustee, only hashes
// reach the log, a re-issued link voids the old one and no other, a wrong
// or foreign code gets the one not-found answer and logs nothing, a clear
// session has no links, and the verifier accepts the log and reports the
// member page's assets.
func TestMemberLinks(t *testing.T) {
	f := newEncFixture(t)
	f.svc.MemberAssets = strings.Repeat("cd", 32)
	links, err := f.svc.IssueMemberLinks(f.ctx, actor, f.id)
	f.ok(err)
	if len(links) != 3 {
		t.Fatalf("%d links for a committee of 3", len(links))
	}
	for i, l := range links {
		if l.Trustee != i+1 || l.Name == "" || len(l.Code) != 32 {
			t.Errorf("link %d = %+v", i, l)
		}
		m, err := f.svc.Member(f.ctx, f.id, strings.ToLower(ballot.FormatCode(l.Code)))
		f.ok(err)
		if m.Trustee != l.Trustee || m.Name != l.Name || m.Session != f.id {
			t.Errorf("code of trustee %d opens %+v", l.Trustee, m)
		}
	}
	entries, _, err := f.svc.Log(f.ctx, f.id)
	f.ok(err)
	last := entries[len(entries)-1]
	if last.Type != audit.MemberLinksIssued {
		t.Fatalf("last entry %s, want MemberLinksIssued", last.Type)
	}
	var d audit.MemberLinksData
	f.ok(json.Unmarshal(last.Data, &d))
	if d.Assets != f.svc.MemberAssets || len(d.Links) != 3 || d.Links[1].Hash != ballot.HashToken(links[1].Code) {
		t.Errorf("MemberLinksIssued = %s", last.Data)
	}
	for _, l := range links {
		if strings.Contains(string(last.Data), l.Code) {
			t.Errorf("the log holds trustee %d's code", l.Trustee)
		}
	}

	// A lost phone: trustee 2 gets a new link, the old one stops working,
	// the others keep theirs.
	n := len(entries)
	again, err := f.svc.IssueMemberLink(f.ctx, actor, f.id, 2)
	f.ok(err)
	if _, err := f.svc.Member(f.ctx, f.id, links[1].Code); ballot.ErrorCode(err) != ballot.ENotFound {
		t.Errorf("the replaced link still opens: %v", err)
	}
	if m, err := f.svc.Member(f.ctx, f.id, again.Code); err != nil || m.Trustee != 2 {
		t.Errorf("the new link opens %+v, %v", m, err)
	}
	if m, err := f.svc.Member(f.ctx, f.id, links[2].Code); err != nil || m.Trustee != 3 {
		t.Errorf("trustee 3's link after trustee 2's re-issue opens %+v, %v", m, err)
	}
	st, err := f.svc.MemberLinks(f.ctx, f.id)
	f.ok(err)
	if !st.Issued[1] || !st.Issued[3] || st.Reissued[2] != 1 || st.Assets != f.svc.MemberAssets {
		t.Errorf("status %+v", st)
	}

	// What opens nothing, and logs nothing.
	for _, tc := range []struct{ session, code string }{
		{f.id, links[1].Code},           // replaced
		{f.id, strings.Repeat("A", 32)}, // well-formed, never issued
		{f.id, "not a code"},
		{"no-such-session", links[0].Code},
	} {
		_, err := f.svc.Member(f.ctx, tc.session, tc.code)
		var e *ballot.Error
		if !errors.As(err, &e) || e.Key != "member_link_unknown" {
			t.Errorf("Member(%q, %q) = %v, want member_link_unknown", tc.session, tc.code, err)
		}
	}
	for _, i := range []int{0, 4} {
		if _, err := f.svc.IssueMemberLink(f.ctx, actor, f.id, i); ballot.ErrorCode(err) != ballot.EInvalid {
			t.Errorf("re-issue for trustee %d: %v", i, err)
		}
	}
	entries, _, err = f.svc.Log(f.ctx, f.id)
	f.ok(err)
	if len(entries) != n+1 {
		t.Errorf("%d entries after one re-issue and refusals, want %d", len(entries), n+1)
	}

	rep, err := verify.Log(entries)
	f.ok(err)
	if len(rep.MemberAssets) != 1 || rep.MemberAssets[0] != f.svc.MemberAssets {
		t.Errorf("the verifier reports member assets %v", rep.MemberAssets)
	}

	clear, err := f.svc.CreateSession(f.ctx, actor, ballot.NewSession{Title: "Hội nghị", Body: "Đảng ủy", Date: "2026-11-22", Place: "Hà Nội"})
	f.ok(err)
	if _, err := f.svc.IssueMemberLinks(f.ctx, actor, clear.ID); err != ballot.ErrNotEncrypted {
		t.Errorf("links of a clear session: %v", err)
	}
}
