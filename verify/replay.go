// Package verify replays a session's audit log and checks that its events
// make sense together: the order of a vote (nothing cast before opening or
// after closing, one tally, a frozen roster), that every used card was
// issued and not revoked, that the sealed ballots match the used cards, and
// that the logged tally is what the sealed ballots count to.
//
// It joins package audit (the chain) and package tally (the count), which do
// not import each other so that each stays small; like them it is pure, and
// the offline verifier, the server and the tally command all use it, so the
// three can never disagree on what a log means.
package verify

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"tinnhiem/audit"
	"tinnhiem/ballot/box"
	"tinnhiem/tally"
)

// phase is where a replayed session is in its life.
type phase int

const (
	phaseNew     phase = iota // before SessionCreated
	phaseDraft                // preparing
	phaseOpen                 // voting
	phaseSealing              // Ballot entries after SessionClosed
	phaseUsed                 // TokensUsed entries after BallotsSealed
	phaseClosed               // sealed, not tallied
	phaseTallied              // tally logged
)

// Replay is the state of a session rebuilt from its log alone.
type Replay struct {
	Session   audit.SessionCreatedData
	Members   []audit.Person
	Cadres    []audit.Person
	Committee []string
	Present   map[string]bool

	Issued  map[audit.Hash]bool // every token hash issued, revoked included
	Revoked map[audit.Hash]bool
	// Paper holds the card keys issued as paper ballots (SPEC.md 11.5.2).
	Paper map[audit.Hash]bool
	// Used and Ballots are the used cards and the sealed ballots in log
	// order (ascending), as ReplayLog keeps them for the server's tools.
	// The verifier's replay of a bundle counts them without keeping them,
	// so that its memory does not grow with the number of ballots.
	Used    []audit.Hash
	Ballots []audit.BallotData

	Opened *audit.SessionOpenedData
	Closed *audit.SessionClosedData
	Tally  *tally.Result

	// Of an encrypted session (SPEC.md 11): the qualified key ceremony,
	// the encrypted sums and the decrypted totals, each once logged.
	Ceremony       *box.Ceremony
	EncryptedTally *box.Tally
	Decrypted      *box.Result
	// MemberAssets lists the member page's asset digests (hex) the log
	// names, in log order: the page the committee's phones ran.
	MemberAssets []string
	// Signed lists the committee's signatures on documents, in log order.
	Signed []audit.DocumentSignedData

	// Proceedings is what the minutes report besides the tally.
	Proceedings Proceedings

	OpenedSeq, ClosedSeq, SealedSeq, TallySeq uint64
	Head                                      audit.Head

	phase       phase
	memberLinks bool            // MemberLinksIssued was logged
	keep        bool            // keep Used and Ballots
	roster      map[string]bool // the names of Members
	counter     *tally.Counter  // the sealed ballots, counted as they are replayed
	nUsed       int
	lastBallot  audit.Hash
	lastUsed    audit.Hash
	paperBy     map[audit.Hash][]int  // per paper card, the members whose entries stand
	docHash     map[string]audit.Hash // each document's latest SHA-256
	box         *encrypted            // an encrypted session's replay (encrypted.go)
	skipProofs  bool                  // LogOptions.SkipBallotProofs
}

// Sealed reports whether the log holds the sealed ballots and used cards.
func (r *Replay) Sealed() bool { return r.phase >= phaseClosed }

// ValidIssued returns the number of cards issued and not revoked: ballots
// issued in DOMAIN.md's sense.
func (r *Replay) ValidIssued() int { return len(r.Issued) - len(r.Revoked) }

// SealedBallots returns the number of Ballot (or EncryptedBallot) entries
// replayed so far.
func (r *Replay) SealedBallots() int {
	if r.box != nil && r.box.params != nil {
		return r.box.sealed
	}
	if r.counter == nil {
		return 0
	}
	return r.counter.Ballots()
}

// UsedCards returns the number of used token hashes replayed so far.
func (r *Replay) UsedCards() int { return r.nUsed }

