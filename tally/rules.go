package tally

import (
	"fmt"
	"strings"
)

// Rules names the regulation a vote session is counted under. It decides the
// percentage denominator and the consequences attached to the thresholds; it
// is chosen when the session is created and recorded in the audit log, so its
// string values are part of the wire format and never change.
type Rules string

// The rule sets of DOMAIN.md. The empty Rules means QD96 everywhere in this
// package, so a zero Input is counted under the default regulation.
const (
	// QD96 is Quy định 96-QĐ/TW (Politburo, 02/02/2023), the default: the
	// denominator is the number of ballots collected (Điều 6 khoản 3) and the
	// consequences are those of Điều 11.
	QD96 Rules = "qd96"
	// NQ96 is Nghị quyết 96/2023/QH15 (National Assembly, in force
	// 01/7/2023): the denominator is the number of ballots collected
	// (Điều 19) and the consequences are those of Điều 12.
	NQ96 Rules = "nq96"
	// NQ85 is Nghị quyết 85/2014/QH13, kept for re-tallying votes held
	// before 07/2023: the denominator is the number of members of the body
	// (Điều 17 khoản 1) and the consequences are those of Điều 13.
	NQ85 Rules = "nq85"
	// NQ96BPT is the formal vote of confidence (bỏ phiếu tín nhiệm) under
	// Nghị quyết 96/2023/QH15: two options, tín nhiệm / không tín nhiệm,
	// the denominator is the number of ballots collected (Điều 19 khoản 3,
	// which puts Điều 17 on that base) and the consequence is that of
	// Điều 17. docs/design-notes.md says why this base and not the Law's.
	NQ96BPT Rules = "nq96-bpt"
	// NQ85BPT is the formal vote of confidence under Nghị quyết
	// 85/2014/QH13, for re-tallying votes held before 07/2023: the
	// denominator is all delegates of the body, as Luật Tổ chức Quốc hội
	// 2014 Điều 13 khoản 2 words it.
	NQ85BPT Rules = "nq85-bpt"
)

// AllRules lists every rule set this package counts under, default first,
// the three ratings before the two formal votes.
var AllRules = [5]Rules{QD96, NQ96, NQ85, NQ96BPT, NQ85BPT}

// Formal reports whether r is a formal vote of confidence (two options)
// rather than a three-level rating; the empty Rules is the rating QD96.
func (r Rules) Formal() bool { return r == NQ96BPT || r == NQ85BPT }

// FormalOf returns the formal vote of confidence held under the same
// regulation as the rating r: NQ96BPT for NQ96, NQ85BPT for NQ85, r itself
// for a formal rule set. ok is false for QD96 (and ""): Quy định 96-QĐ/TW
// has no formal vote, so a Party body cannot hold one.
func FormalOf(r Rules) (f Rules, ok bool) {
	switch r {
	case NQ96, NQ96BPT:
		return NQ96BPT, true
	case NQ85, NQ85BPT:
		return NQ85BPT, true
	}
	return "", false
}

// ParseRules returns the rule set named by s. The empty string yields QD96;
// any name other than those in AllRules is rejected with an error that lists
// the valid names, so a typo never silently selects the default.
func ParseRules(s string) (Rules, error) {
	if s == "" {
		return QD96, nil
	}
	for _, r := range AllRules {
		if s == string(r) {
			return r, nil
		}
	}
	names := make([]string, len(AllRules))
	for i, r := range AllRules {
		names[i] = string(r)
	}
	return "", fmt.Errorf("unknown rule set %q: want one of %s", s, strings.Join(names, ", "))
}

// norm maps the empty Rules to QD96 and reports whether r is known.
func (r Rules) norm() (Rules, bool) {
	if r == "" {
		return QD96, true
	}
	switch r {
	case QD96, NQ96, NQ85, NQ96BPT, NQ85BPT:
		return r, true
	}
	return r, false
}

