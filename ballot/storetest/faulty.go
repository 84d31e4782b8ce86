package storetest

import (
	"context"
	"fmt"
	"sync"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// Fault is a failure that Faulty injects on purpose.
type Fault int

// The faults Faulty can inject. FailNotPersist and FailButPersist strike a
// write (an Update or a Cast) at its commit; FailCall strikes one call.
const (
	// FailNotPersist fails a write at its commit and writes nothing, as a
	// full disk or a lost lock does: the inner transaction rolls back.
	FailNotPersist Fault = iota + 1
	// FailButPersist commits a write in the inner store, then reports that
	// it failed, as when the disk wrote the commit but the answer of the
	// fsync, or the connection carrying it, was lost. The caller cannot
	// tell it from FailNotPersist; only what it does next can be safe.
	FailButPersist
	// FailCall fails one call — a Tx method, a Cast or a ForgetOrder —
	// before it reaches the inner store, as a statement that hits a bad
	// sector does. The transaction it belongs to is rolled back even if
	// the function given to Update ignores the error, as SQLite does with
	// a statement that ended its transaction.
	FailCall
)

// String names the fault for test names and messages.
func (f Fault) String() string {
	switch f {
	case FailNotPersist:
		return "fail-not-persist"
	case FailButPersist:
		return "fail-but-persist"
	case FailCall:
		return "fail-call"
	}
	return fmt.Sprintf("fault(%d)", int(f))
}

// ErrInjected matches, with errors.Is, every error Faulty injects. Like any
// store failure of the Store contract, each one is an *ballot.Error with
// code EInternal whose message names the operation.
var ErrInjected = &ballot.Error{Code: ballot.EInternal, Key: "injected_fault", Message: "injected fault"}

func injected(op string, f Fault) error {
	return &ballot.Error{Code: ErrInjected.Code, Key: ErrInjected.Key,
		Message: fmt.Sprintf("failed to %s: injected fault (%s)", op, f)}
}

// Faulty is a ballot.Store that passes everything to another store and, when
// armed, fails exactly one operation on purpose, so that the callers' error
// paths can be tested on a real store without killing a process or filling
// a disk. Positions are counted from the moment it is armed: writes are
// Updates and Casts, calls are Tx methods (in Updates and Views alike),
// Casts and ForgetOrders. It is safe for concurrent use; the position of an
// operation is then the order in which it reached Faulty.
type Faulty struct {
	inner ballot.Store

	mu        sync.Mutex
	fault     Fault
	at        int    // the position to strike; 0 when disarmed
	writes    int    // writes seen since the last Arm or Reset
	calls     int    // calls seen since the last Arm or Reset
	fired     string // what was struck, "" if nothing yet
	swallowed []string
	forgets   int // ForgetOrder calls that reached the inner store and succeeded
}

// NewFaulty returns a disarmed Faulty over inner.
func NewFaulty(inner ballot.Store) *Faulty { return &Faulty{inner: inner} }

// Inner returns the wrapped store, for reading what really was persisted
// without moving Faulty's counters.
func (f *Faulty) Inner() ballot.Store { return f.inner }

// Arm makes the n-th write (for FailNotPersist and FailButPersist) or the
// n-th call (for FailCall) from now on fail, once, and restarts the counts.
func (f *Faulty) Arm(fault Fault, n int) {
	if n < 1 || fault < FailNotPersist || fault > FailCall {
		panic(fmt.Sprintf("storetest: Arm(%v, %d): no such fault or position", fault, n))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fault, f.at, f.writes, f.calls, f.fired, f.swallowed = fault, n, 0, 0, "", nil
}

// Reset disarms Faulty and restarts the counts, so that a run without
// faults can measure how many writes and calls an operation makes.
func (f *Faulty) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fault, f.at, f.writes, f.calls, f.fired, f.swallowed = 0, 0, 0, 0, "", nil
}

// Counts returns the writes and calls made since the last Arm or Reset.
func (f *Faulty) Counts() (writes, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes, f.calls
}

// Fired returns what the armed fault struck, e.g. "commit of Update" or
// "AppendAudit", or "" if the position was not reached.
func (f *Faulty) Fired() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// Swallowed lists the failed Tx methods whose error the function given to
// Update or View did not return: a caller that carries on after a failed
// statement acts on something that did not happen.
func (f *Faulty) Swallowed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.swallowed...)
}

// Forgotten returns how many ForgetOrder calls reached the inner store and
// succeeded since NewFaulty.
func (f *Faulty) Forgotten() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.forgets
}

// nextWrite counts a write and returns the commit fault to apply to it.
func (f *Faulty) nextWrite(op string) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if f.at != 0 && f.fired == "" && f.fault != FailCall && f.writes == f.at {
		f.fired = "commit of " + op
		return f.fault
	}
	return 0
}

// nextCall counts a call and returns an error if it is the one to fail.
func (f *Faulty) nextCall(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.at != 0 && f.fired == "" && f.fault == FailCall && f.calls == f.at {
		f.fired = op
		return injected(op, FailCall)
	}
	return nil
}

