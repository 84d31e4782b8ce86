// This file replays the entries of an encrypted session (SPEC.md 11.11):
// the key ceremony is qualified again from its messages, every sealed
// ballot's proofs and signature are checked in batches while the
// ciphertexts are summed, the sums are compared with EncryptedTally, every
// partial decryption is checked, and the decrypted totals are what the
// tally is recounted from. Nothing here ever decrypts a ballot.

package verify

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"

	"github.com/gtank/ristretto255"

	"tinnhiem/audit"
	"tinnhiem/ballot/box"
	"tinnhiem/tally"
)

// The checks of an encrypted session (SPEC.md 10 lists them with the
// others; CheckIDs runs them between events and tally).
const (
	CheckCeremony     = "key-ceremony"
	CheckBallotProofs = "ballot-proofs"
	CheckDecryption   = "decryption"
)

func ceremonyErr(err error) error   { return &kindError{CheckCeremony, err} }
func proofErr(err error) error      { return &kindError{CheckBallotProofs, err} }
func decryptionErr(err error) error { return &kindError{CheckDecryption, err} }

// ballotBatch is how many sealed ballots are verified in one batch: enough
// for the multi-scalar multiplication to pay, few enough that a verifier
// streaming a bundle holds little.
const ballotBatch = 64

// encrypted is the replay's state of an encrypted session.
type encrypted struct {
	n, t     int
	round1   map[int]*box.Round1
	round2   map[int]*box.Round2
	round3   map[int]*box.Round3
	params   *box.Params
	summer   *box.Summer // the sums, when proofs are skipped
	sums     *tallySum   // the sums, when every batch is verified and summed in one pass
	pending  []*box.Ballot
	seqs     []uint64
	cards    map[audit.Hash]bool // the card keys of the sealed ballots
	last     audit.Hash          // the last sealed tracker
	sealed   int
	verified int            // ballots whose proofs were checked (all, unless skipped)
	partials []*box.Partial // the logged partials that verify, in log order
	badParts []int          // trustees with a logged partial that does not verify, ascending
}

// Encrypted reports whether the session's ballots are encrypted (SPEC.md 11).
func (r *Replay) Encrypted() bool { return r.Session.Box != nil }

func (r *Replay) enc() (*encrypted, error) {
	if !r.Encrypted() {
		return nil, errors.New("an entry of an encrypted session in a clear one")
	}
	if r.box == nil {
		n := len(r.Committee)
		t := r.Session.Box.Threshold
		if t == 0 {
			t = box.DefaultThreshold(n)
		}
		r.box = &encrypted{n: n, t: t, round1: map[int]*box.Round1{}, round2: map[int]*box.Round2{}, round3: map[int]*box.Round3{},
			cards: map[audit.Hash]bool{}}
	}
	return r.box, nil
}

// ceremonyMessage checks what every ceremony message shares: a session
// whose committee is named, an open ceremony, this session, a trustee in
// range sending its first message of the round, and, after round 1, its
// round 1 in.
func (r *Replay) ceremonyMessage(session string, trustee int, seen map[int]bool, needRound1 bool) (*encrypted, error) {
	b, err := r.enc()
	if err != nil {
		return nil, err
	}
	switch {
	case r.Ceremony != nil:
		return nil, ceremonyErr(errors.New("a ceremony message after KeyCeremonyCompleted"))
	case b.n < 2:
		return nil, ceremonyErr(errors.New("a ceremony message before a counting committee of two or more was named"))
	case b.t < 1 || b.t > b.n:
		return nil, ceremonyErr(fmt.Errorf("threshold %d for a committee of %d", b.t, b.n))
	case session != r.Session.ID:
		return nil, ceremonyErr(fmt.Errorf("a ceremony message of session %q", session))
	case trustee < 1 || trustee > b.n:
		return nil, ceremonyErr(fmt.Errorf("trustee %d of a committee of %d", trustee, b.n))
	case seen[trustee]:
		return nil, ceremonyErr(fmt.Errorf("a second message of this round from trustee %d", trustee))
	case needRound1 && b.round1[trustee] == nil:
		return nil, ceremonyErr(fmt.Errorf("trustee %d sent a later round before its round 1", trustee))
	}
	return b, nil
}

