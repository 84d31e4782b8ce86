package storetest

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

func testSessions(t *testing.T, s ballot.Store) {
	a, b := newSession("phien-a", ballot.Draft), newSession("phien-b", ballot.Open)
	b.Committee = nil
	update(t, s, func(tx ballot.Tx) error {
		if err := tx.InsertSession(a); err != nil {
			return err
		}
		return tx.InsertSession(b)
	})

	view(t, s, func(tx ballot.Tx) error {
		for _, want := range []*ballot.Session{a, b} {
			got, err := tx.Session(want.ID)
			if err != nil {
				t.Fatalf("Session(%q): %v", want.ID, err)
			}
			if !sameSession(got, want) {
				t.Errorf("Session(%q) = %+v, want %+v", want.ID, got, want)
			}
		}
		all, err := tx.Sessions()
		if err != nil {
			t.Fatalf("Sessions: %v", err)
		}
		sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
		if len(all) != 2 || !sameSession(&all[0], a) || !sameSession(&all[1], b) {
			t.Errorf("Sessions() = %+v, want %+v and %+v", all, a, b)
		}
		_, err = tx.Session("khong-co")
		wantErr(t, "Session(missing)", err, ballot.ErrNotFound)
		return nil
	})

	// UpdateSession rewrites state, committee and officers, and nothing else.
	changed := *a
	changed.State = ballot.Open
	changed.Committee = []string{"Hoàng Văn Dũng"}
	changed.CommitteeHead, changed.Chair, changed.Secretary = "Hoàng Văn Dũng", "Đặng Thị Giang", "Mai Văn Hải"
	changed.Title = "a title UpdateSession must not write"
	update(t, s, func(tx ballot.Tx) error { return tx.UpdateSession(&changed) })
	want := *a
	want.State, want.Committee = changed.State, changed.Committee
	want.CommitteeHead, want.Chair, want.Secretary = changed.CommitteeHead, changed.Chair, changed.Secretary
	view(t, s, func(tx ballot.Tx) error {
		got, err := tx.Session(a.ID)
		if err != nil {
			t.Fatalf("Session: %v", err)
		}
		if !sameSession(got, &want) {
			t.Errorf("after UpdateSession: got %+v, want %+v", got, &want)
		}
		return nil
	})

	err := s.Update(ctx, func(tx ballot.Tx) error { return tx.UpdateSession(newSession("khong-co", ballot.Open)) })
	wantErr(t, "UpdateSession(missing)", err, ballot.ErrNotFound)

	// A second session with the same ID is refused and the first stays.
	err = s.Update(ctx, func(tx ballot.Tx) error { return tx.InsertSession(newSession(a.ID, ballot.Tallied)) })
	if err == nil {
		t.Errorf("InsertSession(duplicate ID): got nil error, want one")
	}
	view(t, s, func(tx ballot.Tx) error {
		got, err := tx.Session(a.ID)
		if err != nil || !sameSession(got, &want) {
			t.Errorf("after a refused duplicate: got %+v, %v, want %+v", got, err, &want)
		}
		return nil
	})
}

// testAtomicNewSession creates a whole session and its first audit entry in
// an Update that then fails: nothing of it may be visible afterwards.
func testAtomicNewSession(t *testing.T, s ballot.Store) {
	const id = "phien-moi"
	h := tokenHash(id, 0)
	err := s.Update(ctx, func(tx ballot.Tx) error {
		if err := tx.InsertSession(newSession(id, ballot.Draft)); err != nil {
			return err
		}
		if err := tx.ReplaceMembers(id, roster); err != nil {
			return err
		}
		if err := tx.ReplaceCadres(id, cadres); err != nil {
			return err
		}
		if err := tx.InsertTokens(id, []audit.Hash{h}); err != nil {
			return err
		}
		e := nextEntry(t, audit.Head{}, id, audit.SessionCreated)
		if err := tx.AppendAudit(&e); err != nil {
			return err
		}
		if err := tx.InsertCheckpoint(id, ballot.StoredCheckpoint{Size: 1, Note: []byte("note\n")}); err != nil {
			return err
		}
		return errRefused
	})
	wantErr(t, "Update returning an error", err, errRefused)
	view(t, s, func(tx ballot.Tx) error {
		_, err := tx.Session(id)
		wantErr(t, "Session after rollback", err, ballot.ErrNotFound)
		_, err = tx.Members(id)
		wantErr(t, "Members after rollback", err, ballot.ErrNotFound)
		_, _, err = tx.Token(h)
		wantErr(t, "Token after rollback", err, ballot.ErrTokenUnknown)
		ids, err := tx.AuditSessions()
		if err != nil || len(ids) != 0 {
			t.Errorf("AuditSessions after rollback = %q, %v; want none", ids, err)
		}
		all, err := tx.Sessions()
		if err != nil || len(all) != 0 {
			t.Errorf("Sessions after rollback = %+v, %v; want none", all, err)
		}
		return nil
	})
}

