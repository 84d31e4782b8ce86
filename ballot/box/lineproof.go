package box

import (
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/gtank/ristretto255"
)

// The line proof of SPEC.md 11.4: the L ciphertexts of a line encrypt no mark or exactly one option (or, for a
// multiple-mark line of a paper ballot, no mark only). The statement is bound to the election context, the card key
// and the line number, so a proof is worth nothing anywhere else.

// lineWeights returns d_1…d_L, fixed by the whole statement before any commitment exists. The L transcripts share
// everything but their last item, so that prefix is hashed once and its state cloned: the bytes hashed are the same.
func lineWeights(p *Params, card *[32]byte, k int, cts []Ciphertext) []*ristretto255.Scalar {
	t := newTranscript("tinnhiem/box/v1/line-weight")
	p.context(t)
	t.bytes(card[:])
	t.u32(k)
	for _, ct := range cts {
		t.point(ct.Alpha)
		t.point(ct.Beta)
	}
	prefix, ok := t.h.(hash.Cloner)
	d := make([]*ristretto255.Scalar, len(cts))
	values := make([]ristretto255.Scalar, len(cts))
	var sum [sha512.Size]byte
	for i := range cts {
		ti := &transcript{}
		if ok {
			h, err := prefix.Clone()
			if err != nil {
				panic("box: a SHA-512 state did not clone")
			}
			ti.h = h
		} else {
			ti = newTranscript("tinnhiem/box/v1/line-weight")
			p.context(ti)
			ti.bytes(card[:])
			ti.u32(k)
			for _, ct := range cts {
				ti.point(ct.Alpha)
				ti.point(ct.Beta)
			}
		}
		ti.u32(i + 1)
		d[i] = values[i].FromUniformBytes(ti.h.Sum(sum[:0]))
	}
	return d
}

// lineChallenge is c of step 4, over the commitments A_j, B_j (j ascending, interleaved).
func lineChallenge(p *Params, card *[32]byte, k int, cts []Ciphertext, commitments []Point) *ristretto255.Scalar {
	t := newTranscript("tinnhiem/box/v1/line-proof")
	p.context(t)
	t.bytes(card[:])
	t.u32(k)
	t.u32(len(commitments) / 2)
	for _, ct := range cts {
		t.point(ct.Alpha)
		t.point(ct.Beta)
	}
	for _, c := range commitments {
		t.point(c)
	}
	return t.challenge()
}

// combine returns M = Σ d_i·α_i and N = Σ d_i·β_i (public data: variable time).
func combine(d []*ristretto255.Scalar, alpha, beta []*ristretto255.Element) (m, n *ristretto255.Element) {
	return ristretto255.NewElement().VarTimeMultiScalarMult(d, alpha),
		ristretto255.NewElement().VarTimeMultiScalarMult(d, beta)
}

// proveLine makes the proof for a line whose real branch is choice (0: no mark, i: option i), given the
// randomness r of its ciphertexts. Every branch is computed and the real one selected without a branch on choice.
func proveLine(rand io.Reader, p *Params, y *ristretto255.Element, card *[32]byte, k, branches, choice int,
	r []*ristretto255.Scalar, cts []Ciphertext, alpha, beta []*ristretto255.Element) (c, s []Scalar, hints []Point, err error) {
	d := lineWeights(p, card, k, cts)
	// M and N are public (they depend on the ciphertexts only), so variable time is fine for them.
	m, n := combine(d, alpha, beta)
	rho := ristretto255.NewScalar()
	for i := range r {
		rho.Add(rho, ristretto255.NewScalar().Multiply(d[i], r[i]))
	}
	w, err := randomScalar(rand)
	if err != nil {
		return nil, nil, nil, err
	}
	realA := ristretto255.NewElement().ScalarBaseMult(w)
	realB := ristretto255.NewElement().ScalarMult(w, y)

	simC := make([]*ristretto255.Scalar, branches)
	simS := make([]*ristretto255.Scalar, branches)
	hints = make([]Point, 2*branches)
	sumSim := ristretto255.NewScalar()
	zero := ristretto255.NewScalar()
	for j := 0; j < branches; j++ {
		if simC[j], err = randomScalar(rand); err != nil {
			return nil, nil, nil, err
		}
		if simS[j], err = randomScalar(rand); err != nil {
			return nil, nil, nil, err
		}
		// Z_j = N − d_j·G; d_0 = 0.
		z := zBranch(n, d, j)
		a := ristretto255.NewElement().Subtract(
			ristretto255.NewElement().ScalarBaseMult(simS[j]),
			ristretto255.NewElement().ScalarMult(simC[j], m))
		b := ristretto255.NewElement().MultiScalarMult(
			[]*ristretto255.Scalar{simS[j], ristretto255.NewScalar().Negate(simC[j])}, []*ristretto255.Element{y, z})
		real := subtle.ConstantTimeEq(int32(j), int32(choice))
		hints[2*j] = ctSelectPoint(real, realA, a)
		hints[2*j+1] = ctSelectPoint(real, realB, b)
		sumSim.Add(sumSim, ctSelectScalar(real, zero, simC[j]))
	}
	ch := lineChallenge(p, card, k, cts, hints)
	realC := ristretto255.NewScalar().Subtract(ch, sumSim)
	realS := ristretto255.NewScalar().Add(w, ristretto255.NewScalar().Multiply(realC, rho))
	c = make([]Scalar, branches)
	s = make([]Scalar, branches)
	for j := 0; j < branches; j++ {
		real := subtle.ConstantTimeEq(int32(j), int32(choice))
		c[j] = scalarOf(ctSelectScalar(real, realC, simC[j]))
		s[j] = scalarOf(ctSelectScalar(real, realS, simS[j]))
	}
	return c, s, hints, nil
}

