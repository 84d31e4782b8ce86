package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mattn/go-sqlite3"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

func TestStoreError(t *testing.T) {
	own := &ballot.Error{Code: ballot.EConflict, Key: "k", Message: "m"}
	for _, tc := range []struct {
		name     string
		err      error
		code     ballot.Code
		key      string
		contains string
	}{
		{"full", sqlite3.Error{Code: sqlite3.ErrFull}, ballot.EInternal, "storage_full", "failed to op: the disk is full"},
		{"readonly", sqlite3.Error{Code: sqlite3.ErrReadonly}, ballot.EInternal, "storage_readonly", "failed to op: the database file is read-only"},
		{"busy", sqlite3.Error{Code: sqlite3.ErrBusy}, ballot.EInternal, "storage_locked", "failed to op: the database is locked by another program"},
		{"locked", sqlite3.Error{Code: sqlite3.ErrLocked}, ballot.EInternal, "storage_locked", "locked by another program"},
		{"duplicate", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintPrimaryKey}, ballot.EConflict, "duplicate", "failed to op: it is already recorded"},
		{"check", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintCheck}, ballot.EInvalid, "invalid_value", "failed to op"},
		{"no rows", sql.ErrNoRows, ballot.ENotFound, ballot.ErrNotFound.Key, "failed to op: not found"},
		{"wrapped no rows", fmt.Errorf("scan: %w", sql.ErrNoRows), ballot.ENotFound, ballot.ErrNotFound.Key, "not found"},
		{"other", errors.New("disk I/O error"), ballot.EInternal, "", "failed to op: disk I/O error"},
		{"domain", own, ballot.EConflict, "k", "m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := storeError("op", tc.err)
			var be *ballot.Error
			if !errors.As(err, &be) {
				t.Fatalf("storeError(%v) = %T %v, want a *ballot.Error", tc.err, err, err)
			}
			if be.Code != tc.code || be.Key != tc.key || !strings.Contains(be.Message, tc.contains) {
				t.Errorf("storeError(%v) = {%s %s %q}, want {%s %s ...%q...}", tc.err, be.Code, be.Key, be.Message, tc.code, tc.key, tc.contains)
			}
		})
	}
	if storeError("op", nil) != nil {
		t.Errorf("storeError(nil) != nil")
	}
}

// fillDisk lets the file grow by at most extra pages, after which SQLite
// reports exactly what a full disk gives (SQLITE_FULL). It returns a
// function that lifts the limit.
func fillDisk(t *testing.T, s *Store, extra int) (lift func()) {
	t.Helper()
	var pages int64
	if err := s.wdb.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatalf("page_count: %v", err)
	}
	if _, err := s.wdb.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+int64(extra))); err != nil {
		t.Fatalf("max_page_count: %v", err)
	}
	return func() {
		if _, err := s.wdb.Exec("PRAGMA max_page_count = 1073741823"); err != nil {
			t.Fatalf("max_page_count: %v", err)
		}
	}
}

// TestUpdateDiskFull checks that a full disk fails the whole Update with a
// clear message, even when fn ignores the error and returns nil: the rest
// of fn must not run outside the transaction.
func TestUpdateDiskFull(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	openSession(t, s, "day-dia", 0)
	lift := fillDisk(t, s, 0)
	many := make([]audit.Hash, 5000)
	for i := range many {
		many[i] = ballot.HashToken(fmt.Sprintf("FULL%d", i))
	}
	var inner, later error
	err := s.Update(ctx, func(tx ballot.Tx) error {
		inner = tx.InsertTokens("day-dia", many)
		later = tx.InsertCheckpoint("day-dia", ballot.StoredCheckpoint{Size: 0, Note: []byte("n")})
		return nil // ignore both, as a careless caller might
	})
	var be *ballot.Error
	if !errors.As(inner, &be) || be.Key != "storage_full" || !strings.Contains(be.Message, "the disk is full") {
		t.Errorf("InsertTokens on a full disk = %v, want a storage_full error saying the disk is full", inner)
	}
	if later == nil {
		t.Errorf("a Tx call after the disk filled: got nil error, want one")
	}
	if err == nil {
		t.Errorf("Update whose fn ignored a full disk: got nil error, want one")
	}
	lift()
	err = s.View(ctx, func(tx ballot.Tx) error {
		c, err := tx.TokenCounts("day-dia")
		if err != nil {
			return err
		}
		cps, err := tx.Checkpoints("day-dia")
		if c.Issued != 0 || len(cps) != 0 {
			t.Errorf("after the failed Update: %d tokens, %d checkpoints; want none", c.Issued, len(cps))
		}
		return err
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
}

// TestUpdatePanic checks that a panicking fn rolls back and leaves the
// store usable, rather than holding the write connection for ever.
func TestUpdatePanic(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("Update did not propagate fn's panic")
			}
		}()
		s.Update(ctx, func(tx ballot.Tx) error {
			if err := tx.InsertSession(&ballot.Session{ID: "hoang-loan", State: ballot.Draft}); err != nil {
				return err
			}
			panic("fn gives up")
		})
	}()
	hashes := openSession(t, s, "sau-hoang-loan", 1)
	if _, err := s.Cast(ctx, hashes[0], ballot.Ballot{ID: "x", Marks: "H"}); err != nil {
		t.Errorf("Cast after a panicking Update: %v", err)
	}
	err := s.View(ctx, func(tx ballot.Tx) error { _, err := tx.Session("hoang-loan"); return err })
	if !errors.Is(err, ballot.ErrNotFound) {
		t.Errorf("Session written by the panicking Update: got %v, want ErrNotFound", err)
	}
}

// TestTxAfterReturn checks that a Tx kept past its function refuses work.
func TestTxAfterReturn(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	var kept ballot.Tx
	if err := s.Update(ctx, func(tx ballot.Tx) error { kept = tx; return nil }); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if _, err := kept.Sessions(); err == nil {
		t.Errorf("Sessions() on a Tx whose Update returned: got nil error, want one")
	}
}

// TestTxMethodsAllOrNothing checks that a Tx method which fails half-way
// leaves nothing behind, even when the caller ignores its error and
// commits.
func TestTxMethodsAllOrNothing(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	hashes := openSession(t, s, "mot-nua", 2)
	cadres := []ballot.Cadre{{ID: "c1", Name: "A"}, {ID: "c2", Name: "B"}}
	err := s.Update(ctx, func(tx ballot.Tx) error { return tx.ReplaceCadres("mot-nua", cadres) })
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	fresh := ballot.HashToken("FRESH")
	err = s.Update(ctx, func(tx ballot.Tx) error {
		if err := tx.InsertTokens("mot-nua", []audit.Hash{fresh, hashes[0]}); ballot.ErrorCode(err) != ballot.EConflict {
			t.Errorf("InsertTokens(fresh, already issued) = %v, want a conflict", err)
		}
		dup := []ballot.Cadre{{ID: "c9", Name: "X"}, {ID: "c9", Name: "Y"}}
		if err := tx.ReplaceCadres("mot-nua", dup); err == nil {
			t.Errorf("ReplaceCadres(duplicate IDs): got nil error, want one")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	err = s.View(ctx, func(tx ballot.Tx) error {
		if _, _, err := tx.Token(fresh); !errors.Is(err, ballot.ErrTokenUnknown) {
			t.Errorf("Token(fresh) after a failed InsertTokens = %v, want ErrTokenUnknown", err)
		}
		got, err := tx.Cadres("mot-nua")
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0] != cadres[0] || got[1] != cadres[1] {
			t.Errorf("Cadres() after a failed ReplaceCadres = %+v, want %+v", got, cadres)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
}