// testAtomicExistingSession changes every kind of record of an existing
// session in an Update that then fails, and checks that each is unchanged.
func testAtomicExistingSession(t *testing.T, s ballot.Store) {
	const id = "phien-cu"
	hashes := setup(t, s, id, ballot.Draft, 3)
	var head audit.Head
	update(t, s, func(tx ballot.Tx) (err error) {
		e := nextEntry(t, audit.Head{}, id, audit.SessionCreated)
		head = audit.Head{Size: 1, Hash: e.Hash}
		return tx.AppendAudit(&e)
	})
	before := snapshot(t, s, id, hashes)

	err := s.Update(ctx, func(tx ballot.Tx) error {
		sess := newSession(id, ballot.Open)
		sess.Committee = []string{"Người khác"}
		steps := []func() error{
			func() error { return tx.UpdateSession(sess) },
			func() error { return tx.SetPresent(id, []string{roster[0].Name}) },
			func() error { return tx.ReplaceMembers(id, roster[:1]) },
			func() error { return tx.ReplaceCadres(id, cadres[:1]) },
			func() error { return tx.InsertTokens(id, []audit.Hash{tokenHash(id, 99)}) },
			func() error { return tx.RevokeToken(hashes[0]) },
			func() error {
				e := nextEntry(t, head, id, audit.RosterSet)
				return tx.AppendAudit(&e)
			},
			func() error { return tx.InsertCheckpoint(id, ballot.StoredCheckpoint{Size: 2, Note: []byte("note\n")}) },
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Errorf("step %d inside the Update: %v", i, err)
			}
		}
		return errRefused
	})
	wantErr(t, "Update returning an error", err, errRefused)
	if after := snapshot(t, s, id, hashes); !reflect.DeepEqual(after, before) {
		t.Errorf("after a failed Update:\n got %+v\nwant %+v", after, before)
	}
}

// state is everything storetest can read about one session.
type state struct {
	Session     *ballot.Session
	Members     []ballot.Member
	Cadres      []ballot.Cadre
	Counts      ballot.TokenCounts
	TokenStates []ballot.TokenState
	Ballots     []ballot.Ballot
	Head        audit.Head
	Entries     []audit.Entry
	Checkpoints []ballot.StoredCheckpoint
}

func snapshot(t *testing.T, s ballot.Store, id string, hashes []audit.Hash) state {
	t.Helper()
	var st state
	view(t, s, func(tx ballot.Tx) (err error) {
		if st.Session, err = tx.Session(id); err != nil {
			return err
		}
		if st.Members, err = tx.Members(id); err != nil {
			return err
		}
		if st.Cadres, err = tx.Cadres(id); err != nil {
			return err
		}
		if st.Counts, err = tx.TokenCounts(id); err != nil {
			return err
		}
		for _, h := range hashes {
			_, ts, err := tx.Token(h)
			if err != nil {
				return err
			}
			st.TokenStates = append(st.TokenStates, ts)
		}
		if st.Ballots, err = tx.Ballots(id); err != nil {
			return err
		}
		if st.Head, err = tx.AuditHead(id); err != nil {
			return err
		}
		if st.Entries, err = tx.AuditEntries(id, 1, 0); err != nil {
			return err
		}
		st.Checkpoints, err = tx.Checkpoints(id)
		return err
	})
	return st
}