// Count recounts the sealed ballots.
func (r *Replay) Count() (tally.Result, error) {
	if !r.Sealed() {
		return tally.Result{}, errors.New("the ballots are not sealed yet: close the session first")
	}
	if r.Encrypted() && r.Decrypted == nil {
		return tally.Result{}, errors.New("the encrypted totals are not decrypted yet: t trustees' partial decryptions are needed")
	}
	return r.counter.Result(len(r.Members), r.ValidIssued())
}

// Log checks that entries form one session's unbroken chain
// (audit.VerifyChain) and replays them as a vote (ReplayLog): what the
// server checks before it tallies and what the load tool checks after a
// run. verify.Bundle makes the same two checks entry by entry as it
// streams a bundle (audit.Head.Extend, then the replay's step). An error is a *audit.ChainError naming the first bad
// entry.
func Log(entries []audit.Entry) (*Replay, error) { return LogWith(entries, LogOptions{}) }

// LogOptions adjust what Log checks.
type LogOptions struct {
	// SkipBallotProofs leaves out the line proofs of the sealed encrypted
	// ballots, still checking their signatures, shapes and sums: for the
	// server, which verified every proof before it recorded the ballot,
	// and must not take minutes to tally. The offline verifier never sets it.
	SkipBallotProofs bool
}

// LogWith is Log with options.
func LogWith(entries []audit.Entry, opts LogOptions) (*Replay, error) {
	if _, err := audit.VerifyChain(entries); err != nil {
		return nil, err
	}
	r := newReplay(true)
	r.skipProofs = opts.SkipBallotProofs
	return r, r.replayAll(entries)
}

// ReplayLog replays entries, which must already form a verified chain (see
// audit.VerifyChain), and returns the session's state, the used cards and
// sealed ballots included. The first event that breaks the rules of a vote
// is reported as an *audit.ChainError naming its entry. A log may end at
// any point of a session's life: a log copied at close is valid too.
func ReplayLog(entries []audit.Entry) (*Replay, error) {
	r := newReplay(true)
	return r, r.replayAll(entries)
}

func (r *Replay) replayAll(entries []audit.Entry) error {
	for i := range entries {
		if err := r.step(&entries[i]); err != nil {
			return err
		}
	}
	return r.finish()
}

// newReplay returns the state before entry 1; keep says whether to keep
// the used cards and the sealed ballots, or only count them.
func newReplay(keep bool) *Replay {
	return &Replay{Present: map[string]bool{}, Issued: map[audit.Hash]bool{}, Revoked: map[audit.Hash]bool{}, Paper: map[audit.Hash]bool{}, keep: keep}
}

// step replays one more entry of a verified chain.
func (r *Replay) step(e *audit.Entry) error {
	if err := r.apply(e); err != nil {
		var ce *audit.ChainError
		if errors.As(err, &ce) {
			return err
		}
		return &audit.ChainError{Seq: e.Seq, Err: err}
	}
	r.Head = audit.Head{Size: e.Seq, Hash: e.Hash}
	return nil
}

// finish judges where the log ends: anywhere but in the middle of sealing.
func (r *Replay) finish() error {
	if r.phase == phaseSealing {
		return &audit.ChainError{Seq: r.Head.Size, Err: errors.New("the log ends while ballots are being sealed: BallotsSealed is missing")}
	}
	if r.phase == phaseUsed {
		if err := r.endUsed(); err != nil {
			return &audit.ChainError{Seq: r.Head.Size, Err: err}
		}
	}
	return nil
}

// optionsOf is the number of options per line of an encrypted ballot
// under r: three levels of a rating, two options of a formal vote.
func optionsOf(r tally.Rules) int {
	if r.Formal() {
		return 2
	}
	return 3
}

