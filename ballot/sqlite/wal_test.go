package sqlite

import (
	"fmt"
	"os"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// TestForgetOrderEmptiesTheWAL checks that after ForgetOrder the WAL file,
// whose frames follow commit order, holds nothing, and that no committed
// ballot was lost on the way.
func TestForgetOrderEmptiesTheWAL(t *testing.T) {
	s, path := openTemp(t)
	defer s.Close()
	var hashes []audit.Hash
	for i := range 20 {
		hashes = append(hashes, audit.Sum([]byte(fmt.Sprint("token ", i))))
	}
	err := s.Update(ctx, func(tx ballot.Tx) error {
		if err := tx.InsertSession(&ballot.Session{ID: "s1", Title: "t", Body: "b", Date: "2026-11-22", Place: "p", Rules: ballot.QD96, State: ballot.Open}); err != nil {
			return err
		}
		if err := tx.ReplaceCadres("s1", []ballot.Cadre{{ID: "c1", Name: "A", Position: "B"}}); err != nil {
			return err
		}
		return tx.InsertTokens("s1", hashes)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hashes {
		id := audit.Sum([]byte(fmt.Sprint("ballot ", i))).String()[:32]
		if _, err := s.Cast(ctx, h, ballot.Ballot{ID: id, Marks: "H"}); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the WAL is empty before ForgetOrder (%v); the test proves nothing", err)
	}
	if err := s.ForgetOrder(ctx); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("the WAL holds %d bytes after ForgetOrder, want 0", fi.Size())
	}
	var n int
	err = s.View(ctx, func(tx ballot.Tx) (err error) { n, err = tx.BallotCount("s1"); return err })
	if err != nil || n != 20 {
		t.Fatalf("after ForgetOrder: %d ballots, %v; want 20", n, err)
	}
}
