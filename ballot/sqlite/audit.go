package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// The audit log and its checkpoints. The store keeps entries byte for byte
// and enforces the chain's shape at append time (numbering, link to the
// previous hash, an entry hash that matches its content), so that a bug in
// a caller cannot write a log the server would later refuse to serve.

func (t *txn) AuditHead(session string) (audit.Head, error) {
	const op = "read audit head"
	if err := t.prepare(op, session, false); err != nil {
		return audit.Head{}, err
	}
	return t.head(op, session)
}

func (t *txn) head(op, session string) (audit.Head, error) {
	var h audit.Head
	var hash []byte
	err := t.tx.QueryRowContext(t.ctx, "SELECT seq, hash FROM audit_entries WHERE session_id = ? ORDER BY seq DESC LIMIT 1",
		session).Scan(&h.Size, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Head{}, nil
	}
	if err == nil {
		err = copyHash(&h.Hash, hash)
	}
	if err != nil {
		return audit.Head{}, t.fail(op, err)
	}
	return h, nil
}

// AppendAudit also rejects an entry that is not well formed on its own
// (audit.Entry.Check): an entry whose stored hash does not match its content
// would break the chain for good.
func (t *txn) AppendAudit(e *audit.Entry) error {
	const op = "append audit entry"
	if err := t.begin(op, true); err != nil {
		return err
	}
	if err := e.Check(); err != nil {
		return &ballot.Error{Code: ballot.EInvalid, Key: "audit_malformed", Message: fmt.Sprintf("failed to %s: %v", op, err)}
	}
	if err := t.sessionExists(op, e.Session); err != nil {
		return err
	}
	head, err := t.head(op, e.Session)
	if err != nil {
		return err
	}
	if _, err := head.Append(e); err != nil {
		return &ballot.Error{Code: ballot.EConflict, Key: "audit_not_head",
			Message: fmt.Sprintf("failed to %s to session %q: %v", op, e.Session, err)}
	}
	_, err = t.exec(op, `INSERT INTO audit_entries (session_id, seq, time, type, actor, prev, data, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Session, e.Seq, e.Time, string(e.Type), e.Actor, e.Prev[:], []byte(e.Data), e.Hash[:])
	return err
}

func (t *txn) AuditEntries(session string, from, to uint64) ([]audit.Entry, error) {
	const op = "read audit entries"
	if err := t.prepare(op, session, false); err != nil {
		return nil, err
	}
	if to == 0 || to > maxSeq {
		to = maxSeq
	}
	if from > to {
		return nil, nil
	}
	return queryAll(t, op, func(sc scanner) (*audit.Entry, error) {
		var e audit.Entry
		var prev, hash, data []byte
		if err := sc.Scan(&e.Seq, &e.Time, &e.Type, &e.Actor, &prev, &data, &hash); err != nil {
			return nil, err
		}
		e.Session = session
		e.Data = data
		if err := copyHash(&e.Prev, prev); err != nil {
			return nil, fmt.Errorf("entry %d: %w", e.Seq, err)
		}
		if err := copyHash(&e.Hash, hash); err != nil {
			return nil, fmt.Errorf("entry %d: %w", e.Seq, err)
		}
		return &e, nil
	}, `SELECT seq, time, type, actor, prev, data, hash FROM audit_entries
		WHERE session_id = ? AND seq BETWEEN ? AND ? ORDER BY seq`, session, from, to)
}

// AuditSessions lists the sessions with at least one entry, ordered by ID.
func (t *txn) AuditSessions() ([]string, error) {
	const op = "list audit logs"
	if err := t.begin(op, false); err != nil {
		return nil, err
	}
	return queryAll(t, op, func(sc scanner) (*string, error) {
		var id string
		return &id, sc.Scan(&id)
	}, "SELECT DISTINCT session_id FROM audit_entries ORDER BY session_id")
}

// InsertCheckpoint keeps at most one checkpoint per log size: a second one
// for the same size is a conflict, never a silent replacement of a signed
// note.
func (t *txn) InsertCheckpoint(session string, c ballot.StoredCheckpoint) error {
	const op = "insert checkpoint"
	if err := t.prepare(op, session, true); err != nil {
		return err
	}
	if c.Size > maxSeq {
		return &ballot.Error{Code: ballot.EInvalid, Message: fmt.Sprintf("failed to %s: size %d is out of range", op, c.Size)}
	}
	_, err := t.exec(op, "INSERT INTO checkpoints (session_id, size, note) VALUES (?, ?, ?)", session, c.Size, c.Note)
	return err
}

// Checkpoints returns the session's checkpoints by ascending size.
func (t *txn) Checkpoints(session string) ([]ballot.StoredCheckpoint, error) {
	const op = "read checkpoints"
	if err := t.prepare(op, session, false); err != nil {
		return nil, err
	}
	return queryAll(t, op, func(sc scanner) (*ballot.StoredCheckpoint, error) {
		var c ballot.StoredCheckpoint
		return &c, sc.Scan(&c.Size, &c.Note)
	}, "SELECT size, note FROM checkpoints WHERE session_id = ? ORDER BY size", session)
}
