package tally_test

import (
	"math"
	"strings"
	"testing"

	"tinnhiem/tally"
)

// oneCadre returns collected ballots for a single cadre: low of them Low,
// invalid of them Unmarked, the rest High.
func oneCadre(collected, low, invalid int) []string {
	b := make([]string, 0, collected)
	for i := 0; i < collected; i++ {
		switch {
		case i < low:
			b = append(b, "L")
		case i < low+invalid:
			b = append(b, "-")
		default:
			b = append(b, "H")
		}
	}
	return b
}

func TestThresholdsOfBallotsCollected(t *testing.T) {
	tests := []struct {
		name           string
		collected, low int
		want           tally.Condition
	}{
		{"no ballots", 0, 0, tally.None},
		{"one ballot, not low", 1, 0, tally.None},
		{"one ballot, low", 1, 1, tally.TwoThirdsLow},
		{"exactly half of 2", 2, 1, tally.None},
		{"exactly half of 12", 12, 6, tally.None},
		{"one more than half of 12", 12, 7, tally.MoreThanHalfLow},
		{"exactly two thirds of 12", 12, 8, tally.TwoThirdsLow},
		{"all of 12", 12, 12, tally.TwoThirdsLow},
		{"just under half of 9", 9, 4, tally.None},
		{"just over half of 9", 9, 5, tally.MoreThanHalfLow},
		{"exactly two thirds of 9", 9, 6, tally.TwoThirdsLow},
		{"exactly half of 10", 10, 5, tally.None},
		{"just under two thirds of 10", 10, 6, tally.MoreThanHalfLow},
		{"just over two thirds of 10", 10, 7, tally.TwoThirdsLow},
		{"just over half of 7", 7, 4, tally.MoreThanHalfLow},
		{"just over two thirds of 7", 7, 5, tally.TwoThirdsLow},
		{"exactly half of 300", 300, 150, tally.None},
		{"exactly two thirds of 300", 300, 200, tally.TwoThirdsLow},
		{"just under two thirds of 300", 300, 199, tally.MoreThanHalfLow},
		{"one more than half of 300", 300, 151, tally.MoreThanHalfLow},
	}
	for _, rules := range []tally.Rules{tally.QD96, tally.NQ96} {
		for _, tt := range tests {
			// Invalid lines still count in the denominator: it is the ballots
			// collected, not the valid ones.
			for _, invalid := range []int{0, (tt.collected - tt.low) / 2} {
				res, err := tally.Count(tally.Input{
					Rules:   rules,
					Cadres:  []tally.Cadre{{ID: "1", Name: "A", Position: "P"}},
					Members: tt.collected + 5,
					Issued:  tt.collected,
					Ballots: oneCadre(tt.collected, tt.low, invalid),
				})
				if err != nil {
					t.Fatalf("%s %s: Count: %v", rules, tt.name, err)
				}
				if res.Denominator != tt.collected {
					t.Errorf("%s %s: denominator = %d, want %d (ballots collected)", rules, tt.name, res.Denominator, tt.collected)
				}
				if got := res.Cadres[0].Condition; got != tt.want {
					t.Errorf("%s %s (%d invalid): condition = %v, want %v", rules, tt.name, invalid, got, tt.want)
				}
			}
		}
	}
}

func TestThresholdsOfMembersNQ85(t *testing.T) {
	tests := []struct {
		name                    string
		members, collected, low int
		want                    tally.Condition
	}{
		{"51 of 100 members, 60 collected", 100, 60, 51, tally.MoreThanHalfLow},
		{"50 of 100 members, 60 collected", 100, 60, 50, tally.None},
		{"31 of 100 members, 60 collected: over half of ballots, not of members", 100, 60, 31, tally.None},
		{"exactly two thirds of 90 members", 90, 80, 60, tally.TwoThirdsLow},
		{"just under two thirds of 90 members", 90, 80, 59, tally.MoreThanHalfLow},
		{"one more than half of 90 members", 90, 80, 46, tally.MoreThanHalfLow},
		{"exactly half of 90 members", 90, 80, 45, tally.None},
		{"no members", 0, 3, 3, tally.None},
	}
	for _, tt := range tests {
		res, err := tally.Count(tally.Input{
			Rules:   tally.NQ85,
			Cadres:  []tally.Cadre{{ID: "1", Name: "A", Position: "P"}},
			Members: tt.members,
			Issued:  tt.collected,
			Ballots: oneCadre(tt.collected, tt.low, 1),
		})
		if err != nil {
			t.Fatalf("%s: Count: %v", tt.name, err)
		}
		if res.Denominator != tt.members {
			t.Errorf("%s: denominator = %d, want %d (members)", tt.name, res.Denominator, tt.members)
		}
		if got := res.Cadres[0].Condition; got != tt.want {
			t.Errorf("%s: condition = %v, want %v", tt.name, got, tt.want)
		}
		if got, want := res.Cadres[0].Percent[tally.LevelLow], tally.PercentOf(tt.low, tt.members); got != want {
			t.Errorf("%s: low percent = %v, want %v (of members)", tt.name, got, want)
		}
	}
}

