package box

import (
	"bytes"
	"testing"
)

// FuzzParseBallot feeds the ballot parser and verifier arbitrary bytes: they must never panic, and whatever parses
// must format to JSON that parses to the same ballot.
func FuzzParseBallot(f *testing.F) {
	p, _ := testParams(f, 2, 3)
	b, _, err := EncryptBallot(newDetRand("fuzz"), p, cardKey(f, session, 1), []int{1, 0})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(FormatBallot(b))
	f.Add(FormatBallot(b.StripHints()))
	f.Add([]byte(`{"format":"tinnhiem-box-ballot/v1","card":"","lines":[],"sig":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseBallot(data)
		if err != nil {
			return
		}
		js := FormatBallot(got)
		again, err := ParseBallot(js)
		if err != nil {
			t.Fatalf("formatted ballot does not parse: %v", err)
		}
		if !bytes.Equal(FormatBallot(again), js) {
			t.Fatal("format is not stable")
		}
		_ = VerifyBallot(p, got, true)
		_, _ = Sum(p, []*Ballot{got})
	})
}

// FuzzParseMessages does the same for the ceremony and decryption messages.
func FuzzParseMessages(f *testing.F) {
	rnd := newDetRand("fuzz messages")
	c := runCeremony(f, rnd, session, 3, 2, nil)
	f.Add(FormatRound1(c.round1[0]))
	f.Add(FormatRound2(c.round2[0]))
	f.Add(FormatCeremony(c.result))
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := ParseRound1(data); err == nil {
			_ = VerifyRound1(r, r.Session, r.N, r.T)
			if _, err := ParseRound1(FormatRound1(r)); err != nil {
				t.Fatal(err)
			}
		}
		if r, err := ParseRound2(data); err == nil {
			_, _ = Qualify(session, 3, 2, c.round1, []*Round2{r, c.round2[1], c.round2[2]}, nil)
		}
		if r, err := ParseComplaint(data); err == nil {
			_, _ = Qualify(session, 3, 2, c.round1, c.round2, []*Complaint{r})
		}
		if r, err := ParseCeremony(data); err == nil {
			if _, err := ParseCeremony(FormatCeremony(r)); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = ParseTally(data)
		_, _ = ParsePartial(data)
		_, _ = ParseResult(data)
	})
}
