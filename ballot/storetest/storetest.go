// Package storetest checks an implementation of ballot.Store against the
// contract written on that interface: atomicity of Update, the error codes
// of missing things, the order of every list, the rules of casting, one
// ballot per token under concurrency, that rewriting the ballot pool keeps
// every ballot, and the shape of the audit chain.
//
// Every implementation runs Run from its own tests, so that the service can
// rely on the contract rather than on one implementation's habits.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

// Run checks the Store contract. It calls open once per subtest; open must
// return a new, empty store, and must not close it: Run closes each store
// when its subtest ends and reports an error from Close as a failure. The
// subtests do not run in parallel with each other, but several of them
// call the store from many goroutines at once.
func Run(t *testing.T, open func(t *testing.T) ballot.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s ballot.Store)
	}{
		{"Sessions", testSessions},
		{"UpdateAtomicNewSession", testAtomicNewSession},
		{"UpdateAtomicExistingSession", testAtomicExistingSession},
		{"ViewReadOnly", testViewReadOnly},
		{"ViewSnapshot", testViewSnapshot},
		{"Members", testMembers},
		{"SetPresentUnknownName", testSetPresentUnknown},
		{"SetAbsent", testSetAbsent},
		{"Cadres", testCadres},
		{"Tokens", testTokens},
		{"RevokeToken", testRevokeToken},
		{"Cast", testCast},
		{"CastRefusedChangesNothing", testCastRefused},
		{"CastConcurrentOneToken", testCastConcurrentOneToken},
		{"CastConcurrentManyTokens", testCastConcurrentMany},
		{"BallotsOrder", testBallotsOrder},
		{"ForgetBallotOrder", testForgetBallotOrder},
		{"AuditChain", testAuditChain},
		{"AuditRejectsNonHead", testAuditRejects},
		{"AuditEntriesRange", testAuditEntriesRange},
		{"AuditSessions", testAuditSessions},
		{"Checkpoints", testCheckpoints},
		{"Documents", testDocuments},
		{"MissingSession", testMissingSession},
		{"Organisations", testOrganisations},
		{"Accounts", testAccounts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

var ctx = context.Background()

// errRefused is what test functions return to make Update roll back.
var errRefused = errors.New("storetest: refused on purpose")

func newSession(id string, st ballot.State) *ballot.Session {
	return &ballot.Session{
		ID: id, Org: "Đảng ủy Khối Cơ quan", Title: "Lấy phiếu tín nhiệm năm 2026",
		Body: "Ban Chấp hành Đảng bộ Khối", Date: "2026-11-22", Place: "Hội trường tầng 3",
		Rules: ballot.QD96, State: st, Committee: []string{"Trần Thị Bình", "Lê Văn Cường"},
		CommitteeHead: "Lê Văn Cường", Chair: "Nguyễn Văn An", Secretary: "Phạm Thị Dung",
	}
}

// roster is deliberately not in alphabetical order, so that a store which
// sorts instead of keeping import order fails.
var roster = []ballot.Member{
	{Name: "Nguyễn Văn Xuân", Position: "Bí thư", Unit: "Văn phòng"},
	{Name: "Đỗ Thị Hoa", Position: "Phó Bí thư", Unit: "Ban Tổ chức"},
	{Name: "Bùi Minh An", Position: "Ủy viên", Unit: "Ban Tuyên giáo"},
	{Name: "Phạm Quốc Tuấn", Position: "Ủy viên", Unit: "Ủy ban Kiểm tra"},
}

var cadres = []ballot.Cadre{
	{ID: "c1", Name: "Nguyễn Văn Xuân", Position: "Bí thư"},
	{ID: "c3", Name: "Đỗ Thị Hoa", Position: "Phó Bí thư"},
	{ID: "c2", Name: "Bùi Minh An", Position: "Ủy viên Ban Thường vụ"},
}

// tokenHash returns a distinct, reproducible token hash.
func tokenHash(label string, i int) audit.Hash {
	return ballot.HashToken(fmt.Sprintf("STORETEST%s%023d", label, i))
}

// ballotFor returns a ballot whose ID is 32 hex digits derived from label
// and i, so that IDs are unrelated to the order in which tests cast them.
func ballotFor(label string, i int) ballot.Ballot {
	id := audit.Sum([]byte(fmt.Sprintf("ballot %s %d", label, i))).String()[:32]
	return ballot.Ballot{ID: id, Marks: "HN-"}
}

// setup creates a session in state st with the roster, cadres and n tokens,
// and returns the token hashes.
func setup(t *testing.T, s ballot.Store, id string, st ballot.State, n int) []audit.Hash {
	t.Helper()
	hashes := make([]audit.Hash, n)
	for i := range hashes {
		hashes[i] = tokenHash(id, i)
	}
	update(t, s, func(tx ballot.Tx) error {
		if err := tx.InsertSession(newSession(id, st)); err != nil {
			return err
		}
		if err := tx.ReplaceMembers(id, roster); err != nil {
			return err
		}
		if err := tx.ReplaceCadres(id, cadres); err != nil {
			return err
		}
		return tx.InsertTokens(id, hashes)
	})
	return hashes
}

// setState moves a session to st, as the service would after its checks.
func setState(t *testing.T, s ballot.Store, id string, st ballot.State) {
	t.Helper()
	update(t, s, func(tx ballot.Tx) error {
		sess, err := tx.Session(id)
		if err != nil {
			return err
		}
		sess.State = st
		return tx.UpdateSession(sess)
	})
}

func update(t *testing.T, s ballot.Store, fn func(ballot.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s ballot.Store, fn func(ballot.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantErr fails unless errors.Is(err, want).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

// tokenState returns a token's state as a committed read sees it.
func tokenState(t *testing.T, s ballot.Store, h audit.Hash) ballot.TokenState {
	t.Helper()
	var st ballot.TokenState
	view(t, s, func(tx ballot.Tx) (err error) {
		_, st, err = tx.Token(h)
		return err
	})
	return st
}

func ballotCount(t *testing.T, s ballot.Store, session string) int {
	t.Helper()
	var n int
	view(t, s, func(tx ballot.Tx) (err error) {
		n, err = tx.BallotCount(session)
		return err
	})
	return n
}

func ballots(t *testing.T, s ballot.Store, session string) []ballot.Ballot {
	t.Helper()
	var bs []ballot.Ballot
	view(t, s, func(tx ballot.Tx) (err error) {
		bs, err = tx.Ballots(session)
		return err
	})
	return bs
}

// sameSession compares sessions, treating a nil and an empty committee as
// equal: the contract does not say which one a store returns.
func sameSession(a, b *ballot.Session) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	if len(x.Committee) == 0 && len(y.Committee) == 0 {
		x.Committee, y.Committee = nil, nil
	}
	return reflect.DeepEqual(x, y)
}

func sortedHashes(hs []audit.Hash) []audit.Hash {
	out := append([]audit.Hash(nil), hs...)
	sort.Slice(out, func(i, j int) bool { return string(out[i][:]) < string(out[j][:]) })
	return out
}

// equalLists compares two lists, treating nil and empty as equal.
func equalLists[T any](a, b []T) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}
