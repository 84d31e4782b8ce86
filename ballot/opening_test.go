package ballot_test

import (
	"testing"

	"tinnhiem/ballot"
	"tinnhiem/internal/msg"
)

// TestOpeningExcess reads back what the log recorded at opening: revoked
// cards do not count, and check-ins after opening do not change it. The
// opening comes after more entries than Opening reads at a time.
func TestOpeningExcess(t *testing.T) {
	f := newSvcFixture(t, 3)
	for range 40 {
		f.checkIn(2)
	}
	cards := f.issue(4)
	f.ok(f.svc.RevokeToken(f.ctx, actor, f.id, cards[0], "thẻ hỏng"))
	if o, err := f.svc.Opening(f.ctx, f.id); err != nil || o != nil {
		t.Fatalf("Opening of a draft = %+v, %v; want nil", o, err)
	}
	f.ok(f.svc.Open(f.ctx, actor, f.id, false, ""))
	f.checkIn(3)
	o, err := f.svc.Opening(f.ctx, f.id)
	f.ok(err)
	if o == nil || o.Issued != 3 || o.Present != 2 || o.Summoned != 3 {
		t.Fatalf("Opening = %+v, want 3 cards not revoked, 2 present of 3", o)
	}
	x := ballot.OpeningExcess(*o)
	if vi, _ := msg.Text("card_excess", x.Args()); !x.Exceeded() || vi != "Cảnh báo: số thẻ đã phát (3) nhiều hơn số người có mặt (2)." {
		t.Errorf("excess = %+v, %q", x, vi)
	}
	if (ballot.CardExcess{Cards: 2, Present: 2}).Exceeded() {
		t.Errorf("two cards for two present exceed")
	}
}
