// This file holds what turns a vote into a record: closing and sealing,
// and the audit log every organiser action is written to.

package ballot

import (
	"context"
	"errors"
	"slices"

	"tinnhiem/audit"
)

// TokenChunk bounds the hashes in one TokensUsed entry, so that entries stay
// small whatever the size of the body.
const TokenChunk = 1000

// Close ends the vote: no ballot is accepted after it. In the same
// transaction it rewrites the ballot pool so that its storage forgets the
// order of arrival, seals every pooled ballot into the log, sorted by
// ballot hash so that the log's order says nothing of the casting order,
// then the sorted hashes of the used tokens, and signs a checkpoint.
func (s *Service) Close(ctx context.Context, actor, id string) error {
	err := s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		switch sess.State {
		case Draft:
			return ErrNotOpen
		case Closed, Tallied:
			return ErrClosed
		}
		if setup, err := boxSetup(tx, id); err != nil {
			return err
		} else if setup != nil {
			if n, err := paperPending(tx, id, setup); err != nil {
				return err
			} else if n > 0 {
				return &Error{Code: ELocked, Key: "paper_pending", Args: Args{"count": n}}
			}
		}
		sess.State = Closed
		if err := tx.UpdateSession(sess); err != nil {
			return err
		}
		// The pool was written in the order ballots arrived, and a file
		// keeps traces of that order (where each cell lies on its page);
		// rewrite it before anything is sealed, in this transaction, so
		// that no closed vote is left with its casting order on disk.
		if err := tx.ForgetBallotOrder(); err != nil {
			return err
		}
		counts, err := tx.TokenCounts(id)
		if err != nil {
			return err
		}
		ballots, err := tx.Ballots(id)
		if err != nil {
			return err
		}
		if err := s.log(tx, id, actor, audit.SessionClosed, audit.SessionClosedData{Issued: counts.Valid(), Collected: len(ballots)}); err != nil {
			return err
		}
		if setup, err := boxSetup(tx, id); err != nil {
			return err
		} else if setup != nil {
			if err := s.sealEncrypted(tx, id, actor, ballots); err != nil {
				return err
			}
			return s.checkpoint(tx, id)
		}
		sealed := make([]audit.BallotData, len(ballots))
		hashes := make(map[string]audit.Hash, len(ballots))
		for i, b := range ballots {
			sealed[i] = audit.BallotData{ID: b.ID, Marks: b.Marks}
			hashes[b.ID] = audit.BallotHash(sealed[i])
		}
		slices.SortFunc(sealed, func(a, b audit.BallotData) int { return compareHash(hashes[a.ID], hashes[b.ID]) })
		for _, b := range sealed {
			if err := s.log(tx, id, actor, audit.BallotEntry, b); err != nil {
				return err
			}
		}
		if err := s.log(tx, id, actor, audit.BallotsSealed, audit.BallotsSealedData{Count: len(sealed)}); err != nil {
			return err
		}
		used, err := tx.TokenHashes(id, TokenUsed)
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(used, TokenChunk) {
			if err := s.log(tx, id, actor, audit.TokensUsed, audit.TokensData{Hashes: chunk}); err != nil {
				return err
			}
		}
		return s.checkpoint(tx, id)
	})
	// A session found closed gets the same clean-up as one closed now: an
	// earlier Close may have committed and lost its answer, and then only
	// this call is left to drop the caches and forget the order.
	if err != nil && !errors.Is(err, ErrClosed) {
		return err
	}
	s.mu.Lock()
	delete(s.frozen, id)
	s.mu.Unlock()
	s.tokens.forget(id)
	// The vote is closed and sealed; what remains is to forget the order
	// of the commits that recorded it. A failure here loses nothing and is
	// retried at shutdown, so the close stands.
	if ferr := s.store.ForgetOrder(ctx); ferr != nil && s.OnWarning != nil {
		s.OnWarning(ferr)
	}
	return err
}

// logSigned appends one entry and signs a checkpoint of the new head, both
// in tx. Every transaction that writes to a log ends with a signed
// checkpoint (Close signs once after its whole batch), so that a log copied
// at any moment is covered by a signature up to its last entry and a
// verifier can refuse any entry that no checkpoint covers: an entry
// appended by whoever relays a bundle.
func (s *Service) logSigned(tx Tx, id, actor string, typ audit.Type, payload any) error {
	if err := s.log(tx, id, actor, typ, payload); err != nil {
		return err
	}
	return s.checkpoint(tx, id)
}

func (s *Service) log(tx Tx, id, actor string, typ audit.Type, payload any) error {
	head, err := tx.AuditHead(id)
	if err != nil {
		return err
	}
	e, err := head.Next(id, typ, actorName(actor), s.now(), payload)
	if err != nil {
		return Errorf(EInternal, "failed to build audit entry: %v", err)
	}
	return tx.AppendAudit(&e)
}

func actorName(a string) string {
	a = CleanText(a)
	if a == "" {
		return "organiser"
	}
	return a
}

func (s *Service) checkpoint(tx Tx, id string) error {
	head, err := tx.AuditHead(id)
	if err != nil {
		return err
	}
	signed, err := audit.SignCheckpoint(audit.Checkpoint{Session: id, Head: head}, s.key)
	if err != nil {
		return Errorf(EInternal, "%v", err)
	}
	return tx.InsertCheckpoint(id, StoredCheckpoint{Size: head.Size, Note: signed})
}

// Log returns a session's audit entries and signed checkpoints.
func (s *Service) Log(ctx context.Context, id string) (entries []audit.Entry, cps []StoredCheckpoint, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		if entries, err = tx.AuditEntries(id, 1, 0); err != nil {
			return err
		}
		cps, err = tx.Checkpoints(id)
		return err
	})
	return entries, cps, err
}
