package tally_test

import (
	"bytes"
	"strings"
	"testing"

	"tinnhiem/tally"
)

// TestFormalThreshold checks the one threshold of the formal vote as an
// exact fraction: more than half of the denominator voting không tín
// nhiệm, so 50 of 100 is not enough and 51 is; 2/3 has no meaning there.
func TestFormalThreshold(t *testing.T) {
	for _, tt := range []struct {
		no, d int
		want  tally.Condition
	}{
		{50, 100, tally.None}, {51, 100, tally.NoConfidenceMajority}, {0, 0, tally.None},
		{3, 5, tally.NoConfidenceMajority}, {2, 5, tally.None}, {100, 100, tally.NoConfidenceMajority},
		{241, 481, tally.NoConfidenceMajority}, {240, 481, tally.None},
	} {
		for _, r := range []tally.Rules{tally.NQ96BPT, tally.NQ85BPT} {
			if got := tally.ConditionUnder(r, tt.no, tt.d); got != tt.want {
				t.Errorf("%s: ConditionUnder(%d, %d) = %v, want %v", r, tt.no, tt.d, got, tt.want)
			}
		}
	}
	// The rating is unchanged by the formal rule.
	if got := tally.ConditionUnder(tally.NQ96, 67, 100); got != tally.TwoThirdsLow {
		t.Errorf("nq96: ConditionUnder(67, 100) = %v, want two_thirds_low", got)
	}
}

// TestFormalCount counts a formal vote: T and K in the normal and low
// slots, per-cadre validity, the denominator of each rule set, and a
// rating's letters refused whole.
func TestFormalCount(t *testing.T) {
	cadres := []tally.Cadre{{ID: "c1", Name: "Nguyễn Văn An", Position: "Chủ tịch UBND"}, {ID: "c2", Name: "Trần Thị Bình", Position: "Phó Chủ tịch UBND"}}
	ballots := []string{"KT", "KT", "K-", "TX", "KK"}
	res, err := tally.Count(tally.Input{Rules: tally.NQ96BPT, Cadres: cadres, Members: 9, Issued: 6, Ballots: ballots})
	if err != nil {
		t.Fatal(err)
	}
	if res.Denominator != 5 {
		t.Errorf("nq96-bpt denominator = %d, want 5 ballots collected", res.Denominator)
	}
	c1, c2 := res.Cadres[0], res.Cadres[1]
	if c1.Counts != [3]int{0, 1, 4} || c1.Valid != 5 || c1.Condition != tally.NoConfidenceMajority {
		t.Errorf("c1 = %+v, want counts [0 1 4], 5 valid, more than half no confidence", c1)
	}
	if c2.Counts != [3]int{0, 2, 1} || c2.Invalid != 2 || c2.Condition != tally.None {
		t.Errorf("c2 = %+v, want counts [0 2 1], 2 invalid, no condition", c2)
	}
	if err := res.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	old, err := tally.Count(tally.Input{Rules: tally.NQ85BPT, Cadres: cadres, Members: 9, Issued: 6, Ballots: ballots})
	if err != nil {
		t.Fatal(err)
	}
	// 4 of 9 delegates is not more than half of all delegates.
	if old.Denominator != 9 || old.Cadres[0].Condition != tally.None {
		t.Errorf("nq85-bpt: denominator %d, c1 condition %v; want 9 and none", old.Denominator, old.Cadres[0].Condition)
	}
	if _, err := tally.Count(tally.Input{Rules: tally.NQ96BPT, Cadres: cadres, Ballots: []string{"HL"}}); err == nil {
		t.Error("a rating ballot counted in a formal vote")
	}
	if _, err := tally.Count(tally.Input{Rules: tally.NQ96, Cadres: cadres, Ballots: []string{"TK"}}); err == nil {
		t.Error("a formal ballot counted in a rating")
	}
	forged := res
	forged.Cadres = append([]tally.CadreResult(nil), res.Cadres...)
	forged.Cadres[0].Counts = [3]int{1, 0, 4}
	if err := forged.Check(); err == nil {
		t.Error("Check accepted a high-confidence count in a formal vote")
	}
	s := c1.Condition.Vietnamese(tally.NQ96BPT)
	if !strings.Contains(s, "quá nửa") || !strings.Contains(s, "miễn nhiệm") || !strings.Contains(s, "Điều 17 Nghị quyết 96/2023/QH15") {
		t.Errorf("consequence sentence %q does not state the Điều 17 rule", s)
	}
	var csv bytes.Buffer
	if err := tally.WriteCSV(&csv, res); err != nil {
		t.Fatal(err)
	}
	head := strings.SplitN(strings.TrimPrefix(csv.String(), "\uFEFF"), "\r\n", 2)[0]
	want := "STT,Họ và tên,Chức vụ,Phiếu phát ra,Phiếu thu về,Phiếu hợp lệ,Phiếu không hợp lệ,Số tính tỷ lệ (tổng số phiếu thu về),Tín nhiệm,% Tín nhiệm,Không tín nhiệm,% Không tín nhiệm,Kết luận"
	if head != want {
		t.Errorf("formal header\n%s\nwant\n%s", head, want)
	}
	if err := tally.CheckCSV(csv.Bytes(), res); err != nil {
		t.Errorf("CheckCSV of the formal file: %v", err)
	}
	var js bytes.Buffer
	if err := tally.WriteJSON(&js, res); err != nil {
		t.Fatal(err)
	}
	if err := tally.CheckJSON(js.Bytes(), res); err != nil {
		t.Errorf("CheckJSON of the formal file: %v", err)
	}
	if !strings.Contains(js.String(), `"levels": ["", "confidence", "no_confidence"]`) {
		t.Errorf("results.json levels not the formal ones:\n%s", js.String())
	}
}
