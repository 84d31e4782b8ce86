// This file holds the service side of the encrypted ballot box (SPEC.md 11):
// the key ceremony as the counting committee runs it through the log,
// ballots that arrive encrypted and are verified before the one-vote
// transaction, and the partial decryptions the tally is combined from. The
// cryptography is package box's; what is here is who may send what, when,
// and what is logged.

package ballot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"

	"tinnhiem/audit"
	"tinnhiem/ballot/box"
)

// RatingOptions is the number of options per line of a rating ballot:
// high, normal, low, in this order (SPEC.md 11.1).
const RatingOptions = 3

// FormalOptions is the number of options per line of a formal vote of
// confidence: tín nhiệm, không tín nhiệm, in this order (SPEC.md 11.1).
const FormalOptions = 2

// OptionsFor returns the options per line of an encrypted ballot under r.
func OptionsFor(r Rules) int {
	if r.Formal() {
		return FormalOptions
	}
	return RatingOptions
}

// boxSetup returns how an encrypted session's key is held, from its
// SessionCreated entry, or nil for a clear session. The log is the one
// record of it, so that the verifier reads the same thing.
func boxSetup(tx Tx, id string) (*audit.BoxSetup, error) {
	es, err := tx.AuditEntries(id, 1, 1)
	if err != nil {
		return nil, err
	}
	if len(es) != 1 || es[0].Type != audit.SessionCreated {
		return nil, Errorf(EInternal, "session %s: the log does not start with SessionCreated", id)
	}
	var d audit.SessionCreatedData
	if err := json.Unmarshal(es[0].Data, &d); err != nil {
		return nil, Errorf(EInternal, "session %s: unreadable SessionCreated: %v", id, err)
	}
	return d.Box, nil
}

// CardKey returns the public key of the card with this canonical token in
// session id (SPEC.md 11.3): what an encrypted session logs for each card
// and what the card's ballots are signed with.
func CardKey(id, token string) (audit.Hash, error) {
	k, err := box.CardKey(id, token)
	if err != nil {
		return audit.Hash{}, Errorf(EInternal, "failed to derive a card key: %v", err)
	}
	var h audit.Hash
	copy(h[:], k.Public().(ed25519.PublicKey))
	return h, nil
}

// cardKeys returns the sorted public keys of tokens in session id.
func cardKeys(id string, tokens []string) ([]audit.Hash, error) {
	keys := make([]audit.Hash, len(tokens))
	for i, t := range tokens {
		k, err := CardKey(id, t)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	slices.SortFunc(keys, compareHash)
	return keys, nil
}

// ceremonyLog is the key ceremony of one session as its log holds it.
type ceremonyLog struct {
	n, t     int
	round1   map[int]*box.Round1
	round2   map[int]*box.Round2
	round3   map[int]*box.Round3
	messages []json.RawMessage // every ceremony message, in log order
	result   *box.Ceremony     // nil until KeyCeremonyCompleted
	absent   []int
}

// readCeremony reads the ceremony of session id, whose committee has n
// members, from its log.
func readCeremony(tx Tx, id string, setup *audit.BoxSetup, n int) (*ceremonyLog, error) {
	c := &ceremonyLog{n: n, t: setup.Threshold, round1: map[int]*box.Round1{}, round2: map[int]*box.Round2{}, round3: map[int]*box.Round3{}}
	if c.t == 0 {
		c.t = box.DefaultThreshold(n)
	}
	es, err := tx.AuditEntries(id, 1, 0)
	if err != nil {
		return nil, err
	}
	bad := func(e audit.Entry, err error) error {
		return Errorf(EInternal, "session %s: entry %d (%s) does not read: %v", id, e.Seq, e.Type, err)
	}
	for _, e := range es {
		switch e.Type {
		case audit.KeyCeremonyRound1:
			r, err := box.ParseRound1(e.Data)
			if err != nil {
				return nil, bad(e, err)
			}
			c.round1[r.Trustee] = r
		case audit.KeyCeremonyRound2:
			r, err := box.ParseRound2(e.Data)
			if err != nil {
				return nil, bad(e, err)
			}
			c.round2[r.Trustee] = r
		case audit.KeyCeremonyRound3:
			r, err := box.ParseRound3(e.Data)
			if err != nil {
				return nil, bad(e, err)
			}
			c.round3[r.Trustee] = r
		case audit.KeyCeremonyCompleted:
			var d audit.KeyCeremonyCompletedData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, bad(e, err)
			}
			r, err := box.ParseCeremony(d.Result)
			if err != nil {
				return nil, bad(e, err)
			}
			c.result, c.absent = r, d.Absent
			continue
		default:
			continue
		}
		c.messages = append(c.messages, json.RawMessage(e.Data))
	}
	return c, nil
}

