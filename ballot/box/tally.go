package box

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/gtank/ristretto255"
)

// Tally is the encrypted tally of SPEC.md 11.7: per line and option, the sum of the sealed ballots' ciphertexts,
// which encrypts the number of ballots that chose that option. Anyone recomputes it from the ballots.
type Tally struct {
	Session       string
	Ballots       int            // V, the number of ballots summed
	Lines         [][]Ciphertext // [line][option]
	MultipleMarks []int          // per line, how many ballots flag it as carrying several marks (public)
}

// Sum adds up the ciphertexts of ballots that the caller has verified (VerifyBallots); it checks only their shape and
// encodings. VerifyAndSum does both in one pass.
func Sum(p *Params, ballots []*Ballot) (*Tally, error) {
	s, err := NewSummer(p)
	if err != nil {
		return nil, err
	}
	if err := s.Add(ballots); err != nil {
		return nil, err
	}
	return s.Tally(), nil
}

// Summer adds ballots to an encrypted tally a batch at a time, so that a verifier streaming a log of any size keeps
// only the sums, never the ballots. Sum is a Summer fed one batch: the two always agree.
type Summer struct {
	p        *Params
	s        *sums
	ballots  int
	multiple []int
}

// NewSummer starts an empty tally for the session of p.
func NewSummer(p *Params) (*Summer, error) {
	if _, err := p.key(); err != nil {
		return nil, fmt.Errorf("failed to sum ballots: %w", err)
	}
	return &Summer{p: p, s: newSums(p), multiple: make([]int, p.Lines)}, nil
}

// Add sums ballots that the caller has verified (VerifyBallots), checking only their shape and encodings. A batch
// with a bad ballot is refused whole and changes nothing; the error counts ballots from 1 within the batch.
func (sm *Summer) Add(ballots []*Ballot) error {
	p := sm.p
	batch := newSums(p)
	for n, b := range ballots {
		if len(b.Lines) != p.Lines {
			return fmt.Errorf("failed to sum ballots: ballot %d has %d lines", n+1, len(b.Lines))
		}
		for k, l := range b.Lines {
			if len(l.Ciphertexts) != p.Options {
				return fmt.Errorf("failed to sum ballots: ballot %d, line %d has %d ciphertexts", n+1, k+1, len(l.Ciphertexts))
			}
			alpha := make([]*ristretto255.Element, p.Options)
			beta := make([]*ristretto255.Element, p.Options)
			for i, ct := range l.Ciphertexts {
				var err1, err2 error
				alpha[i], err1 = ct.Alpha.element(true)
				beta[i], err2 = ct.Beta.element(false)
				if err := errors.Join(err1, err2); err != nil {
					return fmt.Errorf("failed to sum ballots: ballot %d, line %d, option %d: %w", n+1, k+1, i+1, err)
				}
			}
			batch.add(k, alpha, beta)
		}
	}
	sm.s.merge(batch)
	sm.ballots += len(ballots)
	for _, b := range ballots {
		for _, k := range b.MultipleMarks {
			if k >= 1 && k <= p.Lines {
				sm.multiple[k-1]++
			}
		}
	}
	return nil
}

// Tally returns the encrypted tally of every ballot added so far.
func (sm *Summer) Tally() *Tally {
	t := sm.s.tally(sm.p, nil)
	t.Ballots = sm.ballots
	copy(t.MultipleMarks, sm.multiple)
	return t
}

// sums accumulates ciphertexts per line and option.
type sums struct {
	options int
	alpha   []*ristretto255.Element
	beta    []*ristretto255.Element
}

func newSums(p *Params) *sums {
	s := &sums{options: p.Options, alpha: make([]*ristretto255.Element, p.Lines*p.Options), beta: make([]*ristretto255.Element, p.Lines*p.Options)}
	for n := range s.alpha {
		s.alpha[n], s.beta[n] = ristretto255.NewElement(), ristretto255.NewElement()
	}
	return s
}

func (s *sums) add(line int, alpha, beta []*ristretto255.Element) {
	for i := range alpha {
		s.alpha[line*s.options+i].Add(s.alpha[line*s.options+i], alpha[i])
		s.beta[line*s.options+i].Add(s.beta[line*s.options+i], beta[i])
	}
}

