package storetest

import (
	"fmt"
	"testing"

	"tinnhiem/ballot"
)

func members(t *testing.T, s ballot.Store, id string) []ballot.Member {
	t.Helper()
	var ms []ballot.Member
	view(t, s, func(tx ballot.Tx) (err error) {
		ms, err = tx.Members(id)
		return err
	})
	return ms
}

// present returns the roster with the named members marked present.
func present(names ...string) []ballot.Member {
	want := append([]ballot.Member(nil), roster...)
	for i := range want {
		for _, n := range names {
			if want[i].Name == n {
				want[i].Present = true
			}
		}
	}
	return want
}

func testMembers(t *testing.T, s ballot.Store) {
	const id = "danh-sach"
	setup(t, s, id, ballot.Draft, 0)
	if got := members(t, s, id); !equalLists(got, roster) {
		t.Errorf("Members() = %+v, want the roster in import order %+v", got, roster)
	}

	update(t, s, func(tx ballot.Tx) error { return tx.SetPresent(id, []string{roster[1].Name, roster[3].Name}) })
	if got, want := members(t, s, id), present(roster[1].Name, roster[3].Name); !equalLists(got, want) {
		t.Errorf("after SetPresent: Members() = %+v, want %+v", got, want)
	}
	// Marking a present member again changes nothing.
	update(t, s, func(tx ballot.Tx) error { return tx.SetPresent(id, []string{roster[1].Name}) })
	if got, want := members(t, s, id), present(roster[1].Name, roster[3].Name); !equalLists(got, want) {
		t.Errorf("after SetPresent twice: Members() = %+v, want %+v", got, want)
	}

	// Replacing the roster clears attendance, whatever the input says.
	replaced := []ballot.Member{
		{Name: "Vũ Thị Lan", Position: "Ủy viên", Unit: "Văn phòng", Present: true},
		roster[2],
	}
	update(t, s, func(tx ballot.Tx) error { return tx.ReplaceMembers(id, replaced) })
	want := append([]ballot.Member(nil), replaced...)
	want[0].Present = false
	if got := members(t, s, id); !equalLists(got, want) {
		t.Errorf("after ReplaceMembers: Members() = %+v, want %+v", got, want)
	}

	update(t, s, func(tx ballot.Tx) error { return tx.ReplaceMembers(id, nil) })
	if got := members(t, s, id); len(got) != 0 {
		t.Errorf("after ReplaceMembers(nil): Members() = %+v, want none", got)
	}
}

// testSetPresentUnknown commits an Update in which SetPresent failed, so
// that only SetPresent's own guarantee is tested: nothing changed.
func testSetPresentUnknown(t *testing.T, s ballot.Store) {
	const id = "diem-danh"
	setup(t, s, id, ballot.Draft, 0)
	update(t, s, func(tx ballot.Tx) error { return tx.SetPresent(id, []string{roster[0].Name}) })
	update(t, s, func(tx ballot.Tx) error {
		err := tx.SetPresent(id, []string{roster[2].Name, "Người Lạ", roster[3].Name})
		wantErr(t, "SetPresent with a name not on the roster", err, ballot.ErrNotFound)
		return nil
	})
	if got, want := members(t, s, id), present(roster[0].Name); !equalLists(got, want) {
		t.Errorf("after a failed SetPresent: Members() = %+v, want %+v", got, want)
	}
}

// testSetAbsent marks members present and then absent; a name not on the
// roster or not present refuses the whole call, which changes nothing.
func testSetAbsent(t *testing.T, s ballot.Store) {
	const id = "ra-ve"
	setup(t, s, id, ballot.Draft, 0)
	update(t, s, func(tx ballot.Tx) error {
		return tx.SetPresent(id, []string{roster[0].Name, roster[1].Name, roster[2].Name})
	})
	update(t, s, func(tx ballot.Tx) error { return tx.SetAbsent(id, []string{roster[1].Name}) })
	if got, want := members(t, s, id), present(roster[0].Name, roster[2].Name); !equalLists(got, want) {
		t.Errorf("after SetAbsent: Members() = %+v, want %+v", got, want)
	}
	for _, names := range [][]string{{roster[0].Name, "Người Lạ"}, {roster[2].Name, roster[1].Name}} {
		update(t, s, func(tx ballot.Tx) error {
			err := tx.SetAbsent(id, names)
			wantErr(t, fmt.Sprintf("SetAbsent(%q)", names), err, ballot.ErrNotFound)
			return nil
		})
	}
	if got, want := members(t, s, id), present(roster[0].Name, roster[2].Name); !equalLists(got, want) {
		t.Errorf("after a failed SetAbsent: Members() = %+v, want %+v", got, want)
	}
}

func testCadres(t *testing.T, s ballot.Store) {
	const id = "can-bo"
	setup(t, s, id, ballot.Draft, 0)
	read := func() []ballot.Cadre {
		var cs []ballot.Cadre
		view(t, s, func(tx ballot.Tx) (err error) {
			cs, err = tx.Cadres(id)
			return err
		})
		return cs
	}
	if got := read(); !equalLists(got, cadres) {
		t.Errorf("Cadres() = %+v, want the given order %+v", got, cadres)
	}
	replaced := []ballot.Cadre{cadres[2], {ID: "c9", Name: "Lý Thị Mai", Position: "Chánh Văn phòng"}, cadres[0]}
	update(t, s, func(tx ballot.Tx) error { return tx.ReplaceCadres(id, replaced) })
	if got := read(); !equalLists(got, replaced) {
		t.Errorf("after ReplaceCadres: Cadres() = %+v, want %+v", got, replaced)
	}
	// Another session's cadres are its own.
	setup(t, s, "can-bo-khac", ballot.Draft, 0)
	if got := read(); !equalLists(got, replaced) {
		t.Errorf("after another session was set up: Cadres() = %+v, want %+v", got, replaced)
	}
}
