package tally_test

import (
	"strings"
	"testing"

	"tinnhiem/tally"
)

func TestParseRules(t *testing.T) {
	tests := []struct {
		in      string
		want    tally.Rules
		wantErr bool
	}{
		{"", tally.QD96, false},
		{"qd96", tally.QD96, false},
		{"nq96", tally.NQ96, false},
		{"nq85", tally.NQ85, false},
		{"QD96", "", true},
		{"qd262", "", true},
		{" qd96", "", true},
	}
	for _, tt := range tests {
		got, err := tally.ParseRules(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseRules(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil {
			for _, name := range []string{"qd96", "nq96", "nq85"} {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("ParseRules(%q) error %q does not list %q", tt.in, err, name)
				}
			}
		}
	}
}

func TestRulesTexts(t *testing.T) {
	tests := []struct {
		r                      tally.Rules
		title, short, english  string
		denominatorVi, denomEn string
	}{
		{tally.QD96, "Quy định 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị", "Quy định 96-QĐ/TW",
			"Regulation 96-QĐ/TW of the Politburo, 2 February 2023", "tổng số phiếu thu về", "ballots collected"},
		{"", "Quy định 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị", "Quy định 96-QĐ/TW",
			"Regulation 96-QĐ/TW of the Politburo, 2 February 2023", "tổng số phiếu thu về", "ballots collected"},
		{tally.NQ96, "Nghị quyết 96/2023/QH15 ngày 23/6/2023 của Quốc hội", "Nghị quyết 96/2023/QH15",
			"Resolution 96/2023/QH15 of the National Assembly, 23 June 2023", "tổng số phiếu thu về", "ballots collected"},
		{tally.NQ85, "Nghị quyết 85/2014/QH13 ngày 28/11/2014 của Quốc hội", "Nghị quyết 85/2014/QH13",
			"Resolution 85/2014/QH13 of the National Assembly, 28 November 2014", "tổng số đại biểu", "all members of the body"},
	}
	for _, tt := range tests {
		if got := tt.r.Title(); got != tt.title {
			t.Errorf("Rules(%q).Title() = %q, want %q", tt.r, got, tt.title)
		}
		if got := tt.r.Short(); got != tt.short {
			t.Errorf("Rules(%q).Short() = %q, want %q", tt.r, got, tt.short)
		}
		if got := tt.r.English(); got != tt.english {
			t.Errorf("Rules(%q).English() = %q, want %q", tt.r, got, tt.english)
		}
		if got := tt.r.DenominatorVietnamese(); got != tt.denominatorVi {
			t.Errorf("Rules(%q).DenominatorVietnamese() = %q, want %q", tt.r, got, tt.denominatorVi)
		}
		if got := tt.r.DenominatorEnglish(); got != tt.denomEn {
			t.Errorf("Rules(%q).DenominatorEnglish() = %q, want %q", tt.r, got, tt.denomEn)
		}
	}
	bogus := tally.Rules("bogus")
	if bogus.Title() != "bogus" || bogus.Short() != "bogus" || bogus.English() != "bogus" {
		t.Errorf(`Rules("bogus") titles = %q %q %q, want the raw name`, bogus.Title(), bogus.Short(), bogus.English())
	}
	if bogus.DenominatorVietnamese() != "" || bogus.DenominatorEnglish() != "" {
		t.Errorf(`Rules("bogus") denominator names = %q %q, want empty`, bogus.DenominatorVietnamese(), bogus.DenominatorEnglish())
	}
}

func TestRulesDenominator(t *testing.T) {
	tests := []struct {
		r                  tally.Rules
		members, collected int
		want               int
	}{
		{tally.QD96, 100, 60, 60},
		{"", 100, 60, 60},
		{tally.NQ96, 100, 60, 60},
		{tally.NQ85, 100, 60, 100},
		{"bogus", 100, 60, 0},
	}
	for _, tt := range tests {
		if got := tt.r.Denominator(tt.members, tt.collected); got != tt.want {
			t.Errorf("Rules(%q).Denominator(%d, %d) = %d, want %d", tt.r, tt.members, tt.collected, got, tt.want)
		}
	}
}

func TestMarks(t *testing.T) {
	tests := []struct {
		m            tally.Mark
		known, valid bool
		level        tally.Level
		str          string
	}{
		{tally.High, true, true, tally.LevelHigh, "H"},
		{tally.Normal, true, true, tally.LevelNormal, "N"},
		{tally.Low, true, true, tally.LevelLow, "L"},
		{tally.Unmarked, true, false, 0, "-"},
		{tally.Multiple, true, false, 0, "X"},
		{'h', false, false, 0, "Mark('h')"},
		{0, false, false, 0, `Mark('\x00')`},
		{0xff, false, false, 0, "Mark('ÿ')"},
	}
	for _, tt := range tests {
		if got := tt.m.Known(); got != tt.known {
			t.Errorf("Mark(%q).Known() = %v, want %v", byte(tt.m), got, tt.known)
		}
		if got := tt.m.Valid(); got != tt.valid {
			t.Errorf("Mark(%q).Valid() = %v, want %v", byte(tt.m), got, tt.valid)
		}
		if l, ok := tt.m.Level(); ok != tt.valid || l != tt.level {
			t.Errorf("Mark(%q).Level() = %v, %v; want %v, %v", byte(tt.m), l, ok, tt.level, tt.valid)
		}
		if got := tt.m.String(); got != tt.str {
			t.Errorf("Mark(%q).String() = %q, want %q", byte(tt.m), got, tt.str)
		}
	}
}

func TestLevels(t *testing.T) {
	want := []struct {
		code, vi, en string
		mark         tally.Mark
	}{
		{"high", "Tín nhiệm cao", "High confidence", tally.High},
		{"normal", "Tín nhiệm", "Confidence", tally.Normal},
		{"low", "Tín nhiệm thấp", "Low confidence", tally.Low},
	}
	for i, l := range tally.Levels {
		w := want[i]
		if int(l) != i {
			t.Errorf("Levels[%d] = %d, want %d", i, l, i)
		}
		if l.Code() != w.code || l.String() != w.code || l.Vietnamese() != w.vi || l.English() != w.en || l.Mark() != w.mark {
			t.Errorf("Levels[%d] = %q %q %q %q %v, want %q %q %q %v",
				i, l.Code(), l.String(), l.Vietnamese(), l.English(), l.Mark(), w.code, w.vi, w.en, w.mark)
		}
		if back, ok := l.Mark().Level(); !ok || back != l {
			t.Errorf("Levels[%d].Mark().Level() = %v, %v; want %v", i, back, ok, l)
		}
	}
	bad := tally.Level(3)
	if bad.Code() != "" || bad.Vietnamese() != "" || bad.English() != "" || bad.Mark() != tally.Unmarked || bad.String() != "Level(3)" {
		t.Errorf("Level(3) = %q %q %q %v %q, want empty names, Unmarked, Level(3)",
			bad.Code(), bad.Vietnamese(), bad.English(), bad.Mark(), bad.String())
	}
}

func TestCheckBallot(t *testing.T) {
	tests := []struct {
		ballot  string
		cadres  int
		wantErr string // "" for no error
	}{
		{"HNL-X", 5, ""},
		{"", 0, ""},
		{"HNL", 4, "has 3 lines, want 4"},
		{"HNLL", 3, "has 4 lines, want 3"},
		{"HnL", 3, "line 1 holds Mark('n')"},
		{"HN\x00", 3, `line 2 holds Mark('\x00')`},
	}
	for _, tt := range tests {
		err := tally.CheckBallot(tt.ballot, tt.cadres)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("CheckBallot(%q, %d) = %v, want nil", tt.ballot, tt.cadres, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("CheckBallot(%q, %d) = %v, want error containing %q", tt.ballot, tt.cadres, err, tt.wantErr)
		}
	}
}