// started reports whether any ceremony message is logged: from then on the
// committee, which numbers the trustees, cannot change.
func (c *ceremonyLog) started() bool { return len(c.messages) > 0 || c.result != nil }

// TrusteeStatus is what one member of the counting committee has sent of
// the key ceremony.
type TrusteeStatus struct {
	Number                 int // the trustee number, 1…n, in the committee's order
	Name                   string
	Round1, Round2, Round3 bool
	Absent                 bool // declared absent when the ceremony completed
	Disqualified           string
}

// CeremonyStatus is the key ceremony of an encrypted session as the console
// shows it and as the trustees need it for their next round.
type CeremonyStatus struct {
	N, T      int
	Trustees  []TrusteeStatus
	Completed bool
	// JointKey is the session's public key once the ceremony completed.
	JointKey box.Point
	// Result is the tinnhiem-box-dkg-result/v1 message; Messages every
	// ceremony message in log order, as the trustees' commands read them.
	Result   []byte
	Messages []json.RawMessage
}

// Ceremony returns the key ceremony of an encrypted session.
func (s *Service) Ceremony(ctx context.Context, id string) (st *CeremonyStatus, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		sess, c, err := s.ceremonyOf(tx, id)
		if err != nil {
			return err
		}
		st = &CeremonyStatus{N: c.n, T: c.t, Messages: c.messages}
		for i, name := range sess.Committee {
			ts := TrusteeStatus{Number: i + 1, Name: name, Round1: c.round1[i+1] != nil, Round2: c.round2[i+1] != nil, Round3: c.round3[i+1] != nil,
				Absent: slices.Contains(c.absent, i+1)}
			if c.result != nil {
				for _, d := range c.result.Disqualified {
					if d.Trustee == i+1 {
						ts.Disqualified = d.Reason
					}
				}
			}
			st.Trustees = append(st.Trustees, ts)
		}
		if c.result != nil {
			st.Completed, st.JointKey, st.Result = true, c.result.JointKey, box.FormatCeremony(c.result)
		}
		return nil
	})
	return st, err
}

// ceremonyOf reads an encrypted session and its ceremony; a clear session
// is refused.
func (s *Service) ceremonyOf(tx Tx, id string) (*Session, *ceremonyLog, error) {
	sess, err := tx.Session(id)
	if err != nil {
		return nil, nil, err
	}
	setup, err := boxSetup(tx, id)
	if err != nil {
		return nil, nil, err
	}
	if setup == nil {
		return nil, nil, ErrNotEncrypted
	}
	c, err := readCeremony(tx, id, setup, len(sess.Committee))
	if err != nil {
		return nil, nil, err
	}
	return sess, c, nil
}

// openCeremony reads an encrypted draft session whose ceremony is still
// open and whose committee can hold a key: what every ceremony step needs.
func (s *Service) openCeremony(tx Tx, id string) (*Session, *ceremonyLog, error) {
	sess, c, err := s.ceremonyOf(tx, id)
	switch {
	case err != nil:
		return nil, nil, err
	case sess.State != Draft:
		return nil, nil, ErrSessionFrozen
	case c.result != nil:
		return nil, nil, &Error{Code: ELocked, Key: "ceremony_completed"}
	case c.n < 2:
		return nil, nil, ErrNoCommittee
	}
	return sess, c, nil
}