func (s *sums) merge(o *sums) {
	for n := range s.alpha {
		s.alpha[n].Add(s.alpha[n], o.alpha[n])
		s.beta[n].Add(s.beta[n], o.beta[n])
	}
}

func (s *sums) tally(p *Params, ballots []*Ballot) *Tally {
	t := &Tally{Session: p.Session, Ballots: len(ballots), MultipleMarks: make([]int, p.Lines), Lines: make([][]Ciphertext, p.Lines)}
	for _, b := range ballots {
		for _, k := range b.MultipleMarks {
			if k >= 1 && k <= p.Lines {
				t.MultipleMarks[k-1]++
			}
		}
	}
	for k := range t.Lines {
		t.Lines[k] = make([]Ciphertext, p.Options)
		for i := range t.Lines[k] {
			t.Lines[k][i] = Ciphertext{pointOf(s.alpha[k*p.Options+i]), pointOf(s.beta[k*p.Options+i])}
		}
	}
	return t
}

func (t *Tally) check(p *Params) error {
	if t.Session != p.Session {
		return errors.New("the tally is of another session")
	}
	if t.Ballots < 0 || len(t.Lines) != p.Lines || len(t.MultipleMarks) != p.Lines {
		return errors.New("the tally does not have the session's shape")
	}
	for k, l := range t.Lines {
		if len(l) != p.Options {
			return fmt.Errorf("tally line %d has %d options", k+1, len(l))
		}
		if t.MultipleMarks[k] < 0 || t.MultipleMarks[k] > t.Ballots {
			return fmt.Errorf("tally line %d: multiple marks out of range", k+1)
		}
	}
	return nil
}

// Partial is one trustee's partial decryption of a tally: D = x_j·α for every sum, each with a proof that it used
// the key share behind its verification key (SPEC.md 11.8).
type Partial struct {
	Session string
	Trustee int
	Lines   []PartialLine
}

// PartialLine holds a line's decryption shares and the proof of each, in option order.
type PartialLine struct {
	Shares []Point // D_ki
	Proofs []Proof
}

// PartialError names the trustee, line and option of a partial decryption that does not verify.
type PartialError struct {
	Trustee      int
	Line, Option int // 0 when the fault is not in one share
	Err          error
}

// Error says where the fault is, then what it is.
func (e *PartialError) Error() string {
	msg := fmt.Sprintf("trustee %d: ", e.Trustee)
	if e.Line > 0 {
		msg += fmt.Sprintf("line %d: option %d: ", e.Line, e.Option)
	}
	return msg + e.Err.Error()
}

// Unwrap returns the fault itself, for errors.Is (ErrSignature, for one).
func (e *PartialError) Unwrap() error { return e.Err }

func partialTranscript(p *Params, j int, yj Point, k, i int, ct Ciphertext, d Point) *transcript {
	t := newTranscript("tinnhiem/box/v1/partial-decryption")
	p.context(t)
	t.u32(j)
	t.point(yj)
	t.u32(k)
	t.u32(i)
	t.point(ct.Alpha)
	t.point(ct.Beta)
	t.point(d)
	return t
}

// PartialDecrypt computes the trustee's partial decryption of every sum of the tally, with its proofs. It never
// decrypts anything by itself: t partials are needed to read a sum.
func PartialDecrypt(rand io.Reader, p *Params, key *TrusteeKey, tally *Tally) (*Partial, error) {
	if _, err := p.key(); err != nil {
		return nil, fmt.Errorf("failed to decrypt partially: %w", err)
	}
	if key.Session != p.Session || key.JointKey != p.JointKey {
		return nil, errors.New("failed to decrypt partially: the key share is of another session or joint key")
	}
	if err := tally.check(p); err != nil {
		return nil, fmt.Errorf("failed to decrypt partially: %w", err)
	}
	x, err := key.Secret.scalar()
	if err != nil {
		return nil, fmt.Errorf("failed to decrypt partially: key share: %w", err)
	}
	yj := pointOf(ristretto255.NewElement().ScalarBaseMult(x))
	out := &Partial{Session: p.Session, Trustee: key.Trustee, Lines: make([]PartialLine, p.Lines)}
	for k, line := range tally.Lines {
		pl := PartialLine{Shares: make([]Point, p.Options), Proofs: make([]Proof, p.Options)}
		for i, ct := range line {
			alpha, err := ct.Alpha.element(false)
			if err != nil {
				return nil, fmt.Errorf("failed to decrypt partially: line %d, option %d: %w", k+1, i+1, err)
			}
			d := pointOf(ristretto255.NewElement().ScalarMult(x, alpha))
			w, err := randomScalar(rand)
			if err != nil {
				return nil, fmt.Errorf("failed to decrypt partially: %w", err)
			}
			t := partialTranscript(p, key.Trustee, yj, k+1, i+1, ct, d)
			t.point(pointOf(ristretto255.NewElement().ScalarBaseMult(w)))
			t.point(pointOf(ristretto255.NewElement().ScalarMult(w, alpha)))
			c := t.challenge()
			pl.Shares[i] = d
			pl.Proofs[i] = Proof{scalarOf(c), scalarOf(ristretto255.NewScalar().Add(w, ristretto255.NewScalar().Multiply(c, x)))}
		}
		out.Lines[k] = pl
	}
	return out, nil
}