func TestConditionOfIgnoresRounding(t *testing.T) {
	tests := []struct {
		low, d  int
		want    tally.Condition
		printed string // what the rounded percentage would suggest
	}{
		{10001, 20001, tally.MoreThanHalfLow, "50.00"},  // 50.0025% > 1/2
		{66666, 100000, tally.MoreThanHalfLow, "66.67"}, // 66.666% < 2/3
		{2, 3, tally.TwoThirdsLow, "66.67"},
		{5, 10, tally.None, "50.00"},
	}
	for _, tt := range tests {
		if got := tally.ConditionOf(tt.low, tt.d); got != tt.want {
			t.Errorf("ConditionOf(%d, %d) = %v, want %v", tt.low, tt.d, got, tt.want)
		}
		if got := tally.PercentOf(tt.low, tt.d).String(); got != tt.printed {
			t.Errorf("PercentOf(%d, %d) = %s, want %s", tt.low, tt.d, got, tt.printed)
		}
	}
}

func TestConditionOfExtremes(t *testing.T) {
	const twoThirdsOfMax = math.MaxInt - math.MaxInt/3 // ceil(2·MaxInt/3); 3× it overflows int
	tests := []struct {
		low, d int
		want   tally.Condition
	}{
		{0, 0, tally.None},
		{5, 0, tally.None},
		{5, -1, tally.None},
		{-1, 5, tally.None},
		{math.MaxInt / 2, math.MaxInt, tally.None},
		{math.MaxInt/2 + 1, math.MaxInt, tally.MoreThanHalfLow},
		{twoThirdsOfMax - 1, math.MaxInt, tally.MoreThanHalfLow},
		{twoThirdsOfMax, math.MaxInt, tally.TwoThirdsLow},
		{math.MaxInt, math.MaxInt, tally.TwoThirdsLow},
	}
	for _, tt := range tests {
		if got := tally.ConditionOf(tt.low, tt.d); got != tt.want {
			t.Errorf("ConditionOf(%d, %d) = %v, want %v", tt.low, tt.d, got, tt.want)
		}
	}
}

func TestConditionTexts(t *testing.T) {
	articles := map[tally.Rules][2]string{
		tally.QD96: {"Điều 11 Quy định 96-QĐ/TW", "Article 11, Regulation 96-QĐ/TW"},
		tally.NQ96: {"Điều 12 Nghị quyết 96/2023/QH15", "Article 12, Resolution 96/2023/QH15"},
		tally.NQ85: {"Điều 13 Nghị quyết 85/2014/QH13", "Article 13, Resolution 85/2014/QH13"},
	}
	// A phrase each consequence must state, from DOMAIN.md's table.
	phrases := map[tally.Rules][3]string{
		tally.QD96: {"không quá một nửa tổng số phiếu thu về", "đưa ra khỏi quy hoạch", "miễn nhiệm"},
		tally.NQ96: {"không quá một nửa tổng số phiếu thu về", "có thể xin từ chức", "miễn nhiệm"},
		tally.NQ85: {"không quá một nửa tổng số đại biểu", "có thể xin từ chức", "bỏ phiếu tín nhiệm"},
	}
	seen := map[string]bool{}
	for rules, art := range articles {
		for _, c := range []tally.Condition{tally.None, tally.MoreThanHalfLow, tally.TwoThirdsLow} {
			vi, en := c.Vietnamese(rules), c.English(rules)
			if got := c.Article(rules); got != art[0] {
				t.Errorf("%v.Article(%s) = %q, want %q", c, rules, got, art[0])
			}
			if !strings.Contains(vi, art[0]) || !strings.HasSuffix(vi, ".") {
				t.Errorf("%v.Vietnamese(%s) = %q, want a sentence citing %q", c, rules, vi, art[0])
			}
			if !strings.Contains(en, art[1]) || !strings.HasSuffix(en, ".") {
				t.Errorf("%v.English(%s) = %q, want a sentence citing %q", c, rules, en, art[1])
			}
			if p := phrases[rules][c]; !strings.Contains(vi, p) {
				t.Errorf("%v.Vietnamese(%s) = %q, want it to contain %q", c, rules, vi, p)
			}
			if seen[vi] || seen[en] {
				t.Errorf("%v under %s repeats another condition's text: %q / %q", c, rules, vi, en)
			}
			seen[vi], seen[en] = true, true
		}
	}
	if got := tally.TwoThirdsLow.Vietnamese(""); got != tally.TwoThirdsLow.Vietnamese(tally.QD96) {
		t.Errorf(`TwoThirdsLow.Vietnamese("") = %q, want the qd96 text`, got)
	}
	for _, got := range []string{
		tally.TwoThirdsLow.Vietnamese("bogus"), tally.TwoThirdsLow.English("bogus"), tally.None.Article("bogus"),
		tally.Condition(7).Vietnamese(tally.QD96), tally.Condition(-1).English(tally.QD96),
	} {
		if got != "" {
			t.Errorf("text for an unknown rule set or condition = %q, want empty", got)
		}
	}
}

func TestConditionText(t *testing.T) {
	for _, c := range []tally.Condition{tally.None, tally.MoreThanHalfLow, tally.TwoThirdsLow} {
		b, err := c.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText: %v", c, err)
		}
		if string(b) != c.String() {
			t.Errorf("%v.MarshalText() = %q, want %q", c, b, c.String())
		}
		var back tally.Condition
		if err := back.UnmarshalText(b); err != nil || back != c {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, back, err, c)
		}
	}
	if _, err := tally.Condition(4).MarshalText(); err == nil {
		t.Error("Condition(4).MarshalText succeeded, want an error")
	}
	if got := tally.Condition(4).String(); got != "Condition(4)" {
		t.Errorf("Condition(4).String() = %q, want Condition(4)", got)
	}
	var c tally.Condition
	for _, s := range []string{"", "None", "2", "two_thirds"} {
		if err := c.UnmarshalText([]byte(s)); err == nil {
			t.Errorf("UnmarshalText(%q) succeeded, want an error", s)
		}
	}
}