// AddCeremonyMessage records one message of the key ceremony (SPEC.md
// 11.6): a trustee's round 1, round 2 or round-3 statement, told apart by
// its format. The message must be of this session, its committee size and
// threshold, from a trustee numbered in the committee, the first of its
// round from that trustee, and round 2 and 3 only from a trustee whose
// round 1 is in; a round 1 must carry valid proofs. Whether shares and
// complaints are good is judged by everyone alike when the ceremony
// completes (box.Qualify). A refused message logs nothing.
func (s *Service) AddCeremonyMessage(ctx context.Context, actor, id string, data []byte) error {
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return &Error{Code: EInvalid, Key: "ceremony_message", Args: Args{"err": err.Error()}}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		_, err := s.addCeremonyMessage(tx, actor, id, head.Format, data, 0)
		return err
	})
}

// addCeremonyMessage checks and logs one ceremony message inside tx, as
// AddCeremonyMessage describes; from, when not 0, is the only trustee the
// message may be of (a member page sends its own messages only). It
// returns the trustee the message is of.
func (s *Service) addCeremonyMessage(tx Tx, actor, id, format string, data []byte, from int) (int, error) {
	_, c, err := s.openCeremony(tx, id)
	if err != nil {
		return 0, err
	}
	if c.t > c.n {
		return 0, &Error{Code: ELocked, Key: "ceremony_threshold", Args: Args{"t": c.t, "n": c.n}}
	}
	refuse := func(err error) error {
		return &Error{Code: EInvalid, Key: "ceremony_message", Args: Args{"err": err.Error()}}
	}
	var of int
	trustee := func(i int, session string, seen bool) error {
		of = i
		switch {
		case from != 0 && i != from:
			return &Error{Code: EInvalid, Key: "member_trustee", Args: Args{"trustee": i}}
		case session != id:
			return &Error{Code: EInvalid, Key: "ceremony_session", Args: Args{"session": session}}
		case i < 1 || i > c.n:
			return &Error{Code: EInvalid, Key: "ceremony_trustee", Args: Args{"trustee": i, "n": c.n}}
		case seen:
			return &Error{Code: EConflict, Key: "ceremony_repeated", Args: Args{"trustee": i}}
		}
		return nil
	}
	var typ audit.Type
	var canonical []byte
	switch format {
	case box.FormatRound1V1:
		r, err := box.ParseRound1(data)
		if err != nil {
			return 0, refuse(err)
		}
		if err := trustee(r.Trustee, r.Session, c.round1[r.Trustee] != nil); err != nil {
			return 0, err
		}
		if err := box.VerifyRound1(r, id, c.n, c.t); err != nil {
			return 0, refuse(err)
		}
		typ, canonical = audit.KeyCeremonyRound1, box.FormatRound1(r)
	case box.FormatRound2V1:
		r, err := box.ParseRound2(data)
		if err != nil {
			return 0, refuse(err)
		}
		if err := trustee(r.Trustee, r.Session, c.round2[r.Trustee] != nil); err != nil {
			return 0, err
		}
		if c.round1[r.Trustee] == nil {
			return 0, &Error{Code: ELocked, Key: "ceremony_round1_first", Args: Args{"trustee": r.Trustee}}
		}
		typ, canonical = audit.KeyCeremonyRound2, box.FormatRound2(r)
	case box.FormatRound3V1:
		r, err := box.ParseRound3(data)
		if err != nil {
			return 0, refuse(err)
		}
		if err := trustee(r.Trustee, r.Session, c.round3[r.Trustee] != nil); err != nil {
			return 0, err
		}
		if c.round1[r.Trustee] == nil {
			return 0, &Error{Code: ELocked, Key: "ceremony_round1_first", Args: Args{"trustee": r.Trustee}}
		}
		typ, canonical = audit.KeyCeremonyRound3, box.FormatRound3(r)
	default:
		return 0, &Error{Code: EInvalid, Key: "ceremony_format", Args: Args{"format": format}}
	}
	if from != 0 {
		if err := s.logMemberAssets(tx, id, actor); err != nil {
			return 0, err
		}
	}
	return of, s.logSigned(tx, id, actor, typ, json.RawMessage(canonical))
}

