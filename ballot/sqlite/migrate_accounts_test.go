package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"tinnhiem/ballot"
)

// TestMigrateToAccounts makes a database with the schema of migrations 0001
// and 0002 only, as an earlier tinnhiem wrote it, fills it with sessions of
// no organisation and of a named one, and opens it with this build: the
// sessions must survive, the default organisation and the named one must
// exist, and accounts must work.
func TestMigrateToAccounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite3", dsn(path, writeParams))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:2] {
		if _, err := old.Exec(m.sql); err != nil {
			t.Fatalf("apply %s: %v", m.name, err)
		}
	}
	for _, q := range []string{
		"PRAGMA user_version = 2",
		`INSERT INTO sessions (id, org, title, body, date, place, rules, state) VALUES
			('old-one', '', 'Hội nghị cũ', 'Chi bộ', '2025-01-10', 'Phòng họp', 'qd96', 'closed'),
			('old-two', 'Đảng bộ Xã', 'Hội nghị hai', 'Đảng ủy', '2025-02-10', 'Hội trường', 'nq96', 'draft')`,
		"INSERT INTO members (session_id, pos, name, position, unit) VALUES ('old-two', 0, 'Nguyễn Văn A', '', '')",
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open(old database): %v", err)
	}
	defer s.Close()
	var version int
	if err := s.rdb.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != len(ms) {
		t.Errorf("user_version = %d, want %d", version, len(ms))
	}
	err = s.View(ctx, func(tx ballot.Tx) error {
		sessions, err := tx.Sessions()
		if err != nil {
			return err
		}
		var got []string
		for _, sess := range sessions {
			got = append(got, fmt.Sprintf("%s/%s/%s", sess.ID, sess.Org, sess.State))
		}
		if want := []string{"old-one//closed", "old-two/Đảng bộ Xã/draft"}; !slices.Equal(got, want) {
			t.Errorf("sessions after migration = %q, want %q", got, want)
		}
		orgs, err := tx.Organisations()
		if err != nil {
			return err
		}
		if got, want := len(orgs), 2; got != want || orgs[0].Name != "" || orgs[1].Name != "Đảng bộ Xã" {
			t.Errorf("organisations after migration = %+v, want the default one and \"Đảng bộ Xã\"", orgs)
		}
		ms, err := tx.Members("old-two")
		if err != nil || len(ms) != 1 {
			t.Errorf("members of old-two = %v, %v; want the one imported", ms, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &ballot.Account{Name: "lan", Role: ballot.RoleOrganiser, Orgs: []string{""},
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"}
	if err := s.Update(ctx, func(tx ballot.Tx) error { return tx.InsertAccount(a) }); err != nil {
		t.Fatalf("InsertAccount scoped to the default organisation: %v", err)
	}
	sess := &ballot.Session{ID: "old-one"}
	got, err := func() (*ballot.Account, error) {
		var got *ballot.Account
		err := s.View(ctx, func(tx ballot.Tx) (err error) { got, err = tx.Account("lan"); return err })
		return got, err
	}()
	if err != nil {
		t.Fatal(err)
	}
	if sess.Org = ""; !got.CanWrite(sess) {
		t.Errorf("an organiser of the default organisation cannot write a session of the old schema (org '')")
	}
}
