// This file holds paper ballots (SPEC.md 11.5.2): cards printed as the
// official ballot for members without a phone, whose marks the counting
// committee enters from their own browsers while the vote is open. The
// browser encrypts each paper deterministically from its card and marks, so
// that a second member's entry of the same paper is the same ballot: the
// server compares trackers, never sees a mark, and casts the ballot through
// the one-vote transaction when the entries agree. The state lives in the
// audit log alone.

package ballot

import (
	"context"
	"encoding/hex"
	"encoding/json"

	"tinnhiem/audit"
	"tinnhiem/ballot/box"
)

// paperEntry is one logged entry of a paper ballot.
type paperEntry struct {
	trustee int
	tracker audit.Hash
}

// paperLog is what a session's log says of its paper ballots.
type paperLog struct {
	confirmations int
	cards         map[audit.Hash]bool         // card keys issued as paper
	phone         map[audit.Hash]bool         // card keys issued as cards for phones
	entries       map[audit.Hash][]paperEntry // per card, the entries since its last mismatch
	entered       map[audit.Hash]bool         // cards with any entry logged
	mismatches    int
}

// readPaper reads the paper ballots of an encrypted session from its log.
func readPaper(tx Tx, id string, setup *audit.BoxSetup) (*paperLog, error) {
	pl := &paperLog{confirmations: setup.PaperConfirmations, cards: map[audit.Hash]bool{}, phone: map[audit.Hash]bool{},
		entries: map[audit.Hash][]paperEntry{}, entered: map[audit.Hash]bool{}}
	if pl.confirmations == 0 {
		pl.confirmations = audit.DefaultPaperConfirmations
	}
	es, err := tx.AuditEntries(id, 1, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		bad := func(err error) error {
			return Errorf(EInternal, "session %s: entry %d (%s) does not read: %v", id, e.Seq, e.Type, err)
		}
		switch e.Type {
		case audit.TokensIssued:
			var d audit.TokensData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, bad(err)
			}
			for _, h := range d.Hashes {
				if d.Paper {
					pl.cards[h] = true
				} else {
					pl.phone[h] = true
				}
			}
		case audit.PaperConfirmationsSet:
			var d audit.PaperConfirmationsData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, bad(err)
			}
			pl.confirmations = d.Confirmations
		case audit.PaperBallotEntered:
			var d audit.PaperBallotEnteredData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, bad(err)
			}
			pl.entries[d.Card] = append(pl.entries[d.Card], paperEntry{d.Trustee, d.Tracker})
			pl.entered[d.Card] = true
		case audit.PaperBallotMismatch:
			var d audit.PaperBallotMismatchData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, bad(err)
			}
			delete(pl.entries, d.Card)
			pl.mismatches++
		}
	}
	return pl, nil
}

// pooledCards returns the card keys of the ballots in an encrypted
// session's pool, so that a paper card whose ballot was cast is told apart
// from one still waiting for its confirmation.
func pooledCards(tx Tx, id string) (map[audit.Hash]bool, error) {
	ballots, err := tx.Ballots(id)
	if err != nil {
		return nil, err
	}
	cards := make(map[audit.Hash]bool, len(ballots))
	for _, b := range ballots {
		parsed, err := box.ParseBallot(b.Box)
		if err != nil {
			return nil, Errorf(EInternal, "pooled ballot %s does not read: %v", b.ID, err)
		}
		cards[audit.Hash(parsed.Card)] = true
	}
	return cards, nil
}

// PaperCounts is the state of a session's paper ballots as the console
// shows it: how many were issued, entered at least once, cast after their
// confirmation, and entered but still waiting for it; how many entries were
// refused as different from the one awaiting confirmation; and how many
// members enter each paper.
type PaperCounts struct {
	Issued, Entered, Confirmed, Pending, Mismatches int
	Confirmations                                   int
}

func (pl *paperLog) counts(pooled map[audit.Hash]bool) PaperCounts {
	c := PaperCounts{Issued: len(pl.cards), Entered: len(pl.entered), Mismatches: pl.mismatches, Confirmations: pl.confirmations}
	for card := range pl.cards {
		switch {
		case pooled[card]:
			c.Confirmed++
		case len(pl.entries[card]) > 0:
			c.Pending++
		}
	}
	return c
}

