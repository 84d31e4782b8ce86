package ballot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"tinnhiem/audit"
	"tinnhiem/tally"
)

// Service runs vote sessions by the rules of DOMAIN.md and DESIGN.md: every
// organiser action is checked against the session's state and written to
// the audit log in the same transaction as its effect; casting is anonymous.
// It is safe for concurrent use.
type Service struct {
	store Store
	key   *audit.Key
	rand  io.Reader
	now   func() time.Time

	mu      sync.Mutex
	frozen  map[string]*frozenBallot // the ballot of each open session (vote.go)
	loading map[string]chan struct{} // sessions whose ballot is being read, closed when done
	tokens  tokenSessions            // unused cards of open sessions, a hint for Cast (vote.go)
	display displayCache             // what the projector has read of each log (display.go)

	// VoterAssets is the SHA-256 (hex) of the voter page's assets as the
	// server serves them; Open logs it in SessionOpened so that inspectors
	// compare it with the release (set it before the first Open).
	VoterAssets string
	// MemberAssets is the SHA-256 (hex) of the committee's member page's
	// assets as the server serves them; IssueMemberLinks logs it, and a
	// member page's message is preceded by MemberPageAssets when it
	// changed since (set it before serving).
	MemberAssets string

	// OnWarning, if set, hears about failures that lose nothing and need
	// no answer from the caller, so that the server can log them.
	OnWarning func(error)
}

// NewService returns a Service over store that signs checkpoints with key.
// rand and now may be nil for crypto/rand and time.Now; tests pass their own.
func NewService(store Store, key *audit.Key, random io.Reader, now func() time.Time) *Service {
	if random == nil {
		random = rand.Reader
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, key: key, rand: random, now: now, frozen: map[string]*frozenBallot{},
		loading: map[string]chan struct{}{}}
}

// Key returns the installation key that signs the service's checkpoints.
func (s *Service) Key() *audit.Key { return s.key }

// NewSession is what an organiser fixes when creating a session.
type NewSession struct {
	Org   string
	Title string
	Body  string
	Date  string // YYYY-MM-DD
	Place string
	Rules Rules
	// BodyKind chooses the administrative form of the documents (dang, hdnd,
	// quochoi, nhanuoc); empty takes the rule set's: dang for qd96, hdnd
	// for nq96 and nq85.
	BodyKind string
	// Superior is the body directly above Body, printed above it in the
	// documents' header; empty prints Org there, as before it existed.
	Superior string
	// Number is the minutes' registered number and symbol ("12-BB/ĐU");
	// empty leaves it blank to fill by hand.
	Number string
	// Locality is the administrative unit of the place-and-date line
	// ("Bắc Ninh"); empty leaves it blank to fill by hand.
	Locality string
	// Copies is how many originals of the minutes are made; 0 leaves it
	// blank to fill by hand.
	Copies int
	// Kind is Rating (the default, also for "") or Formal, the formal vote
	// of confidence with two options. A formal session takes the formal
	// rule set of its regulation (nq96 → nq96-bpt, nq85 → nq85-bpt, the
	// default nq96-bpt); Quy định 96-QĐ/TW and Party bodies have none, so
	// asking for one there is refused.
	Kind Kind
	// Encrypted makes the ballots encrypted on the voters' phones to the
	// counting committee's joint key (SPEC.md 11); Threshold is how many
	// committee members are needed to decrypt the totals, 0 for a majority.
	Encrypted bool
	Threshold int
	// PaperConfirmations is how many committee members enter each paper
	// ballot of an encrypted session before it is cast: 1 or 2, 0 for the
	// default, 2 (SPEC.md 11.5.2).
	PaperConfirmations int
}

// MaxTrustees bounds a committee that holds the key of an encrypted
// session (SPEC.md 11.6).
const MaxTrustees = 64

// MaxCopies bounds NewSession.Copies: a typo should not print a thousand.
const MaxCopies = 50

// BodyKindFor returns the body kind a session takes when none is given:
// Party bodies for the Party's rule set, People's Councils for the National
// Assembly's resolutions.
func BodyKindFor(r Rules) string {
	if r == QD96 || r == "" {
		return audit.BodyParty
	}
	return audit.BodyCouncil
}

