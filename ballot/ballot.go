// Package ballot holds tinnhiem's domain: vote sessions, the roster of
// members, the cadres rated, one-time tokens, anonymous ballots, the rules
// that move a session from draft to open to closed, and the Store contract
// that persistence must honour.
//
// Nothing here touches SQL or HTTP; ballot/sqlite implements Store and web
// serves Service.
package ballot

import (
	"strings"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// State is where a session is in its life. A session only moves forward.
type State string

// The session states.
const (
	Draft   State = "draft"   // roster, cadres, cards and attendance may change
	Open    State = "open"    // ballots are accepted; roster, cadres and cards are frozen
	Closed  State = "closed"  // ballots are sealed into the audit log; nothing more is cast
	Tallied State = "tallied" // the one tally has been computed and logged
)

// Vietnamese returns the state as shown to organisers.
func (s State) Vietnamese() string {
	switch s {
	case Draft:
		return "Đang chuẩn bị"
	case Open:
		return "Đang bỏ phiếu"
	case Closed:
		return "Đã đóng"
	case Tallied:
		return "Đã kiểm phiếu"
	}
	return string(s)
}

// Rules names the regulation a session is counted under: package tally's
// type, so that the rule sets of DOMAIN.md are defined once.
type Rules = tally.Rules

// The rule sets of DOMAIN.md, as tally defines them.
const (
	QD96    = tally.QD96
	NQ96    = tally.NQ96
	NQ85    = tally.NQ85
	NQ96BPT = tally.NQ96BPT
	NQ85BPT = tally.NQ85BPT
)

// Kind says what a session holds: the three-level rating (lấy phiếu tín
// nhiệm), or the formal vote of confidence (bỏ phiếu tín nhiệm) with two
// options. It follows from the rule set, which is what the log and the
// store record; SessionCreated also states it, for readers of the log.
type Kind string

// The two kinds of session.
const (
	Rating Kind = "rating" // lấy phiếu tín nhiệm, the default
	Formal Kind = "formal" // bỏ phiếu tín nhiệm
)

// KindOf returns the kind of a session held under r.
func KindOf(r Rules) Kind {
	if r.Formal() {
		return Formal
	}
	return Rating
}

// Vietnamese returns the kind as organisers see it.
func (k Kind) Vietnamese() string {
	if k == Formal {
		return "Bỏ phiếu tín nhiệm"
	}
	return "Lấy phiếu tín nhiệm"
}

// English returns the kind in the English interface.
func (k Kind) English() string {
	if k == Formal {
		return "Formal vote of confidence"
	}
	return "Confidence rating"
}

// ParseRules accepts a rule set code; the empty string is the default, qd96.
func ParseRules(s string) (Rules, error) {
	switch r := Rules(strings.ToLower(strings.TrimSpace(s))); r {
	case "":
		return QD96, nil
	case QD96, NQ96, NQ85, NQ96BPT, NQ85BPT:
		return r, nil
	}
	return "", &Error{Code: EInvalid, Key: "rules_unknown", Args: Args{"rules": s}}
}

// Session is one confidence vote at one meeting.
type Session struct {
	ID        string
	Org       string
	Title     string
	Body      string // the body holding the vote, e.g. "Ban Chấp hành Đảng bộ Khối"
	Date      string // YYYY-MM-DD
	Place     string
	Rules     Rules
	State     State
	Committee []string // counting committee (Ban kiểm phiếu)
	// CommitteeHead is the member of Committee who heads it (Trưởng ban);
	// Chair and Secretary preside over and record the meeting. Any may be
	// empty until named.
	CommitteeHead, Chair, Secretary string
	// Box is how the counting committee holds the key of an encrypted
	// session (SPEC.md 11), nil for a clear one. Service.Session and
	// Service.Sessions fill it from the log.
	Box *audit.BoxSetup
}

// Kind returns whether the session is a rating or a formal vote of
// confidence, which its rule set decides.
func (s *Session) Kind() Kind { return KindOf(s.Rules) }

// Member is one person summoned to the meeting (người tham gia ghi phiếu).
// Presence is recorded; which card a member took never is.
type Member struct {
	Name     string
	Position string
	Unit     string
	Present  bool
}

// Cadre is one ballot line: one person in one position. ID is stable within
// the session ("c1", "c2", … in ballot order) and is what ballots refer to.
type Cadre struct {
	ID       string
	Name     string
	Position string
}

// Level is one of the options of a ballot line, by its code: the three
// confidence levels of a rating, or the two options of a formal vote.
type Level string

// The levels, in ballot order.
const (
	High   Level = "high"
	Normal Level = "normal"
	Low    Level = "low"
	// Confidence and NoConfidence are the formal vote's two options,
	// tín nhiệm and không tín nhiệm.
	Confidence   Level = "confidence"
	NoConfidence Level = "no_confidence"
)

// Levels lists the rating's levels in the order of the ballot and every
// report; LevelsFor gives those of any rule set.
var Levels = []Level{High, Normal, Low}

// FormalLevels lists the formal vote's two options in ballot order.
var FormalLevels = []Level{Confidence, NoConfidence}

// LevelsFor returns the options of a ballot line under r, in ballot order.
func LevelsFor(r Rules) []Level {
	if r.Formal() {
		return FormalLevels
	}
	return Levels
}

// counted returns the level as tally counts it, and false for a code that
// is not a level of any kind.
func (l Level) counted() (tally.Level, bool) {
	switch l {
	case High:
		return tally.LevelHigh, true
	case Normal, Confidence:
		return tally.LevelNormal, true
	case Low, NoConfidence:
		return tally.LevelLow, true
	}
	return 0, false
}

// formal reports whether l is one of the formal vote's options.
func (l Level) formal() bool { return l == Confidence || l == NoConfidence }

// Vietnamese returns the level's label on the ballot (tally's label).
func (l Level) Vietnamese() string {
	if c, ok := l.counted(); ok {
		return c.VietnameseUnder(l.rules())
	}
	return string(l)
}

// English returns the level's label in the English interface (tally's).
func (l Level) English() string {
	if c, ok := l.counted(); ok {
		return c.EnglishUnder(l.rules())
	}
	return string(l)
}

// rules returns a rule set of the level's kind, for tally's labels.
func (l Level) rules() Rules {
	if l.formal() {
		return NQ96BPT
	}
	return QD96
}

// The mark bytes of a sealed ballot, one per cadre (SPEC.md, "Ballot"), as
// tally defines and counts them.
const (
	MarkHigh     = byte(tally.High)
	MarkNormal   = byte(tally.Normal)
	MarkLow      = byte(tally.Low)
	MarkUnmarked = byte(tally.Unmarked)
	MarkMultiple = byte(tally.Multiple)
)

// MarkConfidence and MarkNoConfidence are the formal vote's marks.
const (
	MarkConfidence   = byte(tally.Confidence)
	MarkNoConfidence = byte(tally.NoConfidence)
)

// markUnder returns the ballot byte of l under r, or 0 for a level the
// rule set does not have: a rating's level on a formal ballot, or the
// reverse, is refused, never mapped.
func (l Level) markUnder(r Rules) byte {
	c, ok := l.counted()
	if !ok || l.formal() != r.Formal() {
		return 0
	}
	return byte(c.MarkUnder(r))
}

// Ballot is one anonymous ballot: a random identifier and one mark per
// cadre in ballot order. It has no time, address, sequence or token: nothing
// that could tie it to a voter.
type Ballot struct {
	ID    string // 32 hexadecimal digits of randomness; an encrypted ballot's tracker, 64
	Marks string // empty in an encrypted session
	// Box is the encrypted ballot as cast (tinnhiem-box-ballot/v1, SPEC.md
	// 11.5) in an encrypted session, where no marks ever reach the server.
	Box []byte
}

// cadreIndex maps each cadre's ID to its place on the ballot.
func cadreIndex(cadres []Cadre) map[string]int {
	index := make(map[string]int, len(cadres))
	for i, c := range cadres {
		index[c.ID] = i
	}
	return index
}

// marksFor turns a voter's choices into the marks of a ballot of n cadres
// whose places index gives, so that the cast path can reuse the index of a
// frozen ballot. Each cadre maps to the levels marked for it: none is
// unmarked, and two or more — whatever their levels, the same level twice
// included, since that is two marks on one line — is a line with several
// marks; either is invalid for that cadre only (DOMAIN.md) and is recorded
// as such, never corrected. A choice for a cadre not on the ballot or a
// level that does not exist rejects the whole submission.
func marksFor(r Rules, index map[string]int, n int, choices map[string][]Level) (string, error) {
	marks := []byte(strings.Repeat(string(rune(MarkUnmarked)), n))
	for id, levels := range choices {
		i, ok := index[id]
		if !ok {
			return "", &Error{Code: EInvalid, Key: "unknown_cadre", Args: Args{"cadre": id}}
		}
		for _, l := range levels {
			if l.markUnder(r) == 0 {
				return "", &Error{Code: EInvalid, Key: "unknown_level", Args: Args{"level": string(l), "cadre": id}}
			}
		}
		// Marks are counted, not levels: ["high","high"] is two marks on
		// one line, which no paper ballot would count as one.
		switch len(levels) {
		case 0:
		case 1:
			marks[i] = levels[0].markUnder(r)
		default:
			marks[i] = MarkMultiple
		}
	}
	return string(marks), nil
}
