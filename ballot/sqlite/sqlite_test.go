package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tinnhiem/audit"
	"tinnhiem/ballot"
	"tinnhiem/ballot/storetest"
)

var ctx = context.Background()

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tinnhiem.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, path
}

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ballot.Store {
		s, _ := openTemp(t)
		return s
	})
}

// TestFaultyStoreContract checks that the fault-injecting wrapper, unarmed,
// passes the store contract itself, so that what RunFaults finds is the
// service's doing and not the wrapper's.
func TestFaultyStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ballot.Store {
		s, _ := openTemp(t)
		return storetest.NewFaulty(s)
	})
}

// TestServiceFaults fails every write and every call of every step of a
// vote in turn, on a real SQLite file.
func TestServiceFaults(t *testing.T) {
	storetest.RunFaults(t, func(t *testing.T) ballot.Store {
		s, _ := openTemp(t)
		return s
	})
}

// TestPragmas checks the settings the durability and anonymity contracts
// rest on, on a write connection and on a read connection alike.
func TestPragmas(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	common := map[string]string{
		"journal_mode":  "wal",
		"synchronous":   "2", // FULL
		"foreign_keys":  "1",
		"busy_timeout":  "10000",
		"secure_delete": "1",
	}
	for _, pool := range []struct {
		name      string
		db        *sql.DB
		queryOnly string
	}{
		{"write", s.wdb, "0"},
		{"read", s.rdb, "1"},
	} {
		t.Run(pool.name, func(t *testing.T) {
			conn, err := pool.db.Conn(ctx)
			if err != nil {
				t.Fatalf("Conn: %v", err)
			}
			defer conn.Close()
			want := map[string]string{"query_only": pool.queryOnly}
			for k, v := range common {
				want[k] = v
			}
			for name, want := range want {
				var got string
				if err := conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
					t.Fatalf("PRAGMA %s: %v", name, err)
				}
				if !strings.EqualFold(got, want) {
					t.Errorf("PRAGMA %s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestDSNEscapesPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "phiên?#%20bầu.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(matches) != 1 || matches[0] != path {
		t.Errorf("files in the directory = %q, want exactly %q", matches, path)
	}
}

// TestReopen checks durability across Close and Open, and that opening an
// up-to-date file applies no migration again.
func TestReopen(t *testing.T) {
	s, path := openTemp(t)
	h := ballot.HashToken("REOPEN")
	b := ballot.Ballot{ID: "0123456789abcdef0123456789abcdef", Marks: "HNL"}
	err := s.Update(ctx, func(tx ballot.Tx) error {
		if err := tx.InsertSession(&ballot.Session{ID: "mo-lai", Title: "t", Rules: ballot.QD96, State: ballot.Open}); err != nil {
			return err
		}
		if err := tx.InsertTokens("mo-lai", []audit.Hash{h}); err != nil {
			return err
		}
		e, err := audit.Head{}.Next("mo-lai", audit.SessionCreated, "thu-ky", testTime, audit.SessionCreatedData{ID: "mo-lai"})
		if err != nil {
			return err
		}
		return tx.AppendAudit(&e)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if _, err := s.Cast(ctx, h, b); err != nil {
		t.Fatalf("Cast: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s.Close()
	err = s.View(ctx, func(tx ballot.Tx) error {
		bs, err := tx.Ballots("mo-lai")
		if err != nil {
			return err
		}
		if len(bs) != 1 || !reflect.DeepEqual(bs[0], b) {
			t.Errorf("Ballots() after reopening = %+v, want [%+v]", bs, b)
		}
		if _, st, err := tx.Token(h); err != nil || st != ballot.TokenUsed {
			t.Errorf("Token() after reopening = %d, %v; want used", st, err)
		}
		head, err := tx.AuditHead("mo-lai")
		if err != nil || head.Size != 1 {
			t.Errorf("AuditHead() after reopening = %+v, %v; want size 1", head, err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	var version int
	if err := s.rdb.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatalf("PRAGMA user_version: %v", err)
	}
	ms, _ := migrations()
	if version != len(ms) {
		t.Errorf("user_version = %d, want %d", version, len(ms))
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.wdb.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatalf("PRAGMA user_version: %v", err)
	}
	s.Close()
	_, err := Open(path)
	var be *ballot.Error
	if !errors.As(err, &be) || be.Key != "storage_newer" {
		t.Errorf("Open(newer schema) = %v, want a storage_newer error", err)
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatalf("Open(a text file): got nil error, want one")
	}
	if !strings.HasPrefix(err.Error(), "failed to open database: ") || ballot.ErrorCode(err) != ballot.EInternal {
		t.Errorf("Open(a text file) = %q (code %s), want an internal \"failed to open database: ...\"", err, ballot.ErrorCode(err))
	}
	if _, err := Open(""); ballot.ErrorCode(err) != ballot.EInvalid {
		t.Errorf("Open(\"\") = %v, want an invalid-input error", err)
	}
}

// TestUpdateTakesWriteLock checks that Update begins with BEGIN IMMEDIATE:
// even an Update that has only read holds the write lock, so another
// program's write fails at once, and is reported as a locked database.
func TestUpdateTakesWriteLock(t *testing.T) {
	s, path := openTemp(t)
	defer s.Close()
	other, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=0")
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	defer other.Close()
	err = s.Update(ctx, func(tx ballot.Tx) error {
		if _, err := tx.Sessions(); err != nil {
			return err
		}
		_, err := other.Exec("CREATE TABLE intruder (a)")
		if err == nil {
			t.Errorf("another connection wrote during an Update; want SQLITE_BUSY")
		}
		var be *ballot.Error
		if e := storeError("write", err); !errors.As(e, &be) || be.Key != "storage_locked" ||
			!strings.Contains(be.Message, "the database is locked by another program") {
			t.Errorf("storeError(%v) = %v, want the locked-database message", err, e)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}
