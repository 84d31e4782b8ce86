package tally_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"tinnhiem/tally"
)

var threeCadres = []tally.Cadre{
	{ID: "c1", Name: "Nguyễn Văn An", Position: "Bí thư Đảng ủy Khối"},
	{ID: "c2", Name: "Trần Thị Bích Ngọc", Position: "Phó Bí thư Thường trực Đảng ủy Khối"},
	{ID: "c3", Name: "Lê Hoàng Long", Position: "Ủy viên Ban Thường vụ"},
}

func TestCountValidityPerCadre(t *testing.T) {
	in := tally.Input{
		Rules:   tally.QD96,
		Cadres:  threeCadres,
		Members: 8,
		Issued:  7,
		Ballots: []string{
			"HNL",
			"-HL", // unmarked for c1 only
			"HXL", // two marks for c2 only
			"LL-",
			"NNN",
			"X-X", // invalid for all three, yet collected
		},
	}
	res, err := tally.Count(in)
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	want := tally.Result{
		Rules: tally.QD96, Members: 8, Issued: 7, Collected: 6, Denominator: 6,
		Cadres: []tally.CadreResult{
			{Cadre: threeCadres[0], Valid: 4, Invalid: 2, Counts: [3]int{2, 1, 1},
				Percent: [3]tally.Percent{3333, 1667, 1667}, Condition: tally.None},
			{Cadre: threeCadres[1], Valid: 4, Invalid: 2, Counts: [3]int{1, 2, 1},
				Percent: [3]tally.Percent{1667, 3333, 1667}, Condition: tally.None},
			{Cadre: threeCadres[2], Valid: 4, Invalid: 2, Counts: [3]int{0, 1, 3},
				Percent: [3]tally.Percent{0, 1667, 5000}, Condition: tally.None},
		},
	}
	if !tally.Equal(res, want) {
		t.Errorf("Count =\n%+v\nwant\n%+v", res, want)
	}
	for i, cr := range res.Cadres {
		if cr.Valid+cr.Invalid != res.Collected {
			t.Errorf("cadre %d: valid %d + invalid %d != collected %d", i, cr.Valid, cr.Invalid, res.Collected)
		}
	}
	if err := res.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestCountDefaultsAndCopies(t *testing.T) {
	cadres := append([]tally.Cadre(nil), threeCadres...)
	ballots := []string{"HHH", "LLL"}
	res, err := tally.Count(tally.Input{Cadres: cadres, Members: 2, Issued: 2, Ballots: ballots})
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	if res.Rules != tally.QD96 {
		t.Errorf("Count with no rule set recorded Rules = %q, want %q", res.Rules, tally.QD96)
	}
	cadres[0].Name = "changed"
	if res.Cadres[0].Cadre.Name != threeCadres[0].Name {
		t.Errorf("Result shares memory with Input.Cadres: name = %q", res.Cadres[0].Cadre.Name)
	}
	if !reflect.DeepEqual(ballots, []string{"HHH", "LLL"}) {
		t.Errorf("Count modified Input.Ballots: %q", ballots)
	}

	empty, err := tally.Count(tally.Input{Rules: tally.NQ96})
	if err != nil {
		t.Fatalf("Count of an empty session: %v", err)
	}
	if empty.Cadres == nil || len(empty.Cadres) != 0 || empty.Collected != 0 || empty.Denominator != 0 {
		t.Errorf("Count of an empty session = %+v, want zero figures and an empty, non-nil Cadres", empty)
	}
}

func TestCountErrors(t *testing.T) {
	tests := []struct {
		name string
		in   tally.Input
		want string // substring of the error
	}{
		{"ballot too short", tally.Input{Cadres: threeCadres, Ballots: []string{"HNL", "HN"}},
			"ballot 1: has 2 lines, want 3"},
		{"ballot too long", tally.Input{Cadres: threeCadres, Ballots: []string{"HNL", "HNL", "HNLL"}},
			"ballot 2: has 4 lines, want 3"},
		{"empty ballot", tally.Input{Cadres: threeCadres, Ballots: []string{""}},
			"ballot 0: has 0 lines, want 3"},
		{"lower-case mark", tally.Input{Cadres: threeCadres, Ballots: []string{"HNL", "HNL", "HnL"}},
			"ballot 2: line 1 holds Mark('n')"},
		{"space", tally.Input{Cadres: threeCadres, Ballots: []string{" NL"}},
			"ballot 0: line 0 holds Mark(' ')"},
		{"NUL byte", tally.Input{Cadres: threeCadres, Ballots: []string{"HN\x00"}},
			`ballot 0: line 2 holds Mark('\x00')`},
		{"multi-byte UTF-8", tally.Input{Cadres: threeCadres[:2], Ballots: []string{"é"}},
			"ballot 0: line 0 holds Mark('Ã')"},
		{"unknown rules", tally.Input{Rules: "qd262", Cadres: threeCadres, Ballots: []string{"HNL"}},
			`unknown rule set "qd262": want one of qd96, nq96, nq85`},
		{"upper-case rules", tally.Input{Rules: "QD96"}, `unknown rule set "QD96"`},
		{"negative members", tally.Input{Members: -1}, "members is -1, must not be negative"},
		{"negative issued", tally.Input{Issued: -2}, "issued is -2, must not be negative"},
	}
	for _, tt := range tests {
		res, err := tally.Count(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Count error = %v, want one containing %q", tt.name, err, tt.want)
			continue
		}
		if msg := err.Error(); msg != strings.ToLower(msg[:1])+msg[1:] || strings.HasSuffix(msg, ".") {
			t.Errorf("%s: error %q should start lower-case and not end with a period", tt.name, msg)
		}
		if !tally.Equal(res, tally.Result{}) {
			t.Errorf("%s: Count returned a partial result %+v with its error", tt.name, res)
		}
	}
}

func TestResultJSONRoundTrip(t *testing.T) {
	for _, rules := range tally.AllRules {
		ballots := []string{"HNL", "-HL", "HXL", "LL-", "NNN", "X-X", "LLL", "LLL"}
		if rules.Formal() {
			ballots = []string{"TTK", "-TK", "TXK", "KK-", "TTT", "X-X", "KKK", "KKK"}
		}
		res, err := tally.Count(tally.Input{
			Rules:   rules,
			Cadres:  threeCadres,
			Members: 10,
			Issued:  9,
			Ballots: ballots,
		})
		if err != nil {
			t.Fatalf("%s: Count: %v", rules, err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatalf("%s: Marshal: %v", rules, err)
		}
		var back tally.Result
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: Unmarshal: %v", rules, err)
		}
		if !tally.Equal(res, back) {
			t.Errorf("%s: round trip changed the result:\n got %+v\nwant %+v", rules, back, res)
		}
		if err := back.Check(); err != nil {
			t.Errorf("%s: Check after round trip: %v", rules, err)
		}
		b2, _ := json.Marshal(back)
		if string(b) != string(b2) {
			t.Errorf("%s: re-encoding differs:\n%s\n%s", rules, b, b2)
		}
		for _, key := range []string{`"rules":"` + string(rules) + `"`, `"members":10`, `"issued":9`,
			`"collected":8`, `"denominator":`, `"percent_hundredths":[`, `"condition":"`, `"counts":[`,
			`"cadre":{"id":"c1","name":"Nguyễn Văn An","position":"Bí thư Đảng ủy Khối"}`} {
			if !strings.Contains(string(b), key) {
				t.Errorf("%s: JSON lacks %s:\n%s", rules, key, b)
			}
		}
	}
}

func TestEqual(t *testing.T) {
	base, err := tally.Count(tally.Input{Cadres: threeCadres, Members: 3, Issued: 3, Ballots: []string{"HNL", "LLL"}})
	if err != nil {
		t.Fatal(err)
	}
	clone := func() tally.Result {
		c := base
		c.Cadres = append([]tally.CadreResult(nil), base.Cadres...)
		return c
	}
	tests := []struct {
		name   string
		change func(*tally.Result)
		want   bool
	}{
		{"identical", func(*tally.Result) {}, true},
		{"rules", func(r *tally.Result) { r.Rules = tally.NQ96 }, false},
		{"members", func(r *tally.Result) { r.Members++ }, false},
		{"issued", func(r *tally.Result) { r.Issued++ }, false},
		{"collected", func(r *tally.Result) { r.Collected++ }, false},
		{"denominator", func(r *tally.Result) { r.Denominator++ }, false},
		{"one count", func(r *tally.Result) { r.Cadres[1].Counts[2]++ }, false},
		{"one percent", func(r *tally.Result) { r.Cadres[0].Percent[0]++ }, false},
		{"condition", func(r *tally.Result) { r.Cadres[2].Condition = tally.None }, false},
		{"cadre name", func(r *tally.Result) { r.Cadres[0].Cadre.Name += " " }, false},
		{"cadre order", func(r *tally.Result) { r.Cadres[0], r.Cadres[1] = r.Cadres[1], r.Cadres[0] }, false},
		{"cadre dropped", func(r *tally.Result) { r.Cadres = r.Cadres[:2] }, false},
	}
	for _, tt := range tests {
		c := clone()
		tt.change(&c)
		if got := tally.Equal(base, c); got != tt.want {
			t.Errorf("Equal after changing %s = %v, want %v", tt.name, got, tt.want)
		}
		if got := tally.Equal(c, base); got != tt.want {
			t.Errorf("Equal (swapped) after changing %s = %v, want %v", tt.name, got, tt.want)
		}
	}
	if !tally.Equal(tally.Result{Cadres: nil}, tally.Result{Cadres: []tally.CadreResult{}}) {
		t.Error("Equal(nil Cadres, empty Cadres) = false, want true")
	}
}

func TestCheck(t *testing.T) {
	base, err := tally.Count(tally.Input{Rules: tally.NQ85, Cadres: threeCadres, Members: 4, Issued: 3,
		Ballots: []string{"HNL", "LLL", "L-L"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := base.Check(); err != nil {
		t.Fatalf("Check of a counted result: %v", err)
	}
	if got := base.Cadres[2].Condition; got != tally.TwoThirdsLow {
		t.Fatalf("3 low of 4 members: condition = %v, want %v", got, tally.TwoThirdsLow)
	}
	tests := []struct {
		name   string
		change func(*tally.Result)
		want   string
	}{
		{"unknown rules", func(r *tally.Result) { r.Rules = "x" }, "unknown rule set"},
		{"negative members", func(r *tally.Result) { r.Members = -1 }, "must not be negative"},
		{"wrong denominator", func(r *tally.Result) { r.Rules = tally.QD96 }, "denominator is 4, want 3 under qd96"},
		{"valid+invalid", func(r *tally.Result) { r.Cadres[0].Invalid++ }, "cadre 0: valid"},
		{"counts sum", func(r *tally.Result) { r.Cadres[1].Counts[0]++ }, "cadre 1: counts"},
		{"negative count", func(r *tally.Result) { r.Cadres[2].Counts[0] = -1 }, "cadre 2: counts must not be negative"},
		{"huge counts", func(r *tally.Result) {
			r.Cadres[0].Valid = math.MaxInt/2 + 1
			r.Cadres[0].Invalid = math.MaxInt/2 + 1
		}, "cadre 0: valid"},
		{"percent", func(r *tally.Result) { r.Cadres[2].Percent[2] = 7000 }, "cadre 2: percent"},
		{"condition", func(r *tally.Result) { r.Cadres[2].Condition = tally.MoreThanHalfLow }, "cadre 2: condition"},
	}
	for _, tt := range tests {
		c := base
		c.Cadres = append([]tally.CadreResult(nil), base.Cadres...)
		tt.change(&c)
		if err := c.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Check after changing %s = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestCounterRefusesWhole checks that a Counter fed ballot by ballot agrees
// with Count, and that a ballot refused halfway through changes no count:
// the verifier recounts a log of any size this way.
func TestCounterRefusesWhole(t *testing.T) {
	ballots := []string{"HNL", "LL-", "XN-", "N-L", "HHH"}
	want, err := tally.Count(tally.Input{Rules: tally.NQ85, Cadres: threeCadres, Members: 9, Issued: 7, Ballots: ballots})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tally.NewCounter(tally.NQ85, threeCadres)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range ballots {
		if err := c.Add(b); err != nil {
			t.Fatalf("ballot %d: %v", i, err)
		}
		// A ballot whose last line is not a mark, and one too short:
		// both refused, neither counted, even in part.
		for _, bad := range []string{"HHn", "HH"} {
			if err := c.Add(bad); err == nil {
				t.Fatalf("Add(%q) accepted a malformed ballot", bad)
			}
		}
	}
	got, err := c.Result(9, 7)
	if err != nil {
		t.Fatal(err)
	}
	if c.Ballots() != len(ballots) || !tally.Equal(got, want) {
		t.Fatalf("Counter after %d ballots = %+v\nwant Count = %+v", c.Ballots(), got, want)
	}
	if _, err := tally.NewCounter("qd97", threeCadres); err == nil {
		t.Errorf("NewCounter accepted an unknown rule set")
	}
	if _, err := c.Result(-1, 7); err == nil {
		t.Errorf("Result accepted a negative roster")
	}
}
