package storetest

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

func testCast(t *testing.T, s ballot.Store) {
	const id = "bo-phieu"
	hashes := setup(t, s, id, ballot.Open, 2)
	b := ballotFor(id, 0)
	session, err := s.Cast(ctx, hashes[0], b)
	if err != nil {
		t.Fatalf("Cast: %v", err)
	}
	if session != id {
		t.Errorf("Cast returned session %q, want %q", session, id)
	}
	if got := tokenState(t, s, hashes[0]); got != ballot.TokenUsed {
		t.Errorf("after Cast: token state %d, want used", got)
	}
	if got, want := ballots(t, s, id), []ballot.Ballot{b}; !equalLists(got, want) {
		t.Errorf("after Cast: Ballots() = %+v, want %+v", got, want)
	}
	if got := ballotCount(t, s, id); got != 1 {
		t.Errorf("after Cast: BallotCount() = %d, want 1", got)
	}
	if got := tokenState(t, s, hashes[1]); got != ballot.TokenIssued {
		t.Errorf("another token: state %d, want issued", got)
	}
}

// testCastRefused checks every reason to refuse a cast, and that a refused
// cast leaves the ballot pool and the token as they were.
func testCastRefused(t *testing.T, s ballot.Store) {
	tests := []struct {
		name    string
		state   ballot.State
		prepare func(t *testing.T, id string, h audit.Hash) // run while the session is open
		unknown bool                                        // cast a token that was never issued
		want    error
	}{
		{name: "draft", state: ballot.Draft, want: ballot.ErrNotOpen},
		{name: "closed", state: ballot.Closed, want: ballot.ErrClosed},
		{name: "tallied", state: ballot.Tallied, want: ballot.ErrClosed},
		{name: "unknown", state: ballot.Open, unknown: true, want: ballot.ErrTokenUnknown},
		{name: "used", state: ballot.Open, want: ballot.ErrTokenUsed, prepare: func(t *testing.T, id string, h audit.Hash) {
			if _, err := s.Cast(ctx, h, ballotFor(id, 1)); err != nil {
				t.Fatalf("first Cast: %v", err)
			}
		}},
		{name: "revoked", state: ballot.Open, want: ballot.ErrTokenRevoked, prepare: func(t *testing.T, id string, h audit.Hash) {
			update(t, s, func(tx ballot.Tx) error { return tx.RevokeToken(h) })
		}},
		{name: "used-and-closed", state: ballot.Closed, want: ballot.ErrClosed, prepare: func(t *testing.T, id string, h audit.Hash) {
			if _, err := s.Cast(ctx, h, ballotFor(id, 1)); err != nil {
				t.Fatalf("first Cast: %v", err)
			}
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := fmt.Sprintf("tu-choi-%d", i)
			h := setup(t, s, id, ballot.Open, 1)[0]
			if tc.prepare != nil {
				tc.prepare(t, id, h)
			}
			setState(t, s, id, tc.state)
			cast := h
			if tc.unknown {
				cast = tokenHash("never-issued", i)
			}
			stBefore, nBefore := tokenState(t, s, h), ballotCount(t, s, id)
			session, err := s.Cast(ctx, cast, ballotFor(id, 2))
			wantErr(t, "Cast", err, tc.want)
			if session != "" && err != nil {
				t.Errorf("a refused Cast returned session %q, want \"\"", session)
			}
			if got := tokenState(t, s, h); got != stBefore {
				t.Errorf("after a refused Cast: token state %d, want %d", got, stBefore)
			}
			if got := ballotCount(t, s, id); got != nBefore {
				t.Errorf("after a refused Cast: BallotCount() = %d, want %d", got, nBefore)
			}
		})
	}

	// A cast that fails after the token check (the ballot ID is already in
	// the pool) must leave its token issued, so that the card can vote again.
	t.Run("duplicate-ballot-id", func(t *testing.T) {
		const id = "trung-ma"
		hashes := setup(t, s, id, ballot.Open, 2)
		b := ballotFor(id, 0)
		if _, err := s.Cast(ctx, hashes[0], b); err != nil {
			t.Fatalf("first Cast: %v", err)
		}
		if _, err := s.Cast(ctx, hashes[1], ballot.Ballot{ID: b.ID, Marks: "LLL"}); err == nil {
			t.Errorf("Cast with a ballot ID already in the pool: got nil error, want one")
		}
		if got := tokenState(t, s, hashes[1]); got != ballot.TokenIssued {
			t.Errorf("after the failed Cast: token state %d, want issued", got)
		}
		if got, want := ballots(t, s, id), []ballot.Ballot{b}; !equalLists(got, want) {
			t.Errorf("after the failed Cast: Ballots() = %+v, want %+v", got, want)
		}
		if _, err := s.Cast(ctx, hashes[1], ballotFor(id, 1)); err != nil {
			t.Errorf("casting the card again with a fresh ballot: %v", err)
		}
	})
}

