package tally

import (
	"fmt"
	"math/bits"
)

// Condition is the threshold condition that holds for one cadre's
// low-confidence votes. Reports state it and the regulation's consequence;
// they decide nothing themselves.
type Condition int

// The three conditions, from the exact fractions of DOMAIN.md: "more than
// half" is 2·low > D and "two thirds or more" is 3·low ≥ 2·D, where D is the
// rule set's denominator.
const (
	// None means low-confidence votes are not more than half of D, or D is 0.
	None Condition = iota
	// MoreThanHalfLow means 2·low > D and 3·low < 2·D.
	MoreThanHalfLow
	// TwoThirdsLow means 3·low ≥ 2·D (with D > 0).
	TwoThirdsLow
	// NoConfidenceMajority is the one threshold of the formal vote of
	// confidence: more than half of D voted không tín nhiệm (2·no > D).
	// ConditionUnder yields it, and only it, for a formal rule set.
	NoConfidenceMajority
)

// ConditionUnder returns the condition that low votes (low confidence in a
// rating, không tín nhiệm in a formal vote) meet against d under r: the
// rating's two thresholds (ConditionOf), or for a formal vote only "more
// than half" (NQ96 Điều 17; Luật Tổ chức Quốc hội 2014 Điều 13 khoản 2),
// compared as exact integers.
func ConditionUnder(r Rules, low, d int) Condition {
	if !r.Formal() {
		return ConditionOf(low, d)
	}
	if d <= 0 || low < 0 || cmpMul(uint64(low), 2, uint64(d), 1) <= 0 {
		return None
	}
	return NoConfidenceMajority
}

// ConditionOf returns the condition that low low-confidence votes meet
// against the denominator d. It compares exact integers, never rounded
// percentages, which can land on the other side of a threshold, and it never
// overflows. d <= 0 or low < 0 yields None.
func ConditionOf(low, d int) Condition {
	if d <= 0 || low < 0 {
		return None
	}
	switch {
	case cmpMul(uint64(low), 3, uint64(d), 2) >= 0:
		return TwoThirdsLow
	case cmpMul(uint64(low), 2, uint64(d), 1) > 0:
		return MoreThanHalfLow
	}
	return None
}

// cmpMul compares a·ka with b·kb in 128 bits, so a denominator near the
// int limit cannot wrap around and flip a threshold.
func cmpMul(a, ka, b, kb uint64) int {
	ahi, alo := bits.Mul64(a, ka)
	bhi, blo := bits.Mul64(b, kb)
	switch {
	case ahi != bhi:
		if ahi < bhi {
			return -1
		}
		return 1
	case alo < blo:
		return -1
	case alo > blo:
		return 1
	}
	return 0
}

var conditionCodes = [...]string{None: "none", MoreThanHalfLow: "more_than_half_low", TwoThirdsLow: "two_thirds_low",
	NoConfidenceMajority: "more_than_half_no_confidence"}

func (c Condition) valid() bool { return c >= 0 && int(c) < len(conditionCodes) }

// String returns the condition's stable code ("none", "more_than_half_low",
// "two_thirds_low"), which is also its JSON form.
func (c Condition) String() string {
	if !c.valid() {
		return fmt.Sprintf("Condition(%d)", int(c))
	}
	return conditionCodes[c]
}

// MarshalText encodes c as its code, so the audit log reads "two_thirds_low"
// rather than a bare number; a value outside the three conditions is an
// error, never written.
func (c Condition) MarshalText() ([]byte, error) {
	if !c.valid() {
		return nil, fmt.Errorf("cannot encode unknown condition %d", int(c))
	}
	return []byte(conditionCodes[c]), nil
}

// UnmarshalText accepts exactly the codes MarshalText writes.
func (c *Condition) UnmarshalText(b []byte) error {
	for i, code := range conditionCodes {
		if string(b) == code {
			*c = Condition(i)
			return nil
		}
	}
	return fmt.Errorf("unknown condition %q: want none, more_than_half_low, two_thirds_low or more_than_half_no_confidence", b)
}

