package storetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/verify"
)

// RunFaults drives a ballot.Service over a Faulty wrapping a store from open
// through every step of a vote. For each step it first runs the step without
// faults to learn how many writes and calls it makes and what it records,
// then, on a fresh session each time, fails each write at its commit
// (FailNotPersist, then FailButPersist) and each call (FailCall) in turn.
// After every injected failure it checks that:
//
//   - the service returned the failure (except a failed ForgetOrder after a
//     committed close, which only OnWarning hears: the close stands);
//   - no transaction carried on past a failed statement;
//   - nothing at all changed when nothing was persisted, and exactly what a
//     successful run records when the commit was persisted;
//   - every session's audit chain and checkpoints still verify and replay;
//   - doing the step again is safe: it succeeds after an unpersisted
//     failure, and after a persisted one it either refuses (a used card is
//     "card used", an open session is frozen) without changing anything or
//     records the step once more, never half;
//   - the session can still be voted to its end: every card answers as the
//     store says it should (so the service's caches agree with the store),
//     every receipt is found, the order of the casts is forgotten at close,
//     and the exported bundle passes every check of verify.Bundle.
//
// open must return a new, empty store each time, as for Run; RunFaults
// closes it.
func RunFaults(t *testing.T, open func(t *testing.T) ballot.Store) {
	t.Run("Faulty", func(t *testing.T) { testFaulty(t, newFaultEnv(t, open).f) })
	for _, st := range faultSteps {
		t.Run(st.name, func(t *testing.T) { runFaultStep(t, open, st) })
	}
}

// faultEnv is a Service over a Faulty store, and what the service warned of.
type faultEnv struct {
	f   *Faulty
	svc *ballot.Service
	key *audit.Key

	mu       sync.Mutex
	warnings []error
}

func newFaultEnv(t *testing.T, open func(t *testing.T) ballot.Store) *faultEnv {
	t.Helper()
	f := NewFaulty(open(t))
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	key, err := audit.GenerateKey(rand.Reader, "storetest")
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	e := &faultEnv{f: f, svc: ballot.NewService(f, key, nil, nil), key: key}
	e.svc.OnWarning = func(err error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.warnings = append(e.warnings, err)
	}
	return e
}

func (e *faultEnv) warningCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.warnings)
}

// vote is one session under test and the cards the test holds for it.
type vote struct {
	id       string
	cards    []string          // cards whose PDF was kept: the issue succeeded
	lost     []string          // cards handed to a failed issue, whose PDF a caller throws away
	receipts map[string]string // card → receipt of its successful cast
}

const faultActor = "storetest:organiser"

var (
	faultRoster = []ballot.Member{
		{Name: "Lưu Thị Ngọc Trâm", Position: "Bí thư", Unit: "Văn phòng"},
		{Name: "Hà Văn Quyết", Position: "Phó Bí thư", Unit: "Ban Tổ chức"},
		{Name: "Mạc Thị Huyền", Position: "Ủy viên", Unit: "Ban Tuyên giáo"},
		{Name: "Vi Văn Sáng", Position: "Ủy viên", Unit: "Ủy ban Kiểm tra"},
	}
	faultCadres = []ballot.Cadre{
		{ID: "c1", Name: "Lưu Thị Ngọc Trâm", Position: "Bí thư"},
		{ID: "c2", Name: "Hà Văn Quyết", Position: "Phó Bí thư"},
	}
	faultChoices = map[string][]ballot.Level{"c1": {ballot.High}, "c2": {ballot.Low}}
)

