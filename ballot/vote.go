package ballot

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"tinnhiem/audit"
	"tinnhiem/ballot/box"

	"golang.org/x/mod/sumdb/note"
)

// BallotForm is what a voter's page shows: the session and its cadres.
type BallotForm struct {
	Session *Session
	Cadres  []Cadre
	// Box, in an encrypted session, is what the voter's phone encrypts
	// the ballot under; nil in a clear one.
	Box *box.Params
}

// lookupToken resolves a token to its session without revealing more than
// the voter may know. Unknown and malformed tokens look the same.
func (s *Service) lookupToken(ctx context.Context, token string) (string, audit.Hash, TokenState, error) {
	canonical, ok := NormalizeToken(token)
	if !ok {
		return "", audit.Hash{}, 0, ErrTokenUnknown
	}
	h := HashToken(canonical)
	var id string
	var st TokenState
	err := s.store.View(ctx, func(tx Tx) (err error) {
		id, st, err = tx.Token(h)
		if errors.Is(err, ErrNotFound) {
			return ErrTokenUnknown
		}
		return err
	})
	return id, h, st, err
}

// Form returns the ballot a token votes on, or why it cannot vote: unknown,
// used or revoked card, session not open or closed.
func (s *Service) Form(ctx context.Context, token string) (*BallotForm, error) {
	id, _, st, err := s.lookupToken(ctx, token)
	if err != nil {
		return nil, err
	}
	var f BallotForm
	err = s.store.View(ctx, func(tx Tx) (err error) {
		if f.Session, err = tx.Session(id); err != nil {
			return err
		}
		f.Cadres, err = tx.Cadres(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := votable(f.Session.State, st); err != nil {
		return nil, err
	}
	frozen, err := s.frozenCadres(ctx, id)
	if err != nil {
		return nil, err
	}
	f.Box = frozen.params
	return &f, nil
}

func votable(sess State, tok TokenState) error {
	if err := usable(tok); err != nil {
		return err
	}
	switch sess {
	case Draft:
		return ErrNotOpen
	case Open:
		return nil
	}
	return ErrClosed
}

// frozenBallot is the ballot of an open session: its cadres and the place
// of each cadre ID, which cannot change once the session is open.
type frozenBallot struct {
	rules  Rules
	cadres []Cadre
	index  map[string]int
	params *box.Params // an encrypted session's; nil for a clear one
}

// frozenCadres returns the ballot of an open session from memory: cadres
// cannot change once a session is open, so the cast path reads them once.
// The first time it meets an open session it also remembers the session's
// unused cards (see tokenSessions), in the same read. When a vote opens,
// hundreds of voters arrive at once; one of them loads while the others
// wait for it, rather than each reading every card of the session.
func (s *Service) frozenCadres(ctx context.Context, id string) (*frozenBallot, error) {
	for {
		s.mu.Lock()
		if b, ok := s.frozen[id]; ok {
			s.mu.Unlock()
			return b, nil
		}
		wait, busy := s.loading[id]
		if !busy {
			done := make(chan struct{})
			s.loading[id] = done
			s.mu.Unlock()
			b, err := s.loadFrozen(ctx, id)
			s.mu.Lock()
			delete(s.loading, id)
			s.mu.Unlock()
			close(done)
			return b, err
		}
		s.mu.Unlock()
		// The loader has finished when wait closes; if the session was not
		// open or the read failed, nothing was cached and this caller
		// loads for itself on the next turn.
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// loadFrozen reads a session's cadres and, if it is open, caches its ballot
// with the session's unused cards.
func (s *Service) loadFrozen(ctx context.Context, id string) (*frozenBallot, error) {
	var state State
	var rules Rules
	var cs []Cadre
	var unused []audit.Hash
	var params *box.Params
	err := s.store.View(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		state, rules = sess.State, sess.Rules
		if cs, err = tx.Cadres(id); err != nil {
			return err
		}
		if state != Draft {
			if params, err = boxParams(tx, id, len(cs)); err != nil {
				return err
			}
		}
		if state == Open {
			unused, err = tx.TokenHashes(id, TokenIssued)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	b := &frozenBallot{rules: rules, cadres: cs, index: cadreIndex(cs), params: params}
	if state == Open {
		s.tokens.remember(id, unused)
		s.mu.Lock()
		s.frozen[id] = b
		s.mu.Unlock()
	}
	return b, nil
}

// tokenSessions maps the hash of every unused card of the open sessions
// this Service has cast in to its session, so that a cast needs no read
// transaction before the one that records it: that read cost as much as
// the write. It is only a hint. No card is added once a session is open, so
// a card absent from it is looked up in the store as before; a card present
// in it may since have been used or revoked, or its session closed, and
// Store.Cast, which checks all of this inside its own transaction, refuses
// it then. It holds only hashes the store holds too, and nothing about any
// ballot.
type tokenSessions struct {
	mu      sync.RWMutex
	session map[audit.Hash]string
}

func (t *tokenSessions) lookup(h audit.Hash) (string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	id, ok := t.session[h]
	return id, ok
}

func (t *tokenSessions) remember(id string, hashes []audit.Hash) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.session == nil {
		t.session = make(map[audit.Hash]string, len(hashes))
	}
	for _, h := range hashes {
		t.session[h] = id
	}
}

// forget drops a session that is no longer open.
func (t *tokenSessions) forget(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for h, sid := range t.session {
		if sid == id {
			delete(t.session, h)
		}
	}
}

// Cast records one ballot for the token and returns the voter's receipt.
// The token is marked used and the ballot pooled in one transaction, so a
// token votes at most once however many requests race; the ballot keeps no
// trace of the token, the time or the voter. Choices map cadre IDs to the
// levels marked: a cadre left out or given no level is unmarked and one
// given two or more marks has an invalid line, both recorded as such, never
// corrected; an unknown cadre or level rejects the whole submission.
func (s *Service) Cast(ctx context.Context, token string, choices map[string][]Level) (string, error) {
	canonical, ok := NormalizeToken(token)
	if !ok {
		return "", ErrTokenUnknown
	}
	h := HashToken(canonical)
	id, hinted := s.tokens.lookup(h)
	if !hinted {
		var st TokenState
		var err error
		if id, _, st, err = s.lookupToken(ctx, token); err != nil {
			return "", err
		}
		// Answer early for a used or revoked card, before judging the
		// choices, since that is what the voter needs to hear; Store.Cast
		// checks again inside its transaction, which is what guarantees
		// one vote.
		if err := usable(st); err != nil {
			return "", err
		}
	}
	frozen, err := s.frozenCadres(ctx, id)
	if err != nil {
		return "", err
	}
	if frozen.params != nil {
		return "", ErrEncrypted
	}
	marks, err := marksFor(frozen.rules, frozen.index, len(frozen.cadres), choices)
	if err != nil {
		if hinted {
			// The hint skipped the early answer; give it now, so that a used
			// card hears so whatever its choices.
			_, _, st, lerr := s.lookupToken(ctx, token)
			if lerr != nil {
				return "", lerr
			}
			if uerr := usable(st); uerr != nil {
				return "", uerr
			}
		}
		return "", err
	}
	bid, err := newBallotID(s.rand)
	if err != nil {
		return "", err
	}
	if _, err := s.store.Cast(ctx, h, Ballot{ID: bid, Marks: marks}); err != nil {
		if hinted && (errors.Is(err, ErrClosed) || errors.Is(err, ErrNotOpen)) {
			s.tokens.forget(id)
		}
		return "", err
	}
	return audit.Receipt(h), nil
}

// usable says why a card cannot vote whatever its session's state: it was
// used or revoked.
func usable(st TokenState) error {
	switch st {
	case TokenUsed:
		return ErrTokenUsed
	case TokenRevoked:
		return ErrTokenRevoked
	}
	return nil
}

// VerifyLogs checks every session's audit chain, and that the newest signed
// checkpoint matches it, so that a server never serves from a log that was
// altered behind its back. The error names the session and the entry.
func (s *Service) VerifyLogs(ctx context.Context) error {
	return s.store.View(ctx, func(tx Tx) error {
		ids, err := tx.AuditSessions()
		if err != nil {
			return err
		}
		for _, id := range ids {
			entries, err := tx.AuditEntries(id, 1, 0)
			if err != nil {
				return err
			}
			if _, err := audit.VerifyChain(entries); err != nil {
				return fmt.Errorf("session %s: %w", id, err)
			}
			if len(entries) > 0 && entries[0].Type != audit.SessionCreated {
				return fmt.Errorf("session %s: %w", id, &audit.ChainError{Seq: 1, Err: errors.New("the log does not start with SessionCreated")})
			}
			cps, err := tx.Checkpoints(id)
			if err != nil {
				return err
			}
			for _, cp := range cps {
				c, _, err := audit.OpenCheckpoint(cp.Note, s.verifiers())
				if err != nil {
					return fmt.Errorf("session %s: checkpoint at size %d: %w", id, cp.Size, err)
				}
				if err := audit.CheckCheckpoint(c, id, audit.Hashes(entries)); err != nil {
					return fmt.Errorf("session %s: %w", id, err)
				}
			}
		}
		return nil
	})
}

func (s *Service) verifiers() note.Verifiers { return note.VerifierList(s.key.Verifier()) }
