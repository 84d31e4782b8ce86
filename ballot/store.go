package ballot

import (
	"context"

	"tinnhiem/audit"
)

// TokenState is the life of one card: issued, then used or revoked, never
// back.
type TokenState int

// The token states.
const (
	TokenIssued  TokenState = 0
	TokenUsed    TokenState = 1
	TokenRevoked TokenState = 2
)

// TokenCounts summarises a session's cards. It is all the turnout display
// may know: never which card, never what was chosen.
type TokenCounts struct {
	Issued  int // all cards ever issued, revoked included
	Used    int
	Revoked int
}

// Remaining returns the cards issued, not revoked and not yet used.
func (c TokenCounts) Remaining() int { return c.Issued - c.Used - c.Revoked }

// Valid returns ballots issued in DOMAIN.md's sense: cards not revoked.
func (c TokenCounts) Valid() int { return c.Issued - c.Revoked }

// StoredCheckpoint is a signed checkpoint note as kept by the store.
type StoredCheckpoint struct {
	Size uint64
	Note []byte
}

// Store persists sessions, their audit logs and the ballot pool.
//
// Contract, which every implementation must meet and storetest checks:
//
//   - Atomicity: Update runs fn in one transaction. If fn or the commit
//     fails, nothing fn wrote is visible, ever, to anyone. Transactions are
//     serialisable: no two Updates or Casts interleave their effects.
//   - Durability: when Update or Cast returns nil, what it wrote survives a
//     crash of the process or the machine. Neither acknowledges earlier.
//   - Anonymity: the ballot pool keeps no link between a ballot and a token
//     or member, and neither its storage order nor freed space reveals the
//     order of casting; ballots are read back in an order that says nothing
//     about when they were cast.
//   - Errors: a missing session, token or member is ErrNotFound (or the more
//     precise ErrTokenUnknown); every other failure is an *Error with code
//     EInternal whose message names the operation.
type Store interface {
	// Update runs fn in a read-write transaction and commits it durably if
	// fn returns nil.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction with a consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Cast, in one transaction, checks that the session holding the token
	// is open (else ErrNotOpen or ErrClosed), marks the token used if and
	// only if it was issued and unused (else ErrTokenUnknown, ErrTokenUsed
	// or ErrTokenRevoked), and adds b to the session's ballot pool. It
	// returns the session's ID. Of any number of concurrent casts of one
	// token, exactly one succeeds. An implementation may commit several
	// casts together but must not return before b is durable.
	Cast(ctx context.Context, tokenHash audit.Hash, b Ballot) (session string, err error)
	// ForgetOrder erases whatever record the store keeps of the order in
	// which it wrote things — a write-ahead log, a journal — once that order
	// is no longer needed, since such a record could pair each used token
	// with the ballot written in the same commit. The service calls it
	// after a session closes; it must not lose committed data.
	ForgetOrder(ctx context.Context) error
	// Close releases the store; it waits for casts in flight.
	Close() error
}

// Tx is one transaction's view of the store. Its methods are not safe for
// use after the function given to Update or View returns.
type Tx interface {
	InsertSession(s *Session) error
	Session(id string) (*Session, error)
	Sessions() ([]Session, error)
	// UpdateSession rewrites a session's state, committee, committee head,
	// chair and secretary.
	UpdateSession(s *Session) error

	// ReplaceMembers replaces the roster, clearing attendance.
	ReplaceMembers(session string, ms []Member) error
	// Members returns the roster in the order it was imported.
	Members(session string) ([]Member, error)
	// SetPresent marks the named members present; ErrNotFound if a name is
	// not on the roster, in which case nothing changes.
	SetPresent(session string, names []string) error
	// SetAbsent marks the named members no longer present; ErrNotFound if a
	// name is not on the roster or not present, in which case nothing
	// changes.
	SetAbsent(session string, names []string) error

	// ReplaceCadres replaces the cadres, kept in the given order.
	ReplaceCadres(session string, cs []Cadre) error
	Cadres(session string) ([]Cadre, error)

	// InsertTokens adds issued tokens by hash.
	InsertTokens(session string, hashes []audit.Hash) error
	// Token returns the session and state of a token.
	Token(h audit.Hash) (session string, st TokenState, err error)
	// RevokeToken moves an issued, unused token to revoked.
	RevokeToken(h audit.Hash) error
	TokenCounts(session string) (TokenCounts, error)
	// TokenHashes returns the hashes of the session's tokens in state st,
	// sorted ascending.
	TokenHashes(session string, st TokenState) ([]audit.Hash, error)

	// Ballots returns the session's ballot pool in ascending ID order.
	Ballots(session string) ([]Ballot, error)
	BallotCount(session string) (int, error)
	// ForgetBallotOrder rewrites the whole ballot pool, every session's,
	// so that where each ballot is stored follows its ID alone and the
	// space the old copy used is overwritten: afterwards nothing stored
	// says in what order ballots arrived. Ballots, tokens and the other
	// sessions' ability to cast are unchanged. Close calls it inside the
	// closing transaction, so that the rewrite and the close stand or fall
	// together.
	ForgetBallotOrder() error

	// AuditHead returns the head of the session's log.
	AuditHead(session string) (audit.Head, error)
	// AppendAudit appends e, which must follow the current head exactly.
	AppendAudit(e *audit.Entry) error
	// AuditEntries returns entries with from ≤ seq ≤ to (to 0 = all).
	AuditEntries(session string, from, to uint64) ([]audit.Entry, error)
	// AuditSessions lists every session that has a log, for start-up checks.
	AuditSessions() ([]string, error)

	InsertCheckpoint(session string, c StoredCheckpoint) error
	Checkpoints(session string) ([]StoredCheckpoint, error)

	// PutDocument stores an issued document, replacing one of the same name.
	PutDocument(session string, d Document) error
	// Documents returns the session's documents ordered by name.
	Documents(session string) ([]Document, error)

	// InsertOrganisation adds an organisation; a taken name is a conflict.
	InsertOrganisation(o Organisation) error
	// Organisation returns the organisation of that name, or ErrNotFound.
	Organisation(name string) (*Organisation, error)
	// Organisations returns every organisation ordered by name. Every
	// session's Org names one of them: the store registers a session's
	// organisation when the session is inserted.
	Organisations() ([]Organisation, error)
	// InsertAccount adds an account with its scopes, all or nothing; a
	// taken name is a conflict.
	InsertAccount(a *Account) error
	// Account returns one account with its scopes (sorted), or ErrNotFound.
	Account(name string) (*Account, error)
	// Accounts returns every account with its scopes, ordered by name.
	Accounts() ([]Account, error)
}

// Document is a file issued from a session's tally — a report, the minutes,
// the results — with its detached signature. The audit log holds its hash.
type Document struct {
	Name      string
	Data      []byte
	Signature []byte
}