// CompleteCeremony ends the key ceremony: every trustee has sent its three
// messages, or the committee names it absent, and box.Qualify computes from
// the logged messages who qualified, the joint key and the verification
// keys, logged as KeyCeremonyCompleted. It fails, logging nothing, while a
// trustee not named absent has a message missing, or when fewer than t
// trustees qualify.
func (s *Service) CompleteCeremony(ctx context.Context, actor, id string, absent []int) error {
	absent = slices.Clone(absent)
	slices.Sort(absent)
	absent = slices.Compact(absent)
	return s.store.Update(ctx, func(tx Tx) error {
		sess, c, err := s.openCeremony(tx, id)
		if err != nil {
			return err
		}
		for _, i := range absent {
			if i < 1 || i > c.n {
				return &Error{Code: EInvalid, Key: "ceremony_trustee", Args: Args{"trustee": i, "n": c.n}}
			}
		}
		var r1 []*box.Round1
		var r2 []*box.Round2
		var complaints []*box.Complaint
		for i := 1; i <= c.n; i++ {
			if !slices.Contains(absent, i) && (c.round1[i] == nil || c.round2[i] == nil || c.round3[i] == nil) {
				return &Error{Code: ELocked, Key: "ceremony_waiting", Args: Args{"trustee": i, "name": sess.Committee[i-1]}}
			}
			if r := c.round1[i]; r != nil {
				r1 = append(r1, r)
			}
			if r := c.round2[i]; r != nil {
				r2 = append(r2, r)
			}
			if r := c.round3[i]; r != nil {
				complaints = append(complaints, r.Complaints...)
			}
		}
		res, err := box.Qualify(id, c.n, c.t, r1, r2, complaints)
		if err != nil {
			return &Error{Code: ELocked, Key: "ceremony_failed", Args: Args{"err": err.Error()}}
		}
		return s.logSigned(tx, id, actor, audit.KeyCeremonyCompleted, audit.KeyCeremonyCompletedData{Absent: absent, Result: box.FormatCeremony(res)})
	})
}

// boxParams returns the public parameters ballots of an open or closed
// encrypted session are made under, or nil for a clear session.
func boxParams(tx Tx, id string, cadres int) (*box.Params, error) {
	setup, err := boxSetup(tx, id)
	if err != nil || setup == nil {
		return nil, err
	}
	sess, err := tx.Session(id)
	if err != nil {
		return nil, err
	}
	c, err := readCeremony(tx, id, setup, len(sess.Committee))
	if err != nil {
		return nil, err
	}
	if c.result == nil {
		return nil, &Error{Code: ELocked, Key: "ceremony_incomplete"}
	}
	return &box.Params{Session: id, JointKey: c.result.JointKey, Lines: cadres, Options: setup.Options}, nil
}

// Receipt is what a voter keeps of an encrypted ballot: its tracker and
// the tracker's short code (audit.TrackerCode) to read aloud or compare.
type Receipt struct {
	Tracker audit.Hash
	Code    string
}