// CreateSession creates a draft session and starts its audit log.
func (s *Service) CreateSession(ctx context.Context, actor string, in NewSession) (*Session, error) {
	in.Title, in.Body, in.Place = CleanText(in.Title), CleanText(in.Body), CleanText(in.Place)
	if in.Title == "" || in.Body == "" || in.Place == "" {
		return nil, &Error{Code: EInvalid, Key: "session_fields"}
	}
	if _, err := time.Parse(time.DateOnly, in.Date); err != nil {
		return nil, &Error{Code: EInvalid, Key: "session_date", Args: Args{"date": in.Date}}
	}
	rules, err := ParseRules(string(in.Rules))
	if err != nil {
		return nil, err
	}
	in.BodyKind = strings.ToLower(strings.TrimSpace(in.BodyKind))
	switch in.Kind {
	case "", Rating:
		in.Kind = KindOf(rules)
	case Formal:
		if in.Rules == "" {
			rules = NQ96BPT
		}
		f, ok := tally.FormalOf(rules)
		if !ok || in.BodyKind == audit.BodyParty {
			return nil, &Error{Code: EInvalid, Key: "session_formal_party"}
		}
		rules = f
	default:
		return nil, &Error{Code: EInvalid, Key: "session_kind", Args: Args{"kind": string(in.Kind)}}
	}
	if in.Kind == Formal && in.BodyKind == audit.BodyParty {
		return nil, &Error{Code: EInvalid, Key: "session_formal_party"}
	}
	in.Superior, in.Number, in.Locality = CleanText(in.Superior), CleanText(in.Number), CleanText(in.Locality)
	if in.BodyKind == "" {
		in.BodyKind = BodyKindFor(rules)
	}
	if !audit.KnownBodyKind(in.BodyKind) {
		return nil, &Error{Code: EInvalid, Key: "session_body_kind", Args: Args{"kind": string(in.BodyKind)}}
	}
	if in.Copies < 0 || in.Copies > MaxCopies {
		return nil, &Error{Code: EInvalid, Key: "session_copies", Args: Args{"max": MaxCopies}}
	}
	var setup *audit.BoxSetup
	if in.Encrypted {
		if in.Threshold < 0 || in.Threshold > MaxTrustees {
			return nil, &Error{Code: EInvalid, Key: "session_threshold", Args: Args{"max": MaxTrustees}}
		}
		if in.PaperConfirmations < 0 || in.PaperConfirmations > 2 {
			return nil, &Error{Code: EInvalid, Key: "paper_confirmations"}
		}
		setup = &audit.BoxSetup{Threshold: in.Threshold, Options: OptionsFor(rules), PaperConfirmations: in.PaperConfirmations}
	} else if in.Threshold != 0 || in.PaperConfirmations != 0 {
		return nil, &Error{Code: EInvalid, Key: "session_threshold_clear"}
	}
	id, err := s.newSessionID()
	if err != nil {
		return nil, err
	}
	sess := &Session{ID: id, Org: in.Org, Title: in.Title, Body: in.Body, Date: in.Date, Place: in.Place, Rules: rules, State: Draft, Box: setup}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.InsertSession(sess); err != nil {
			return err
		}
		return s.logSigned(tx, id, actor, audit.SessionCreated, audit.SessionCreatedData{
			ID: id, Org: in.Org, Title: in.Title, Body: in.Body, Date: in.Date, Place: in.Place, Rules: string(rules),
			BodyKind: in.BodyKind, Superior: in.Superior, Number: in.Number, Locality: in.Locality, Copies: in.Copies,
			Kind: formalKind(rules), Box: setup,
		})
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// formalKind is SessionCreatedData.Kind for a session under r: "formal",
// or empty for the rating, as logs written before the kind existed are.
func formalKind(r Rules) string {
	if r.Formal() {
		return string(Formal)
	}
	return ""
}

func (s *Service) newSessionID() (string, error) {
	b := make([]byte, 5)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", Errorf(EInternal, "failed to read randomness: %v", err)
	}
	return strings.ToLower(tokenEncoding.EncodeToString(b)), nil
}

// Session returns one session.
func (s *Service) Session(ctx context.Context, id string) (*Session, error) {
	var sess *Session
	err := s.store.View(ctx, func(tx Tx) (err error) {
		if sess, err = tx.Session(id); err != nil {
			return err
		}
		sess.Box, err = boxSetup(tx, id)
		return err
	})
	return sess, err
}

