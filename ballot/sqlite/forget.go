package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
)

// ballotsTableHead matches the start of the ballots table's CREATE TABLE
// statement as sqlite_schema keeps it: as the migration wrote it, or
// quoted, as ALTER TABLE … RENAME TO leaves it after a rewrite.
var ballotsTableHead = regexp.MustCompile(`(?i)^\s*CREATE\s+TABLE\s+(ballots|"ballots"|` + "`ballots`" + `|\[ballots\])\s*\(`)

// ForgetBallotOrder copies the ballot pool into a new table in key order
// (session, then random ID), drops the old table and gives the new one its
// name, all inside the caller's transaction.
//
// Why a new table rather than reordering rows in place: SQLite writes each
// new cell at the top of its page's free area, so on a page that never
// split the cells lie in the exact order the ballots arrived, and on others
// partly so; freed cells become free blocks that later cells fill. Rows
// written into an empty table in key order are laid out by key alone, and
// the old table's pages, freed by DROP TABLE under secure_delete, are
// zeroed, so neither the live pages nor the free ones keep the old layout.
// The pages are written to the WAL with the commit; Store.ForgetOrder,
// called after the close, folds them into the file and empties the WAL.
//
// Every session's rows are rewritten, open ones included: their rows are
// copied unchanged, their casts wait for this transaction as for any other
// write, and after it they insert into the new table. The cost is one pass
// over the whole pool, a small part of a close (BenchmarkCloseRewritesPool).
func (t *txn) ForgetBallotOrder() error {
	const op = "rewrite the ballot pool"
	if err := t.begin(op, true); err != nil {
		return err
	}
	var ddl string
	err := t.tx.QueryRowContext(t.ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'ballots'").Scan(&ddl)
	if errors.Is(err, sql.ErrNoRows) {
		return t.fail(op, errors.New("the ballots table is missing"))
	}
	if err != nil {
		return t.fail(op, err)
	}
	loc := ballotsTableHead.FindStringIndex(ddl)
	if loc == nil {
		return t.fail(op, fmt.Errorf("the ballots table's definition does not start as expected: %.60q", ddl))
	}
	// An index or trigger on ballots would vanish with DROP TABLE; the
	// schema has none, and one added later must be recreated here.
	var others int
	if err := t.tx.QueryRowContext(t.ctx,
		"SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'ballots' AND name <> 'ballots'").Scan(&others); err != nil {
		return t.fail(op, err)
	}
	if others != 0 {
		return t.fail(op, fmt.Errorf("the ballots table has %d indexes or triggers, which the rewrite would drop", others))
	}
	create := "CREATE TABLE ballots_rewritten (" + ddl[loc[1]:]
	return t.atomically(op, func() error {
		for _, stmt := range []string{
			create,
			// ORDER BY names the primary key, so SQLite reads the old
			// table in key order and sorts nothing.
			"INSERT INTO ballots_rewritten (session_id, id, marks, box) SELECT session_id, id, marks, box FROM ballots ORDER BY session_id, id",
			"DROP TABLE ballots",
			"ALTER TABLE ballots_rewritten RENAME TO ballots",
		} {
			if _, err := t.exec(op, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}
