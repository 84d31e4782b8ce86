package sqlite

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tinnhiem/audit"
	"tinnhiem/ballot"
)

var testTime = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

// openSession creates an open session with n tokens and returns their
// hashes.
func openSession(t testing.TB, s *Store, id string, n int) []audit.Hash {
	t.Helper()
	hashes := make([]audit.Hash, n)
	for i := range hashes {
		hashes[i] = ballot.HashToken(fmt.Sprintf("%s-%d", id, i))
	}
	err := s.Update(ctx, func(tx ballot.Tx) error {
		if err := tx.InsertSession(&ballot.Session{ID: id, Title: "t", Rules: ballot.QD96, State: ballot.Open}); err != nil {
			return err
		}
		return tx.InsertTokens(id, hashes)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return hashes
}

type column struct {
	name string
	pk   int
}

func columns(t *testing.T, s *Store, table string) []column {
	t.Helper()
	rows, err := s.rdb.Query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", table)
	if err != nil {
		t.Fatalf("table_info(%s): %v", table, err)
	}
	defer rows.Close()
	var cs []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.pk); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	return cs
}

func names(cs []column) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.name)
	}
	return out
}

// TestSchemaAnonymity reads the schema back from sqlite_master and checks
// invariant 1 of DESIGN.md where it lives: the ballot pool holds only the
// session, a random id and the marks, in a WITHOUT ROWID table, and nothing
// links tokens to members or ballots.
func TestSchemaAnonymity(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	rows, err := s.rdb.Query("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
	if err != nil {
		t.Fatalf("sqlite_master: %v", err)
	}
	tables := map[string]string{}
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			t.Fatal(err)
		}
		tables[name] = sql
	}
	rows.Close()

	for _, want := range []string{"sessions", "members", "cadres", "tokens", "ballots", "audit_entries", "checkpoints"} {
		if _, ok := tables[want]; !ok {
			t.Errorf("table %s is missing", want)
		}
	}
	for name, sql := range tables {
		// No table has a hidden rowid that would record insertion order.
		if !strings.HasSuffix(strings.TrimSpace(strings.ToUpper(sql)), "WITHOUT ROWID") {
			t.Errorf("table %s is not WITHOUT ROWID:\n%s", name, sql)
		}
	}

	ballots := columns(t, s, "ballots")
	if got, want := names(ballots), []string{"session_id", "id", "marks", "box"}; !slices.Equal(got, want) {
		t.Errorf("ballots columns = %q, want exactly %q", got, want)
	}
	for _, c := range ballots {
		if wantPK := c.name == "session_id" || c.name == "id"; (c.pk > 0) != wantPK {
			t.Errorf("ballots.%s: primary key part %d, want part of the key = %v", c.name, c.pk, wantPK)
		}
	}
	if got, want := names(columns(t, s, "tokens")), []string{"hash", "session_id", "state"}; !slices.Equal(got, want) {
		t.Errorf("tokens columns = %q, want exactly %q", got, want)
	}

	for name := range tables {
		// Only the tokens table may mention tokens; no other table may name
		// a token, a member or a ballot in a column.
		for _, c := range names(columns(t, s, name)) {
			lc := strings.ToLower(c)
			for _, word := range []string{"token", "member", "ballot", "card", "voter", "time", "ip", "rowid"} {
				if name == "audit_entries" && lc == "time" {
					continue // organiser actions carry a time; ballots never enter this table until sealed
				}
				if lc == word || strings.Contains(lc, word+"_") || strings.Contains(lc, "_"+word) {
					t.Errorf("table %s has column %q, which names %q", name, c, word)
				}
			}
		}
		// No foreign key points at tokens, members or ballots, and tokens
		// point at nothing but their session.
		fks, err := s.rdb.Query("SELECT \"table\" FROM pragma_foreign_key_list(?)", name)
		if err != nil {
			t.Fatalf("foreign_key_list(%s): %v", name, err)
		}
		for fks.Next() {
			var target string
			if err := fks.Scan(&target); err != nil {
				t.Fatal(err)
			}
			if target != "sessions" {
				t.Errorf("table %s has a foreign key to %s; only sessions may be referred to", name, target)
			}
		}
		fks.Close()
	}
}

// TestMigrationsNumbered checks that the embedded migrations parse and
// start at 0001, so that user_version counts them.
func TestMigrationsNumbered(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatalf("migrations: %v", err)
	}
	if len(ms) == 0 || ms[0].name != "0001_init.sql" {
		t.Errorf("migrations = %+v, want 0001_init.sql first", ms)
	}
}