// Title returns the Vietnamese full name of the regulation, as it is cited at
// the head of the counting minutes. An unknown rule set yields its raw name so
// that a report never prints a wrong regulation.
func (r Rules) Title() string {
	r, _ = r.norm()
	switch r {
	case QD96:
		return "Quy định 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị"
	case NQ96:
		return "Nghị quyết 96/2023/QH15 ngày 23/6/2023 của Quốc hội"
	case NQ85, NQ85BPT:
		return "Nghị quyết 85/2014/QH13 ngày 28/11/2014 của Quốc hội"
	case NQ96BPT:
		return "Nghị quyết 96/2023/QH15 ngày 23/6/2023 của Quốc hội"
	}
	return string(r)
}

// English returns the English full name of the regulation for the English
// interface. An unknown rule set yields its raw name.
func (r Rules) English() string {
	r, _ = r.norm()
	switch r {
	case QD96:
		return "Regulation 96-QĐ/TW of the Politburo, 2 February 2023"
	case NQ96:
		return "Resolution 96/2023/QH15 of the National Assembly, 23 June 2023"
	case NQ85, NQ85BPT:
		return "Resolution 85/2014/QH13 of the National Assembly, 28 November 2014"
	case NQ96BPT:
		return "Resolution 96/2023/QH15 of the National Assembly, 23 June 2023"
	}
	return string(r)
}

// Short returns the regulation's number as it is cited inside a sentence,
// e.g. "Quy định 96-QĐ/TW". An unknown rule set yields its raw name.
func (r Rules) Short() string {
	r, _ = r.norm()
	switch r {
	case QD96:
		return "Quy định 96-QĐ/TW"
	case NQ96, NQ96BPT:
		return "Nghị quyết 96/2023/QH15"
	case NQ85, NQ85BPT:
		return "Nghị quyết 85/2014/QH13"
	}
	return string(r)
}

// Denominator returns the number every percentage and threshold is taken
// of: members for NQ85, ballots collected otherwise. An unknown rule set
// yields 0, which makes every percentage 0 and no condition hold; Count
// rejects unknown rule sets before it gets here.
func (r Rules) Denominator(members, collected int) int {
	r, _ = r.norm()
	switch r {
	case QD96, NQ96, NQ96BPT:
		return collected
	case NQ85, NQ85BPT:
		return members
	}
	return 0
}

// DenominatorVietnamese names the denominator in Vietnamese, for the column
// heading "% of …" in reports, so a reader knows what the percentages are of.
// An unknown rule set yields "".
func (r Rules) DenominatorVietnamese() string {
	r, _ = r.norm()
	switch r {
	case QD96, NQ96, NQ96BPT:
		return "tổng số phiếu thu về"
	case NQ85, NQ85BPT:
		return "tổng số đại biểu"
	}
	return ""
}

// DenominatorEnglish names the denominator in English, as
// DenominatorVietnamese does in Vietnamese. An unknown rule set yields "".
func (r Rules) DenominatorEnglish() string {
	r, _ = r.norm()
	switch r {
	case QD96, NQ96, NQ96BPT:
		return "ballots collected"
	case NQ85, NQ85BPT:
		return "all members of the body"
	}
	return ""
}

// Name returns the rule set's Vietnamese name as people see it in the
// console and the documents, e.g. "Lấy phiếu tín nhiệm — Quy định
// 96-QĐ/TW"; the code ("qd96") stays in machine formats only. An unknown
// rule set yields its raw code.
func (r Rules) Name() string {
	n, _ := r.norm()
	switch n {
	case QD96, NQ96, NQ85:
		return "Lấy phiếu tín nhiệm — " + n.Short()
	case NQ96BPT, NQ85BPT:
		return "Bỏ phiếu tín nhiệm — " + n.Short()
	}
	return string(r)
}

// NameEnglish is Name in English.
func (r Rules) NameEnglish() string {
	n, _ := r.norm()
	short := map[Rules]string{QD96: "Regulation 96-QĐ/TW", NQ96: "Resolution 96/2023/QH15", NQ85: "Resolution 85/2014/QH13",
		NQ96BPT: "Resolution 96/2023/QH15", NQ85BPT: "Resolution 85/2014/QH13"}[n]
	switch n {
	case QD96, NQ96, NQ85:
		return "Confidence rating — " + short
	case NQ96BPT, NQ85BPT:
		return "Formal vote of confidence — " + short
	}
	return string(r)
}
