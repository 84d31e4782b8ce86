package box

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/gtank/ristretto255"
)

// cheatOnShare makes dealer `dealer` send trustee `victim` a wrong share, properly encrypted, as a dishonest
// trustee's machine would.
func cheatOnShare(dealer, victim int) func(c *ceremony) {
	return func(c *ceremony) {
		ts := c.secrets[dealer-1]
		e := ts.EncryptionSecret.mustScalar()
		ev, _ := c.round1[victim-1].EncryptionKey.element(true)
		dh := pointOf(ristretto255.NewElement().ScalarMult(e, ev))
		wrong := ristretto255.NewScalar().Add(evalPolynomial(ts.Coefficients, victim), scalarFromInt(1))
		r2 := c.round2[dealer-1]
		for n := range r2.Shares {
			if r2.Shares[n].To == victim {
				r2.Shares[n].Ciphertext = encryptShare(ts.Session, ts.N, ts.T, dealer, victim,
					c.round1[dealer-1].EncryptionKey, c.round1[victim-1].EncryptionKey, dh, wrong)
			}
		}
	}
}

// castBallots encrypts ballots with random choices under p and returns them with the plaintext counts.
func castBallots(t testing.TB, rnd *detRand, p *Params, count int) ([]*Ballot, [][]int) {
	t.Helper()
	counts := make([][]int, p.Lines)
	for k := range counts {
		counts[k] = make([]int, p.Options)
	}
	var ballots []*Ballot
	var pick [1]byte
	for n := 0; n < count; n++ {
		choices := make([]int, p.Lines)
		for k := range choices {
			rnd.Read(pick[:])
			choices[k] = int(pick[0]) % (p.Options + 1)
			if choices[k] > 0 {
				counts[k][choices[k]-1]++
			}
		}
		b, _, err := EncryptBallot(rnd, p, cardKey(t, p.Session, n), choices)
		if err != nil {
			t.Fatal(err)
		}
		ballots = append(ballots, b)
	}
	return ballots, counts
}

func checkCounts(t *testing.T, res *Result, counts [][]int, ballots int) {
	t.Helper()
	for k, rl := range res.Lines {
		if !reflect.DeepEqual(rl.Counts, counts[k]) {
			t.Errorf("line %d: counts %v, want %v", k+1, rl.Counts, counts[k])
		}
		sum := 0
		for _, n := range counts[k] {
			sum += n
		}
		if rl.Invalid != ballots-sum {
			t.Errorf("line %d: invalid %d, want %d", k+1, rl.Invalid, ballots-sum)
		}
	}
}

