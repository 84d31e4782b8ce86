package storetest

import (
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

func tokenHashes(t *testing.T, s ballot.Store, id string, st ballot.TokenState) []audit.Hash {
	t.Helper()
	var hs []audit.Hash
	view(t, s, func(tx ballot.Tx) (err error) {
		hs, err = tx.TokenHashes(id, st)
		return err
	})
	return hs
}

func tokenCounts(t *testing.T, s ballot.Store, id string) ballot.TokenCounts {
	t.Helper()
	var c ballot.TokenCounts
	view(t, s, func(tx ballot.Tx) (err error) {
		c, err = tx.TokenCounts(id)
		return err
	})
	return c
}

func testTokens(t *testing.T, s ballot.Store) {
	const id, other = "the-phieu", "the-phieu-khac"
	hashes := setup(t, s, id, ballot.Open, 10)
	otherHashes := setup(t, s, other, ballot.Open, 2)
	for _, h := range hashes {
		view(t, s, func(tx ballot.Tx) error {
			session, st, err := tx.Token(h)
			if err != nil || session != id || st != ballot.TokenIssued {
				t.Errorf("Token(%s) = %q, %d, %v; want %q, issued, nil", h, session, st, err, id)
			}
			return nil
		})
	}
	view(t, s, func(tx ballot.Tx) error {
		_, _, err := tx.Token(tokenHash("never-issued", 0))
		wantErr(t, "Token(unknown)", err, ballot.ErrTokenUnknown)
		if code := ballot.ErrorCode(err); code != ballot.ENotFound {
			t.Errorf("Token(unknown): got code %q, want %q", code, ballot.ENotFound)
		}
		return nil
	})

	// Two used (by casting), two revoked, six issued.
	for i := 0; i < 2; i++ {
		if _, err := s.Cast(ctx, hashes[i], ballotFor(id, i)); err != nil {
			t.Fatalf("Cast: %v", err)
		}
	}
	update(t, s, func(tx ballot.Tx) error {
		if err := tx.RevokeToken(hashes[2]); err != nil {
			return err
		}
		return tx.RevokeToken(hashes[3])
	})
	want := ballot.TokenCounts{Issued: 10, Used: 2, Revoked: 2}
	if got := tokenCounts(t, s, id); got != want {
		t.Errorf("TokenCounts() = %+v, want %+v", got, want)
	}
	if got := tokenCounts(t, s, id).Remaining(); got != 6 {
		t.Errorf("TokenCounts().Remaining() = %d, want 6", got)
	}
	if got, want := tokenCounts(t, s, other), (ballot.TokenCounts{Issued: 2}); got != want {
		t.Errorf("TokenCounts(other session) = %+v, want %+v", got, want)
	}

	for _, tc := range []struct {
		st   ballot.TokenState
		want []audit.Hash
	}{
		{ballot.TokenIssued, sortedHashes(hashes[4:])},
		{ballot.TokenUsed, sortedHashes(hashes[:2])},
		{ballot.TokenRevoked, sortedHashes(hashes[2:4])},
	} {
		if got := tokenHashes(t, s, id, tc.st); !equalLists(got, tc.want) {
			t.Errorf("TokenHashes(state %d) = %x, want sorted %x", tc.st, got, tc.want)
		}
	}
	if got := tokenHashes(t, s, other, ballot.TokenIssued); !equalLists(got, sortedHashes(otherHashes)) {
		t.Errorf("TokenHashes(other session) = %x, want %x", got, sortedHashes(otherHashes))
	}

	// A hash can be issued only once.
	err := s.Update(ctx, func(tx ballot.Tx) error { return tx.InsertTokens(other, hashes[4:5]) })
	if err == nil {
		t.Errorf("InsertTokens(hash already issued): got nil error, want one")
	}
	if got := tokenCounts(t, s, other); got.Issued != 2 {
		t.Errorf("after a refused InsertTokens: Issued = %d, want 2", got.Issued)
	}
}

// testRevokeToken checks that only an issued, unused token can be revoked,
// and that a refused revocation changes nothing.
func testRevokeToken(t *testing.T, s ballot.Store) {
	const id = "thu-hoi"
	hashes := setup(t, s, id, ballot.Open, 3)
	if _, err := s.Cast(ctx, hashes[1], ballotFor(id, 1)); err != nil {
		t.Fatalf("Cast: %v", err)
	}
	update(t, s, func(tx ballot.Tx) error { return tx.RevokeToken(hashes[0]) })
	if got := tokenState(t, s, hashes[0]); got != ballot.TokenRevoked {
		t.Errorf("after RevokeToken: state %d, want revoked", got)
	}

	for _, tc := range []struct {
		name  string
		hash  audit.Hash
		want  error
		state ballot.TokenState
	}{
		{"revoked", hashes[0], ballot.ErrTokenRevoked, ballot.TokenRevoked},
		{"used", hashes[1], ballot.ErrTokenUsed, ballot.TokenUsed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			update(t, s, func(tx ballot.Tx) error {
				wantErr(t, "RevokeToken", tx.RevokeToken(tc.hash), tc.want)
				return nil
			})
			if got := tokenState(t, s, tc.hash); got != tc.state {
				t.Errorf("after a refused RevokeToken: state %d, want %d", got, tc.state)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		err := s.Update(ctx, func(tx ballot.Tx) error { return tx.RevokeToken(tokenHash("never-issued", 0)) })
		wantErr(t, "RevokeToken(unknown)", err, ballot.ErrTokenUnknown)
	})
	if got, want := tokenCounts(t, s, id), (ballot.TokenCounts{Issued: 3, Used: 1, Revoked: 1}); got != want {
		t.Errorf("TokenCounts() = %+v, want %+v", got, want)
	}
}