// Sessions returns every session.
func (s *Service) Sessions(ctx context.Context) ([]Session, error) {
	var out []Session
	err := s.store.View(ctx, func(tx Tx) (err error) {
		if out, err = tx.Sessions(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Box, err = boxSetup(tx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// draft loads a session and refuses unless it is still a draft: roster,
// cadres and cards freeze at opening (DESIGN.md invariant 5).
func draft(tx Tx, id string) (*Session, error) {
	sess, err := tx.Session(id)
	if err != nil {
		return nil, err
	}
	if sess.State != Draft {
		return nil, ErrSessionFrozen
	}
	return sess, nil
}

// ImportRoster replaces the roster of a draft session; attendance restarts.
func (s *Service) ImportRoster(ctx context.Context, actor, id string, members []Member) error {
	if len(members) == 0 {
		return &Error{Code: EInvalid, Key: "roster_empty"}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := draft(tx, id); err != nil {
			return err
		}
		if err := tx.ReplaceMembers(id, members); err != nil {
			return err
		}
		people := make([]audit.Person, len(members))
		for i, m := range members {
			people[i] = audit.Person{Name: m.Name, Position: m.Position, Unit: m.Unit}
		}
		return s.logSigned(tx, id, actor, audit.RosterSet, audit.RosterSetData{Members: people})
	})
}

// ImportCadres replaces the cadres of a draft session, in ballot order. A
// cadre who sits on the counting committee is refused (DOMAIN.md).
func (s *Service) ImportCadres(ctx context.Context, actor, id string, cadres []Cadre) error {
	if len(cadres) == 0 {
		return &Error{Code: EInvalid, Key: "cadres_empty"}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := draft(tx, id)
		if err != nil {
			return err
		}
		if err := checkCadresApart(cadres, sess.Committee); err != nil {
			return err
		}
		if err := paperPrinted(tx, id); err != nil {
			return err
		}
		if err := tx.ReplaceCadres(id, cadres); err != nil {
			return err
		}
		people := make([]audit.Person, len(cadres))
		for i, c := range cadres {
			people[i] = audit.Person{ID: c.ID, Name: c.Name, Position: c.Position}
		}
		return s.logSigned(tx, id, actor, audit.CadresSet, audit.CadresSetData{Cadres: people})
	})
}

// Officers are the people the minutes name besides the roster: the
// counting committee and its head, and the chair and secretary of the
// meeting.
type Officers struct {
	Committee []string
	// Head must be one of Committee; empty names the first, as the lists
	// of Vietnamese minutes put the head first.
	Head string
	// Chair and Secretary may be empty, leaving a blank on the minutes.
	Chair, Secretary string
}

// SetOfficers names the counting committee, its head and the chair and
// secretary of the meeting, replacing all four; allowed until the tally.
// The committee follows SetCommittee's rules; a head who is not on the
// committee is refused and nothing changes.
func (s *Service) SetOfficers(ctx context.Context, actor, id string, o Officers) error {
	return s.setOfficers(ctx, actor, id, o, false)
}

// SetCommittee names the counting committee; allowed until the tally. Its
// members must be at least two different people (compared as nameKey does),
// none of them a cadre being rated (DOMAIN.md); otherwise nothing is written
// and the error names the offending member. The chair and secretary stay as
// they were, and so does the head if still on the committee (else the first
// named heads it).
func (s *Service) SetCommittee(ctx context.Context, actor, id string, names []string) error {
	return s.setOfficers(ctx, actor, id, Officers{Committee: names}, true)
}

func (s *Service) setOfficers(ctx context.Context, actor, id string, o Officers, keep bool) error {
	clean := make([]string, 0, len(o.Committee))
	for _, n := range o.Committee {
		if n = CleanText(n); n != "" {
			clean = append(clean, n)
		}
	}
	if err := checkCommittee(clean, nil); err != nil {
		return err
	}
	head, chair, secretary := CleanText(o.Head), CleanText(o.Chair), CleanText(o.Secretary)
	if head != "" && !slices.Contains(clean, head) {
		return &Error{Code: EInvalid, Key: "committee_head", Args: Args{"head": head}}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		if sess.State == Tallied {
			return &Error{Code: ELocked, Key: "session_tallied"}
		}
		cadres, err := tx.Cadres(id)
		if err != nil {
			return err
		}
		if err := checkCommittee(clean, cadres); err != nil {
			return err
		}
		if !slices.Equal(clean, sess.Committee) {
			if setup, err := boxSetup(tx, id); err != nil {
				return err
			} else if setup != nil {
				c, err := readCeremony(tx, id, setup, len(sess.Committee))
				if err != nil {
					return err
				}
				if c.started() {
					// The committee numbers the trustees: once a share of
					// the key is made for trustee i, i cannot change.
					return &Error{Code: ELocked, Key: "committee_ceremony"}
				}
			}
		}
		if keep {
			chair, secretary = sess.Chair, sess.Secretary
			if slices.Contains(clean, sess.CommitteeHead) {
				head = sess.CommitteeHead
			}
		}
		if head == "" {
			head = clean[0]
		}
		sess.Committee, sess.CommitteeHead, sess.Chair, sess.Secretary = clean, head, chair, secretary
		if err := tx.UpdateSession(sess); err != nil {
			return err
		}
		return s.logSigned(tx, id, actor, audit.CommitteeSet, audit.CommitteeSetData{Members: clean, Head: head, Chair: chair, Secretary: secretary})
	})
}

// Attendance is the quorum picture of a session.
type Attendance struct {
	Summoned int
	Present  int
}

// QuorumMet reports whether at least two thirds of those summoned are
// present, compared on integers: 3·present ≥ 2·summoned.
func (a Attendance) QuorumMet() bool { return a.Summoned > 0 && 3*a.Present >= 2*a.Summoned }

func attendance(tx Tx, id string) (Attendance, error) {
	ms, err := tx.Members(id)
	if err != nil {
		return Attendance{}, err
	}
	a := Attendance{Summoned: len(ms)}
	for _, m := range ms {
		if m.Present {
			a.Present++
		}
	}
	return a, nil
}

// Attendance returns how many are summoned and present.
func (s *Service) Attendance(ctx context.Context, id string) (a Attendance, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		a, err = attendance(tx, id)
		return err
	})
	return a, err
}