// batch collects equations Σ coef·P = identity, each already multiplied by its random weight; G and Y have one
// coefficient each for all of them.
type batch struct {
	rand    io.Reader
	y       *ristretto255.Element
	g, yc   *ristretto255.Scalar
	scalars []*ristretto255.Scalar
	points  []*ristretto255.Element
}

// newBatch makes an empty batch with room for size terms, so that adding them does not reallocate.
func newBatch(rand io.Reader, y *ristretto255.Element, size int) *batch {
	return &batch{rand: rand, y: y, g: ristretto255.NewScalar(), yc: ristretto255.NewScalar(),
		scalars: make([]*ristretto255.Scalar, 0, size+2), points: make([]*ristretto255.Element, 0, size+2)}
}

func (b *batch) add(coef *ristretto255.Scalar, p *ristretto255.Element) {
	b.scalars = append(b.scalars, coef)
	b.points = append(b.points, p)
}

// holds evaluates the collected equations in one multi-scalar multiplication and empties the batch.
func (b *batch) holds() bool {
	scalars := append(b.scalars, b.g, b.yc)
	points := append(b.points, generator(), b.y)
	sum := ristretto255.NewElement().VarTimeMultiScalarMult(scalars, points)
	b.scalars, b.points = b.scalars[:0], b.points[:0]
	b.g, b.yc = ristretto255.NewScalar(), ristretto255.NewScalar()
	return isIdentity(sum)
}

var errLineProof = errors.New("the proof that the line holds at most one mark does not verify")

// verifyLine checks one line's proof. With hints, the challenge is checked here and the equations go to acc;
// without, the commitments are recomputed and the proof is fully checked here.
func verifyLine(p *Params, y *ristretto255.Element, card *[32]byte, k, branches int, l *Line, acc *batch) error {
	_, _, err := verifyLineElements(p, y, card, k, branches, l, acc)
	return err
}

// verifyLineElements is verifyLine that also returns the decoded ciphertexts, so that a caller summing the ballots
// decodes each element once.
func verifyLineElements(p *Params, y *ristretto255.Element, card *[32]byte, k, branches int, l *Line, acc *batch) (alpha, beta []*ristretto255.Element, err error) {
	err = verifyLineInto(p, y, card, k, branches, l, acc, &alpha, &beta)
	return alpha, beta, err
}