// PaperStatus returns the counts of an encrypted session's paper ballots.
func (s *Service) PaperStatus(ctx context.Context, id string) (c PaperCounts, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		setup, err := boxSetup(tx, id)
		if err != nil {
			return err
		}
		if setup == nil {
			return ErrNotEncrypted
		}
		pl, err := readPaper(tx, id, setup)
		if err != nil {
			return err
		}
		pooled, err := pooledCards(tx, id)
		if err != nil {
			return err
		}
		c = pl.counts(pooled)
		return nil
	})
	return c, err
}

// paperPending returns how many paper cards of an encrypted session have an
// entry that waits for its confirmation: Close refuses while any does, so
// that no paper ballot the committee began to enter is left out unnoticed.
func paperPending(tx Tx, id string, setup *audit.BoxSetup) (int, error) {
	pl, err := readPaper(tx, id, setup)
	if err != nil || len(pl.entries) == 0 {
		return 0, err
	}
	pooled, err := pooledCards(tx, id)
	if err != nil {
		return 0, err
	}
	return pl.counts(pooled).Pending, nil
}

// SetPaperConfirmations sets, before the vote opens, how many committee
// members enter each paper ballot of an encrypted session: 1 (the first
// entry casts) or 2 (a second member's identical entry casts). The change
// is logged.
func (s *Service) SetPaperConfirmations(ctx context.Context, actor, id string, n int) error {
	if n != 1 && n != 2 {
		return &Error{Code: EInvalid, Key: "paper_confirmations"}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := draft(tx, id); err != nil {
			return err
		}
		setup, err := boxSetup(tx, id)
		if err != nil {
			return err
		}
		if setup == nil {
			return ErrNotEncrypted
		}
		return s.logSigned(tx, id, actor, audit.PaperConfirmationsSet, audit.PaperConfirmationsData{Confirmations: n})
	})
}

// PaperEntry is the outcome of one accepted entry of a paper ballot: cast
// (with its receipt) when it was the last confirmation needed, otherwise
// waiting for Waiting more members' entries.
type PaperEntry struct {
	Cast    bool
	Receipt *Receipt
	Tracker audit.Hash
	Waiting int
}

