package storetest

import (
	"errors"
	"slices"
	"testing"

	"tinnhiem/ballot"
)

// A syntactically valid argon2id string; the store keeps it byte for byte
// and never checks a password.
const testHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func orgNames(os []ballot.Organisation) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Name)
	}
	return out
}

// testOrganisations checks the default organisation, insertion, conflicts
// and that inserting a session registers its organisation.
func testOrganisations(t *testing.T, s ballot.Store) {
	view(t, s, func(tx ballot.Tx) error {
		os, err := tx.Organisations()
		if err != nil {
			return err
		}
		if got, want := orgNames(os), []string{ballot.DefaultOrg}; !slices.Equal(got, want) {
			t.Errorf("new store: Organisations() = %q, want %q (the default organisation)", got, want)
		}
		_, err = tx.Organisation("Chi bộ Không Có")
		wantErr(t, "Organisation(unknown)", err, ballot.ErrNotFound)
		return nil
	})
	update(t, s, func(tx ballot.Tx) error {
		return tx.InsertOrganisation(ballot.Organisation{Name: "Đảng bộ Phường Một"})
	})
	err := s.Update(ctx, func(tx ballot.Tx) error {
		return tx.InsertOrganisation(ballot.Organisation{Name: "Đảng bộ Phường Một"})
	})
	if got, want := ballot.ErrorCode(err), ballot.EConflict; got != want {
		t.Errorf("InsertOrganisation(existing): code %q (%v), want %q", got, err, want)
	}
	setup(t, s, "sess-org", ballot.Draft, 1) // newSession's Org is "Đảng ủy Khối Cơ quan"
	view(t, s, func(tx ballot.Tx) error {
		os, err := tx.Organisations()
		if err != nil {
			return err
		}
		want := []string{"", "Đảng bộ Phường Một", "Đảng ủy Khối Cơ quan"}
		if got := orgNames(os); !slices.Equal(got, want) {
			t.Errorf("Organisations() = %q, want %q", got, want)
		}
		o, err := tx.Organisation("Đảng ủy Khối Cơ quan")
		if err != nil || o.Name != "Đảng ủy Khối Cơ quan" {
			t.Errorf("Organisation(session's org) = %+v, %v; want it registered by InsertSession", o, err)
		}
		return nil
	})
}

// testAccounts checks that accounts round-trip with sorted scopes, that
// names are unique, and that a scope naming a missing organisation or
// session leaves nothing behind.
func testAccounts(t *testing.T, s ballot.Store) {
	setup(t, s, "sess-b", ballot.Draft, 1)
	setup(t, s, "sess-a", ballot.Draft, 1)
	update(t, s, func(tx ballot.Tx) error { return tx.InsertOrganisation(ballot.Organisation{Name: "Chi bộ B"}) })
	accounts := []ballot.Account{
		{Name: "root", Role: ballot.RoleAdmin, PasswordHash: testHash},
		{Name: "lan", Role: ballot.RoleOrganiser, PasswordHash: testHash, Orgs: []string{"Chi bộ B", "Đảng ủy Khối Cơ quan"}},
		{Name: "kiem.tra", Role: ballot.RoleInspector, PasswordHash: testHash, Sessions: []string{"sess-a", "sess-b"}},
	}
	for i := range accounts {
		update(t, s, func(tx ballot.Tx) error { return tx.InsertAccount(&accounts[i]) })
	}
	view(t, s, func(tx ballot.Tx) error {
		for _, want := range accounts {
			got, err := tx.Account(want.Name)
			if err != nil {
				t.Errorf("Account(%q): %v", want.Name, err)
				continue
			}
			if got.Name != want.Name || got.Role != want.Role || got.PasswordHash != want.PasswordHash ||
				!equalLists(got.Orgs, want.Orgs) || !equalLists(got.Sessions, want.Sessions) {
				t.Errorf("Account(%q) = %+v, want %+v", want.Name, got, want)
			}
		}
		all, err := tx.Accounts()
		if err != nil {
			return err
		}
		var names []string
		for _, a := range all {
			names = append(names, a.Name)
		}
		if want := []string{"kiem.tra", "lan", "root"}; !slices.Equal(names, want) {
			t.Errorf("Accounts() names = %q, want %q", names, want)
		}
		_, err = tx.Account("nobody")
		wantErr(t, "Account(unknown)", err, ballot.ErrNotFound)
		return nil
	})

	dup := ballot.Account{Name: "lan", Role: ballot.RoleAdmin, PasswordHash: testHash}
	err := s.Update(ctx, func(tx ballot.Tx) error { return tx.InsertAccount(&dup) })
	if got, want := ballot.ErrorCode(err), ballot.EConflict; got != want {
		t.Errorf("InsertAccount(taken name): code %q (%v), want %q", got, err, want)
	}

	for _, bad := range []ballot.Account{
		{Name: "ghost1", Role: ballot.RoleOrganiser, PasswordHash: testHash, Orgs: []string{"Chi bộ B", "Chi bộ Ma"}},
		{Name: "ghost2", Role: ballot.RoleInspector, PasswordHash: testHash, Sessions: []string{"sess-a", "sess-none"}},
	} {
		// The caller carries on after the error and commits: the account
		// must still not exist, with none of its scopes.
		err := s.Update(ctx, func(tx ballot.Tx) error {
			if err := tx.InsertAccount(&bad); !errors.Is(err, ballot.ErrNotFound) {
				t.Errorf("InsertAccount(%s with a missing scope): got %v, want ErrNotFound", bad.Name, err)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		view(t, s, func(tx ballot.Tx) error {
			_, err := tx.Account(bad.Name)
			wantErr(t, "Account("+bad.Name+") after a refused insert", err, ballot.ErrNotFound)
			return nil
		})
	}
}