// Members returns the roster with attendance.
func (s *Service) Members(ctx context.Context, id string) (ms []Member, err error) {
	err = s.store.View(ctx, func(tx Tx) (err error) { ms, err = tx.Members(id); return err })
	return ms, err
}

// Cadres returns the session's cadres in ballot order.
func (s *Service) Cadres(ctx context.Context, id string) (cs []Cadre, err error) {
	err = s.store.View(ctx, func(tx Tx) (err error) { cs, err = tx.Cadres(id); return err })
	return cs, err
}

// CheckIn marks members present, by name or all at once. It is allowed
// before and during the vote, never after; it records presence only.
func (s *Service) CheckIn(ctx context.Context, actor, id string, names []string, all bool) (a Attendance, err error) {
	err = s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		if sess.State != Draft && sess.State != Open {
			return ErrClosed
		}
		ms, err := tx.Members(id)
		if err != nil {
			return err
		}
		if all {
			names = names[:0]
			for _, m := range ms {
				names = append(names, m.Name)
			}
		} else {
			onRoster := make(map[string]bool, len(ms))
			for _, m := range ms {
				onRoster[m.Name] = true
			}
			for i, n := range names {
				names[i] = CleanText(n)
				if !onRoster[names[i]] {
					return &Error{Code: ENotFound, Key: "member_unknown", Args: Args{"name": names[i]}}
				}
			}
		}
		if len(names) == 0 {
			return &Error{Code: EInvalid, Key: "checkin_none"}
		}
		if err := tx.SetPresent(id, names); err != nil {
			return err
		}
		if a, err = attendance(tx, id); err != nil {
			return err
		}
		return s.logSigned(tx, id, actor, audit.CheckedIn, audit.CheckedInData{Members: names, Present: a.Present, Summoned: a.Summoned})
	})
	return a, err
}