func (c *Ceremony) verificationKey(j int) (Point, bool) {
	for _, vk := range c.VerificationKeys {
		if vk.Trustee == j {
			return vk.Key, true
		}
	}
	return Point{}, false
}

// VerifyPartial checks a partial decryption against the ceremony's verification key of its trustee and the tally;
// the error is a *PartialError that names the trustee and the share at fault.
func VerifyPartial(p *Params, cer *Ceremony, tally *Tally, part *Partial) error {
	if _, err := p.key(); err != nil {
		return fmt.Errorf("failed to verify a partial decryption: %w", err)
	}
	if err := tally.check(p); err != nil {
		return fmt.Errorf("failed to verify a partial decryption: %w", err)
	}
	fail := func(k, i int, err error) error {
		return &PartialError{Trustee: part.Trustee, Line: k, Option: i, Err: err}
	}
	if cer.Session != p.Session || cer.JointKey != p.JointKey {
		return fail(0, 0, errors.New("the ceremony is not the session's"))
	}
	if part.Session != p.Session {
		return fail(0, 0, errors.New("the partial decryption is of another session"))
	}
	yjP, ok := cer.verificationKey(part.Trustee)
	if !ok {
		return fail(0, 0, errors.New("not a qualified trustee"))
	}
	yj, _ := yjP.element(false)
	if len(part.Lines) != p.Lines {
		return fail(0, 0, fmt.Errorf("%d lines, want %d", len(part.Lines), p.Lines))
	}
	for k, line := range tally.Lines {
		pl := part.Lines[k]
		if len(pl.Shares) != p.Options || len(pl.Proofs) != p.Options {
			return fail(k+1, 0, fmt.Errorf("%d shares, want %d", len(pl.Shares), p.Options))
		}
		for i, ct := range line {
			alpha, err1 := ct.Alpha.element(false)
			d, err2 := pl.Shares[i].element(false)
			c, err3 := pl.Proofs[i].C.scalar()
			s, err4 := pl.Proofs[i].S.scalar()
			if err := errors.Join(err1, err2, err3, err4); err != nil {
				return fail(k+1, i+1, err)
			}
			negC := ristretto255.NewScalar().Negate(c)
			r1 := ristretto255.NewElement().VarTimeDoubleScalarBaseMult(negC, yj, s)
			r2 := ristretto255.NewElement().VarTimeMultiScalarMult([]*ristretto255.Scalar{s, negC}, []*ristretto255.Element{alpha, d})
			t := partialTranscript(p, part.Trustee, yjP, k+1, i+1, ct, pl.Shares[i])
			t.point(pointOf(r1))
			t.point(pointOf(r2))
			if t.challenge().Equal(c) != 1 {
				return fail(k+1, i+1, errors.New("the proof of the decryption share does not verify"))
			}
		}
	}
	return nil
}

// Result is the decrypted tally of SPEC.md 11.9: per line, the count of each option, the invalid ballots for that
// line (no mark, or several on paper) and, of those, the ballots flagged with several marks.
type Result struct {
	Session  string
	Ballots  int
	Trustees []int // the t trustees whose partials were combined
	Lines    []ResultLine
}

