package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// txn is the ballot.Tx of one Update or View.
type txn struct {
	ctx      context.Context
	tx       *sql.Tx
	writable bool
	ended    atomic.Bool // set when fn has returned; later calls fail
	err      error       // first failure that may have ended the SQLite transaction
}

func (t *txn) exec(op, query string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(t.ctx, query, args...)
	if err != nil {
		return nil, t.fail(op, err)
	}
	return res, nil
}

// changed runs a statement and returns how many rows it changed.
func (t *txn) changed(op, query string, args ...any) (int64, error) {
	res, err := t.exec(op, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.fail(op, err)
	}
	return n, nil
}

// sessionExists answers ErrNotFound for a session that was never created,
// so that an empty list always means an existing session with no rows.
func (t *txn) sessionExists(op, id string) error {
	var one int
	err := t.tx.QueryRowContext(t.ctx, "SELECT 1 FROM sessions WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("failed to %s: session %q not found", op, id)
	}
	if err != nil {
		return t.fail(op, err)
	}
	return nil
}

// prepare starts op and checks its session, the common head of most methods.
func (t *txn) prepare(op, session string, write bool) error {
	if err := t.begin(op, write); err != nil {
		return err
	}
	return t.sessionExists(op, session)
}

const sessionColumns = "id, org, title, body, date, place, rules, state, committee, committee_head, chair, secretary"

type scanner interface{ Scan(dest ...any) error }

func scanSession(sc scanner) (*ballot.Session, error) {
	var s ballot.Session
	var committee string
	if err := sc.Scan(&s.ID, &s.Org, &s.Title, &s.Body, &s.Date, &s.Place, &s.Rules, &s.State, &committee, &s.CommitteeHead, &s.Chair, &s.Secretary); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(committee), &s.Committee); err != nil {
		return nil, fmt.Errorf("committee of session %q is not a JSON list: %w", s.ID, err)
	}
	if len(s.Committee) == 0 {
		s.Committee = nil
	}
	return &s, nil
}

func committeeJSON(names []string) (string, error) {
	if names == nil {
		names = []string{}
	}
	b, err := json.Marshal(names)
	return string(b), err
}

