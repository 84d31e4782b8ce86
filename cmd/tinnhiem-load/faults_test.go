package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tinnhiem/ballot"
	"tinnhiem/cmd/internal/layout"
)

// The fault tests break what the server stands on — the disk, the file,
// the lock, the key — and check the three promises of DESIGN.md
// invariant 6 and the issue: the organiser reads a sentence that says what
// is wrong and what to do ("tinnhiem: error: …", "tinnhiem: hint: …"), the
// voter reads a sentence in Vietnamese, and nothing half-written remains:
// the log verifies and the counts are what they were.

// requireRoot skips a test that needs root (mount, chattr), except in CI,
// where the test must run.
func requireRoot(t *testing.T, why string) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but not root: cannot %s", why)
	}
	t.Skipf("not root: cannot %s", why)
}

// castOne casts one random ballot and returns the answer.
func castOne(t *testing.T, url string, p *prepared, token string) outcome {
	t.Helper()
	c := newCaster(url, 1, p.cadres)
	defer c.close()
	q, err := c.newRequest(rand.New(rand.NewPCG(1, 2)), token)
	if err != nil {
		t.Fatal(err)
	}
	return c.send(context.Background(), q)
}

// wantVoterError checks that a refused cast got the status, an error code
// and a sentence in Vietnamese.
func wantVoterError(t *testing.T, o outcome, status int) {
	t.Helper()
	if o.err != nil || o.status != status {
		t.Fatalf("cast: status %d, error %v; want status %d", o.status, o.err, status)
	}
	if o.code == "" || !strings.ContainsFunc(o.message, func(r rune) bool { return r > 0x7f }) {
		t.Fatalf("cast refused without a code and a Vietnamese sentence: code %q, message %q", o.code, o.message)
	}
	t.Logf("voter sees: %d %s: %s", o.status, o.code, o.message)
}

// wantOrganiserError checks a CLI failure: exit 1 and a first line that
// says what is wrong, with the words a person needs.
func wantOrganiserError(t *testing.T, code int, stderr string, words ...string) {
	t.Helper()
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", code, stderr)
	}
	if !strings.HasPrefix(stderr, "tinnhiem: error: ") {
		t.Fatalf("stderr does not start with \"tinnhiem: error: \":\n%s", stderr)
	}
	for _, w := range words {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	t.Logf("organiser sees:\n%s", stderr)
}

// unchanged checks that nothing was recorded: the chain verifies, the
// session is still open, no card is used and no ballot pooled.
func unchanged(t *testing.T, db string, p *prepared) {
	t.Helper()
	if code, out, stderr := runCLI(t, "log", "verify", "--db", db); code != 0 {
		t.Fatalf("tinnhiem log verify after the fault: exit %d\n%s%s", code, out, stderr)
	}
	svc, store, err := openService(db, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	sess, err := svc.Session(ctx, p.session)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := svc.Turnout(ctx, p.session)
	if err != nil {
		t.Fatal(err)
	}
	var ballots int
	err = store.View(ctx, func(tx ballot.Tx) (err error) { ballots, err = tx.BallotCount(p.session); return err })
	if err != nil {
		t.Fatal(err)
	}
	if sess.State != ballot.Open || counts.Used != 0 || ballots != 0 {
		t.Fatalf("after the fault: state %s, %d cards used, %d ballots; want open, 0, 0", sess.State, counts.Used, ballots)
	}
}

func TestFaultFullDisk(t *testing.T) {
	requireRoot(t, "mount a small tmpfs")
	p, db := prepareSmall(t)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tinnhiem-full", mnt).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount tmpfs: %v\n%s", err, out)
		}
		t.Skipf("cannot mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	full := filepath.Join(mnt, "vote.db")
	copyFile(t, db, full)
	copyFile(t, layout.New(db, "").Key, layout.New(full, "").Key)
	srv := startServer(t, "--db", full)

	filler := filepath.Join(mnt, "filler")
	fillDisk(t, filler)
	wantVoterError(t, castOne(t, srv.url, p, p.tokens[0]), http.StatusInternalServerError)
	code, _, stderr := runCLI(t, "session", "close", "--db", full, "--session", p.session)
	wantOrganiserError(t, code, stderr, "disk is full", "tinnhiem: hint: free some disk space")

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	srv.stop(t)
	unchanged(t, full, p)
	// With space again, the same card votes.
	srv = startServer(t, "--db", full)
	if o := castOne(t, srv.url, p, p.tokens[0]); !o.accepted() {
		t.Fatalf("cast after freeing space: %d %s %v", o.status, o.code, o.err)
	}
}