// CastEncrypted records one encrypted ballot (tinnhiem-box-ballot/v1) for
// the card with this code and returns the voter's receipt. Before the
// one-vote transaction it checks that the ballot is signed with this card's
// key and that every line proof and the signature verify (box.VerifyBallot,
// no multiple-mark lines: a phone cannot make them), so that a ballot that
// fails is refused and leaves no trace; then the card is marked used and
// the ballot, as received, pooled under its tracker in one transaction.
func (s *Service) CastEncrypted(ctx context.Context, code string, data []byte) (*Receipt, error) {
	canonical, ok := NormalizeToken(code)
	if !ok {
		return nil, ErrTokenUnknown
	}
	h := HashToken(canonical)
	id, hinted := s.tokens.lookup(h)
	if !hinted {
		var st TokenState
		var err error
		if id, _, st, err = s.lookupToken(ctx, code); err != nil {
			return nil, err
		}
		if err := usable(st); err != nil {
			return nil, err
		}
	}
	frozen, err := s.frozenCadres(ctx, id)
	if err != nil {
		return nil, err
	}
	if frozen.params == nil {
		return nil, ErrNotEncrypted
	}
	b, err := s.checkEncrypted(frozen.params, id, canonical, data)
	if err != nil {
		if hinted {
			// As Cast does: a used card hears so whatever it sent.
			if _, _, st, lerr := s.lookupToken(ctx, code); lerr != nil {
				return nil, lerr
			} else if uerr := usable(st); uerr != nil {
				return nil, uerr
			}
		}
		return nil, err
	}
	tracker := audit.Hash(b.Tracker(frozen.params))
	if _, err := s.store.Cast(ctx, h, Ballot{ID: hex.EncodeToString(tracker[:]), Box: box.FormatBallot(b)}); err != nil {
		if hinted && (errors.Is(err, ErrClosed) || errors.Is(err, ErrNotOpen)) {
			s.tokens.forget(id)
		}
		return nil, err
	}
	return &Receipt{Tracker: tracker, Code: audit.TrackerCode(tracker)}, nil
}

// checkEncrypted parses and verifies a cast ballot for the card token of
// session id.
func (s *Service) checkEncrypted(p *box.Params, id, token string, data []byte) (*box.Ballot, error) {
	b, err := box.ParseBallot(data)
	if err != nil {
		return nil, &Error{Code: EInvalid, Key: "ballot_malformed", Args: Args{"err": err.Error()}}
	}
	want, err := CardKey(id, token)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(b.Card[:], want[:]) {
		return nil, &Error{Code: EInvalid, Key: "ballot_card"}
	}
	if err := box.VerifyBallot(p, b, false); err != nil {
		args := Args{"err": err.Error()}
		var be *box.BallotError
		if errors.Is(err, box.ErrSignature) {
			return nil, &Error{Code: EInvalid, Key: "ballot_signature", Args: args}
		}
		if errors.As(err, &be) && be.Line > 0 {
			args["line"] = be.Line
		} else {
			args["variant"] = "whole"
		}
		return nil, &Error{Code: EInvalid, Key: "ballot_proof", Args: args}
	}
	return b, nil
}

// sealEncrypted writes an encrypted session's ballots into the log at close
// (SPEC.md 11.11): each EncryptedBallot as cast, in ascending tracker order
// (the pool's key order), BallotsSealed, the sorted card keys of the sealed
// ballots as TokensUsed and the encrypted sums as EncryptedTally.
func (s *Service) sealEncrypted(tx Tx, id, actor string, ballots []Ballot) error {
	cadres, err := tx.Cadres(id)
	if err != nil {
		return err
	}
	p, err := boxParams(tx, id, len(cadres))
	if err != nil {
		return err
	}
	parsed := make([]*box.Ballot, len(ballots))
	cards := make([]audit.Hash, len(ballots))
	for i, b := range ballots {
		if parsed[i], err = box.ParseBallot(b.Box); err != nil {
			return Errorf(EInternal, "pooled ballot %s does not read: %v", b.ID, err)
		}
		cards[i] = parsed[i].Card
		if err := s.log(tx, id, actor, audit.EncryptedBallot, json.RawMessage(b.Box)); err != nil {
			return err
		}
	}
	if err := s.log(tx, id, actor, audit.BallotsSealed, audit.BallotsSealedData{Count: len(ballots)}); err != nil {
		return err
	}
	slices.SortFunc(cards, compareHash)
	for chunk := range slices.Chunk(cards, TokenChunk) {
		if err := s.log(tx, id, actor, audit.TokensUsed, audit.TokensData{Hashes: chunk}); err != nil {
			return err
		}
	}
	// The ballots were verified one by one as they were cast; summing
	// checks their shape, and the verifier checks every proof again.
	sum, err := box.Sum(p, parsed)
	if err != nil {
		return Errorf(EInternal, "failed to sum the ballots: %v", err)
	}
	return s.log(tx, id, actor, audit.EncryptedTally, json.RawMessage(box.FormatTally(sum)))
}