func TestCeremonyCheatingDealer(t *testing.T) {
	for _, c := range []struct{ n, t, absent int }{{3, 2, 0}, {5, 3, 4}} {
		t.Run(fmt.Sprintf("n=%d,t=%d", c.n, c.t), func(t *testing.T) {
			rnd := newDetRand(fmt.Sprintf("cheating dealer %d", c.n))
			cer := runCeremony(t, rnd, session, c.n, c.t, cheatOnShare(2, c.n))
			if len(cer.complaints) != 1 || cer.complaints[0].Trustee != c.n || cer.complaints[0].Against != 2 {
				t.Fatalf("complaints %+v, want one by trustee %d against 2", cer.complaints, c.n)
			}
			want := []Disqualification{{2, "share"}}
			if !reflect.DeepEqual(cer.result.Disqualified, want) {
				t.Fatalf("disqualified %v, want %v", cer.result.Disqualified, want)
			}
			if _, ok := cer.keys[2]; ok {
				t.Error("the cheating dealer got a key share")
			}
			if len(cer.keys) != c.n-1 {
				t.Errorf("%d key shares, want %d", len(cer.keys), c.n-1)
			}
			// The joint key leaves out the cheater's polynomial.
			y := ristretto255.NewElement()
			for _, i := range cer.result.Qualified {
				a, _ := cer.round1[i-1].Commitments[0].element(true)
				y.Add(y, a)
			}
			if pointOf(y) != cer.result.JointKey {
				t.Error("joint key is not the sum over the qualified trustees")
			}
			p := &Params{Session: session, JointKey: cer.result.JointKey, Lines: 3, Options: 3}
			ballots, counts := castBallots(t, rnd, p, 20)
			tally, err := Sum(p, ballots)
			if err != nil {
				t.Fatal(err)
			}
			var parts []*Partial
			for _, j := range cer.result.Qualified {
				if j == c.absent {
					continue // this trustee does not come to the tally
				}
				part, err := PartialDecrypt(rnd, p, cer.keys[j], tally)
				if err != nil {
					t.Fatal(err)
				}
				parts = append(parts, part)
			}
			res, bad, err := Combine(p, cer.result, tally, parts)
			if err != nil || len(bad) != 0 {
				t.Fatalf("combine: %v, bad %v", err, bad)
			}
			checkCounts(t, res, counts, 20)
			if err := VerifyResult(p, cer.result, tally, parts, res); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestCeremonyFalseComplaint(t *testing.T) {
	rnd := newDetRand("false complaint")
	c := runCeremony(t, rnd, session, 4, 3, nil)
	// Trustee 3 accuses trustee 1, whose share was good: the complaint reveals it, and the liar is named.
	lie, err := complain(rnd, c.secrets[2], c.round1[2], c.round1[0])
	if err != nil {
		t.Fatal(err)
	}
	res, err := Qualify(session, 4, 3, c.round1, c.round2, []*Complaint{lie})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Disqualification{{3, "complaint"}}; !reflect.DeepEqual(res.Disqualified, want) {
		t.Errorf("disqualified %v, want %v", res.Disqualified, want)
	}
	// A complaint with a broken proof proves nothing either.
	forged := *lie
	forged.DH = multiplesPoint(9)
	res, _ = Qualify(session, 4, 3, c.round1, c.round2, []*Complaint{&forged})
	if want := []Disqualification{{3, "complaint"}}; !reflect.DeepEqual(res.Disqualified, want) {
		t.Errorf("forged complaint: disqualified %v, want %v", res.Disqualified, want)
	}
}

func TestCeremonyMissingMessages(t *testing.T) {
	rnd := newDetRand("missing")
	c := runCeremony(t, rnd, session, 4, 2, nil)
	// Dealer 4 never sends round 2; trustee 1's round 1 carries a bad proof.
	bad := *c.round1[0]
	bad.CoefficientProof.S = scalarOf(scalarFromInt(1))
	round1 := []*Round1{&bad, c.round1[1], c.round1[2], c.round1[3]}
	res, err := Qualify(session, 4, 2, round1, c.round2[:3], nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Disqualification{{1, "round1"}, {4, "round2"}}
	if !reflect.DeepEqual(res.Disqualified, want) {
		t.Errorf("disqualified %v, want %v", res.Disqualified, want)
	}
	if err := VerifyRound1(&bad, session, 4, 2); err == nil {
		t.Error("a round 1 with a bad proof verified")
	}
	// Too few left: the ceremony fails and says who is missing.
	if _, err := Qualify(session, 4, 3, round1, c.round2[:2], nil); err == nil {
		t.Error("a ceremony with 1 qualified trustee of 3 needed succeeded")
	}
}

// TestBadPartialNamed sends one trustee's partial with a wrong share: it is named, and the count still comes out
// of the others.
func TestBadPartialNamed(t *testing.T) {
	rnd := newDetRand("bad partial")
	c := runCeremony(t, rnd, session, 3, 2, nil)
	p := &Params{Session: session, JointKey: c.result.JointKey, Lines: 2, Options: 3}
	ballots, counts := castBallots(t, rnd, p, 15)
	tally, _ := Sum(p, ballots)
	var parts []*Partial
	for j := 1; j <= 3; j++ {
		part, err := PartialDecrypt(rnd, p, c.keys[j], tally)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part)
	}
	parts[0].Lines[1].Shares[2] = multiplesPoint(5) // trustee 1 lies about line 2, option 3
	err := VerifyPartial(p, c.result, tally, parts[0])
	var pe *PartialError
	if !errors.As(err, &pe) || pe.Trustee != 1 || pe.Line != 2 || pe.Option != 3 {
		t.Fatalf("got %v, want trustee 1 line 2 option 3 named", err)
	}
	res, bad, err := Combine(p, c.result, tally, parts)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || bad[0].Trustee != 1 {
		t.Errorf("bad partials %v, want trustee 1", bad)
	}
	if !reflect.DeepEqual(res.Trustees, []int{2, 3}) {
		t.Errorf("combined trustees %v, want [2 3]", res.Trustees)
	}
	checkCounts(t, res, counts, 15)
	// A result that names the bad partial's trustee does not verify.
	forged := *res
	forged.Trustees = []int{1, 2}
	if VerifyResult(p, c.result, tally, parts, &forged) == nil {
		t.Error("a result combined with a bad partial verified")
	}
	// Nor does one whose counts differ from what the sums decrypt to.
	forged = *res
	forged.Lines = append([]ResultLine(nil), res.Lines...)
	forged.Lines[0].Counts = append([]int(nil), res.Lines[0].Counts...)
	forged.Lines[0].Counts[0]++
	forged.Lines[0].Invalid--
	if VerifyResult(p, c.result, tally, parts, &forged) == nil {
		t.Error("a result with a changed count verified")
	}
	// Only one valid partial of two needed: no result.
	if _, _, err := Combine(p, c.result, tally, parts[:2]); err == nil {
		t.Error("combined with too few valid partials")
	}
}

// TestEndToEnd runs a whole encrypted vote: ceremony, 200 ballots, batch verification, sums, partial decryptions
// with one trustee absent and one lying, combination; the counts must equal the plaintext counts. Every message
// goes through its JSON form, as it would through the audit log.
func TestEndToEnd(t *testing.T) {
	rnd := newDetRand("end to end")
	c := runCeremony(t, rnd, session, 5, 3, nil)
	cer := roundTrip(t, c.result, FormatCeremony, ParseCeremony)
	again, err := Qualify(session, 5, 3, roundTripAll(t, c.round1, FormatRound1, ParseRound1), roundTripAll(t, c.round2, FormatRound2, ParseRound2), nil)
	if err != nil || !reflect.DeepEqual(again, c.result) {
		t.Fatalf("the ceremony recomputed from its JSON messages differs: %v", err)
	}
	p := &Params{Session: session, JointKey: cer.JointKey, Lines: 5, Options: 3}
	ballots, counts := castBallots(t, rnd, p, 200)
	ballots = roundTripAll(t, ballots, FormatBallot, ParseBallot)
	if err := VerifyBallots(rnd, p, ballots, false); err != nil {
		t.Fatal(err)
	}
	tally, err := Sum(p, ballots)
	if err != nil {
		t.Fatal(err)
	}
	// The one-pass check and sum of close time gives the same tally, and refuses a bad ballot.
	if both, err := VerifyAndSum(rnd, p, ballots, false); err != nil || !reflect.DeepEqual(both, tally) {
		t.Fatalf("VerifyAndSum: %v, or a different tally", err)
	}
	copied := cloneBallot(t, ballots[150])
	copied.Lines[2].Ciphertexts[0] = ballots[151].Lines[2].Ciphertexts[0] // a ciphertext copied from another ballot
	resign(copied, p, cardKey(t, session, 150))
	withBad := append(append([]*Ballot(nil), ballots[:150]...), append([]*Ballot{copied}, ballots[151:]...)...)
	var be *BallotError
	if _, err := VerifyAndSum(rnd, p, withBad, false); !errors.As(err, &be) || be.Ballot != 150 || be.Line != 3 {
		t.Errorf("VerifyAndSum with a bad ballot: %v, want ballot 151 line 3", err)
	}
	tally = roundTrip(t, tally, FormatTally, ParseTally)
	var parts []*Partial
	for _, j := range []int{1, 3, 4, 5} { // trustee 2 is absent
		key := roundTrip(t, c.keys[j], FormatTrusteeKey, ParseTrusteeKey)
		part, err := PartialDecrypt(rnd, p, key, tally)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, roundTrip(t, part, FormatPartial, ParsePartial))
	}
	parts[2].Lines[0].Proofs[0].S = scalarOf(scalarFromInt(3)) // trustee 4's proof is bad
	res, bad, err := Combine(p, cer, tally, parts)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || bad[0].Trustee != 4 {
		t.Errorf("bad partials %v, want trustee 4", bad)
	}
	if !reflect.DeepEqual(res.Trustees, []int{1, 3, 5}) {
		t.Errorf("trustees %v, want [1 3 5]", res.Trustees)
	}
	checkCounts(t, res, counts, 200)
	res = roundTrip(t, res, FormatResult, ParseResult)
	if err := VerifyResult(p, cer, tally, parts, res); err != nil {
		t.Error(err)
	}
	// The trustees' secret files read back to the same secrets.
	for _, ts := range c.secrets {
		if got := roundTrip(t, ts, FormatTrusteeSecret, ParseTrusteeSecret); !reflect.DeepEqual(got, ts) {
			t.Errorf("trustee %d: secret file round trip differs", ts.Trustee)
		}
	}
}

func roundTrip[T any](t testing.TB, v T, format func(T) []byte, parse func([]byte) (T, error)) T {
	t.Helper()
	js := format(v)
	got, err := parse(js)
	if err != nil {
		t.Fatalf("%s: %v", js[:min(len(js), 60)], err)
	}
	if string(format(got)) != string(js) {
		t.Fatalf("format(parse(x)) != x for %s", js[:min(len(js), 60)])
	}
	return got
}

func roundTripAll[T any](t testing.TB, vs []T, format func(T) []byte, parse func([]byte) (T, error)) []T {
	out := make([]T, len(vs))
	for n, v := range vs {
		out[n] = roundTrip(t, v, format, parse)
	}
	return out
}
