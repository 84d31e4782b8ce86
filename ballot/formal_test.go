package ballot_test

import (
	"encoding/json"
	"errors"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// TestCreateFormalSession checks how a session kind becomes a rule set: a
// formal vote takes its regulation's formal rule set and logs
// "kind":"formal" with a box of two options; QĐ96 and Party bodies have no
// formal vote, so asking for one is refused and logs nothing; an unknown
// kind is refused too.
func TestCreateFormalSession(t *testing.T) {
	f := newSvcFixture(t, 3)
	for _, tt := range []struct {
		in        ballot.NewSession
		wantRules ballot.Rules
		wantBody  string
	}{
		{ballot.NewSession{Kind: ballot.Formal, Encrypted: true}, ballot.NQ96BPT, audit.BodyCouncil},
		{ballot.NewSession{Kind: ballot.Formal, Rules: ballot.NQ85, BodyKind: audit.BodyAssembly}, ballot.NQ85BPT, audit.BodyAssembly},
		{ballot.NewSession{Rules: ballot.NQ96BPT}, ballot.NQ96BPT, audit.BodyCouncil},
	} {
		in := tt.in
		in.Title, in.Body, in.Date, in.Place = "Kỳ họp", "Hội đồng nhân dân tỉnh", "2026-12-09", "Hội trường"
		sess, err := f.svc.CreateSession(f.ctx, actor, in)
		if err != nil {
			t.Fatalf("%+v: %v", tt.in, err)
		}
		if sess.Rules != tt.wantRules || sess.Kind() != ballot.Formal {
			t.Errorf("%+v: rules %s kind %s, want %s formal", tt.in, sess.Rules, sess.Kind(), tt.wantRules)
		}
		entries, _, err := f.svc.Log(f.ctx, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		var d audit.SessionCreatedData
		if err := json.Unmarshal(entries[0].Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.Kind != "formal" || d.Rules != string(tt.wantRules) || d.BodyKind != tt.wantBody {
			t.Errorf("%+v: SessionCreated kind %q rules %q body %q", tt.in, d.Kind, d.Rules, d.BodyKind)
		}
		if in.Encrypted && (d.Box == nil || d.Box.Options != ballot.FormalOptions) {
			t.Errorf("%+v: box %+v, want 2 options", tt.in, d.Box)
		}
	}
	before, err := f.svc.Sessions(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []ballot.NewSession{
		{Kind: ballot.Formal, Rules: ballot.QD96},
		{Kind: ballot.Formal, Rules: ballot.NQ96, BodyKind: audit.BodyParty},
		{Rules: ballot.NQ96BPT, BodyKind: audit.BodyParty},
	} {
		in.Title, in.Body, in.Date, in.Place = "Hội nghị", "Đảng ủy", "2026-12-09", "Hội trường"
		_, err := f.svc.CreateSession(f.ctx, actor, in)
		var be *ballot.Error
		if !errors.As(err, &be) || be.Key != "session_formal_party" {
			t.Errorf("%+v: %v, want session_formal_party", in, err)
		}
	}
	_, err = f.svc.CreateSession(f.ctx, actor, ballot.NewSession{Title: "T", Body: "B", Date: "2026-12-09", Place: "P", Kind: "bo-phieu"})
	var be *ballot.Error
	if !errors.As(err, &be) || be.Key != "session_kind" {
		t.Errorf("an unknown kind: %v, want session_kind", err)
	}
	if after, _ := f.svc.Sessions(f.ctx); len(after) != len(before) {
		t.Errorf("refused sessions were created: %d, were %d", len(after), len(before))
	}
}
