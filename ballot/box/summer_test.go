package box

import (
	"bytes"
	"testing"
)

// TestSummerAgreesWithSum: ballots summed in batches, as the verifier
// streams a log, give the same tally as Sum of all of them, and a batch
// with a malformed ballot changes nothing.
func TestSummerAgreesWithSum(t *testing.T) {
	rand := newDetRand("summer")
	c := runCeremony(t, rand, "s-summer", 3, 2, nil)
	p := &Params{Session: "s-summer", JointKey: c.result.JointKey, Lines: 2, Options: 3}
	var ballots []*Ballot
	for n, choices := range [][]int{{1, 2}, {0, 3}, {2, 2}, {3, 1}, {1, 0}} {
		b, _, err := EncryptBallot(rand, p, cardKey(t, p.Session, n), choices)
		if err != nil {
			t.Fatal(err)
		}
		ballots = append(ballots, b)
	}
	want, err := Sum(p, ballots)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSummer(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ballots[:2]); err != nil {
		t.Fatal(err)
	}
	bad := cloneBallot(t, ballots[2])
	bad.Lines = bad.Lines[:1]
	if err := s.Add([]*Ballot{ballots[2], bad}); err == nil {
		t.Fatal("a batch with a ballot of one line was summed")
	}
	if err := s.Add(ballots[2:]); err != nil {
		t.Fatal(err)
	}
	if got := s.Tally(); !bytes.Equal(FormatTally(got), FormatTally(want)) {
		t.Errorf("batches give\n%s\nSum gives\n%s", FormatTally(got), FormatTally(want))
	}
}