func names(ms []ballot.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

// must fails the test on an error of a step that prepares, not one under test.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// The steps of preparing a session, each built on the one before.
func (e *faultEnv) created(t *testing.T) *vote {
	t.Helper()
	sess, err := e.svc.CreateSession(ctx, faultActor, ballot.NewSession{Org: "Đảng bộ phường Tân Định",
		Title: "Lấy phiếu tín nhiệm giữa nhiệm kỳ", Body: "Ban Chấp hành Đảng bộ phường", Date: "2026-11-22",
		Place: "Hội trường Ủy ban nhân dân phường"})
	must(t, "CreateSession", err)
	return &vote{id: sess.ID, receipts: map[string]string{}}
}

func (e *faultEnv) withLists(t *testing.T) *vote {
	t.Helper()
	v := e.created(t)
	must(t, "ImportRoster", e.svc.ImportRoster(ctx, faultActor, v.id, faultRoster))
	must(t, "ImportCadres", e.svc.ImportCadres(ctx, faultActor, v.id, faultCadres))
	return v
}

func (e *faultEnv) withCards(t *testing.T) *vote {
	t.Helper()
	v := e.withLists(t)
	_, err := e.svc.CheckIn(ctx, faultActor, v.id, nil, true)
	must(t, "CheckIn", err)
	must(t, "IssueTokens", e.issue(v, 3))
	return v
}

func (e *faultEnv) opened(t *testing.T, casts int) *vote {
	t.Helper()
	v := e.withCards(t)
	must(t, "Open", e.svc.Open(ctx, faultActor, v.id, false, ""))
	for i := range casts {
		must(t, "Cast", e.cast(v, v.cards[i]))
	}
	return v
}

func (e *faultEnv) issue(v *vote, n int) error {
	var got []string
	err := e.svc.IssueTokens(ctx, faultActor, v.id, n, func(tokens []string) error {
		got = append([]string(nil), tokens...)
		return nil
	})
	if err != nil {
		v.lost = append(v.lost, got...)
		return err
	}
	v.cards = append(v.cards, got...)
	return nil
}

func (e *faultEnv) cast(v *vote, card string) error {
	r, err := e.svc.Cast(ctx, card, faultChoices)
	if err == nil {
		v.receipts[card] = r
	}
	return err
}

// faultStep is one operation of a vote, on a session prepared for it.
type faultStep struct {
	name    string
	prepare func(e *faultEnv, t *testing.T) *vote
	run     func(e *faultEnv, v *vote) error
	// again is what running the step a second time must answer after a
	// persisted failure of the first: nil where that is harmless.
	again error
}

var faultSteps = []faultStep{
	{name: "CreateSession",
		prepare: func(e *faultEnv, t *testing.T) *vote { return &vote{receipts: map[string]string{}} },
		run: func(e *faultEnv, v *vote) error {
			sess, err := e.svc.CreateSession(ctx, faultActor, ballot.NewSession{Title: "Hội nghị", Body: "Chi bộ",
				Date: "2026-11-22", Place: "Phòng họp số 2"})
			if err == nil {
				v.id = sess.ID
			}
			return err
		}},
	{name: "ImportRoster", prepare: (*faultEnv).created,
		run: func(e *faultEnv, v *vote) error { return e.svc.ImportRoster(ctx, faultActor, v.id, faultRoster) }},
	{name: "ImportCadres", prepare: (*faultEnv).created,
		run: func(e *faultEnv, v *vote) error { return e.svc.ImportCadres(ctx, faultActor, v.id, faultCadres) }},
	{name: "SetCommittee", prepare: (*faultEnv).withLists,
		run: func(e *faultEnv, v *vote) error {
			return e.svc.SetCommittee(ctx, faultActor, v.id, names(faultRoster[2:]))
		}},
	{name: "CheckIn", prepare: (*faultEnv).withLists,
		run: func(e *faultEnv, v *vote) error {
			_, err := e.svc.CheckIn(ctx, faultActor, v.id, names(faultRoster), false)
			return err
		}},
	{name: "IssueTokens",
		prepare: func(e *faultEnv, t *testing.T) *vote {
			v := e.withLists(t)
			_, err := e.svc.CheckIn(ctx, faultActor, v.id, nil, true)
			must(t, "CheckIn", err)
			return v
		},
		run: func(e *faultEnv, v *vote) error { return e.issue(v, 3) }},
	{name: "RevokeTokenDraft", prepare: (*faultEnv).withCards, again: ballot.ErrTokenRevoked,
		run: func(e *faultEnv, v *vote) error {
			return e.svc.RevokeToken(ctx, faultActor, v.id, ballot.FormatCode(v.cards[2]), "thẻ in hỏng")
		}},
	{name: "Open", prepare: (*faultEnv).withCards, again: ballot.ErrSessionFrozen,
		run: func(e *faultEnv, v *vote) error { return e.svc.Open(ctx, faultActor, v.id, false, "") }},
	// The first cast of a session reads the card and loads the session's
	// ballot and unused cards into the service's caches; later casts use them.
	{name: "CastFirst", prepare: func(e *faultEnv, t *testing.T) *vote { return e.opened(t, 0) }, again: ballot.ErrTokenUsed,
		run: func(e *faultEnv, v *vote) error { return e.cast(v, v.cards[0]) }},
	{name: "CastCached", prepare: func(e *faultEnv, t *testing.T) *vote { return e.opened(t, 1) }, again: ballot.ErrTokenUsed,
		run: func(e *faultEnv, v *vote) error { return e.cast(v, v.cards[1]) }},
	{name: "RevokeTokenOpen", prepare: func(e *faultEnv, t *testing.T) *vote { return e.opened(t, 1) }, again: ballot.ErrTokenRevoked,
		run: func(e *faultEnv, v *vote) error {
			return e.svc.RevokeToken(ctx, faultActor, v.id, ballot.FormatCode(v.cards[2]), "cử tri làm hỏng thẻ")
		}},
	{name: "Close", prepare: func(e *faultEnv, t *testing.T) *vote { return e.opened(t, 2) }, again: ballot.ErrClosed,
		run: func(e *faultEnv, v *vote) error { return e.svc.Close(ctx, faultActor, v.id) }},
	{name: "SetCommitteeClosed",
		prepare: func(e *faultEnv, t *testing.T) *vote {
			v := e.opened(t, 2)
			must(t, "Close", e.svc.Close(ctx, faultActor, v.id))
			return v
		},
		run: func(e *faultEnv, v *vote) error {
			// The two members who are not rated, the other way round:
			// a committee must not hold a cadre being rated.
			return e.svc.SetCommittee(ctx, faultActor, v.id, []string{faultRoster[3].Name, faultRoster[2].Name})
		}},
}

// runFaultStep runs st once without faults, then once for each fault at each
// position, each run on a store of its own so that what one run leaves
// cannot hide what the next one does.
func runFaultStep(t *testing.T, open func(t *testing.T) ballot.Store, st faultStep) {
	// A run without faults says how many writes and calls the step makes
	// and what a successful run changes.
	e := newFaultEnv(t, open)
	v := st.prepare(e, t)
	before := e.state(t)
	e.f.Reset()
	if err := st.run(e, v); err != nil {
		t.Fatalf("%s without faults: %v", st.name, err)
	}
	writes, calls := e.f.Counts()
	after := e.state(t)
	wantChanged, wantAdded := changed(before, after), addedTypes(t, before, after)
	if len(wantChanged) != 1 {
		t.Fatalf("%s without faults changed %d sessions, want 1: %q", st.name, len(wantChanged), wantChanged)
	}
	e.finish(t, v)
	t.Logf("%s: %d writes, %d calls; records %v", st.name, writes, calls, wantAdded)

	for _, fault := range []Fault{FailNotPersist, FailButPersist, FailCall} {
		n := writes
		if fault == FailCall {
			n = calls
		}
		for at := 1; at <= n; at++ {
			t.Run(fmt.Sprintf("%s-%d", fault, at), func(t *testing.T) {
				t.Parallel() // each run has a store of its own; most of its time is fsync
				newFaultEnv(t, open).injectStep(t, st, fault, at, wantChanged, wantAdded)
			})
		}
	}
}

// injectStep runs st with fault at position at, then checks what the
// service answered, what the store holds, a second run, and the rest of
// the vote.
func (e *faultEnv) injectStep(t *testing.T, st faultStep, fault Fault, at int, wantChanged []string, wantAdded []audit.Type) {
	v := st.prepare(e, t)
	before := e.state(t)
	warned, forgotten := e.warningCount(), e.f.Forgotten()
	e.f.Arm(fault, at)
	err := st.run(e, v)
	fired, swallowed := e.f.Fired(), e.f.Swallowed()
	e.f.Reset()
	if fired == "" {
		t.Fatalf("%s never reached %s at position %d", st.name, fault, at)
	}
	t.Logf("%s at %s: %v", fault, fired, err)
	if len(swallowed) > 0 {
		t.Errorf("the service carried on after a failed %v", swallowed)
	}
	after := e.state(t)

	persisted := fault == FailButPersist
	if fired == "ForgetOrder" {
		// The close is committed; only erasing the order of commits
		// failed, which loses nothing: the close stands, the server's
		// log hears of it, and the next clean shutdown erases it.
		persisted = true
		if err != nil {
			t.Errorf("Close whose ForgetOrder failed = %v, want nil: the vote is closed and sealed", err)
		}
		if e.warningCount() != warned+1 {
			t.Errorf("a failed ForgetOrder was not reported to OnWarning")
		}
		if e.f.Forgotten() != forgotten {
			t.Errorf("the failed ForgetOrder reached the store")
		}
	} else if !errors.Is(err, ErrInjected) {
		t.Errorf("%s with %s at %s = %v, want the injected failure", st.name, fault, fired, err)
	}
	if persisted {
		if got := changed(before, after); !slices.Equal(got, wantChanged) {
			t.Errorf("a persisted %s changed\n  %q\nwant what a successful one does\n  %q", st.name, got, wantChanged)
		}
	} else if d := diffState(before, after); d != "" {
		t.Errorf("nothing was persisted, yet %s", d)
	}
	e.checkLogs(t)

	// The organiser, or the voter, tries again.
	want := error(nil)
	if persisted {
		want = st.again
	}
	err = st.run(e, v)
	if !errors.Is(err, want) {
		t.Errorf("%s again after %s at %s = %v, want %v", st.name, fault, fired, err, want)
	}
	final := e.state(t)
	switch {
	case !persisted:
		if got := changed(after, final); !slices.Equal(got, wantChanged) {
			t.Errorf("%s again changed\n  %q\nwant what a successful one does\n  %q", st.name, got, wantChanged)
		}
	case want != nil:
		if d := diffState(after, final); d != "" {
			t.Errorf("the refused second %s changed something: %s", st.name, d)
		}
	default:
		if got := addedTypes(t, after, final); !slices.Equal(got, wantAdded) {
			t.Errorf("the second %s recorded %v, want %v once more", st.name, got, wantAdded)
		}
	}
	if st.name == "Close" && e.f.Forgotten() == forgotten {
		t.Errorf("the session is closed, yet the store was never asked to forget the order of its commits")
	}
	e.checkLogs(t)
	e.finish(t, v)
}

// checkLogs checks every session's chain and checkpoints as the server does
// at start-up, and replays each log as the verifier does.
func (e *faultEnv) checkLogs(t *testing.T) {
	t.Helper()
	if err := e.svc.VerifyLogs(ctx); err != nil {
		t.Errorf("VerifyLogs: %v", err)
	}
	for _, s := range e.state(t).sessions {
		if _, err := verify.ReplayLog(s.Entries); err != nil {
			t.Errorf("session %s: ReplayLog: %v", s.Session.ID, err)
		}
	}
}

// finish votes session v to its end through the service, from whatever
// state the store holds it in, and checks every answer against the store,
// then verifies the exported bundle.
func (e *faultEnv) finish(t *testing.T, v *vote) {
	t.Helper()
	if v.id == "" {
		t.Fatalf("no session to finish")
	}
	s := e.state(t).session(v.id)
	if s == nil {
		t.Fatalf("session %s is not in the store", v.id)
	}
	if s.Session.State == ballot.Draft {
		if len(s.Members) == 0 {
			must(t, "ImportRoster", e.svc.ImportRoster(ctx, faultActor, v.id, faultRoster))
		}
		if len(s.Cadres) == 0 {
			must(t, "ImportCadres", e.svc.ImportCadres(ctx, faultActor, v.id, faultCadres))
		}
		_, err := e.svc.CheckIn(ctx, faultActor, v.id, nil, true)
		must(t, "CheckIn", err)
		if len(s.Tokens[ballot.TokenIssued]) == 0 {
			must(t, "IssueTokens", e.issue(v, 2))
		}
		must(t, "Open", e.svc.Open(ctx, faultActor, v.id, false, ""))
		s = e.state(t).session(v.id)
	}
	// A card the caller threw away after a failed issue is issued if that
	// issue was persisted; either way nobody holds it any more.
	for _, card := range v.lost {
		if st, ok := s.token(card); ok && st != ballot.TokenIssued {
			t.Errorf("a card of a failed issue is in state %d, want issued or unknown", st)
		}
	}
	if s.Session.State == ballot.Open {
		for _, card := range v.cards {
			st, _ := s.token(card)
			var want error
			switch st {
			case ballot.TokenUsed:
				want = ballot.ErrTokenUsed
			case ballot.TokenRevoked:
				want = ballot.ErrTokenRevoked
			}
			if err := e.cast(v, card); !errors.Is(err, want) {
				t.Errorf("casting a card in state %d = %v, want %v", st, err, want)
			}
		}
		forgotten := e.f.Forgotten()
		must(t, "Close", e.svc.Close(ctx, faultActor, v.id))
		if e.f.Forgotten() == forgotten {
			t.Errorf("Close did not ask the store to forget the order of its commits")
		}
	}
	closed := e.state(t)
	for _, card := range v.cards {
		if err := e.cast(v, card); err == nil {
			t.Errorf("a card voted after the close")
		}
	}
	if d := diffState(closed, e.state(t)); d != "" {
		t.Errorf("casts after the close changed the store: %s", d)
	}

	b, err := e.svc.Bundle(ctx, v.id)
	must(t, "Bundle", err)
	rep := verify.Bundle(b, verify.Options{Key: e.key.PublicKey()})
	if c := rep.FirstFailure(); c != nil {
		t.Errorf("the bundle fails check %s at entry %d: %s", c.ID, c.Entry, c.Detail)
	}
	s = closed.session(v.id)
	findReceipt := func(r string) (uint64, bool, error) {
		search, err := verify.NewReceiptSearch(r)
		if err != nil {
			return 0, false, err
		}
		for i := range b.Entries {
			search.Visit(&b.Entries[i])
		}
		return search.Seq, search.Seq != 0, search.Err
	}
	for card, r := range v.receipts {
		if seq, found, err := findReceipt(r); err != nil || !found {
			t.Errorf("receipt of a cast card not found in the sealed log (entry %d, %v)", seq, err)
		}
		if st, _ := s.token(card); st != ballot.TokenUsed {
			t.Errorf("a card that got a receipt is in state %d, want used", st)
		}
	}
	// A card used by a cast whose answer was lost has no receipt in the
	// test, but the voter can compute it from the card: it must be sealed.
	for _, h := range s.Tokens[ballot.TokenUsed] {
		if _, found, err := findReceipt(audit.Receipt(h)); err != nil || !found {
			t.Errorf("a used card is not among the sealed ones (%v)", err)
		}
	}
	if len(s.Ballots) != len(s.Tokens[ballot.TokenUsed]) {
		t.Errorf("%d ballots for %d used cards", len(s.Ballots), len(s.Tokens[ballot.TokenUsed]))
	}
}

// storeState is everything the store holds about every session.
type storeState struct {
	sessions []sessionState // by ID
}

type sessionState struct {
	Session     ballot.Session
	Members     []ballot.Member
	Cadres      []ballot.Cadre
	Tokens      [3][]audit.Hash // by ballot.TokenState
	Ballots     []ballot.Ballot
	Entries     []audit.Entry
	Checkpoints []ballot.StoredCheckpoint
	Documents   []ballot.Document
}

func (s storeState) session(id string) *sessionState {
	for i := range s.sessions {
		if s.sessions[i].Session.ID == id {
			return &s.sessions[i]
		}
	}
	return nil
}

// token returns the state of a card of this session, and whether the
// session holds it.
func (s *sessionState) token(card string) (ballot.TokenState, bool) {
	h := ballot.HashToken(card)
	for st, hs := range s.Tokens {
		if slices.Contains(hs, h) {
			return ballot.TokenState(st), true
		}
	}
	return 0, false
}

// state reads the whole store, past the faults, in one snapshot.
func (e *faultEnv) state(t *testing.T) storeState {
	t.Helper()
	var out storeState
	err := e.f.Inner().View(ctx, func(tx ballot.Tx) error {
		all, err := tx.Sessions()
		if err != nil {
			return err
		}
		sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
		for _, sess := range all {
			s := sessionState{Session: sess}
			if len(s.Session.Committee) == 0 {
				s.Session.Committee = nil
			}
			id := sess.ID
			if s.Members, err = tx.Members(id); err != nil {
				return err
			}
			if s.Cadres, err = tx.Cadres(id); err != nil {
				return err
			}
			for st := range s.Tokens {
				if s.Tokens[st], err = tx.TokenHashes(id, ballot.TokenState(st)); err != nil {
					return err
				}
			}
			if s.Ballots, err = tx.Ballots(id); err != nil {
				return err
			}
			if s.Entries, err = tx.AuditEntries(id, 1, 0); err != nil {
				return err
			}
			if s.Checkpoints, err = tx.Checkpoints(id); err != nil {
				return err
			}
			if s.Documents, err = tx.Documents(id); err != nil {
				return err
			}
			out.sessions = append(out.sessions, s)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the store: %v", err)
	}
	return out
}

// diffState names the first difference between two states, or "".
func diffState(a, b storeState) string {
	if len(a.sessions) != len(b.sessions) {
		return fmt.Sprintf("the store holds %d sessions, before %d", len(b.sessions), len(a.sessions))
	}
	for i := range a.sessions {
		x, y := reflect.ValueOf(a.sessions[i]), reflect.ValueOf(b.sessions[i])
		for f := range x.NumField() {
			if !reflect.DeepEqual(x.Field(f).Interface(), y.Field(f).Interface()) {
				return fmt.Sprintf("session %s: %s changed", a.sessions[i].Session.ID, x.Type().Field(f).Name)
			}
		}
	}
	return ""
}

// summary describes a session by its shape, without IDs, random values or
// times, so that sessions prepared alike compare equal.
func (s *sessionState) summary() string {
	present := 0
	for _, m := range s.Members {
		if m.Present {
			present++
		}
	}
	types := make([]string, len(s.Entries))
	for i, e := range s.Entries {
		types[i] = string(e.Type)
	}
	return fmt.Sprintf("state %s, %d members (%d present), %d cadres, committee %d, cards %d/%d/%d, %d ballots, %d checkpoints, %d documents, log %s",
		s.Session.State, len(s.Members), present, len(s.Cadres), len(s.Session.Committee),
		len(s.Tokens[0]), len(s.Tokens[1]), len(s.Tokens[2]), len(s.Ballots), len(s.Checkpoints), len(s.Documents),
		strings.Join(types, " "))
}

// changed summarises the sessions that b holds differently from a, or that
// a lacks.
func changed(a, b storeState) []string {
	var out []string
	for i := range b.sessions {
		s := &b.sessions[i]
		old := a.session(s.Session.ID)
		if old == nil || diffState(storeState{[]sessionState{*old}}, storeState{[]sessionState{*s}}) != "" {
			out = append(out, s.summary())
		}
	}
	sort.Strings(out)
	return out
}

// addedTypes lists the types of the entries b's logs hold beyond a's, and
// fails the test if an entry a held has changed or gone.
func addedTypes(t *testing.T, a, b storeState) []audit.Type {
	t.Helper()
	var out []audit.Type
	for i := range b.sessions {
		s := &b.sessions[i]
		var had []audit.Entry
		if old := a.session(s.Session.ID); old != nil {
			had = old.Entries
		}
		if len(s.Entries) < len(had) || (len(had) > 0 && !reflect.DeepEqual(s.Entries[:len(had)], had)) {
			t.Errorf("the log of session %s was rewritten", s.Session.ID)
			continue
		}
		for _, e := range s.Entries[len(had):] {
			out = append(out, e.Type)
		}
	}
	return out
}

// testFaulty checks Faulty itself on the store it wraps: each fault does
// what its name says, a disarmed Faulty passes everything through, and a
// statement whose failure fn ignores still rolls its transaction back.
func testFaulty(t *testing.T, f *Faulty) {
	insert := func(id string) func(tx ballot.Tx) error {
		return func(tx ballot.Tx) error {
			if err := tx.InsertSession(newSession(id, ballot.Open)); err != nil {
				return err
			}
			return tx.InsertTokens(id, []audit.Hash{tokenHash(id, 0), tokenHash(id, 1)})
		}
	}
	exists := func(id string) bool {
		err := f.Inner().View(ctx, func(tx ballot.Tx) error { _, err := tx.Session(id); return err })
		if err != nil && !errors.Is(err, ballot.ErrNotFound) {
			t.Fatalf("Session(%s): %v", id, err)
		}
		return err == nil
	}
	for i, tc := range []struct {
		fault Fault
		at    int
		fn    func(id string) func(tx ballot.Tx) error
		kept  bool
	}{
		{FailNotPersist, 1, insert, false},
		{FailButPersist, 1, insert, true},
		{FailCall, 2, insert, false},
		// fn ignores the failed statement and returns nil: the
		// transaction must not commit what came before it.
		{FailCall, 2, func(id string) func(tx ballot.Tx) error {
			return func(tx ballot.Tx) error {
				if err := tx.InsertSession(newSession(id, ballot.Open)); err != nil {
					return err
				}
				tx.InsertTokens(id, []audit.Hash{tokenHash(id, 0)})
				return nil
			}
		}, false},
	} {
		id := fmt.Sprintf("faulty-%d", i)
		f.Arm(tc.fault, tc.at)
		err := f.Update(ctx, tc.fn(id))
		if !errors.Is(err, ErrInjected) || ballot.ErrorCode(err) != ballot.EInternal || !strings.Contains(err.Error(), "failed to ") {
			t.Errorf("%s at %d: Update = %v, want an internal error naming the operation", tc.fault, tc.at, err)
		}
		if got := exists(id); got != tc.kept {
			t.Errorf("%s at %d: session kept = %v, want %v", tc.fault, tc.at, got, tc.kept)
		}
		if f.Fired() == "" {
			t.Errorf("%s at %d: Fired() = \"\" after the fault", tc.fault, tc.at)
		}
	}
	if got := f.Swallowed(); !slices.Equal(got, []string{"InsertTokens"}) {
		t.Errorf("Swallowed() = %q, want the ignored InsertTokens", got)
	}

	// Casts: refused before the store, or recorded with the answer lost.
	f.Reset()
	const id = "faulty-cast"
	if err := f.Update(ctx, insert(id)); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if w, c := f.Counts(); w != 1 || c != 2 {
		t.Errorf("Counts() = %d writes, %d calls; want 1 and 2", w, c)
	}
	f.Arm(FailNotPersist, 1)
	if _, err := f.Cast(ctx, tokenHash(id, 0), ballotFor(id, 0)); !errors.Is(err, ErrInjected) {
		t.Errorf("Cast with FailNotPersist = %v, want the injected failure", err)
	}
	if st := tokenState(t, f.Inner(), tokenHash(id, 0)); st != ballot.TokenIssued {
		t.Errorf("after an unpersisted Cast the card is in state %d, want issued", st)
	}
	f.Arm(FailButPersist, 1)
	if _, err := f.Cast(ctx, tokenHash(id, 0), ballotFor(id, 0)); !errors.Is(err, ErrInjected) {
		t.Errorf("Cast with FailButPersist = %v, want the injected failure", err)
	}
	if st := tokenState(t, f.Inner(), tokenHash(id, 0)); st != ballot.TokenUsed || ballotCount(t, f.Inner(), id) != 1 {
		t.Errorf("after a persisted Cast the card is in state %d with %d ballots, want used and 1", st, ballotCount(t, f.Inner(), id))
	}
	f.Reset()
	if _, err := f.Cast(ctx, tokenHash(id, 0), ballotFor(id, 1)); !errors.Is(err, ballot.ErrTokenUsed) {
		t.Errorf("Cast again = %v, want ErrTokenUsed", err)
	}
	f.Arm(FailCall, 1)
	if err := f.ForgetOrder(ctx); !errors.Is(err, ErrInjected) {
		t.Errorf("ForgetOrder with FailCall = %v, want the injected failure", err)
	}
	f.Reset()
	if err := f.ForgetOrder(ctx); err != nil || f.Forgotten() != 1 {
		t.Errorf("ForgetOrder = %v with %d forgotten, want nil and 1", err, f.Forgotten())
	}
}