// EnterPaperBallot records committee member trustee's entry of a paper
// ballot for open session id: ballotJSON is the ballot the
// member's browser made with box.EncryptPaper's deterministic encryption.
// The card must be issued as paper and unused, the ballot signed with its
// key and valid (multiple-mark lines allowed). The first entry is logged as
// PaperBallotEntered (card and tracker, no marks); the entry that completes
// the confirmations the session requires — identical, so the same tracker —
// is cast through the one-vote transaction and then logged. A different
// ballot is refused and logged as PaperBallotMismatch, after which the
// paper is entered afresh; a member who entered this paper already is
// refused. The card is found by the public key the ballot is signed with
// (PaperTokenKey): the server never receives a paper ballot's code, without
// which it cannot recompute the deterministic entry. A refused entry changes nothing but the mismatch entry.
func (s *Service) EnterPaperBallot(ctx context.Context, trustee int, id string, ballotJSON []byte) (*PaperEntry, error) {
	var p *box.Params
	if err := s.store.View(ctx, func(tx Tx) error {
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
		cadres, err := tx.Cadres(id)
		if err != nil {
			return err
		}
		if p, err = boxParams(tx, id, len(cadres)); err != nil {
			return err
		}
		if p == nil {
			return ErrNotEncrypted
		}
		return nil
	}); err != nil {
		return nil, err
	}
	b, err := box.ParseBallot(ballotJSON)
	if err != nil {
		return nil, &Error{Code: EInvalid, Key: "ballot_malformed", Args: Args{"err": err.Error()}}
	}
	// The card is found by the key its ballot is signed with: the code
	// stays with the paper and the committee (PaperTokenKey).
	card := audit.Hash(b.Card)
	h := PaperTokenKey(card)
	if err := box.VerifyBallot(p, b, true); err != nil {
		return nil, &Error{Code: EInvalid, Key: "ballot_proof", Args: Args{"err": err.Error(), "variant": "whole"}}
	}
	tracker := audit.Hash(b.Tracker(p))
	var mismatch bool
	var actor string
	out := &PaperEntry{Tracker: tracker}
	err = s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		if sess.State != Open {
			return ErrClosed
		}
		if trustee < 1 || trustee > len(sess.Committee) {
			return &Error{Code: EInvalid, Key: "ceremony_trustee", Args: Args{"trustee": trustee, "n": len(sess.Committee)}}
		}
		actor = sess.Committee[trustee-1]
		setup, err := boxSetup(tx, id)
		if err != nil {
			return err
		}
		pl, err := readPaper(tx, id, setup)
		if err != nil {
			return err
		}
		if !pl.cards[card] {
			if pl.phone[card] {
				return &Error{Code: EInvalid, Key: "paper_not_paper"}
			}
			return ErrTokenUnknown
		}
		owner, st, err := tx.Token(h)
		switch {
		case ErrorCode(err) == ENotFound, err == nil && owner != id:
			return ErrTokenUnknown
		case err != nil:
			return err
		}
		if err := usable(st); err != nil {
			return err
		}
		prev := pl.entries[card]
		for _, e := range prev {
			if e.trustee == trustee {
				return &Error{Code: EConflict, Key: "paper_same_member"}
			}
		}
		for _, e := range prev {
			if e.tracker != tracker {
				mismatch = true
				return s.logSigned(tx, id, actor, audit.PaperBallotMismatch, audit.PaperBallotMismatchData{Trustee: trustee, Card: card})
			}
		}
		if len(prev)+1 >= pl.confirmations {
			out.Cast = true
			return nil
		}
		out.Waiting = pl.confirmations - len(prev) - 1
		return s.logSigned(tx, id, actor, audit.PaperBallotEntered, audit.PaperBallotEnteredData{Trustee: trustee, Card: card, Tracker: tracker})
	})
	if err != nil {
		return nil, err
	}
	if mismatch {
		return nil, &Error{Code: EConflict, Key: "paper_mismatch"}
	}
	if !out.Cast {
		return out, nil
	}
	if _, err := s.store.Cast(ctx, h, Ballot{ID: hex.EncodeToString(tracker[:]), Box: box.FormatBallot(b)}); err != nil {
		return nil, err
	}
	out.Receipt = &Receipt{Tracker: tracker, Code: audit.TrackerCode(tracker)}
	// The cast is what counts; the entry records who confirmed it.
	if err := s.store.Update(ctx, func(tx Tx) error {
		return s.logSigned(tx, id, actor, audit.PaperBallotEntered, audit.PaperBallotEnteredData{Trustee: trustee, Card: card, Tracker: tracker})
	}); err != nil {
		return out, Errorf(EInternal, "the paper ballot was cast but its entry was not logged: %v", err)
	}
	return out, nil
}

// SessionRecord returns a session as its SessionCreated entry records it:
// what documents printed before the tally (the paper ballots) head
// themselves with, read from the log as the minutes are.
func (s *Service) SessionRecord(ctx context.Context, id string) (d *audit.SessionCreatedData, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		es, err := tx.AuditEntries(id, 1, 1)
		if err != nil {
			return err
		}
		if len(es) != 1 || es[0].Type != audit.SessionCreated {
			return Errorf(EInternal, "session %s: the log does not start with SessionCreated", id)
		}
		d = new(audit.SessionCreatedData)
		if err := json.Unmarshal(es[0].Data, d); err != nil {
			return Errorf(EInternal, "session %s: unreadable SessionCreated: %v", id, err)
		}
		return nil
	})
	return d, err
}

// paperPrinted refuses a change of the cadres once paper ballots are
// printed: the papers list the cadres, and a paper whose lines are not the
// ballot's could not be entered as what it shows.
func paperPrinted(tx Tx, id string) error {
	setup, err := boxSetup(tx, id)
	if err != nil || setup == nil {
		return err
	}
	pl, err := readPaper(tx, id, setup)
	if err != nil {
		return err
	}
	if len(pl.cards) > 0 {
		return &Error{Code: ELocked, Key: "paper_cadres", Args: Args{"count": len(pl.cards)}}
	}
	return nil
}
