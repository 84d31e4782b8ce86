package tally_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"tinnhiem/tally"
)

// recount is an independent, deliberately naive tally: one pass per cadre,
// marks judged with Mark's methods, percentages and thresholds in big
// integers. FuzzCount checks Count against it.
func recount(in tally.Input) (tally.Result, bool) {
	rules, err := tally.ParseRules(string(in.Rules))
	if err != nil || in.Members < 0 || in.Issued < 0 {
		return tally.Result{}, false
	}
	for _, b := range in.Ballots {
		if tally.CheckBallot(b, len(in.Cadres)) != nil {
			return tally.Result{}, false
		}
	}
	d := in.Members
	if rules != tally.NQ85 {
		d = len(in.Ballots)
	}
	res := tally.Result{Rules: rules, Members: in.Members, Issued: in.Issued, Collected: len(in.Ballots), Denominator: d}
	bd := big.NewInt(int64(d))
	for j, c := range in.Cadres {
		cr := tally.CadreResult{Cadre: c}
		for _, b := range in.Ballots {
			if l, ok := tally.Mark(b[j]).Level(); ok {
				cr.Counts[l]++
				cr.Valid++
			} else {
				cr.Invalid++
			}
		}
		for l, n := range cr.Counts {
			if d > 0 {
				// floor((20000·n + d) / 2d) is n/d·10000 rounded half up.
				q := new(big.Int).Mul(big.NewInt(int64(n)), big.NewInt(20000))
				q.Add(q, bd)
				q.Quo(q, new(big.Int).Mul(bd, big.NewInt(2)))
				cr.Percent[l] = tally.Percent(q.Int64())
			}
		}
		low := big.NewInt(int64(cr.Counts[tally.LevelLow]))
		switch {
		case d == 0:
		case new(big.Int).Mul(low, big.NewInt(3)).Cmp(new(big.Int).Mul(bd, big.NewInt(2))) >= 0:
			cr.Condition = tally.TwoThirdsLow
		case new(big.Int).Mul(low, big.NewInt(2)).Cmp(bd) > 0:
			cr.Condition = tally.MoreThanHalfLow
		}
		res.Cadres = append(res.Cadres, cr)
	}
	return res, true
}

// fuzzInput builds an Input from fuzz arguments. Unless raw is set, data
// bytes are mapped onto the five marks so most inputs reach the counting.
func fuzzInput(rulesSel uint8, members int, cadres uint8, raw bool, data []byte) tally.Input {
	in := tally.Input{
		Rules:   []tally.Rules{"", tally.QD96, tally.NQ96, tally.NQ85, "qd262"}[int(rulesSel)%5],
		Members: members,
	}
	n := int(cadres % 40)
	for j := 0; j < n; j++ {
		in.Cadres = append(in.Cadres, tally.Cadre{ID: fmt.Sprint(j), Name: fmt.Sprintf("Cán bộ %d", j)})
	}
	if !raw {
		b := make([]byte, len(data))
		for i, c := range data {
			b[i] = "HNL-X"[c%5]
		}
		data = b
	}
	switch {
	case n == 0:
		in.Ballots = make([]string, len(data)%8)
	case raw:
		for len(data) > 0 { // the last ballot may be short
			k := min(n, len(data))
			in.Ballots = append(in.Ballots, string(data[:k]))
			data = data[k:]
		}
	default:
		for ; len(data) >= n; data = data[n:] {
			in.Ballots = append(in.Ballots, string(data[:n]))
		}
	}
	in.Issued = len(in.Ballots) + int(rulesSel)/5
	return in
}

func FuzzCount(f *testing.F) {
	f.Add(uint8(1), 10, uint8(3), false, []byte("HNLHNL-XHLLL"))
	f.Add(uint8(0), 0, uint8(1), true, []byte("LLLLH"))
	f.Add(uint8(3), 100, uint8(1), true, []byte("LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLHHHHHHHHH"))
	f.Add(uint8(3), 3, uint8(2), true, []byte("LLLLLL"))
	f.Add(uint8(2), 7, uint8(2), false, []byte{0, 1, 2, 3, 4, 250, 9, 9})
	f.Add(uint8(4), 5, uint8(1), true, []byte("H"))
	f.Add(uint8(2), -1, uint8(0), true, []byte{})
	f.Add(uint8(1), 3, uint8(4), true, []byte("HHHHLLLLNNNN-X?H"))
	f.Add(uint8(3), math.MaxInt, uint8(5), false, []byte("0123456789"))
	f.Fuzz(func(t *testing.T, rulesSel uint8, members int, cadres uint8, raw bool, data []byte) {
		in := fuzzInput(rulesSel, members, cadres, raw, data)
		res, err := tally.Count(in)
		want, ok := recount(in)
		if !ok {
			if err == nil {
				t.Fatalf("Count(%+v) succeeded, want an error", in)
			}
			return
		}
		if err != nil {
			t.Fatalf("Count(%+v): %v", in, err)
		}
		if !tally.Equal(res, want) {
			t.Fatalf("Count(%+v) =\n%+v\nwant (naive recount)\n%+v", in, res, want)
		}
		if err := res.Check(); err != nil {
			t.Fatalf("Check: %v", err)
		}
		if res.Collected != len(in.Ballots) || len(res.Cadres) != len(in.Cadres) {
			t.Fatalf("collected %d, %d cadres; want %d, %d", res.Collected, len(res.Cadres), len(in.Ballots), len(in.Cadres))
		}
		for j, cr := range res.Cadres {
			if cr.Valid+cr.Invalid != res.Collected {
				t.Fatalf("cadre %d: valid %d + invalid %d != collected %d", j, cr.Valid, cr.Invalid, res.Collected)
			}
			if s := cr.Counts[0] + cr.Counts[1] + cr.Counts[2]; s != cr.Valid {
				t.Fatalf("cadre %d: counts sum %d != valid %d", j, s, cr.Valid)
			}
			for l, p := range cr.Percent {
				if p < 0 || (res.Denominator >= res.Collected && p > 10000) {
					t.Fatalf("cadre %d level %d: percent %v out of bounds (D=%d, collected=%d)", j, l, p, res.Denominator, res.Collected)
				}
			}
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		var back tally.Result
		if err := json.Unmarshal(b, &back); err != nil || !tally.Equal(back, res) {
			t.Fatalf("JSON round trip = %+v, %v; want %+v", back, err, res)
		}
	})
}

// randomBallots returns n random ballots for c cadres, mostly valid lines.
func randomBallots(n, c int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	const marks = "HHHNNNLL-X"
	ballots := make([]string, n)
	line := make([]byte, c)
	for i := range ballots {
		for j := range line {
			line[j] = marks[r.IntN(len(marks))]
		}
		ballots[i] = string(line)
	}
	return ballots
}

func BenchmarkCount100k(b *testing.B) {
	const voters, cadres = 100_000, 30
	in := tally.Input{Rules: tally.QD96, Members: voters, Issued: voters, Ballots: randomBallots(voters, cadres)}
	for j := 0; j < cadres; j++ {
		in.Cadres = append(in.Cadres, tally.Cadre{ID: fmt.Sprint(j), Name: fmt.Sprintf("Cán bộ %d", j)})
	}
	b.SetBytes(voters * cadres)
	b.ReportAllocs()
	for b.Loop() {
		res, err := tally.Count(in)
		if err != nil || res.Collected != voters {
			b.Fatalf("Count: %v (collected %d)", err, res.Collected)
		}
	}
}