// AddPartial records a trustee's partial decryption of the encrypted tally
// (tinnhiem-box-partial/v1) after close. Every partial of a qualified
// trustee of this session is logged, valid or not, so that a trustee who
// sent a bad one is named in the record; one that does not verify is then
// refused with an error naming the trustee, and the tally leaves it out.
func (s *Service) AddPartial(ctx context.Context, actor, id string, data []byte) error {
	part, err := box.ParsePartial(data)
	if err != nil {
		return &Error{Code: EInvalid, Key: "partial_malformed", Args: Args{"err": err.Error()}}
	}
	var bad error
	err = s.store.Update(ctx, func(tx Tx) (err error) {
		bad, err = s.addPartial(tx, actor, id, part, 0)
		return err
	})
	if err != nil {
		return err
	}
	return bad
}

// addPartial checks and logs a partial decryption inside tx, as AddPartial
// describes; from, when not 0, is the only trustee it may be of. It
// returns, besides a refusal, the error naming a logged partial that does
// not verify.
func (s *Service) addPartial(tx Tx, actor, id string, part *box.Partial, from int) (bad error, err error) {
	err = func() error {
		sess, c, err := s.ceremonyOf(tx, id)
		if err != nil {
			return err
		}
		switch sess.State {
		case Draft, Open:
			return ErrNotClosed
		case Tallied:
			return &Error{Code: ELocked, Key: "session_tallied_partial"}
		}
		if part.Session != id {
			return &Error{Code: EInvalid, Key: "ceremony_session", Args: Args{"session": part.Session}}
		}
		if from != 0 && part.Trustee != from {
			return &Error{Code: EInvalid, Key: "member_trustee", Args: Args{"trustee": part.Trustee}}
		}
		if c.result == nil || !slices.Contains(c.result.Qualified, part.Trustee) {
			return &Error{Code: EInvalid, Key: "partial_trustee", Args: Args{"trustee": part.Trustee}}
		}
		sum, logged, err := decryptionLog(tx, id)
		if err != nil {
			return err
		}
		for _, prev := range logged {
			if prev.Trustee == part.Trustee && bytes.Equal(box.FormatPartial(prev), box.FormatPartial(part)) {
				return &Error{Code: EConflict, Key: "partial_repeated", Args: Args{"trustee": part.Trustee}}
			}
		}
		cadres, err := tx.Cadres(id)
		if err != nil {
			return err
		}
		p := &box.Params{Session: id, JointKey: c.result.JointKey, Lines: len(cadres), Options: OptionsFor(sess.Rules)}
		if verr := box.VerifyPartial(p, c.result, sum, part); verr != nil {
			bad = &Error{Code: EInvalid, Key: "partial_invalid", Args: Args{"trustee": part.Trustee, "name": trusteeName(sess, part.Trustee), "err": verr.Error()}}
		}
		if from != 0 {
			if err := s.logMemberAssets(tx, id, actor); err != nil {
				return err
			}
		}
		return s.logSigned(tx, id, actor, audit.PartialDecryption, json.RawMessage(box.FormatPartial(part)))
	}()
	if err != nil {
		return nil, err
	}
	return bad, nil
}

func trusteeName(sess *Session, i int) string {
	if i >= 1 && i <= len(sess.Committee) {
		return sess.Committee[i-1]
	}
	return ""
}

// decryptionLog reads a closed encrypted session's encrypted tally and the
// partial decryptions logged after it.
func decryptionLog(tx Tx, id string) (*box.Tally, []*box.Partial, error) {
	es, err := tx.AuditEntries(id, 1, 0)
	if err != nil {
		return nil, nil, err
	}
	var sum *box.Tally
	var partials []*box.Partial
	for _, e := range es {
		switch e.Type {
		case audit.EncryptedTally:
			if sum, err = box.ParseTally(e.Data); err != nil {
				return nil, nil, Errorf(EInternal, "entry %d: %v", e.Seq, err)
			}
		case audit.PartialDecryption:
			part, err := box.ParsePartial(e.Data)
			if err != nil {
				return nil, nil, Errorf(EInternal, "entry %d: %v", e.Seq, err)
			}
			partials = append(partials, part)
		}
	}
	if sum == nil {
		return nil, nil, Errorf(EInternal, "session %s is closed but its log holds no encrypted tally", id)
	}
	return sum, partials, nil
}