// ResultLine is one line's counts.
type ResultLine struct {
	Counts        []int
	Invalid       int
	MultipleMarks int
}

// Combine checks every partial, leaves out (and returns) those that fail, combines t valid ones with Lagrange
// coefficients and solves the small discrete logarithms. Up to n − t missing or bad trustees do not stop it.
func Combine(p *Params, cer *Ceremony, tally *Tally, partials []*Partial) (*Result, []*PartialError, error) {
	if _, err := p.key(); err != nil {
		return nil, nil, fmt.Errorf("failed to combine partial decryptions: %w", err)
	}
	var bad []*PartialError
	good := make(map[int]*Partial)
	for _, part := range partials {
		if part == nil || good[part.Trustee] != nil {
			continue
		}
		if err := VerifyPartial(p, cer, tally, part); err != nil {
			var pe *PartialError
			if !errors.As(err, &pe) {
				return nil, bad, fmt.Errorf("failed to combine partial decryptions: %w", err)
			}
			bad = append(bad, pe)
			continue
		}
		good[part.Trustee] = part
	}
	if len(good) < cer.T {
		return nil, bad, fmt.Errorf("failed to combine partial decryptions: %d valid partial decryptions, %d needed", len(good), cer.T)
	}
	set := sortedKeys(good)[:cer.T]
	res, err := combineSet(p, tally, set, good)
	if err != nil {
		return nil, bad, fmt.Errorf("failed to combine partial decryptions: %w", err)
	}
	return res, bad, nil
}

// lagrange returns λ_j at 0 for every j of set.
func lagrange(set []int) []*ristretto255.Scalar {
	out := make([]*ristretto255.Scalar, len(set))
	for n, j := range set {
		num, den := scalarFromInt(1), scalarFromInt(1)
		for _, m := range set {
			if m == j {
				continue
			}
			num.Multiply(num, scalarFromInt(m))
			den.Multiply(den, ristretto255.NewScalar().Subtract(scalarFromInt(m), scalarFromInt(j)))
		}
		out[n] = ristretto255.NewScalar().Multiply(num, ristretto255.NewScalar().Invert(den))
	}
	return out
}

// decryptedPoints returns n·G = β − Σ λ_j·D_j for every sum, in line and option order.
func decryptedPoints(p *Params, tally *Tally, set []int, parts map[int]*Partial) []*ristretto255.Element {
	lambda := lagrange(set)
	out := make([]*ristretto255.Element, 0, p.Lines*p.Options)
	for k, line := range tally.Lines {
		for i, ct := range line {
			ds := make([]*ristretto255.Element, len(set))
			for n, j := range set {
				ds[n], _ = parts[j].Lines[k].Shares[i].element(false)
			}
			beta, _ := ct.Beta.element(false)
			d := ristretto255.NewElement().VarTimeMultiScalarMult(lambda, ds)
			out = append(out, ristretto255.NewElement().Subtract(beta, d))
		}
	}
	return out
}

func combineSet(p *Params, tally *Tally, set []int, parts map[int]*Partial) (*Result, error) {
	points := decryptedPoints(p, tally, set, parts)
	dl := newDiscreteLog(tally.Ballots)
	res := &Result{Session: p.Session, Ballots: tally.Ballots, Trustees: set, Lines: make([]ResultLine, p.Lines)}
	for k := range res.Lines {
		rl := ResultLine{Counts: make([]int, p.Options), MultipleMarks: tally.MultipleMarks[k]}
		sum := 0
		for i := range rl.Counts {
			n, ok := dl.solve(points[k*p.Options+i])
			if !ok {
				return nil, fmt.Errorf("line %d, option %d: the sum decrypts to no count between 0 and %d", k+1, i+1, tally.Ballots)
			}
			rl.Counts[i] = n
			sum += n
		}
		if sum > tally.Ballots {
			return nil, fmt.Errorf("line %d: counts add up to %d, more than %d ballots", k+1, sum, tally.Ballots)
		}
		rl.Invalid = tally.Ballots - sum
		res.Lines[k] = rl
	}
	return res, nil
}

