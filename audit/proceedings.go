package audit

import "time"

// Proceedings is what the minutes of a vote report besides the figures of
// the tally, all of it replayed from the log: who chaired, who kept the
// minutes and who headed the counting committee; when the vote opened and
// closed and when the count ended; who arrived and who left while the vote
// was open and how many were present at close; and what became of the cards.
// Attendance is public at a meeting: nothing here says which card anyone
// took or how anyone voted.
type Proceedings struct {
	Head, Chair, Secretary string

	// OpenedAt, ClosedAt and TalliedAt are the times of the SessionOpened,
	// SessionClosed and TallyComputed entries (zero until logged). Counting
	// starts when the ballots are sealed at close and ends with the tally.
	OpenedAt, ClosedAt, TalliedAt time.Time

	// Arrived and Left name, in log order, the members checked in and out
	// while the vote was open; PresentAtClose counts those present when it
	// closed (meaningful once ClosedAt is set).
	Arrived, Left  []string
	PresentAtClose int

	// CardsIssued counts every card issued, revoked ones included;
	// Revocations lists the reason of each revoked card in log order ("" when
	// none was given), and RevokedDuringVote how many of them were revoked
	// while the vote was open.
	CardsIssued       int
	Revocations       []string
	RevokedDuringVote int

	// PaperIssued counts the cards issued as paper ballots; PaperBallots
	// the sealed ballots of paper cards (the used card keys that were
	// issued as paper), so that the minutes give phone and paper ballots
	// apart (SPEC.md 11.5.2).
	PaperIssued, PaperBallots int
}
