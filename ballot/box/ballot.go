package box

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"

	"github.com/gtank/ristretto255"
)

// MultipleMarks is the choice for a line of a paper ballot that carries two or more marks: the line is entered as
// it is, flagged, and encrypts no option (SPEC.md 11.5), so it counts invalid for that cadre.
const MultipleMarks = -1

// Ciphertext is an exponential ElGamal ciphertext (α, β) = (r·G, m·G + r·Y).
type Ciphertext struct {
	Alpha, Beta Point
}

// Line is one ballot line: a ciphertext per option and the proof that at most one of them encrypts 1.
type Line struct {
	Ciphertexts []Ciphertext // one per option, in option order
	Challenges  []Scalar     // c_j, one per branch
	Responses   []Scalar     // s_j, one per branch
	Hints       []Point      // A_0, B_0, A_1, B_1, …, or nil; they let a verifier batch the checks
}

// Ballot is an encrypted ballot as cast: valid only if every line proof verifies and the card's signature covers
// its ballot bytes (SPEC.md 11.5). A Ballot reveals no choice to anyone who does not hold t trustees' keys.
type Ballot struct {
	Card          [32]byte // the card's Ed25519 public key
	MultipleMarks []int    // ascending lines flagged as carrying several marks (paper ballots only)
	Lines         []Line
	Signature     [64]byte
}

// BallotSecrets are the randomness of each ciphertext of a ballot (line by line, option by option). With them
// anyone can read the ballot, so a device keeps them only to let the voter check a ballot it will not cast.
type BallotSecrets struct {
	Randomness [][]Scalar
}

// BallotError says which ballot (in a batch), line and option failed, so that a refusal can name the fault.
type BallotError struct {
	Ballot int // index in the list given to VerifyBallots, or -1 for VerifyBallot
	Line   int // 1-based, or 0 when the fault is not in one line
	Option int // 1-based, or 0 when the fault is not in one ciphertext
	Err    error
}

func (e *BallotError) Error() string {
	msg := ""
	if e.Ballot >= 0 {
		msg = fmt.Sprintf("ballot %d: ", e.Ballot+1)
	}
	if e.Line > 0 {
		msg += fmt.Sprintf("line %d: ", e.Line)
	}
	if e.Option > 0 {
		msg += fmt.Sprintf("option %d: ", e.Option)
	}
	return msg + e.Err.Error()
}

func (e *BallotError) Unwrap() error { return e.Err }

// ErrSignature is the error inside a BallotError when the card's signature does not verify.
var ErrSignature = errors.New("the card's signature does not verify")