// Article returns the article that attaches consequences to the thresholds
// under r, e.g. "Điều 11 Quy định 96-QĐ/TW". It is the same for every
// condition, None included, because None is a finding under that article
// too. An unknown rule set yields "".
func (c Condition) Article(r Rules) string {
	r, _ = r.norm()
	switch r {
	case QD96:
		return "Điều 11 Quy định 96-QĐ/TW"
	case NQ96:
		return "Điều 12 Nghị quyết 96/2023/QH15"
	case NQ85:
		return "Điều 13 Nghị quyết 85/2014/QH13"
	case NQ96BPT:
		return "Điều 17 Nghị quyết 96/2023/QH15"
	case NQ85BPT:
		return "khoản 2 Điều 13 Luật Tổ chức Quốc hội 2014"
	}
	return ""
}

// articleEnglish is Article in English.
func articleEnglish(r Rules) string {
	r, _ = r.norm()
	switch r {
	case QD96:
		return "Article 11, Regulation 96-QĐ/TW"
	case NQ96:
		return "Article 12, Resolution 96/2023/QH15"
	case NQ85:
		return "Article 13, Resolution 85/2014/QH13"
	case NQ96BPT:
		return "Article 17, Resolution 96/2023/QH15"
	case NQ85BPT:
		return "Article 13(2), Law on the Organisation of the National Assembly 2014"
	}
	return ""
}

// The consequences are paraphrased from the regulations, not quoted:
//   - qd96, nq96: DOMAIN.md's table, checked against the government's
//     summary of NQ96/2023 Điều 12 (xaydungchinhsach.chinhphu.vn, 03/7/2023).
//   - nq85: the wording of NQ85/2014 itself, not the nq96 wording, because
//     its consequences differ (more than half: may resign; two thirds:
//     a formal vote of confidence, not dismissal) and a re-tally of an old
//     vote must state the law that applied then. Source: the report of the
//     adopted text (kinhtedothi.vn, 28/11/2014), a secondary source; the
//     primary text of Điều 13 was not available to check the clause numbers.
//   - nq96-bpt: NQ96/2023 Điều 17 as the government's and the press's
//     summaries of the adopted text give it (more than half "không tín
//     nhiệm": the nominating body or person proposes dismissal); its base
//     is the ballots collected (Điều 19 khoản 3). docs/design-notes.md
//     quotes the sources.
//   - nq85-bpt: Luật Tổ chức Quốc hội 2014 Điều 13 khoản 2 (quá nửa tổng
//     số đại biểu: may resign; otherwise the nominating body proposes
//     dismissal), which NQ85/2014 followed.
var consequences = map[Rules][4][2]string{
	NQ96BPT: {
		NoConfidenceMajority: {
			"Có quá nửa tổng số phiếu thu về bỏ phiếu “không tín nhiệm”: cơ quan hoặc người có thẩm quyền đã giới thiệu người đó để Quốc hội, Hội đồng nhân dân bầu hoặc phê chuẩn có trách nhiệm trình Quốc hội, Hội đồng nhân dân miễn nhiệm hoặc phê chuẩn đề nghị miễn nhiệm",
			"More than half of the ballots collected vote no confidence: the body or person that nominated the cadre for election or approval proposes dismissal to the National Assembly or People's Council",
		},
	},
	NQ85BPT: {
		NoConfidenceMajority: {
			"Có quá nửa tổng số đại biểu bỏ phiếu “không tín nhiệm”: người được bỏ phiếu tín nhiệm có thể xin từ chức; trường hợp không từ chức, cơ quan hoặc người có thẩm quyền giới thiệu để bầu hoặc phê chuẩn chức vụ đó trình xem xét, quyết định việc miễn nhiệm hoặc phê chuẩn đề nghị miễn nhiệm",
			"More than half of all delegates vote no confidence: the cadre may resign; otherwise the body or person that nominated the cadre proposes dismissal",
		},
	},
	QD96: {
		MoreThanHalfLow: {
			"Có trên một nửa đến dưới hai phần ba tổng số phiếu thu về đánh giá “tín nhiệm thấp”: đưa ra khỏi quy hoạch chức vụ cao hơn; xem xét cho thôi giữ chức vụ đang đảm nhiệm, bố trí công tác khác, cho từ chức hoặc bỏ phiếu tín nhiệm",
			"More than half and less than two thirds of the ballots collected rate low confidence: removal from planning for higher posts; to be considered for leaving the current post, reassignment, resignation or a formal vote of confidence",
		},
		TwoThirdsLow: {
			"Có từ hai phần ba tổng số phiếu thu về trở lên đánh giá “tín nhiệm thấp”: xem xét miễn nhiệm, bố trí công tác khác thấp hơn, không chờ hết nhiệm kỳ hoặc thời hạn bổ nhiệm",
			"Two thirds or more of the ballots collected rate low confidence: to be considered for dismissal and a lower post without waiting for the end of the term or appointment",
		},
	},
	NQ96: {
		MoreThanHalfLow: {
			"Có trên một nửa đến dưới hai phần ba tổng số phiếu đánh giá “tín nhiệm thấp”: người được lấy phiếu có thể xin từ chức; nếu không xin từ chức, Ủy ban Thường vụ Quốc hội trình Quốc hội, Thường trực Hội đồng nhân dân trình Hội đồng nhân dân bỏ phiếu tín nhiệm",
			"More than half and less than two thirds of the ballots collected rate low confidence: the person may resign; otherwise a formal vote of confidence is proposed to the National Assembly or People's Council",
		},
		TwoThirdsLow: {
			"Có từ hai phần ba tổng số phiếu trở lên đánh giá “tín nhiệm thấp”: cơ quan hoặc người có thẩm quyền giới thiệu người đó trình Quốc hội, Hội đồng nhân dân miễn nhiệm hoặc phê chuẩn đề nghị miễn nhiệm",
			"Two thirds or more of the ballots collected rate low confidence: the nominating body or person proposes dismissal to the National Assembly or People's Council",
		},
	},
	NQ85: {
		MoreThanHalfLow: {
			"Có quá nửa tổng số đại biểu đánh giá “tín nhiệm thấp”: người được lấy phiếu có thể xin từ chức",
			"More than half of all members rate low confidence: the person may resign",
		},
		TwoThirdsLow: {
			"Có từ hai phần ba tổng số đại biểu trở lên đánh giá “tín nhiệm thấp”: Ủy ban Thường vụ Quốc hội trình Quốc hội, Thường trực Hội đồng nhân dân trình Hội đồng nhân dân bỏ phiếu tín nhiệm",
			"Two thirds or more of all members rate low confidence: a formal vote of confidence is proposed to the National Assembly or People's Council",
		},
	},
}

