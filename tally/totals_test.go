package tally

import "testing"

// TestAddTotalsAgreesWithBallots: counting ballots one by one and counting
// only their per-line totals give the same Result, so that an encrypted
// session is tallied exactly as a clear one.
func TestAddTotalsAgreesWithBallots(t *testing.T) {
	cadres := []Cadre{{ID: "c1", Name: "Nguyễn Văn An"}, {ID: "c2", Name: "Trần Thị Bình"}}
	ballots := []string{"HN", "HL", "-X", "LH", "NN", "H-"}
	want, err := Count(Input{Rules: NQ96, Cadres: cadres, Members: 9, Issued: 7, Ballots: ballots})
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]LineTotals, len(cadres))
	for _, b := range ballots {
		for j := range cadres {
			switch Mark(b[j]) {
			case High:
				lines[j].Counts[LevelHigh]++
			case Normal:
				lines[j].Counts[LevelNormal]++
			case Low:
				lines[j].Counts[LevelLow]++
			case Unmarked:
				lines[j].Unmarked++
			case Multiple:
				lines[j].Multiple++
			}
		}
	}
	c, err := NewCounter(NQ96, cadres)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddTotals(len(ballots), lines); err != nil {
		t.Fatal(err)
	}
	got, err := c.Result(9, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(got, want) {
		t.Errorf("totals give\n%+v\nballots give\n%+v", got, want)
	}
}

// TestAddTotalsRefusesWhatDoesNotAddUp: a line that accounts for another
// number of ballots, a negative count or a missing line changes nothing.
func TestAddTotalsRefusesWhatDoesNotAddUp(t *testing.T) {
	cadres := []Cadre{{ID: "c1", Name: "Nguyễn Văn An"}, {ID: "c2", Name: "Trần Thị Bình"}}
	for name, tt := range map[string]struct {
		ballots int
		lines   []LineTotals
	}{
		"short line":     {3, []LineTotals{{Counts: [3]int{1, 1, 1}}, {Counts: [3]int{1, 1, 0}}}},
		"negative":       {1, []LineTotals{{Counts: [3]int{2, -1, 0}}, {Counts: [3]int{1, 0, 0}}}},
		"missing line":   {1, []LineTotals{{Counts: [3]int{1, 0, 0}}}},
		"negative count": {-1, nil},
	} {
		c, err := NewCounter(QD96, cadres)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddTotals(tt.ballots, tt.lines); err == nil {
			t.Errorf("%s: AddTotals succeeded", name)
		}
		if c.Ballots() != 0 || c.tab[0] != [6]int{} || c.tab[1] != [6]int{} {
			t.Errorf("%s: a refused call changed the counts", name)
		}
	}
}