// EncryptBallot encrypts choices (one per line: 0 for no mark, 1…L for an option, MultipleMarks for a paper line with
// several marks), proves every line, and signs the ballot with the card's key. The time it takes does not depend on
// the choices.
func EncryptBallot(rand io.Reader, p *Params, card ed25519.PrivateKey, choices []int) (*Ballot, *BallotSecrets, error) {
	y, err := p.key()
	if err != nil {
		return nil, nil, fmt.Errorf("failed to encrypt a ballot: %w", err)
	}
	if len(card) != ed25519.PrivateKeySize {
		return nil, nil, errors.New("failed to encrypt a ballot: not an Ed25519 private key")
	}
	if len(choices) != p.Lines {
		return nil, nil, fmt.Errorf("failed to encrypt a ballot: %d choices for %d lines", len(choices), p.Lines)
	}
	b := &Ballot{Lines: make([]Line, p.Lines)}
	copy(b.Card[:], card.Public().(ed25519.PublicKey))
	secrets := &BallotSecrets{Randomness: make([][]Scalar, p.Lines)}
	for k, choice := range choices {
		branches := p.Options + 1
		if choice == MultipleMarks {
			b.MultipleMarks = append(b.MultipleMarks, k+1)
			choice, branches = 0, 1
		} else if choice < 0 || choice > p.Options {
			return nil, nil, fmt.Errorf("failed to encrypt a ballot: line %d: choice %d is not between 0 and %d", k+1, choice, p.Options)
		}
		line := &b.Lines[k]
		line.Ciphertexts = make([]Ciphertext, p.Options)
		r := make([]*ristretto255.Scalar, p.Options)
		alpha := make([]*ristretto255.Element, p.Options)
		beta := make([]*ristretto255.Element, p.Options)
		for i := range r {
			if r[i], err = randomScalar(rand); err != nil {
				return nil, nil, fmt.Errorf("failed to encrypt a ballot: %w", err)
			}
			// m_i = 1 exactly for the chosen option, selected without a branch on the choice.
			m := ctSelectScalar(subtle.ConstantTimeEq(int32(choice), int32(i+1)), scalarFromInt(1), ristretto255.NewScalar())
			alpha[i] = ristretto255.NewElement().ScalarBaseMult(r[i])
			beta[i] = ristretto255.NewElement().Add(
				ristretto255.NewElement().ScalarBaseMult(m),
				ristretto255.NewElement().ScalarMult(r[i], y))
			line.Ciphertexts[i] = Ciphertext{pointOf(alpha[i]), pointOf(beta[i])}
			secrets.Randomness[k] = append(secrets.Randomness[k], scalarOf(r[i]))
		}
		line.Challenges, line.Responses, line.Hints, err = proveLine(rand, p, y, &b.Card, k+1, branches, choice, r, line.Ciphertexts, alpha, beta)
		if err != nil {
			return nil, nil, fmt.Errorf("failed to encrypt a ballot: %w", err)
		}
	}
	copy(b.Signature[:], ed25519.Sign(card, b.Bytes(p)))
	return b, secrets, nil
}

// Bytes returns the ballot bytes of SPEC.md 11.5: what the card signs and what the tracker hashes. Hints are not
// part of them, since they follow from the rest.
func (b *Ballot) Bytes(p *Params) []byte {
	t := &transcript{h: sha256.New(), buf: make([]byte, 0, 4096)}
	t.str("tinnhiem/box/v1/ballot")
	p.context(t)
	t.bytes(b.Card[:])
	t.u32(len(b.MultipleMarks))
	for _, k := range b.MultipleMarks {
		t.u32(k)
	}
	for _, l := range b.Lines {
		for _, ct := range l.Ciphertexts {
			t.point(ct.Alpha)
			t.point(ct.Beta)
		}
		for j := range l.Challenges {
			t.scalar(l.Challenges[j])
			if j < len(l.Responses) {
				t.scalar(l.Responses[j])
			}
		}
	}
	return t.buf
}

// Tracker returns SHA-256 of the ballot bytes: the voter's receipt, and the order in which ballots are sealed.
func (b *Ballot) Tracker(p *Params) [32]byte {
	return sha256.Sum256(b.Bytes(p))
}

// StripHints returns a copy of b without hints: the same ballot (same bytes, tracker and signature), smaller, whose
// verification cannot be batched.
func (b *Ballot) StripHints() *Ballot {
	c := *b
	c.Lines = make([]Line, len(b.Lines))
	for k, l := range b.Lines {
		l.Hints = nil
		c.Lines[k] = l
	}
	return &c
}

// VerifyBallot checks a ballot cast with a card: its shape, every line proof, and the card's signature. A ballot
// flagging multiple-mark lines is refused unless allowMultipleMarks (a paper ballot entered by the committee).
// The error is a *BallotError naming the line and option at fault.
func VerifyBallot(p *Params, b *Ballot, allowMultipleMarks bool) error {
	err := VerifyBallots(rand.Reader, p, []*Ballot{b}, allowMultipleMarks)
	var be *BallotError
	if errors.As(err, &be) {
		be.Ballot = -1
	}
	return err
}

