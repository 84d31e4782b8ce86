package tally_test

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"testing"

	"tinnhiem/tally"
)

func TestPercentOf(t *testing.T) {
	tests := []struct {
		n, d int
		want tally.Percent
		text string // String form
	}{
		// Published results quoted in DOMAIN.md.
		{19, 47, 4043, "40.43"},
		{2, 47, 426, "4.26"},
		{25, 47, 5319, "53.19"},
		{437, 485, 9010, "90.10"},
		{6, 485, 124, "1.24"},
		{52, 53, 9811, "98.11"},
		// Exact at two decimals: nothing to round.
		{1, 8, 1250, "12.50"},
		{1, 16, 625, "6.25"},
		// Third decimal exactly 5: half up.
		{1, 32, 313, "3.13"},   // 3.125
		{1, 800, 13, "0.13"},   // 0.125
		{1, 20000, 1, "0.01"},  // 0.005
		{3, 8000, 4, "0.04"},   // 0.0375: above half
		{1, 40000, 0, "0.00"},  // 0.0025: below half
		{1, 64, 156, "1.56"},   // 1.5625: below half
		{5, 64, 781, "7.81"},   // 7.8125: below half
		{7, 32, 2188, "21.88"}, // 21.875
		// Thirds and sixths.
		{1, 3, 3333, "33.33"},
		{2, 3, 6667, "66.67"},
		{1, 6, 1667, "16.67"},
		// Bounds.
		{0, 47, 0, "0.00"},
		{47, 47, 10000, "100.00"},
		{0, 0, 0, "0.00"},
		{5, 0, 0, "0.00"},
		{-1, 5, 0, "0.00"},
		{5, -5, 0, "0.00"},
		{60, 50, 12000, "120.00"},
		{math.MaxInt, math.MaxInt, 10000, "100.00"},
		{math.MaxInt - 1, math.MaxInt, 10000, "100.00"},
	}
	if strconv.IntSize == 64 {
		// Only a 64-bit int can ask for more than a Percent holds.
		tests = append(tests, struct {
			n, d int
			want tally.Percent
			text string
		}{math.MaxInt, 1, math.MaxInt64, "92233720368547758.07"})
	}
	for _, tt := range tests {
		got := tally.PercentOf(tt.n, tt.d)
		if got != tt.want {
			t.Errorf("PercentOf(%d, %d) = %d, want %d", tt.n, tt.d, got, tt.want)
		}
		if s := got.String(); s != tt.text {
			t.Errorf("PercentOf(%d, %d).String() = %q, want %q", tt.n, tt.d, s, tt.text)
		}
	}
}

func TestPercentFormat(t *testing.T) {
	tests := []struct {
		p      tally.Percent
		en, vi string
	}{
		{4043, "40.43", "40,43"},
		{0, "0.00", "0,00"},
		{5, "0.05", "0,05"},
		{10000, "100.00", "100,00"},
		{-5, "-0.05", "-0,05"},
		{-4043, "-40.43", "-40,43"},
		{math.MinInt64, "-92233720368547758.08", "-92233720368547758,08"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.en {
			t.Errorf("Percent(%d).String() = %q, want %q", int64(tt.p), got, tt.en)
		}
		if got := tt.p.Vietnamese(); got != tt.vi {
			t.Errorf("Percent(%d).Vietnamese() = %q, want %q", int64(tt.p), got, tt.vi)
		}
	}
}

// refPercent is half-up rounding of n/d·10000 in arbitrary precision:
// floor((2·n·10000 + d) / 2d).
func refPercent(n, d int) *big.Int {
	num := new(big.Int).Mul(big.NewInt(int64(n)), big.NewInt(20000))
	num.Add(num, big.NewInt(int64(d)))
	return num.Quo(num, new(big.Int).Mul(big.NewInt(int64(d)), big.NewInt(2)))
}

func FuzzPercentOf(f *testing.F) {
	f.Add(19, 47)
	f.Add(1, 800)
	f.Add(1, 20000)
	f.Add(0, 0)
	f.Add(math.MaxInt, 3)
	f.Add(math.MaxInt/10000, 1)
	f.Fuzz(func(t *testing.T, n, d int) {
		got := tally.PercentOf(n, d)
		if n < 0 || d <= 0 {
			if got != 0 {
				t.Fatalf("PercentOf(%d, %d) = %d, want 0", n, d, got)
			}
			return
		}
		want := refPercent(n, d)
		if !want.IsInt64() {
			if got != math.MaxInt64 {
				t.Fatalf("PercentOf(%d, %d) = %d, want saturation at MaxInt64", n, d, got)
			}
			return
		}
		if int64(got) != want.Int64() {
			t.Fatalf("PercentOf(%d, %d) = %d, want %d", n, d, got, want)
		}
		// String must print the exact figure, two decimals, no rounding.
		if s, w := got.String(), fmt.Sprintf("%d.%02d", want.Int64()/100, want.Int64()%100); s != w {
			t.Fatalf("PercentOf(%d, %d).String() = %q, want %q", n, d, s, w)
		}
	})
}
