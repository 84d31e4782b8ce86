package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"

	"tinnhiem/ballot"
)

// storeError turns a database/sql or SQLite error into the *ballot.Error the
// Store contract promises: not found for a missing row, conflict for a
// duplicate, and otherwise an internal error that names the operation. The
// conditions an operator can fix (full disk, read-only file, another program
// holding the lock) get a sentence and a hint of their own, so that the
// console can say what to do instead of showing an SQLite code.
func storeError(op string, err error) error {
	if err == nil {
		return nil
	}
	var be *ballot.Error
	if errors.As(err, &be) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("failed to %s: not found", op)
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull:
			return &ballot.Error{Code: ballot.EInternal, Key: "storage_full",
				Message: fmt.Sprintf("failed to %s: the disk is full (%v)", op, err)}
		case sqlite3.ErrReadonly:
			return &ballot.Error{Code: ballot.EInternal, Key: "storage_readonly",
				Message: fmt.Sprintf("failed to %s: the database file is read-only (%v)", op, err)}
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return &ballot.Error{Code: ballot.EInternal, Key: "storage_locked",
				Message: fmt.Sprintf("failed to %s: the database is locked by another program (%v)", op, err)}
		case sqlite3.ErrConstraint:
			switch se.ExtendedCode {
			case sqlite3.ErrConstraintPrimaryKey, sqlite3.ErrConstraintUnique:
				return &ballot.Error{Code: ballot.EConflict, Key: "duplicate",
					Message: fmt.Sprintf("failed to %s: it is already recorded (%v)", op, err)}
			case sqlite3.ErrConstraintCheck, sqlite3.ErrConstraintNotNull:
				return &ballot.Error{Code: ballot.EInvalid, Key: "invalid_value",
					Message: fmt.Sprintf("failed to %s: a value is out of range (%v)", op, err)}
			}
		}
	}
	return &ballot.Error{Code: ballot.EInternal, Message: fmt.Sprintf("failed to %s: %v", op, err)}
}

// notFound returns an error that matches ballot.ErrNotFound.
func notFound(format string, args ...any) error {
	return &ballot.Error{Code: ballot.ENotFound, Key: ballot.ErrNotFound.Key, Message: fmt.Sprintf(format, args...)}
}

// abortsTx reports whether err may have ended the SQLite transaction it
// happened in. SQLite rolls back the whole transaction on some I/O, full
// disk and memory errors, and database/sql does on a cancelled context;
// statements issued after that would run outside any transaction and
// commit one by one. A constraint violation or a missing row only ends the
// statement, and a domain error is not a storage failure at all.
func abortsTx(err error) bool {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return false
	}
	var be *ballot.Error
	if errors.As(err, &be) {
		return false
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
		return false
	}
	return true
}

// begin checks that the transaction can still be used for op.
func (t *txn) begin(op string, write bool) error {
	switch {
	case t.ended.Load():
		return &ballot.Error{Code: ballot.EInternal, Message: fmt.Sprintf("failed to %s: the transaction has ended", op)}
	case t.err != nil:
		return &ballot.Error{Code: ballot.EInternal, Message: fmt.Sprintf("failed to %s: an earlier failure aborted the transaction: %v", op, t.err)}
	case write && !t.writable:
		return &ballot.Error{Code: ballot.EInternal, Message: fmt.Sprintf("failed to %s: the transaction is read-only", op)}
	}
	return nil
}

// fail maps err and remembers it if it may have ended the transaction.
func (t *txn) fail(op string, err error) error {
	e := storeError(op, err)
	if abortsTx(err) && t.err == nil {
		t.err = e
	}
	return e
}

// atomically runs fn, which writes several rows for op, inside a savepoint,
// so that each Tx method is all or nothing even when the caller carries on
// after its error: a failed InsertTokens must not leave half the cards.
func (t *txn) atomically(op string, fn func() error) error {
	if _, err := t.exec(op, "SAVEPOINT tx_call"); err != nil {
		return err
	}
	err := fn()
	if err != nil && t.err == nil {
		if _, rerr := t.exec(op, "ROLLBACK TO tx_call"); rerr != nil {
			return rerr
		}
	}
	if t.err != nil {
		// The transaction may be gone, and with it the savepoint; Update
		// will roll back whatever is left.
		return err
	}
	if _, rerr := t.exec(op, "RELEASE tx_call"); rerr != nil {
		return rerr
	}
	return err
}