func (t *txn) InsertSession(s *ballot.Session) error {
	const op = "insert session"
	if err := t.begin(op, true); err != nil {
		return err
	}
	committee, err := committeeJSON(s.Committee)
	if err != nil {
		return t.fail(op, err)
	}
	_, err = t.exec(op, "INSERT INTO sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		s.ID, s.Org, s.Title, s.Body, s.Date, s.Place, string(s.Rules), string(s.State), committee, s.CommitteeHead, s.Chair, s.Secretary)
	if ballot.ErrorCode(err) == ballot.EConflict {
		return &ballot.Error{Code: ballot.EConflict, Key: "session_exists", Message: fmt.Sprintf("failed to %s: session %q already exists", op, s.ID)}
	}
	return err
}

func (t *txn) Session(id string) (*ballot.Session, error) {
	const op = "read session"
	if err := t.begin(op, false); err != nil {
		return nil, err
	}
	s, err := scanSession(t.tx.QueryRowContext(t.ctx, "SELECT "+sessionColumns+" FROM sessions WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("failed to %s: session %q not found", op, id)
	}
	if err != nil {
		return nil, t.fail(op, err)
	}
	return s, nil
}

// Sessions returns every session, ordered by ID.
func (t *txn) Sessions() ([]ballot.Session, error) {
	const op = "list sessions"
	if err := t.begin(op, false); err != nil {
		return nil, err
	}
	return queryAll(t, op, scanSession, "SELECT "+sessionColumns+" FROM sessions ORDER BY id")
}

func (t *txn) UpdateSession(s *ballot.Session) error {
	const op = "update session"
	if err := t.begin(op, true); err != nil {
		return err
	}
	committee, err := committeeJSON(s.Committee)
	if err != nil {
		return t.fail(op, err)
	}
	n, err := t.changed(op, "UPDATE sessions SET state = ?, committee = ?, committee_head = ?, chair = ?, secretary = ? WHERE id = ?",
		string(s.State), committee, s.CommitteeHead, s.Chair, s.Secretary, s.ID)
	if err != nil {
		return err
	}
	if n != 1 {
		return notFound("failed to %s: session %q not found", op, s.ID)
	}
	return nil
}

func (t *txn) ReplaceMembers(session string, ms []ballot.Member) error {
	const op = "replace members"
	if err := t.prepare(op, session, true); err != nil {
		return err
	}
	return t.atomically(op, func() error {
		if _, err := t.exec(op, "DELETE FROM members WHERE session_id = ?", session); err != nil {
			return err
		}
		for i, m := range ms {
			if _, err := t.exec(op, "INSERT INTO members (session_id, pos, name, position, unit, present) VALUES (?, ?, ?, ?, ?, 0)",
				session, i, m.Name, m.Position, m.Unit); err != nil {
				return err
			}
		}
		return nil
	})
}

func (t *txn) Members(session string) ([]ballot.Member, error) {
	const op = "read members"
	if err := t.prepare(op, session, false); err != nil {
		return nil, err
	}
	return queryAll(t, op, func(sc scanner) (*ballot.Member, error) {
		var m ballot.Member
		return &m, sc.Scan(&m.Name, &m.Position, &m.Unit, &m.Present)
	}, "SELECT name, position, unit, present FROM members WHERE session_id = ? ORDER BY pos", session)
}

func (t *txn) SetPresent(session string, names []string) error {
	const op = "record attendance"
	if err := t.prepare(op, session, true); err != nil {
		return err
	}
	// Check every name before changing anything, so that an unknown name
	// leaves attendance exactly as it was.
	for _, name := range names {
		var one int
		err := t.tx.QueryRowContext(t.ctx, "SELECT 1 FROM members WHERE session_id = ? AND name = ? LIMIT 1", session, name).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("failed to %s: %q is not on the roster of session %q", op, name, session)
		}
		if err != nil {
			return t.fail(op, err)
		}
	}
	for _, name := range names {
		if _, err := t.exec(op, "UPDATE members SET present = 1 WHERE session_id = ? AND name = ?", session, name); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) SetAbsent(session string, names []string) error {
	const op = "record departures"
	if err := t.prepare(op, session, true); err != nil {
		return err
	}
	// Check every name before changing anything, as SetPresent does.
	for _, name := range names {
		var present sql.NullInt64 // NULL: no such member
		err := t.tx.QueryRowContext(t.ctx, "SELECT max(present) FROM members WHERE session_id = ? AND name = ?", session, name).Scan(&present)
		if err != nil {
			return t.fail(op, err)
		}
		if present.Int64 != 1 {
			return notFound("failed to %s: %q is not present in session %q", op, name, session)
		}
	}
	for _, name := range names {
		if _, err := t.exec(op, "UPDATE members SET present = 0 WHERE session_id = ? AND name = ?", session, name); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) ReplaceCadres(session string, cs []ballot.Cadre) error {
	const op = "replace cadres"
	if err := t.prepare(op, session, true); err != nil {
		return err
	}
	return t.atomically(op, func() error {
		if _, err := t.exec(op, "DELETE FROM cadres WHERE session_id = ?", session); err != nil {
			return err
		}
		for i, c := range cs {
			if _, err := t.exec(op, "INSERT INTO cadres (session_id, pos, id, name, position) VALUES (?, ?, ?, ?, ?)",
				session, i, c.ID, c.Name, c.Position); err != nil {
				return err
			}
		}
		return nil
	})
}

func (t *txn) Cadres(session string) ([]ballot.Cadre, error) {
	const op = "read cadres"
	if err := t.prepare(op, session, false); err != nil {
		return nil, err
	}
	return queryAll(t, op, func(sc scanner) (*ballot.Cadre, error) {
		var c ballot.Cadre
		return &c, sc.Scan(&c.ID, &c.Name, &c.Position)
	}, "SELECT id, name, position FROM cadres WHERE session_id = ? ORDER BY pos", session)
}

func (t *txn) InsertTokens(session string, hashes []audit.Hash) error {
	const op = "insert tokens"
	if err := t.prepare(op, session, true); err != nil {
		return err
	}
	return t.atomically(op, func() error {
		stmt, err := t.tx.PrepareContext(t.ctx, "INSERT INTO tokens (hash, session_id, state) VALUES (?, ?, 0)")
		if err != nil {
			return t.fail(op, err)
		}
		defer stmt.Close()
		for _, h := range hashes {
			if _, err := stmt.ExecContext(t.ctx, h[:], session); err != nil {
				return t.fail(op, err)
			}
		}
		return nil
	})
}

func (t *txn) Token(h audit.Hash) (string, ballot.TokenState, error) {
	const op = "read token"
	if err := t.begin(op, false); err != nil {
		return "", 0, err
	}
	var session string
	var st ballot.TokenState
	err := t.tx.QueryRowContext(t.ctx, "SELECT session_id, state FROM tokens WHERE hash = ?", h[:]).Scan(&session, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, ballot.ErrTokenUnknown
	}
	if err != nil {
		return "", 0, t.fail(op, err)
	}
	return session, st, nil
}

// RevokeToken fails with ErrTokenUnknown, ErrTokenUsed or ErrTokenRevoked
// when the token is not issued and unused.
func (t *txn) RevokeToken(h audit.Hash) error {
	const op = "revoke token"
	if err := t.begin(op, true); err != nil {
		return err
	}
	n, err := t.changed(op, "UPDATE tokens SET state = 2 WHERE hash = ? AND state = 0", h[:])
	if err != nil || n == 1 {
		return err
	}
	return t.whyNotIssued(op, h)
}

// whyNotIssued explains why a token could not leave the issued state.
func (t *txn) whyNotIssued(op string, h audit.Hash) error {
	_, st, err := t.Token(h)
	if err != nil {
		return err
	}
	switch st {
	case ballot.TokenUsed:
		return ballot.ErrTokenUsed
	case ballot.TokenRevoked:
		return ballot.ErrTokenRevoked
	}
	return &ballot.Error{Code: ballot.EInternal, Message: fmt.Sprintf("failed to %s: token in state %d did not change", op, st)}
}

func (t *txn) TokenCounts(session string) (ballot.TokenCounts, error) {
	const op = "count tokens"
	var c ballot.TokenCounts
	if err := t.prepare(op, session, false); err != nil {
		return c, err
	}
	err := t.tx.QueryRowContext(t.ctx, `SELECT count(*), count(*) FILTER (WHERE state = 1), count(*) FILTER (WHERE state = 2)
		FROM tokens WHERE session_id = ?`, session).Scan(&c.Issued, &c.Used, &c.Revoked)
	if err != nil {
		return ballot.TokenCounts{}, t.fail(op, err)
	}
	return c, nil
}

func (t *txn) TokenHashes(session string, st ballot.TokenState) ([]audit.Hash, error) {
	const op = "list tokens"
	if err := t.prepare(op, session, false); err != nil {
		return nil, err
	}
	// BLOBs compare with memcmp, so ORDER BY hash is ascending byte order.
	return queryAll(t, op, func(sc scanner) (*audit.Hash, error) {
		var h audit.Hash
		return &h, scanHash(sc, &h)
	}, "SELECT hash FROM tokens WHERE session_id = ? AND state = ? ORDER BY hash", session, int(st))
}

func (t *txn) Ballots(session string) ([]ballot.Ballot, error) {
	const op = "read ballots"
	if err := t.prepare(op, session, false); err != nil {
		return nil, err
	}
	return queryAll(t, op, func(sc scanner) (*ballot.Ballot, error) {
		var b ballot.Ballot
		return &b, sc.Scan(&b.ID, &b.Marks, &b.Box)
	}, "SELECT id, marks, box FROM ballots WHERE session_id = ? ORDER BY id", session)
}

func (t *txn) BallotCount(session string) (int, error) {
	const op = "count ballots"
	if err := t.prepare(op, session, false); err != nil {
		return 0, err
	}
	var n int
	if err := t.tx.QueryRowContext(t.ctx, "SELECT count(*) FROM ballots WHERE session_id = ?", session).Scan(&n); err != nil {
		return 0, t.fail(op, err)
	}
	return n, nil
}

// queryAll runs a query and scans every row with scan, which returns a
// pointer so that one helper serves every row type.
func queryAll[T any](t *txn, op string, scan func(scanner) (*T, error), query string, args ...any) ([]T, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, t.fail(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.fail(op, err)
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(op, err)
	}
	return out, nil
}

// scanHash reads a 32-byte BLOB into h, refusing any other length rather
// than silently padding or truncating a hash.
func scanHash(sc scanner, h *audit.Hash) error {
	var b []byte
	if err := sc.Scan(&b); err != nil {
		return err
	}
	return copyHash(h, b)
}

func copyHash(h *audit.Hash, b []byte) error {
	if len(b) != len(h) {
		return fmt.Errorf("stored hash has %d bytes, want %d", len(b), len(h))
	}
	copy(h[:], b)
	return nil
}

// maxSeq stands for "no upper bound" in AuditEntries; SQLite integers are
// signed 64-bit.
const maxSeq = math.MaxInt64