func verifyLineInto(p *Params, y *ristretto255.Element, card *[32]byte, k, branches int, l *Line, acc *batch, outAlpha, outBeta *[]*ristretto255.Element) error {
	if len(l.Ciphertexts) != p.Options {
		return fmt.Errorf("%d ciphertexts, want %d", len(l.Ciphertexts), p.Options)
	}
	if len(l.Challenges) != branches || len(l.Responses) != branches {
		return fmt.Errorf("proof has %d challenges and %d responses, want %d", len(l.Challenges), len(l.Responses), branches)
	}
	if l.Hints != nil && len(l.Hints) != 2*branches {
		return fmt.Errorf("proof has %d hints, want %d", len(l.Hints), 2*branches)
	}
	// One backing array for the line's elements and one for its scalars: a line makes a handful of allocations,
	// not one per value.
	nHints := len(l.Hints)
	elements := make([]ristretto255.Element, 2*p.Options+nHints)
	refs := make([]*ristretto255.Element, len(elements))
	for i := range elements {
		refs[i] = &elements[i]
	}
	alpha, beta, hints := refs[:p.Options], refs[p.Options:2*p.Options], refs[2*p.Options:]
	*outAlpha, *outBeta = alpha, beta
	for i, ct := range l.Ciphertexts {
		if err := ct.Alpha.decodeInto(alpha[i], true); err != nil {
			return &optionError{i + 1, fmt.Errorf("alpha: %w", err)}
		}
		if err := ct.Beta.decodeInto(beta[i], false); err != nil {
			return &optionError{i + 1, fmt.Errorf("beta: %w", err)}
		}
	}
	// c_j, s_j, then (with hints) the weights z_j, z'_j and the ciphertexts' coefficients.
	scalars := make([]ristretto255.Scalar, 2*branches+nHints+2*p.Options)
	c := make([]*ristretto255.Scalar, branches)
	s := make([]*ristretto255.Scalar, branches)
	sum := ristretto255.NewScalar()
	for j := range c {
		c[j], s[j] = &scalars[j], &scalars[branches+j]
		if err := l.Challenges[j].decodeInto(c[j]); err != nil {
			return fmt.Errorf("challenge %d: %w", j, err)
		}
		if err := l.Responses[j].decodeInto(s[j]); err != nil {
			return fmt.Errorf("response %d: %w", j, err)
		}
		sum.Add(sum, c[j])
	}
	d := lineWeights(p, card, k, l.Ciphertexts)
	if l.Hints == nil {
		m, n := combine(d, alpha, beta)
		commitments := make([]Point, 2*branches)
		for j := range c {
			z := zBranch(n, d, j)
			negC := ristretto255.NewScalar().Negate(c[j])
			commitments[2*j] = pointOf(ristretto255.NewElement().VarTimeDoubleScalarBaseMult(negC, m, s[j]))
			commitments[2*j+1] = pointOf(ristretto255.NewElement().VarTimeMultiScalarMult(
				[]*ristretto255.Scalar{s[j], negC}, []*ristretto255.Element{y, z}))
		}
		if lineChallenge(p, card, k, l.Ciphertexts, commitments).Equal(sum) != 1 {
			return errLineProof
		}
		return nil
	}
	for i, h := range l.Hints {
		if err := h.decodeInto(hints[i], false); err != nil {
			return fmt.Errorf("hint %d: %w", i+1, err)
		}
	}
	if lineChallenge(p, card, k, l.Ciphertexts, l.Hints).Equal(sum) != 1 {
		return errLineProof
	}
	// For each branch j, with weights z (for the G equation) and z' (for the Y equation):
	//   z·(A_j + c_j·M − s_j·G) + z'·(B_j + c_j·(N − d_j·G) − s_j·Y) = 0,
	// written so that the hints get the short (128-bit) weights themselves as coefficients, which halves their
	// cost in the multiplication, and with M and N expanded into the ciphertexts.
	weights := scalars[2*branches : 2*branches+nHints]
	coefs := scalars[2*branches+nHints:]
	var sumZC, sumZC2, tmp, tmp2 ristretto255.Scalar // Σ z_j·c_j and Σ z'_j·c_j: the coefficients of M and N
	for j := range c {
		z, z2 := &weights[2*j], &weights[2*j+1]
		if err := randomWeightInto(acc.rand, z); err != nil {
			return err
		}
		if err := randomWeightInto(acc.rand, z2); err != nil {
			return err
		}
		acc.g.Subtract(acc.g, tmp.Multiply(z, s[j]))
		acc.yc.Subtract(acc.yc, tmp.Multiply(z2, s[j]))
		tmp.Multiply(z2, c[j])
		if j > 0 {
			acc.g.Subtract(acc.g, tmp2.Multiply(&tmp, d[j-1]))
		}
		sumZC2.Add(&sumZC2, &tmp)
		sumZC.Add(&sumZC, tmp.Multiply(z, c[j]))
		acc.add(z, hints[2*j])
		acc.add(z2, hints[2*j+1])
	}
	for i := range d {
		acc.add(coefs[2*i].Multiply(&sumZC, d[i]), alpha[i])
		acc.add(coefs[2*i+1].Multiply(&sumZC2, d[i]), beta[i])
	}
	return nil
}

// zBranch is Z_j = N − d_j·G (Z_0 = N).
func zBranch(n *ristretto255.Element, d []*ristretto255.Scalar, j int) *ristretto255.Element {
	if j == 0 {
		return n
	}
	return ristretto255.NewElement().Subtract(n, ristretto255.NewElement().ScalarBaseMult(d[j-1]))
}

// optionError marks a line error that is about one option's ciphertext.
type optionError struct {
	option int
	err    error
}

func (e *optionError) Error() string { return e.err.Error() }
func (e *optionError) Unwrap() error { return e.err }