// Vietnamese returns one Vietnamese sentence stating the condition and, for
// MoreThanHalfLow and TwoThirdsLow, the consequence the regulation r
// attaches to it, citing the article; for None a sentence saying that no
// threshold condition holds. An unknown rule set or condition yields "".
func (c Condition) Vietnamese(r Rules) string {
	r, ok := r.norm()
	if !ok || !c.valid() {
		return ""
	}
	if c == None {
		if r.Formal() {
			return fmt.Sprintf("Số phiếu “không tín nhiệm” không quá một nửa %s; không thuộc trường hợp miễn nhiệm theo %s.",
				r.DenominatorVietnamese(), c.Article(r))
		}
		return fmt.Sprintf("Số phiếu “tín nhiệm thấp” không quá một nửa %s; không thuộc trường hợp nào theo %s.",
			r.DenominatorVietnamese(), c.Article(r))
	}
	if (c == NoConfidenceMajority) != r.Formal() {
		return ""
	}
	return fmt.Sprintf("%s (%s).", consequences[r][c][0], c.Article(r))
}

// English returns Vietnamese's sentence in English, citing the same
// article. An unknown rule set or condition yields "".
func (c Condition) English(r Rules) string {
	r, ok := r.norm()
	if !ok || !c.valid() {
		return ""
	}
	if c == None {
		if r.Formal() {
			return fmt.Sprintf("No-confidence votes are not more than half of %s; no dismissal follows under %s.",
				r.DenominatorEnglish(), articleEnglish(r))
		}
		return fmt.Sprintf("Low-confidence votes are not more than half of %s; no threshold of %s is reached.",
			r.DenominatorEnglish(), articleEnglish(r))
	}
	if (c == NoConfidenceMajority) != r.Formal() {
		return ""
	}
	return fmt.Sprintf("%s (%s).", consequences[r][c][1], articleEnglish(r))
}
