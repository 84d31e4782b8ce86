package verify_test

import (
	"errors"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/verify"
)

// TestReplayRefusesBadProceedings changes the fixture's log one way at a
// time, rechains it, and checks that the replay names the bad entry: a
// departure of a member who is not present, a committee head who is not on
// the committee, an unknown body kind, a negative number of copies.
func TestReplayRefusesBadProceedings(t *testing.T) {
	f := newFixture(t)
	opened := index(f.bundle.Entries, audit.SessionOpened)
	checkout := func(es []audit.Entry, members []string, present int) []audit.Entry {
		e := es[opened]
		e.Type = audit.CheckedOut
		setData(t, &e, audit.CheckedInData{Members: members, Present: present, Summoned: 6})
		return insert(es, opened+1, e)
	}
	for _, c := range []struct {
		name  string
		edit  func([]audit.Entry) ([]audit.Entry, int)
		error string
	}{
		{"departure of someone absent", func(es []audit.Entry) ([]audit.Entry, int) {
			return checkout(es, []string{"Người Lạ"}, 6), opened + 1
		}, "was not present"},
		{"departure with a wrong count", func(es []audit.Entry) ([]audit.Entry, int) {
			return checkout(es, []string{"Đại biểu 3"}, 6), opened + 1
		}, "CheckedOut says 6 of 6 present"},
		{"head outside the committee", func(es []audit.Entry) ([]audit.Entry, int) {
			i := index(es, audit.CommitteeSet)
			d := decode[audit.CommitteeSetData](t, &es[i])
			d.Head = "Người Lạ"
			setData(t, &es[i], d)
			return es, i
		}, "not one of its members"},
		{"unknown body kind", func(es []audit.Entry) ([]audit.Entry, int) {
			d := decode[audit.SessionCreatedData](t, &es[0])
			d.BodyKind = "uyban"
			setData(t, &es[0], d)
			return es, 0
		}, "unknown body kind"},
		{"negative copies", func(es []audit.Entry) ([]audit.Entry, int) {
			d := decode[audit.SessionCreatedData](t, &es[0])
			d.Copies = -2
			setData(t, &es[0], d)
			return es, 0
		}, "negative number of copies"},
	} {
		t.Run(c.name, func(t *testing.T) {
			es, bad := c.edit(f.entries())
			_, err := verify.ReplayLog(rechain(es))
			var ce *audit.ChainError
			if !errors.As(err, &ce) || ce.Seq != uint64(bad)+1 || !strings.Contains(err.Error(), c.error) {
				t.Fatalf("replay = %v, want entry %d: %q", err, bad+1, c.error)
			}
		})
	}
	// A departure during the vote that adds up is accepted and reported.
	r, err := verify.ReplayLog(rechain(checkout(f.entries(), []string{"Đại biểu 3"}, 5)))
	if err != nil {
		t.Fatal(err)
	}
	if p := r.Proceedings; len(p.Left) != 1 || p.Left[0] != "Đại biểu 3" || p.PresentAtClose != 5 || r.Opened.Present != 6 {
		t.Errorf("replayed departure: left %q, %d at close, %d at open; want [Đại biểu 3], 5, 6", p.Left, p.PresentAtClose, r.Opened.Present)
	}
}
