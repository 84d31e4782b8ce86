package box

import "testing"

// TestCompactProofsTampered changes the statement, the challenge or the response of every compact proof of the
// ceremony and of the decryption; each change must be refused.
func TestCompactProofsTampered(t *testing.T) {
	rnd := newDetRand("compact proofs")
	c := runCeremony(t, rnd, session, 3, 2, nil)
	one := scalarOf(scalarFromInt(1))
	r1 := func(edit func(r *Round1)) *Round1 {
		r := *c.round1[1]
		r.Commitments = append([]Point(nil), r.Commitments...)
		edit(&r)
		return &r
	}
	round1Cases := map[string]*Round1{
		"commitment":              r1(func(r *Round1) { r.Commitments[1] = multiplesPoint(3) }),
		"constant term":           r1(func(r *Round1) { r.Commitments[0] = multiplesPoint(3) }),
		"encryption key":          r1(func(r *Round1) { r.EncryptionKey = multiplesPoint(3) }),
		"coefficient challenge":   r1(func(r *Round1) { r.CoefficientProof.C = one }),
		"coefficient response":    r1(func(r *Round1) { r.CoefficientProof.S = one }),
		"encryption challenge":    r1(func(r *Round1) { r.EncryptionKeyProof.C = one }),
		"encryption response":     r1(func(r *Round1) { r.EncryptionKeyProof.S = one }),
		"another trustee number":  r1(func(r *Round1) { r.Trustee = 3 }),
		"another session":         r1(func(r *Round1) { r.Session = "another session" }),
		"proofs swapped":          r1(func(r *Round1) { r.CoefficientProof, r.EncryptionKeyProof = r.EncryptionKeyProof, r.CoefficientProof }),
		"identity encryption key": r1(func(r *Round1) { r.EncryptionKey = Point{} }),
	}
	if err := VerifyRound1(c.round1[1], session, 3, 2); err != nil {
		t.Fatal(err)
	}
	for name, r := range round1Cases {
		if VerifyRound1(r, r.Session, 3, 2) == nil {
			t.Errorf("round 1 with a changed %s verified", name)
		}
	}

	p := &Params{Session: session, JointKey: c.result.JointKey, Lines: 2, Options: 2}
	ballots, _ := castBallots(t, rnd, p, 5)
	tally, _ := Sum(p, ballots)
	part, err := PartialDecrypt(rnd, p, c.keys[2], tally)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyPartial(p, c.result, tally, part); err != nil {
		t.Fatal(err)
	}
	clone := func() *Partial {
		q := &Partial{Session: part.Session, Trustee: part.Trustee}
		for _, l := range part.Lines {
			q.Lines = append(q.Lines, PartialLine{append([]Point(nil), l.Shares...), append([]Proof(nil), l.Proofs...)})
		}
		return q
	}
	otherTally := &Tally{Session: tally.Session, Ballots: tally.Ballots, MultipleMarks: tally.MultipleMarks,
		Lines: [][]Ciphertext{append([]Ciphertext(nil), tally.Lines[0]...), tally.Lines[1]}}
	otherTally.Lines[0][1].Beta = multiplesPoint(2)
	cases := map[string]func() (*Partial, *Tally){
		"share": func() (*Partial, *Tally) {
			q := clone()
			q.Lines[0].Shares[1] = multiplesPoint(4)
			return q, tally
		},
		"challenge":      func() (*Partial, *Tally) { q := clone(); q.Lines[1].Proofs[0].C = one; return q, tally },
		"response":       func() (*Partial, *Tally) { q := clone(); q.Lines[1].Proofs[1].S = one; return q, tally },
		"trustee number": func() (*Partial, *Tally) { q := clone(); q.Trustee = 1; return q, tally },
		"the sum's beta": func() (*Partial, *Tally) { return clone(), otherTally },
		"shares swapped": func() (*Partial, *Tally) {
			q := clone()
			l := q.Lines[0]
			l.Shares[0], l.Shares[1] = l.Shares[1], l.Shares[0]
			l.Proofs[0], l.Proofs[1] = l.Proofs[1], l.Proofs[0]
			return q, tally
		},
		"another session": func() (*Partial, *Tally) { q := clone(); q.Session = "another"; return q, tally },
	}
	for name, f := range cases {
		q, tl := f()
		if VerifyPartial(p, c.result, tl, q) == nil {
			t.Errorf("partial decryption with a changed %s verified", name)
		}
	}
	// A partial decryption made under another session's context (same key share) is refused.
	other := *p
	other.Session = "another session"
	if VerifyPartial(&other, &Ceremony{Session: other.Session, T: 2, JointKey: p.JointKey, VerificationKeys: c.result.VerificationKeys}, &Tally{Session: other.Session, Ballots: tally.Ballots, Lines: tally.Lines, MultipleMarks: tally.MultipleMarks}, &Partial{Session: other.Session, Trustee: part.Trustee, Lines: part.Lines}) == nil {
		t.Error("a partial decryption verified under another session")
	}

	// A complaint against another dealer than the one whose DH it reveals is judged false.
	cmp, err := complain(rnd, c.secrets[0], c.round1[0], c.round1[1])
	if err != nil {
		t.Fatal(err)
	}
	cmp.Against = 3
	res, _ := Qualify(session, 3, 2, c.round1, c.round2, []*Complaint{cmp})
	if len(res.Disqualified) != 1 || res.Disqualified[0] != (Disqualification{1, "complaint"}) {
		t.Errorf("a complaint moved to another dealer: disqualified %v, want trustee 1 for a false complaint", res.Disqualified)
	}
}