func (f *Faulty) swallow(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.swallowed = append(f.swallowed, op)
}

// Update runs fn through the inner store's Update, applying an armed fault.
func (f *Faulty) Update(ctx context.Context, fn func(ballot.Tx) error) error {
	fault := f.nextWrite("Update")
	var t *faultyTx
	err := f.inner.Update(ctx, func(tx ballot.Tx) error {
		t = &faultyTx{f: f, inner: tx}
		if err := fn(t); err != nil {
			return err
		}
		if t.failed != nil {
			f.swallow(t.failedOp)
			return t.failed
		}
		if fault == FailNotPersist {
			return injected("commit transaction", fault)
		}
		return nil
	})
	if t != nil {
		t.end()
	}
	if err == nil && fault == FailButPersist {
		return injected("commit transaction", fault)
	}
	return err
}

// View runs fn through the inner store's View; a FailCall fault may strike
// one of its reads.
func (f *Faulty) View(ctx context.Context, fn func(ballot.Tx) error) error {
	var t *faultyTx
	err := f.inner.View(ctx, func(tx ballot.Tx) error {
		t = &faultyTx{f: f, inner: tx}
		if err := fn(t); err != nil {
			return err
		}
		if t.failed != nil {
			f.swallow(t.failedOp)
			return t.failed
		}
		return nil
	})
	if t != nil {
		t.end()
	}
	return err
}

// Cast is one write and one call: FailCall and FailNotPersist refuse it
// before it reaches the inner store; FailButPersist lets the inner store
// record it and then reports a failure.
func (f *Faulty) Cast(ctx context.Context, tokenHash audit.Hash, b ballot.Ballot) (string, error) {
	fault := f.nextWrite("Cast")
	if err := f.nextCall("Cast"); err != nil {
		return "", err
	}
	if fault == FailNotPersist {
		return "", injected("cast", fault)
	}
	session, err := f.inner.Cast(ctx, tokenHash, b)
	if err == nil && fault == FailButPersist {
		return "", injected("cast", fault)
	}
	return session, err
}