// CheckOut records that members left the meeting, before or during the
// vote, never after: attendance at close, which the minutes report, counts
// only those still present. A name not on the roster or not present is
// refused and nothing changes. Like CheckIn it records presence only.
func (s *Service) CheckOut(ctx context.Context, actor, id string, names []string) (a Attendance, err error) {
	err = s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		if sess.State != Draft && sess.State != Open {
			return ErrClosed
		}
		ms, err := tx.Members(id)
		if err != nil {
			return err
		}
		present := make(map[string]bool, len(ms))
		onRoster := make(map[string]bool, len(ms))
		for _, m := range ms {
			onRoster[m.Name], present[m.Name] = true, m.Present
		}
		clean := make([]string, 0, len(names))
		for _, n := range names {
			n = CleanText(n)
			switch {
			case n == "" || slices.Contains(clean, n):
				continue
			case !onRoster[n]:
				return &Error{Code: ENotFound, Key: "member_unknown", Args: Args{"name": n}}
			case !present[n]:
				return &Error{Code: EInvalid, Key: "member_absent", Args: Args{"name": n}}
			}
			clean = append(clean, n)
		}
		if len(clean) == 0 {
			return &Error{Code: EInvalid, Key: "checkout_none"}
		}
		if err := tx.SetAbsent(id, clean); err != nil {
			return err
		}
		if a, err = attendance(tx, id); err != nil {
			return err
		}
		return s.logSigned(tx, id, actor, audit.CheckedOut, audit.CheckedInData{Members: clean, Present: a.Present, Summoned: a.Summoned})
	})
	return a, err
}

// MaxTokensPerIssue bounds one issue of cards, so a typo cannot fill the disk.
const MaxTokensPerIssue = 100000

// IssueTokens creates n one-time cards for a draft session and hands their
// plaintext tokens, in random order, to deliver, which puts them on paper.
// Only the hashes are stored and logged. deliver runs inside the transaction
// that records the cards: if it fails, no card is issued, so a card that was
// never printed can never vote; if recording fails after deliver succeeded,
// the caller must discard what deliver wrote.
func (s *Service) IssueTokens(ctx context.Context, actor, id string, n int, deliver func(tokens []string) error) error {
	return s.issueTokens(ctx, actor, id, n, false, deliver)
}

// IssuePaperTokens is IssueTokens for cards printed as paper ballots
// (SPEC.md 11.5.2): the same one-time cards, logged with "paper": true, whose
// ballots the counting committee enters with EnterPaperBallot. Only an
// encrypted session has paper ballots.
func (s *Service) IssuePaperTokens(ctx context.Context, actor, id string, n int, deliver func(tokens []string) error) error {
	return s.issueTokens(ctx, actor, id, n, true, deliver)
}

func (s *Service) issueTokens(ctx context.Context, actor, id string, n int, paper bool, deliver func(tokens []string) error) error {
	if n < 1 || n > MaxTokensPerIssue {
		return &Error{Code: EInvalid, Key: "cards_count", Args: Args{"max": MaxTokensPerIssue}}
	}
	tokens := make([]string, n)
	hashes := make([]audit.Hash, n)
	for i := range tokens {
		t, err := NewToken(s.rand)
		if err != nil {
			return err
		}
		tokens[i], hashes[i] = t, HashToken(t)
	}
	if paper {
		// A paper card is stored under its public key (PaperTokenKey); the
		// log names it by that key, as every card of an encrypted session.
		keys, err := cardKeys(id, tokens)
		if err != nil {
			return err
		}
		for i, k := range keys {
			hashes[i] = PaperTokenKey(k)
		}
	}
	// Shuffle with randomness from s.rand so that the order of cards on
	// paper says nothing about the order of issue.
	var seed [32]byte
	if _, err := io.ReadFull(s.rand, seed[:]); err != nil {
		return Errorf(EInternal, "failed to read randomness: %v", err)
	}
	mrand.New(mrand.NewChaCha8(seed)).Shuffle(n, func(i, j int) { tokens[i], tokens[j] = tokens[j], tokens[i] })
	slices.SortFunc(hashes, compareHash)
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := draft(tx, id); err != nil {
			return err
		}
		if paper {
			// A paper ballot prints the cadres: without them it is blank.
			if cs, err := tx.Cadres(id); err != nil {
				return err
			} else if len(cs) == 0 {
				return &Error{Code: ELocked, Key: "no_cadres"}
			}
		}
		if err := tx.InsertTokens(id, hashes); err != nil {
			return err
		}
		logged := hashes
		if setup, err := boxSetup(tx, id); err != nil {
			return err
		} else if setup == nil && paper {
			return ErrNotEncrypted
		} else if setup != nil {
			// An encrypted session's log names each card by the key its
			// ballot is signed with, so that the verifier can check that
			// every sealed ballot comes from an issued card.
			if logged, err = cardKeys(id, tokens); err != nil {
				return err
			}
		}
		if err := s.logSigned(tx, id, actor, audit.TokensIssued, audit.TokensData{Hashes: logged, Paper: paper}); err != nil {
			return err
		}
		return deliver(tokens)
	})
}