func (r *Replay) apply(e *audit.Entry) error {
	if r.phase == phaseNew {
		if e.Type != audit.SessionCreated {
			return fmt.Errorf("the log starts with %s, not SessionCreated", e.Type)
		}
		if err := strictDecode(e, &r.Session); err != nil {
			return err
		}
		if r.Session.ID != e.Session {
			return fmt.Errorf("SessionCreated names session %q in a log of session %q", r.Session.ID, e.Session)
		}
		rules, err := tally.ParseRules(r.Session.Rules)
		if err != nil || r.Session.Rules == "" {
			return fmt.Errorf("unknown rule set %q", r.Session.Rules)
		}
		// The kind is stated beside the rule set so that a reader of the
		// log sees it; absent is the rating, as in logs written before it.
		switch k := r.Session.Kind; {
		case k != "" && k != "formal":
			return fmt.Errorf("unknown session kind %q", k)
		case (k == "formal") != rules.Formal():
			return fmt.Errorf("session kind %q does not match rule set %s", k, rules)
		}
		if k := r.Session.BodyKind; k != "" && !audit.KnownBodyKind(k) {
			return fmt.Errorf("unknown body kind %q", k)
		}
		if rules.Formal() && r.Session.BodyKind == audit.BodyParty {
			return fmt.Errorf("a formal vote of confidence held by a Party body: Quy định 96-QĐ/TW has none")
		}
		if r.Session.Copies < 0 {
			return fmt.Errorf("a negative number of copies (%d)", r.Session.Copies)
		}
		if b := r.Session.Box; b != nil && (b.Options != optionsOf(rules) || b.Threshold < 0 || b.Threshold > 64) {
			return ceremonyErr(fmt.Errorf("an encrypted session of %d options per line and threshold %d: a rating has 3 options, a formal vote 2, a threshold is 0–64", b.Options, b.Threshold))
		}
		r.phase = phaseDraft
		return nil
	}
	if r.phase == phaseUsed && e.Type != audit.TokensUsed {
		if err := r.endUsed(); err != nil {
			// The run of TokensUsed that just ended is at fault, not e.
			return &audit.ChainError{Seq: e.Seq - 1, Err: err}
		}
	}
	if !allowed[r.phase][e.Type] {
		return fmt.Errorf("%s is not allowed %s", e.Type, phaseNames[r.phase])
	}
	return handlers[e.Type](r, e)
}

var phaseNames = map[phase]string{
	phaseDraft:   "before the vote opens",
	phaseOpen:    "while the vote is open",
	phaseSealing: "while ballots are sealed (only Ballot and BallotsSealed may follow SessionClosed)",
	phaseUsed:    "after BallotsSealed",
	phaseClosed:  "after the vote closed",
	phaseTallied: "after the tally",
}

var allowed = map[phase]map[audit.Type]bool{
	phaseDraft: {audit.RosterSet: true, audit.CadresSet: true, audit.CommitteeSet: true, audit.CheckedIn: true,
		audit.CheckedOut: true, audit.TokensIssued: true, audit.TokenRevoked: true, audit.SessionOpened: true,
		audit.KeyCeremonyRound1: true, audit.KeyCeremonyRound2: true, audit.KeyCeremonyRound3: true, audit.KeyCeremonyCompleted: true,
		audit.PaperConfirmationsSet: true},
	phaseOpen: {audit.CheckedIn: true, audit.CheckedOut: true, audit.TokenRevoked: true, audit.CommitteeSet: true, audit.SessionClosed: true,
		audit.CosignatureAdded: true, audit.PaperBallotEntered: true, audit.PaperBallotMismatch: true},
	phaseSealing: {audit.BallotEntry: true, audit.EncryptedBallot: true, audit.BallotsSealed: true},
	phaseUsed:    {audit.TokensUsed: true, audit.CommitteeSet: true, audit.TallyComputed: true, audit.CosignatureAdded: true},
	phaseClosed: {audit.CommitteeSet: true, audit.TallyComputed: true, audit.CosignatureAdded: true,
		audit.EncryptedTally: true, audit.PartialDecryption: true, audit.DecryptedTally: true},
	phaseTallied: {audit.ReportIssued: true, audit.CosignatureAdded: true, audit.DocumentSigned: true},
}