// ForgetOrder is one call; FailCall makes it fail without reaching the
// inner store.
func (f *Faulty) ForgetOrder(ctx context.Context) error {
	if err := f.nextCall("ForgetOrder"); err != nil {
		return err
	}
	if err := f.inner.ForgetOrder(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	f.forgets++
	f.mu.Unlock()
	return nil
}

// Close closes the inner store; it is never failed on purpose.
func (f *Faulty) Close() error { return f.inner.Close() }

var _ ballot.Store = (*Faulty)(nil)

// faultyTx counts every call of one transaction and remembers the first
// injected failure, which dooms the transaction.
type faultyTx struct {
	f        *Faulty
	inner    ballot.Tx
	mu       sync.Mutex
	failed   error
	failedOp string
	ended    bool
}

func (t *faultyTx) call(op string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended {
		// The inner Tx refuses too, but say clearly whose mistake it is.
		return ballot.Errorf(ballot.EInternal, "failed to %s: the transaction has ended", op)
	}
	if err := t.f.nextCall(op); err != nil {
		if t.failed == nil {
			t.failed, t.failedOp = err, op
		}
		return err
	}
	return nil
}

func (t *faultyTx) end() {
	t.mu.Lock()
	t.ended = true
	t.mu.Unlock()
}

func (t *faultyTx) InsertSession(s *ballot.Session) error {
	if err := t.call("InsertSession"); err != nil {
		return err
	}
	return t.inner.InsertSession(s)
}

func (t *faultyTx) Session(id string) (*ballot.Session, error) {
	if err := t.call("Session"); err != nil {
		return nil, err
	}
	return t.inner.Session(id)
}

func (t *faultyTx) Sessions() ([]ballot.Session, error) {
	if err := t.call("Sessions"); err != nil {
		return nil, err
	}
	return t.inner.Sessions()
}

func (t *faultyTx) UpdateSession(s *ballot.Session) error {
	if err := t.call("UpdateSession"); err != nil {
		return err
	}
	return t.inner.UpdateSession(s)
}

func (t *faultyTx) ReplaceMembers(session string, ms []ballot.Member) error {
	if err := t.call("ReplaceMembers"); err != nil {
		return err
	}
	return t.inner.ReplaceMembers(session, ms)
}

func (t *faultyTx) Members(session string) ([]ballot.Member, error) {
	if err := t.call("Members"); err != nil {
		return nil, err
	}
	return t.inner.Members(session)
}

func (t *faultyTx) SetPresent(session string, names []string) error {
	if err := t.call("SetPresent"); err != nil {
		return err
	}
	return t.inner.SetPresent(session, names)
}

func (t *faultyTx) SetAbsent(session string, names []string) error {
	if err := t.call("SetAbsent"); err != nil {
		return err
	}
	return t.inner.SetAbsent(session, names)
}

func (t *faultyTx) ReplaceCadres(session string, cs []ballot.Cadre) error {
	if err := t.call("ReplaceCadres"); err != nil {
		return err
	}
	return t.inner.ReplaceCadres(session, cs)
}

func (t *faultyTx) Cadres(session string) ([]ballot.Cadre, error) {
	if err := t.call("Cadres"); err != nil {
		return nil, err
	}
	return t.inner.Cadres(session)
}

func (t *faultyTx) InsertTokens(session string, hashes []audit.Hash) error {
	if err := t.call("InsertTokens"); err != nil {
		return err
	}
	return t.inner.InsertTokens(session, hashes)
}

func (t *faultyTx) Token(h audit.Hash) (string, ballot.TokenState, error) {
	if err := t.call("Token"); err != nil {
		return "", 0, err
	}
	return t.inner.Token(h)
}

func (t *faultyTx) RevokeToken(h audit.Hash) error {
	if err := t.call("RevokeToken"); err != nil {
		return err
	}
	return t.inner.RevokeToken(h)
}

func (t *faultyTx) TokenCounts(session string) (ballot.TokenCounts, error) {
	if err := t.call("TokenCounts"); err != nil {
		return ballot.TokenCounts{}, err
	}
	return t.inner.TokenCounts(session)
}

func (t *faultyTx) TokenHashes(session string, st ballot.TokenState) ([]audit.Hash, error) {
	if err := t.call("TokenHashes"); err != nil {
		return nil, err
	}
	return t.inner.TokenHashes(session, st)
}

func (t *faultyTx) Ballots(session string) ([]ballot.Ballot, error) {
	if err := t.call("Ballots"); err != nil {
		return nil, err
	}
	return t.inner.Ballots(session)
}

func (t *faultyTx) BallotCount(session string) (int, error) {
	if err := t.call("BallotCount"); err != nil {
		return 0, err
	}
	return t.inner.BallotCount(session)
}

func (t *faultyTx) AuditHead(session string) (audit.Head, error) {
	if err := t.call("AuditHead"); err != nil {
		return audit.Head{}, err
	}
	return t.inner.AuditHead(session)
}

func (t *faultyTx) AppendAudit(e *audit.Entry) error {
	if err := t.call("AppendAudit"); err != nil {
		return err
	}
	return t.inner.AppendAudit(e)
}

func (t *faultyTx) AuditEntries(session string, from, to uint64) ([]audit.Entry, error) {
	if err := t.call("AuditEntries"); err != nil {
		return nil, err
	}
	return t.inner.AuditEntries(session, from, to)
}

func (t *faultyTx) AuditSessions() ([]string, error) {
	if err := t.call("AuditSessions"); err != nil {
		return nil, err
	}
	return t.inner.AuditSessions()
}

func (t *faultyTx) InsertCheckpoint(session string, c ballot.StoredCheckpoint) error {
	if err := t.call("InsertCheckpoint"); err != nil {
		return err
	}
	return t.inner.InsertCheckpoint(session, c)
}

func (t *faultyTx) Checkpoints(session string) ([]ballot.StoredCheckpoint, error) {
	if err := t.call("Checkpoints"); err != nil {
		return nil, err
	}
	return t.inner.Checkpoints(session)
}

func (t *faultyTx) PutDocument(session string, d ballot.Document) error {
	if err := t.call("PutDocument"); err != nil {
		return err
	}
	return t.inner.PutDocument(session, d)
}

func (t *faultyTx) Documents(session string) ([]ballot.Document, error) {
	if err := t.call("Documents"); err != nil {
		return nil, err
	}
	return t.inner.Documents(session)
}

func (t *faultyTx) InsertOrganisation(o ballot.Organisation) error {
	if err := t.call("InsertOrganisation"); err != nil {
		return err
	}
	return t.inner.InsertOrganisation(o)
}

func (t *faultyTx) Organisation(name string) (*ballot.Organisation, error) {
	if err := t.call("Organisation"); err != nil {
		return nil, err
	}
	return t.inner.Organisation(name)
}

func (t *faultyTx) Organisations() ([]ballot.Organisation, error) {
	if err := t.call("Organisations"); err != nil {
		return nil, err
	}
	return t.inner.Organisations()
}

func (t *faultyTx) InsertAccount(a *ballot.Account) error {
	if err := t.call("InsertAccount"); err != nil {
		return err
	}
	return t.inner.InsertAccount(a)
}

func (t *faultyTx) Account(name string) (*ballot.Account, error) {
	if err := t.call("Account"); err != nil {
		return nil, err
	}
	return t.inner.Account(name)
}

func (t *faultyTx) Accounts() ([]ballot.Account, error) {
	if err := t.call("Accounts"); err != nil {
		return nil, err
	}
	return t.inner.Accounts()
}

func (t *faultyTx) ForgetBallotOrder() error {
	if err := t.call("ForgetBallotOrder"); err != nil {
		return err
	}
	return t.inner.ForgetBallotOrder()
}