// canonical requires an entry's data to be the canonical encoding of what
// it parsed to, as the service logs every message of section 11: two
// logs of the same vote then differ in no byte, and a parser's leniency
// (a duplicate member, another number form) cannot hide a second reading.
func canonical(e *audit.Entry, want []byte, kind func(error) error) error {
	if !bytes.Equal(e.Data, want) {
		return kind(fmt.Errorf("the %s data is not in its canonical encoding", e.Type))
	}
	return nil
}

func present[T any](m map[int]T) map[int]bool {
	out := make(map[int]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func (r *Replay) keyCeremonyRound1(e *audit.Entry) error {
	m, err := box.ParseRound1(e.Data)
	if err != nil {
		return ceremonyErr(fmt.Errorf("malformed round 1: %w", err))
	}
	if err := canonical(e, box.FormatRound1(m), ceremonyErr); err != nil {
		return err
	}
	b, err := r.ceremonyMessage(m.Session, m.Trustee, nil, false)
	if err != nil {
		return err
	}
	if b.round1[m.Trustee] != nil {
		return ceremonyErr(fmt.Errorf("a second round 1 from trustee %d", m.Trustee))
	}
	if err := box.VerifyRound1(m, r.Session.ID, b.n, b.t); err != nil {
		return ceremonyErr(fmt.Errorf("round 1 of trustee %d: %w", m.Trustee, err))
	}
	b.round1[m.Trustee] = m
	return nil
}

func (r *Replay) keyCeremonyRound2(e *audit.Entry) error {
	m, err := box.ParseRound2(e.Data)
	if err != nil {
		return ceremonyErr(fmt.Errorf("malformed round 2: %w", err))
	}
	if err := canonical(e, box.FormatRound2(m), ceremonyErr); err != nil {
		return err
	}
	var seen map[int]bool
	if r.box != nil {
		seen = present(r.box.round2)
	}
	b, err := r.ceremonyMessage(m.Session, m.Trustee, seen, true)
	if err != nil {
		return err
	}
	b.round2[m.Trustee] = m
	return nil
}

func (r *Replay) keyCeremonyRound3(e *audit.Entry) error {
	m, err := box.ParseRound3(e.Data)
	if err != nil {
		return ceremonyErr(fmt.Errorf("malformed round-3 statement: %w", err))
	}
	if err := canonical(e, box.FormatRound3(m), ceremonyErr); err != nil {
		return err
	}
	var seen map[int]bool
	if r.box != nil {
		seen = present(r.box.round3)
	}
	b, err := r.ceremonyMessage(m.Session, m.Trustee, seen, true)
	if err != nil {
		return err
	}
	b.round3[m.Trustee] = m
	return nil
}

// keyCeremonyCompleted qualifies the ceremony again from the logged
// messages and requires exactly the logged outcome.
func (r *Replay) keyCeremonyCompleted(e *audit.Entry) error {
	var d audit.KeyCeremonyCompletedData
	if err := strictDecode(e, &d); err != nil {
		return ceremonyErr(err)
	}
	b, err := r.enc()
	if err != nil {
		return err
	}
	if r.Ceremony != nil {
		return ceremonyErr(errors.New("a second KeyCeremonyCompleted"))
	}
	if b.n < 2 {
		return ceremonyErr(errors.New("the ceremony completed without a counting committee"))
	}
	logged, err := box.ParseCeremony(d.Result)
	if err != nil {
		return ceremonyErr(fmt.Errorf("malformed result: %w", err))
	}
	if !slices.IsSorted(d.Absent) || len(slices.Compact(slices.Clone(d.Absent))) != len(d.Absent) {
		return ceremonyErr(errors.New("the absent trustees are not listed once each in ascending order"))
	}
	var r1 []*box.Round1
	var r2 []*box.Round2
	var complaints []*box.Complaint
	for i := 1; i <= b.n; i++ {
		absent := slices.Contains(d.Absent, i)
		if !absent && (b.round1[i] == nil || b.round2[i] == nil || b.round3[i] == nil) {
			return ceremonyErr(fmt.Errorf("the ceremony completed while trustee %d, not declared absent, had a message missing", i))
		}
		if m := b.round1[i]; m != nil {
			r1 = append(r1, m)
		}
		if m := b.round2[i]; m != nil {
			r2 = append(r2, m)
		}
		if m := b.round3[i]; m != nil {
			complaints = append(complaints, m.Complaints...)
		}
	}
	for _, i := range d.Absent {
		if i < 1 || i > b.n {
			return ceremonyErr(fmt.Errorf("absent trustee %d of a committee of %d", i, b.n))
		}
	}
	want, err := box.Qualify(r.Session.ID, b.n, b.t, r1, r2, complaints)
	if err != nil {
		return ceremonyErr(fmt.Errorf("the logged messages do not qualify: %w", err))
	}
	if !bytes.Equal(box.FormatCeremony(want), box.FormatCeremony(logged)) {
		return ceremonyErr(errors.New("KeyCeremonyCompleted is not what the logged messages qualify to (qualified trustees, joint key or verification keys differ)"))
	}
	r.Ceremony = want
	return nil
}

// openEncrypted is SessionOpened's part for an encrypted session.
func (r *Replay) openEncrypted() error {
	if r.Ceremony == nil {
		return ceremonyErr(errors.New("an encrypted session opened before its key ceremony completed"))
	}
	return nil
}

// closeEncrypted is SessionClosed's part for an encrypted session.
func (r *Replay) closeEncrypted() error {
	b, err := r.enc()
	if err != nil {
		return err
	}
	b.params = &box.Params{Session: r.Session.ID, JointKey: r.Ceremony.JointKey, Lines: len(r.Cadres), Options: r.Session.Box.Options}
	if b.summer, err = box.NewSummer(b.params); err != nil {
		return ceremonyErr(err)
	}
	b.sums = newTallySum(b.params)
	return nil
}

// tallySum adds up the encrypted tallies of verified batches (what
// box.VerifyAndSum returns), so that the replay keeps only the sums.
type tallySum struct {
	p           *box.Params
	alpha, beta []*ristretto255.Element // [line*options+option]
	ballots     int
	multiple    []int
}

func newTallySum(p *box.Params) *tallySum {
	s := &tallySum{p: p, alpha: make([]*ristretto255.Element, p.Lines*p.Options), beta: make([]*ristretto255.Element, p.Lines*p.Options),
		multiple: make([]int, p.Lines)}
	for i := range s.alpha {
		s.alpha[i], s.beta[i] = ristretto255.NewElement(), ristretto255.NewElement()
	}
	return s
}

func (s *tallySum) add(t *box.Tally) error {
	if len(t.Lines) != s.p.Lines || len(t.MultipleMarks) != s.p.Lines {
		return fmt.Errorf("failed to sum ballots: a batch's tally has %d lines, want %d", len(t.Lines), s.p.Lines)
	}
	for k, line := range t.Lines {
		if len(line) != s.p.Options {
			return fmt.Errorf("failed to sum ballots: line %d of a batch's tally has %d options", k+1, len(line))
		}
		for i, ct := range line {
			a, b := ristretto255.NewElement(), ristretto255.NewElement()
			if err := errors.Join(a.Decode(ct.Alpha[:]), b.Decode(ct.Beta[:])); err != nil {
				return fmt.Errorf("failed to sum ballots: line %d, option %d: %w", k+1, i+1, err)
			}
			n := k*s.p.Options + i
			s.alpha[n].Add(s.alpha[n], a)
			s.beta[n].Add(s.beta[n], b)
		}
		s.multiple[k] += t.MultipleMarks[k]
	}
	s.ballots += t.Ballots
	return nil
}

// tally is the encrypted tally of every batch added, encoded as
// box.Summer encodes it.
func (s *tallySum) tally() *box.Tally {
	t := &box.Tally{Session: s.p.Session, Ballots: s.ballots, MultipleMarks: slices.Clone(s.multiple), Lines: make([][]box.Ciphertext, s.p.Lines)}
	for k := range t.Lines {
		t.Lines[k] = make([]box.Ciphertext, s.p.Options)
		for i := range t.Lines[k] {
			n := k*s.p.Options + i
			copy(t.Lines[k][i].Alpha[:], s.alpha[n].Encode(nil))
			copy(t.Lines[k][i].Beta[:], s.beta[n].Encode(nil))
		}
	}
	return t
}

func (r *Replay) encryptedBallot(e *audit.Entry) error {
	b, err := r.enc()
	if err != nil {
		return err
	}
	bal, err := box.ParseBallot(e.Data)
	if err != nil {
		return proofErr(fmt.Errorf("malformed encrypted ballot: %w", err))
	}
	if !bytes.Equal(box.FormatBallot(bal), e.Data) {
		return proofErr(errors.New("the encrypted ballot is not in its canonical encoding"))
	}
	tracker := audit.Hash(bal.Tracker(b.params))
	if b.sealed > 0 && compareHash(b.last, tracker) >= 0 {
		return errors.New("sealed ballots are not in ascending order of tracker (or one is repeated)")
	}
	card := audit.Hash(bal.Card)
	if b.cards[card] {
		return tokenErr(fmt.Errorf("card %s… cast two sealed ballots", card.String()[:12]))
	}
	if !r.Issued[card] {
		return tokenErr(fmt.Errorf("the ballot of card %s… comes from a card that was never issued", card.String()[:12]))
	}
	if r.Revoked[card] {
		return tokenErr(fmt.Errorf("the ballot of card %s… comes from a revoked card", card.String()[:12]))
	}
	if len(bal.MultipleMarks) > 0 && !r.Paper[card] {
		return proofErr(fmt.Errorf("the ballot of card %s… flags multiple marks but its card is not a paper ballot", card.String()[:12]))
	}
	b.cards[card], b.last, b.sealed = true, tracker, b.sealed+1
	b.pending, b.seqs = append(b.pending, bal), append(b.seqs, e.Seq)
	if len(b.pending) == ballotBatch {
		return r.flushBallots()
	}
	return nil
}

// flushBallots verifies and sums the pending ballots; an error names the
// entry of the first bad one.
func (r *Replay) flushBallots() error {
	b := r.box
	if len(b.pending) == 0 {
		return nil
	}
	var err error
	var batch *box.Tally
	if r.skipProofs {
		for i, bal := range b.pending {
			if serr := box.VerifySignature(b.params, bal); serr != nil {
				err = &box.BallotError{Ballot: i, Err: serr}
				break
			}
		}
	} else {
		// One pass decodes every element once for the proofs and the
		// sum: decoding a point costs about as much as a tenth of the
		// proof checks, and Summer.Add would do it again, on one core.
		// Multiple marks are allowed here because encryptedBallot has
		// already refused them on every card not issued as paper.
		batch, err = box.VerifyAndSum(rand.Reader, b.params, b.pending, true)
	}
	if err != nil {
		seq := b.seqs[len(b.seqs)-1]
		var be *box.BallotError
		if errors.As(err, &be) && be.Ballot >= 0 && be.Ballot < len(b.seqs) {
			seq = b.seqs[be.Ballot]
			// The entry is named; its place in the batch means nothing
			// to whoever reads the report.
			c := *be
			c.Ballot = -1
			err = &c
		}
		return &audit.ChainError{Seq: seq, Err: proofErr(fmt.Errorf("encrypted ballot: %w", err))}
	}
	if batch != nil {
		if err := b.sums.add(batch); err != nil {
			return &audit.ChainError{Seq: b.seqs[0], Err: proofErr(err)}
		}
	} else if err := b.summer.Add(b.pending); err != nil {
		return &audit.ChainError{Seq: b.seqs[0], Err: proofErr(err)}
	}
	if !r.skipProofs {
		b.verified += len(b.pending)
	}
	b.pending, b.seqs = b.pending[:0], b.seqs[:0]
	return nil
}

// sealEncrypted is BallotsSealed's part: the last batch is verified.
func (r *Replay) sealEncrypted() error {
	if r.box == nil {
		if _, err := r.enc(); err != nil {
			return err
		}
	}
	return r.flushBallots()
}

// usedEncrypted is the check of one used card key against the sealed
// ballots: every card in TokensUsed cast exactly one sealed ballot (the
// counts are compared when the run ends).
func (r *Replay) usedEncrypted(card audit.Hash) error {
	if !r.box.cards[card] {
		return tokenErr(fmt.Errorf("used card %s… cast no sealed ballot", card.String()[:12]))
	}
	if r.Paper[card] {
		r.Proceedings.PaperBallots++
	}
	return nil
}

func (r *Replay) encryptedTally(e *audit.Entry) error {
	b, err := r.enc()
	if err != nil {
		return err
	}
	if r.EncryptedTally != nil {
		return errors.New("a second EncryptedTally")
	}
	logged, err := box.ParseTally(e.Data)
	if err != nil {
		return decryptionErr(fmt.Errorf("malformed encrypted tally: %w", err))
	}
	want := b.summer.Tally()
	if !r.skipProofs {
		want = b.sums.tally()
	}
	if !bytes.Equal(box.FormatTally(want), box.FormatTally(logged)) {
		return decryptionErr(errors.New("EncryptedTally is not the sum of the sealed ballots"))
	}
	r.EncryptedTally = want
	return nil
}

func (r *Replay) partialDecryption(e *audit.Entry) error {
	b, err := r.enc()
	if err != nil {
		return err
	}
	if r.EncryptedTally == nil {
		return errors.New("a partial decryption before EncryptedTally")
	}
	if r.Decrypted != nil {
		return errors.New("a partial decryption after DecryptedTally")
	}
	p, err := box.ParsePartial(e.Data)
	if err != nil {
		return decryptionErr(fmt.Errorf("malformed partial decryption: %w", err))
	}
	if err := canonical(e, box.FormatPartial(p), decryptionErr); err != nil {
		return err
	}
	if p.Session != r.Session.ID || !slices.Contains(r.Ceremony.Qualified, p.Trustee) {
		return decryptionErr(fmt.Errorf("a partial decryption of trustee %d, who is not a qualified trustee of this session", p.Trustee))
	}
	// A bad partial is logged as received and left out of the
	// combination; it is named, not a failure of the log. The trustee
	// may send a valid one after it, which the service combines: only
	// the partials that verify are kept, so that a bad one never hides
	// a good one of the same trustee.
	if box.VerifyPartial(b.params, r.Ceremony, r.EncryptedTally, p) != nil {
		if !slices.Contains(b.badParts, p.Trustee) {
			b.badParts = append(b.badParts, p.Trustee)
			slices.Sort(b.badParts)
		}
		return nil
	}
	b.partials = append(b.partials, p)
	return nil
}

func (r *Replay) decryptedTally(e *audit.Entry) error {
	b, err := r.enc()
	if err != nil {
		return err
	}
	if r.EncryptedTally == nil || r.Decrypted != nil {
		return errors.New("DecryptedTally must follow EncryptedTally, once")
	}
	res, err := box.ParseResult(e.Data)
	if err != nil {
		return decryptionErr(fmt.Errorf("malformed decrypted tally: %w", err))
	}
	if err := canonical(e, box.FormatResult(res), decryptionErr); err != nil {
		return err
	}
	var used []*box.Partial
	for _, p := range b.partials {
		if slices.Contains(res.Trustees, p.Trustee) {
			used = append(used, p)
		}
	}
	for _, j := range res.Trustees {
		if !slices.ContainsFunc(used, func(p *box.Partial) bool { return p.Trustee == j }) && slices.Contains(b.badParts, j) {
			return decryptionErr(fmt.Errorf("DecryptedTally combines trustee %d, whose logged partial decryption does not verify", j))
		}
	}
	if err := box.VerifyResult(b.params, r.Ceremony, r.EncryptedTally, used, res); err != nil {
		return decryptionErr(fmt.Errorf("the decrypted tally does not follow from the partial decryptions: %w", err))
	}
	lines := make([]tally.LineTotals, len(res.Lines))
	formal := tally.Rules(r.Session.Rules).Formal()
	for k, l := range res.Lines {
		lines[k] = tally.LineTotals{Unmarked: l.Invalid - l.MultipleMarks, Multiple: l.MultipleMarks}
		switch {
		case formal && len(l.Counts) == 2:
			// tín nhiệm, không tín nhiệm: the normal and low slots.
			lines[k].Counts = [3]int{0, l.Counts[0], l.Counts[1]}
		case !formal && len(l.Counts) == 3:
			lines[k].Counts = [3]int{l.Counts[0], l.Counts[1], l.Counts[2]}
		default:
			return decryptionErr(fmt.Errorf("line %d has %d counts, a rating has 3 and a formal vote 2", k+1, len(l.Counts)))
		}
	}
	if err := r.counter.AddTotals(res.Ballots, lines); err != nil {
		return decryptionErr(err)
	}
	r.Decrypted = res
	return nil
}

// BadPartials names the trustees whose logged partial decryption does not
// verify, which the tally left out.
func (r *Replay) BadPartials() []int {
	if r.box == nil {
		return nil
	}
	return slices.Clone(r.box.badParts)
}

// ProofsVerified returns how many sealed encrypted ballots had their
// proofs checked (all of them unless LogOptions.SkipBallotProofs).
func (r *Replay) ProofsVerified() int {
	if r.box == nil {
		return 0
	}
	return r.box.verified
}