func testViewReadOnly(t *testing.T, s ballot.Store) {
	err := s.View(ctx, func(tx ballot.Tx) error {
		if err := tx.InsertSession(newSession("chi-doc", ballot.Draft)); err == nil {
			t.Errorf("InsertSession inside View: got nil error, want one")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	view(t, s, func(tx ballot.Tx) error {
		_, err := tx.Session("chi-doc")
		wantErr(t, "Session written inside a View", err, ballot.ErrNotFound)
		return nil
	})
}

// testViewSnapshot casts while a View is reading and checks that the View
// keeps seeing the state of its start. A store may instead make the cast
// wait for the View to end; both keep the snapshot consistent.
func testViewSnapshot(t *testing.T, s ballot.Store) {
	const id = "anh-chup"
	hashes := setup(t, s, id, ballot.Open, 1)
	done := make(chan error, 1)
	view(t, s, func(tx ballot.Tx) error {
		n1, err := tx.BallotCount(id)
		if err != nil {
			return err
		}
		go func() {
			_, err := s.Cast(ctx, hashes[0], ballotFor(id, 0))
			done <- err
		}()
		select {
		case err := <-done:
			done <- err
		case <-time.After(time.Second):
		}
		n2, err := tx.BallotCount(id)
		if err != nil {
			return err
		}
		_, st, err := tx.Token(hashes[0])
		if err != nil {
			return err
		}
		if n1 != 0 || n2 != 0 || st != ballot.TokenIssued {
			t.Errorf("inside one View: ballot count %d then %d, token state %d; want 0, 0, issued", n1, n2, st)
		}
		return nil
	})
	if err := <-done; err != nil {
		t.Fatalf("Cast: %v", err)
	}
	if got := ballotCount(t, s, id); got != 1 {
		t.Errorf("after the View: BallotCount = %d, want 1", got)
	}
}

// testMissingSession checks that every per-session read and write answers
// ErrNotFound for a session that was never created.
func testMissingSession(t *testing.T, s ballot.Store) {
	const id = "khong-co"
	calls := map[string]func(tx ballot.Tx) error{
		"Members":        func(tx ballot.Tx) error { _, err := tx.Members(id); return err },
		"ReplaceMembers": func(tx ballot.Tx) error { return tx.ReplaceMembers(id, roster) },
		"SetPresent":     func(tx ballot.Tx) error { return tx.SetPresent(id, []string{roster[0].Name}) },
		"SetAbsent":      func(tx ballot.Tx) error { return tx.SetAbsent(id, []string{roster[0].Name}) },
		"Cadres":         func(tx ballot.Tx) error { _, err := tx.Cadres(id); return err },
		"ReplaceCadres":  func(tx ballot.Tx) error { return tx.ReplaceCadres(id, cadres) },
		"InsertTokens":   func(tx ballot.Tx) error { return tx.InsertTokens(id, []audit.Hash{tokenHash(id, 0)}) },
		"TokenCounts":    func(tx ballot.Tx) error { _, err := tx.TokenCounts(id); return err },
		"TokenHashes":    func(tx ballot.Tx) error { _, err := tx.TokenHashes(id, ballot.TokenUsed); return err },
		"Ballots":        func(tx ballot.Tx) error { _, err := tx.Ballots(id); return err },
		"BallotCount":    func(tx ballot.Tx) error { _, err := tx.BallotCount(id); return err },
		"AuditHead":      func(tx ballot.Tx) error { _, err := tx.AuditHead(id); return err },
		"AuditEntries":   func(tx ballot.Tx) error { _, err := tx.AuditEntries(id, 1, 0); return err },
		"Checkpoints":    func(tx ballot.Tx) error { _, err := tx.Checkpoints(id); return err },
		"InsertCheckpoint": func(tx ballot.Tx) error {
			return tx.InsertCheckpoint(id, ballot.StoredCheckpoint{Size: 1, Note: []byte("n\n")})
		},
		"AppendAudit": func(tx ballot.Tx) error {
			e := nextEntry(t, audit.Head{}, id, audit.SessionCreated)
			return tx.AppendAudit(&e)
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := s.Update(ctx, call)
			wantErr(t, name+" of a missing session", err, ballot.ErrNotFound)
			if code := ballot.ErrorCode(err); code != ballot.ENotFound {
				t.Errorf("%s: got code %q, want %q", name, code, ballot.ENotFound)
			}
		})
	}
	view(t, s, func(tx ballot.Tx) error {
		if all, err := tx.Sessions(); err != nil || len(all) != 0 {
			t.Errorf("Sessions() = %+v, %v; want none", all, err)
		}
		return nil
	})
}