// The projector's display code may be issued, or issued again, at any time
// outside the sealing of the ballots.
func init() {
	for _, ph := range []phase{phaseDraft, phaseOpen, phaseUsed, phaseClosed, phaseTallied} {
		allowed[ph][audit.DisplayCodeIssued] = true
	}
}

var handlers map[audit.Type]func(*Replay, *audit.Entry) error

func init() {
	handlers = map[audit.Type]func(*Replay, *audit.Entry) error{
		audit.RosterSet:        (*Replay).rosterSet,
		audit.CadresSet:        (*Replay).cadresSet,
		audit.CommitteeSet:     (*Replay).committeeSet,
		audit.CheckedIn:        (*Replay).checkedIn,
		audit.CheckedOut:       (*Replay).checkedOut,
		audit.TokensIssued:     (*Replay).tokensIssued,
		audit.TokenRevoked:     (*Replay).tokenRevoked,
		audit.SessionOpened:    (*Replay).sessionOpened,
		audit.SessionClosed:    (*Replay).sessionClosed,
		audit.BallotEntry:      (*Replay).ballot,
		audit.BallotsSealed:    (*Replay).ballotsSealed,
		audit.TokensUsed:       (*Replay).tokensUsed,
		audit.TallyComputed:    (*Replay).tallyComputed,
		audit.ReportIssued:     (*Replay).reportIssued,
		audit.CosignatureAdded: (*Replay).cosignatureAdded,
		audit.DocumentSigned:   (*Replay).documentSigned,

		audit.KeyCeremonyRound1:    (*Replay).keyCeremonyRound1,
		audit.KeyCeremonyRound2:    (*Replay).keyCeremonyRound2,
		audit.KeyCeremonyRound3:    (*Replay).keyCeremonyRound3,
		audit.KeyCeremonyCompleted: (*Replay).keyCeremonyCompleted,
		audit.EncryptedBallot:      (*Replay).encryptedBallot,
		audit.EncryptedTally:       (*Replay).encryptedTally,
		audit.PartialDecryption:    (*Replay).partialDecryption,
		audit.DecryptedTally:       (*Replay).decryptedTally,

		audit.DisplayCodeIssued:     (*Replay).displayCodeIssued,
		audit.PaperConfirmationsSet: (*Replay).paperConfirmationsSet,
		audit.PaperBallotEntered:    (*Replay).paperBallotEntered,
		audit.PaperBallotMismatch:   (*Replay).paperBallotMismatch,
		audit.MemberLinksIssued:     (*Replay).memberLinksIssued,
		audit.MemberLinkIssued:      (*Replay).memberLinkIssued,
		audit.MemberPageAssets:      (*Replay).memberPageAssets,
	}
}

// strictDecode decodes an entry's data, refusing unknown fields so that
// nothing in a log goes unread.
func strictDecode(e *audit.Entry, v any) error {
	if err := decodeStrict(e.Data, v); err != nil {
		return fmt.Errorf("malformed %s data: %w", e.Type, err)
	}
	return nil
}

func compareHash(a, b audit.Hash) int { return bytes.Compare(a[:], b[:]) }

func personKey(p audit.Person) string { return p.Name + "\x00" + p.Position }

func nonEmpty(s string) bool { return strings.TrimSpace(s) != "" }

// CheckTally reports whether the logged tally is exactly what the sealed
// ballots count to. It is an error to ask before a tally was logged.
func (r *Replay) CheckTally() error {
	if r.Tally == nil {
		return errors.New("no tally was logged")
	}
	want, err := r.Count()
	if err != nil {
		return fmt.Errorf("failed to recount the sealed ballots: %w", err)
	}
	if !tally.Equal(*r.Tally, want) {
		return &audit.ChainError{Seq: r.TallySeq, Err: errors.New("the logged tally differs from the recount of the sealed ballots")}
	}
	return nil
}
