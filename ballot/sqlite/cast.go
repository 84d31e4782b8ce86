package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// maxBatch bounds how many casts share one transaction. A batch costs one
// fsync however large it is, so under load the fsync stops being the limit;
// the bound keeps a batch small enough to commit in a few milliseconds, so
// that no voter waits long for a crowd ahead of them.
const maxBatch = 256

// castReq is one Cast waiting for the writer. The writer fills session and
// err, then closes done, and only after the batch's commit has returned.
type castReq struct {
	ctx     context.Context
	hash    audit.Hash
	ballot  ballot.Ballot
	session string
	err     error
	done    chan struct{}
}

// Cast queues the cast for the writer goroutine and waits for its batch to
// commit. A cast stays answerable once queued: if ctx ends after that, Cast
// still waits, because the cast may already be durable and the voter must
// learn the truth rather than a timeout.
func (s *Store) Cast(ctx context.Context, tokenHash audit.Hash, b ballot.Ballot) (string, error) {
	if err := s.enter("cast ballot"); err != nil {
		return "", err
	}
	defer s.inflight.Done()
	r := &castReq{ctx: ctx, hash: tokenHash, ballot: b, done: make(chan struct{})}
	select {
	case s.casts <- r:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	<-r.done
	return r.session, r.err
}

// castLoop is the single writer of ballots. It takes every cast queued at
// the moment it wakes, up to maxBatch, and runs them as one transaction. It
// returns when Close closes the queue, which happens only after every Cast
// has been answered.
func (s *Store) castLoop() {
	defer close(s.loopDone)
	batch := make([]*castReq, 0, maxBatch)
	for r := range s.casts {
		batch = append(batch[:0], r)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.casts:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.runBatch(batch)
		for _, r := range batch {
			close(r.done)
		}
		clear(batch) // drop references to answered requests
	}
}

// runBatch runs every cast of batch inside one write transaction and commits
// once; a refused cast undoes only itself (see castOne), a storage failure
// fails the whole batch.
// Each request's outcome is set here but delivered by the caller only after
// runBatch returns, that is after the commit (or the rollback) finished.
// The statements run under a background context: one caller giving up must
// not interrupt a transaction that carries other voters' ballots.
func (s *Store) runBatch(batch []*castReq) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		failAll(batch, storeError("begin ballot transaction", err))
		return
	}
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if err := castOne(ctx, tx, r); err != nil {
			// The transaction may be gone; the earlier casts' outcomes were
			// computed inside it and cannot be trusted either.
			tx.Rollback()
			failAll(batch, err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		// Every cast fails, including those that were refused: a refusal
		// such as ErrTokenUsed may rest on a cast earlier in this batch
		// that never became durable.
		failAll(batch, storeError("commit ballots", err))
		return
	}
	s.commits.Add(1)
	s.committedCasts.Add(int64(len(batch)))
}

func failAll(batch []*castReq, err error) {
	for _, r := range batch {
		r.session, r.err = "", err
	}
}

// castOne performs one cast inside tx and records its outcome in r. It
// returns an error only for a storage failure after which tx can no longer
// be trusted; a refused cast is an outcome, not such a failure.
//
// The common case costs two statements: the UPDATE finds the token, checks
// that its session is open and marks it used; the INSERT pools the ballot.
// Only when the UPDATE changes no row does castOne look further, to say
// precisely why. There is no savepoint per cast, which cost two more
// statements on every ballot: a failed statement undoes itself in SQLite,
// so the only thing to undo by hand is the token's change when the INSERT
// fails, which the compensating UPDATE does inside the same transaction.
func castOne(ctx context.Context, tx *sql.Tx, r *castReq) error {
	h := r.hash[:]
	var session string
	err := tx.QueryRowContext(ctx, `UPDATE tokens SET state = 1
		WHERE hash = ? AND state = 0 AND (SELECT state FROM sessions WHERE id = tokens.session_id) = 'open'
		RETURNING session_id`, h).Scan(&session)
	if errors.Is(err, sql.ErrNoRows) {
		// Nothing was written, so there is nothing to undo.
		r.err, err = refusal(ctx, tx, h)
		return err
	}
	if err != nil {
		return storeError("mark token used", err)
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO ballots (session_id, id, marks, box) VALUES (?, ?, ?, ?)", session, r.ballot.ID, r.ballot.Marks, r.ballot.Box)
	if err != nil {
		if abortsTx(err) {
			return storeError("store ballot", err)
		}
		// A constraint failed (a duplicate or empty ballot ID) and SQLite
		// undid the INSERT; undo the token's change so that the card can
		// still be used.
		if _, rerr := tx.ExecContext(ctx, "UPDATE tokens SET state = 0 WHERE hash = ? AND state = 1", h); rerr != nil {
			return storeError("undo cast", rerr)
		}
		r.err = storeError("store ballot", err)
		return nil
	}
	r.session = session
	return nil
}

// refusal finds out why a token could not be marked used, in the order the
// Store contract gives: an unknown token, then a session not open, then a
// token already used or revoked.
func refusal(ctx context.Context, tx *sql.Tx, h []byte) (refused, failed error) {
	var session, state string
	var st ballot.TokenState
	err := tx.QueryRowContext(ctx, `SELECT t.session_id, s.state, t.state FROM tokens AS t
		JOIN sessions AS s ON s.id = t.session_id WHERE t.hash = ?`, h).Scan(&session, &state, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return ballot.ErrTokenUnknown, nil
	}
	if err != nil {
		return nil, storeError("look up token", err)
	}
	switch ballot.State(state) {
	case ballot.Draft:
		return ballot.ErrNotOpen, nil
	case ballot.Closed, ballot.Tallied:
		return ballot.ErrClosed, nil
	case ballot.Open:
	default:
		return &ballot.Error{Code: ballot.EInternal, Message: fmt.Sprintf("failed to cast ballot: session %q is in unknown state %q", session, state)}, nil
	}
	switch st {
	case ballot.TokenUsed:
		return ballot.ErrTokenUsed, nil
	case ballot.TokenRevoked:
		return ballot.ErrTokenRevoked, nil
	}
	// An issued token of an open session is always marked used: reaching
	// here means the database changed under a write transaction.
	return nil, &ballot.Error{Code: ballot.EInternal, Message: "failed to mark token used: an issued token of an open session did not change"}
}