// decryptTally combines the logged partial decryptions of a closed
// encrypted session (box.Combine) and logs the result as DecryptedTally, so
// that the tally is counted from its totals. It fails, logging nothing,
// while fewer than t valid partials are in.
func (s *Service) decryptTally(tx Tx, id, actor string) error {
	sess, c, err := s.ceremonyOf(tx, id)
	if err != nil {
		return err
	}
	if c.result == nil {
		return Errorf(EInternal, "session %s is closed without a completed key ceremony", id)
	}
	sum, partials, err := decryptionLog(tx, id)
	if err != nil {
		return err
	}
	p := &box.Params{Session: id, JointKey: c.result.JointKey, Lines: len(sum.Lines), Options: OptionsFor(sess.Rules)}
	res, _, err := box.Combine(p, c.result, sum, partials)
	if err != nil {
		valid := 0
		for _, part := range partials {
			if box.VerifyPartial(p, c.result, sum, part) == nil {
				valid++
			}
		}
		return &Error{Code: ELocked, Key: "partials_missing", Args: Args{"valid": valid, "t": c.t, "n": len(sess.Committee)}}
	}
	return s.log(tx, id, actor, audit.DecryptedTally, json.RawMessage(box.FormatResult(res)))
}

// TrackerStatus says where a tracker stands: the session it was found in
// and whether that session's ballots are sealed yet.
type TrackerStatus struct {
	Session *Session
	Sealed  bool
}

// FindTracker looks a receipt (its short code, audit.TrackerCode, or the
// tracker's 64 hexadecimal digits) up among the sealed ballots of the
// closed encrypted sessions, so that a voter sees that their ballot was
// counted. Only sealed ballots are searched: while a vote is open nothing
// is said about any ballot. ENotFound when no sealed ballot has it.
func (s *Service) FindTracker(ctx context.Context, receipt string) (*TrackerStatus, error) {
	prefix, ok := audit.ParseTrackerCode(receipt)
	if !ok {
		full, err := hex.DecodeString(receipt)
		if err != nil || len(full) != len(audit.Hash{}) {
			return nil, &Error{Code: EInvalid, Key: "tracker_malformed"}
		}
		prefix = full
	}
	var found *TrackerStatus
	err := s.store.View(ctx, func(tx Tx) error {
		sessions, err := tx.Sessions()
		if err != nil {
			return err
		}
		for i := range sessions {
			sess := &sessions[i]
			if sess.State != Closed && sess.State != Tallied {
				continue
			}
			ballots, err := tx.Ballots(sess.ID)
			if err != nil {
				return err
			}
			for _, b := range ballots {
				if b.Box == nil {
					continue
				}
				t, err := hex.DecodeString(b.ID)
				if err == nil && bytes.HasPrefix(t, prefix) {
					found = &TrackerStatus{Session: sess, Sealed: true}
					return nil
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, &Error{Code: ENotFound, Key: "tracker_unknown"}
	}
	return found, nil
}

// EncryptedTally returns a closed encrypted session's encrypted tally and
// the parameters it was summed under, as its log holds them: what each
// trustee decrypts its share of (tinnhiem-verify trustee decrypt --tally).
func (s *Service) EncryptedTally(ctx context.Context, id string) (sum *box.Tally, p *box.Params, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		sess, c, err := s.ceremonyOf(tx, id)
		if err != nil {
			return err
		}
		if sess.State == Draft || sess.State == Open {
			return ErrNotClosed
		}
		if c.result == nil {
			return Errorf(EInternal, "session %s is closed without a completed key ceremony", id)
		}
		if sum, _, err = decryptionLog(tx, id); err != nil {
			return err
		}
		p = &box.Params{Session: id, JointKey: c.result.JointKey, Lines: len(sum.Lines), Options: OptionsFor(sess.Rules)}
		return nil
	})
	return sum, p, err
}