// batchPoints bounds the size of one multi-scalar multiplication, so that a batch of many ballots needs little
// memory; each chunk is checked on its own, which is as sound as one sum.
const batchPoints = 4096

// VerifyBallots checks many ballots (at close, or in the verifier), batching the equations of every line that
// carries hints into few multi-scalar multiplications with random 128-bit weights read from rand. When a batch fails,
// its ballots and then their lines are checked one by one, and the first bad one is named in a *BallotError.
func VerifyBallots(rand io.Reader, p *Params, ballots []*Ballot, allowMultipleMarks bool) error {
	y, err := p.key()
	if err != nil {
		return fmt.Errorf("failed to verify ballots: %w", err)
	}
	acc := newBatch(rand, y)
	start := 0 // first ballot in the current chunk
	for n, b := range ballots {
		if err := verifyBallotLines(p, y, b, allowMultipleMarks, acc); err != nil {
			err.Ballot = n
			return err
		}
		if len(acc.points) >= batchPoints || n == len(ballots)-1 {
			if !acc.holds() {
				return findBad(p, y, ballots, start, n, allowMultipleMarks, rand)
			}
			start = n + 1
		}
	}
	return nil
}

// verifyBallotLines does every check of one ballot except the batched equations, which it adds to acc.
func verifyBallotLines(p *Params, y *ristretto255.Element, b *Ballot, allowMultipleMarks bool, acc *batch) *BallotError {
	fail := func(line int, err error) *BallotError {
		be := &BallotError{Line: line, Err: err}
		var oe *optionError
		if errors.As(err, &oe) {
			be.Option = oe.option
		}
		return be
	}
	if len(b.Lines) != p.Lines {
		return fail(0, fmt.Errorf("%d lines, want %d", len(b.Lines), p.Lines))
	}
	multi := make(map[int]bool, len(b.MultipleMarks))
	for n, k := range b.MultipleMarks {
		if !allowMultipleMarks {
			return fail(k, errors.New("a ballot cast with a card cannot flag multiple marks"))
		}
		if k < 1 || k > p.Lines || (n > 0 && k <= b.MultipleMarks[n-1]) {
			return fail(0, errors.New("multiple-mark lines must be ascending line numbers"))
		}
		multi[k] = true
	}
	if !ed25519.Verify(b.Card[:], b.Bytes(p), b.Signature[:]) {
		return fail(0, ErrSignature)
	}
	for k := range b.Lines {
		branches := p.Options + 1
		if multi[k+1] {
			branches = 1
		}
		if err := verifyLine(p, y, &b.Card, k+1, branches, &b.Lines[k], acc); err != nil {
			return fail(k+1, err)
		}
	}
	return nil
}

// findBad checks ballots[from..to] one by one, then the lines of the first failing one, to name it.
func findBad(p *Params, y *ristretto255.Element, ballots []*Ballot, from, to int, allowMultipleMarks bool, rand io.Reader) error {
	for n := from; n <= to; n++ {
		acc := newBatch(rand, y)
		if err := verifyBallotLines(p, y, ballots[n], allowMultipleMarks, acc); err != nil {
			err.Ballot = n
			return err
		}
		if acc.holds() {
			continue
		}
		b := ballots[n]
		for k := range b.Lines {
			branches := p.Options + 1
			for _, m := range b.MultipleMarks {
				if m == k+1 {
					branches = 1
				}
			}
			acc := newBatch(rand, y)
			if err := verifyLine(p, y, &b.Card, k+1, branches, &b.Lines[k], acc); err != nil || !acc.holds() {
				return &BallotError{Ballot: n, Line: k + 1, Err: errLineProof}
			}
		}
		return &BallotError{Ballot: n, Err: errLineProof}
	}
	// A chunk that fails as a whole while each of its ballots holds has a false equation that the random weights
	// happened to hide in one check and not in the other: with 128-bit weights that does not happen.
	return &BallotError{Ballot: from, Err: errors.New("batch verification failed but no ballot was found at fault")}
}