func TestFaultReadOnlyFile(t *testing.T) {
	requireRoot(t, "make a file immutable with chattr (root ignores permissions)")
	p, db := prepareSmall(t)
	if out, err := exec.Command("chattr", "+i", db).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chattr +i: %v\n%s", err, out)
		}
		t.Skipf("chattr +i not supported here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", db).Run() })

	code, _, stderr := runCLI(t, "session", "close", "--db", db, "--session", p.session)
	wantOrganiserError(t, code, stderr)
	if !strings.Contains(stderr, "read-only") && !strings.Contains(stderr, "readonly") {
		t.Errorf("the organiser is not told the file is read-only:\n%s", stderr)
	}
	// The server may start (reading works) or refuse; a voter who reaches
	// it must get a sentence, and nothing may be recorded.
	if srv, err := tryStartServer(t, "--db", db); err == nil {
		o := castOne(t, srv.url, p, p.tokens[0])
		wantVoterError(t, o, http.StatusInternalServerError)
		srv.stop(t)
	} else {
		log := srv.log()
		if !strings.Contains(log, "tinnhiem: error: ") {
			t.Errorf("the server refused to start without saying why:\n%s", log)
		}
	}
	if out, err := exec.Command("chattr", "-i", db).CombinedOutput(); err != nil {
		t.Fatalf("chattr -i: %v\n%s", err, out)
	}
	unchanged(t, db, p)
}

func TestFaultLockedDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for SQLite's 10-second busy timeout")
	}
	p, db := prepareSmall(t)
	srv := startServer(t, "--db", db)
	// Another program holds the write lock: a transaction that does not end.
	_, store, err := openService(db, "")
	if err != nil {
		t.Fatal(err)
	}
	held, release := make(chan struct{}), make(chan struct{})
	go store.Update(context.Background(), func(tx ballot.Tx) error {
		close(held)
		<-release
		return errors.New("rolled back on purpose")
	})
	<-held
	type cli struct {
		code   int
		stderr string
	}
	closed := make(chan cli, 1)
	go func() {
		code, _, stderr := runCLI(t, "session", "close", "--db", db, "--session", p.session)
		closed <- cli{code, stderr}
	}()
	o := castOne(t, srv.url, p, p.tokens[0])
	c := <-closed
	close(release)
	store.Close()
	wantVoterError(t, o, http.StatusInternalServerError)
	wantOrganiserError(t, c.code, c.stderr, "locked by another program", "tinnhiem: hint: stop any other program")
	srv.stop(t)
	unchanged(t, db, p)
}

func TestFaultKeyFile(t *testing.T) {
	p, db := prepareSmall(t)
	key := layout.New(db, "").Key
	tests := []struct {
		name     string
		breakKey func(t *testing.T)
		words    []string
	}{
		{"missing", func(t *testing.T) { os.Rename(key, key+".bak") }, []string{"key", "missing", "tinnhiem: hint: restore the key file"}},
		{"a directory", func(t *testing.T) { os.Rename(key, key+".bak"); os.Mkdir(key, 0o700) }, []string{"failed to read key file", "tinnhiem: hint:"}},
		{"not a key", func(t *testing.T) { os.Rename(key, key+".bak"); os.WriteFile(key, []byte("garbage\n"), 0o600) }, []string{"not a tinnhiem private key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.breakKey(t)
			defer func() {
				os.RemoveAll(key)
				if err := os.Rename(key+".bak", key); err != nil {
					t.Fatal(err)
				}
			}()
			code, _, stderr := runCLI(t, "session", "close", "--db", db, "--session", p.session)
			wantOrganiserError(t, code, stderr, tt.words...)
			srv, err := tryStartServer(t, "--db", db)
			if err == nil {
				srv.stop(t)
				t.Fatalf("tinnhiem serve started without its key")
			}
			wantOrganiserError(t, exitCode(srv), srv.log(), tt.words...)
			if _, err := os.Stat(key + ".bak"); err != nil {
				t.Fatalf("the real key is gone: %v", err)
			}
		})
	}
	unchanged(t, db, p)
}

func exitCode(s *server) int {
	<-s.exited
	return s.cmd.ProcessState.ExitCode()
}

// prepareSmall prepares an open session of 20 cards in a fresh file.
func prepareSmall(t *testing.T) (*prepared, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "vote.db")
	return prepareFile(t, db, 20, 3), db
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// fillDisk writes to path until the file system refuses with ENOSPC.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				// Fill the last partial block too.
				for n := len(buf) / 2; n > 0; n /= 2 {
					f.Write(buf[:n])
				}
				return
			}
			t.Fatalf("fill disk: %v", err)
		}
	}
	t.Fatal("fill disk: still not full after 30 s")
}