// testCastConcurrentOneToken is invariant 2 of DESIGN.md: of many
// simultaneous submissions of one card, exactly one becomes a ballot.
func testCastConcurrentOneToken(t *testing.T, s ballot.Store) {
	const id, n = "dong-thoi", 50
	h := setup(t, s, id, ballot.Open, 1)[0]
	errs := make([]error, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			_, errs[i] = s.Cast(ctx, h, ballotFor(id, i))
		}()
	}
	start.Done()
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		default:
			wantErr(t, fmt.Sprintf("concurrent Cast %d", i), err, ballot.ErrTokenUsed)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent casts of one token: %d succeeded, want exactly 1", n, ok)
	}
	if got := ballotCount(t, s, id); got != 1 {
		t.Errorf("BallotCount() = %d, want 1", got)
	}
	if got := tokenState(t, s, h); got != ballot.TokenUsed {
		t.Errorf("token state %d, want used", got)
	}
}

// testCastConcurrentMany casts many distinct tokens at once, mixed with
// refused casts, so that a store that commits casts together is checked
// for keeping each cast's outcome its own.
func testCastConcurrentMany(t *testing.T, s ballot.Store) {
	const id, n = "nhieu-phieu", 200
	hashes := setup(t, s, id, ballot.Open, n)
	want := make([]ballot.Ballot, n)
	errs := make([]error, n)
	refused := make([]error, n/4)
	var wg sync.WaitGroup
	for i := range n {
		want[i] = ballotFor(id, i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Cast(ctx, hashes[i], want[i])
		}()
	}
	for i := range refused {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, refused[i] = s.Cast(ctx, tokenHash("never-issued", i), ballotFor("refused", i))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Cast %d: %v", i, err)
		}
	}
	for i, err := range refused {
		wantErr(t, fmt.Sprintf("Cast of unknown token %d", i), err, ballot.ErrTokenUnknown)
	}
	sort.Slice(want, func(i, j int) bool { return want[i].ID < want[j].ID })
	if got := ballots(t, s, id); !equalLists(got, want) {
		t.Errorf("Ballots() holds %d ballots, want the %d cast, in ID order", len(got), len(want))
	}
	if got, want := tokenCounts(t, s, id), (ballot.TokenCounts{Issued: n, Used: n}); got != want {
		t.Errorf("TokenCounts() = %+v, want %+v", got, want)
	}
}

// testBallotsOrder casts ballots whose IDs arrive in descending order, and
// in two sessions, and reads each pool back in ascending ID order.
func testBallotsOrder(t *testing.T, s ballot.Store) {
	sessions := []string{"thu-tu-a", "thu-tu-b"}
	want := map[string][]ballot.Ballot{}
	for _, id := range sessions {
		hashes := setup(t, s, id, ballot.Open, 12)
		bs := make([]ballot.Ballot, len(hashes))
		for i := range bs {
			bs[i] = ballotFor(id, i)
		}
		sort.Slice(bs, func(i, j int) bool { return bs[i].ID > bs[j].ID })
		for i, b := range bs {
			if _, err := s.Cast(ctx, hashes[i], b); err != nil {
				t.Fatalf("Cast: %v", err)
			}
		}
		sort.Slice(bs, func(i, j int) bool { return bs[i].ID < bs[j].ID })
		want[id] = bs
	}
	for _, id := range sessions {
		if got := ballots(t, s, id); !equalLists(got, want[id]) {
			t.Errorf("Ballots(%q) = %+v, want ascending by ID %+v", id, got, want[id])
		}
	}
}