func compareHash(a, b audit.Hash) int { return strings.Compare(string(a[:]), string(b[:])) }

// RevokeToken withdraws an unused card by its code, before or during the
// vote, e.g. when a voter spoils a card and is given another.
func (s *Service) RevokeToken(ctx context.Context, actor, id, code, reason string) error {
	token, ok := NormalizeToken(code)
	if !ok {
		return &Error{Code: EInvalid, Key: "token_malformed"}
	}
	h := HashToken(token)
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		if sess.State != Draft && sess.State != Open {
			return ErrClosed
		}
		setup, err := boxSetup(tx, id)
		if err != nil {
			return err
		}
		owner, st, err := tx.Token(h)
		if ErrorCode(err) == ENotFound && setup != nil {
			// Perhaps a paper ballot's card, stored under its public key.
			var card audit.Hash
			if card, err = CardKey(id, token); err != nil {
				return err
			}
			h = PaperTokenKey(card)
			owner, st, err = tx.Token(h)
		}
		switch {
		case ErrorCode(err) == ENotFound, err == nil && owner != id:
			return ErrTokenUnknown
		case err != nil:
			// A store that failed to read the card must not be reported as
			// a card that was never issued.
			return err
		}
		switch st {
		case TokenUsed:
			return ErrTokenUsed
		case TokenRevoked:
			return ErrTokenRevoked
		}
		if err := tx.RevokeToken(h); err != nil {
			return err
		}
		logged := h
		if setup != nil {
			if logged, err = CardKey(id, token); err != nil {
				return err
			}
		}
		return s.logSigned(tx, id, actor, audit.TokenRevoked, audit.TokenRevokedData{Hash: logged, Reason: CleanText(reason)})
	})
}

// Open opens a draft session for voting. It requires a roster, cadres and
// cards, and two thirds of the roster present unless override is set with a
// reason; the check and any override are logged.
func (s *Service) Open(ctx context.Context, actor, id string, override bool, reason string) error {
	reason = CleanText(reason)
	if override && reason == "" {
		return &Error{Code: EInvalid, Key: "override_reason"}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := draft(tx, id)
		if err != nil {
			return err
		}
		a, err := attendance(tx, id)
		if err != nil {
			return err
		}
		cadres, err := tx.Cadres(id)
		if err != nil {
			return err
		}
		counts, err := tx.TokenCounts(id)
		if err != nil {
			return err
		}
		switch {
		case a.Summoned == 0:
			return &Error{Code: ELocked, Key: "no_roster"}
		case len(cadres) == 0:
			return &Error{Code: ELocked, Key: "no_cadres"}
		case counts.Valid() == 0:
			return &Error{Code: ELocked, Key: "no_cards"}
		case !a.QuorumMet() && !override:
			return &Error{Code: ELocked, Key: "quorum_not_met", Args: Args{"present": a.Present, "summoned": a.Summoned}}
		}
		if _, err := boxParams(tx, id, len(cadres)); err != nil {
			return err // an encrypted session without its joint key
		}
		sess.State = Open
		if err := tx.UpdateSession(sess); err != nil {
			return err
		}
		data := audit.SessionOpenedData{Summoned: a.Summoned, Present: a.Present, Issued: counts.Valid(), QuorumMet: a.QuorumMet(),
			VoterAssets: s.VoterAssets}
		if !a.QuorumMet() {
			data.Override, data.Reason = true, reason
		}
		return s.logSigned(tx, id, actor, audit.SessionOpened, data)
	})
}

// Turnout returns the card counts of a session: what the organiser may watch
// during the vote.
func (s *Service) Turnout(ctx context.Context, id string) (c TokenCounts, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.Session(id); err != nil {
			return err
		}
		c, err = tx.TokenCounts(id)
		return err
	})
	return c, err
}

func newBallotID(r io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", Errorf(EInternal, "failed to read randomness: %v", err)
	}
	return hex.EncodeToString(b), nil
}
