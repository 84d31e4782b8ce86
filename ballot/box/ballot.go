package box

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

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

// Error says where the fault is, then what it is.
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

// Unwrap returns the fault itself, for errors.Is (ErrSignature, for one).
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
// memory and the multiplication's tables (1.3 KB a point) stay in the core's cache: at 4096 points they did not,
// and a batch cost more per ballot than one ballot alone. Each chunk is checked on its own, which is as sound as
// one sum; the doublings a chunk adds are under 2 % of its work.
const batchPoints = 256

// VerifyBallots checks many ballots (at close, or in the verifier): shape, flags and signature of each, the challenge
// of every line, and the equations of every line that carries hints batched into few multi-scalar multiplications
// with random 128-bit weights (a seed read from rand expands into them). The work is spread over the available
// processors. When a batch fails, its lines are checked one by one; the error is a *BallotError naming the first
// bad ballot in the list, and in it the first bad line.
func VerifyBallots(rand io.Reader, p *Params, ballots []*Ballot, allowMultipleMarks bool) error {
	_, err := verifyAll(rand, p, ballots, allowMultipleMarks, false)
	return err
}

// VerifyAndSum is VerifyBallots followed by Sum in one pass: each element is decoded once, for both. It is what the
// server does at close and the verifier does with a bundle. The tally is returned only when every ballot is valid.
func VerifyAndSum(rand io.Reader, p *Params, ballots []*Ballot, allowMultipleMarks bool) (*Tally, error) {
	return verifyAll(rand, p, ballots, allowMultipleMarks, true)
}

func verifyAll(rand io.Reader, p *Params, ballots []*Ballot, allowMultipleMarks, sum bool) (*Tally, error) {
	y, err := p.key()
	if err != nil {
		return nil, fmt.Errorf("failed to verify ballots: %w", err)
	}
	var seed [32]byte
	if _, err := io.ReadFull(rand, seed[:]); err != nil {
		return nil, fmt.Errorf("failed to verify ballots: failed to read randomness: %w", err)
	}
	workers := runtime.GOMAXPROCS(0)
	errs := make([]*BallotError, len(ballots)) // the first error found in each ballot

	// Per ballot: shape and multiple-mark flags, which every line's check needs first.
	branches := make([][]int, len(ballots))
	for n, b := range ballots {
		branches[n], errs[n] = checkShape(p, b, allowMultipleMarks)
	}

	// Per line, in chunks of consecutive lines: challenge checks here, equations in the chunk's batch. The
	// signatures are checked beside the chunks, in the same pool, so that one ballot's signature does not wait
	// for its lines or hold them up.
	type job struct{ ballot, line int }
	var jobs []job
	var signed []int // the ballots whose shape holds, whose signature is to be checked
	for n, b := range ballots {
		if errs[n] == nil {
			signed = append(signed, n)
			for k := range b.Lines {
				jobs = append(jobs, job{n, k})
			}
		}
	}
	perLine := 4*p.Options + 2
	size := max(1, min(batchPoints/perLine, (len(jobs)+workers-1)/max(1, workers)))
	chunks := (len(jobs) + size - 1) / size
	lineErrs := make([]*BallotError, len(jobs))
	badSignature := make([]bool, len(ballots))
	sums := make([]*sums, chunks)
	parallel(workers, len(signed)+chunks, func(t int) {
		if t < len(signed) {
			b := ballots[signed[t]]
			badSignature[signed[t]] = !ed25519.Verify(b.Card[:], b.Bytes(p), b.Signature[:])
			return
		}
		c := t - len(signed)
		lo, hi := c*size, min(len(jobs), (c+1)*size)
		acc := newBatch(newWeightStream(seed, uint64(c)), y, (hi-lo)*perLine)
		if sum {
			sums[c] = newSums(p)
		}
		for n := lo; n < hi; n++ {
			j := jobs[n]
			b := ballots[j.ballot]
			alpha, beta, err := verifyLineElements(p, y, &b.Card, j.line+1, branches[j.ballot][j.line], &b.Lines[j.line], acc)
			if err != nil {
				lineErrs[n] = lineError(j.line+1, err)
			} else if sum {
				sums[c].add(j.line, alpha, beta)
			}
		}
		if acc.holds() {
			return
		}
		// Name the culprit: each line of the chunk in a batch of its own.
		for n := lo; n < hi; n++ {
			j := jobs[n]
			b := ballots[j.ballot]
			one := newBatch(newWeightStream(seed, uint64(chunks+n)), y, perLine)
			if lineErrs[n] == nil && (verifyLine(p, y, &b.Card, j.line+1, branches[j.ballot][j.line], &b.Lines[j.line], one) != nil || !one.holds()) {
				lineErrs[n] = &BallotError{Line: j.line + 1, Err: errLineProof}
			}
		}
	})
	// A ballot's fault is reported in the order the checks were once made one after the other: shape, then
	// signature, then its first bad line.
	for n, bad := range badSignature {
		if bad && errs[n] == nil {
			errs[n] = &BallotError{Err: ErrSignature}
		}
	}
	for n, e := range lineErrs {
		if e != nil && errs[jobs[n].ballot] == nil {
			errs[jobs[n].ballot] = e
		}
	}
	for n, e := range errs {
		if e != nil {
			e.Ballot = n
			return nil, e
		}
	}
	if !sum {
		return nil, nil
	}
	total := newSums(p)
	for _, s := range sums {
		total.merge(s)
	}
	return total.tally(p, ballots), nil
}