// testForgetBallotOrder rewrites the ballot pool with two sessions in it,
// one closed and one still open, and checks that it changes no ballot and
// no card, that a rolled-back rewrite changes nothing either, that it is
// refused in a View, and that the open session's cards still vote exactly
// once afterwards.
func testForgetBallotOrder(t *testing.T, s ballot.Store) {
	const closed, open = "quen-thu-tu-a", "quen-thu-tu-b"
	hashes := map[string][]audit.Hash{
		closed: setup(t, s, closed, ballot.Open, 30),
		open:   setup(t, s, open, ballot.Open, 30),
	}
	for i := range 20 {
		for _, id := range []string{closed, open} {
			if _, err := s.Cast(ctx, hashes[id][i], ballotFor(id, i)); err != nil {
				t.Fatalf("Cast: %v", err)
			}
		}
	}
	setState(t, s, closed, ballot.Closed)
	before := map[string][]ballot.Ballot{closed: ballots(t, s, closed), open: ballots(t, s, open)}
	counts := map[string]ballot.TokenCounts{closed: tokenCounts(t, s, closed), open: tokenCounts(t, s, open)}
	same := func(when string) {
		t.Helper()
		for _, id := range []string{closed, open} {
			if got := ballots(t, s, id); !equalLists(got, before[id]) {
				t.Errorf("%s: Ballots(%q) holds %d ballots, want the same %d", when, id, len(got), len(before[id]))
			}
			if got := tokenCounts(t, s, id); got != counts[id] {
				t.Errorf("%s: TokenCounts(%q) = %+v, want %+v", when, id, got, counts[id])
			}
		}
	}

	err := s.Update(ctx, func(tx ballot.Tx) error {
		if err := tx.ForgetBallotOrder(); err != nil {
			return err
		}
		return errRefused
	})
	wantErr(t, "Update that rewrites the pool, then fails", err, errRefused)
	same("after a rolled-back rewrite")
	if err := s.View(ctx, func(tx ballot.Tx) error { return tx.ForgetBallotOrder() }); err == nil {
		t.Errorf("ForgetBallotOrder in a View: got nil error, want one")
	}
	update(t, s, func(tx ballot.Tx) error { return tx.ForgetBallotOrder() })
	same("after the rewrite")
	update(t, s, func(tx ballot.Tx) error { return tx.ForgetBallotOrder() })
	same("after a second rewrite")

	// The open session goes on: each remaining card, sent twice at once,
	// votes once, and the closed session's refusal still holds.
	var wg sync.WaitGroup
	errs := make([][2]error, 10)
	for i := range errs {
		for k := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i][k] = s.Cast(ctx, hashes[open][20+i], ballotFor(open, 100*k+20+i))
			}()
		}
	}
	wg.Wait()
	for i, e := range errs {
		if (e[0] == nil) == (e[1] == nil) {
			t.Errorf("card %d of the open session sent twice after the rewrite: errors %v and %v, want exactly one success", i, e[0], e[1])
		}
	}
	if got := ballotCount(t, s, open); got != 30 {
		t.Errorf("the open session holds %d ballots after the rewrite and 10 more casts, want 30", got)
	}
	_, err = s.Cast(ctx, hashes[closed][25], ballotFor(closed, 25))
	wantErr(t, "Cast in the closed session after the rewrite", err, ballot.ErrClosed)
	if got := ballots(t, s, closed); !equalLists(got, before[closed]) {
		t.Errorf("the closed session's pool changed after the open one's casts")
	}
}
