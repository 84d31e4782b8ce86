package tally

import (
	"math"
	"math/bits"
	"strconv"
)

// Percent is a percentage in hundredths of a percent (4043 is 40.43%),
// computed from integers and rounded half up, exactly as the counting
// committee prints it. Being an integer it compares, stores and round-trips
// exactly; it is for printing only, never for testing a threshold.
type Percent int64

// PercentOf returns n/d as a Percent, rounded half up at the second decimal:
// PercentOf(19, 47) is 4043 (40.43%) and PercentOf(1, 800) is 13 (0.13%).
// The result is exact for every int; d <= 0 or n < 0 yields 0, and a
// quotient too large for a Percent saturates at math.MaxInt64.
func PercentOf(n, d int) Percent {
	if d <= 0 || n < 0 {
		return 0
	}
	// 128-bit product so that no n, however large, overflows before the
	// division; half up is q+1 when the remainder is at least d/2.
	hi, lo := bits.Mul64(uint64(n), 10000)
	ud := uint64(d)
	if hi >= ud {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, ud)
	if q >= math.MaxInt64 {
		return math.MaxInt64
	}
	if r >= ud-r {
		q++
	}
	return Percent(q)
}

// String returns p with a decimal point and exactly two decimals, without a
// percent sign: "40.43", "0.13", "100.00".
func (p Percent) String() string { return p.format('.') }

// Vietnamese returns p with a Vietnamese decimal comma and exactly two
// decimals: "40,43". It uses no thousands separator, so the only comma is
// the decimal one.
func (p Percent) Vietnamese() string { return p.format(',') }

func (p Percent) format(point byte) string {
	u := uint64(p)
	neg := p < 0
	if neg {
		u = -u // two's complement gives the magnitude, even for MinInt64
	}
	frac := u % 100
	b := make([]byte, 0, 24)
	if neg {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, u/100, 10)
	b = append(b, point, byte('0'+frac/10), byte('0'+frac%10))
	return string(b)
}
