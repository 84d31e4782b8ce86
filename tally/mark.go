package tally

import (
	"fmt"
	"strconv"
)

// Mark is one ballot line for one cadre, encoded as one byte. These exact
// bytes are the wire format of a ballot in the audit log: a ballot is the
// string of its marks in cadre order, so they never change.
type Mark byte

// The marks a ballot line can hold. In a rating only High, Normal and Low
// are valid votes; in a formal vote of confidence (Rules.Formal) only
// Confidence and NoConfidence are; Unmarked and Multiple make the line
// invalid for that cadre only in both.
const (
	High     Mark = 'H' // Tín nhiệm cao
	Normal   Mark = 'N' // Tín nhiệm
	Low      Mark = 'L' // Tín nhiệm thấp
	Unmarked Mark = '-' // no mark: invalid for this cadre only
	Multiple Mark = 'X' // two or more marks (forged request): invalid for this cadre only
	// Confidence (T, tín nhiệm) and NoConfidence (K, không tín nhiệm) are
	// the two options of the formal vote. They are counted in the Normal
	// and Low slots of Counts, so that the threshold is always taken on
	// Counts[LevelLow] and Counts[LevelHigh] stays 0.
	Confidence   Mark = 'T'
	NoConfidence Mark = 'K'
)

// markIndex maps a byte to 1+its slot in a per-cadre tally row (high, normal,
// low, unmarked, multiple), or 0 for a byte that is not a Mark of a rating.
// A table keeps the hot loop of Count free of branches on the mark value.
var markIndex = [256]uint8{High: 1, Normal: 2, Low: 3, Unmarked: 4, Multiple: 5}

// formalIndex is markIndex for a formal vote: a rating's letters are not
// marks there, so a ballot of the wrong kind is refused, never counted.
var formalIndex = [256]uint8{Confidence: 2, NoConfidence: 3, Unmarked: 4, Multiple: 5}

// indexFor returns the mark table of the rule set r.
func indexFor(r Rules) *[256]uint8 {
	if r.Formal() {
		return &formalIndex
	}
	return &markIndex
}

// Known reports whether m is one of the five marks of a rating; any other
// byte makes a rating ballot holding it malformed.
func (m Mark) Known() bool { return markIndex[m] != 0 }

// KnownUnder reports whether m is a mark of a ballot counted under r.
func (m Mark) KnownUnder(r Rules) bool { return indexFor(r)[m] != 0 }

// Valid reports whether m is a vote that counts for the cadre (High, Normal
// or Low), that is whether the line is hợp lệ.
func (m Mark) Valid() bool { _, ok := m.Level(); return ok }

// Level returns the level m votes for; ok is false for Unmarked, Multiple and
// bytes that are not marks, none of which is a vote.
func (m Mark) Level() (l Level, ok bool) {
	switch m {
	case High:
		return LevelHigh, true
	case Normal:
		return LevelNormal, true
	case Low:
		return LevelLow, true
	}
	return 0, false
}

// String returns the mark's byte as a one-character string, or a Go-quoted
// form such as Mark('\x00') for a byte that is not a mark, so that logs and
// error messages never carry raw control bytes.
func (m Mark) String() string {
	if m.Known() || formalIndex[m] != 0 {
		return string(rune(m))
	}
	return "Mark(" + strconv.QuoteRune(rune(m)) + ")"
}

// CheckBallot reports whether ballot is well formed for a session with
// cadres cadres: exactly one known Mark byte per cadre. It does not judge the
// votes; an Unmarked or Multiple line is well formed and counts as invalid
// for its cadre only. The error names the first bad line (0-based).
func CheckBallot(ballot string, cadres int) error {
	return CheckBallotUnder(QD96, ballot, cadres)
}

// CheckBallotUnder is CheckBallot for a ballot counted under r: a formal
// vote's ballot holds T, K, '-' or 'X' on each line, a rating's H, N, L,
// '-' or 'X'.
func CheckBallotUnder(r Rules, ballot string, cadres int) error {
	idx := indexFor(r)
	if len(ballot) != cadres {
		return fmt.Errorf("has %d lines, want %d (one per cadre)", len(ballot), cadres)
	}
	for j := 0; j < len(ballot); j++ {
		if idx[ballot[j]] == 0 {
			return fmt.Errorf("line %d holds %s, which is not a mark", j, Mark(ballot[j]))
		}
	}
	return nil
}

