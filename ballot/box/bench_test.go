package box

import (
	"crypto/rand"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuClock reports, beside the wall time, the CPU time of the whole process per operation: on a machine shared with
// other work the wall time grows with the load, the CPU time much less.
type cpuClock struct {
	b     *testing.B
	start time.Duration
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU(b *testing.B) *cpuClock {
	b.ResetTimer()
	return &cpuClock{b, processCPU()}
}

func (c *cpuClock) stop() {
	c.b.StopTimer()
	c.b.ReportMetric(float64(processCPU()-c.start)/float64(c.b.N), "cpu-ns/op")
}

// benchSetup makes a session of K lines × 3 options under a real 3-of-5 ceremony's key, and n ballots.
func benchSetup(b *testing.B, lines, n int) (*Params, *ceremony, []*Ballot) {
	b.Helper()
	rnd := newDetRand(fmt.Sprintf("bench %d %d", lines, n))
	c := runCeremony(b, rnd, session, 5, 3, nil)
	p := &Params{Session: session, JointKey: c.result.JointKey, Lines: lines, Options: 3}
	ballots, _ := castBallots(b, rnd, p, n)
	return p, c, ballots
}

func benchVerifyBallot(b *testing.B, lines int) {
	p, _, ballots := benchSetup(b, lines, 1)
	js := FormatBallot(ballots[0])
	clock := startCPU(b)
	defer b.ReportMetric(float64(len(FormatBallot(ballots[0].StripHints()))), "json-bytes-no-hints")
	defer b.ReportMetric(float64(len(js)), "json-bytes")
	defer clock.stop()
	for i := 0; i < b.N; i++ {
		bal, err := ParseBallot(js)
		if err != nil {
			b.Fatal(err)
		}
		if err := VerifyBallot(p, bal, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyBallotK5 is the server's check of one cast ballot (parse included), 5 cadres × 3 levels.
func BenchmarkVerifyBallotK5(b *testing.B) { benchVerifyBallot(b, 5) }

// BenchmarkVerifyBallotK30 is the same for 30 cadres.
func BenchmarkVerifyBallotK30(b *testing.B) { benchVerifyBallot(b, 30) }

// BenchmarkVerifyBallotNoHintsK5 checks a ballot stored without hints: no batching possible.
func BenchmarkVerifyBallotNoHintsK5(b *testing.B) {
	p, _, ballots := benchSetup(b, 5, 1)
	stripped := ballots[0].StripHints()
	clock := startCPU(b)
	defer clock.stop()
	for i := 0; i < b.N; i++ {
		if err := VerifyBallot(p, stripped, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncryptBallotK30 is the phone's work for 30 cadres (in Go; the browser's is the same operations).
func BenchmarkEncryptBallotK30(b *testing.B) {
	p, _, _ := benchSetup(b, 30, 0)
	key := cardKey(b, session, 1)
	choices := make([]int, 30)
	for k := range choices {
		choices[k] = k % 4
	}
	clock := startCPU(b)
	defer clock.stop()
	for i := 0; i < b.N; i++ {
		if _, _, err := EncryptBallot(rand.Reader, p, key, choices); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyBallots1000K5 is the batch check of 1,000 ballots of 5 cadres (at close, or in the verifier).
func BenchmarkVerifyBallots1000K5(b *testing.B) {
	p, _, ballots := benchSetup(b, 5, 1000)
	clock := startCPU(b)
	defer clock.stop()
	for i := 0; i < b.N; i++ {
		if err := VerifyBallots(rand.Reader, p, ballots, false); err != nil {
			b.Fatal(err)
		}
	}
}

func benchVerifyBallots(b *testing.B, lines int) {
	p, _, ballots := benchSetup(b, lines, 100)
	clock := startCPU(b)
	defer clock.stop()
	for i := 0; i < b.N; i++ {
		if err := VerifyBallots(rand.Reader, p, ballots, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/ballot")
}

// BenchmarkVerifyBallots100K5 is the batch check of 100 ballots of 5 cadres; ns/ballot is the wall time per ballot.
func BenchmarkVerifyBallots100K5(b *testing.B) { benchVerifyBallots(b, 5) }

// BenchmarkVerifyBallots100K30 is the same for 30 cadres.
func BenchmarkVerifyBallots100K30(b *testing.B) { benchVerifyBallots(b, 30) }

// BenchmarkCombineV10000K30 is the tally's end for 10,000 ballots of 30 cadres: checking three trustees' partial
// decryptions, combining them and solving the 90 discrete logarithms (counts up to 10,000).
func BenchmarkCombineV10000K30(b *testing.B) {
	rnd := newDetRand("combine")
	c := runCeremony(b, rnd, session, 5, 3, nil)
	p := &Params{Session: session, JointKey: c.result.JointKey, Lines: 30, Options: 3}
	// 10,000 ballots' sums without encrypting 10,000 ballots: each sum encrypts a count up to 10,000 under the
	// joint key, exactly as the sum of that many ballots would.
	y, _ := p.JointKey.element(true)
	tally := &Tally{Session: session, Ballots: 10000, MultipleMarks: make([]int, 30), Lines: make([][]Ciphertext, 30)}
	for k := range tally.Lines {
		for i := 0; i < 3; i++ {
			n := 10000 / 3
			if i == 0 {
				n = 10000 - 2*n - k
			}
			r, _ := randomScalar(rnd)
			tally.Lines[k] = append(tally.Lines[k], encryptCount(n, r, y))
		}
	}
	var parts []*Partial
	for _, j := range []int{1, 2, 3} {
		part, err := PartialDecrypt(rnd, p, c.keys[j], tally)
		if err != nil {
			b.Fatal(err)
		}
		parts = append(parts, part)
	}
	clock := startCPU(b)
	defer clock.stop()
	for i := 0; i < b.N; i++ {
		res, bad, err := Combine(p, c.result, tally, parts)
		if err != nil || len(bad) > 0 || res.Lines[29].Counts[0] != 10000-2*(10000/3)-29 {
			b.Fatal(err, bad)
		}
	}
}

// BenchmarkSumK30 adds up 100 ballots' ciphertexts (90 per ballot), as at close; ns/ballot is the time per ballot.
func BenchmarkSumK30(b *testing.B) {
	p, _, ballots := benchSetup(b, 30, 100)
	clock := startCPU(b)
	defer clock.stop()
	for i := 0; i < b.N; i++ {
		if _, err := Sum(p, ballots); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/ballot")
}