// VerifyResult checks a result against the tally and the partials of its trustees: every partial of the set
// verifies and every count times G plus the combined shares gives the sum's β.
func VerifyResult(p *Params, cer *Ceremony, tally *Tally, partials []*Partial, res *Result) error {
	if _, err := p.key(); err != nil {
		return fmt.Errorf("failed to verify the result: %w", err)
	}
	if err := tally.check(p); err != nil {
		return fmt.Errorf("failed to verify the result: %w", err)
	}
	if res.Session != p.Session || res.Ballots != tally.Ballots || len(res.Lines) != p.Lines {
		return errors.New("failed to verify the result: it is not of this tally")
	}
	if len(res.Trustees) != cer.T || !sort.IntsAreSorted(res.Trustees) {
		return fmt.Errorf("failed to verify the result: it must name %d trustees in ascending order", cer.T)
	}
	parts := make(map[int]*Partial)
	for _, part := range partials {
		if part != nil && parts[part.Trustee] == nil {
			parts[part.Trustee] = part
		}
	}
	for n, j := range res.Trustees {
		if n > 0 && j == res.Trustees[n-1] {
			return errors.New("failed to verify the result: a trustee is named twice")
		}
		if parts[j] == nil {
			return fmt.Errorf("failed to verify the result: the partial decryption of trustee %d is missing", j)
		}
		if err := VerifyPartial(p, cer, tally, parts[j]); err != nil {
			return fmt.Errorf("failed to verify the result: %w", err)
		}
	}
	points := decryptedPoints(p, tally, res.Trustees, parts)
	for k, rl := range res.Lines {
		if len(rl.Counts) != p.Options {
			return fmt.Errorf("failed to verify the result: line %d has %d counts", k+1, len(rl.Counts))
		}
		sum := 0
		for i, n := range rl.Counts {
			if n < 0 || n > tally.Ballots {
				return fmt.Errorf("failed to verify the result: line %d, option %d: count out of range", k+1, i+1)
			}
			if ristretto255.NewElement().ScalarBaseMult(scalarFromInt(n)).Equal(points[k*p.Options+i]) != 1 {
				return fmt.Errorf("failed to verify the result: line %d, option %d: the count is not what the sum decrypts to", k+1, i+1)
			}
			sum += n
		}
		if sum > tally.Ballots || rl.Invalid != tally.Ballots-sum || rl.MultipleMarks != tally.MultipleMarks[k] {
			return fmt.Errorf("failed to verify the result: line %d: invalid or multiple-mark count is wrong", k+1)
		}
	}
	return nil
}

// discreteLog solves n·G = P for 0 ≤ n ≤ max by baby-step giant-step: a table of ⌈√(max+1)⌉ baby steps, then at
// most as many giant steps per solution. The data is public, so the variable time is harmless.
type discreteLog struct {
	max   int
	m     int
	baby  map[Point]int
	giant *ristretto255.Element // −m·G
}

func newDiscreteLog(max int) *discreteLog {
	m := 1
	for m*m < max+1 {
		m++
	}
	dl := &discreteLog{max: max, m: m, baby: make(map[Point]int, m)}
	e := ristretto255.NewElement()
	g := generator()
	for j := 0; j < m; j++ {
		dl.baby[pointOf(e)] = j
		e = ristretto255.NewElement().Add(e, g)
	}
	dl.giant = ristretto255.NewElement().Negate(ristretto255.NewElement().ScalarBaseMult(scalarFromInt(m)))
	return dl
}

func (dl *discreteLog) solve(p *ristretto255.Element) (int, bool) {
	e := ristretto255.NewElement().Add(p, ristretto255.NewElement())
	for q := 0; q*dl.m <= dl.max; q++ {
		if j, ok := dl.baby[pointOf(e)]; ok {
			n := q*dl.m + j
			return n, n <= dl.max
		}
		e = ristretto255.NewElement().Add(e, dl.giant)
	}
	return 0, false
}

// encryptCount is Enc_Y(n; r), used to build sums for benchmarks and vectors.
func encryptCount(n int, r *ristretto255.Scalar, y *ristretto255.Element) Ciphertext {
	a := ristretto255.NewElement().ScalarBaseMult(r)
	b := ristretto255.NewElement().Add(ristretto255.NewElement().ScalarBaseMult(scalarFromInt(n)), ristretto255.NewElement().ScalarMult(r, y))
	return Ciphertext{pointOf(a), pointOf(b)}
}
