//go:build unix

package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"tinnhiem/ballot"
)

// withUmask runs fn with the process's umask set to mask. The umask is
// process-wide, so no test of this package runs in parallel with another.
func withUmask(mask int, fn func()) {
	old := syscall.Umask(mask)
	defer syscall.Umask(old)
	fn()
}

// wantOwnerOnly checks the mode of the database and of its -wal and -shm
// files, which must all exist.
func wantOwnerOnly(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(name), err)
			continue
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %04o, want %04o", filepath.Base(name), got, want)
		}
	}
}

// writeSomething commits a write, so that SQLite has made the -wal and
// -shm files.
func writeSomething(t *testing.T, s *Store, id string) {
	t.Helper()
	err := s.Update(ctx, func(tx ballot.Tx) error {
		return tx.InsertSession(&ballot.Session{ID: id, Title: "t", Rules: ballot.QD96, State: ballot.Draft})
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// TestNewFilesAreOwnerOnly creates a store under a umask that lets everyone
// read (000) and under one that would leave the owner unable to write
// (277): the database, -wal and -shm must be 0600 either way.
func TestNewFilesAreOwnerOnly(t *testing.T) {
	for _, mask := range []int{0o000, 0o022, 0o277} {
		t.Run(fmt.Sprintf("umask %03o", mask), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vote.db")
			withUmask(mask, func() {
				s, err := Open(path)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer s.Close()
				writeSomething(t, s, "s1")
				wantOwnerOnly(t, path, 0o600)
			})
		})
	}
}

// TestOpenRestrictsExistingFiles opens a store whose database, -wal and
// -shm files another program left readable by everyone, while a first
// store still has them open: opening takes the group's and others' bits off
// all three, and both stores go on working.
func TestOpenRestrictsExistingFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vote.db")
	first, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer first.Close()
	writeSomething(t, first, "s1")
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(name, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	second, err := Open(path)
	if err != nil {
		t.Fatalf("Open of a 0644 database: %v", err)
	}
	defer second.Close()
	wantOwnerOnly(t, path, 0o600)
	writeSomething(t, first, "s2")
	writeSomething(t, second, "s3")
	var n int
	err = second.View(ctx, func(tx ballot.Tx) error {
		ss, err := tx.Sessions()
		n = len(ss)
		return err
	})
	if err != nil || n != 3 {
		t.Fatalf("after restricting: %d sessions, %v; want 3", n, err)
	}
	wantOwnerOnly(t, path, 0o600)
}

// TestOpenRefusesFileItCannotRestrict opens a database readable by everyone
// whose mode cannot change (an immutable file; root ignores permissions but
// not that): Open must say so, with a hint, and leave the file as it was.
func TestOpenRefusesFileItCannotRestrict(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a file immutable with chattr needs root")
	}
	path := filepath.Join(t.TempDir(), "vote.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	writeSomething(t, s, "s1")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
		t.Skipf("chattr +i is not supported here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
	s, err = Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a 0644 database that cannot be restricted: got nil error, want one")
	}
	var be *ballot.Error
	if !errors.As(err, &be) || be.Key != "storage_mode" || !strings.Contains(be.Message, "readable by other users (mode 0644)") ||
		be.Args["file"] != path {
		// The CLI renders the chmod hint from the file named here.
		t.Errorf("Open = %#v, want a storage_mode error naming the mode and the file", err)
	} else {
		t.Logf("Open: %v", be)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); !bytes.Equal(before, after) || fi.Mode().Perm() != 0o644 {
		t.Errorf("the refused file changed: mode %04o, content equal %v", fi.Mode().Perm(), bytes.Equal(before, after))
	}
}