// parallel runs f(0…n−1) on up to workers goroutines and waits for all of them.
func parallel(workers, n int, f func(int)) {
	if workers <= 1 || n <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}

func lineError(line int, err error) *BallotError {
	be := &BallotError{Line: line, Err: err}
	var oe *optionError
	if errors.As(err, &oe) {
		be.Option = oe.option
	}
	return be
}

// checkShape checks a ballot's number of lines and its multiple-mark flags, and returns each line's branch count.
func checkShape(p *Params, b *Ballot, allowMultipleMarks bool) ([]int, *BallotError) {
	if len(b.Lines) != p.Lines {
		return nil, &BallotError{Err: fmt.Errorf("%d lines, want %d", len(b.Lines), p.Lines)}
	}
	branches := make([]int, p.Lines)
	for k := range branches {
		branches[k] = p.Options + 1
	}
	for n, k := range b.MultipleMarks {
		if !allowMultipleMarks {
			return nil, &BallotError{Line: k, Err: errors.New("a ballot cast with a card cannot flag multiple marks")}
		}
		if k < 1 || k > p.Lines || (n > 0 && k <= b.MultipleMarks[n-1]) {
			return nil, &BallotError{Err: errors.New("multiple-mark lines must be ascending line numbers")}
		}
		branches[k-1] = 1
	}
	return branches, nil
}

// weightStream expands a random seed into the weights of one batch: SHA-512(tag, seed, batch, counter) blocks.
// The seed is drawn after the ballots are fixed, so the weights are as unpredictable to their authors as fresh
// randomness, and each goroutine has its own stream.
type weightStream struct {
	seed  [32]byte
	batch uint64
	n     uint64
	buf   []byte
}

func newWeightStream(seed [32]byte, batch uint64) *weightStream {
	return &weightStream{seed: seed, batch: batch}
}

func (w *weightStream) Read(p []byte) (int, error) {
	for len(w.buf) < len(p) {
		h := sha512.New()
		h.Write([]byte("tinnhiem/box/v1/batch-weights"))
		h.Write(w.seed[:])
		var ctr [16]byte
		binary.BigEndian.PutUint64(ctr[:8], w.batch)
		binary.BigEndian.PutUint64(ctr[8:], w.n)
		w.n++
		h.Write(ctr[:])
		w.buf = h.Sum(w.buf)
	}
	copy(p, w.buf)
	w.buf = w.buf[len(p):]
	return len(p), nil
}