// Level is one of the three confidence levels, as an index into Levels and
// into the Counts and Percent arrays of a CadreResult.
type Level int

// The three levels, in ballot order.
const (
	LevelHigh   Level = 0 // Tín nhiệm cao
	LevelNormal Level = 1 // Tín nhiệm
	LevelLow    Level = 2 // Tín nhiệm thấp
)

// Levels lists the three levels in the order they appear on the ballot and in
// every report.
var Levels = [3]Level{LevelHigh, LevelNormal, LevelLow}

var levelNames = [3]struct {
	code, vi, en string
	mark         Mark
}{
	{"high", "Tín nhiệm cao", "High confidence", High},
	{"normal", "Tín nhiệm", "Confidence", Normal},
	{"low", "Tín nhiệm thấp", "Low confidence", Low},
}

// valid reports whether l is one of Levels.
func (l Level) valid() bool { return l >= 0 && int(l) < len(levelNames) }

// Code returns the level's stable ASCII code ("high", "normal", "low"), used
// in form values and machine-readable output; other values yield "".
func (l Level) Code() string {
	if !l.valid() {
		return ""
	}
	return levelNames[l].code
}

// Vietnamese returns the level's name as printed on the ballot; other values
// yield "".
func (l Level) Vietnamese() string {
	if !l.valid() {
		return ""
	}
	return levelNames[l].vi
}

// English returns the level's name in the English interface; other values
// yield "".
func (l Level) English() string {
	if !l.valid() {
		return ""
	}
	return levelNames[l].en
}

// Mark returns the ballot byte that votes for l, or Unmarked for a value
// that is not a level, so an out-of-range level can never become a vote.
func (l Level) Mark() Mark {
	if !l.valid() {
		return Unmarked
	}
	return levelNames[l].mark
}

// String returns Code, or Level(n) for a value that is not a level.
func (l Level) String() string {
	if !l.valid() {
		return "Level(" + strconv.Itoa(int(l)) + ")"
	}
	return levelNames[l].code
}

// LevelsOf returns the levels of a ballot counted under r, in ballot
// order: the three of a rating, or LevelNormal (tín nhiệm) and LevelLow
// (không tín nhiệm) for a formal vote.
func LevelsOf(r Rules) []Level {
	if r.Formal() {
		return []Level{LevelNormal, LevelLow}
	}
	return Levels[:]
}

var formalNames = map[Level]struct {
	code, vi, en string
	mark         Mark
}{
	LevelNormal: {"confidence", "Tín nhiệm", "Confidence", Confidence},
	LevelLow:    {"no_confidence", "Không tín nhiệm", "No confidence", NoConfidence},
}

// CodeUnder returns l's stable code under r: Code for a rating,
// "confidence" / "no_confidence" for a formal vote; "" for a level the
// rule set does not have.
func (l Level) CodeUnder(r Rules) string {
	if r.Formal() {
		return formalNames[l].code
	}
	return l.Code()
}

// VietnameseUnder returns l's label under r, as printed on the ballot and
// in the reports; "" for a level the rule set does not have.
func (l Level) VietnameseUnder(r Rules) string {
	if r.Formal() {
		return formalNames[l].vi
	}
	return l.Vietnamese()
}

// EnglishUnder is VietnameseUnder in English.
func (l Level) EnglishUnder(r Rules) string {
	if r.Formal() {
		return formalNames[l].en
	}
	return l.English()
}

// MarkUnder returns the ballot byte that votes for l under r, or Unmarked
// for a level the rule set does not have.
func (l Level) MarkUnder(r Rules) Mark {
	if r.Formal() {
		if n, ok := formalNames[l]; ok {
			return n.mark
		}
		return Unmarked
	}
	return l.Mark()
}
